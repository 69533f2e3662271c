"""The `kg` command line.

Each subcommand lives in the module that owns its stage; that module exposes
`configure_parser(parser)` and `run(args) -> int`. Modules keep heavy imports
(spaCy, neo4j, matplotlib) inside `run`, so `kg --help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# name -> (module, one-line help)
COMMANDS = {
    "build": ("kg.build", "turn news text files/folders into a knowledge graph"),
    "ner": ("kg.nlp.ner_command", "tag entities, one text per line -> JSON Lines"),
    "evaluate": ("kg.evaluate", "score the NER on a BIO or CLUENER JSON file"),
    "load": ("kg.neo4j.loader", "load a built graph into Neo4j (idempotent)"),
    "neo4j": ("kg.neo4j.server", "build/start/stop the project's local Neo4j server"),
    "viz": ("kg.viz", "draw the graph (PNG or HTML)"),
}


def count_at_least(minimum: int):
    """argparse type: an integer >= minimum, so 0 or -5 is refused in one line, never ignored."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value
    return parse


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser, with only `command`'s module imported and its options configured.

    Importing every stage's module would load spaCy for `kg load` or `kg --help` and
    cost a second at each start; the others are listed by name and help only.
    """
    parser = argparse.ArgumentParser(prog="kg", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        if name != command:
            sub.add_parser(name, help=help_text, description=help_text, add_help=False)
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:  # a stage not installed/built yet
            if exc.name and exc.name.startswith("kg"):
                continue
            raise
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        module.configure_parser(command_parser)
        command_parser.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    command = next((word for word in argv[:1] if word in COMMANDS), None)
    args = build_parser(command).parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
