"""Build the packaged place gazetteer from jionlp's table of administrative divisions.

Inputs : the jionlp package (china_location.zip inside it, from PyPI)
Outputs: kg/models/gazetteer.json.gz (provinces, prefectures, counties with codes and
         short forms; towns by name), read by the kg_places component;
         kg/models/place_idioms.txt (jionlp's idioms that hold a place name: 长治久安).

Usage: python pipelines/gazetteer.py [--out PATH]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kg.nlp.gazetteer import LEVELS, Gazetteer  # noqa: E402
from kg.nlp.gazetteer import PACKAGED_GAZETTEER, idioms_with_places, write_gazetteer, write_word_list  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PACKAGED_GAZETTEER)
    args = parser.parse_args(argv)
    gazetteer = Gazetteer.from_jionlp()
    write_gazetteer(gazetteer, args.out)
    idioms = idioms_with_places(gazetteer)  # jionlp's idioms that hold a place name
    write_word_list(idioms, args.out.parent / "place_idioms.txt")
    counts = {level: sum(d.level == level for d in gazetteer.divisions) for level in LEVELS}
    counts["village"] = sum(len(v) for v in gazetteer.villages.values())
    print(f"{args.out}: {counts}, {args.out.stat().st_size} bytes; {len(idioms)} idioms with a place name")
    return 0


if __name__ == "__main__":
    sys.exit(main())
