"""The audit trail in the workspace file: an append-only table.

``audit`` (seq, time, user, kind, what, format, rows, contact_ids, address,
ok, detail). SQLite triggers refuse every UPDATE and DELETE, so neither the
app nor anyone using the ``sqlite3`` shell without dropping the triggers
rewrites history. Kinds (:data:`KINDS`): logins and failed logins, logouts,
account changes, publishes and edits (``detail`` names the version, i.e. the
journal entry), and every egress of personal data — also failed ones.

Contact ids, not names, are stored, so the trail itself holds no contact details.

>>> import tempfile, pathlib
>>> trail = AuditTrail(pathlib.Path(tempfile.mkdtemp()) / "ws.sqlite")
>>> _ = trail.record("login", user="anna", address="10.0.0.1")
>>> [e["kind"] for e in trail.query(user="anna")]
['login']
"""

from __future__ import annotations

import datetime as _dt
import json
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

__all__ = ["AuditTrail", "KINDS", "AuditAppendOnly"]

#: What the trail records.
KINDS = ("login", "login_failed", "login_throttled", "logout", "user_add", "user_passwd", "role_change",
         "user_disable", "user_enable", "token_issue", "publish", "revert", "edit", "egress", "egress_failed",
         "denied")

_DDL = [
    "CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, user TEXT NOT NULL, "
    "kind TEXT NOT NULL, what TEXT NOT NULL DEFAULT '', format TEXT NOT NULL DEFAULT '', rows INTEGER NOT NULL DEFAULT 0, "
    "contact_ids TEXT NOT NULL DEFAULT '[]', address TEXT NOT NULL DEFAULT '', ok INTEGER NOT NULL DEFAULT 1, "
    "detail TEXT NOT NULL DEFAULT '{}')",
    "CREATE INDEX IF NOT EXISTS audit_kind_time ON audit(kind, time)",
    "CREATE INDEX IF NOT EXISTS audit_user_time ON audit(user, time)",
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
]

_FIELDS = ("seq", "time", "user", "kind", "what", "format", "rows", "contact_ids", "address", "ok", "detail")

#: SQLite's message when a trigger refuses a change (for callers that test it).
AuditAppendOnly = "the audit trail is append-only"


def _iso(t: _dt.datetime) -> str:
    return t.astimezone(_dt.timezone.utc).isoformat(timespec="milliseconds")


class AuditTrail:
    """The audit table of the workspace file at ``path`` (created when missing)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        with self.connect() as con:
            for stmt in _DDL:
                con.execute(stmt)

    def __repr__(self) -> str:
        return f"<AuditTrail {self.path}>"

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        con = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=False)
        try:
            yield con
        finally:
            con.close()

    def record(self, kind: str, *, user: str, what: str = "", fmt: str = "", contact_ids: Iterable[str] = (),
               address: str = "", ok: bool = True, **detail: Any) -> dict[str, Any]:
        """Append one entry and return it."""
        if kind not in KINDS:
            raise ValueError(f"unknown audit kind {kind!r}")
        ids = list(contact_ids)
        entry = {"time": _iso(_dt.datetime.now(_dt.timezone.utc)), "user": user, "kind": kind, "what": what,
                 "format": fmt, "rows": len(ids), "contact_ids": ids, "address": address, "ok": ok, "detail": detail}
        with self.connect() as con:
            cur = con.execute(
                "INSERT INTO audit (time, user, kind, what, format, rows, contact_ids, address, ok, detail) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (entry["time"], user, kind, what, fmt, len(ids), json.dumps(ids), address, int(ok),
                 json.dumps(detail, ensure_ascii=False, default=str)))
            entry["seq"] = cur.lastrowid
        return entry

    def query(self, *, user: str | None = None, kind: str | Iterable[str] | None = None,
              since: _dt.datetime | str | None = None, until: _dt.datetime | str | None = None,
              limit: int = 1000) -> list[dict[str, Any]]:
        """Entries, newest first, filtered by user (exact), kind(s) and time range."""
        where, params = [], []
        if user:
            where.append("user = ?")
            params.append(user)
        if kind:
            kinds = [kind] if isinstance(kind, str) else list(kind)
            where.append(f"kind IN ({', '.join('?' * len(kinds))})")
            params.extend(kinds)
        if since:
            where.append("time >= ?")
            params.append(_iso(since) if isinstance(since, _dt.datetime) else str(since))
        if until:
            where.append("time <= ?")
            params.append(_iso(until) if isinstance(until, _dt.datetime) else str(until))
        sql = f"SELECT {', '.join(_FIELDS)} FROM audit" + (f" WHERE {' AND '.join(where)}" if where else "")
        sql += " ORDER BY seq DESC LIMIT ?"
        params.append(int(limit))
        with self.connect() as con:
            rows = con.execute(sql, params).fetchall()
        out = []
        for r in rows:
            entry = dict(zip(_FIELDS, r))
            entry["contact_ids"] = json.loads(entry["contact_ids"])
            entry["detail"] = json.loads(entry["detail"])
            entry["ok"] = bool(entry["ok"])
            out.append(entry)
        return out

    def count(self, kind: str, *, since: _dt.datetime, user: str | None = None, address: str | None = None) -> int:
        """How many ``kind`` entries since ``since`` (for one user and/or address)."""
        sql, params = "SELECT count(*) FROM audit WHERE kind = ? AND time >= ?", [kind, _iso(since)]
        if user is not None:
            sql += " AND user = ?"
            params.append(user)
        if address is not None:
            sql += " AND address = ?"
            params.append(address)
        with self.connect() as con:
            return con.execute(sql, params).fetchone()[0]
