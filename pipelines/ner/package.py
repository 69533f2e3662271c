"""Copy a trained NER model into the package (kg/models/ner), minimal.

Inputs : MODEL (default training/model-best)
Outputs: DEST (default kg/models/ner): the spaCy pipeline without the `kg_words`
         segmenter (the project ships that one in kg/models/pkuseg and puts it in
         front of this model) and without the training-time string table: the
         bigram/word feature strings are only hashed, so only the labels are kept.

--text-style DIR swaps in a text_style classifier trained after the NER (the NER saw
the first classifier's reading of its training sentences; a new one is safe where it
reads them the same, which `package` reports as `text_style_agreement` when given
the training corpus with --data).

--min-confidence P sets `kg_char_ner`'s decoding threshold in the packaged config (a
decoding setting, no weights change: for a model trained before the setting existed).

Usage: python pipelines/ner/package.py [--model DIR] [--dest DIR] [--text-style DIR [--data DIR]]
           [--min-confidence P]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

DEFAULT_MODEL = HERE / "training" / "model-best"
DEFAULT_DEST = REPO / "kg" / "models" / "ner"
SEGMENTER = "kg_words"
STYLE = "text_style"


def swap_text_style(nlp, style_dir: Path, data: Path | None) -> float | None:
    """Replace the model's text_style by the one at style_dir; return the share of the
    training sentences both read alike (None without data)."""
    import spacy
    from spacy.tokens import DocBin

    style = spacy.load(style_dir)
    agreement = None
    if data is not None:
        texts = [doc.text for doc in DocBin().from_disk(data / "train.spacy").get_docs(style.vocab)]
        old = nlp.get_pipe(STYLE)
        before = [doc.cats for doc in old.pipe(nlp.make_doc(t) for t in texts)]
        after = [doc.cats for doc in style.pipe(texts)]
        same = sum((a.get("web", 0) >= 0.5) == (b.get("web", 0) >= 0.5) for a, b in zip(before, after))
        agreement = same / max(len(texts), 1)
    nlp.remove_pipe(STYLE)
    with warnings.catch_warnings():  # the classifier reads no vectors (train.py)
        warnings.filterwarnings("ignore", message=r"\[W113\]")
        nlp.add_pipe(STYLE, source=style, before="kg_char_features")
    return agreement


def package(model_dir: Path, dest: Path, text_style: Path | None = None,
            data: Path | None = None, min_confidence: float | None = None) -> dict:
    """Write the minimal model to dest; return its meta and size."""
    from spacy import util

    from kg.evaluate import load_model

    nlp = load_model(str(model_dir))
    agreement = swap_text_style(nlp, text_style, data) if text_style else None
    if SEGMENTER in nlp.pipe_names:
        nlp.remove_pipe(SEGMENTER)
    tags = {label for name in nlp.pipe_names
            for label in getattr(nlp.get_pipe(name), "labels", ())}
    labels = sorted(tags | {tag[2:] for tag in tags if tag[1:2] == "-"})
    nlp.meta["name"] = "kg_char_ner"
    nlp.meta["description"] = (
        "kg character-level Chinese NER (PERSON, PLACE, AGENCY, ORG + internal "
        "ADDRESS, POSITION), conditioned on a text_style classifier "
        "(press / web); expects kg_words first. "
        "Trained on MSRA + CLUENER2020 train (research data); see pipelines/ner/README.md."
    )
    staging = dest.with_name(dest.name + ".tmp")
    if staging.exists():
        shutil.rmtree(staging)
    nlp.to_disk(staging)
    if min_confidence is not None:
        config = util.load_config(staging / "config.cfg", interpolate=False)
        config["components"]["kg_char_ner"]["min_confidence"] = min_confidence
        config.to_disk(staging / "config.cfg")
    strings = staging / "vocab" / "strings.json"
    if strings.exists():
        strings.write_text(json.dumps(labels, ensure_ascii=False))
    if dest.exists():
        shutil.rmtree(dest)
    staging.rename(dest)
    size = sum(f.stat().st_size for f in dest.rglob("*") if f.is_file())
    info = {"dest": str(dest), "pipeline": nlp.pipe_names, "labels": labels, "bytes": size}
    if agreement is not None:
        info["text_style_agreement"] = round(agreement, 4)
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST)
    parser.add_argument("--text-style", type=Path, help="text_style model to swap in")
    parser.add_argument("--data", type=Path, help="corpus folder (train.spacy) for the agreement")
    parser.add_argument("--min-confidence", type=float,
                        help="kg_char_ner decoding threshold to write into the packaged config")
    args = parser.parse_args(argv)
    if not (args.model / "config.cfg").is_file():
        print(f"package: missing input {args.model}/config.cfg (run train.py)", file=sys.stderr)
        return 2
    info = package(args.model, args.dest, args.text_style, args.data, args.min_confidence)
    print(json.dumps(info, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
