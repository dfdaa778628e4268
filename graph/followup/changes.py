"""What changed in the network between two states: new and ended projects,
institutions, participations and partnerships, changed contacts, pipeline
and invitation moves — for "what changed since the last board meeting".

Input is row-level changes (anything with ``table``, ``key``, ``op`` —
``insert``/``update``/``delete`` — ``before`` and ``after``, e.g. the
workspace's :class:`loaders.workspace.diff.Change`), plus the pipeline's and
the guest lists' moves as plain mappings. The result, a :class:`ChangeReport`,
holds one list of :class:`ChangeItem` per section (:data:`SECTIONS`) and
knows which sections name persons (:data:`PERSONAL`): :meth:`ChangeReport.counts_only`
keeps their counts and drops their items, for roles that may not see people.

>>> from types import SimpleNamespace as C
>>> rows = [C(table="projects", key="P9", op="insert", before=None, after={"id": "P9", "title": "Neu"}),
...         C(table="projects", key="P1", op="update", before={"title": "Alt", "status": "ongoing"},
...           after={"title": "Alt", "status": "completed"}),
...         C(table="contacts", key="c1", op="update", before={"name": "Eva", "role": "A"},
...           after={"name": "Eva", "role": "B"})]
>>> report = summarise_changes(rows)
>>> [(i.section, i.label) for i in report.items()]
[('projects_new', 'Neu'), ('projects_ended', 'Alt'), ('contacts_changed', 'Eva')]
>>> hidden = report.counts_only()
>>> hidden.counts()["contacts_changed"], hidden.sections["contacts_changed"]
(1, [])
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Protocol

__all__ = ["SECTIONS", "PERSONAL", "ChangeItem", "ChangeReport", "summarise_changes", "ended_by_date",
           "RowChange", "row_label"]

#: Sections in reading order (stored names; labels in the UI catalogue).
SECTIONS = (
    "projects_new", "projects_ended", "projects_changed", "projects_removed",
    "institutions_new", "institutions_changed", "institutions_removed",
    "participations_new", "participations_ended",
    "partnerships_new", "partnerships_changed", "partnerships_ended",
    "contacts_new", "contacts_changed", "contacts_removed",
    "pipeline", "invitations",
)
#: Sections naming persons: personal data (counts only below the role that may see people).
PERSONAL = frozenset({"contacts_new", "contacts_changed", "contacts_removed", "invitations"})

_TABLE_SECTIONS = {
    "projects": ("projects_new", "projects_changed", "projects_removed"),
    "institutions": ("institutions_new", "institutions_changed", "institutions_removed"),
    "participations": ("participations_new", None, "participations_ended"),
    "partnerships": ("partnerships_new", "partnerships_changed", "partnerships_ended"),
    "contacts": ("contacts_new", "contacts_changed", "contacts_removed"),
}
_OPS = {"insert": 0, "update": 1, "delete": 2}


class RowChange(Protocol):
    table: str
    key: str
    op: str
    before: Mapping[str, str] | None
    after: Mapping[str, str] | None


@dataclass(frozen=True)
class ChangeItem:
    """One line of the report.

    ``fields`` names the columns that changed (never their values: a
    contact's old e-mail is no business of the meeting); ``before``/``after``
    carry a status move (pipeline, invitation, project status)."""

    section: str
    key: str
    label: str
    time: str = ""
    user: str = ""
    before: str = ""
    after: str = ""
    fields: tuple[str, ...] = ()
    context: str = ""  # shortlist or guest list the move belongs to

    def to_dict(self) -> dict[str, Any]:
        return {"section": self.section, "key": self.key, "label": self.label, "time": self.time,
                "user": self.user, "before": self.before, "after": self.after, "fields": list(self.fields),
                "context": self.context}


@dataclass(frozen=True)
class ChangeReport:
    """The changes since a point, by section. ``hidden`` holds the counts of
    sections whose items were dropped (:meth:`counts_only`)."""

    sections: dict[str, list[ChangeItem]] = field(default_factory=dict)
    hidden: dict[str, int] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Items per section (hidden sections with their count), every section named."""
        return {s: self.hidden.get(s, len(self.sections.get(s, ()))) for s in SECTIONS}

    def total(self) -> int:
        return sum(self.counts().values())

    def items(self) -> list[ChangeItem]:
        """Every item, in section order."""
        return [i for s in SECTIONS for i in self.sections.get(s, ())]

    def counts_only(self, sections: Iterable[str] = PERSONAL) -> "ChangeReport":
        """The report without the items of ``sections`` (their counts kept)."""
        drop = set(sections)
        hidden = {**self.hidden, **{s: len(self.sections.get(s, ())) for s in drop if s not in self.hidden}}
        return ChangeReport({s: ([] if s in drop else list(v)) for s, v in self.sections.items()}, hidden)

    def to_dict(self) -> dict[str, Any]:
        return {"counts": self.counts(), "hidden": sorted(self.hidden),
                "items": [i.to_dict() for i in self.items()]}


def row_label(table: str, key: str, row: Mapping[str, str] | None,
              label: Callable[[str, str], str] | None = None) -> str:
    """A readable name for a row: a project's title, an institution's or a
    contact's name, a participation as ``institution – project``, a
    partnership as ``Land – country``; ``label(table, key)`` names the rows
    a participation refers to."""
    row = row or {}
    name = label or (lambda _t, k: k)
    if table == "projects":
        return row.get("title") or key
    if table in ("institutions", "contacts"):
        return row.get("name") or key
    if table == "participations":
        return f"{name('institutions', row.get('institution', ''))} – {name('projects', row.get('project', ''))}"
    if table == "partnerships":
        region = f" ({row['region']})" if row.get("region") else ""
        return f"{row.get('land', '')} – {row.get('country', '')}{region}"
    return key


def _ended_now(before: Mapping[str, str] | None, after: Mapping[str, str] | None) -> bool:
    """A project update that completes it."""
    return (after or {}).get("status") == "completed" and (before or {}).get("status") != "completed"


def _parse_partial(value: str) -> _dt.date | None:
    """The last day a ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` date stands for (``None`` if none)."""
    value = (value or "").strip()
    try:
        if len(value) == 4:
            return _dt.date(int(value), 12, 31)
        if len(value) == 7:
            year, month = int(value[:4]), int(value[5:7])
            nxt = _dt.date(year + (month == 12), month % 12 + 1, 1)
            return nxt - _dt.timedelta(days=1)
        return _dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def ended_by_date(projects: Mapping[str, Mapping[str, str]], since: _dt.date, today: _dt.date) -> list[str]:
    """Projects whose end date (``end``, possibly just a year or a month)
    lies in ``[since, today)``: they ran out in the period without anybody
    editing them. Sorted by key."""
    out = []
    for key, row in projects.items():
        end = _parse_partial(row.get("end", ""))
        if end is not None and since <= end < today:
            out.append(key)
    return sorted(out)


def summarise_changes(changes: Iterable[RowChange], *, label: Callable[[str, str], str] | None = None,
                      pipeline: Iterable[Mapping[str, Any]] = (), invitations: Iterable[Mapping[str, Any]] = (),
                      ended: Iterable[tuple[str, Mapping[str, str]]] = ()) -> ChangeReport:
    """The report of row ``changes`` (tables other than projects,
    institutions, participations, partnerships and contacts are left out),
    the ``pipeline`` moves (mappings with ``time``, ``user``, ``node``,
    ``label``, ``from``, ``to``, ``shortlist``), the ``invitations`` moves
    (``time``, ``user``, ``person``, ``label``, ``from``, ``to``, ``list``)
    and the projects ``ended`` by date (``(key, row)``; those already
    listed as ended or removed are not repeated)."""
    sections: dict[str, list[ChangeItem]] = {s: [] for s in SECTIONS}
    for c in changes:
        names = _TABLE_SECTIONS.get(c.table)
        if names is None:
            continue
        row = c.after if c.op != "delete" else c.before
        text = row_label(c.table, c.key, row, label)
        if c.table == "projects" and c.op == "update" and _ended_now(c.before, c.after):
            sections["projects_ended"].append(ChangeItem("projects_ended", c.key, text,
                                                         before=(c.before or {}).get("status", ""), after="completed"))
            continue
        section = names[_OPS[c.op]]
        if section is None:  # a participation's role lives in its key: an update is never seen
            continue
        fields = ()
        if c.op == "update":
            before, after = c.before or {}, c.after or {}
            fields = tuple(k for k in dict.fromkeys([*before, *after]) if before.get(k, "") != after.get(k, ""))
        sections[section].append(ChangeItem(section, c.key, text, fields=fields))
    listed = {i.key for s in ("projects_ended", "projects_removed", "projects_new") for i in sections[s]}
    for key, row in ended:
        if key not in listed:
            sections["projects_ended"].append(ChangeItem("projects_ended", key, row_label("projects", key, row),
                                                         after=row.get("end", "")))
    for m in pipeline:
        sections["pipeline"].append(ChangeItem("pipeline", str(m.get("node", "")), str(m.get("label") or m.get("node", "")),
                                               time=str(m.get("time", "")), user=str(m.get("user", "")),
                                               before=str(m.get("from") or ""), after=str(m.get("to", "")),
                                               context=str(m.get("shortlist", ""))))
    for m in invitations:
        sections["invitations"].append(ChangeItem("invitations", str(m.get("person", "")),
                                                  str(m.get("label") or m.get("person", "")),
                                                  time=str(m.get("time", "")), user=str(m.get("user", "")),
                                                  before=str(m.get("from") or ""), after=str(m.get("to", "")),
                                                  context=str(m.get("list", ""))))
    return ChangeReport({s: v for s, v in sections.items()})

