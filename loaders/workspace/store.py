"""The workspace file: one SQLite database (standard library, WAL mode).

Tables:

* one table per canonical table of :mod:`loaders.schema` (same name and
  columns, all text, plus ``_key``): the **current** state, materialised;
* ``versions`` (id, parent, time, user, message, kind, counts, source): one
  row per published version; kind is ``import``, ``edit`` or ``revert``;
* ``journal`` (seq, version, tbl, key, op, before, after): every row change of
  every version, ``before``/``after`` as JSON, so any earlier state can be
  rebuilt by undoing the journal from the head backwards. A large first fill
  of a table (a table empty before the version, at least
  :attr:`WorkspaceFile.bulk_rows` rows added) is journalled as one
  ``snapshot`` entry instead of one entry per row: undoing it empties the
  table again, and the rows it added are the table as reconstructed at that
  version, so every version is still rebuilt exactly;
* ``previews``: previews waiting to be published (shared by every serving
  process), and ``meta``.

A publish is one SQLite transaction (``BEGIN IMMEDIATE`` … ``COMMIT``): a
process killed at any moment leaves the file at the old or the new version.

>>> import tempfile, pathlib
>>> ws = WorkspaceFile.create(pathlib.Path(tempfile.mkdtemp()) / "ws.sqlite")
>>> ws.head()
0
"""

from __future__ import annotations

import datetime as _dt
import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from graph.core.errors import PartnernetzError
from loaders.schema import TABLE_ORDER
from loaders.tabular import gc_paused
from loaders.workspace.diff import Change, summarise
from loaders.workspace.keys import columns

__all__ = ["WorkspaceError", "ConflictError", "Version", "WorkspaceFile", "FORMAT", "SNAPSHOT", "read_head"]

#: Format of the file (``meta.format``); bumped when the layout changes.
FORMAT = "partnernetz-workspace-1"


class WorkspaceError(PartnernetzError):
    """The workspace file is missing, not a workspace, or an operation on it is impossible."""


class ConflictError(WorkspaceError):
    """A preview was made against a version that is no longer the head."""

    def __init__(self, base: int, head: int):
        super().__init__(f"the preview was made against version {base}, but version {head} is the current one "
                         f"now; make a fresh preview")
        self.base, self.head = base, head


@dataclass(frozen=True)
class Version:
    """One published version."""

    id: int
    parent: int | None
    time: str
    user: str
    message: str
    kind: str
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "parent": self.parent, "time": self.time, "user": self.user, "message": self.message,
                "kind": self.kind, "counts": self.counts, "source": self.source}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


#: Tables beside the canonical ones, used by editing (loaders.workspace.editing):
#: notes on any record, and tombstones of erased persons (no personal data).
EXTRA_DDL = (
    "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, tbl TEXT NOT NULL, key TEXT NOT NULL, "
    "text TEXT NOT NULL, author TEXT NOT NULL, time TEXT NOT NULL, version INTEGER NOT NULL, "
    "deleted INTEGER NOT NULL DEFAULT 0)",
    "CREATE INDEX IF NOT EXISTS notes_row ON notes(tbl, key)",
    "CREATE TABLE IF NOT EXISTS tombstones (tbl TEXT NOT NULL, key TEXT NOT NULL, time TEXT NOT NULL, "
    "user TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (tbl, key))",
)
EXTRA_TABLES = frozenset({"notes", "tombstones"})

_DDL = [
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS versions (id INTEGER PRIMARY KEY, parent INTEGER, time TEXT NOT NULL, "
    "user TEXT NOT NULL, message TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('import','edit','revert')), "
    "counts TEXT NOT NULL, source TEXT NOT NULL DEFAULT '')",
    "CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY, version INTEGER NOT NULL REFERENCES versions(id), "
    "tbl TEXT NOT NULL, key TEXT NOT NULL, op TEXT NOT NULL CHECK (op IN ('insert','update','delete','snapshot')), "
    "before TEXT, after TEXT)",
    "CREATE INDEX IF NOT EXISTS journal_version ON journal(version)",
    "CREATE INDEX IF NOT EXISTS journal_row ON journal(tbl, key)",
    "CREATE TABLE IF NOT EXISTS previews (token TEXT PRIMARY KEY, created TEXT NOT NULL, base INTEGER NOT NULL, "
    "payload TEXT NOT NULL)",
] + list(EXTRA_DDL) + [
    f"CREATE TABLE IF NOT EXISTS {_q(t)} (_key TEXT PRIMARY KEY, {', '.join(_q(c) + ' TEXT NOT NULL' for c in columns(t))})"
    for t in TABLE_ORDER
]


def _migrate(con: sqlite3.Connection) -> None:
    """Bring a file made by an earlier release up to date: columns added to
    the schema since (empty text) and the editing tables. Cheap when nothing is missing."""
    missing = []
    for t in TABLE_ORDER:
        have = {r[1] for r in con.execute(f"PRAGMA table_info({_q(t)})")}
        missing += [(t, c) for c in columns(t) if c not in have]
    extra = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not missing and EXTRA_TABLES <= extra:
        return
    con.execute("BEGIN IMMEDIATE")
    try:
        for t, c in missing:
            con.execute(f"ALTER TABLE {_q(t)} ADD COLUMN {_q(c)} TEXT NOT NULL DEFAULT ''")
        for stmt in EXTRA_DDL:
            con.execute(stmt)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _values_of(cols: tuple[str, ...]) -> Callable[[Mapping[str, str]], tuple[str, ...]]:
    """``row -> (row[c] for c in cols)`` at C speed, '' for a missing column."""
    get = itemgetter(*cols) if len(cols) > 1 else (lambda row: (row[cols[0]],))

    def values(row: Mapping[str, str]) -> tuple[str, ...]:
        try:
            return get(row)
        except KeyError:  # a row without some column (e.g. stored before it existed)
            return tuple(row.get(c, "") for c in cols)

    return values


def read_head(path: str | Path) -> int:
    """The head of the workspace at ``path`` with one small query (what serving processes poll)."""
    con = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True, timeout=5)
    try:
        return con.execute("SELECT coalesce(max(id), 0) FROM versions").fetchone()[0]
    finally:
        con.close()


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


#: Journal operation of a bulk first fill of a table (see the module docstring).
SNAPSHOT = "snapshot"


class WorkspaceFile:
    """Open workspace file. Cheap to create; each call opens its own
    connection when used from several threads (``connect``)."""

    #: A table empty before a publish that adds at least this many rows is
    #: journalled as one ``snapshot`` entry (a first import of a large dataset).
    bulk_rows = 5000

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.is_file():
            raise WorkspaceError(f"{self.path}: no workspace file (create one with `workspace init`)")
        try:
            with self.connect() as con:
                row = con.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise WorkspaceError(f"{self.path}: not a Partnernetz workspace ({exc})") from exc
        if row is None or row[0] != FORMAT:
            raise WorkspaceError(f"{self.path}: not a Partnernetz workspace (format {row[0] if row else 'missing'})")
        with self.connect() as con:
            _migrate(con)

    def __repr__(self) -> str:
        return f"<WorkspaceFile {self.path}>"

    @classmethod
    def create(cls, path: str | Path) -> "WorkspaceFile":
        """Create an empty workspace (version 0); raises when ``path`` exists."""
        path = Path(path)
        if path.exists():
            raise WorkspaceError(f"{path}: exists already")
        path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(path, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("BEGIN IMMEDIATE")
            for stmt in _DDL:
                con.execute(stmt)
            con.executemany("INSERT INTO meta VALUES (?, ?)", [("format", FORMAT), ("created", _now())])
            con.execute("COMMIT")
        finally:
            con.close()
        return cls(path)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A fresh connection (autocommit; transactions are explicit)."""
        con = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=False)
        try:
            con.execute("PRAGMA synchronous=FULL")  # WAL mode is persistent: set once by create()
            con.execute("PRAGMA foreign_keys=ON")
            con.execute("PRAGMA cache_size=-65536")  # 64 MB page cache: large imports rebuild big key indexes
            con.execute("PRAGMA temp_store=MEMORY")
            yield con
        finally:
            con.close()

    # ------------------------------------------------------------ reading
    def head(self, con: sqlite3.Connection | None = None) -> int:
        """The current version (0 for an empty workspace)."""
        if con is None:
            with self.connect() as con:
                return self.head(con)
        return con.execute("SELECT coalesce(max(id), 0) FROM versions").fetchone()[0]

    def versions(self) -> list[Version]:
        """Every version, newest first."""
        with self.connect() as con:
            rows = con.execute("SELECT id, parent, time, user, message, kind, counts, source FROM versions ORDER BY id DESC").fetchall()
        return [Version(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7]) for r in rows]

    def version(self, number: int) -> Version:
        for v in self.versions():
            if v.id == number:
                return v
        raise WorkspaceError(f"{self.path}: no version {number} (versions 1–{self.head()})")

    def rows(self, table: str, keys: Iterable[str] | None = None,
             con: sqlite3.Connection | None = None) -> dict[str, dict[str, str]]:
        """Current rows of ``table`` as ``{key: row}`` (only ``keys`` when given)."""
        if con is None:
            with self.connect() as con:
                return self.rows(table, keys, con)
        cols = columns(table)
        select = f"SELECT _key, {', '.join(_q(c) for c in cols)} FROM {_q(table)}"
        if keys is None:
            cursor = con.execute(select + " ORDER BY rowid")
            return {r[0]: dict(zip(cols, r[1:])) for r in cursor}
        out: dict[str, dict[str, str]] = {}
        wanted = list(dict.fromkeys(keys))
        for i in range(0, len(wanted), 500):
            chunk = wanted[i:i + 500]
            cursor = con.execute(select + f" WHERE _key IN ({', '.join('?' * len(chunk))})", chunk)
            out.update((r[0], dict(zip(cols, r[1:]))) for r in cursor)
        return out

    def row_values(self, table: str, con: sqlite3.Connection | None = None) -> dict[str, tuple[str, ...]]:
        """Current rows of ``table`` as ``{key: values in columns(table) order}``:
        no dict per row, for comparing a whole table (see :meth:`rows`)."""
        if con is None:
            with self.connect() as con:
                return self.row_values(table, con)
        cursor = con.execute(f"SELECT _key, {', '.join(_q(c) for c in columns(table))} FROM {_q(table)} ORDER BY rowid")
        return {r[0]: r[1:] for r in cursor}

    def state(self) -> dict[str, dict[str, dict[str, str]]]:
        """The whole current state ``{table: {key: row}}`` (one read transaction)."""
        return self.read_head_state()[1]

    def read_head_state(self, tables: Iterable[str] = TABLE_ORDER) -> tuple[int, dict[str, dict[str, dict[str, str]]]]:
        """``(head, {table: {key: row}})`` read in one transaction, so both belong together."""
        with self.connect() as con:
            con.execute("BEGIN")
            try:
                return self.head(con), {t: self.rows(t, con=con) for t in tables}
            finally:
                con.execute("COMMIT")

    def read_head_numbered(self, tables: Iterable[str] = TABLE_ORDER) -> tuple[int, dict[str, list[tuple[int, dict[str, str]]]]]:
        """``(head, {table: [(number, row), …]})`` in one transaction; a row's
        number is its rowid + 1 (so "row 2" is a table's first row, as in a
        sheet): it stays the same while the row exists, whatever is deleted
        before it, so a graph updated edit by edit names rows as a rebuild does."""
        with self.connect() as con:
            con.execute("BEGIN")
            try:
                out = {}
                for t in tables:
                    cols = columns(t)
                    cursor = con.execute(f"SELECT rowid, {', '.join(_q(c) for c in cols)} FROM {_q(t)} ORDER BY rowid")
                    out[t] = [(r[0] + 1, dict(zip(cols, r[1:]))) for r in cursor]
                return self.head(con), out
            finally:
                con.execute("COMMIT")

    def row_counts(self, con: sqlite3.Connection | None = None) -> dict[str, int]:
        if con is None:
            with self.connect() as con:
                return self.row_counts(con)
        return {t: con.execute(f"SELECT count(*) FROM {_q(t)}").fetchone()[0] for t in TABLE_ORDER}

    def journal(self, after: int, upto: int | None = None) -> list[tuple[int, str, str, str, dict | None, dict | None]]:
        """Journal entries of versions ``after < version <= upto`` in order:
        ``(version, table, key, op, before, after)``; a ``snapshot`` entry
        (key ``*``, no rows) stands for a bulk first fill of ``table``."""
        with self.connect() as con:
            upto = self.head(con) if upto is None else upto
            cursor = con.execute("SELECT version, tbl, key, op, before, after FROM journal WHERE version > ? AND version <= ? "
                                 "ORDER BY seq", (after, upto))
            return [(v, t, k, op, json.loads(b) if b else None, json.loads(a) if a else None) for v, t, k, op, b, a in cursor]

    # ------------------------------------------------------------ writing
    def publish(self, changes: list[Change], *, base: int, user: str, message: str, kind: str,
                source: str = "", also: Callable[[sqlite3.Connection], None] | None = None) -> Version:
        """Apply ``changes`` as one new version on top of ``base``, in one transaction.

        ``also`` writes what belongs to the same change outside the canonical
        tables (e.g. the pipeline's record of a participation) inside that
        transaction, so both happen or neither.

        Raises :class:`ConflictError` when ``base`` is not the head any more,
        :class:`WorkspaceError` when there is nothing to publish.
        """
        if not changes:
            raise WorkspaceError("nothing to publish: the data are the same as in the current version")
        counts = summarise(changes)
        with gc_paused(), self.connect() as con:
            con.execute("BEGIN IMMEDIATE")  # one writer at a time; readers keep reading the old version
            try:
                head = self.head(con)
                if head != base:
                    raise ConflictError(base, head)
                number = head + 1
                rows = self.row_counts(con)
                for table, c in counts.items():
                    c["rows"] = rows[table] + c["added"] - c["removed"]
                con.execute("INSERT INTO versions (id, parent, time, user, message, kind, counts, source) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            (number, head or None, _now(), user, message, kind, json.dumps(counts), source))
                self._apply(con, changes)
                bulk = self._bulk_tables(con, counts, rows)
                con.executemany("INSERT INTO journal (version, tbl, key, op) VALUES (?, ?, '*', ?)",
                                ((number, table, SNAPSHOT) for table in sorted(bulk)))
                con.executemany(
                    "INSERT INTO journal (version, tbl, key, op, before, after) VALUES (?, ?, ?, ?, ?, ?)",
                    ((number, c.table, c.key, c.op,
                      json.dumps(c.before, ensure_ascii=False) if c.before is not None else None,
                      json.dumps(c.after, ensure_ascii=False) if c.after is not None else None)
                     for c in changes if c.table not in bulk))
                if also is not None:
                    also(con)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return self.version(number)

    def _bulk_tables(self, con: sqlite3.Connection, counts: Mapping[str, Mapping[str, int]],
                     before: Mapping[str, int]) -> set[str]:
        """Tables this publish fills from empty with at least :attr:`bulk_rows` rows
        (journalled as one snapshot entry each), when the file's journal allows it."""
        ddl = con.execute("SELECT sql FROM sqlite_master WHERE name = 'journal'").fetchone()
        if ddl is None or SNAPSHOT not in ddl[0]:  # a file created before snapshots existed
            return set()
        return {t for t, c in counts.items()
                if before.get(t, 0) == 0 and c["added"] >= self.bulk_rows and c["changed"] == c["removed"] == 0}

    @staticmethod
    def _apply(con: sqlite3.Connection, changes: list[Change]) -> None:
        by: dict[tuple[str, str], list[Change]] = {}
        for c in changes:
            by.setdefault((c.table, c.op), []).append(c)
        for (table, op), items in by.items():
            cols = columns(table)
            values = _values_of(cols)
            if op == "delete":
                con.executemany(f"DELETE FROM {_q(table)} WHERE _key = ?", ((c.key,) for c in items))
            elif op == "insert":
                con.executemany(f"INSERT INTO {_q(table)} (_key, {', '.join(map(_q, cols))}) VALUES ({', '.join('?' * (len(cols) + 1))})",
                                ((c.key, *values(c.after)) for c in items))
            else:
                con.executemany(f"UPDATE {_q(table)} SET {', '.join(_q(col) + ' = ?' for col in cols)} WHERE _key = ?",
                                ((*values(c.after), c.key) for c in items))

    # ------------------------------------------------------------ previews
    def save_preview(self, token: str, base: int, payload: Mapping[str, Any]) -> None:
        """Keep a preview for a later publish (any process); previews older than a day are dropped.

        Written without waiting for the disk (``synchronous=NORMAL``: no fsync
        at commit in WAL mode): a preview is scratch, every process sees it at
        once, and only a power cut or OS crash could lose it, after which the
        publish says it expired and the user uploads again. On a busy disk a
        synchronous commit waits for other processes' writes and cost seconds."""
        cutoff = (_dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(days=1)).isoformat(timespec="seconds")
        with self.connect() as con:
            con.execute("PRAGMA synchronous=NORMAL")
            con.execute("BEGIN IMMEDIATE")
            con.execute("DELETE FROM previews WHERE created < ?", (cutoff,))
            con.execute("INSERT OR REPLACE INTO previews VALUES (?, ?, ?, ?)", (token, _now(), base, json.dumps(payload, ensure_ascii=False)))
            con.execute("COMMIT")

    def load_preview(self, token: str) -> dict[str, Any]:
        with self.connect() as con:
            row = con.execute("SELECT payload FROM previews WHERE token = ?", (token,)).fetchone()
        if row is None:
            raise WorkspaceError("this preview has expired or was published already; upload the file again")
        return json.loads(row[0])

    def drop_preview(self, token: str) -> None:
        with self.connect() as con:
            con.execute("DELETE FROM previews WHERE token = ?", (token,))
