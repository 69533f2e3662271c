"""`kg build`: news text files -> knowledge graph on disk.

Data flows one way: ingest (articles) -> the spaCy pipeline (entities, their canonical
ids, events: all on the Doc) -> graph -> writers. This module only reads files, runs
`nlp.pipe` and hands the Docs to the graph. The output folder (kg/outdir.py) is
checked and locked before any of it, written in a temporary sibling and swapped in at
the end, so a failed build, or one with no document, leaves OUTDIR as it was.
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import re
import signal
import sys
import time
from bisect import bisect_left
from collections import Counter
from pathlib import Path
from typing import Iterable

import networkx as nx

from .events import TRIGGER_RE
from .graph import DocumentRecord, Role, build_graph
from .ingest import Article, iter_pages, printable
from .linking import Linker
from .nlp.gazetteer import page_context
from .outdir import FORMAT, OutputError, OutputFolder


def configure_parser(parser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="news files or folders: .txt pages, or archives with one article per row "
                             "(.jsonl, .csv, .parquet)")
    parser.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="folder to write the graph into: a new or empty one, or the output of an earlier kg build")
    parser.add_argument("--date", help="publication date (YYYY-MM-DD) when the text has none")
    parser.add_argument("--model", help="spaCy pipeline folder (default: the packaged one)")
    parser.add_argument("--no-text", action="store_true", help="leave article text out of the graph")
    archive = parser.add_argument_group("archive columns (.jsonl, .csv, .parquet: one article per row)")
    archive.add_argument("--text-column", default="text", help="column holding the article text (default: text)")
    archive.add_argument("--id-column", default="id", help="column holding the article's own id (default: id)")
    archive.add_argument("--title-column", default="title", help="column holding the headline (default: title)")
    archive.add_argument("--date-column", default="date", help="column holding the ISO date (default: date)")
    archive.add_argument("--source-column", default="source",
                         help="column naming the publishing outlet (default: source)")


def run(args) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        from .archives import Columns

        columns = Columns(text=args.text_column, id=args.id_column, title=args.title_column,
                          date=args.date_column, source=args.source_column)
        report = build(args.inputs, args.output, date=args.date, model=args.model, include_text=not args.no_text,
                       columns=columns)
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
          include_text: bool = True, progress: bool | None = None, columns=None) -> dict:
    """Build the graph of `inputs` into `outdir`; returns the report (also written as report.json).

    OUTDIR is checked and locked first (OutputError when it must not be replaced); with no
    document to build nothing is written and OUTDIR keeps what it had."""
    with OutputFolder(outdir, inputs) as output:
        return _build(inputs, output, date=date, model=model, include_text=include_text, progress=progress,
                      columns=columns)


class DocumentTally:
    """What the report says of the documents read, counted as they stream past."""

    def __init__(self):
        self.documents = 0
        self.by_kind: Counter = Counter()
        self.files: set[str] = set()

    def count(self, articles):
        for article in articles:
            self.documents += 1
            self.by_kind[article.kind] += 1
            self.files.add(article.file or article.source)
            yield article


def _build(inputs: list[str], output: OutputFolder, *, date: str | None, model: str | None,
           include_text: bool, progress: bool | None, columns=None) -> dict:
    """Inputs stream page by page into the pipeline: no list of the corpus's articles or Docs.
    Ingest time is spent inside the stream, so it is counted in "nlp"; "ingest" is the time
    to the first page (reading stops there when no file has an article)."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    skipped: list[dict] = []
    pages = iter_pages(list(inputs), date, columns, skipped)
    first = next(pages, None)
    timings["ingest"] = time.perf_counter() - clock
    tally = DocumentTally()
    if first is None:
        return _report(inputs, tally, skipped, nx.MultiDiGraph(), timings)

    clock = time.perf_counter()
    from .nlp.pipeline import load_pipeline

    nlp = load_pipeline(model)
    # the pipeline's tables (gazetteer, models) live as long as the process: the garbage
    # collector need not walk them again at every collection (about 10% of the NLP stage)
    gc.freeze()
    timings["load_pipeline"] = time.perf_counter() - clock

    second = next(pages, None)
    if progress is None:  # a progress bar when more than one page (file or row) has articles
        progress = second is not None
    head = [first] if second is None else [first, second]
    articles = tally.count(article for page in itertools.chain(head, pages) for article in page)
    graph = graph_of_articles(nlp, articles, include_text=include_text, progress=progress, timings=timings)

    report = _report(inputs, tally, skipped, graph, timings)
    clock = time.perf_counter()
    output.commit(lambda folder: _write(graph, report, folder))
    report["seconds"]["write"] = round(time.perf_counter() - clock, 3)
    return report


def article_text(article: Article) -> str:
    """What the pipeline reads: the headline as the first paragraph(s), the body, then the
    dateline (新华社某地5月1日电: the outlet and the city it was filed from) and a web page's
    来源 line (its publisher) -- last, as lines of their own, so that no statement of the
    body takes the outlet for its subject."""
    source = [article.dateline] if article.dateline and not article.dateline.startswith(("本报", "本刊")) else []
    if getattr(article, "publisher", None):  # a web page's 来源：X names who published it
        source.append(f"来源：{article.publisher}")
    headlines = headline_statements(article.title) if article.title else []
    return "\n".join([*headlines, article.text, *source])


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


def _annotate(nlp, articles: Iterable[Article], progress: bool | None):
    """(article, Doc) in input order; every doc knows the places named anywhere on its page.

    Articles stream: one page's articles (consecutive, same `source`) are held while its
    place context is made, then handed to the pipeline."""
    gazetteer = nlp.get_pipe("kg_places").gazetteer

    def items():
        for _source, page in itertools.groupby(articles, key=lambda article: article.source):
            page = list(page)
            texts = [article_text(article) for article in page]
            context = page_context("\n".join(texts), gazetteer)
            for article, text in zip(page, texts):
                yield text, (article, context)

    def prepare(doc, item) -> None:
        article, context = item
        doc._.kg_place_context = context
        doc._.kg_doc_id = article.id
        doc._.kg_date = article.date
        doc._.kg_year = int(article.date[:4]) if article.date else article.year_hint

    from tqdm import tqdm

    from .nlp.chunking import pipe_docs

    # Long texts go through in chunks and come back as one Doc (never E088, bounded memory).
    docs = ((article, doc) for doc, (article, _) in pipe_docs(nlp, items(), batch_size=32, prepare=prepare))
    show = bool(progress)
    yield from tqdm(docs, total=getattr(articles, "__len__", lambda: None)(), desc="kg build", unit="doc",
                    disable=not show, file=sys.stderr)


SENTENCE_STOP_RE = re.compile(r"[。！？；\n]")
MAX_EVIDENCE = 500  # characters of evidence around a mention in a text without sentence stops


class SentenceIndex:
    """The sentence around an offset, by binary search over the stops' offsets: a
    search of the text per mention made a long text quadratic."""

    def __init__(self, text: str):
        self.text = text
        self.stops = [m.start() for m in SENTENCE_STOP_RE.finditer(text)]

    def at(self, pos: int) -> str:
        following = bisect_left(self.stops, pos)  # first stop at or after pos
        start = self.stops[following - 1] + 1 if following else 0
        end = self.stops[following] + 1 if following < len(self.stops) else len(self.text)
        if end - start > MAX_EVIDENCE:
            start = max(start, pos - MAX_EVIDENCE // 2)
            end = min(end, start + MAX_EVIDENCE)
        return self.text[start:end].strip()


def graph_of_articles(nlp, articles: Iterable[Article], *, include_text: bool = True,
                      progress: bool | None = None, timings: dict | None = None) -> nx.MultiDiGraph:
    """Articles (a list or any iterator) -> Docs (the pipeline links entities and finds
    events) -> the graph.

    Documents stream through the pipeline: no batch of Docs or articles is held in
    memory, only each document's small record (its text only when the graph keeps it).
    Seconds spent go to `timings` ("nlp": the pipeline and each Doc's record, "graph")."""
    timings = {} if timings is None else timings
    clock = time.perf_counter()
    linker = nlp.get_pipe("kg_linker").start_run()
    records, events, roles = [], [], []
    if progress is None:
        progress = isinstance(articles, list) and len({article.source for article in articles}) > 1
    for article, doc in _annotate(nlp, articles, progress):
        record, doc_roles = document_record(article, doc, linker, include_text=include_text)
        records.append(record)
        events += doc._.events
        roles += doc_roles
    linker.finish()
    timings["nlp"] = time.perf_counter() - clock
    clock = time.perf_counter()
    graph = build_graph(records, linker.entities, events, roles, include_text=include_text)
    timings["graph"] = time.perf_counter() - clock
    return graph


def document_record(article: Article, doc, linker: Linker,
                    include_text: bool = True) -> tuple[DocumentRecord, list[Role]]:
    """What the graph keeps of one linked Doc: mentions with their first sentence, roles, bylines."""
    text = doc.text
    home = linker.gazetteer.divisions[doc._.kg_home] if doc._.kg_home is not None else None
    # No printed date: the page's year (the one its month-day dates take), a partial date.
    date = article.date or (str(article.year_hint) if article.year_hint else None)
    record = DocumentRecord(id=article.id, title=article.title, source=article.source, date=date,
                            kind=article.kind, text=article.text if include_text else "",
                            external_id=article.external_id)
    roles: list[Role] = []
    sentences = SentenceIndex(text)
    issuers = {start: issuer for _, issuer, start in doc._.kg_issuers or ()}
    for ent in doc.ents:
        if not ent.kb_id_:
            continue
        entity = linker.entities[ent.kb_id_]
        record.mentions[entity.id] += 1
        if entity.id not in record.evidence:
            record.evidence[entity.id] = sentences.at(ent.start_char)
        if ent.start_char in issuers and ent.label_ == "PROGRAM":
            record.mentions[issuers[ent.start_char]] += 1
            if issuers[ent.start_char] not in record.evidence:
                record.evidence[issuers[ent.start_char]] = sentences.at(ent.start_char)
    for person_id, title, organ_id, start in doc._.kg_positions or ():  # kg_roles, linked by kg_linker
        _add_position(linker.entities[person_id], title)
        roles.append(Role(person_id, title, organ_id, article.id, sentences.at(start)))
        if organ_id and organ_id not in record.mentions:
            record.mentions[organ_id] += 0  # linked, so it must be in the graph

    for byline in article.bylines:
        person = linker.link("PERSON", byline.name)
        _add_position(person, byline.role)
        record.mentions[person.id] += 1
        record.evidence.setdefault(person.id, f"{byline.org or ''}{byline.role}{byline.name}")
        record.authors.append((person.id, byline.role))
        if byline.org:
            org = linker.link("ORG", byline.org, home=home)
            record.mentions[org.id] += 1
            record.evidence.setdefault(org.id, f"{byline.org}{byline.role}{byline.name}")
            roles.append(Role(person.id, byline.role, org.id, article.id, f"{byline.org}{byline.role}{byline.name}"))
    return record, roles


def _add_position(person, title: str) -> None:
    """A title once per person (first-seen order, as the graph lists them): the entity
    table must not grow with every mention of a mayor in a long archive."""
    if title not in person.positions:
        person.positions.append(title)


def _report(inputs, tally: DocumentTally, skipped, graph: nx.MultiDiGraph, timings) -> dict:
    kinds = Counter(d.get("kind") for _, d in graph.nodes(data=True))
    labels = Counter(d["label"] for _, d in graph.nodes(data=True) if d.get("kind") == "Entity")
    event_types = Counter(d["type"] for _, d in graph.nodes(data=True) if d.get("kind") == "Event")
    edge_types = Counter(d["type"] for *_, d in graph.edges(data=True))
    return {
        "format": FORMAT,
        "inputs": [printable(p) for p in inputs],
        "files_read": len(tally.files),
        "documents": tally.documents,
        "documents_by_kind": dict(tally.by_kind),
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
