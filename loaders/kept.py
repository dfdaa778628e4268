"""Keep what is built: the served graph, its load report and its per-dataset
indexes, on local disk per dataset version, so a restart on the same data
answers in seconds instead of loading and indexing again.

A kept build is one pickle file named by a key over everything that shapes
it: the content of the dataset files, the source code of ``graph/``,
``loaders/`` and ``dashboard/`` (a new version of the code never reads an old
build), and the serving options (``--no-contacts``). It is written by this
program only, into a private cache directory (``0700``; the file ``0600``),
atomically (a reader sees the old file or the complete new one), and read
only from there — pickle is safe here because nothing else writes it. Only
the newest :data:`KEEP` build stays: a build of erased or changed data is
unreachable (its key differs) and is deleted by the next save.

The directory is ``$PARTNERNETZ_KEPT_DIR`` or the user cache directory
(``platformdirs``); ``PARTNERNETZ_KEPT_DIR=off`` turns keeping off. Small
datasets (below :data:`MIN_NODES`) load faster than their pickle and are not
kept.

>>> import tempfile, os
>>> from graph.core.model import PartnerGraph
>>> folder = tempfile.mkdtemp()
>>> g = PartnerGraph(); _ = g.add_country("TZA")
>>> save(folder, "k1", g, report=None, entries={"n": 1})
True
>>> kept = restore(folder, "k1")
>>> "country:TZA" in kept.graph.nodes(), len(kept.graph) == len(g), kept.entries
(True, True, {'n': 1})
>>> restore(folder, "other") is None
True
"""

from __future__ import annotations

import gc
import hashlib
import io
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

__all__ = ["KEEP", "MIN_NODES", "Kept", "kept_dir", "dataset_key", "save", "restore"]

#: Number of kept builds left after a save (the newest): one, so that a
#: build holding data since erased from the files does not outlive the next save.
KEEP = 1
#: Smallest dataset (graph nodes) worth keeping.
MIN_NODES = 20_000
#: Bumped when the file layout changes.
FORMAT = "partnernetz-kept-1"
_SUFFIX = ".kept"
_ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Kept:
    """A restored build: the graph, its load report, its cached indexes by name."""

    graph: Any
    report: Any
    entries: dict[Any, Any]


def kept_dir(environ: dict[str, str] | None = None) -> Path | None:
    """Where builds are kept (None: keeping is off)."""
    environ = os.environ if environ is None else environ
    chosen = environ.get("PARTNERNETZ_KEPT_DIR", "")
    if chosen.strip().lower() == "off":
        return None
    if chosen:
        return Path(chosen)
    try:
        import platformdirs
    except ImportError:  # pragma: no cover - platformdirs is a dependency
        return None
    return Path(platformdirs.user_cache_dir("partnernetz", appauthor=False)) / "kept"


def _files(paths: Iterable[str | os.PathLike]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        out.extend(sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p])
    return out


def _code_digest() -> str:
    h = hashlib.sha256()
    for package in ("graph", "loaders", "dashboard"):
        for f in sorted((_ROOT / package).rglob("*.py")):
            h.update(str(f.relative_to(_ROOT)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def dataset_key(paths: Iterable[str | os.PathLike], **options: Any) -> str:
    """Key of a build from dataset files (their content, not their dates),
    the program's code and the serving ``options``.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "a.csv"; _ = f.write_text("x")
    >>> dataset_key([f]) == dataset_key([f]) != dataset_key([f], no_contacts=True)
    True
    """
    h = hashlib.sha256(FORMAT.encode())
    h.update(sys.version.encode())
    h.update(_code_digest().encode())
    h.update(repr(sorted(options.items())).encode())
    for f in _files(paths):
        h.update(f.name.encode())
        with open(f, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()[:32]


def _picklable(value: Any, graph: Any) -> bool:
    """Whether ``value`` pickles (the graph itself stood in by a reference)."""

    class Probe(pickle.Pickler):
        def persistent_id(self, obj: Any) -> Any:
            return "graph" if obj is graph else None

    try:
        Probe(io.BytesIO(), protocol=pickle.HIGHEST_PROTOCOL).dump(value)
        return True
    except Exception:  # noqa: BLE001 - any unpicklable part (a lock, a lambda) leaves this entry out
        return False


def save(folder: str | os.PathLike | None, key: str, graph: Any, *, report: Any, entries: dict[Any, Any]) -> bool:
    """Write a build under ``key`` (atomically); prune older builds. Entries
    that cannot be pickled are left out (they are rebuilt after a restore).
    Returns whether the build was written; never raises for a disk problem."""
    if folder is None:
        return False
    folder = Path(folder)
    payload = {"format": FORMAT, "graph": graph, "report": report, "entries": dict(entries)}
    was_enabled = gc.isenabled()
    gc.disable()
    tmp = None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=_SUFFIX)
        with os.fdopen(fd, "wb") as fh:
            try:
                pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # noqa: BLE001 - retry without the entries that do not pickle
                fh.seek(0)
                fh.truncate()
                payload["entries"] = {k: v for k, v in payload["entries"].items() if _picklable(v, graph)}
                pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, folder / f"{key}{_SUFFIX}")
        tmp = None
        _prune(folder)
        return True
    except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError) as exc:
        print(f"partnernetz: could not keep the build in {folder}: {exc}", file=sys.stderr)
        return False
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if was_enabled:
            gc.enable()


def _prune(folder: Path) -> None:
    builds = sorted(folder.glob(f"*{_SUFFIX}"), key=lambda f: f.stat().st_mtime, reverse=True)
    for old in builds[KEEP:]:
        old.unlink(missing_ok=True)


def restore(folder: str | os.PathLike | None, key: str) -> Kept | None:
    """The build kept under ``key``, or None (none kept, unreadable: then it
    is removed and the data are loaded from the files as usual)."""
    if folder is None:
        return None
    path = Path(folder) / f"{key}{_SUFFIX}"
    if not path.is_file():
        return None
    was_enabled = gc.isenabled()
    gc.disable()  # millions of acyclic objects: no collection passes while they arrive
    try:
        with open(path, "rb") as fh:
            payload = pickle.load(fh)
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise ValueError("not a kept build of this version")
        os.utime(path)  # the newest in use stays on prune
        return Kept(payload["graph"], payload["report"], payload["entries"])
    except Exception as exc:  # noqa: BLE001 - a broken file is never fatal: load from the files
        print(f"partnernetz: ignoring the kept build {path.name}: {exc}", file=sys.stderr)
        path.unlink(missing_ok=True)
        return None
    finally:
        if was_enabled:
            gc.enable()
