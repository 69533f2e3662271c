"""Choose the model to package: the best mean of the MSRA and CLUENER dev F1, averaged
with its neighbouring checkpoints.

spaCy keeps the checkpoint with the best micro F over dev.spacy, which is two-thirds
MSRA; CLUENER's F peaks earlier in training than MSRA's, so that choice serves press
text and leaves web text behind. This step scores every checkpoint that
`train.py --checkpoints` kept on both held-out dev sets (public labels, as
evaluate.py) and picks the one with the best mean of the two F1.

Then it averages the weights of the checkpoints within `--average-window`
evaluations of the pick (a uniform "model soup" of one run: after the dev score
flattens, checkpoints wander around one optimum, and their mean sits nearer its
centre; README, "Runs 27–28 and checkpoint averaging"). The average is kept when
its mean dev F1 is at least the pick's; it costs nothing at run time.

Inputs : RUN/checkpoints/step-N (train.py --checkpoints), DATA/dev_msra.bio,
         DATA/dev_cluener.jsonl
Outputs: RUN/model-selected (the average, or a copy of the chosen checkpoint),
         RUN/checkpoints.json (both F1 of every checkpoint and of the average, and the choice)

Usage: python pipelines/ner/select_checkpoint.py [--run DIR] [--data DIR] [--limit N]
           [--average-window K]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy
import spacy

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from evaluate import DEFAULT_DATA, evaluate_model  # noqa: E402

DEFAULT_RUN = HERE / "training"
DEFAULT_AVERAGE_WINDOW = 3


def average_checkpoints(paths: list[Path], out: Path) -> Path:
    """Save to `out` the first checkpoint with every weight replaced by the mean over `paths`.

    The checkpoints come from one run (one config), so their models have the same
    layers in the same order; a shape that differs is an error, not something to skip.
    """
    pipelines = [spacy.load(path) for path in paths]
    base = pipelines[0]
    for name, component in base.pipeline:
        if not hasattr(component, "model") or not hasattr(component.model, "walk"):
            continue
        layers = [list(nlp.get_pipe(name).model.walk()) for nlp in pipelines]
        for index, layer in enumerate(layers[0]):
            for param in layer.param_names:
                if not layer.has_param(param):
                    continue
                arrays = [walk[index].get_param(param) for walk in layers]
                if any(array.shape != arrays[0].shape for array in arrays):
                    raise ValueError(f"{name}/{layer.name}.{param}: checkpoints differ in shape")
                layer.set_param(param, numpy.mean(arrays, axis=0, dtype="float64")
                                .astype(arrays[0].dtype))
    if out.exists():
        shutil.rmtree(out)
    base.to_disk(out)
    return out


def select(run: Path, data: Path, limit: int = 0,
           average_window: int = DEFAULT_AVERAGE_WINDOW) -> dict:
    """Score each checkpoint, pick the best, average it with its neighbours into
    RUN/model-selected (or copy it, if the average scores lower); return the table."""
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
    best_at = max(range(len(rows)), key=lambda i: rows[i]["mean_f"])
    best = rows[best_at]
    table = {"selected": best["checkpoint"], "by": "mean of MSRA and CLUENER dev F1",
             "checkpoints": rows}
    selected = run / "model-selected"
    neighbours = checkpoints[max(best_at - average_window, 0):best_at + average_window + 1]
    if average_window > 0 and len(neighbours) > 1:
        average_checkpoints(neighbours, selected)
        metrics = evaluate_model(selected, data, limit)
        msra, cluener = (metrics[name]["overall"]["f"] for name in ("msra", "cluener"))
        average = {"checkpoint": "average of " + ", ".join(path.name for path in neighbours),
                   "msra_f": msra, "cluener_f": cluener, "mean_f": (msra + cluener) / 2}
        table["average"] = average
        print(f"select_checkpoint: {average['checkpoint']}  MSRA {msra:.4f}  "
              f"CLUENER {cluener:.4f}", flush=True)
        if average["mean_f"] >= best["mean_f"]:
            table["selected"] = average["checkpoint"]
    if table["selected"] == best["checkpoint"]:
        if selected.exists():
            shutil.rmtree(selected)
        shutil.copytree(run / "checkpoints" / best["checkpoint"], selected)
    (run / "checkpoints.json").write_text(json.dumps(table, indent=1))
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, default=DEFAULT_RUN,
                        help="training output folder of train.py --checkpoints")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="folder with dev_msra.bio and dev_cluener.jsonl (convert.py output)")
    parser.add_argument("--limit", type=int, default=0, help="first N sentences of each set")
    parser.add_argument("--average-window", type=int, default=DEFAULT_AVERAGE_WINDOW,
                        help="average the pick with the checkpoints this many evaluations "
                             "before and after it (0: no averaging)")
    args = parser.parse_args(argv)
    for required in (args.data / "dev_msra.bio", args.data / "dev_cluener.jsonl"):
        if not required.is_file():
            print(f"select_checkpoint: missing input {required}", file=sys.stderr)
            return 2
    try:
        table = select(args.run, args.data, args.limit, args.average_window)
    except FileNotFoundError as missing:
        print(f"select_checkpoint: missing input {missing}", file=sys.stderr)
        return 2
    except ValueError as problem:
        print(f"select_checkpoint: {args.run}: {problem}", file=sys.stderr)
        return 2
    print(f"select_checkpoint: {table['selected']} -> {args.run / 'model-selected'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
