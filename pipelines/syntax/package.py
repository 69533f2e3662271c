"""Copy a trained tagger or parser into the package (kg/models/tagger, kg/models/parser), minimal.

Inputs : MODEL (training/<task>/model-best)
Outputs: DEST: the spaCy pipeline (tok2vec + tagger or parser) with the string table cut
         to its labels (the word features are hashed, their strings are never read back).

    python pipelines/syntax/package.py --model training/tagger/model-best --dest ../../kg/models/tagger
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import kg.nlp.syntax  # noqa: E402,F401  (registers kg.words_tokenizer.v1, which the models name)


def package(model_dir: Path, dest: Path, description: str = "") -> dict:
    import spacy

    nlp = spacy.load(model_dir)
    shared = "tok2vec" in nlp.config["training"]["frozen_components"] and "parser" in nlp.pipe_names
    if shared:
        # trained on the tagger's frozen tok2vec (configs/parser_shared.cfg): kg_syntax runs
        # that encoder once for both, so the copy here is left out
        nlp.remove_pipe("tok2vec")
        nlp.meta["kg_encoder"] = "tagger"
    labels = set()
    for name in nlp.pipe_names:
        labels.update(getattr(nlp.get_pipe(name), "labels", ()))
    labels.update({"ROOT", "dep"})
    nlp.meta["name"] = f"kg_{'_'.join(n for n in nlp.pipe_names if n != 'tok2vec')}"
    if description:
        nlp.meta["description"] = description
    staging = dest.with_name(dest.name + ".tmp")
    if staging.exists():
        shutil.rmtree(staging)
    staging.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(staging)
    strings = staging / "vocab" / "strings.json"
    if strings.exists():
        strings.write_text(json.dumps(sorted(labels), ensure_ascii=False))
    if dest.exists():
        shutil.rmtree(dest)
    staging.rename(dest)
    size = sum(f.stat().st_size for f in dest.rglob("*") if f.is_file())
    return {"dest": str(dest), "pipeline": nlp.pipe_names, "labels": len(labels), "bytes": size}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--dest", type=Path, required=True)
    parser.add_argument("--description", default="")
    args = parser.parse_args(argv)
    if not (args.model / "config.cfg").is_file():
        print(f"package: missing input {args.model}/config.cfg (run train.py)", file=sys.stderr)
        return 2
    print(json.dumps(package(args.model, args.dest, args.description), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
