"""The inference layer norm (kg/nlp/fast_layer_norm.py): thinc's numbers, thinc's training."""

import numpy
import pytest
from thinc.api import Maxout, chain

from kg.nlp.fast_layer_norm import use_fast_layer_norms


@pytest.fixture()
def model():
    rng = numpy.random.default_rng(7)
    layers = chain(Maxout(nO=16, nI=12, nP=3, normalize=True), Maxout(nO=8, nI=16, nP=2, normalize=True))
    X = rng.normal(size=(40, 12)).astype("float32") * 3
    layers.initialize(X=X)
    for layer in layers.walk():
        if layer.name == "layernorm":  # scale and shift away from their initial 1 and 0
            width = layer.get_dim("nO")
            layer.set_param("G", rng.uniform(0.5, 2.0, width).astype("float32"))
            layer.set_param("b", rng.normal(size=width).astype("float32"))
    return layers, X


def test_the_same_numbers_as_thincs_layer_norm(model):
    layers, X = model
    expected = layers.predict(X)
    assert use_fast_layer_norms(layers) == 2
    got = layers.predict(X)
    assert got.dtype == expected.dtype
    assert numpy.allclose(got, expected, atol=1e-5)


def test_training_still_uses_thincs_layer_norm_and_its_gradient(model):
    layers, X = model
    expected, backprop_expected = layers.begin_update(X)
    use_fast_layer_norms(layers)
    assert use_fast_layer_norms(layers) == 0  # once is enough
    got, backprop = layers.begin_update(X)
    d_output = numpy.ones_like(got)
    assert numpy.array_equal(got, expected)
    assert numpy.allclose(backprop(d_output), backprop_expected(d_output))
