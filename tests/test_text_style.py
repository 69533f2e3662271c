"""kg_text_style: the packaged classifier that tells the NER which corpus convention to follow."""

from kg.nlp.features import STYLE_MARK
from kg.nlp.text_style import half_width

PRESS = "新华社北京１月５日电 国务院总理今天在人民大会堂会见了外国客人。"
WEB = "这款游戏的画面真不错，玩家们纷纷在论坛上晒出了自己的截图。"


def test_reads_press_and_web_text_and_tells_the_features(nlp):
    from kg.nlp.pipeline import entities_only

    with entities_only(nlp):  # the character tokens, whose TAG carries the features
        press, web = nlp.pipe([PRESS, WEB])
    assert press.cats["press"] > 0.5 > web.cats["press"]
    assert (press._.kg_text_style, web._.kg_text_style) == ("press", "web")
    assert not any(t.tag_.endswith(STYLE_MARK) for t in press)
    assert all(t.tag_.endswith(STYLE_MARK) for t in web if t.tag_)


def test_empty_texts_in_a_batch(nlp):
    """spaCy's sparse n-gram textcat raised IndexError on a batch with an empty text."""
    docs = list(nlp.pipe(["", PRESS, ""]))
    assert [len(d.ents) > 0 for d in docs] == [False, True, False]
    assert docs[0].cats == {"press": 0.0, "web": 0.0}


def test_digit_width_is_no_cue(nlp):
    """１２．５％ (MSRA, 1998) and 12.5% (today) are the same text to the classifier."""
    full, half = nlp.pipe(["新增市场主体１２．５万户，增长８．３％。", "新增市场主体12.5万户，增长8.3%。"])
    assert full.cats == half.cats


def test_half_width_copies_only_when_needed():
    import spacy

    blank = spacy.blank("zh")
    plain = blank("增长8.3%，：")
    assert half_width(plain) is plain
    assert half_width(blank("增长８．３％，：")).text == "增长8.3%，："  # Chinese punctuation stays
