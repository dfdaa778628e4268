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

__all__ = ["audit_export", "read_audit"]

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
