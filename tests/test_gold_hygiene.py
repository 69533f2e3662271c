"""The gold files are checks, never a lexicon: no name or long phrase from the sample page's
gold or the real-news gold may appear in the project's code, patterns, data or tests.

Generic words (市委, 召开, 人民政府办公室) are the genre's vocabulary and stay allowed; what is
checked is every person's name, every real-news programme name of five characters or more, and every
expected name or object that holds one of the gold's place names or is nine characters or more.
The sample page itself (seeds/) is input, and README/docs may describe what it yields."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
GOLD_FILES = [SHARED / "gold" / "seed_gold.json", SHARED / "realnews" / "gold.json"]
CHECKED_DIRS = ("kg", "pipelines", "tests", "benchmarks", "notebooks", "neo4j", "gephi", ".ci")
CHECKED_SUFFIXES = {".py", ".txt", ".json", ".jsonl", ".cfg", ".yml", ".yaml", ".tsv", ".csv", ".ipynb",
                    ".cypher", ".grass", ".toml", ".md"}
LONG = 9


def gold_documents() -> list[dict]:
    documents = []
    for path in GOLD_FILES:
        if not path.exists():
            pytest.skip(f"{path} is not here (gold files live outside the repository)")
        data = json.loads(path.read_text(encoding="utf-8"))
        documents += ([{**doc, "real_news": True} for doc in data["documents"].values()]
                      if "documents" in data else [data])
    return documents


def protected_strings(documents: list[dict]) -> set[str]:
    entities = [e for doc in documents for e in doc.get("entities", [])]
    places = {e["key"] for e in entities if "PLACE" in e["labels"] and len(e["key"]) >= 2}
    people = {e["key"] for e in entities if "PERSON" in e["labels"]}
    people |= {role["person"] for doc in documents for role in doc.get("roles", [])}
    names = [e["key"] for e in entities] + [e.get("object", "") for doc in documents for e in doc.get("events", [])]
    specific = {n for n in names if len(n) >= LONG or (n not in places and any(p in n for p in places))}
    # Programme names of the real news (the sample page's own headlines are quoted by the
    # ingest tests of that page, which is the project's sample input).
    specific |= {e["key"] for doc in documents if doc.get("real_news") for e in doc.get("entities", [])
                 if "PROGRAM" in e["labels"] and len(e["key"]) >= 5}
    return people | specific


def _not_ignored(paths: list[Path]) -> set[Path]:
    """The paths git does not ignore (recipe corpora and training runs are research data,
    kept out of the repository by .gitignore); all of them outside a git checkout."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        return set(paths)
    kept = {ROOT / name for name in listed if name}
    return {path for path in paths if path in kept}


def project_files():
    for folder in CHECKED_DIRS:
        candidates = [path for path in sorted((ROOT / folder).rglob("*"))
                      if path.is_file() and path.suffix in CHECKED_SUFFIXES and path != Path(__file__)]
        kept = _not_ignored(candidates)
        yield from (path for path in candidates if path in kept)
    yield ROOT / "pyproject.toml"
    yield ROOT / "Makefile"


def test_the_check_covers_both_gold_files():
    strings = protected_strings(gold_documents())
    assert len(strings) > 80  # names of the sample page and of twelve real articles


def test_no_gold_string_in_the_project():
    strings = protected_strings(gold_documents())
    leaks = {}
    for path in project_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        found = sorted(s for s in strings if s in text)
        if found:
            leaks[str(path.relative_to(ROOT))] = found
    assert not leaks, f"gold strings in the project: {leaks}"


def test_no_passage_of_the_real_news_in_the_project():
    """The real articles are an outside check: no 12-character run of their text (names,
    phrases, sentences) may be copied into code, patterns, lexicons or test texts."""
    texts = sorted((SHARED / "realnews" / "texts").glob("*.txt"))
    if not texts:
        pytest.skip("the real-news texts live outside the repository")
    width = 12
    runs = set()
    for path in texts:
        text = re.sub(r"\s+", "", path.read_text(encoding="utf-8"))
        runs.update(text[i:i + width] for i in range(len(text) - width + 1))
    leaks = {}
    for path in project_files():
        text = re.sub(r"\s+", "", path.read_text(encoding="utf-8", errors="replace"))
        found = {text[i:i + width] for i in range(len(text) - width + 1)} & runs
        if found:
            leaks[str(path.relative_to(ROOT))] = sorted(found)[:3]
    assert not leaks, f"passages of the real news in the project: {leaks}"
