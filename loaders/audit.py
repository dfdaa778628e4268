"""The audit log of personal-data exports: one JSON object per line in a
local file (who, when, what, format, how many rows, which contact ids).

>>> import tempfile, pathlib, json
>>> path = pathlib.Path(tempfile.mkdtemp()) / "audit.jsonl"
>>> entry = audit_export(path, user="anna", what="guest list", fmt="csv", contact_ids=["contact:c1"])
>>> json.loads(path.read_text())["rows"]
1
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import threading
from pathlib import Path
from typing import Any, Iterable

__all__ = ["audit_export", "read_audit", "AuditSink"]

_LOCK = threading.Lock()


def audit_export(path: str | os.PathLike, *, user: str, what: str, fmt: str, contact_ids: Iterable[str],
                 **extra: Any) -> dict[str, Any]:
    """Append one export record to the JSON-lines file ``path`` and return it.

    Fields: ``time`` (UTC, ISO 8601), ``user``, ``action`` ("export"),
    ``what``, ``format``, ``rows`` and ``contact_ids`` (ids, not names, so the
    log itself holds no contact details), plus ``extra``.
    """
    ids = list(contact_ids)
    entry = {"time": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"), "user": user,
             "action": "export", "what": what, "format": fmt, "rows": len(ids), "contact_ids": ids, **extra}
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    with _LOCK, target.open("a", encoding="utf-8") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())
    return entry


def read_audit(path: str | os.PathLike) -> list[dict[str, Any]]:
    """All records of an audit log (``[]`` when it does not exist yet)."""
    target = Path(path)
    if not target.exists():
        return []
    return [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines() if line.strip()]


class AuditSink:
    """Where the running app records: the workspace's append-only audit table
    (:class:`loaders.workspace.audit_trail.AuditTrail`, when there is one)
    and the JSON-lines file (the extra sink, always).

    :meth:`egress` records personal data leaving the app (also when it
    failed, ``ok=False``); :meth:`event` anything else (logins, role changes,
    publishes …).
    """

    def __init__(self, jsonl_path: str | os.PathLike | None, trail: Any = None):
        self.jsonl_path = jsonl_path
        self.trail = trail

    def egress(self, *, user: str, what: str, fmt: str, contact_ids: Iterable[str], address: str = "",
               ok: bool = True, **extra: Any) -> dict[str, Any]:
        ids = list(contact_ids)
        if self.trail is not None:
            self.trail.record("egress" if ok else "egress_failed", user=user, what=what, fmt=fmt, contact_ids=ids,
                              address=address, ok=ok, **extra)
        if self.jsonl_path:
            return audit_export(self.jsonl_path, user=user, what=what, fmt=fmt, contact_ids=ids,
                                **({"address": address} if address else {}), **({} if ok else {"ok": False}), **extra)
        return {"user": user, "what": what, "format": fmt, "rows": len(ids), "contact_ids": ids}

    def __call__(self, *, user: str, what: str, fmt: str, contact_ids: Iterable[str], outcome: str = "released",
                 address: str = "", **extra: Any) -> dict[str, Any]:
        """The egress gate's record (:func:`loaders.egress.release`/``transfer``
        call their ``audit`` with these fields): an egress, failed when the
        outcome says so (``failed``, ``interrupted``)."""
        return self.egress(user=user, what=what, fmt=fmt, contact_ids=contact_ids, address=address,
                           ok=outcome not in ("failed", "interrupted"), outcome=outcome, **extra)

    def event(self, kind: str, *, user: str, what: str = "", address: str = "", **detail: Any) -> None:
        if self.trail is not None:
            self.trail.record(kind, user=user, what=what, address=address, **detail)
        if self.jsonl_path:
            entry = {"time": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"), "user": user,
                     "action": kind, "what": what, **({"address": address} if address else {}), **detail}
            target = Path(self.jsonl_path)
            target.parent.mkdir(parents=True, exist_ok=True)
            with _LOCK, target.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
