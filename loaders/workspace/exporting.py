"""Export any workspace version as an ``.xlsx`` workbook or a ZIP of CSV tables, with a manifest.

A *full* export (``full=True``) holds every row, contacts without consent
included; callers allow it only to those who may see personal data and audit
it. The plain export leaves out contacts without consent and their attendance
(or every contact with ``contacts=False``) and says so in its manifest, so
importing it back in mode *replace* keeps those rows.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from graph.people.privacy import PrivacyError
from loaders.egress import Decision
from loaders.schema import TABLE_ORDER
from loaders.workspace.history import check_version, state_at
from loaders.workspace.keys import columns
from loaders.workspace.manifest import ALL_CONTACTS, MANIFEST_FILE, MANIFEST_SHEET, UNCONSENTED, Manifest
from loaders.workspace.store import WorkspaceFile

__all__ = ["ExportResult", "export_version", "export_bytes", "FORMATS", "WorkspacePayload"]

FORMATS = ("xlsx", "csv")
_FORMULA_START = ("=", "+", "@", "\t", "\r")


class ExportResult:
    """The bytes of an export, its file name, manifest and the contact ids it holds (for the audit log)."""

    def __init__(self, content: bytes, filename: str, manifest: Manifest, contact_ids: list[str]):
        self.content, self.filename, self.manifest, self.contact_ids = content, filename, manifest, contact_ids


def _select(state: dict, *, full: bool, contacts: bool) -> tuple[dict, tuple[str, ...]]:
    if not contacts:
        return {**state, "contacts": {}, "attendance": {}}, (ALL_CONTACTS,)
    if full:
        return state, ()
    hidden = {k for k, r in state.get("contacts", {}).items() if r.get("consent", "").lower() != "true"}
    if not hidden:
        return state, ()
    return ({**state, "contacts": {k: r for k, r in state["contacts"].items() if k not in hidden},
             "attendance": {k: r for k, r in state.get("attendance", {}).items() if r.get("contact") not in hidden}},
            (UNCONSENTED,))


def _csv_cell(value: str) -> str:
    # a CSV opened in a spreadsheet must not run formulas: prefix them with '
    return "'" + value if value.startswith(_FORMULA_START) else value


def export_bytes(ws: WorkspaceFile, version: int | None = None, *, fmt: str = "xlsx", full: bool = False,
                 contacts: bool = True) -> ExportResult:
    """Version ``version`` (default: head) as ``fmt`` (``xlsx`` or ``csv`` = ZIP)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (choose {' or '.join(FORMATS)})")
    if version is None:
        version, state = ws.read_head_state()
    else:
        check_version(ws, version, allow_zero=False)
        state = state_at(ws, version)
    state, omitted = _select(state, full=full, contacts=contacts)
    manifest = Manifest(version=version, omitted=omitted, tables={t: len(state.get(t, {})) for t in TABLE_ORDER},
                        created=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
    stem = f"partnernetz-v{version}{'' if manifest.partial else '-vollständig'}"
    contact_ids = [f"contact:{k}" for k in state.get("contacts", {})]
    if fmt == "csv":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for table in TABLE_ORDER:
                rows = state.get(table) or {}
                if not rows and table not in ("institutions", "projects"):
                    continue
                text = io.StringIO()
                writer = csv.writer(text, lineterminator="\r\n")
                writer.writerow(columns(table))
                for row in rows.values():
                    writer.writerow([_csv_cell(row.get(c, "")) for c in columns(table)])
                zf.writestr(f"{table}.csv", "\ufeff" + text.getvalue())
            zf.writestr(MANIFEST_FILE, json.dumps(manifest.to_dict(), ensure_ascii=False, indent=2))
        return ExportResult(buf.getvalue(), stem + ".zip", manifest, contact_ids)
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    for table in TABLE_ORDER:
        rows = state.get(table) or {}
        if not rows and table not in ("institutions", "projects"):
            continue
        ws_ = wb.create_sheet(table)
        ws_.append(list(columns(table)))
        for row in rows.values():
            ws_.append([_xlsx_cell(row.get(c, "")) for c in columns(table)])
    sheet = wb.create_sheet(MANIFEST_SHEET)
    sheet.append(["key", "value"])
    for key, value in manifest.to_dict().items():
        sheet.append([key, json.dumps(value, ensure_ascii=False)])
    buf = io.BytesIO()
    wb.save(buf)
    return ExportResult(buf.getvalue(), stem + ".xlsx", manifest, contact_ids)


def _xlsx_cell(value: str):
    """A text cell (never a formula: openpyxl would store ``=…`` as one)."""
    if value.startswith("="):
        from openpyxl.cell import WriteOnlyCell  # noqa: F401  (kept simple: a leading ' marks text in Excel)

        return "'" + value
    return value


def export_version(ws: WorkspaceFile, out: str | Path, version: int | None = None, *, fmt: str = "xlsx",
                   full: bool = False, contacts: bool = True) -> ExportResult:
    """Write :func:`export_bytes` to ``out`` (a file; a folder gets the default file name)."""
    result = export_bytes(ws, version, fmt=fmt, full=full, contacts=contacts)
    target = Path(out)
    if target.is_dir():
        target = target / result.filename
    target.write_bytes(result.content)
    result.filename = str(target)
    return result


@dataclass
class WorkspacePayload:
    """One workspace version as ``.xlsx`` or a ZIP of CSV tables with a
    manifest. Rule ``all`` gives the full backup (every contact), ``masked``
    the contacts with consent, ``none`` none (the manifest says what is left out)."""

    workspace: Any  # loaders.workspace.WorkspaceFile
    version: int | None
    fmt: str
    what: str = "workspace version {version}"  # {version}: the version number, filled in when built
    strict: bool = False
    _contacts: dict[str, bool] | None = field(default=None, repr=False)

    def contacts(self) -> Mapping[str, bool]:
        if self._contacts is None:
            if self.version is None:
                self.version, state = self.workspace.read_head_state()
            else:
                check_version(self.workspace, self.version, allow_zero=False)
                state = state_at(self.workspace, self.version)
            self._contacts = {f"contact:{k}": str(r.get("consent", "")).strip().lower() == "true"
                              for k, r in state.get("contacts", {}).items()}
        return self._contacts

    def render(self, decision: Decision) -> tuple[bytes, str]:
        full = any(not self.contacts()[c] for c in decision.allowed)
        result = export_bytes(self.workspace, self.version, fmt=self.fmt, full=full, contacts=decision.rule != "none")
        leaked = set(result.contact_ids) - decision.allowed
        if leaked:  # the export selects by its own rule: never more than the gate allowed
            raise PrivacyError(f"workspace export would hold {len(leaked)} contact(s) the rule "
                               f"'{decision.rule}' withholds")
        self.manifest = result.manifest
        self.what = self.what.replace("{version}", str(result.manifest.version))
        return result.content, result.filename
