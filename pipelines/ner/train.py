"""Train the character-level NER with `spacy train`, bounded by wall-clock time.

Inputs : DATA/train.spacy, DATA/dev.spacy (from convert.py), a config in configs/,
         assets/char_vectors (from vectors.py) when the config reads pretrained vectors
Outputs: OUT/model-best, OUT/model-last (spaCy pipelines), OUT/dev_curve.jsonl
         (one JSON line per evaluation: step, epoch, seconds, losses, dev P/R/F),
         with --checkpoints OUT/checkpoints/step-N (every evaluated model).

The kg components (`kg_char_features`, `kg_char_ner`, and `kg_words` with
--with-words) are imported from the project before spaCy reads the config. Training
stops at --max-steps, or at the first evaluation after --max-minutes: model-best is
saved at every evaluation, so a time-bounded run always leaves a usable model.

The NER config sources a trained `text_style` classifier, so the recipe trains
twice: first `--config configs/text_style.cfg --out OUT/text_style` (a minute), then
the NER into OUT (it finds OUT/text_style/model-best, or pass --text-style DIR).

Usage: python pipelines/ner/train.py [--data DIR] [--out DIR] [--config FILE]
           [--max-minutes M] [--max-steps N] [--eval-frequency N] [--with-words]
           [--text-style DIR] [--vectors DIR] [--checkpoints] [--set section.key=value ...]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

import spacy  # noqa: E402
from spacy import util  # noqa: E402
from spacy.training.initialize import init_nlp  # noqa: E402
from spacy.training.loop import train as train_loop  # noqa: E402
from spacy.util import registry  # noqa: E402

import kg.nlp.char_ner  # noqa: E402,F401  (registers kg_char_ner)
import kg.nlp.features  # noqa: E402,F401  (registers kg_char_features)
import kg.nlp.text_style  # noqa: E402,F401  (registers kg_text_style)

DEFAULT_CONFIG = HERE / "configs" / "char_ner.cfg"
STYLE_CONFIG = HERE / "configs" / "text_style.cfg"
DEFAULT_DATA = HERE / "corpus"
DEFAULT_OUT = HERE / "training"
DEFAULT_VECTORS = HERE / "assets" / "char_vectors"


class TimeBudgetReached(Exception):
    """Raised by the logger after an evaluation once the wall-clock budget is spent."""


@registry.loggers("kg.wallclock_logger.v1")
def wallclock_logger(max_minutes: float = 0.0, curve_path: str = "",
                     checkpoints_dir: str = ""):
    """spaCy's console logger, plus a JSONL dev curve, a wall-clock stop and, with
    `checkpoints_dir`, a copy of every evaluated model (for select_checkpoint.py)."""
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
                scores = info.get("other_scores", {})
                record = {
                    "step": info["step"], "epoch": info["epoch"],
                    "seconds": round(elapsed, 1), "score": info["score"],
                    "losses": info["losses"],
                    "ents_p": scores.get("ents_p"), "ents_r": scores.get("ents_r"),
                    "ents_f": scores.get("ents_f"),
                    "per_type": scores.get("ents_per_type"),
                }
                with open(curve_path, "a", encoding="utf-8") as out:
                    out.write(json.dumps(record, ensure_ascii=False, default=float) + "\n")
            if checkpoints_dir and info.get("output_path"):
                # spaCy has just saved the averaged weights as model-last
                shutil.copytree(info["output_path"],
                                Path(checkpoints_dir) / f"step-{info['step']:06d}",
                                dirs_exist_ok=True)
            if max_minutes and elapsed >= max_minutes * 60:
                raise TimeBudgetReached(f"{elapsed / 60:.1f} min >= {max_minutes} min")

        return step, finalize

    return setup


def parse_overrides(pairs: list[str]) -> dict:
    """`section.key=value` strings; values parsed as JSON when possible."""
    overrides = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        try:
            overrides[key] = json.loads(value)
        except json.JSONDecodeError:
            overrides[key] = value
    return overrides


def add_word_segmenter(config) -> None:
    """Put the project's `kg_words` segmenter before the features, frozen and annotating."""
    import kg.nlp.segmenter  # noqa: F401  (registers kg_words)

    pipeline = list(config["nlp"]["pipeline"])
    if "kg_words" not in pipeline:
        config["nlp"]["pipeline"] = ["kg_words"] + pipeline
        config["components"]["kg_words"] = {"factory": "kg_words"}
    training = config["training"]
    for key in ("frozen_components", "annotating_components"):
        if "kg_words" not in training[key]:
            training[key] = ["kg_words"] + list(training[key])


def train(data: Path, out: Path, config_path: Path, max_minutes: float = 0.0,
          max_steps: int | None = None, eval_frequency: int | None = None,
          with_words: bool = False, overrides: dict | None = None,
          text_style: Path | None = None, checkpoints: bool = False,
          vectors: Path | None = None) -> Path:
    """Run the training; return the model-best directory."""
    settings = {"paths.train": str(data / "train.spacy"), "paths.dev": str(data / "dev.spacy")}
    if max_steps is not None:
        settings["training.max_steps"] = max_steps
    if eval_frequency is not None:
        settings["training.eval_frequency"] = eval_frequency
    settings.update(overrides or {})
    config = util.load_config(config_path, overrides=settings, interpolate=False)
    if "text_style" in config["paths"]:
        # the NER sources the classifier trained before it (configs/text_style.cfg)
        config["paths"]["text_style"] = str(text_style or out / "text_style" / "model-best")
        if not (Path(config["paths"]["text_style"]) / "config.cfg").is_file():
            raise FileNotFoundError(f"{config['paths']['text_style']}: no text_style model "
                                    "(train it first: --config configs/text_style.cfg)")
    if config["paths"].get("vectors"):
        # pretrained character vectors (vectors.py) for include_static_vectors
        config["paths"]["vectors"] = str(vectors or DEFAULT_VECTORS)
        if not (Path(config["paths"]["vectors"]) / "vocab" / "vectors").is_file():
            raise FileNotFoundError(f"{config['paths']['vectors']}: no character vectors "
                                    "(build them first: vectors.py)")
    if with_words:
        add_word_segmenter(config)
    out.mkdir(parents=True, exist_ok=True)
    curve = out / "dev_curve.jsonl"
    curve.unlink(missing_ok=True)
    config["training"]["logger"] = {
        "@loggers": "kg.wallclock_logger.v1",
        "max_minutes": float(max_minutes),
        "curve_path": str(curve),
        "checkpoints_dir": str(out / "checkpoints") if checkpoints else "",
    }
    config.to_disk(out / "config.cfg")
    # the sourced text_style (a bag of n-grams) reads no vectors: spaCy's warning that
    # its vectors differ from the NER's says nothing here
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"\[W113\]")
        nlp = init_nlp(config, use_gpu=-1)
    # init_nlp skips frozen components; the segmenter loads its packaged model here.
    if "kg_words" in nlp.pipe_names:
        nlp.get_pipe("kg_words").initialize(nlp=nlp)
    try:
        train_loop(nlp, out, use_gpu=-1, stdout=sys.stdout, stderr=sys.stderr)
    except TimeBudgetReached as stop:
        print(f"train: time budget reached ({stop}); model-best is the best evaluation so far")
    return out / "model-best"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="folder with train.spacy and dev.spacy (convert.py output)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--max-minutes", type=float, default=0.0,
                        help="stop at the first evaluation after this many minutes (0: no limit)")
    parser.add_argument("--max-steps", type=int)
    parser.add_argument("--eval-frequency", type=int)
    parser.add_argument("--text-style", type=Path,
                        help="trained text_style model the NER config sources "
                             "(default OUT/text_style/model-best)")
    parser.add_argument("--vectors", type=Path,
                        help=f"character vectors from vectors.py (default {DEFAULT_VECTORS})")
    parser.add_argument("--with-words", action="store_true",
                        help="add the kg_words segmenter (word-position features)")
    parser.add_argument("--checkpoints", action="store_true",
                        help="keep every evaluated model in OUT/checkpoints/step-N (select_checkpoint.py)")
    parser.add_argument("--set", nargs="+", action="extend", default=[], metavar="SECTION.KEY=VALUE",
                        help="config overrides, e.g. components.tok2vec.model.encode.width=96 "
                             "(repeatable)")
    args = parser.parse_args(argv)
    for name in ("train.spacy", "dev.spacy"):
        if not (args.data / name).is_file():
            print(f"train: missing input {args.data / name} (run convert.py)", file=sys.stderr)
            return 2
    try:
        best = train(args.data, args.out, args.config, args.max_minutes, args.max_steps,
                     args.eval_frequency, args.with_words, parse_overrides(args.set),
                     args.text_style, args.checkpoints, args.vectors)
    except FileNotFoundError as missing:
        print(f"train: missing input {missing}", file=sys.stderr)
        return 2
    print(f"train: model-best at {best}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
