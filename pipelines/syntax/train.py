"""Train the POS tagger or the dependency parser with `spacy train`, bounded by wall-clock time.

Inputs : DATA/train.spacy, DATA/dev.spacy (corpus.py), configs/{tagger,parser}.cfg
Outputs: OUT/model-best, OUT/model-last, OUT/dev_curve.jsonl (step, seconds, scores
         per evaluation). Training stops at --max-steps or at the first evaluation after
         --max-minutes; model-best is saved at every evaluation, so a stopped run
         always leaves a usable model (the checkpoint).

    python pipelines/syntax/train.py --config configs/tagger.cfg --data corpus/tagger
        --out training/tagger [--max-minutes M] [--max-steps N] [--eval-frequency N]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import spacy  # noqa: F401

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import kg.nlp.syntax  # noqa: E402,F401  (registers kg.words_tokenizer.v1)
from spacy import util
from spacy.training.initialize import init_nlp
from spacy.training.loop import train as train_loop
from spacy.util import registry

HERE = Path(__file__).resolve().parent


class TimeBudgetReached(Exception):
    """Raised by the logger after an evaluation once the wall-clock budget is spent."""


@registry.loggers("kg.syntax_logger.v1")
def syntax_logger(max_minutes: float = 0.0, curve_path: str = ""):
    """spaCy's console logger, plus a JSONL dev curve and a wall-clock stop."""
    console = registry.loggers.get("spacy.ConsoleLogger.v3")(progress_bar=None)

    def setup(nlp, stdout=sys.stdout, stderr=sys.stderr):
        log_step, finalize = console(nlp, stdout, stderr)
        started = time.time()

        def step(info):
            log_step(info)
            if info is None:
                return
            elapsed = time.time() - started
            if curve_path:
                scores = {k: v for k, v in info.get("other_scores", {}).items()
                          if isinstance(v, (int, float))}
                record = {"step": info["step"], "epoch": info["epoch"], "seconds": round(elapsed, 1),
                          "score": info["score"], "losses": info["losses"], "scores": scores}
                with open(curve_path, "a", encoding="utf-8") as out:
                    out.write(json.dumps(record, default=float) + "\n")
            if max_minutes and elapsed >= max_minutes * 60:
                raise TimeBudgetReached(f"{elapsed / 60:.1f} min >= {max_minutes} min")

        return step, finalize

    return setup


def train(config_path: Path, data: Path, out: Path, max_minutes: float = 0.0,
          max_steps: int | None = None, eval_frequency: int | None = None,
          tagger: Path | None = None) -> Path:
    settings = {"paths.train": str(data / "train.spacy"), "paths.dev": str(data / "dev.spacy")}
    if max_steps is not None:
        settings["training.max_steps"] = max_steps
    if eval_frequency is not None:
        settings["training.eval_frequency"] = eval_frequency
    config = util.load_config(config_path, overrides=settings, interpolate=False)
    if "tagger" in config["paths"]:
        # the parser listens to the trained tagger's tok2vec, frozen (one encoder at run time)
        config["paths"]["tagger"] = str(tagger or HERE / "training" / "tagger" / "model-best")
        if not (Path(config["paths"]["tagger"]) / "config.cfg").is_file():
            raise FileNotFoundError(f"{config['paths']['tagger']}: no trained tagger (train it first)")
    out.mkdir(parents=True, exist_ok=True)
    curve = out / "dev_curve.jsonl"
    curve.unlink(missing_ok=True)
    config["training"]["logger"] = {"@loggers": "kg.syntax_logger.v1",
                                    "max_minutes": float(max_minutes), "curve_path": str(curve)}
    config.to_disk(out / "config.cfg")
    nlp = init_nlp(config, use_gpu=-1)
    try:
        train_loop(nlp, out, use_gpu=-1, stdout=sys.stdout, stderr=sys.stderr)
    except TimeBudgetReached as stop:
        print(f"train: time budget reached ({stop}); model-best is the best evaluation so far")
    return out / "model-best"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True, help="folder with train.spacy, dev.spacy")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--max-minutes", type=float, default=0.0)
    parser.add_argument("--max-steps", type=int)
    parser.add_argument("--eval-frequency", type=int)
    parser.add_argument("--tagger", type=Path, help="trained tagger whose tok2vec configs/parser_shared.cfg sources")
    args = parser.parse_args(argv)
    for path in (args.config, args.data / "train.spacy", args.data / "dev.spacy"):
        if not path.is_file():
            print(f"train: missing input {path} (run corpus.py first)", file=sys.stderr)
            return 2
    best = train(args.config, args.data, args.out, args.max_minutes, args.max_steps, args.eval_frequency,
                 args.tagger)
    print(f"train: {best}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
