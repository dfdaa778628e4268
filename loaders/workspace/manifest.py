"""The manifest of an export: which workspace version it holds and whether it
is *partial* (what it leaves out), so that importing it back never deletes the
records it could not contain.

In a CSV ZIP (or folder) it is ``manifest.json``; in a workbook it is the sheet
``manifest`` with ``key | value`` rows (values as JSON).

>>> m = Manifest(version=3, omitted=(UNCONSENTED,))
>>> Manifest.from_dict(m.to_dict()) == m, m.partial
(True, True)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Manifest", "read_manifest", "MANIFEST_FILE", "MANIFEST_SHEET", "UNCONSENTED", "ALL_CONTACTS", "FORMAT"]

FORMAT = "partnernetz-export-1"
MANIFEST_FILE = "manifest.json"
MANIFEST_SHEET = "manifest"
#: What a partial export may leave out.
UNCONSENTED = "contacts_without_consent"  # contacts without consent and their attendance
ALL_CONTACTS = "all_contacts"  # every contact and all attendance (served without personal data)


@dataclass(frozen=True)
class Manifest:
    version: int | None = None
    omitted: tuple[str, ...] = ()
    tables: dict[str, int] = field(default_factory=dict, compare=False)
    created: str = field(default="", compare=False)

    @property
    def partial(self) -> bool:
        return bool(self.omitted)

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "workspace_version": self.version, "partial": self.partial,
                "omitted": list(self.omitted), "tables": dict(self.tables), "created": self.created}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Manifest":
        omitted = data.get("omitted") or ()
        if isinstance(omitted, str):
            omitted = (omitted,)
        return cls(version=data.get("workspace_version"), omitted=tuple(str(o) for o in omitted),
                   tables={str(k): int(v) for k, v in (data.get("tables") or {}).items()},
                   created=str(data.get("created") or ""))

    def describe(self) -> str:
        if not self.partial:
            return f"full export of version {self.version}"
        return f"partial export of version {self.version} (leaves out: {', '.join(self.omitted)})"


def read_manifest(path: str | Path) -> Manifest | None:
    """The manifest of a dataset (folder with ``manifest.json`` or workbook with a
    ``manifest`` sheet), None when it has none or it cannot be read."""
    path = Path(path)
    try:
        if path.is_dir():
            file = path / MANIFEST_FILE
            if file.is_file():
                data = json.loads(file.read_text(encoding="utf-8-sig"))
                return Manifest.from_dict(data) if isinstance(data, dict) else None
            return None
        if path.suffix.lower() == ".xlsx":
            import openpyxl

            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                sheet = next((ws for ws in wb.worksheets if ws.title.strip().lower() == MANIFEST_SHEET), None)
                if sheet is None:
                    return None
                data = {}
                for row in sheet.iter_rows(min_row=2, max_col=2, values_only=True):
                    if row and row[0]:
                        data[str(row[0])] = json.loads(row[1]) if isinstance(row[1], str) else row[1]
                return Manifest.from_dict(data)
            finally:
                wb.close()
    except (OSError, ValueError, TypeError, KeyError):
        return None
    except Exception:  # openpyxl raises many types for broken files; the loader reports those
        return None
    return None
