"""The `kg` command line as users run it (real subprocesses)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def kg(*args, stdin=None, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], input=stdin, capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def test_help_lists_commands():
    result = kg("--help")
    assert result.returncode == 0
    for command in ("build", "ner", "load"):
        assert command in result.stdout


def test_ner_jsonl_offsets_and_order():
    lines = ["南京日报讯（记者陈晓东）今年以来，南京市人社局大力加强社会保障体系建设。", "", "北京市朝阳区人民政府印发《垃圾分类工作实施方案》。"]
    result = kg("ner", "-", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["text"] for r in records] == lines
    for record in records:
        for ent in record["entities"]:
            assert record["text"][ent["start"]:ent["end"]] == ent["text"]
            assert ent["label"] in ("PERSON", "PLACE", "AGENCY", "ORG", "PROGRAM")
    found = {(e["text"], e["label"]) for e in records[0]["entities"]}
    assert {("陈晓东", "PERSON"), ("南京市人社局", "AGENCY"), ("南京日报", "ORG")} <= found
    assert ("垃圾分类工作实施方案", "PROGRAM") in {(e["text"], e["label"]) for e in records[2]["entities"]}


def test_ner_missing_file_is_a_clear_error(tmp_path):
    result = kg("ner", str(tmp_path / "nope.txt"))
    assert result.returncode == 2 and "nope.txt" in result.stderr and "Traceback" not in result.stderr


def test_build_reports_bad_files_on_stderr(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"\x00\xff" * 50)
    (tmp_path / "ok.txt").write_text("本报讯 8月5日，苏州市人民政府召开新闻发布会。", encoding="utf-16")
    result = kg("build", str(tmp_path), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "bad.txt" in result.stderr and "Traceback" not in result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["documents"] == 1 and report["skipped"][0]["source"].endswith("bad.txt")


def test_build_with_nothing_readable_fails(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"")
    result = kg("build", str(tmp_path / "bad.txt"), "-o", str(tmp_path / "out"))
    assert result.returncode == 1 and "bad.txt" in result.stderr


def test_build_with_a_missing_model_is_a_clear_error(tmp_path):
    result = kg("build", "seeds", "-o", str(tmp_path / "out"), "--model", str(tmp_path / "no-model"))
    assert result.returncode == 2 and "no-model" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
