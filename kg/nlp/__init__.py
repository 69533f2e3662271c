"""spaCy components of the kg pipeline. Importing this package registers them."""

from . import entities, institutions, people, places, programs  # noqa: F401  (factories)

try:  # optional stages built by the training recipes
    from . import segmenter  # noqa: F401
except ImportError:  # pragma: no cover
    segmenter = None
try:
    from . import features  # noqa: F401
except ImportError:  # pragma: no cover
    features = None
