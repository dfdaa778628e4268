"""Keep what is built: the served graph, its load report and its per-dataset
indexes, on local disk per dataset version, so a restart on the same data
answers in seconds instead of loading and indexing again.

A kept build is a folder named by a key over everything that shapes it: the
content of the dataset files (or, for a workspace, the workspace and its head
version: :func:`workspace_key`), the source code of ``graph/``, ``loaders/``
and ``dashboard/`` (a new version of the code never reads an old build), and
the serving options (``--no-contacts``). It holds

- ``graph.pkl``: the graph and its load report (read at start, before the
  first request);
- ``entries.pkl``: where each cached index lies (file, byte range, arrays);
- ``objects.bin``: the indexes, each pickled on its own, so a page's indexes
  are read (by byte range, not mapped) when that page (or the background
  warm-up) first asks for them, not before ``/`` answers (:meth:`Kept.loaders`);
- ``arrays.bin``: every numpy array of the indexes, raw and 64-byte aligned,
  memory-mapped on restore (pickle protocol 5 out-of-band buffers): nothing
  is copied at start, the pages come from the OS page cache, and processes
  on the same build (forked workers, a second server) share them. The map is
  copy-on-write (``ACCESS_COPY``): code that changes an array in place
  changes its own copy, never the file.

It is written by this program only, into a private cache directory
(``0700``; files ``0600``), atomically (built in a temporary folder, then
renamed: a reader sees no build or the complete one), and read only from
there — pickle is safe here because nothing else writes it. Only the newest
:data:`KEEP` build stays: a build of erased or changed data is unreachable (its
key differs) and is deleted by the next save, or at once by :func:`discard`
when the served data change.

The directory is ``$PARTNERNETZ_KEPT_DIR`` or the user cache directory
(``platformdirs``); ``PARTNERNETZ_KEPT_DIR=off`` turns keeping off. Small
datasets (below :func:`min_nodes`, default :data:`MIN_NODES`) load faster
than their pickle and are not kept.

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

import functools
import gc
import hashlib
import mmap
import os
import pickle
import shutil
import sqlite3
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from loaders.leftovers import writer_gone

__all__ = ["KEEP", "MIN_NODES", "Kept", "PendingBuild", "kept_dir", "min_nodes", "dataset_key", "workspace_key",
           "origin_of", "save", "begin", "restore", "discard"]

#: Number of kept builds left after a save (the newest): one, so that a
#: build holding data since erased from the files does not outlive the next save.
KEEP = 1
#: Smallest dataset (graph nodes) worth keeping (``$PARTNERNETZ_KEPT_MIN_NODES`` overrides).
MIN_NODES = 20_000
#: Bumped when the file layout changes.
FORMAT = "partnernetz-kept-2"
_SUFFIX = ".kept"
_ALIGN = 64
_ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Kept:
    """A restored build: the graph, its load report, its cached indexes by name.

    :attr:`entries` reads every index now; :meth:`loaders` gives one
    zero-argument function per index that reads it when called (once)."""

    graph: Any
    report: Any
    _loaders: dict[Any, Callable[[], Any]] = field(default_factory=dict, repr=False)

    @property
    def entries(self) -> dict[Any, Any]:
        return {key: load() for key, load in self._loaders.items()}

    def loaders(self) -> dict[Any, Callable[[], Any]]:
        return dict(self._loaders)


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


def min_nodes(environ: dict[str, str] | None = None) -> int:
    """Smallest graph kept: ``$PARTNERNETZ_KEPT_MIN_NODES`` or :data:`MIN_NODES`."""
    environ = os.environ if environ is None else environ
    try:
        return int(environ.get("PARTNERNETZ_KEPT_MIN_NODES", MIN_NODES))
    except ValueError:
        return MIN_NODES


def _files(paths: Iterable[str | os.PathLike]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        out.extend(sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p])
    return out


@functools.cache
def code_digest() -> str:
    """Digest of the program's code (every module of graph, loaders and
    dashboard): read once per process (a start asks for it for the build's
    key and for the kept layouts)."""
    h = hashlib.sha256()
    for package in ("graph", "loaders", "dashboard"):
        for f in sorted((_ROOT / package).rglob("*.py")):
            h.update(str(f.relative_to(_ROOT)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def _base_hash(options: dict[str, Any]) -> "hashlib._Hash":
    h = hashlib.sha256(FORMAT.encode())
    h.update(sys.version.encode())
    h.update(code_digest().encode())
    h.update(repr(sorted(options.items())).encode())
    return h


def dataset_key(paths: Iterable[str | os.PathLike], **options: Any) -> str:
    """Key of a build from dataset files (their content, not their dates),
    the program's code and the serving ``options``.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "a.csv"; _ = f.write_text("x")
    >>> dataset_key([f]) == dataset_key([f]) != dataset_key([f], no_contacts=True)
    True
    """
    h = _base_hash(options)
    for f in _files(paths):
        h.update(f.name.encode())
        with open(f, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()[:32]


def workspace_key(path: str | os.PathLike, version: int, **options: Any) -> str:
    """Key of a build of workspace ``path`` at ``version``: the workspace
    (its place and creation stamp), the version's record (number, time, kind,
    counts), the workspace's journal length and row counts (cheap queries,
    never a read of the data), the code and ``options``. Every publish,
    edit, revert, consent change and erasure makes a new version, so a build
    of an older version is never served for a newer one.
    """
    h = _base_hash(options)
    h.update(str(Path(path).resolve()).encode())
    con = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True, timeout=30)
    try:
        con.execute("BEGIN")
        created = con.execute("SELECT value FROM meta WHERE key = 'created'").fetchone()
        record = con.execute("SELECT id, parent, time, kind, counts FROM versions WHERE id = ?", (version,)).fetchone()
        seq = con.execute("SELECT coalesce(max(seq), 0), count(*) FROM journal WHERE version <= ?", (version,)).fetchone()
        head = con.execute("SELECT coalesce(max(id), 0) FROM versions").fetchone()
        con.execute("COMMIT")
    finally:
        con.close()
    h.update(repr((created, version, record, seq, head[0] == version)).encode())
    return h.hexdigest()[:32]


# ------------------------------------------------------------------ writing
class _Writer(pickle.Pickler):
    """Pickles one value; numpy arrays' data go out of band into ``arrays``."""

    def __init__(self, out: Any, arrays: Any, graph: Any):
        super().__init__(out, protocol=5, buffer_callback=self._buffer)
        self._arrays, self._graph = arrays, graph
        self.ranges: list[tuple[int, int]] = []

    def persistent_id(self, obj: Any) -> Any:
        return "graph" if obj is self._graph else None

    def _buffer(self, buffer: pickle.PickleBuffer) -> bool:
        try:
            raw = buffer.raw()
        except BufferError:  # not contiguous: pickled in band
            return True
        position = self._arrays.tell()
        pad = -position % _ALIGN
        if pad:
            self._arrays.write(b"\0" * pad)
            position += pad
        self._arrays.write(raw)
        self.ranges.append((position, raw.nbytes))
        return False


def save(folder: str | os.PathLike | None, key: str, graph: Any, *, report: Any, entries: dict[Any, Any],
         origin: str = "") -> bool:
    """Write a build under ``key`` (atomically); prune older builds. Entries
    that cannot be pickled are left out (they are rebuilt after a restore).
    ``origin`` names where the data came from (:func:`origin_of`; see :func:`discard`).
    Returns whether the build was written; never raises for a disk problem."""
    pending = begin(folder, key, graph, report=report, origin=origin)
    return pending is not None and pending.finish(entries)


def begin(folder: str | os.PathLike | None, key: str, graph: Any, *, report: Any,
          origin: str = "") -> "PendingBuild | None":
    """Start a build under ``key``: write the graph and report now (into a
    temporary folder nobody reads), the indexes later (:meth:`PendingBuild.finish`).

    Why two steps: pickling holds a memo of every object written (~0.7 GB
    for the graph at 300k nodes) on top of the process's memory; right after
    loading that memory is lowest, once every index is built it is highest.
    None if the graph could not be written (said on stderr)."""
    if folder is None:
        return None
    folder = Path(folder)
    tmp = None
    try:
        with _collector_paused():
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            _sweep_unfinished(folder)
            tmp = Path(tempfile.mkdtemp(dir=folder, prefix=f"{_UNFINISHED}{os.getpid()}-"))
            with _private(tmp / "origin.txt") as fh:
                fh.write(origin.encode())
            with _private(tmp / "graph.pkl") as fh:
                pickle.dump({"format": FORMAT, "graph": graph, "report": report}, fh,
                            protocol=pickle.HIGHEST_PROTOCOL)
            for name in ("objects.bin", "arrays.bin"):  # the indexes are appended (PendingBuild.write)
                with _private(tmp / name):
                    pass
        pending, tmp = PendingBuild(folder, key, graph, Path(tmp)), None
        return pending
    except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError, RuntimeError) as exc:
        print(f"partnernetz: could not keep the build in {folder}: {exc}", file=sys.stderr)
        return None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


#: Prefix of a build being written (never read; removed when its writer is gone, see :func:`_sweep_unfinished`).
_UNFINISHED = ".tmp-"


class _collector_paused:
    """No garbage collection passes while millions of objects are pickled."""

    def __enter__(self) -> None:
        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: Any) -> None:
        if self.was_enabled:
            gc.enable()


def _sweep_unfinished(folder: Path) -> None:
    """Remove builds left half-written by a process that was stopped: their
    folder names the writer's process id (one without, of an older version,
    once it is an hour old)."""
    for path in folder.glob(_UNFINISHED + "*"):
        gone = writer_gone(path, _UNFINISHED)
        if gone is None:
            try:
                gone = path.stat().st_mtime < _now() - 3600
            except OSError:
                continue
        if gone:
            _remove(path)


#: Times an index is tried before it is left out of a build (one changed by a request while it was
#: written may succeed the next time; a lock never does).
_ATTEMPTS = 2


@dataclass
class PendingBuild:
    """A build whose graph is written: :meth:`write` adds indexes as they are
    built, :meth:`finish` the rest and makes the build visible, :meth:`abandon`
    removes it. Used from one thread."""

    folder: Path
    key: str
    graph: Any
    tmp: Path
    index: list[tuple[Any, int, int, list[tuple[int, int]]]] = field(default_factory=list)
    done: set[Any] = field(default_factory=set)
    failures: dict[Any, int] = field(default_factory=dict)

    def write(self, entries: dict[Any, Any]) -> int:
        """Append the entries not written yet (one that cannot be pickled is
        left out); return how many were written. Each index's pickler memo
        then comes on top of the memory of the indexes built so far, not of all.
        Raises ``OSError`` for a disk problem."""
        written = 0
        new = {name: value for name, value in entries.items()
               if name not in self.done and self.failures.get(name, 0) < _ATTEMPTS}
        if not new:  # the warm-up built nothing since the last look: no files opened, nothing synced
            return 0
        with _collector_paused(), _appending(self.tmp / "objects.bin") as objects, \
                _appending(self.tmp / "arrays.bin") as arrays:
            for name, value in new.items():
                # straight into the file: a 300k build's largest index pickles to ~100 MB
                writer = _Writer(objects, arrays, self.graph)
                start, mark = objects.tell(), arrays.tell()
                try:
                    writer.dump(value)
                except Exception:  # noqa: BLE001 - any unpicklable part (a lock, a lambda) leaves this entry out
                    for fh, at in ((objects, start), (arrays, mark)):
                        fh.seek(at)
                        fh.truncate()
                    self.failures[name] = self.failures.get(name, 0) + 1
                    continue
                self.index.append((name, start, objects.tell() - start, writer.ranges))
                self.done.add(name)
                written += 1
        return written

    def finish(self, entries: dict[Any, Any]) -> bool:
        """Write the ``entries`` not written yet, then rename the build into
        place and prune older ones. Never raises for a disk problem."""
        tmp: Path | None = self.tmp
        try:
            self.write(entries)
            with _collector_paused():
                with _private(tmp / "entries.pkl") as fh:
                    pickle.dump({"format": FORMAT, "entries": self.index}, fh, protocol=pickle.HIGHEST_PROTOCOL)
                target = self.folder / f"{self.key}{_SUFFIX}"
                if target.exists():
                    shutil.rmtree(target, ignore_errors=True)
                os.replace(tmp, target)
                tmp = None
                _prune(self.folder)
            return True
        except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError) as exc:
            print(f"partnernetz: could not keep the build in {self.folder}: {exc}", file=sys.stderr)
            return False
        finally:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)

    def abandon(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


class _appending:
    """A build file (made by :func:`begin`) opened at its end for appending,
    synced to disk on close."""

    def __init__(self, path: Path):
        self.fh = os.fdopen(os.open(path, os.O_RDWR), "r+b")
        self.fh.seek(0, os.SEEK_END)

    def __enter__(self):
        return self.fh

    def __exit__(self, *exc: Any) -> None:
        try:
            self.fh.flush()
            os.fsync(self.fh.fileno())
        finally:
            self.fh.close()


class _private:
    """A new file opened for writing with mode 0600, synced to disk on close."""

    def __init__(self, path: Path):
        self.fh = os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")

    def __enter__(self):
        return self.fh

    def __exit__(self, *exc: Any) -> None:
        try:
            if exc[0] is None:
                self.fh.flush()
                os.fsync(self.fh.fileno())
        finally:
            self.fh.close()


def _builds(folder: Path) -> list[Path]:
    return [p for p in folder.glob(f"*{_SUFFIX}") if not p.name.startswith(".")]


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _prune(folder: Path) -> None:
    builds = sorted(_builds(folder), key=lambda f: f.stat().st_mtime, reverse=True)
    for old in builds[KEEP:]:
        _remove(old)
    _sweep_unfinished(folder)


def _now() -> float:
    import time

    return time.time()


def origin_of(paths: Iterable[str | os.PathLike]) -> str:
    """Where a build's data come from: the dataset files' or the workspace's resolved paths."""
    return "\n".join(str(Path(p).resolve()) for p in paths)


def discard(folder: str | os.PathLike | None, *, origin: str | None = None, keep: str | None = None) -> int:
    """Delete the kept builds in ``folder`` of data from ``origin`` (all when
    None) but ``keep`` (a key), e.g. when the served data changed (a build of
    erased data must not wait for the next save). Builds of other data stay.
    Returns how many were deleted."""
    if folder is None or not Path(folder).is_dir():
        return 0
    gone = 0
    for build in _builds(Path(folder)):
        if keep is not None and build.name == f"{keep}{_SUFFIX}":
            continue
        if origin is not None:
            try:
                if (build / "origin.txt").read_text() != origin:
                    continue
            except OSError:  # an older layout or a broken build: of unknown origin, so never served again
                pass
        _remove(build)
        gone += 1
    return gone


# ------------------------------------------------------------------ reading
class _Chunks:
    """``data`` as a file read by Python code in chunks of at most :data:`_CHUNK` bytes.

    The C unpickler holds the interpreter lock for as long as it reads from
    an in-memory buffer: a 35 MB index would stop every request thread for
    the whole read (seconds on a busy machine). Reading through these Python
    methods lets the lock change hands after every chunk, so a visitor
    arriving meanwhile is answered between chunks.

    >>> f = _Chunks(b"abcdef"); f.peek(4), f.read(2), f.read(10), f.read(1)
    (b'abcd', b'ab', b'cdef', b'')
    """

    def __init__(self, data: Any):
        self._data, self._at = memoryview(data), 0

    def peek(self, n: int = 1) -> bytes:
        return bytes(self._data[self._at:self._at + max(1, min(n, _CHUNK))])

    def read(self, n: int = -1) -> bytes:
        end = len(self._data) if n is None or n < 0 else self._at + n
        out = bytes(self._data[self._at:end])
        self._at += len(out)
        return out

    def readinto(self, buffer: Any) -> int:
        out = self._data[self._at:self._at + len(buffer)]
        memoryview(buffer)[:len(out)] = out
        self._at += len(out)
        return len(out)

    def readline(self) -> bytes:
        end = bytes(self._data[self._at:]).find(b"\n")
        return self.read(-1 if end < 0 else end + 1)


#: Largest piece the unpickler reads at once (see :class:`_Chunks`).
_CHUNK = 1 << 16


class _Reader(pickle.Unpickler):
    def __init__(self, data: Any, graph: Any, buffers: list[Any]):
        super().__init__(_Chunks(data), buffers=buffers)
        self._graph = graph

    def persistent_load(self, pid: Any) -> Any:
        if pid == "graph":
            return self._graph
        raise pickle.UnpicklingError(f"unknown reference {pid!r}")


class _Pickles:
    """``objects.bin`` read by byte range (``os.pread``) through a descriptor
    opened at restore; forked workers share it (``pread`` has no file offset
    to race on)."""

    def __init__(self, path: Path):
        self._fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))

    def read(self, start: int, size: int) -> bytes:
        parts, done = [], 0
        while done < size:
            part = os.pread(self._fd, size - done, start + done)
            if not part:
                raise EOFError("objects.bin is shorter than its index says")
            parts.append(part)
            done += len(part)
        return b"".join(parts) if len(parts) != 1 else parts[0]


def _mapped(path: Path) -> Any:
    """``path`` mapped copy-on-write (an empty file: empty bytes)."""
    with open(path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return b""
        return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_COPY)


def restore(folder: str | os.PathLike | None, key: str) -> Kept | None:
    """The build kept under ``key``, or None (none kept, unreadable: then it
    is removed and the data are loaded from the files as usual). The graph
    and report are read now, the indexes when asked for (:meth:`Kept.loaders`)."""
    if folder is None:
        return None
    path = Path(folder) / f"{key}{_SUFFIX}"
    if not path.exists():
        return None
    was_enabled = gc.isenabled()
    gc.disable()  # millions of acyclic objects: no collection passes while they arrive
    try:
        if not path.is_dir():
            raise ValueError("not a kept build of this version")
        with open(path / "entries.pkl", "rb") as fh:
            index = pickle.load(fh)
        with open(path / "graph.pkl", "rb") as fh:
            head = pickle.load(fh)
        if not (isinstance(head, dict) and head.get("format") == FORMAT and isinstance(index, dict)
                and index.get("format") == FORMAT):
            raise ValueError("not a kept build of this version")
        # the pickles are read with pread when an index is first asked for (not mapped: a mapping
        # keeps every page read in the process's memory, ~100 MB at 100k, long after unpickling);
        # the descriptor stays open, so a lazy read works even after the folder is discarded
        objects, arrays = _Pickles(path / "objects.bin"), _mapped(path / "arrays.bin")
        os.utime(path)  # the newest in use stays on prune
        graph = head["graph"]
        loaders = {name: _loader(objects, arrays, graph, start, size, ranges)
                   for name, start, size, ranges in index["entries"]}
        return Kept(graph, head["report"], loaders)
    except Exception as exc:  # noqa: BLE001 - a broken build is never fatal: load from the files
        print(f"partnernetz: ignoring the kept build {path.name}: {exc}", file=sys.stderr)
        _remove(path)
        return None
    finally:
        if was_enabled:
            gc.enable()


def _loader(objects: Any, arrays: Any, graph: Any, start: int, size: int,
            ranges: list[tuple[int, int]]) -> Callable[[], Any]:
    """Reads one index on its first call (with the garbage collector paused)."""
    done: list[Any] = []
    guard = threading.Lock()

    def load() -> Any:
        with guard:
            if not done:
                view = memoryview(arrays)
                was_enabled = gc.isenabled()
                gc.disable()
                try:
                    done.append(_Reader(objects.read(start, size), graph,
                                        [view[a:a + n] for a, n in ranges]).load())
                    # long-lived like the graph: out of the collector's generations at once, or the
                    # next collections walk its (up to a million) objects three times over
                    gc.freeze()
                finally:
                    if was_enabled:
                        gc.enable()
            return done[0]

    return load
