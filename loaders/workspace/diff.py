"""Row-level differences between two states of the canonical tables.

A state is ``{table: {key: row}}`` (rows as normalised by
:func:`loaders.workspace.keys.normalise_row`). A :class:`Change` is one row
added, changed or removed, with the row before and after; :func:`field_changes`
gives the field-level ``before → after`` of a changed row.

>>> old = {"themes": {"water": {"id": "water", "name_de": "Wasser"}}}
>>> new = {"themes": {"water": {"id": "water", "name_de": "Wasser (Trinkwasser)"},
...                   "energy": {"id": "energy", "name_de": "Energie"}}}
>>> [(c.table, c.key, c.op) for c in diff_states(old, new)]
[('themes', 'energy', 'insert'), ('themes', 'water', 'update')]
>>> summarise(diff_states(old, new))
{'themes': {'added': 1, 'changed': 1, 'removed': 0}}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from loaders.schema import TABLE_ORDER

__all__ = ["Change", "diff_states", "diff_table", "summarise", "field_changes", "OPS"]

#: Journal operations and their sign in summaries.
OPS = {"insert": "+", "update": "~", "delete": "−"}

Row = Mapping[str, str]


@dataclass(frozen=True)
class Change:
    """One row added (``insert``), changed (``update``) or removed (``delete``)."""

    table: str
    key: str
    op: str
    before: dict[str, str] | None
    after: dict[str, str] | None

    def fields(self) -> list[tuple[str, str, str]]:
        """``(column, before, after)`` of every field that differs."""
        return field_changes(self.before, self.after)

    def to_dict(self) -> dict[str, Any]:
        return {"table": self.table, "key": self.key, "op": self.op, "before": self.before, "after": self.after,
                "fields": [{"column": c, "before": b, "after": a} for c, b, a in self.fields()]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Change":
        return cls(data["table"], data["key"], data["op"], data.get("before"), data.get("after"))


def field_changes(before: Row | None, after: Row | None) -> list[tuple[str, str, str]]:
    """Columns whose value differs, with both values ('' for a missing row or field)."""
    before, after = before or {}, after or {}
    cols = list(dict.fromkeys([*before, *after]))
    return [(c, before.get(c, ""), after.get(c, "")) for c in cols if before.get(c, "") != after.get(c, "")]


def diff_table(table: str, old: Mapping[str, Row], new: Mapping[str, Row], *, deletes: bool = True) -> list[Change]:
    """Changes turning ``old`` rows into ``new`` rows of one table (sorted by key).

    ``deletes=False`` leaves rows missing from ``new`` alone (mode *update*).
    """
    def own(row: Row) -> dict[str, str]:
        return row if row.__class__ is dict else dict(row)  # rows are fresh dicts already: no copy per row

    if not old:  # a table filled from empty (a first import): all inserts
        return [Change(table, key, "insert", None, own(new[key])) for key in sorted(new)]
    changes = []
    for key in sorted(new):
        row = new[key]
        have = old.get(key)
        if have is None:
            changes.append(Change(table, key, "insert", None, own(row)))
        elif own(have) != own(row):
            changes.append(Change(table, key, "update", own(have), own(row)))
    if deletes:
        changes.extend(Change(table, key, "delete", own(old[key]), None) for key in old if key not in new)
        changes.sort(key=lambda c: c.key)
    return changes


def diff_states(old: Mapping[str, Mapping[str, Row]], new: Mapping[str, Mapping[str, Row]]) -> list[Change]:
    """Changes turning state ``old`` into ``new``, tables in load order."""
    changes = []
    for table in TABLE_ORDER:
        if table in old or table in new:
            changes.extend(diff_table(table, old.get(table, {}), new.get(table, {})))
    return changes


def summarise(changes: Iterable[Change]) -> dict[str, dict[str, int]]:
    """``{table: {"added", "changed", "removed"}}`` for the tables with changes, in load order."""
    out: dict[str, dict[str, int]] = {}
    name = {"insert": "added", "update": "changed", "delete": "removed"}
    for c in changes:
        out.setdefault(c.table, {"added": 0, "changed": 0, "removed": 0})[name[c.op]] += 1
    return {t: out[t] for t in TABLE_ORDER if t in out}
