"""Column-wise parsing of the rows that need no finding (the loader's fast path).

A large dataset is mostly well-formed: the same Länder, countries, dates,
roles and themes recur on hundreds of thousands of rows. Parsing it row by
row, column by column, through the general parser (which must be able to
say what is wrong with any cell) costs most of a load. This module parses a
whole table one column at a time instead, memoising each distinct text, and
marks every row for which *any* cell would give a finding (an empty required
value, a value that does not parse, an unknown reference, a label to cut, a
date read loosely, …). Those rows go through the general per-row parser of
:mod:`loaders.tabular`, which reports them exactly as before; the others take
the values computed here, which are the values the general parser returns
for them. The fast path never reports anything and never decides a row's
fate: it only skips work for rows whose outcome is certain.

>>> from loaders.schema import TABLES, ColumnType
>>> plan = [(c, c.name, c.multi, None, None) for c in TABLES["themes"].columns]
>>> yes_no = {ColumnType.BOOL: lambda column, value: {"true": True, "false": False}[value]}
>>> fast = parse_columns(TABLES["themes"], plan, [(2, {"id": "water", "name_de": "Wasser", "illustrative": "true"}),
...                                                (3, {"id": "", "name_de": "Energie"}),
...                                                (4, {"id": "x", "name_de": "X", "illustrative": "vielleicht"})],
...                      parsers=yes_no, accepted={}, label_limit=1000, long_text=frozenset())
>>> fast.values(0)["name_de"], fast.values(0)["illustrative"], fast.values(1), fast.values(2)
('Wasser', True, None, None)
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from loaders.schema import Column, ColumnType, Table
from loaders.values import looks_like_email

__all__ = ["FastRows", "parse_columns"]

_SLOW = object()  # this cell gives a finding: its row takes the general parser
_STRING_TYPES = (ColumnType.ID, ColumnType.REF, ColumnType.TEXT, ColumnType.EMAIL, ColumnType.URL)


class FastRows:
    """Per row (by position): the parsed values, or ``None`` when the row needs the general parser."""

    def __init__(self, names: list[str], columns: list[list[Any]], slow: bytearray):
        self._names = names
        self._columns = columns
        self._slow = slow

    def values(self, index: int) -> dict[str, Any] | None:
        if self._slow[index]:
            return None
        return {name: column[index] for name, column in zip(self._names, self._columns)}

    def __iter__(self):
        """The rows' values in order (``None`` for a slow row); cheaper than :meth:`values` per row."""
        names, slow = self._names, self._slow
        for index, row in enumerate(zip(*self._columns)):
            yield None if slow[index] else dict(zip(names, row))


def parse_columns(table: Table, plan: Iterable[tuple[Column, str, bool, Any, Any]],
                  rows: list[tuple[int, Mapping[str, object]]], *,
                  parsers: Mapping[ColumnType, Callable[[Column, object], Any]],
                  accepted: Mapping[str, set[str]], label_limit: int, long_text: frozenset[str],
                  id_limit: int = 200) -> FastRows:
    """Parse ``rows`` of ``table`` column by column (see the module docstring).

    ``plan`` is the loader's column plan, ``parsers`` its parser per column
    type, ``accepted`` the accepted keys of the tables loaded so far (a
    reference elsewhere is slow), ``label_limit``/``long_text`` its label cut.
    """
    slow = bytearray(len(rows))
    names: list[str] = []
    columns: list[list[Any]] = []
    for column, name, multi, _parse, _check in plan:
        cells = [row.get(name) for _, row in rows]
        if column.type in _STRING_TYPES:
            parsed = _strings(column, cells, slow, accepted, label_limit, long_text, id_limit, table.name)
        else:
            parsed = _memoised(column, cells, slow, parsers[column.type])
        names.append(name)
        columns.append(parsed)
    return FastRows(names, columns, slow)


def _strings(column: Column, cells: list[object], slow: bytearray, accepted: Mapping[str, set[str]],
             label_limit: int, long_text: frozenset[str], id_limit: int, table: str) -> list[Any]:
    """Text-like columns: the stripped text; slow when empty and required, too
    long (an id over ``id_limit``, a label over ``label_limit``), an
    e-mail that does not look like one, or a reference to no accepted row."""
    kind = column.type
    required = column.required
    if kind in (ColumnType.ID, ColumnType.REF):
        limit = id_limit
    elif kind is ColumnType.TEXT and column.name not in long_text:
        limit = label_limit
    else:
        limit = None
    targets: set[str] | None = None
    if kind is ColumnType.REF:
        if column.ref == table or column.ref not in accepted:
            targets = set()  # every reference takes the general path (and gets its message there)
        else:
            targets = accepted[column.ref]
    email = kind is ColumnType.EMAIL
    out: list[Any] = []
    append = out.append
    for index, value in enumerate(cells):
        if value is None or value == "":
            if required:
                slow[index] = 1
            append(None)
            continue
        text = value.strip() if type(value) is str else str(value).strip()
        if (text == "" or (limit is not None and len(text) > limit)
                or (targets is not None and text not in targets) or (email and not looks_like_email(text))):
            slow[index] = 1
        append(text)
    return out


def _memoised(column: Column, cells: list[object], slow: bytearray,
              parse: Callable[[Column, object], Any]) -> list[Any]:
    """Columns whose parser is a pure function of the cell (enums, Länder,
    countries, dates, numbers, yes/no, lists): each distinct text parsed
    once. Lists are copied per row (a node's list is its own)."""
    required = column.required
    multi = column.multi
    date = column.type is ColumnType.DATE
    memo: dict[str, Any] = {}
    out: list[Any] = []
    append = out.append

    def convert(value: object) -> Any:
        try:
            parsed = parse(column, value)  # countries: raises on any unknown one (the general path warns)
        except Exception:  # the general path reports it (or raises it, exactly as before)
            return _SLOW
        if date and parsed.note:
            return _SLOW
        return tuple(parsed) if multi else parsed

    for index, value in enumerate(cells):
        if value is None or value == "":
            if required:
                slow[index] = 1
            append([] if multi else None)
            continue
        if type(value) is str:
            parsed = memo.get(value, memo)
            if parsed is memo:
                parsed = memo[value] = convert(value)
        else:  # typed spreadsheet cells: not memoised (1, 1.0 and True are equal keys)
            parsed = convert(value)
        if parsed is _SLOW:
            slow[index] = 1
            append(None)
        else:
            append(list(parsed) if multi else parsed)
    return out
