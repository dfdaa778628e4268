"""Rows of an AG Grid page served from the server (the grid's infinite row
model): a request names a row range plus the grid's sort and column-filter
models; the answer holds only the rows of that range and the row count.

Pure functions over lists of row dicts, so any page can page its grids on the
server without sending every row to the browser.

>>> rows = [{"name": n} for n in ("Cem", "anna", "Bo")]
>>> answer({"startRow": 0, "endRow": 2, "sortModel": [{"colId": "name", "sort": "asc"}]},
...        len(rows), lambda: rows, lambda a, b: rows[a:b])
{'rowData': [{'name': 'anna'}, {'name': 'Bo'}], 'rowCount': 3}
"""

from __future__ import annotations

from typing import Any, Callable

from graph.core.text import fold

__all__ = ["answer", "filter_rows", "sort_rows", "row_range"]

#: Largest block a single request may ask for (AG Grid asks for one block).
MAX_BLOCK = 200


def row_range(request: dict[str, Any] | None, count: int) -> tuple[int, int]:
    """``(start, end)`` of a request, clamped to ``0 … count`` and ``MAX_BLOCK`` rows.

    >>> row_range({"startRow": 10, "endRow": 25}, 20)
    (10, 20)
    >>> row_range({"startRow": "x", "endRow": 10**9}, 10**6)
    (0, 200)
    """
    def number(key: str, default: int) -> int:
        try:
            return int((request or {}).get(key, default))
        except (TypeError, ValueError):
            return default

    start = min(max(0, number("startRow", 0)), count)
    end = min(max(start, number("endRow", start + MAX_BLOCK)), start + MAX_BLOCK, count)
    return start, end


def _text(value: Any) -> str:
    return fold(str(value)) if value not in (None, "") else ""


def _condition(value: str, condition: dict[str, Any]) -> bool:
    kind = condition.get("type") or "contains"
    wanted = _text(condition.get("filter"))
    if kind == "blank":
        return value == ""
    if kind == "notBlank":
        return value != ""
    tests = {"contains": lambda: wanted in value, "notContains": lambda: wanted not in value,
             "equals": lambda: value == wanted, "notEqual": lambda: value != wanted,
             "startsWith": lambda: value.startswith(wanted), "endsWith": lambda: value.endswith(wanted)}
    return tests.get(kind, tests["contains"])()


def _keep(row: dict[str, Any], column: str, model: dict[str, Any]) -> bool:
    value = _text(row.get(column))
    conditions = model.get("conditions")
    if isinstance(conditions, list) and conditions:
        results = [_condition(value, c) for c in conditions if isinstance(c, dict)]
        return any(results) if str(model.get("operator", "AND")).upper() == "OR" else all(results)
    return _condition(value, model)


def filter_rows(rows: list[dict[str, Any]], filter_model: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Rows passing AG Grid's text column filters (case, umlaut and accent
    spelling do not matter, as in the rest of the app).

    >>> rows = [{"land": "Bayern"}, {"land": "Hessen"}, {"land": ""}]
    >>> filter_rows(rows, {"land": {"filterType": "text", "type": "contains", "filter": "BAY"}})
    [{'land': 'Bayern'}]
    >>> len(filter_rows(rows, {"land": {"operator": "OR", "conditions": [
    ...     {"type": "startsWith", "filter": "h"}, {"type": "blank"}]}}))
    2
    """
    for column, model in (filter_model or {}).items():
        if isinstance(model, dict):
            rows = [row for row in rows if _keep(row, column, model)]
    return rows


def sort_rows(rows: list[dict[str, Any]], sort_model: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Rows sorted by AG Grid's sort model (first entry first; text compared
    folded, empty values first when ascending).

    >>> sort_rows([{"a": "b"}, {"a": ""}, {"a": "Ä"}], [{"colId": "a", "sort": "desc"}])
    [{'a': 'b'}, {'a': 'Ä'}, {'a': ''}]
    """
    for entry in reversed([e for e in sort_model or [] if isinstance(e, dict) and e.get("colId")]):
        column = entry["colId"]
        rows = sorted(rows, key=lambda row: _text(row.get(column)), reverse=entry.get("sort") == "desc")
    return rows


def answer(request: dict[str, Any] | None, count: int, all_rows: Callable[[], list[dict[str, Any]]],
           some_rows: Callable[[int, int], list[dict[str, Any]]]) -> dict[str, Any]:
    """The ``getRowsResponse`` for a ``getRowsRequest`` over ``count`` rows.

    ``some_rows(start, end)`` builds only the rows of a range (the usual,
    unsorted and unfiltered case); ``all_rows()`` builds every row, needed only
    when the grid sorts or filters a column.
    """
    request = request or {}
    if request.get("sortModel") or request.get("filterModel"):
        rows = sort_rows(filter_rows(all_rows(), request.get("filterModel")), request.get("sortModel"))
        start, end = row_range(request, len(rows))
        return {"rowData": rows[start:end], "rowCount": len(rows)}
    start, end = row_range(request, count)
    return {"rowData": some_rows(start, end), "rowCount": count}
