"""Documentation that describes code must describe the code as it is."""

from pathlib import Path

from kg.events import TRIGGERS

ROOT = Path(__file__).resolve().parents[1]


def test_event_taxonomy_documented():
    text = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
    for event_type, verbs in TRIGGERS.items():
        row = next(line for line in text.splitlines() if line.startswith(f"| `{event_type}` |"))
        assert all(verb in row for verb in verbs), event_type


def test_readme_quick_start_commands_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    assert "\ndemo:" in makefile and "\ntest:" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
