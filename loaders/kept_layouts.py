"""Laid-out network views kept on disk, shared by every serving process.

A force layout of a crowded view (an expanded Land or theme at 100k nodes)
costs 50–130 ms of CPU; each worker process of ``serve --workers N`` used to
compute the same view again, and a restart forgot them all. The layout of a
view is a pure function of its input, so a digest of that input names it
(``dashboard.elements.positions`` makes the digest): whatever process laid it
out first, every other one reads it here, now and after a restart, whatever
the dataset version — a changed view has another digest.

The store is one SQLite file (WAL: readers never wait for the writer; a
crash loses at most the last entries, never the file) holding, per digest,
the coordinates as little-endian float64 pairs in the order of the view's
node ids — node ids, labels or any other data are not stored. It keeps the
:data:`LIMIT` newest entries. It is a cache: any error reading or writing it
makes the caller compute the layout as before (reported once on stderr).

>>> import tempfile, os
>>> store = KeptLayouts(os.path.join(tempfile.mkdtemp(), "layouts.sqlite"))
>>> store.put(b"k" * 20, ["a", "b"], {"a": (1.0, 2.0), "b": (3.5, -4.0)})
>>> store.get(b"k" * 20, ["a", "b"])
{'a': (1.0, 2.0), 'b': (3.5, -4.0)}
>>> store.get(b"x" * 20, ["a", "b"]) is None
True
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import threading
import time
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

__all__ = ["KeptLayouts", "LIMIT", "FILE_NAME"]

#: Layouts kept (the newest); a 1,500-element view's takes ~12–24 KB.
LIMIT = 5000
#: Name of the file in the kept-builds folder.
FILE_NAME = "layouts.sqlite"
#: Writes between two trims to :data:`LIMIT`.
_TRIM_EVERY = 200


class KeptLayouts:
    """Positions by digest in the SQLite file ``path`` (created when missing).
    ``salt`` (e.g. the code's digest) is part of every key: layouts of other
    code are never read back."""

    def __init__(self, path: str | os.PathLike, *, limit: int = LIMIT, salt: bytes = b"") -> None:
        self.path = Path(path)
        self.limit = limit
        self.salt = salt
        self._local = threading.local()
        self._writes = 0
        self._warned = False

    # ------------------------------------------------------------ access
    def get(self, key: bytes, nodes: Sequence[str]) -> dict[str, tuple[float, float]] | None:
        """The positions kept under ``key`` for ``nodes`` (the view's node
        ids in the order they were put), or None."""
        try:
            row = self._db().execute("SELECT xy FROM layouts WHERE key = ?", (self._key(key),)).fetchone()
        except (sqlite3.Error, OSError) as exc:
            self._warn(exc)
            return None
        if row is None or len(row[0]) != 16 * len(nodes):
            return None
        xy = np.frombuffer(row[0], dtype="<f8").reshape(-1, 2).tolist()
        return {n: (x, y) for n, (x, y) in zip(nodes, xy)}

    def put(self, key: bytes, nodes: Sequence[str], pos: Mapping[str, tuple[float, float]]) -> None:
        """Keep ``pos`` (a position for every id of ``nodes``) under ``key``."""
        blob = np.asarray([pos[n] for n in nodes], dtype="<f8").tobytes()
        try:
            db = self._db()
            with db:
                db.execute("INSERT OR REPLACE INTO layouts (key, xy, at) VALUES (?, ?, ?)", (self._key(key), blob, time.time()))
            self._writes += 1
            if self._writes % _TRIM_EVERY == 0:
                self.trim()
        except (sqlite3.Error, OSError) as exc:
            self._warn(exc)

    def trim(self) -> int:
        """Drop all but the :attr:`limit` newest layouts; how many went."""
        db = self._db()
        with db:
            cur = db.execute("DELETE FROM layouts WHERE key IN (SELECT key FROM layouts ORDER BY at DESC "
                             "LIMIT -1 OFFSET ?)", (self.limit,))
        return cur.rowcount

    def __len__(self) -> int:
        return self._db().execute("SELECT count(*) FROM layouts").fetchone()[0]

    # ------------------------------------------------------------ internals
    def _key(self, key: bytes) -> bytes:
        return hashlib.blake2b(self.salt + key, digest_size=20).digest() if self.salt else key

    def _db(self) -> sqlite3.Connection:
        """This thread's connection (a new one after a fork: a connection
        must not cross processes)."""
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            local.db = self._open()
            local.pid = os.getpid()
        return local.db

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            return self._connect()
        except sqlite3.DatabaseError:  # not a database (damaged, foreign): a cache starts again
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=2.0, isolation_level=None, check_same_thread=False)
        os.chmod(self.path, 0o600)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS layouts (key BLOB PRIMARY KEY, xy BLOB NOT NULL, at REAL NOT NULL)")
        db.execute("CREATE INDEX IF NOT EXISTS layouts_at ON layouts (at)")
        return db

    def _warn(self, exc: BaseException) -> None:
        if not self._warned:
            self._warned = True
            print(f"partnernetz: kept layouts in {self.path} unusable ({exc}); views are laid out anew",
                  file=sys.stderr)
