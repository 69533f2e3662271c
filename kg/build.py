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
from .linking import Linker, finish_names, merge_entities
from .nlp.gazetteer import page_context
from .nlp.linker import DOC_LINKER
from .outdir import FORMAT, OutputError, OutputFolder
from .readwrite.neo4j_import import IMPORT_FOLDER
from .shards import (DEFAULT_MAX_GRAPH_ELEMENTS, DEFAULT_SHARD_DOCUMENTS, SHARDS_FOLDER, DocumentResult,
                     ResultSink, graph_from_shards)


def configure_parser(parser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="news files or folders: .txt pages, or archives with one article per row "
                             "(.jsonl, .csv, .parquet)")
    parser.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="folder to write the graph into: a new or empty one, or the output of an earlier kg build")
    parser.add_argument("--date", help="publication date (YYYY-MM-DD) when the text has none")
    parser.add_argument("--model", help="spaCy pipeline folder (default: the packaged one)")
    parser.add_argument("--no-text", action="store_true", help="leave article text out of the graph")
    parser.add_argument("--max-graph-elements", type=_count, default=DEFAULT_MAX_GRAPH_ELEMENTS, metavar="N",
                        help="write graph.json, GraphML, GEXF and the CSV files only for a graph of at most N "
                             f"nodes + edges (default: {DEFAULT_MAX_GRAPH_ELEMENTS:,}); shards/ is always written")
    scale = parser.add_argument_group("engine (large corpora)")
    scale.add_argument("--engine", choices=("local", "ray"), default="local",
                       help="local: this process (default); ray: a Ray cluster or a local Ray (pip install kg[ray])")
    scale.add_argument("--address", help="Ray cluster to join (ray://HOST:10001 or auto); default: start a local Ray")
    scale.add_argument("--workers", type=_count, default=None, metavar="N",
                       help="Ray: pipeline actors, one CPU each (each loads the pipeline once; default: every CPU of the "
                            "cluster, or of this machine for a local Ray)")
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
        engine = None
        if args.engine == "ray":
            from .engines.ray import RayEngine

            engine = RayEngine(address=args.address, workers=args.workers)
        elif args.address or args.workers:
            raise ValueError("--address and --workers need --engine ray")
        report = build(args.inputs, args.output, date=args.date, model=args.model, include_text=not args.no_text,
                       columns=columns, engine=engine, max_graph_elements=args.max_graph_elements)
    except (ValueError, OSError, OutputError, EngineError) as exc:
        print(f"kg build: {exc}", file=sys.stderr)
        return 2
    for item in report["skipped"]:
        print(f"kg build: skipped {item['source']}: {item['reason']}", file=sys.stderr)
    if not report["documents"]:
        print(f"kg build: no document to build; {printable(args.output)} left as it was", file=sys.stderr)
        return 1
    if not report["graph"]["written"]:
        print(f"kg build: {report['graph']['reason']}", file=sys.stderr)
    counts = report["counts"]
    print(f"kg build: {report['documents']} documents from {report['files_read']} files -> {printable(args.output)} "
          f"({counts['entities']} entities, {counts['events']} events, {counts['edges']} edges)")
    return 0


def _count(text: str) -> int:
    from .cli import count_at_least

    return count_at_least(1)(text)


class EngineError(Exception):
    """The engine (Ray) failed: str() says why in one line."""


def _exit_on_sigterm(signum, frame):
    """`kill` and `timeout` end the build like Ctrl-C does: the staging folder and lock are removed."""
    raise SystemExit(128 + signum)


def build(inputs: list[str], outdir: str | os.PathLike, *, date: str | None = None, model: str | None = None,
          include_text: bool = True, progress: bool | None = None, columns=None, engine=None,
          max_graph_elements: int = DEFAULT_MAX_GRAPH_ELEMENTS,
          shard_documents: int = DEFAULT_SHARD_DOCUMENTS) -> dict:
    """Build the graph of `inputs` into `outdir`; returns the report (also written as report.json).

    OUTDIR is checked and locked first (OutputError when it must not be replaced); with no
    document to build nothing is written and OUTDIR keeps what it had. `engine`: None for
    this process, or one that makes the DocumentResults elsewhere (kg.engines.ray.RayEngine)."""
    with OutputFolder(outdir, inputs) as output:
        if engine is not None:
            return engine.build(inputs, output, date=date, model=model, include_text=include_text,
                                columns=columns, max_graph_elements=max_graph_elements,
                                shard_documents=shard_documents)
        return _build(inputs, output, date=date, model=model, include_text=include_text, progress=progress,
                      columns=columns, max_graph_elements=max_graph_elements, shard_documents=shard_documents)


def _build(inputs: list[str], output: OutputFolder, *, date: str | None, model: str | None,
           include_text: bool, progress: bool | None, columns=None,
           max_graph_elements: int = DEFAULT_MAX_GRAPH_ELEMENTS, shard_documents: int = DEFAULT_SHARD_DOCUMENTS) -> dict:
    """Inputs stream page by page into the pipeline: no list of the corpus's articles or Docs.
    Ingest time is spent inside the stream, so it is counted in "nlp"; "ingest" is the time
    to the first page (reading stops there when no file has an article)."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    skipped: list[dict] = []
    pages = iter_pages(list(inputs), date, columns, skipped)
    first = next(pages, None)
    timings["ingest"] = time.perf_counter() - clock
    if first is None:
        return _report(inputs, ResultSink(Path(".")), skipped, None, timings, max_graph_elements)

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
    articles = (article for page in itertools.chain(head, pages) for article in page)
    clock = time.perf_counter()
    results = document_results(nlp, articles, include_text=include_text, progress=progress)
    return finish_build(inputs, output, results, skipped, timings, clock, include_text=include_text,
                        max_graph_elements=max_graph_elements, shard_documents=shard_documents)


def finish_build(inputs, output: OutputFolder, results: Iterable[DocumentResult], skipped: list[dict],
                 timings: dict, clock: float, *, include_text: bool, max_graph_elements: int,
                 shard_documents: int = DEFAULT_SHARD_DOCUMENTS) -> dict:
    """Every engine ends here: DocumentResults (in document order) -> shards and the
    entity table (the reduce) in OUTDIR's staging folder -> the graph files when the graph
    is small enough -> report.json, then the swap. `skipped` may fill while `results` runs.
    With no document nothing is committed and OUTDIR keeps what it had."""
    sink = None
    for result in results:
        if sink is None:
            sink = ResultSink(output.staging() / SHARDS_FOLDER, shard_documents,
                              import_folder=output.staging() / IMPORT_FOLDER)
        sink.add(result)
    if sink is None:
        return _report(inputs, ResultSink(Path(".")), skipped, None, timings, max_graph_elements)
    sink.finish()
    timings["nlp"] = time.perf_counter() - clock
    clock = time.perf_counter()
    graph = None
    if sink.elements_at_most() <= max_graph_elements:
        graph = graph_from_shards(sink.folder, sink.entities, include_text=include_text)
        if graph.number_of_nodes() + graph.number_of_edges() > max_graph_elements:  # cannot be: a bound
            graph = None
    timings["graph"] = time.perf_counter() - clock
    report = _report(inputs, sink, skipped, graph, timings, max_graph_elements)
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
    """(article, Doc, its Linker) in input order; every doc knows the places named anywhere
    on its page, and links its entities into a table of its own (the article's results do
    not depend on the articles before it, so any engine may link it anywhere).

    Articles stream: one page's articles (consecutive, same `source`) are held while its
    place context is made, then handed to the pipeline."""
    gazetteer = nlp.get_pipe("kg_places").gazetteer

    def items():
        for _source, page in itertools.groupby(articles, key=lambda article: article.source):
            page = list(page)
            texts = [article_text(article) for article in page]
            context = page_context("\n".join(texts), gazetteer)
            for article, text in zip(page, texts):
                yield text, (article, context, Linker(gazetteer))

    def prepare(doc, item) -> None:
        article, context, linker = item
        doc.user_data[DOC_LINKER] = linker  # every chunk of the article links into the article's table
        doc._.kg_place_context = context
        doc._.kg_doc_id = article.id
        doc._.kg_date = article.date
        doc._.kg_year = int(article.date[:4]) if article.date else article.year_hint

    from tqdm import tqdm

    from .nlp.chunking import pipe_docs

    # Long texts go through in chunks and come back as one Doc (never E088, bounded memory).
    docs = ((article, doc, linker) for doc, (article, _, linker) in pipe_docs(nlp, items(), batch_size=32,
                                                                              prepare=prepare))
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


def document_results(nlp, articles: Iterable[Article], *, include_text: bool = True,
                     progress: bool | None = None) -> Iterable[DocumentResult]:
    """Articles (a list or any iterator) -> Docs (the pipeline links entities and finds
    events) -> one DocumentResult per article, in order. Streams: no batch of Docs or
    articles is held. Every engine makes its results with this function."""
    if progress is None:
        progress = isinstance(articles, list) and len({article.source for article in articles}) > 1
    for article, doc, linker in _annotate(nlp, articles, progress):
        record, doc_roles = document_record(article, doc, linker, include_text=include_text)
        yield DocumentResult(record, doc._.events, doc_roles, list(linker.entities.values()),
                             article.file or article.source)


def graph_of_articles(nlp, articles: Iterable[Article], *, include_text: bool = True,
                      progress: bool | None = None, timings: dict | None = None) -> nx.MultiDiGraph:
    """Articles -> the graph, in memory (`kg.graph_of`; `kg build` writes shards instead).
    Seconds spent go to `timings` ("nlp": the pipeline and each Doc's record, "graph")."""
    timings = {} if timings is None else timings
    clock = time.perf_counter()
    entities: dict = {}
    records, events, roles = [], [], []
    for result in document_results(nlp, articles, include_text=include_text, progress=progress):
        merge_entities(entities, result.entities)
        records.append(result.record)
        events += result.events
        roles += result.roles
    finish_names(entities)
    timings["nlp"] = time.perf_counter() - clock
    clock = time.perf_counter()
    graph = build_graph(records, entities, events, roles, include_text=include_text)
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


def _report(inputs, sink: ResultSink, skipped, graph: nx.MultiDiGraph | None, timings,
            max_graph_elements: int) -> dict:
    """report.json. Without a graph (too large, or no document) the counts come from the
    shards, edges as an upper bound (an edge repeated in several documents counts each time)."""
    if graph is not None:
        kinds = Counter(d.get("kind") for _, d in graph.nodes(data=True))
        labels = Counter(d["label"] for _, d in graph.nodes(data=True) if d.get("kind") == "Entity")
        event_types = Counter(d["type"] for _, d in graph.nodes(data=True) if d.get("kind") == "Event")
        edge_types = Counter(d["type"] for *_, d in graph.edges(data=True))
        counts = {"entities": kinds.get("Entity", 0), "events": kinds.get("Event", 0),
                  "documents": kinds.get("Document", 0), "edges": graph.number_of_edges(),
                  "entities_by_label": dict(sorted(labels.items())),
                  "events_by_type": dict(sorted(event_types.items())),
                  "edges_by_type": dict(sorted(edge_types.items()))}
        status = {"written": True, "elements": graph.number_of_nodes() + graph.number_of_edges()}
    elif sink.documents:
        counts = sink.counts()
        bound = sink.elements_at_most()
        status = {"written": False, "elements_at_most": bound,
                  "reason": f"graph of up to {bound:,} nodes + edges is over --max-graph-elements "
                            f"{max_graph_elements:,}: graph.json, GraphML, GEXF and CSV not written; "
                            f"the results are in {SHARDS_FOLDER}/ (Parquet)"}
    else:
        counts = ResultSink.counts_of_nothing()
        status = {"written": False, "elements": 0, "reason": "no document"}
    status["max_graph_elements"] = max_graph_elements
    return {
        "format": FORMAT,
        "inputs": [printable(p) for p in inputs],
        "files_read": len(sink.files),
        "documents": sink.documents,
        "documents_by_kind": dict(sink.by_kind),
        "skipped": skipped,
        "counts": counts,
        "graph": status,
        "shards": {"folder": SHARDS_FOLDER, "shards": sink.shards, "rows": dict(sink.rows)},
        # files for `kg load --bulk` (none when a document id repeats: it then writes them from the graph)
        "neo4j_import": {"folder": IMPORT_FOLDER, "written": sink.import_manifest is not None},
        "seconds": {k: round(v, 3) for k, v in timings.items()},
    }


def _write(graph: nx.MultiDiGraph | None, report: dict, folder: Path) -> None:
    from .readwrite import write_all

    if graph is not None:
        write_all(graph, folder)
    (folder / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
