"""Train a pkuseg CRF segmenter, then prune it so it can live in git.

Inputs: corpus/train.txt, corpus/test.txt (from corpus.py).
Outputs: training/raw/ (the full pkuseg model, ignored by git) and the pruned
model in --output (default kg/models/pkuseg/): features.msgpack + weights.npz,
the layout spacy_pkuseg.pkuseg(dir) loads, and crf_tables.npz, the `kg_words`
scorer's feature tables precomputed from them (kg/nlp/segmenter.py
`write_crf_tables`: start-up then skips reading pkuseg's feature names).

Pruning, and why it is safe: pkuseg scores a character by summing the weights
of the features it fires; a feature missing from `feature_to_idx` is simply
not fired.  A feature whose weights (one per tag) are all below `eps` in
absolute value therefore changes no score by more than eps, and is dropped.
Feature 0 (the always-on bias feature) is kept at index 0, and the tag-tag
transition weights are kept.  Weights are rounded to float16/float32 precision
but stored as float64 in a compressed npz, because pkuseg's Cython decoder
only accepts float64 arrays: the rounded mantissas compress well.  The word
bigram list is dropped (only training uses it); the word list (`unigram`) is
kept because word-match features look words up in it.

    OMP_NUM_THREADS=1 nice python pipelines/segmenter/train.py --iterations 10
    python pipelines/segmenter/train.py --prune-only --eps 0.01 --precision float32
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import srsly

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEFAULT_OUTPUT = REPO / "kg" / "models" / "pkuseg"


def train_raw(train_file: Path, test_file: Path, save_dir: Path, iterations: int) -> None:
    """Run spacy_pkuseg's trainer (single process) into save_dir."""
    import spacy_pkuseg

    for path in (train_file, test_file):
        if not path.exists():
            raise FileNotFoundError(f"{path}: not found (run corpus.py first)")
    save_dir.mkdir(parents=True, exist_ok=True)
    spacy_pkuseg.train(str(train_file), str(test_file), str(save_dir), train_iter=iterations)


def load_raw(model_dir: Path) -> tuple[dict, np.ndarray, np.ndarray]:
    """Features dict, weights and sizes of a pkuseg model directory."""
    features = srsly.read_msgpack(model_dir / "features.msgpack")
    with np.load(model_dir / "weights.npz") as npz:
        return features, npz["w"], npz["sizes"]


def prune(features: dict, weights: np.ndarray, sizes: np.ndarray,
          eps: float, precision: str) -> tuple[dict, np.ndarray, np.ndarray]:
    """Drop features whose weights are all below eps; round the rest."""
    n_tag, n_feature = int(sizes[0]), int(sizes[1])
    node = weights[: n_feature * n_tag].reshape(n_feature, n_tag)
    edge = weights[n_feature * n_tag:]
    keep = np.abs(node).max(axis=1) >= eps
    keep[0] = True  # the bias feature is hard-wired to index 0 in pkuseg
    new_index = np.full(n_feature, -1, dtype=np.int64)
    new_index[keep] = np.arange(int(keep.sum()))
    feature_to_idx = {
        name: int(new_index[idx])
        for name, idx in features["feature_to_idx"].items()
        if keep[idx]
    }
    kept_node = node[keep]
    new_weights = np.concatenate([kept_node.ravel(), edge])
    new_weights = new_weights.astype(precision).astype(np.float64)
    pruned = {
        "unigram": features["unigram"],
        "bigram": [],
        "feature_to_idx": feature_to_idx,
        "tag_to_idx": features["tag_to_idx"],
    }
    new_sizes = np.array([n_tag, int(keep.sum())])
    return pruned, new_weights, new_sizes


def save_model(model_dir: Path, features: dict, weights: np.ndarray, sizes: np.ndarray) -> None:
    """Write the two files spacy_pkuseg loads (npz compressed)."""
    model_dir.mkdir(parents=True, exist_ok=True)
    for stale in ("features.pkl", "features.json"):
        (model_dir / stale).unlink(missing_ok=True)
    srsly.write_msgpack(model_dir / "features.msgpack", features)
    np.savez_compressed(model_dir / "weights.npz", sizes=sizes, w=weights)


def dir_size_mb(model_dir: Path) -> float:
    return sum(p.stat().st_size for p in model_dir.iterdir() if p.is_file()) / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, default=HERE / "corpus" / "train.txt")
    parser.add_argument("--test", type=Path, default=HERE / "corpus" / "test.txt")
    parser.add_argument("--raw-dir", type=Path, default=HERE / "training" / "raw")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--eps", type=float, default=0.05,
                        help="drop features whose |weight| < eps for every tag")
    parser.add_argument("--precision", choices=["float16", "float32"], default="float16")
    parser.add_argument("--prune-only", action="store_true",
                        help="skip training, prune the model already in --raw-dir")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    if not args.prune_only:
        start = time.time()
        train_raw(args.train, args.test, args.raw_dir, args.iterations)
        print(f"trained {args.iterations} iteration(s) in {time.time() - start:.0f} s")
    features, weights, sizes = load_raw(args.raw_dir)
    pruned, new_weights, new_sizes = prune(features, weights, sizes, args.eps, args.precision)
    save_model(args.output, pruned, new_weights, new_sizes)
    sys.path.insert(0, str(REPO))
    from kg.nlp.segmenter import write_crf_tables

    write_crf_tables(args.output)
    print(f"features {int(sizes[1])} -> {int(new_sizes[1])} "
          f"(eps={args.eps}, {args.precision}); "
          f"{dir_size_mb(args.raw_dir):.1f} MB -> {dir_size_mb(args.output):.1f} MB in {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
