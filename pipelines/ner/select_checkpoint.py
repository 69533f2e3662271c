"""Choose the checkpoint to package: the best mean of the MSRA and CLUENER dev F1.

spaCy keeps the checkpoint with the best micro F over dev.spacy, which is two-thirds
MSRA; CLUENER's F peaks earlier in training than MSRA's, so that choice serves press
text and leaves web text behind. This step scores every checkpoint that
`train.py --checkpoints` kept on both held-out dev sets (public labels, as
evaluate.py) and keeps the one with the best mean of the two F1.

Inputs : RUN/checkpoints/step-N (train.py --checkpoints), DATA/dev_msra.bio,
         DATA/dev_cluener.jsonl
Outputs: RUN/model-selected (a copy of the chosen checkpoint), RUN/checkpoints.json
         (both F1 of every checkpoint, and the choice)

Usage: python pipelines/ner/select_checkpoint.py [--run DIR] [--data DIR] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from evaluate import DEFAULT_DATA, evaluate_model  # noqa: E402

DEFAULT_RUN = HERE / "training"


def select(run: Path, data: Path, limit: int = 0) -> dict:
    """Score each checkpoint; copy the best to RUN/model-selected; return the table."""
    checkpoints = sorted(path for path in (run / "checkpoints").glob("step-*")
                         if (path / "config.cfg").is_file())
    if not checkpoints:
        raise FileNotFoundError(f"{run / 'checkpoints'}: no checkpoints "
                                "(train with train.py --checkpoints)")
    rows = []
    for path in checkpoints:
        metrics = evaluate_model(path, data, limit)
        msra, cluener = (metrics[name]["overall"]["f"] for name in ("msra", "cluener"))
        rows.append({"checkpoint": path.name, "msra_f": msra, "cluener_f": cluener,
                     "mean_f": (msra + cluener) / 2})
        print(f"select_checkpoint: {path.name}  MSRA {msra:.4f}  CLUENER {cluener:.4f}", flush=True)
    best = max(rows, key=lambda row: row["mean_f"])
    selected = run / "model-selected"
    if selected.exists():
        shutil.rmtree(selected)
    shutil.copytree(run / "checkpoints" / best["checkpoint"], selected)
    table = {"selected": best["checkpoint"], "by": "mean of MSRA and CLUENER dev F1",
             "checkpoints": rows}
    (run / "checkpoints.json").write_text(json.dumps(table, indent=1))
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, default=DEFAULT_RUN,
                        help="training output folder of train.py --checkpoints")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="folder with dev_msra.bio and dev_cluener.jsonl (convert.py output)")
    parser.add_argument("--limit", type=int, default=0, help="first N sentences of each set")
    args = parser.parse_args(argv)
    for required in (args.data / "dev_msra.bio", args.data / "dev_cluener.jsonl"):
        if not required.is_file():
            print(f"select_checkpoint: missing input {required}", file=sys.stderr)
            return 2
    try:
        table = select(args.run, args.data, args.limit)
    except FileNotFoundError as missing:
        print(f"select_checkpoint: missing input {missing}", file=sys.stderr)
        return 2
    print(f"select_checkpoint: {table['selected']} -> {args.run / 'model-selected'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
