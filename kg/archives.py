"""Archive inputs: JSON Lines, CSV and Parquet files with one article per row.

Why: news archives come as exports of a database or a crawl (one record per article,
with its id, title and date), not as one text file per page. Each row is read lazily
(a corpus of millions of rows is never held), becomes one article (no page splitting:
the row already is one article; its text is normalised and reflowed like a page's, and
a dateline or byline opening it is read), and a bad row is reported as
`FILE:ROW` with its reason while the rest of the file goes on.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass
from typing import Any, Iterator

ARCHIVE_SUFFIXES = (".jsonl", ".ndjson", ".csv", ".parquet")
PARQUET_BATCH_ROWS = 256  # rows decoded at a time: a batch, not the file, is in memory
ISO_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.+\-Z]*)?")


@dataclass(frozen=True)
class Columns:
    """Which column of a row holds what (`kg build --text-column` etc.)."""

    text: str = "text"
    id: str = "id"
    title: str = "title"
    date: str = "date"
    source: str = "source"


class RowError(Exception):
    """A row that cannot be an article; `where` is FILE:ROW, str() is the reason."""

    def __init__(self, where: str, reason: str):
        super().__init__(reason)
        self.where, self.reason = where, reason


def is_archive(path: str) -> bool:
    return os.fspath(path).lower().endswith(ARCHIVE_SUFFIXES)


# ---------------------------------------------------------------- rows of each format
def iter_rows(path: str, source: str, columns: Columns) -> Iterator[tuple[int, Any]]:
    """(row number, row dict or RowError) for every row; row numbers are the file's line
    numbers for JSON Lines and CSV (the first line of a record), 1-based rows for Parquet.
    A file that cannot be read at all raises InputError."""
    suffix = os.fspath(path).lower().rsplit(".", 1)[-1]
    reader = {"jsonl": _jsonl_rows, "ndjson": _jsonl_rows, "csv": _csv_rows, "parquet": _parquet_rows}[suffix]
    yield from reader(path, source, columns)


def _jsonl_rows(path, source, columns):
    from .ingest import InputError

    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise InputError(source, f"cannot read: {exc.strerror or exc}") from None
    with handle:
        for number, raw in enumerate(handle, 1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            try:
                row = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                yield number, RowError(f"{source}:{number}", "not UTF-8 text")
                continue
            except json.JSONDecodeError as exc:
                yield number, RowError(f"{source}:{number}", f"not JSON ({exc.msg} at column {exc.colno})")
                continue
            if not isinstance(row, dict):
                yield number, RowError(f"{source}:{number}", f"not a JSON object but {type(row).__name__}")
                continue
            yield number, row


def _csv_encoding(path) -> str:
    """UTF-8 (with or without BOM) when the file's start is UTF-8, else GB18030 (spreadsheets
    saved on Chinese Windows)."""
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not a character cut at the end of the sample
            return "gb18030"
    return "utf-8-sig"


def _csv_rows(path, source, columns):
    from .ingest import InputError

    try:
        encoding = _csv_encoding(path)
        handle = open(path, encoding=encoding, newline="")
    except OSError as exc:
        raise InputError(source, f"cannot read: {exc.strerror or exc}") from None
    csv.field_size_limit(1 << 30)  # an article is one field: far beyond csv's 128 kB default
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise InputError(source, "empty CSV file (no header row)") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(source, f"unreadable CSV header: {exc}") from None
        header = [name.strip() for name in header]
        if columns.text not in header:
            raise InputError(source, f"no text column {columns.text!r} (columns: {', '.join(header)}); "
                                     "see --text-column")
        number = reader.line_num + 1
        while True:
            try:
                values = next(reader)
            except StopIteration:
                break
            except (csv.Error, UnicodeDecodeError) as exc:
                yield number, RowError(f"{source}:{number}", f"unreadable CSV row: {exc}")
                number = reader.line_num + 1
                continue
            if values:
                if len(values) > len(header):
                    yield number, RowError(f"{source}:{number}",
                                           f"{len(values)} fields but the header names {len(header)}")
                else:
                    yield number, dict(zip(header, values))
            number = reader.line_num + 1


def _parquet_rows(path, source, columns):
    from .ingest import InputError

    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(source, "reading Parquet needs pyarrow (pip install pyarrow)") from None
    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds for a bad file
        raise InputError(source, f"not a Parquet file: {exc}") from None
    names = parquet.schema_arrow.names
    if columns.text not in names:
        raise InputError(source, f"no text column {columns.text!r} (columns: {', '.join(names)}); see --text-column")
    wanted = [name for name in dict.fromkeys(
        (columns.text, columns.id, columns.title, columns.date, columns.source)) if name in names]
    number = 0
    for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=wanted):
        for row in batch.to_pylist():
            number += 1
            yield number, row


# ---------------------------------------------------------------- a row -> an article
def _optional_text(row: dict, column: str, what: str, allow_number: bool = False) -> str | None:
    value = row.get(column)
    if value is None or value == "":
        return None
    if allow_number and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ValueError(f"{what} column {column!r} is {type(value).__name__}, not text")
    return value.strip() or None


def _row_date(value: Any, column: str) -> str | None:
    """ISO date of a date cell: YYYY-MM-DD, an ISO timestamp, or a date/timestamp value."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        m = ISO_DATE_RE.fullmatch(value.strip())
        if m:
            try:
                return dt.date(*map(int, m.groups())).isoformat()
            except ValueError:
                pass
    raise ValueError(f"bad date in column {column!r}: {value!r} (want YYYY-MM-DD)")


def article_from_row(row: dict, file_source: str, number: int, columns: Columns, date: str | None):
    """One Article of a row; ValueError with the reason when the row cannot be one.

    Id: the row's id when it has one (stable across re-exports of the same archive),
    else its row number and text; both hashed with the file's name like a page's articles."""
    from .ingest import NOTE_RE, Article, _open_article, _year_hint, normalise, reflow

    if columns.text not in row:
        raise ValueError(f"no text column {columns.text!r}")
    text = row[columns.text]
    if not isinstance(text, str):
        raise ValueError(f"text column {columns.text!r} is {type(text).__name__ if text is not None else 'null'}, "
                         "not text")
    paragraphs = reflow(NOTE_RE.sub("", normalise(text)))
    if not paragraphs:
        raise ValueError("empty text")
    row_id = _optional_text(row, columns.id, "id", allow_number=True)
    title = _optional_text(row, columns.title, "title")
    publisher = _optional_text(row, columns.source, "source")
    row_date = _row_date(row.get(columns.date), columns.date)

    opening = _open_article(paragraphs[0], None)  # 本报讯（记者…）: dateline, date and bylines
    body = "\n".join([opening.text, *paragraphs[1:]]).strip()
    if not body:
        raise ValueError("no article text (only a dateline or byline)")
    article_date = row_date or opening.date or date
    name = os.path.basename(file_source)
    key = f"{name}\x1fid\x1f{row_id}" if row_id is not None else f"{name}\x1frow\x1f{number}\x1f{body}"
    digest = hashlib.sha1(key.encode()).hexdigest()[:16]
    return Article(f"doc:{digest}", f"{file_source}:{number}", number, "article",
                   normalise(" ".join(title.split())) if title else "", article_date, opening.dateline, body,
                   list(dict.fromkeys(opening.bylines)),
                   int(article_date[:4]) if article_date else _year_hint(body),
                   normalise(publisher) if publisher and _names_publisher(publisher) else None,
                   file=file_source, external_id=row_id)


def _names_publisher(value: str) -> bool:
    """A source cell names an outlet (某某日报), not a URL or a code: it becomes the 来源 line."""
    from .ingest import HAN

    return len(value) <= 30 and re.search(f"[{HAN}]", value) is not None and "://" not in value


def iter_archive(path: str, source: str, columns: Columns, date: str | None, skipped: list[dict]):
    """Articles of an archive file, one per good row; bad rows go to `skipped` as
    {'source': 'FILE:ROW', 'reason': ...}. Raises InputError when the file is unreadable."""
    seen_ids: set[str] = set()  # ids of this file: a repeated id would merge two documents
    for number, row in iter_rows(path, source, columns):
        if isinstance(row, RowError):
            skipped.append({"source": row.where, "reason": row.reason})
            continue
        try:
            article = article_from_row(row, source, number, columns, date)
        except ValueError as exc:
            skipped.append({"source": f"{source}:{number}", "reason": str(exc)})
            continue
        if article.id in seen_ids:
            skipped.append({"source": f"{source}:{number}",
                            "reason": f"duplicate id {article.external_id!r} (seen before in this file)"})
            continue
        seen_ids.add(article.id)
        yield article


__all__ = ["ARCHIVE_SUFFIXES", "Columns", "RowError", "article_from_row", "is_archive", "iter_archive", "iter_rows"]
