"""The `kg` command line as users run it (real subprocesses)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def kg(*args, stdin=None, cwd=ROOT, timeout=300):
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], input=stdin, capture_output=True,
                          text=True, cwd=cwd, timeout=timeout)


def test_help_lists_commands():
    result = kg("--help")
    assert result.returncode == 0
    for command in ("build", "ner", "load"):
        assert command in result.stdout


@pytest.mark.parametrize("args", [["--help"], ["load", "--help"], ["neo4j", "--help"]])
def test_commands_that_need_no_nlp_start_without_importing_spacy(args):
    """Only the named command's module is imported: `kg load` and `kg --help` do not
    pay the second spaCy takes to import."""
    code = ("import sys\nfrom kg.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "print('spacy' in sys.modules, file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.stdout.startswith("usage: kg")
    assert result.stderr.strip().splitlines()[-1] == "False"


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


def test_ner_gives_one_line_per_input_line_whatever_the_bytes(tmp_path):
    """Lines end at \\n only; bad UTF-8 is replaced and reported with its line; stdin and file alike."""
    lines = ["市长李华出席。\r内容", "第二行\u2028王明说\x85好\u2029", "苏州市政府\udcff召开会议", "", "末行\x0c"]
    data = "\n".join(lines).encode("utf-8", errors="surrogateescape") + b"\r\n"
    (tmp_path / "in.txt").write_bytes(data)
    for source, stdin in (("-", data), (str(tmp_path / "in.txt"), None)):
        result = subprocess.run([sys.executable, "-m", "kg.cli", "ner", source], input=stdin, capture_output=True,
                                cwd=ROOT, timeout=300)
        assert result.returncode == 0 and b"Traceback" not in result.stderr, result.stderr.decode()
        out = result.stdout.decode("utf-8")
        assert out.count("\n") == len(lines) and len(out.splitlines()) == len(lines)
        records = [json.loads(line) for line in out.splitlines()]
        assert [r["text"] for r in records] == [line.replace("\udcff", "\ufffd") for line in lines]
        assert ("李华", "PERSON") in {(e["text"], e["label"]) for e in records[0]["entities"]}
        (warning,) = result.stderr.decode().splitlines()
        assert warning.startswith(f"kg ner: {'<stdin>' if source == '-' else source}:3: not UTF-8")


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


# ---------------------------------------------------------------- hostile input and output folders
NEWS = "本报讯（记者周明远）5月6日，青禾县人民政府召开防汛工作会议，部署全县汛期安全工作。\n"


def tree(folder):
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None for p in sorted(folder.rglob("*"))}


def test_build_with_no_document_leaves_the_previous_output_byte_for_byte(tmp_path, seed_build):
    import shutil

    shutil.copytree(seed_build[2], tmp_path / "prev")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "bad.txt").write_bytes(b"\x00\xff" * 50)
    (tmp_path / "nothing").mkdir()
    before = tree(tmp_path)
    for inputs in (["does/not/exist.txt"], ["empty.txt"], ["nothing"], ["empty.txt", "bad.txt", "nothing"]):
        result = kg("build", *inputs, "-o", "prev", cwd=tmp_path)
        lines = result.stderr.splitlines()
        assert result.returncode == 1 and len(lines) == len(inputs) + 1, result.stderr
        assert all(line.startswith("kg build: skipped ") for line in lines[:-1])
        assert lines[-1] == "kg build: no document to build; prev left as it was"
        assert tree(tmp_path) == before


@pytest.mark.parametrize("inputs, outdir", [(["same"], "same"), (["same"], "."), (["same"], "same/a.txt"),
                                            (["same"], "/sys/kg-test-out"), (["same"], "same/a.txt/out")])
def test_build_refuses_a_bad_output_folder_in_one_line(tmp_path, inputs, outdir):
    (tmp_path / "same").mkdir()
    (tmp_path / "same" / "a.txt").write_text(NEWS, encoding="utf-8")
    (tmp_path / "same" / "notes.md").write_text("my notes", encoding="utf-8")
    before = tree(tmp_path)
    result = kg("build", *inputs, "-o", outdir, cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(f"kg build: {outdir}: "), result.stderr
    assert tree(tmp_path) == before


def test_special_files_are_skipped_and_never_hang_the_build(tmp_path):
    import os

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.txt").write_text(NEWS, encoding="utf-8")
    os.mkfifo(tmp_path / "in" / "pipe.txt")
    os.mkfifo(tmp_path / "fifo.txt")
    result = kg("build", "fifo.txt", "/dev/zero", "in", "-o", "out", cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["kg build: skipped fifo.txt: a FIFO (named pipe), not a regular file",
                                          "kg build: skipped /dev/zero: a character device, not a regular file",
                                          "kg build: skipped in/pipe.txt: a FIFO (named pipe), not a regular file"]
    assert json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))["documents"] == 1


def test_file_names_that_are_not_utf8_are_built_and_reported_escaped(tmp_path):
    import os

    import networkx as nx

    folder = os.fsencode(tmp_path / "in")
    os.mkdir(folder)
    with open(folder + b"/bad\xff\xfe.txt", "wb") as handle:
        handle.write(NEWS.encode("gb18030"))
    with open(folder + b"/empty\xfe.txt", "wb"):
        pass
    result = kg("build", os.fsdecode(folder + b"/bad\xff\xfe.txt"), "in", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.splitlines() == ["kg build: skipped in/empty\\xfe.txt: empty file (no text)"]
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["inputs"][0].endswith("in/bad\\xff\\xfe.txt") and report["files_read"] == 1
    graph = nx.read_graphml(tmp_path / "out" / "graph.graphml")
    assert [d["source"] for _, d in graph.nodes(data=True) if d.get("kind") == "Document"] == [report["inputs"][0]]


def test_a_second_build_into_a_folder_being_written_gets_one_line(tmp_path):
    import os

    from kg.outdir import OutputFolder

    (tmp_path / "a.txt").write_text(NEWS, encoding="utf-8")
    with OutputFolder(tmp_path / "out", []):
        result = kg("build", "a.txt", "-o", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == f"kg build: out: is being written by another kg build (pid {os.getpid()}); " \
                            f"wait for it or choose another folder\n"


def test_two_builds_into_the_same_folder_at_once(tmp_path):
    import subprocess
    import sys

    (tmp_path / "a.txt").write_text(NEWS, encoding="utf-8")
    command = [sys.executable, "-m", "kg.cli", "build", "a.txt", "-o", "out"]
    builds = [subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for _ in range(2)]
    results = [(b.wait(timeout=300), b.stderr.read()) for b in builds]
    assert 0 in [rc for rc, _ in results]
    for rc, stderr in results:
        assert rc == 0 or (rc == 2 and "is being written by another kg build (pid " in stderr and
                           len(stderr.splitlines()) == 1), stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "out"]
    assert json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))["documents"] == 1


def test_a_terminated_build_leaves_nothing_behind(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    (tmp_path / "a.txt").write_text(NEWS, encoding="utf-8")
    build = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", "a.txt", "-o", "out"], cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(600):  # the lock file says the build has started
        if (tmp_path / ".out.lock").exists() or build.poll() is not None:
            break
        time.sleep(0.1)
    build.send_signal(signal.SIGTERM)
    assert build.wait(timeout=120) == 128 + signal.SIGTERM
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
