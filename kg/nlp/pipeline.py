"""Assemble and load the kg pipeline.

The pipeline is put together from three packaged parts, each built by its own
recipe in `pipelines/`:

    character tokens
    -> kg_words          pkuseg words              kg/models/pkuseg   (pipelines/segmenter)
    -> text_style        press or web-portal text ┐
    -> kg_char_features  bigram + word features   │
    -> tok2vec           CNN character encoder    │ kg/models/ner      (pipelines/ner)
    -> kg_char_ner       BILUO tagger, Viterbi    ┘
    -> kg_places         gazetteer places          kg/models/gazetteer.json.gz (pipelines/gazetteer.py)
    -> kg_institutions -> kg_programs -> kg_people -> kg_entities -> kg_roles    (rules, no data)

Without a trained NER the same pipeline runs on the rules alone: the statistical
components plug in at that seam. `save_pipeline` writes the assembled pipeline as
one spaCy folder (config.cfg + weights) that `spacy.load` or `--model` reads.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language

from . import (  # noqa: F401  (registers the factories)
    char_ner, entities, features, institutions, people, places, programs, roles, segmenter, text_style,
)


MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
NER_DIR = MODELS_DIR / "ner"
RULE_COMPONENTS = ("kg_places", "kg_institutions", "kg_programs", "kg_people", "kg_entities", "kg_roles")


def assemble(ner_model: str | Path | None = None, pkuseg_model: str | Path | None = None) -> Language:
    """A new, initialised pipeline: the trained NER (if any) plus segmenter and rules."""
    ner_model = Path(ner_model) if ner_model else (NER_DIR if (NER_DIR / "config.cfg").exists() else None)
    if ner_model:
        nlp = load_ner(ner_model)
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


def load_ner(path: str | Path) -> Language:
    """A trained NER pipeline whose layers multiply with numpy's BLAS rather than blis:
    on this encoder's shapes (n x 288 by 288 x 192) that made the encoder a quarter
    faster, with the same weights (measured: benchmarks/ner_benchmark.py)."""
    from thinc.api import use_ops

    with use_ops("numpy", use_blis=False):
        return spacy.load(path)


@lru_cache(maxsize=2)
def load_pipeline(path: str | None = None) -> Language:
    """The packaged pipeline, or a saved one at `path` (a folder with config.cfg)."""
    if path is None:
        return assemble()
    target = Path(path)
    if not (target / "config.cfg").exists():
        raise FileNotFoundError(f"{target}: not a spaCy pipeline folder (config.cfg missing)")
    return spacy.load(target)


def save_pipeline(nlp: Language, path: str | Path) -> None:
    nlp.to_disk(path)
