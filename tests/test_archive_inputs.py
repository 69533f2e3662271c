"""Archive inputs (JSON Lines, CSV, Parquet: one article per row) on real files written here:
each format, each kind of bad row, a mixed batch, lazy reading, and a build through the pipeline."""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kg.archives import Columns
from kg.ingest import iter_input_files, iter_pages, load_documents

ROOT = Path(__file__).resolve().parents[1]

# Invented press-release texts of the genre (names and places made up for the tests).
ROWS = [
    {"id": "a-101", "title": "青禾县召开秋季防火工作部署会",
     "date": "2024-10-09", "source": "青禾日报",
     "text": "本报讯（记者林书远 通讯员郑可欣）10月8日，青禾县召开秋季森林防火工作部署会。\n"
             "副县长韩立峰出席会议并讲话。"},
    {"id": 102, "title": "", "date": "2024-10-10T08:30:00",
     "text": "10月9日，白塘镇人民政府组织开展安全生产专项检查，\n共排查隐患十二处。"},
    {"text": "近日，云溪市市场监督管理局发布《云溪市食品安全示范街区创建方案》。"},
]


def write_jsonl(path: Path, rows, extra_lines=()) -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in rows] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_csv(path: Path, rows, encoding="utf-8", fields=("id", "title", "date", "source", "text")) -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(fields), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_parquet(path: Path, table: pa.Table) -> Path:
    pq.write_table(table, path)
    return path


def test_jsonl_rows_are_articles_with_their_columns(tmp_path):
    path = write_jsonl(tmp_path / "archive.jsonl", ROWS)
    articles, skipped = load_documents([str(path)])
    assert skipped == []
    first, second, third = articles
    assert first.source == f"{path}:1" and first.file == str(path) and first.external_id == "a-101"
    assert first.title == "青禾县召开秋季防火工作部署会" and first.date == "2024-10-09"
    assert first.publisher == "青禾日报" and first.dateline == "本报讯"
    assert [(b.name, b.role) for b in first.bylines] == [("林书远", "记者"), ("郑可欣", "通讯员")]
    assert first.text.startswith("10月8日，青禾县") and "林书远" not in first.text
    assert second.external_id == "102" and second.date == "2024-10-10" and second.title == ""
    assert second.text == "10月9日，白塘镇人民政府组织开展安全生产专项检查，共排查隐患十二处。"  # reflowed
    assert third.date is None and third.external_id is None and third.source == f"{path}:3"
    assert len({a.id for a in articles}) == 3


def test_ids_follow_the_row_id_not_the_row_order(tmp_path):
    once = {a.external_id: a.id for a in load_documents([str(write_jsonl(tmp_path / "x.jsonl", ROWS[:2]))])[0]}
    (tmp_path / "again").mkdir()
    again = load_documents([str(write_jsonl(tmp_path / "again" / "x.jsonl", ROWS[1::-1]))])[0]
    assert {a.external_id: a.id for a in again} == once


def test_bad_jsonl_rows_are_reported_with_their_line_and_the_rest_goes_on(tmp_path):
    good = {"text": "11月2日，东岚区召开河长制工作推进会。"}
    lines = [json.dumps(good, ensure_ascii=False),
             '{"text": "未闭合',                                     # 2 not JSON
             '["一个", "列表"]',                                       # 3 not an object
             json.dumps({"body": "没有正文列"}, ensure_ascii=False),   # 4 no text column
             json.dumps({"text": None}),                               # 5 null text
             json.dumps({"text": 42}),                                 # 6 a number
             json.dumps({"text": "  \n "}),                            # 7 empty text
             json.dumps({"text": "东岚区开展文明创建。", "date": "2024-13-40"}),  # 8 bad date
             json.dumps({"text": "东岚区开展文明创建。", "date": "上周"}),        # 9 bad date
             json.dumps({"text": "东岚区开展文明创建。", "title": ["x"]}),       # 10 title not text
             "",                                                       # 11 blank: no row
             json.dumps({"id": "k1", "text": "东岚区开展文明创建。"}, ensure_ascii=False),
             json.dumps({"id": "k1", "text": "东岚区开展植树活动。"}, ensure_ascii=False),  # 13 duplicate id
             json.dumps({"text": "11月3日，东岚区举行消防演练。"}, ensure_ascii=False)]
    path = tmp_path / "rows.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8") + b"\n\xff\xfe{}\n")  # 15 not UTF-8
    articles, skipped = load_documents([str(path)])
    assert [a.source for a in articles] == [f"{path}:1", f"{path}:12", f"{path}:14"]
    reasons = {int(s["source"].rsplit(":", 1)[1]): s["reason"] for s in skipped}
    assert all(s["source"].startswith(f"{path}:") for s in skipped)
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 15]
    assert reasons[2].startswith("not JSON") and "not a JSON object" in reasons[3]
    assert "no text column 'text'" in reasons[4] and "null" in reasons[5] and "int" in reasons[6]
    assert reasons[7] == "empty text" and "bad date" in reasons[8] and "上周" in reasons[9]
    assert "title" in reasons[10] and "duplicate id 'k1'" in reasons[13] and "UTF-8" in reasons[15]


def test_csv_with_multiline_fields_gbk_and_bad_rows(tmp_path):
    rows = [dict(ROWS[0]), {"id": "c2", "text": "白塘镇开展\n防汛演练，\n检验应急预案。", "date": "2024-06-01"},
            {"id": "c3", "text": "", "date": ""}, {"id": "c4", "text": "白塘镇召开会议。", "date": "6/1/2024"}]
    path = write_csv(tmp_path / "feed.csv", rows)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("c5,标题,2024-06-02,,白塘镇表彰先进。,多出一列\n")
    articles, skipped = load_documents([str(path)])
    assert [a.external_id for a in articles] == ["a-101", "c2"]
    assert articles[1].source == f"{path}:4" and articles[1].text == "白塘镇开展防汛演练，检验应急预案。"
    # row numbers are the line a record starts on (row c2 spans three lines)
    assert [(s["source"], s["reason"].split(" (")[0]) for s in skipped] == [
        (f"{path}:7", "empty text"), (f"{path}:8", "bad date in column 'date': '6/1/2024'"),
        (f"{path}:9", "6 fields but the header names 5")]
    gbk = write_csv(tmp_path / "gbk.csv", [ROWS[2]], encoding="gb18030")
    (article,), none = load_documents([str(gbk)])
    assert none == [] and article.text == ROWS[2]["text"]


def test_custom_columns_and_a_file_without_the_text_column(tmp_path):
    path = write_csv(tmp_path / "custom.csv", [{"正文": ROWS[2]["text"], "编号": "z9", "发布日期": "2024-01-05"}],
                     fields=("编号", "发布日期", "正文"))
    articles, skipped = load_documents([str(path)])
    assert articles == [] and skipped == [{"source": str(path),
                                           "reason": "no text column 'text' (columns: 编号, 发布日期, 正文); see --text-column"}]
    columns = Columns(text="正文", id="编号", date="发布日期")
    (article,), skipped = load_documents([str(path)], columns=columns)
    assert skipped == [] and article.external_id == "z9" and article.date == "2024-01-05"


def test_parquet_with_typed_columns_and_bad_rows(tmp_path):
    table = pa.table({
        "doc_id": pa.array(["p1", "p2", "p3", None]),
        "body": pa.array([ROWS[0]["text"], None, ROWS[2]["text"], "东岚区举行消防演练。"]),
        "pub_date": pa.array([dt.date(2024, 10, 9), dt.date(2024, 10, 10), None, dt.date(2023, 2, 1)], pa.date32()),
        "unused": pa.array([1, 2, 3, 4]),
    })
    path = write_parquet(tmp_path / "dump.parquet", table)
    columns = Columns(text="body", id="doc_id", date="pub_date")
    articles, skipped = load_documents([str(path)], date="2020-05-05", columns=columns)
    assert [(a.source, a.external_id, a.date) for a in articles] == [
        (f"{path}:1", "p1", "2024-10-09"), (f"{path}:3", "p3", "2020-05-05"), (f"{path}:4", None, "2023-02-01")]
    assert skipped == [{"source": f"{path}:2", "reason": "text column 'body' is null, not text"}]
    missing = load_documents([str(path)])[1]
    assert missing[0]["source"] == str(path) and "no text column 'text'" in missing[0]["reason"]


def test_mixed_batch_folder_with_broken_files(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a_page.txt").write_text("本报讯 3月2日，青禾县人民政府召开常务会议，研究部署春耕生产工作。", encoding="utf-8")
    write_jsonl(folder / "b.jsonl", ROWS[:2], extra_lines=["不是JSON"])
    write_csv(folder / "sub" / "c.csv", [ROWS[2]])
    write_parquet(folder / "sub" / "d.parquet", pa.table({"text": ["白塘镇开展防汛演练。"], "id": ["d1"]}))
    (folder / "e_broken.parquet").write_bytes(b"PAR1 not really")
    (folder / "f_empty.csv").write_text("", encoding="utf-8")
    (folder / "notes.md").write_text("# 说明", encoding="utf-8")
    assert [Path(p).name for p in iter_input_files([str(folder)])] == [
        "a_page.txt", "b.jsonl", "e_broken.parquet", "f_empty.csv", "c.csv", "d.parquet"]
    articles, skipped = load_documents([str(folder)])
    assert [Path(a.file or a.source).name for a in articles] == ["a_page.txt", "b.jsonl", "b.jsonl", "c.csv", "d.parquet"]
    reasons = {Path(s["source"]).name: s["reason"] for s in skipped}
    assert set(reasons) == {"b.jsonl:3", "e_broken.parquet", "f_empty.csv"}
    assert reasons["e_broken.parquet"].startswith("not a Parquet file") and "empty CSV" in reasons["f_empty.csv"]


def test_rows_are_read_lazily(tmp_path):
    """The first page comes before later rows are parsed: a bad last row is not yet reported."""
    path = write_jsonl(tmp_path / "lazy.jsonl", ROWS, extra_lines=["{broken"])
    skipped: list[dict] = []
    pages = iter_pages([str(path)], skipped=skipped)
    assert len(next(pages)) == 1 and skipped == []
    assert len(list(pages)) == 2 and [s["source"] for s in skipped] == [f"{path}:4"]


def test_kg_build_of_a_mixed_batch_reports_bad_rows_and_keeps_ids(tmp_path):
    """Through the command line, with the archive's own column names."""
    names = {"text": "正文", "id": "编号", "title": "标题", "date": "日期"}
    renamed = [{names.get(k, k): v for k, v in row.items()} for row in ROWS]
    folder = tmp_path / "in"
    folder.mkdir()
    write_jsonl(folder / "feed.jsonl", renamed[:2], extra_lines=['{"正文": 7}'])
    write_csv(folder / "feed.csv", renamed[2:], fields=("正文",))
    (folder / "page.txt").write_text("本报讯 3月2日，青禾县人民政府召开常务会议，研究部署春耕生产工作。", encoding="utf-8")
    options = [f"--{key}-column={value}" for key, value in names.items()]
    result = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(folder), "-o", str(tmp_path / "out"),
                             "--no-text", *options], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stderr
    assert f"kg build: skipped {folder / 'feed.jsonl'}:3: text column '正文' is int, not text" in result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["documents"] == 4 and report["files_read"] == 3
    assert report["skipped"] == [{"source": f"{folder / 'feed.jsonl'}:3", "reason": "text column '正文' is int, not text"}]
    graph = json.loads((tmp_path / "out" / "graph.json").read_text(encoding="utf-8"))
    documents = {n["id"]: n for n in graph["nodes"] if n["kind"] == "Document"}
    expected = {a.id: a for a in load_documents([str(folder)], columns=Columns(**names))[0]}
    assert set(documents) == set(expected)
    assert all("text" not in n for n in documents.values())
    by_external = {n.get("external_id"): n for n in documents.values()}
    assert by_external["a-101"]["date"] == "2024-10-09" and by_external["a-101"]["source"] == f"{folder / 'feed.jsonl'}:1"
    assert by_external["a-101"]["title"] == "青禾县召开秋季防火工作部署会"
    names_found = {n["name"] for n in graph["nodes"] if n["kind"] == "Entity"}
    assert {"林书远", "青禾县"} <= names_found
