"""`kg build`: news text files -> knowledge graph on disk.

Data flows one way: ingest (articles) -> nlp pipeline (entity spans) -> linking
(canonical entities) -> events -> graph -> writers. The output folder (kg/outdir.py) is
checked and locked before any of it, written in a temporary sibling and swapped in at
the end, so a failed build, or one with no document, leaves OUTDIR as it was.
"""

from __future__ import annotations

import gc
import json
import os
import re
import signal
import sys
import time
from collections import Counter
from pathlib import Path

import networkx as nx

from .events import TRIGGER_RE, EventExtractor, Mention
from .graph import DocumentRecord, Role, build_graph
from .ingest import Article, load_documents, printable
from .linking import Linker
from .nlp.lexicon import AGENCY_HEADS, ORG_HEADS
from .outdir import FORMAT, OutputError, OutputFolder

BARE_HEADS = set(AGENCY_HEADS) | set(ORG_HEADS)
from .nlp.gazetteer import page_context


def configure_parser(parser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="news text files or folders (.txt)")
    parser.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="folder to write the graph into: a new or empty one, or the output of an earlier kg build")
    parser.add_argument("--date", help="publication date (YYYY-MM-DD) when the text has none")
    parser.add_argument("--model", help="spaCy pipeline folder (default: the packaged one)")
    parser.add_argument("--no-text", action="store_true", help="leave article text out of the graph")


def run(args) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        report = build(args.inputs, args.output, date=args.date, model=args.model, include_text=not args.no_text)
    except (ValueError, OSError, OutputError) as exc:
        print(f"kg build: {exc}", file=sys.stderr)
        return 2
    for item in report["skipped"]:
        print(f"kg build: skipped {item['source']}: {item['reason']}", file=sys.stderr)
    if not report["documents"]:
        print(f"kg build: no document to build; {printable(args.output)} left as it was", file=sys.stderr)
        return 1
    counts = report["counts"]
    print(f"kg build: {report['documents']} documents from {report['files_read']} files -> {printable(args.output)} "
          f"({counts['entities']} entities, {counts['events']} events, {counts['edges']} edges)")
    return 0


def _exit_on_sigterm(signum, frame):
    """`kill` and `timeout` end the build like Ctrl-C does: the staging folder and lock are removed."""
    raise SystemExit(128 + signum)


def build(inputs: list[str], outdir: str | os.PathLike, *, date: str | None = None, model: str | None = None,
          include_text: bool = True, progress: bool | None = None) -> dict:
    """Build the graph of `inputs` into `outdir`; returns the report (also written as report.json).

    OUTDIR is checked and locked first (OutputError when it must not be replaced); with no
    document to build nothing is written and OUTDIR keeps what it had."""
    with OutputFolder(outdir, inputs) as output:
        return _build(inputs, output, date=date, model=model, include_text=include_text, progress=progress)


def _build(inputs: list[str], output: OutputFolder, *, date: str | None, model: str | None,
           include_text: bool, progress: bool | None) -> dict:
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    articles, skipped = load_documents(list(inputs), date)
    timings["ingest"] = time.perf_counter() - clock
    if not articles:
        return _report(inputs, articles, skipped, nx.MultiDiGraph(), timings)

    clock = time.perf_counter()
    from .nlp.pipeline import load_pipeline

    nlp = load_pipeline(model)
    # the pipeline's tables (gazetteer, models) live as long as the process: the garbage
    # collector need not walk them again at every collection (about 10% of the NLP stage)
    gc.freeze()
    timings["load_pipeline"] = time.perf_counter() - clock

    # Documents stream through the pipeline and the linker: no batch is held in memory.
    clock = time.perf_counter()
    linking = 0.0
    linker = Linker(nlp.get_pipe("kg_places").gazetteer)
    records, events, roles = [], [], []
    for article, doc in zip(articles, _annotate(nlp, articles, progress)):
        started = time.perf_counter()
        record, doc_events, doc_roles = _link_article(article, doc, linker)
        records.append(record)
        events += doc_events
        roles += doc_roles
        linking += time.perf_counter() - started
    linker.finish()
    timings["nlp"] = time.perf_counter() - clock - linking
    timings["link_and_events"] = linking

    clock = time.perf_counter()
    graph = build_graph(records, linker.entities, events, roles, include_text=include_text)
    timings["graph"] = time.perf_counter() - clock

    report = _report(inputs, articles, skipped, graph, timings)
    clock = time.perf_counter()
    output.commit(lambda folder: _write(graph, report, folder))
    report["seconds"]["write"] = round(time.perf_counter() - clock, 3)
    return report


def article_text(article: Article) -> str:
    """What the pipeline reads: the headline as the first paragraph(s), then the body."""
    if not article.title:
        return article.text
    return "\n".join([*headline_statements(article.title), article.text])


def headline_statements(title: str) -> list[str]:
    """Headline lines, rejoined where one statement was wrapped over two lines.

    A line that names a new subject before its verb (昆山开展…) starts a statement; a
    line that starts with a verb or holds none continues the one before
    (肥西县召开2023年 / 优化营商环境工作推进会, 今年将创建85家 / 省级职业健康企业)."""
    statements: list[str] = []
    for line in title.split():
        verb = TRIGGER_RE.search(line)
        if statements and (verb is None or verb.start() == 0):
            statements[-1] += line
        else:
            statements.append(line)
    return statements


def _annotate(nlp, articles: list[Article], progress: bool | None):
    """Run the pipeline; every doc knows the places named anywhere on its page."""
    gazetteer = nlp.get_pipe("kg_places").gazetteer
    texts = [article_text(article) for article in articles]
    page_texts: dict[str, list[str]] = {}
    for article, text in zip(articles, texts):
        page_texts.setdefault(article.source, []).append(text)
    contexts = {source: page_context("\n".join(parts), gazetteer) for source, parts in page_texts.items()}

    def docs():
        for article, text in zip(articles, texts):
            doc = nlp.make_doc(text)
            doc._.kg_place_context = contexts[article.source]
            yield doc

    from tqdm import tqdm

    show = progress if progress is not None else len(page_texts) > 1
    yield from tqdm(nlp.pipe(docs(), batch_size=32), total=len(articles), desc="kg build", unit="doc",
                    disable=not show, file=sys.stderr)


def _sentence_at(text: str, pos: int) -> str:
    stops = "。！？；\n"
    start = max(text.rfind(c, 0, pos) for c in stops) + 1
    ends = [i for i in (text.find(c, pos) for c in stops) if i >= 0]
    end = min(ends) + 1 if ends else len(text)
    return text[start:end].strip()


def _link_article(article: Article, doc, linker: Linker):
    text = doc.text
    places = [e for e in doc.ents if e.label_ == "PLACE" and e._.kg_division is not None]
    home = linker.home_place([e._.kg_division for e in places])
    # No printed date: the page's year (the one its month-day dates take), a partial date.
    date = article.date or (str(article.year_hint) if article.year_hint else None)
    record = DocumentRecord(id=article.id, title=article.title, source=article.source, date=date,
                            kind=article.kind, text=article.text)
    mentions: list[Mention] = []
    roles: list[Role] = []
    place_ids_by_end: dict[int, str] = {}
    named_places = []  # divisions named so far, for 镇党委 / 村委会 after a town or village
    for ent in doc.ents:
        if not linkable(ent):
            continue
        entity = linker.link(ent.label_, ent.text, division_key=ent._.kg_division, home=home,
                             parent_id=place_ids_by_end.get(ent.start_char), nearby=named_places)
        if ent.label_ == "PLACE":
            place_ids_by_end[ent.end_char] = entity.id
            if ent._.kg_division is not None:
                named_places.append(linker.gazetteer.divisions[ent._.kg_division])
        mentions.append(Mention(ent.start_char, ent.end_char, ent.label_, entity.id, entity.name))
        record.mentions[entity.id] += 1
        record.evidence.setdefault(entity.id, _sentence_at(text, ent.start_char))
        if ent.label_ == "PROGRAM":
            issuer = _issuer(doc, ent, linker, home)
            if issuer is not None:
                entity.issued_by = entity.issued_by or issuer.id
                record.mentions[issuer.id] += 1
                record.evidence.setdefault(issuer.id, _sentence_at(text, ent.start_char))
        if ent.label_ == "PERSON" and ent._.kg_title:
            sentence = _sentence_at(text, ent.start_char)
            org = _organisation_before(mentions[:-1], ent.start_char - len(ent._.kg_title) - 1)
            for i, title in enumerate(ent._.kg_title.split("、")):
                entity.positions.append(title)
                # The organisation written before a chain of titles is the first title's.
                where = (org if i == 0 else None) or _title_jurisdiction(title, linker, home)
                roles.append(Role(entity.id, title, where, article.id, sentence))
                if where and where not in record.mentions:
                    record.mentions[where] += 0  # linked, so it must be in the graph

    for byline in article.bylines:
        person = linker.link("PERSON", byline.name)
        person.positions.append(byline.role)
        record.mentions[person.id] += 1
        record.evidence.setdefault(person.id, f"{byline.org or ''}{byline.role}{byline.name}")
        record.authors.append((person.id, byline.role))
        if byline.org:
            org = linker.link("ORG", byline.org, home=home)
            record.mentions[org.id] += 1
            record.evidence.setdefault(org.id, f"{byline.org}{byline.role}{byline.name}")
            roles.append(Role(person.id, byline.role, org.id, article.id, f"{byline.org}{byline.role}{byline.name}"))

    place_of = {}
    for entity_id in record.mentions:
        entity = linker.entities[entity_id]
        place_of[entity_id] = entity.id if entity.label == "PLACE" else entity.based_in
    place_of = {k: v for k, v in place_of.items() if v}
    year = int(article.date[:4]) if article.date else article.year_hint
    words = doc.spans["words"] if "words" in doc.spans else None
    bounds = {w.start_char for w in words} | {w.end_char for w in words} if words is not None else None
    home_id = linker.place_for_division(home).id if home is not None else None
    events = EventExtractor(article.id, text, mentions, year, article.date, place_of,
                            word_bounds=bounds, home=home_id).extract()
    return record, events, roles


def linkable(ent) -> bool:
    """Entities the NER tags but the graph cannot use: one character (中美 -> 中, 美) or
    a bare organ head with no owner (组织部)."""
    text = ent.text.strip()
    return len(text) >= 2 and not (ent.label_ in ("AGENCY", "ORG") and text in BARE_HEADS)


def _issuer(doc, program, linker: Linker, home):
    """The agency a programme's title starts with (《苏州市人民政府…办法》 -> 苏州市人民政府)."""
    for span in doc.spans.get("kg_institutions", []):
        if span.label_ == "AGENCY" and span.start == program.start and span.end < program.end:
            return linker.link("AGENCY", span.text, home=home)
    return None


def _title_jurisdiction(title: str, linker: Linker, home) -> str | None:
    """市长 -> the article's city; 县委书记 -> the county's Party committee."""
    if home is None or title[0] not in "省市县区镇乡村":
        return None
    organ = re.match(r"[省市县区镇乡村](委|政府|人大|政协)", title)
    if organ:
        return linker.link("AGENCY", organ.group(), home=home).id
    division = linker.jurisdiction(home, title[0]) if title[0] in "省市县区" else None
    return linker.place_for_division(division).id if division else None


def _organisation_before(mentions: list[Mention], title_start: int) -> str | None:
    """The organisation or place written right before a title (…村党支部书记 NAME)."""
    for mention in reversed(mentions):
        if mention.label in ("AGENCY", "ORG", "PLACE") and title_start - 1 <= mention.end <= title_start + 6:
            return mention.entity_id
        if mention.end < title_start - 1:
            break
    return None


def _report(inputs, articles, skipped, graph: nx.MultiDiGraph, timings) -> dict:
    kinds = Counter(d.get("kind") for _, d in graph.nodes(data=True))
    labels = Counter(d["label"] for _, d in graph.nodes(data=True) if d.get("kind") == "Entity")
    event_types = Counter(d["type"] for _, d in graph.nodes(data=True) if d.get("kind") == "Event")
    edge_types = Counter(d["type"] for *_, d in graph.edges(data=True))
    return {
        "format": FORMAT,
        "inputs": [printable(p) for p in inputs],
        "files_read": len({a.source for a in articles}),
        "documents": len(articles),
        "documents_by_kind": dict(Counter(a.kind for a in articles)),
        "skipped": skipped,
        "counts": {"entities": kinds.get("Entity", 0), "events": kinds.get("Event", 0),
                   "documents": kinds.get("Document", 0), "edges": graph.number_of_edges(),
                   "entities_by_label": dict(sorted(labels.items())),
                   "events_by_type": dict(sorted(event_types.items())),
                   "edges_by_type": dict(sorted(edge_types.items()))},
        "seconds": {k: round(v, 3) for k, v in timings.items()},
    }


def _write(graph: nx.MultiDiGraph, report: dict, folder: Path) -> None:
    from .readwrite import write_all

    write_all(graph, folder)
    (folder / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
