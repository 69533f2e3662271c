"""Assemble, save and load the kg pipeline.

The shipped pipeline lives in `kg/models/zh_kg` (built by `pipelines/package.py`):
character tokens -> `kg_words` (pkuseg words) -> [`kg_char_features` -> `tok2vec` ->
`ner`, when a trained NER is given] -> `kg_places` -> `kg_institutions` ->
`kg_programs` -> `kg_people` -> `kg_entities`. Without a trained NER the same
pipeline runs on rules alone: the statistical components plug in at the seam.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language

from . import segmenter as _segmenter  # noqa: F401  (registers factories)
from . import entities, institutions, people, places, programs  # noqa: F401

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
PIPELINE_DIR = MODELS_DIR / "zh_kg"
RULE_COMPONENTS = ("kg_places", "kg_institutions", "kg_programs", "kg_people", "kg_entities")


def assemble(ner_model: str | Path | None = None, pkuseg_model: str | Path | None = None) -> Language:
    """A new, initialised pipeline: the trained NER model (if any) plus the rule components."""
    if ner_model:
        nlp = spacy.load(ner_model)
    else:
        nlp = spacy.blank("zh")
    if "kg_words" not in nlp.pipe_names:
        words = nlp.add_pipe("kg_words", first=True)
        words.initialize(model_path=str(pkuseg_model) if pkuseg_model else None)
    for name in RULE_COMPONENTS:
        component = nlp.add_pipe(name)
        if hasattr(component, "initialize"):
            component.initialize(nlp=nlp)
    return nlp


@lru_cache(maxsize=2)
def load_pipeline(path: str | None = None) -> Language:
    """The shipped pipeline (or one at `path`); falls back to rules only, with a warning."""
    target = Path(path) if path else PIPELINE_DIR
    if (target / "config.cfg").exists():
        return spacy.load(target)
    if path:
        raise FileNotFoundError(f"{target}: no spaCy pipeline (config.cfg missing)")
    print(f"kg: no packaged pipeline at {target}; using the rule components only "
          "(run `python pipelines/package.py`)", file=sys.stderr)
    return assemble()
