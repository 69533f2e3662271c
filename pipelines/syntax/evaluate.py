"""Score a trained tagger or parser on its held-out test split, on gold words and on the pipeline's words.

Inputs : MODEL (training/<task>/model-best or kg/models/<task>), DATA/test.spacy (corpus.py)
Outputs: OUT (JSON) with
  - gold words: tagger `tag_acc` (and UPOS accuracy through kg's mapping); parser `uas`, `las`
    (punctuation included, CoNLL style);
  - pipeline words (--pipeline): each test sentence's text goes through the whole kg
    pipeline (pkuseg words cut at entity edges, then this model); predicted and gold words
    are aligned by characters, so a word counts only when its span is right:
    tagger F1 of (span, tag); parser F1 of (span, head span) and (span, head span, label),
    the CoNLL 2018 shared task's measures on raw text.

    python pipelines/syntax/evaluate.py --task tagger|parser --model DIR --data DIR --out FILE [--pipeline]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

import kg.nlp.syntax  # noqa: E402,F401  (registers kg.words_tokenizer.v1, which the models name)


def gold_docs(data: Path, vocab, limit: int | None = None):
    from spacy.tokens import DocBin

    docs = list(DocBin().from_disk(data / "test.spacy").get_docs(vocab))
    return docs[:limit] if limit else docs


def _spans(doc, with_tags: bool, with_heads: bool) -> list[tuple]:
    items = []
    for token in doc:
        if token.is_space:
            continue
        span = (token.idx, token.idx + len(token))
        item = [span]
        if with_tags:
            item.append(token.tag_)
        if with_heads:
            head = None if token.head.i == token.i else (token.head.idx, token.head.idx + len(token.head))
            item += [head, token.dep_]
        items.append(tuple(item))
    return items


def f1(gold: int, predicted: int, correct: int) -> dict:
    p = correct / predicted if predicted else 0.0
    r = correct / gold if gold else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def score_gold_words(task: str, model, docs, encoder=None) -> dict:
    """The model on the gold words (a copy of each doc without annotation)."""
    from spacy.tokens import Doc

    from kg.nlp.syntax import PKU_TO_UPOS

    inputs = [Doc(model.vocab, words=[t.text for t in d], spaces=[bool(t.whitespace_) for t in d]) for d in docs]
    started = time.perf_counter()
    if encoder is not None:  # a parser that listens to the tagger's tok2vec
        inputs = list(encoder.pipe(inputs, batch_size=64))
    predicted = list(model.pipe(inputs, batch_size=64))
    seconds = time.perf_counter() - started
    n = correct = upos = heads = labelled = 0
    verbs = {"v": [0, 0, 0], "vn": [0, 0, 0]}  # gold count, right, taken for the other one
    for gold, pred in zip(docs, predicted):
        for g, p in zip(gold, pred):
            n += 1
            if task == "tagger":
                correct += g.tag_ == p.tag_
                upos += PKU_TO_UPOS.get(g.tag_) == PKU_TO_UPOS.get(p.tag_)
                if g.tag_ in verbs:
                    counts = verbs[g.tag_]
                    counts[0] += 1
                    counts[1] += p.tag_ == g.tag_
                    counts[2] += p.tag_ == ("vn" if g.tag_ == "v" else "v")
            else:
                if g.head.i == p.head.i:
                    heads += 1
                    labelled += g.dep_ == p.dep_
    result = {"words": n, "sentences": len(docs), "words_per_second": round(n / seconds)}
    if task == "tagger":
        result.update(tag_acc=round(correct / n, 4), upos_acc=round(upos / n, 4))
        # v (verb) against vn (verb used as a noun): what event extraction needs told apart
        result["v_vn"] = {tag: {"gold": c[0], "recall": round(c[1] / max(c[0], 1), 4),
                                "as_the_other": round(c[2] / max(c[0], 1), 4)} for tag, c in verbs.items()}
    else:
        result.update(uas=round(heads / n, 4), las=round(labelled / n, 4))
    return result


def score_pipeline_words(task: str, model_dir: Path, docs, merge_entities: bool = True) -> dict:
    """The whole kg pipeline on each sentence's text, with this model in kg_syntax."""
    from kg.nlp.pipeline import assemble
    from kg.nlp.syntax import load_model

    nlp = assemble()
    syntax = nlp.get_pipe("kg_syntax")
    syntax.merge_entities = merge_entities
    model = load_model(model_dir, nlp.vocab)
    if task == "tagger":
        syntax.tagger, syntax.parser = model, None
    else:  # a shared-encoder parser needs the packaged tagger's tok2vec (kg_syntax keeps it)
        syntax.parser = model
        if model.meta.get("kg_encoder") != "tagger":
            syntax.tagger = None
    # the corpus joins words by spaces; the pipeline reads the sentence as written
    from spacy.tokens import Doc

    docs = [Doc(d.vocab, words=[t.text for t in d], spaces=[False] * len(d),
                tags=[t.tag_ for t in d] if task == "tagger" else None,
                heads=[t.head.i for t in d] if task == "parser" else None,
                deps=[t.dep_ for t in d] if task == "parser" else None) for d in docs]
    texts = [d.text for d in docs]
    predicted = list(nlp.pipe(texts, batch_size=64))
    totals = {"gold": 0, "predicted": 0, "span": 0, "tag": 0, "head": 0, "label": 0}
    for gold, pred in zip(docs, predicted):
        g_items = _spans(gold, task == "tagger", task == "parser")
        p_items = _spans(pred, task == "tagger", task == "parser")
        totals["gold"] += len(g_items)
        totals["predicted"] += len(p_items)
        g_spans = {item[0] for item in g_items}
        totals["span"] += sum(item[0] in g_spans for item in p_items)
        if task == "tagger":
            totals["tag"] += len(set(g_items) & set(p_items))
        else:
            g_heads = {item[:2] for item in g_items}
            totals["head"] += sum(item[:2] in g_heads for item in p_items)
            totals["label"] += len(set(g_items) & set(p_items))
    result = {"words": f1(totals["gold"], totals["predicted"], totals["span"])}
    if task == "tagger":
        result["tag"] = f1(totals["gold"], totals["predicted"], totals["tag"])
    else:
        result["uas"] = f1(totals["gold"], totals["predicted"], totals["head"])
        result["las"] = f1(totals["gold"], totals["predicted"], totals["label"])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=("tagger", "parser"), required=True)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True, help="folder with test.spacy")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--pipeline", action="store_true", help="also score on the kg pipeline's own words")
    parser.add_argument("--limit", type=int, help="first N test docs only")
    parser.add_argument("--tagger", type=Path, default=REPO / "kg" / "models" / "tagger",
                        help="the tagger whose tok2vec a shared-encoder parser reads")
    args = parser.parse_args(argv)
    for path in (args.model / "config.cfg", args.data / "test.spacy"):
        if not path.is_file():
            print(f"evaluate: missing input {path}", file=sys.stderr)
            return 2
    import spacy

    model = spacy.load(args.model)
    encoder = None
    if model.meta.get("kg_encoder") == "tagger":  # packaged shared-encoder parser (package.py)
        encoder = spacy.load(args.tagger).get_pipe("tok2vec")
    docs = gold_docs(args.data, model.vocab, args.limit)
    metrics = {"task": args.task, "model": str(args.model),
               "gold_words": score_gold_words(args.task, model, docs, encoder)}
    if args.pipeline:
        metrics["pipeline_words"] = score_pipeline_words(args.task, args.model, docs)
        if args.task == "parser":  # the parser reading entities word by word, for comparison
            metrics["pipeline_words_entities_unmerged"] = score_pipeline_words(
                args.task, args.model, docs, merge_entities=False)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(metrics, indent=1, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(metrics, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
