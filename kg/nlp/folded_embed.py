"""The NER's character embedding with its first matrix product done once, at load time.

spaCy's MultiHashEmbed looks up four hashed feature tables and the static vectors,
concatenates the rows (5 × 96 values per character) and multiplies them by the maxout
layer's weights (480 → 96 × 3 pieces): a third of the encoder's arithmetic. The product
is linear in each table, so multiplying each table by its block of the weights once
gives tables whose rows only need adding: per character, sixteen hashed rows and one
vector row of 288 values instead of a 480 × 288 product. The outputs are the same up to
float rounding (tested); the tables hold 55 MB (`kg ner`'s peak RSS went from 474 to
503 MB), and the encoder ran about 16% faster. Inference only: the
component's own model, which training updates and `to_disk` saves, is left as it is.
"""

from __future__ import annotations

import numpy
from spacy.tokens import Doc
from thinc.api import Model, chain


def fold_tok2vec(pipe) -> bool:
    """Make a `tok2vec` component predict with the folded embedding followed by its own
    encoder; False (and nothing changed) if its model is not MultiHashEmbed with static
    vectors, then maxout + layer norm, then an encoder."""
    model = pipe.model
    folded_embed = _folded_embedding(model.layers[0]) if len(model.layers) == 2 else None
    if folded_embed is None:
        return False
    folded = chain(folded_embed, model.layers[1])
    predict = pipe.predict

    def predict_folded(docs: list[Doc]):
        return folded.predict(docs) if any(len(doc) for doc in docs) else predict(docs)

    pipe.predict = predict_folded
    return True


def _folded_embedding(embed: Model) -> Model | None:
    parts = _parts(embed)
    if parts is None:
        return None
    extract, hash_embeds, static, maxout, layer_norm = parts
    n_out, n_pieces, n_in = maxout.get_param("W").shape
    weights = maxout.get_param("W").reshape(n_out * n_pieces, n_in)
    width = hash_embeds[0].get_param("E").shape[1]
    tables = [(layer.attrs["column"], layer.attrs["seed"], numpy.ascontiguousarray(
                  layer.get_param("E") @ weights[:, i * width:(i + 1) * width].T, dtype="float32"))
              for i, layer in enumerate(hash_embeds)]
    static_weights = static.get_param("W").T @ weights[:, len(hash_embeds) * width:].T
    bias = maxout.get_param("b").reshape(-1).copy()
    folded_vectors: dict[int, numpy.ndarray] = {}

    def static_rows(docs: list[Doc]) -> numpy.ndarray:
        """Each character's row of the folded static vectors (zeros without a vector)."""
        vectors = docs[0].vocab.vectors
        table = folded_vectors.get(id(vectors))
        if table is None:  # once per vocabulary: its vectors times both projections
            table = numpy.vstack([vectors.data @ static_weights,
                                  numpy.zeros((1, static_weights.shape[1]))]).astype("float32")
            folded_vectors.clear()
            folded_vectors[id(vectors)] = table
        keys = numpy.concatenate([doc.to_array(getattr(vectors, "attr", "ORTH")) for doc in docs])
        rows = vectors.find(keys=keys)
        rows[rows < 0] = len(table) - 1
        return table[rows]

    def forward(model: Model, docs: list[Doc], is_train: bool):
        if is_train:
            raise ValueError("folded_embed is for inference; train with spaCy's MultiHashEmbed")
        ops = model.ops
        lengths = [len(doc) for doc in docs]
        if not sum(lengths):
            return [ops.alloc2f(0, n_out) for _ in docs], lambda d_outputs: []
        ids = ops.as_contig(numpy.concatenate(extract.predict(docs)), dtype="uint64")
        pre = static_rows(docs)
        for column, seed, table in tables:
            pre += ops.gather_add(table, ops.hash(ops.as_contig(ids[:, column]), seed) % len(table))
        pre += bias
        best, _ = ops.maxout(ops.reshape3f(pre, len(pre), n_out, n_pieces))
        return ops.unflatten(layer_norm.predict(best), ops.asarray1i(lengths)), lambda d_outputs: []

    return Model("folded_embed", forward, dims={"nO": n_out})


def _parts(embed: Model):
    """The pieces of MultiHashEmbed.v2 with static vectors, or None."""
    try:
        features_and_vectors, mixer, _ = embed.layers
        hashed, static = features_and_vectors.layers
        extract, _, with_tables = hashed.layers
        hash_embeds = [getitem_and_table.layers[1] for getitem_and_table in with_tables.layers[0].layers]
        maxout, layer_norm = mixer.layers[0].layers[0].layers
    except (ValueError, IndexError):
        return None
    names = [extract.name, static.name, maxout.name, layer_norm.name]
    if names != ["extract_features", "static_vectors", "maxout", "layernorm"] or not hash_embeds \
            or any(h.name != "hashembed" for h in hash_embeds):
        return None
    return extract, hash_embeds, static, maxout, layer_norm
