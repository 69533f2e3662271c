"""The output folder of `kg build`: checked and locked before any work, swapped in at the end.

Why: a build must never cost the user data. OUTDIR is replaced only when it is missing,
empty, or a previous kg output (its report.json carries FORMAT and it holds nothing but
kg's files); an OUTDIR that is or contains an input is refused. All of this, and whether
OUTDIR can be written at all, is known before the NLP runs, so a refusal is immediate.
A lock file beside OUTDIR keeps two builds apart; the new output is written in a staging
folder beside OUTDIR and renamed over it, so OUTDIR is always the old output or the new.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from pathlib import Path

from .ingest import printable

FORMAT = "kg-build-output/1"  # report.json "format": this folder was written by `kg build`
OUTPUT_FILES = {"graph.json", "graph.graphml", "graph.gexf", "entities.csv", "events.csv", "report.json",
                "shards", "neo4j-import"}  # written while the build runs: per-document results (kg/shards.py)
# and neo4j-admin import files (kg/readwrite/neo4j_import.py)


class OutputError(Exception):
    """OUTDIR cannot or must not be written; str() names the folder and the reason."""


class OutputFolder:
    """`with OutputFolder(outdir, inputs) as output: ... output.commit(write)`.

    Entering checks OUTDIR and takes its lock (OutputError when refused); `commit` writes
    through `write(folder)` into a staging folder and swaps it in; leaving removes the
    staging folder and the lock file, whatever happened. Without a commit OUTDIR is untouched."""

    def __init__(self, outdir: str | os.PathLike, inputs: list[str | os.PathLike]):
        if not os.fspath(outdir):
            raise OutputError("OUTDIR is empty: give the folder to write into")
        self.path = Path(os.path.realpath(outdir))
        self.shown = printable(outdir)
        self.inputs = list(inputs)
        self._lock_fd: int | None = None
        self._lock_path = self.path.parent / f".{self.path.name}.lock"
        self._made_parents: list[Path] = []
        self._staging: Path | None = None
        self._staging_path = self.path.parent / f".{self.path.name}.building-{os.getpid()}"
        self._committed = False

    def __enter__(self) -> OutputFolder:
        if self.path.parent == self.path:
            raise OutputError(f"{self.shown}: the root folder cannot be an output folder")
        for given in self.inputs:
            real = os.path.realpath(given)
            if real == str(self.path) or real.startswith(str(self.path) + os.sep):
                raise OutputError(f"{self.shown}: is or contains the input {printable(given)}; "
                                  f"write the graph into another folder")
        try:
            self._make_parents()
            self._lock()
            self._remove_leftovers()
            self._check_replaceable()
        except BaseException:
            self._release()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self._release()

    def staging(self) -> Path:
        """The folder the new output is written in (made on first use): files written
        while the build runs (shards) go here and are swapped in with the rest by `commit`."""
        if self._staging is None:
            # Named before it exists (we hold the lock, so the pid makes it unique): a signal
            # arriving while it is made still finds it in `_release`.
            self._staging = self._staging_path
            self._staging.mkdir()  # with the umask: the output is an ordinary folder
        return self._staging

    def commit(self, write) -> None:
        """Write the new output with `write(folder)` beside OUTDIR, then swap it in."""
        parent, name = self.path.parent, self.path.name
        write(self.staging())
        self._check_replaceable()  # still nothing of the user's in it (someone may have added a file)
        if self.path.exists():
            backup = parent / f".{name}.old-{os.getpid()}"
            os.rename(self.path, backup)
            try:
                os.rename(self._staging, self.path)
            except BaseException:
                os.rename(backup, self.path)
                raise
            shutil.rmtree(backup, ignore_errors=True)
        else:
            os.rename(self._staging, self.path)
        self._staging, self._committed = None, True

    # ------------------------------------------------------------------ checks
    def _make_parents(self) -> None:
        missing = [p for p in [self.path.parent, *self.path.parent.parents] if not p.exists()]
        for folder in reversed(missing):
            try:
                folder.mkdir()
            except OSError as exc:
                raise OutputError(f"{self.shown}: cannot create the folder {printable(folder)}: "
                                  f"{exc.strerror or exc}") from None
            self._made_parents.append(folder)

    def _check_replaceable(self) -> None:
        """OUTDIR is missing, empty, or holds a previous kg output and nothing else."""
        try:
            if not self.path.exists():
                return
            if not self.path.is_dir():
                raise OutputError(f"{self.shown}: exists and is not a folder; choose a folder to write into")
            entries = sorted(os.listdir(self.path))
        except OSError as exc:
            raise OutputError(f"{self.shown}: cannot read the folder: {exc.strerror or exc}") from None
        if not entries:
            return
        foreign = [e for e in entries if e not in OUTPUT_FILES]
        if foreign:
            why = "holds " + ", ".join(map(printable, foreign[:3])) + (", ..." if len(foreign) > 3 else "")
        elif not _is_kg_report(self.path / "report.json"):
            why = "no report.json with the kg build signature"
        else:
            return
        raise OutputError(f"{self.shown}: not empty and not a kg build output ({why}); "
                          f"kg build replaces only its own output: choose a new or empty folder")

    # ------------------------------------------------------------------ lock and leftovers
    def _lock(self) -> None:
        """flock on .OUTDIR.lock beside OUTDIR; a second build is refused, naming the first."""
        while True:
            try:
                fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError as exc:
                raise OutputError(f"{self.shown}: cannot write in {printable(self.path.parent)}: "
                                  f"{exc.strerror or exc}") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
                os.close(fd)
                raise OutputError(f"{self.shown}: is being written by another kg build (pid {holder}); "
                                  f"wait for it or choose another folder") from None
            try:
                same = os.fstat(fd).st_ino == os.stat(self._lock_path).st_ino
            except FileNotFoundError:
                same = False
            if same:  # not a lock file its last holder removed while we waited for it
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
                self._lock_fd = fd
                return
            os.close(fd)

    def _remove_leftovers(self) -> None:
        """Staging and backup folders of a build that was killed (we hold the lock, so no
        running build owns them); a backup is the previous output when OUTDIR is missing."""
        prefixes = (f".{self.path.name}.building-", f".{self.path.name}.old-")
        for entry in sorted(os.listdir(self.path.parent)):
            if not entry.startswith(prefixes):
                continue
            leftover = self.path.parent / entry
            if entry.startswith(prefixes[1]) and not self.path.exists():
                os.rename(leftover, self.path)
            else:
                shutil.rmtree(leftover, ignore_errors=True)

    def _release(self) -> None:
        if self._staging is not None:
            for _ in range(3):  # a file closed by an interrupted writer may land mid-removal
                shutil.rmtree(self._staging, ignore_errors=True)
                if not self._staging.exists():
                    break
            self._staging = None
        if self._lock_fd is not None:
            try:
                os.unlink(self._lock_path)
            except FileNotFoundError:
                pass
            os.close(self._lock_fd)
            self._lock_fd = None
        if not self._committed:
            for folder in reversed(self._made_parents):
                try:
                    folder.rmdir()
                except OSError:
                    break
            self._made_parents = []


def _is_kg_report(path: Path) -> bool:
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(report, dict) and report.get("format") == FORMAT
