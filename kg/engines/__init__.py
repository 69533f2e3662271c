"""Engines that make a build's per-document results somewhere else than this process.

The local engine is kg/build.py itself; every engine hands its DocumentResults, in
document order, to `kg.build.finish_build` (the entity merge, shards and graph files),
so engines differ only in where the Docs are made.
"""
