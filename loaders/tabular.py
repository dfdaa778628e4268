"""Validate canonical tables and build the partner graph from them.

Lenient by default: every valid row is loaded, every invalid row is rejected
with at least one error naming file, row, column and value, so that for every
table ``read == accepted + rejected``.

>>> from pathlib import Path
>>> result = load_tabular(Path(__file__).parent.parent / "data" / "sample")
>>> result.report.ok
True
"""

from __future__ import annotations

import datetime as dt
import gc
from contextlib import contextmanager
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from graph.core.kinds import EdgeKind, NodeKind, ProjectStatus, node_id
from graph.core.model import PartnerGraph
from graph.core.text import fold, slugify
from loaders.reading import RawTable, read_dataset
from loaders.report import LoadReport
from loaders.schema import TABLE_ORDER, TABLES, Column, ColumnType, Table
from loaders.values import (
    looks_like_email,
    parse_bool,
    parse_country,
    parse_date,
    parse_land,
    parse_number,
    parse_year,
    split_multi,
    year_of,
)

__all__ = ["LoadResult", "load_tabular", "build_graph"]


@dataclass
class LoadResult:
    """The graph built from a dataset and the report of how it went."""

    graph: PartnerGraph
    report: LoadReport


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    source: str | None
    illustrative: bool


@dataclass
class _Context:
    graph: PartnerGraph
    report: LoadReport
    ids: dict[str, set[str]] = field(default_factory=dict)  # accepted keys per table
    rejected_ids: dict[str, dict[str, int]] = field(default_factory=dict)
    themes: dict[str, str] = field(default_factory=dict)  # folded name/id -> node id
    theme_warned: set[str] = field(default_factory=set)
    today: dt.date = field(default_factory=dt.date.today)


def load_tabular(path: str | Path, *, today: dt.date | None = None) -> LoadResult:
    """Load a folder of CSV files or an ``.xlsx`` workbook.

    Raises :class:`graph.core.errors.LoadError` when ``path`` is not a dataset.
    """
    with _gc_paused():
        raw = read_dataset(path)
        return build_graph(raw, source=str(path), today=today)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of row dicts and
    graph attribute dicts are allocated (none of them form cycles): its
    repeated full scans cost a fifth of the load time of a large dataset."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build_graph(raw: dict[str, RawTable], *, source: str = "", today: dt.date | None = None) -> LoadResult:
    """Validate raw tables and build the graph (see :func:`load_tabular`)."""
    report = LoadReport(source=source)
    ctx = _Context(PartnerGraph(), report, today=today or dt.date.today())
    for name in ("institutions", "projects"):
        if name not in raw:
            report.error(f"{source}/{name}.csv", None, None, None, f"required table '{name}' is missing")
    for name in TABLE_ORDER:
        if name in raw:
            _load_table(ctx, TABLES[name], raw[name])
    report.nodes = ctx.graph.counts_by_kind()
    report.edges = ctx.graph.edge_counts_by_kind()
    ctx.graph.meta.update(source=source, report=report)
    return LoadResult(ctx.graph, report)


# ---------------------------------------------------------------- validation
def _load_table(ctx: _Context, table: Table, raw: RawTable) -> None:
    report = ctx.report
    count = report.table(table.name)
    known = set(table.column_names)
    seen_header: set[str] = set()
    for col in raw.header:
        if col == "":
            continue
        if col in seen_header:
            report.warning(raw.file, 1, col, col, "column appears twice; the first one is used")
        elif col not in known:
            report.warning(raw.file, 1, col, col, f"unknown column ignored (known: {', '.join(table.column_names)})")
        seen_header.add(col)
    missing = [c.name for c in table.columns if c.required and c.name not in raw.header]
    for col in missing:
        report.error(raw.file, 1, col, None, f"required column '{col}' is missing")
    builder = _BUILDERS[table.name]
    key = table.key
    ctx.ids.setdefault(table.name, set())
    ctx.rejected_ids.setdefault(table.name, {})
    file_name = Path(raw.file).name
    problems = report.problems
    for number, cells in raw.rows:
        count.read += 1
        problems_before = len(problems)
        if missing:
            report.error(raw.file, number, missing[0], None,
                         f"row rejected: required column '{missing[0]}' is missing from the file")
            count.rejected += 1
            continue
        values = _parse_row(ctx, table, raw.file, number, cells)
        if key and values.get(key) is not None:
            row_key = values[key]
            if row_key in ctx.ids[table.name]:
                report.error(raw.file, number, key, row_key, f"duplicate id '{row_key}' (row rejected; the first row wins)")
        if len(problems) > problems_before and any(p.level == "error" for p in problems[problems_before:]):
            count.rejected += 1
            if key and values.get(key):
                ctx.rejected_ids[table.name].setdefault(values[key], number)
            continue
        illustrative = bool(values.get("illustrative"))
        source = values.get("source") or (None if illustrative else f"{file_name}, row {number}")
        row = _Row(number, values, source, illustrative)
        builder(ctx, raw.file, row)
        if key:
            ctx.ids[table.name].add(values[key])
        count.accepted += 1


def _parse_row(ctx: _Context, table: Table, file: str, number: int, cells: dict[str, object]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column, name, multi, parse, check in _column_plan(table):
        raw_value = cells.get(name)
        if raw_value is None or raw_value == "":
            if column.required:
                ctx.report.error(file, number, name, None, f"required value '{name}' is empty")
            values[name] = [] if multi else None
            continue
        try:
            values[name] = parse(column, raw_value)
        except ValueError as exc:
            ctx.report.error(file, number, name, raw_value, str(exc))
            values[name] = [] if multi else None
            continue
        if check is ColumnType.REF:
            _check_ref(ctx, column, file, number, values[name])
        elif check is ColumnType.EMAIL and not looks_like_email(values[name]):
            ctx.report.warning(file, number, name, raw_value, "does not look like an e-mail address")
    return values


def _parse_value(ctx: _Context, column: Column, value: object) -> Any:
    return _PARSERS[column.type](column, value)


def _parse_text(column: Column, value: object) -> str:
    return str(value).strip()


def _parse_enum(column: Column, value: object) -> str:
    text = str(value).strip()
    allowed = _enum_index(column).get(text.lower())
    if allowed is None:
        raise ValueError(f"'{text}' is not allowed here (allowed: {', '.join(column.allowed)})")
    return allowed


_ENUM_INDEX: dict[int, tuple[Column, dict[str, str]]] = {}


def _enum_index(column: Column) -> dict[str, str]:
    """``{lower-case allowed value: allowed value}``, first wins (cached per column)."""
    cached = _ENUM_INDEX.get(id(column))
    if cached is None or cached[0] is not column:
        index: dict[str, str] = {}
        for allowed in column.allowed:
            index.setdefault(allowed.lower(), allowed)
        cached = _ENUM_INDEX[id(column)] = (column, index)
    return cached[1]


# The same Länder, countries, dates and theme names recur on thousands of rows; their
# parsers fold and match text each time. The results are immutable, so memoise them
# (typed: 2019 and "2019" stay apart; errors are not cached and raise again).
_cached_land = lru_cache(maxsize=4096, typed=True)(parse_land)
_cached_country = lru_cache(maxsize=4096, typed=True)(parse_country)
_cached_date = lru_cache(maxsize=65536, typed=True)(parse_date)
_fold = lru_cache(maxsize=65536)(fold)


def _parse_countries(column: Column, value: object) -> list:
    countries, unknown = [], []
    for part in split_multi(value):
        try:
            countries.append(_cached_country(part))
        except ValueError:
            unknown.append(part)
    if unknown:
        raise ValueError("unknown country " + ", ".join(repr(u) for u in unknown))
    return countries


_PARSERS: dict[ColumnType, Callable[[Column, object], Any]] = {
    ColumnType.ID: _parse_text,
    ColumnType.REF: _parse_text,
    ColumnType.TEXT: _parse_text,
    ColumnType.EMAIL: _parse_text,
    ColumnType.URL: _parse_text,
    ColumnType.ENUM: _parse_enum,
    ColumnType.LAND: lambda column, value: _cached_land(value),
    ColumnType.COUNTRY: lambda column, value: _cached_country(value),
    ColumnType.COUNTRIES: _parse_countries,
    ColumnType.DATE: lambda column, value: _cached_date(value),
    ColumnType.YEAR: lambda column, value: parse_year(value),
    ColumnType.NUMBER: lambda column, value: parse_number(value),
    ColumnType.BOOL: lambda column, value: parse_bool(value),
    ColumnType.THEMES: lambda column, value: split_multi(value),
    ColumnType.LIST: lambda column, value: split_multi(value),
}
assert set(_PARSERS) == set(ColumnType)

_PLANS: dict[int, tuple[Table, list[tuple[Column, str, bool, Callable[[Column, object], Any], ColumnType | None]]]] = {}


def _column_plan(table: Table) -> list[tuple[Column, str, bool, Callable[[Column, object], Any], ColumnType | None]]:
    """Per column: (column, name, multi, parser, follow-up check), computed once per table."""
    cached = _PLANS.get(id(table))
    if cached is None or cached[0] is not table:
        plan = [(c, c.name, c.multi, _PARSERS[c.type],
                 c.type if c.type in (ColumnType.REF, ColumnType.EMAIL) else None) for c in table.columns]
        cached = _PLANS[id(table)] = (table, plan)
    return cached[1]


def _check_ref(ctx: _Context, column: Column, file: str, number: int, value: str) -> None:
    target = column.ref
    assert target is not None
    accepted = ctx.ids.get(target)
    if accepted is not None and value in accepted:
        return
    rejected_at = ctx.rejected_ids.get(target, {}).get(value)
    if rejected_at is not None:
        ctx.report.error(file, number, column.name, value, f"refers to {target} '{value}', which was rejected (see {target} row {rejected_at})")
    elif target not in ctx.ids:
        ctx.report.error(file, number, column.name, value, f"refers to {target} '{value}', but there is no {target} table")
    else:
        ctx.report.error(file, number, column.name, value, f"unknown {target} id '{value}'")


# ------------------------------------------------------------------ building
def _provenance(row: _Row) -> dict[str, Any]:
    if row.illustrative:
        return {"illustrative": True, **({"source": row.source} if row.source else {})}
    return {"source": row.source}


def _theme_ids(ctx: _Context, file: str, row: _Row, column: str = "themes") -> list[str]:
    ids = []
    for name in row.values.get(column) or []:
        folded = _fold(name)
        nid = ctx.themes.get(folded)
        if nid is None:
            nid = ctx.graph.add_node(NodeKind.THEME, slugify(name) or name, label=name, label_en=name,
                                     name_de=name, **_provenance(row))
            ctx.themes[folded] = nid
            if folded not in ctx.theme_warned:
                ctx.theme_warned.add(folded)
                ctx.report.warning(file, row.number, column, name, "theme not in the themes table; added as a new theme")
        ids.append(nid)
    return ids


def _build_theme(ctx: _Context, file: str, row: _Row) -> None:
    v = row.values
    nid = ctx.graph.add_node(NodeKind.THEME, v["id"], label=v["name_de"], label_en=v["name_en"] or v["name_de"],
                             name_de=v["name_de"], name_en=v["name_en"], **_provenance(row))
    for name in (v["id"], v["name_de"], v["name_en"]):
        if name:
            ctx.themes.setdefault(fold(name), nid)


def _build_programme(ctx: _Context, file: str, row: _Row) -> None:
    v = row.values
    nid = ctx.graph.add_node(NodeKind.PROGRAMME, v["id"], label=v["name"], iati_identifier=v["iati_identifier"],
                             iati_identifier_unverified=v["iati_identifier_unverified"], **_provenance(row))
    if v["country"]:
        ctx.graph.add_edge(nid, ctx.graph.add_country(v["country"].alpha3), EdgeKind.IMPLEMENTED_IN, **_provenance(row))


def _build_institution(ctx: _Context, file: str, row: _Row) -> None:
    v = row.values
    land, country = v["land"], v["country"]
    if land and country and country.alpha3 != "DEU":
        ctx.report.warning(file, row.number, "country", country.alpha3, f"institution in Land {land.name_de} but country is not Germany; the Land is used")
    if not land and not country:
        ctx.report.warning(file, row.number, "land", None, "institution has neither Land nor country")
    nid = ctx.graph.add_node(
        NodeKind.INSTITUTION, v["id"], label=v["name"], sector=v["sector"], sector_detail=v["sector_detail"],
        city=v["city"], website=v["website"], land=land.code if land else None,
        country=country.alpha3 if country else ("DEU" if land else None), **_provenance(row),
    )
    if land:
        ctx.graph.add_edge(nid, node_id(NodeKind.LAND, land.code), EdgeKind.LOCATED_IN, **_provenance(row))
    elif country:
        ctx.graph.add_edge(nid, ctx.graph.add_country(country.alpha3), EdgeKind.LOCATED_IN, **_provenance(row))
    for theme in _theme_ids(ctx, file, row):
        ctx.graph.add_edge(nid, theme, EdgeKind.WORKS_ON, **_provenance(row))


def _derive_status(start: str | None, end: str | None, today: dt.date) -> str:
    year = today.year
    if end and year_of(end) < year:
        return ProjectStatus.COMPLETED.value
    if start and year_of(start) > year:
        return ProjectStatus.PLANNED.value
    if start and (not end or year_of(end) >= year):
        return ProjectStatus.ACTIVE.value if end else ProjectStatus.UNKNOWN.value
    return ProjectStatus.UNKNOWN.value


def _build_project(ctx: _Context, file: str, row: _Row) -> None:
    v = row.values
    start_span, end_span = v["start"], v["end"]
    start = start_span.start if start_span else None
    end = end_span.end or end_span.start if end_span else (start_span.end if start_span else None)
    if start and end and end < start[: len(end)]:
        ctx.report.warning(file, row.number, "end", end, "project ends before it starts")
    status = v["status"] or _derive_status(start, end, ctx.today)
    nid = ctx.graph.add_node(
        NodeKind.PROJECT, v["id"], label=v["title"], description=v["description"], region=v["region"],
        start=start, end=end, start_year=year_of(start), end_year=year_of(end),
        phase=v["phase"], status=status, status_derived=None if v["status"] else True, **_provenance(row),
    )
    for country in v["countries"]:
        ctx.graph.add_edge(nid, ctx.graph.add_country(country.alpha3), EdgeKind.IMPLEMENTED_IN,
                           region=v["region"], **_provenance(row))
    for theme in _theme_ids(ctx, file, row):
        ctx.graph.add_edge(nid, theme, EdgeKind.ADDRESSES, **_provenance(row))
    if v["programme"]:
        ctx.graph.add_edge(nid, node_id(NodeKind.PROGRAMME, v["programme"]), EdgeKind.LINKED_TO, **_provenance(row))


def _warn_if_duplicate(ctx: _Context, file: str, row: _Row, u: str, v: str, key: str) -> None:
    existing = ctx.graph.nx._succ.get(u, {}).get(v)  # = nx.has_edge(u, v, key), without its overhead
    if existing is not None and key in existing:
        ctx.report.warning(file, row.number, None, None, f"same link as an earlier row ({u} → {v}); merged into one")


def _build_participation(ctx: _Context, file: str, row: _Row) -> None:
    v = row.values
    u, p = node_id(NodeKind.INSTITUTION, v["institution"]), node_id(NodeKind.PROJECT, v["project"])
    _warn_if_duplicate(ctx, file, row, u, p, f"participates_in:{v['role']}" if v["role"] else "participates_in")
    ctx.graph.add_edge(u, p, EdgeKind.PARTICIPATES_IN, discriminator=v["role"], role=v["role"],
                       inferred=True if v["inferred"] else None, **_provenance(row))


def _build_cofinancing(ctx: _Context, file: str, row: _Row) -> None:
    v = row.values
    ctx.graph.add_edge(node_id(NodeKind.LAND, v["land"].code), node_id(NodeKind.PROJECT, v["project"]),
                       EdgeKind.COFINANCES, discriminator=v["kind"], contribution=v["kind"],
                       amount_eur=v["amount_eur"], note=v["note"], inferred=True if v["inferred"] else None,
                       **_provenance(row))


def _build_partnership(ctx: _Context, file: str, row: _Row) -> None:
    v = row.values
    land = node_id(NodeKind.LAND, v["land"].code)
    for country in v["country"]:
        ctx.graph.add_edge(land, ctx.graph.add_country(country.alpha3), EdgeKind.PARTNERS_WITH,
                           discriminator=slugify(v["region"]) if v["region"] else None,
                           region=v["region"], type=v["type"], since=v["since"], since_note=v["since_note"],
                           agreements=v["agreements"], **_provenance(row))


def _build_contact(ctx: _Context, file: str, row: _Row) -> None:
    v = row.values
    consent = bool(v["consent"])
    if v["consent"] is None:
        ctx.report.warning(file, row.number, "consent", None, "no consent given: the contact is shown masked and never exported")
    nid = ctx.graph.add_node(NodeKind.CONTACT, v["id"], label=v["name"], role=v["role"], email=v["email"],
                             languages=v["languages"], consent=consent, **_provenance(row))
    ctx.graph.add_edge(nid, node_id(NodeKind.INSTITUTION, v["institution"]), EdgeKind.WORKS_AT, **_provenance(row))
    for theme in _theme_ids(ctx, file, row):
        ctx.graph.add_edge(nid, theme, EdgeKind.WORKS_ON, **_provenance(row))


def _build_event(ctx: _Context, file: str, row: _Row) -> None:
    v = row.values
    span = v["date"]
    nid = ctx.graph.add_node(NodeKind.EVENT, v["id"], label=v["title"], event_kind=v["kind"],
                             date=span.start if span else None, end_date=span.end if span else None,
                             year=year_of(span.start) if span else None, city=v["city"], **_provenance(row))
    if v["country"]:
        ctx.graph.add_edge(nid, ctx.graph.add_country(v["country"].alpha3), EdgeKind.HELD_IN, **_provenance(row))
    for theme in _theme_ids(ctx, file, row):
        ctx.graph.add_edge(nid, theme, EdgeKind.ABOUT, **_provenance(row))


def _build_attendance(ctx: _Context, file: str, row: _Row) -> None:
    v = row.values
    contact, event = node_id(NodeKind.CONTACT, v["contact"]), node_id(NodeKind.EVENT, v["event"])
    _warn_if_duplicate(ctx, file, row, contact, event, "attended")
    ctx.graph.add_edge(contact, event, EdgeKind.ATTENDED, role=v["role"], **_provenance(row))


_BUILDERS: dict[str, Callable[[_Context, str, _Row], None]] = {
    "themes": _build_theme,
    "programmes": _build_programme,
    "institutions": _build_institution,
    "projects": _build_project,
    "participations": _build_participation,
    "cofinancing": _build_cofinancing,
    "partnerships": _build_partnership,
    "contacts": _build_contact,
    "events": _build_event,
    "attendance": _build_attendance,
}
