"""`kg build --engine ray`: the pipeline on a Ray cluster (or a local Ray), via Ray Data.

Why: at about 12k characters/s per core, an archive of GBs needs many cores, and on
more than one machine. Ray Data streams the work with backpressure, so no stage holds
the corpus: the input files are a Dataset (one item per file), each file is read in a
task (`kg.ingest.file_pages`: bad files and rows are reported exactly as locally) that
yields its pages in small blocks (one large archive is shared by all actors), the pages
go in batches to an actor pool whose actors load the pipeline once, and each
batch comes back as its DocumentResults. The driver takes them in input order and hands
them to the same code as the local engine (`kg.build.finish_build`: entity merge,
shards, graph files), so both engines give the same graph. Each article links into its
own entity table, so where it was linked does not matter.
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
import time

from ..build import EngineError, document_results, finish_build
from ..ingest import _check_date, empty_folders, file_pages, iter_input_files

PAGES_PER_BATCH = 16  # pages (a .txt file or an archive row) an actor gets at a time
PAGES_PER_BLOCK = 256  # pages of one input file per Ray block: the unit the actors share
MAX_BLOCK_BYTES = 256 << 10  # Ray Data merges smaller outputs into blocks of this size (default 128 MB)


def _import_ray():
    try:
        import ray
        import ray.data  # noqa: F401 - the extra installs both
    except ImportError:
        raise EngineError("--engine ray needs Ray: pip install 'kg[ray]' (ray[data])") from None
    return ray


def read_file(batch, date: str | None, columns, pages_per_block: int = PAGES_PER_BLOCK):
    """A Ray task per input file (a batch of one row): its pages, each with the problems
    met before it, yielded in blocks of `pages_per_block` so that the actors share one
    large archive and the task never holds it whole; a last row carries the problems met
    after the last page (or the file's own)."""
    import pyarrow as pa

    (index,), (path,) = batch.column("index").to_pylist(), batch.column("path").to_pylist()
    skipped: list[dict] = []
    pages: list[bytes] = []
    problems: list[bytes] = []

    def block():
        table = pa.table({"file": pa.array([index] * len(pages), pa.int64()),
                          "page": pa.array(pages, pa.binary()), "skipped": pa.array(problems, pa.binary())})
        pages.clear()
        problems.clear()
        return table

    for page in file_pages(path, date, columns, skipped):
        pages.append(pickle.dumps(page))
        problems.append(pickle.dumps(skipped[:]))
        skipped.clear()
        if len(pages) >= pages_per_block:
            yield block()
    pages.append(b"")
    problems.append(pickle.dumps(skipped))
    yield block()


class PipelineActor:
    """Loads the pipeline once; turns a batch of pages into their DocumentResults (one row per page)."""

    def __init__(self, model: str | None, include_text: bool):
        from ..nlp.pipeline import load_pipeline

        self.nlp = load_pipeline(model)
        gc.freeze()  # the pipeline's tables live as long as the actor
        self.include_text = include_text

    def __call__(self, batch):
        import pyarrow as pa

        pages = [pickle.loads(page) if page else [] for page in batch.column("page").to_pylist()]
        articles = [article for page in pages for article in page]
        results = list(document_results(self.nlp, articles, include_text=self.include_text, progress=False))
        out, at = [], 0
        for page in pages:
            out.append(pickle.dumps(results[at:at + len(page)]))
            at += len(page)
        return pa.table({"results": pa.array(out, pa.binary()), "skipped": batch.column("skipped")})


class RayEngine:
    """`address`: a cluster (ray://HOST:PORT, auto) or None for a local Ray of `workers` CPUs."""

    def __init__(self, address: str | None = None, workers: int | None = None,
                 pages_per_batch: int = PAGES_PER_BATCH):
        self.address = address
        self.workers = workers
        self.pages_per_batch = pages_per_batch

    def _connect(self, ray) -> bool:
        """Joins or starts Ray; True when this call started it (and must shut it down)."""
        if ray.is_initialized():
            return False
        try:
            if self.address:
                ray.init(address=self.address, log_to_driver=False, logging_level="ERROR")
            else:
                # "local": a new Ray of our own, even if `ray start` ran on this machine
                ray.init(address="local", num_cpus=self.workers or os.cpu_count(), include_dashboard=False,
                         log_to_driver=False, logging_level="ERROR")
        except Exception as exc:  # noqa: BLE001 - ConnectionError, RuntimeError, ...
            hint = ("; a cluster with token authentication (the default of `ray start` since Ray 2.59) "
                    "needs RAY_AUTH_MODE=token and its token (~/.ray/auth_token or RAY_AUTH_TOKEN)"
                    if self.address and self.address != "auto" else "")
            raise EngineError(f"cannot start or join Ray{f' at {self.address}' if self.address else ''}: "
                              f"{_first_line(exc)}{hint}") from None
        return True

    def build(self, inputs, output, *, date, model, include_text, columns, max_graph_elements,
              shard_documents) -> dict:
        ray = _import_ray()
        date = _check_date(date)  # a bad --date is refused before Ray starts
        timings: dict[str, float] = {}
        clock = time.perf_counter()
        skipped = empty_folders(inputs)
        files = iter_input_files(inputs)
        timings["ingest"] = time.perf_counter() - clock
        started = self._connect(ray)
        try:
            workers = self.workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
            context = ray.data.DataContext.get_current()
            context.execution_options.preserve_order = True  # results come back in input order
            context.target_max_block_size = MAX_BLOCK_BYTES
            context.enable_progress_bars = False
            context.print_on_execution_start = False
            logging.getLogger("ray.data").setLevel(logging.WARNING)  # one line per dataset run otherwise
            logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)  # "bars disabled"
            items = [{"index": i, "path": path} for i, path in enumerate(files)]
            clock = time.perf_counter()
            results = self._results(ray, items, skipped, model, include_text, workers, date, columns)
            return finish_build(inputs, output, results, skipped, timings, clock, include_text=include_text,
                                max_graph_elements=max_graph_elements, shard_documents=shard_documents)
        finally:
            if started:
                ray.shutdown()

    def _results(self, ray, items, skipped, model, include_text, workers, date, columns):
        if not items:
            return
        # Reading takes no CPU of its own (it is light next to the NLP, and a reservation
        # could starve it while the actors hold every CPU); at most `workers` tasks, one per file.
        dataset = (ray.data.from_items(items, override_num_blocks=len(items))
                   .map_batches(read_file, fn_kwargs={"date": date, "columns": columns}, batch_size=1,
                                batch_format="pyarrow", num_cpus=0,
                                compute=ray.data.TaskPoolStrategy(size=min(workers, len(items))))
                   .map_batches(PipelineActor, fn_constructor_kwargs={"model": model, "include_text": include_text},
                                batch_size=self.pages_per_batch, batch_format="pyarrow",
                                compute=ray.data.ActorPoolStrategy(size=workers, max_tasks_in_flight_per_actor=2),
                                num_cpus=1))
        try:
            for batch in dataset.iter_batches(batch_format="pyarrow", batch_size=None):
                for results, problems in zip(batch.column("results").to_pylist(), batch.column("skipped").to_pylist()):
                    skipped += pickle.loads(problems)
                    yield from pickle.loads(results)
        except Exception as exc:  # noqa: BLE001 - a worker's error arrives wrapped in Ray's
            raise EngineError(f"the Ray build failed: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    cause = getattr(exc, "cause", None) or exc  # RayTaskError wraps the worker's exception
    text = f"{type(cause).__name__}: {cause}".strip()
    return text.splitlines()[0] if text else type(exc).__name__


__all__ = ["PipelineActor", "RayEngine", "read_file"]
