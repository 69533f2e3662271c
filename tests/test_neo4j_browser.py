"""Neo4j Browser as a user meets it, in a real Chromium driven by Playwright.

Against the project's own server (conftest.py) with the sample page loaded: connect
through Browser's form, paste the cookbook's `:params` line and two of its graph
questions, then read the page: the counts Browser reports, the captions it draws (names
and titles from the data, in Chinese), the colours and sizes of docs/kg.grass, and no
error frame. The expected graph is the cookbook's networkx answer (test_neo4j_cookbook).
Chromium and a CJK font come from Debian (`make sysdeps`): Playwright's own browser
download does not work offline.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from conftest import empty_database, run_kg
from kg.neo4j.server import BROWSER_STYLE
from kg.readwrite.common import CATEGORY_COLORS, NEO4J_ENTITY_LABELS
from test_neo4j_cookbook import (EXPECTATIONS, Sample, cookbook_params, cookbook_params_line,
                                 cookbook_queries)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
GRASS_NODE_RULE = re.compile(r"node\.(\w+) \{([^}]*)\}")
GRASS_PROPERTY = re.compile(r"([\w-]+): ([^;]+);")
WAIT_MS = 60_000  # the machine is shared; Browser's first connect can be slow


def grass_rules() -> dict[str, dict[str, str]]:
    """docs/kg.grass as {label: {property: value}}."""
    text = BROWSER_STYLE.read_text(encoding="utf-8")
    return {label: dict(GRASS_PROPERTY.findall(body))
            for label, body in GRASS_NODE_RULE.findall(text)}


def neo4j_labels(sample: Sample, node) -> list[str]:
    """The labels `kg load` gives a node, most specific last."""
    if sample.kind(node) == "Entity":
        return ["Entity", NEO4J_ENTITY_LABELS[sample.label(node)]]
    return [sample.kind(node)]


def caption_source(sample: Sample, node) -> str:
    """What the project's style writes on a node: title for documents, else name."""
    key = "title" if sample.kind(node) == "Document" else "name"
    return sample.data(node)[key]


def shows(caption: str, text: str) -> bool:
    """Browser draws the text whole, or cut with an ellipsis where the circle ends."""
    return caption == text or (caption.endswith("…") and text.startswith(caption[:-1]))


def nodes_in(value, sample: Sample) -> set:
    """Node ids in an expected row value (ids, paths as [id, TYPE, id, ...], lists)."""
    if isinstance(value, str):
        return {value} if value in sample.graph else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(nodes_in(item, sample) for item in value))
    if isinstance(value, dict):
        return set().union(*(nodes_in(item, sample) for item in value.values()))
    return set()


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def server(local_neo4j_server):
    """The project's own server (the style comes with it), Browser on its HTTP port."""
    assert local_neo4j_server.http_port, "the project's server runs without HTTP"
    return local_neo4j_server


@pytest.fixture(scope="module")
def sample(seed_build, server) -> Sample:
    graph, _, outdir = seed_build
    empty_database(server)
    loaded = run_kg("load", outdir, "--uri", server.uri, "--user", server.user,
                    "--database", server.database, "--quiet", env=server.env)
    assert loaded.returncode == 0, loaded.stderr
    return Sample(graph)


@pytest.fixture(scope="module")
def page(server, sample):
    """A fresh Chromium (no saved Browser state) connected through Browser's form."""
    assert CHROMIUM.exists(), f"{CHROMIUM} missing: `make sysdeps` installs Debian's chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(WAIT_MS)
        page.goto(f"http://127.0.0.1:{server.http_port}/browser/")
        bolt_port = server.uri.rsplit(":", 1)[1]
        expect(page.get_by_test_id("boltaddress")).to_have_value(f"127.0.0.1:{bolt_port}")
        page.get_by_test_id("username").fill(server.user)
        page.get_by_test_id("password").fill(server.password)
        page.get_by_test_id("connect").click()
        page.get_by_text("You are connected as user").wait_for()
        yield page
        browser.close()


def run_in_browser(page, command: str):
    """Type a command into Browser's editor, run it, return its frame once it has one."""
    page.get_by_test_id("activeEditor").click()
    page.keyboard.insert_text(command)
    page.get_by_test_id("editor-Run").click()
    frame = page.get_by_test_id("frame").first  # the stream shows the newest first
    expect(frame).to_contain_text(command.splitlines()[0].strip())
    return frame


def assert_no_error_frame(page):
    errors = page.get_by_text("ERROR", exact=True)  # the badge of every error frame
    assert errors.count() == 0, errors.first.locator("xpath=../..").inner_text()


# --------------------------------------------------------------------------- tests


def test_the_style_uses_the_colours_of_kg_viz():
    rules = grass_rules()
    for label, neo4j_label in NEO4J_ENTITY_LABELS.items():
        assert rules[neo4j_label]["color"].lower() == CATEGORY_COLORS[label]
    for kind in ("Event", "Document"):
        assert rules[kind]["color"].lower() == CATEGORY_COLORS[kind]


def test_a_cjk_font_is_installed_for_the_captions():
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    assert fonts.stdout.strip(), "no CJK font: Chinese is drawn as boxes (make sysdeps " \
                                 "installs fonts-noto-cjk)"


def test_connecting_applies_the_project_style(page, server):
    style_url = f"http://127.0.0.1:{server.http_port}/kg/style.grass"
    style_frame = page.get_by_test_id("frame").filter(has_text=f":style {style_url}")
    expect(style_frame).to_have_count(1)
    expect(style_frame).to_contain_text("node.Event")  # the fetched style, shown
    assert_no_error_frame(page)


@pytest.mark.parametrize("name", ["agency-network", "place-tree"])
def test_a_graph_question_is_drawn_readably(name, page, sample):
    params = cookbook_params()
    expect(run_in_browser(page, cookbook_params_line())).to_contain_text(params["agency"])
    frame = run_in_browser(page, cookbook_queries()[name].strip())
    inspector = frame.get_by_test_id("vizInspector")
    expect(inspector).to_contain_text("Displaying")

    shown_nodes = nodes_in(EXPECTATIONS[name](sample, params), sample)
    assert shown_nodes, f"{name}: the sample gives nothing to draw"
    expect(inspector).to_contain_text(f"Displaying {len(shown_nodes)} nodes")
    # Browser adds the relationships between the nodes it draws ("connect result nodes").
    drawn_edges = [d["type"] for u, v, d in sample.graph.edges(data=True)
                   if u in shown_nodes and v in shown_nodes]
    chips = Counter(label for node in shown_nodes for label in neo4j_labels(sample, node))
    chips.update({f"relationship-type-{t}": n for t, n in Counter(drawn_edges).items()})
    for chip, count in chips.items():
        test_id = (f"property-details-overview-{chip}" if chip.startswith("relationship")
                   else f"property-details-overview-node-label-{chip}")
        expect(inspector.get_by_test_id(test_id)).to_contain_text(f"({count})")

    expect(frame.locator("g.node")).to_have_count(len(shown_nodes))
    drawn = frame.locator("g.node").evaluate_all("""nodes => nodes.map(node => ({
        caption: [...node.querySelectorAll('text.caption')].map(t => t.textContent.trim())
                 .join(' '),
        fill: node.querySelector('circle.b-outline').getAttribute('fill'),
        radius: Number(node.querySelector('circle.b-outline').getAttribute('r'))}))""")
    rules = grass_rules()
    for node in drawn:
        sources = [n for n in shown_nodes if shows(node["caption"], caption_source(sample, n))]
        assert sources, f"caption {node['caption']!r} is no name or title in the result"
        styles = {(rules[label]["color"].lower(), float(rules[label]["diameter"][:-2]) / 2)
                  for label in (neo4j_labels(sample, n)[-1] for n in sources)}
        assert (node["fill"].lower(), node["radius"]) in styles, node
    # Readable: a typical agency or place name (up to 8 characters) is drawn whole.
    captions = {node["caption"] for node in drawn}
    for node in shown_nodes:
        if sample.kind(node) == "Entity" and len(sample.name(node)) <= 8:
            assert sample.name(node) in captions
    assert_no_error_frame(page)
