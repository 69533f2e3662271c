"""spaCy components of the kg pipeline. Importing this package registers their factories."""

from . import char_ner, entities, features, institutions, people, places, programs, segmenter  # noqa: F401
