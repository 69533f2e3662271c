"""Layer normalisation at inference in fewer passes over the array.

thinc's LayerNorm computes the mean twice (`X.mean`, then `X.var`, which centres X
again) and scales in separate passes; the NER runs seven of them per batch (embedding,
five encoder layers, sentence context), about 5% of `kg ner`'s time. This forward
centres once and takes the variance from the centred rows: the same numbers up to
float rounding (tested), about 40% less time per call. Training keeps thinc's forward
(its backprop needs the moments), so saved models are unchanged.
"""

from __future__ import annotations

import numpy
from thinc.api import Model
from thinc.layers.layernorm import forward as thinc_forward


def use_fast_layer_norms(model: Model) -> int:
    """Give every LayerNorm layer in `model` the faster inference forward; how many."""
    count = 0
    for layer in model.walk():
        if layer.name == "layernorm" and layer._func is thinc_forward:
            layer._func = _forward
            count += 1
    return count


def _forward(model: Model, X, is_train: bool):
    if is_train or not isinstance(X, numpy.ndarray):
        return thinc_forward(model, X, is_train)
    centred = X - X.mean(axis=1, keepdims=True)
    # thinc adds 1e-8 to the variance
    centred *= (1.0 / numpy.sqrt(numpy.einsum("ij,ij->i", centred, centred) / X.shape[1] + 1e-8))[:, None]
    centred *= model.get_param("G")
    centred += model.get_param("b")
    return centred, _no_backprop


def _no_backprop(d_output):
    raise ValueError("fast_layer_norm is for inference only")
