"""`kg viz`: pictures and HTML from a written graph (fixture graph, real files)."""

from __future__ import annotations

import json
import re
import warnings

import pytest

from fixture_graph import build_fixture_graph
from kg.cli import main
from kg.readwrite import write_all

matplotlib = pytest.importorskip("matplotlib")


@pytest.fixture
def outdir(tmp_path):
    write_all(build_fixture_graph(), tmp_path / "out")
    return tmp_path / "out"


def png_size(path):
    raw = path.read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    return int.from_bytes(raw[16:20], "big"), int.from_bytes(raw[20:24], "big")


def test_png_of_whole_graph(outdir, tmp_path, capsys):
    picture = tmp_path / "graph.png"
    assert main(["viz", str(outdir), "-o", str(picture)]) == 0
    width, height = png_size(picture)
    assert width >= 800 and height >= 600
    assert "15 nodes" in capsys.readouterr().err


def test_chinese_font_has_every_glyph_of_the_labels(outdir, tmp_path):
    """No tofu: the font matplotlib uses covers every character drawn."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    from kg import viz
    from kg.readwrite import read_graph
    from kg.readwrite.common import display_name

    family = viz.use_chinese_font()
    assert family is not None, "no Chinese font: install the project with its viz extra"
    font_path = font_manager.findfont(font_manager.FontProperties(family=family),
                                      fallback_to_default=False)
    font = FT2Font(font_path)
    G = read_graph(outdir)
    labels = "".join(viz.short_label(display_name(n, d)) for n, d in G.nodes(data=True))
    labels += "".join(viz.CATEGORY_NAMES_ZH.values())
    missing = {c for c in labels if not c.isspace() and font.get_char_index(ord(c)) == 0}
    assert not missing, f"font {family} lacks {sorted(missing)}"

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        viz.draw_picture(viz.select_view(G), str(tmp_path / "check.png"), title="测试")
    glyph_warnings = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert not glyph_warnings


def test_around_draws_the_neighbourhood_only(outdir):
    from kg import viz
    from kg.readwrite import read_graph

    G = read_graph(outdir)
    one_hop = viz.select_view(G, around="湖州市", hops=1)
    assert "ent:place:hz" in one_hop and one_hop.graph["centres"] == ["ent:place:hz"]
    assert "ent:place:zj" in one_hop and "ent:place:aj" in one_hop  # PART_OF both ways
    assert "ent:place:dp" not in one_hop  # two hops away
    two_hops = viz.select_view(G, around="湖州", hops=2)  # an alias finds it too
    assert "ent:place:dp" in two_hops
    capped = viz.select_view(G, around="湖州市", hops=3, max_nodes=4)
    assert capped.number_of_nodes() == 4 and "ent:place:hz" in capped
    no_events = viz.select_view(G, hide_kinds=["Event"])
    assert not any(d["kind"] == "Event" for _, d in no_events.nodes(data=True))


def test_around_png_and_unknown_name(outdir, tmp_path, capsys):
    picture = tmp_path / "around.png"
    assert main(["viz", str(outdir / "graph.json"), "-o", str(picture),
                 "--around", "张明华", "--hops", "1"]) == 0
    png_size(picture)
    assert main(["viz", str(outdir), "-o", str(tmp_path / "x.png"),
                 "--around", "不存在的名字"]) == 2
    assert "不存在的名字" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_bad_output_format_and_missing_graph(outdir, tmp_path, capsys):
    assert main(["viz", str(outdir), "-o", str(tmp_path / "graph.bmp")]) == 2
    assert ".bmp" in capsys.readouterr().err
    assert main(["viz", str(tmp_path / "nowhere"), "-o", str(tmp_path / "g.png")]) == 2
    assert "nowhere" in capsys.readouterr().err


def test_html_is_self_contained(outdir, tmp_path):
    page_path = tmp_path / "graph.html"
    assert main(["viz", str(outdir), "-o", str(page_path)]) == 0
    page = page_path.read_text(encoding="utf-8")
    assert re.findall(r'(?:src|href)\s*=\s*["\']?(?:https?:)?//', page) == []
    assert "new vis.Network" in page
    assert "vis-network" in page and len(page) > 200_000  # library inlined
    nodes = json.loads(re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", page).group(1))
    labels = {node["id"]: node["label"] for node in nodes}
    assert labels["ent:agency:gov"] == "湖州市人民政府"
    assert labels["ent:org:xinghe"].startswith('"星河"&<科技>')
    assert len(nodes) == 15
    # names go into the page as escaped JSON: no raw markup from the data
    assert "<科技>" not in page and "<\\u79d1\\u6280>" not in page


def test_the_viz_extra_ships_the_chinese_font():
    """The font comes with `pip install -e '.[viz]'`, not from the system."""
    import os

    import mplfonts

    font_path = os.path.join(os.path.dirname(mplfonts.__file__), "fonts",
                             "NotoSansCJKsc-Regular.otf")
    assert os.path.getsize(font_path) > 10_000_000
    from kg import viz

    assert viz.use_chinese_font() == "Noto Sans CJK SC"


# --- issue 14: hostile names, bad outputs, bad numbers ------------------------------

DOLLAR_NAME = "“$x^$”专项行动"


def test_dollar_signs_are_drawn_as_plain_text(tmp_path, capsys):
    """A name or title with `$` is text, not mathtext: no crash, drawn as written."""
    from kg import viz

    graph = build_fixture_graph()
    graph.nodes["ent:program:tiaoli"]["name"] = DOLLAR_NAME
    write_all(graph, tmp_path / "out")
    for suffix in ("png", "svg"):
        picture = tmp_path / f"dollar.{suffix}"
        assert main(["viz", str(tmp_path / "out"), "-o", str(picture),
                     "--title", "$x^$ 与 $\\frac{1}{$ 专项"]) == 0, capsys.readouterr().err
        assert picture.stat().st_size > 1000
    figure = viz.draw_picture(viz.select_view(graph), None, title="$x^$")
    figure.canvas.draw()
    drawn = {text.get_text() for text in figure.findobj(matplotlib.text.Text)}
    assert DOLLAR_NAME in drawn and "$x^$" in drawn


def test_output_that_cannot_be_written_is_refused_before_anything_else(outdir, tmp_path, capsys):
    """-o into /proc or onto a folder: one line naming the output, exit 2, checked first
    (the graph argument below does not even exist, and the error is about the output)."""
    folder = tmp_path / "pictures.png"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    for output, reason in ((folder, "is a folder"), ("/proc/x.png", "cannot write"),
                           (tmp_path / "keep.txt" / "g.png", "not a folder")):
        if reason == "not a folder":
            (tmp_path / "keep.txt").write_text("a file, not a folder")
        assert main(["viz", str(tmp_path / "nowhere"), "-o", str(output)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and str(output) in err and reason in err, err
        assert "Traceback" not in err
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]
    # a missing folder is still fine: it is created
    assert main(["viz", str(outdir), "-o", str(tmp_path / "new" / "sub" / "g.png")]) == 0


@pytest.mark.parametrize("option, value", [("--max-nodes", "0"), ("--max-nodes", "-5"),
                                           ("--max-nodes", "many"), ("--hops", "-1")])
def test_counts_out_of_range_are_refused(outdir, tmp_path, capsys, option, value):
    picture = tmp_path / "g.png"
    with pytest.raises(SystemExit) as stop:
        main(["viz", str(outdir), "-o", str(picture), option, value])
    assert stop.value.code == 2
    assert option in capsys.readouterr().err
    assert not picture.exists()
