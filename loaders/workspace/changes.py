""""What changed since": the workspace's side — pick the starting point (a
version, or a date), collect the row changes from the journal, the pipeline
moves and the invitation moves since then, hand them to
:func:`graph.followup.changes.summarise_changes`, and write the result as a
CSV or Excel table for a meeting (every cell neutralised against formulas).

Since a *version* ``n``: the changes from version ``n`` to the head, and the
pipeline moves after version ``n`` was saved. Since a *date*: the changes
from the last version saved before that day to the head, the moves from
that day on, and the projects whose end date fell in between.

Invitation moves come from the guest lists; their storage registers a
source with :func:`register_invitation_source` (a callable
``(workspace, since_time) -> [{"time", "user", "person", "label", "from",
"to", "list"}]``), so this module needs no import of it.

>>> import tempfile, pathlib
>>> from loaders.workspace.location import create_workspace
>>> ws = create_workspace(pathlib.Path(tempfile.mkdtemp()) / "ws.sqlite", sample=True, user="t")
>>> since = changes_since(ws, version=ws.head())
>>> since.base, since.report.total()
(1, 0)
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from graph.core.errors import PartnernetzError
from graph.followup.changes import ChangeReport, ended_by_date, summarise_changes
from loaders.spreadsheet import excel_cell, neutralise, xml_safe
from loaders.workspace.followup import FollowUp
from loaders.workspace.history import check_version, diff_versions
from loaders.workspace.store import WorkspaceFile

__all__ = ["Since", "changes_since", "register_invitation_source", "table_csv", "table_xlsx", "ChangesError"]

InvitationSource = Callable[[WorkspaceFile, str], Iterable[dict[str, Any]]]
_INVITATION_SOURCES: list[InvitationSource] = []


class ChangesError(PartnernetzError):
    """The starting point is not a version nor a date."""


def register_invitation_source(source: InvitationSource) -> None:
    """Let the guest lists' storage report invitation moves (called once at import)."""
    if source not in _INVITATION_SOURCES:
        _INVITATION_SOURCES.append(source)


@dataclass(frozen=True)
class Since:
    """The report with where it starts: ``base`` version, ``head`` version,
    ``time`` (ISO; moves from then on count) and the ``date`` asked for, if any."""

    base: int
    head: int
    time: str
    date: str | None
    report: ChangeReport

    def to_dict(self) -> dict[str, Any]:
        return {"base": self.base, "head": self.head, "since": self.time, "date": self.date, **self.report.to_dict()}


def _parse_date(value: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ChangesError(f"date {value!r} is not a date (YYYY-MM-DD)") from None


def _base_for_date(ws: WorkspaceFile, day: _dt.date) -> int:
    """The last version saved before ``day`` (0 when there is none)."""
    start = day.isoformat()
    older = [v.id for v in ws.versions() if v.time[:10] < start]
    return max(older, default=0)


def changes_since(ws: WorkspaceFile, *, version: int | None = None, date: str | None = None,
                  today: _dt.date | None = None) -> Since:
    """What changed since ``version`` or since ``date`` (exactly one of them)."""
    if (version is None) == (date is None):
        raise ChangesError("give either a version or a date")
    today = today or _dt.date.today()
    head = ws.head()
    day = None
    if version is not None:
        base = check_version(ws, int(version))
        time = ws.version(base).time if base else ""
    else:
        day = _parse_date(date)
        base = _base_for_date(ws, day)
        time = day.isoformat()
    rows = diff_versions(ws, base, head) if base != head else []
    keys: dict[str, set[str]] = {"institutions": set(), "projects": set()}
    for c in rows:
        if c.table == "participations":
            for row in (c.before, c.after):
                if row:
                    keys["institutions"].add(row.get("institution", ""))
                    keys["projects"].add(row.get("project", ""))
    names = {t: ws.rows(t, sorted(k)) for t, k in keys.items() if k}
    for c in rows:  # rows removed meanwhile: named as they were
        if c.table in keys and c.before and c.key not in names.get(c.table, {}):
            names.setdefault(c.table, {})[c.key] = c.before

    def label(table: str, key: str) -> str:
        row = names.get(table, {}).get(key) or {}
        return row.get("title") or row.get("name") or key

    followup = FollowUp(ws)
    shortlists = {s.id: s.name for s in followup.shortlists()}
    pipeline = []
    for e in followup.events(since=time or None):
        entered = e.from_status == e.to_status == "accepted" and e.item.get("participation")
        if e.from_status == e.to_status and not entered:
            continue  # owner, next step or notes changed: not a move
        pipeline.append({"time": e.time, "user": e.user, "node": e.node, "label": e.item.get("label") or e.node,
                         "from": e.from_status, "to": f"participation:{e.item['participation']}" if entered else e.to_status,
                         "shortlist": shortlists.get(e.shortlist, str(e.shortlist))})
    invitations = [m for source in _INVITATION_SOURCES for m in source(ws, time)]
    ended = []
    if day is not None:
        projects = ws.rows("projects")
        ended = [(k, projects[k]) for k in ended_by_date(projects, day, today)]
    report = summarise_changes(rows, label=label, pipeline=pipeline, invitations=invitations, ended=ended)
    return Since(base, head, time, day.isoformat() if day else None, report)


def _cell(value: Any) -> Any:
    return neutralise(xml_safe(value)) if isinstance(value, str) else value


def table_csv(header: Sequence[str], rows: Iterable[Sequence[Any]], *, delimiter: str = ";") -> bytes:
    """A CSV table (UTF-8 with BOM, as Excel opens it), every cell neutralised."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([_cell(h) for h in header])
    writer.writerows([_cell(v) for v in row] for row in rows)
    return buf.getvalue().encode("utf-8-sig")


def table_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Changes") -> bytes:
    """An Excel workbook of one sheet (header frozen), every cell text and neutralised."""
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    sheet.title = (xml_safe(title) or "Changes")[:31].translate({ord(c): " " for c in "[]:*?/\\"})
    for r, row in enumerate([list(header), *map(list, rows)], start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            cell.value = excel_cell("" if value is None else str(value))
            cell.data_type = "s"
    sheet.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
