"""Row keys and row normalisation of the canonical tables in a workspace.

A row's key is what makes it one record: the ``id`` of tables that have one,
and for link tables the columns that make one graph edge (the same columns the
loader uses to tell edges apart). Values are stored as text, so a row read
back is equal to the row written.

>>> row_key("projects", {"id": "BLP-01", "title": "x"})
'BLP-01'
>>> row_key("participations", {"project": "BLP-01", "institution": "hlft", "role": "lead"})
'BLP-01|hlft|lead'
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from graph.core.text import slugify
from loaders.schema import TABLE_ORDER, TABLES

__all__ = ["KEY_COLUMNS", "row_key", "normalise_row", "keyed_rows", "columns"]

#: Columns forming the key of each table (in this order, joined by ``|``).
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    **{name: (TABLES[name].key,) for name in TABLE_ORDER if TABLES[name].key},
    "participations": ("project", "institution", "role"),
    "cofinancing": ("project", "land", "kind"),
    "partnerships": ("land", "country", "region"),
    "attendance": ("event", "contact"),
}
assert set(KEY_COLUMNS) == set(TABLE_ORDER)


_COLUMNS = {name: TABLES[name].column_names for name in TABLE_ORDER}


def columns(table: str) -> tuple[str, ...]:
    """The canonical columns of ``table``."""
    return TABLES[table].column_names


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def normalise_row(table: str, row: Mapping[str, Any]) -> dict[str, str]:
    """The row with exactly the table's columns, every value as text ('' when empty)."""
    get = row.get
    out = {}
    for c in _COLUMNS[table]:
        value = get(c)
        out[c] = value if value.__class__ is str else _text(value)  # most values are text already
    return out


def row_key(table: str, row: Mapping[str, Any]) -> str:
    """The key of ``row`` in ``table`` (region of a partnership compared as its slug, like the loader)."""
    parts = []
    for c in KEY_COLUMNS[table]:
        value = _text(row.get(c))
        if table == "partnerships" and c == "region" and value:
            value = slugify(value)
        parts.append(value)
    return "|".join(parts)


def keyed_rows(table: str, rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """``{row_key: normalise_row(row)}`` of many rows of ``table`` at once (later rows win).

    The same as calling both functions per row, in one tight loop: a large
    import normalises close to a million rows.

    >>> keyed_rows("attendance", [{"event": "e1", "contact": "c1", "role": None}])["e1|c1"]["role"]
    ''
    """
    cols = _COLUMNS[table]
    if table == "partnerships":  # the region part of its key is compared as a slug
        return {row_key(table, clean): clean for clean in (normalise_row(table, r) for r in rows)}
    key_cols = KEY_COLUMNS[table]
    out: dict[str, dict[str, str]] = {}
    for row in rows:
        get = row.get
        clean = {c: v if (v := get(c)).__class__ is str else _text(v) for c in cols}
        # every value of ``clean`` is text, so _text() in row_key() would change nothing
        key = clean[key_cols[0]] if len(key_cols) == 1 else "|".join([clean[c] for c in key_cols])
        out[key] = clean
    return out
