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
from loaders.fastpath import parse_columns
from loaders.reading import RawTable, read_dataset
from loaders.redaction import redact_rows
from loaders.report import LoadReport
from loaders.vocabulary import resolve_value
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

__all__ = ["LoadResult", "load_tabular", "build_graph", "gc_paused", "record_row"]


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
    rejected_ids: dict[str, dict[str, tuple[int, str | None, str]]] = field(default_factory=dict)  # key -> (row, column, cause)
    themes: dict[str, str] = field(default_factory=dict)  # folded name/id -> node id
    theme_warned: set[str] = field(default_factory=set)
    today: dt.date = field(default_factory=dt.date.today)


def load_tabular(path: str | Path, *, today: dt.date | None = None) -> LoadResult:
    """Load a folder of CSV files or an ``.xlsx`` workbook.

    Raises :class:`graph.core.errors.LoadError` when ``path`` is not a dataset.
    """
    with _gc_paused():
        raw = read_dataset(path)
        result = build_graph(raw, source=str(path), today=today)
        del raw  # its row dicts go before the collector runs again (else it would scan them once more)
    return result


#: Objects allocated during a pause above which it ends with one full collection (see :func:`gc_paused`).
COLLECT_AFTER = 500_000


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of row dicts and
    graph attribute dicts are allocated (none of them form cycles): its
    repeated full scans cost a fifth of the load time of a large dataset.

    When the pause allocated more than :data:`COLLECT_AFTER` objects it ends
    with one full collection: otherwise the youngest generation's next pass
    scans them all, the middle one's soon after again and the oldest one's a
    third time (2–3 s of CPU at 100k nodes, paid by whatever runs next)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_count()[0] > COLLECT_AFTER:
                gc.collect()
            gc.enable()


_gc_paused = gc_paused


def build_graph(raw: dict[str, RawTable], *, source: str = "", today: dt.date | None = None) -> LoadResult:
    """Validate raw tables and build the graph (see :func:`load_tabular`)."""
    report = LoadReport(source=source)
    report.problems.extend(getattr(raw, "problems", ()))  # dataset-level: unused files/sheets, duplicates
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
    first_problem = len(report.problems)
    report.problems.extend(raw.problems)  # the reader's findings: encodings, header, extra cells, quotes
    if raw.shadowed_rows:  # rows of a second file/sheet for this table: named in an error by the reader
        count.read += raw.shadowed_rows
        count.rejected += raw.shadowed_rows
    if not raw.header and not raw.rows:  # an empty file: nothing to load, nothing lost
        report.warning(raw.file, None, None, None, "empty file: no header and no rows")
        return
    missing = [c.name for c in table.columns if c.required and c.name not in raw.header]
    for col in missing:
        report.error(raw.file, 1, col, None, f"required column '{col}' is missing")
    builder = _BUILDERS[table.name]
    key = table.key
    ctx.ids.setdefault(table.name, set())
    ctx.rejected_ids.setdefault(table.name, {})
    file_name = Path(raw.file).name
    problems = report.problems
    # contact rows: their values (names, e-mails …) never appear in the report, only their id
    personal_rows: dict[int, dict[str, object]] = {}
    personal = table.name == "contacts"
    row_errors = raw.row_errors
    # the values of every row no cell of which gives a finding, parsed column-wise (None: parse this row here)
    fast = (iter(parse_columns(table, _column_plan(table), raw.rows, parsers=_PARSERS, accepted=ctx.ids,
                               label_limit=MAX_LABEL_CHARS, long_text=LONG_TEXT_COLUMNS, id_limit=MAX_ID_CHARS))
            if raw.rows and not missing else None)
    for number, cells in raw.rows:
        count.read += 1
        problems_before = len(problems)
        values = next(fast) if fast is not None else None
        if personal:
            personal_rows[number] = cells
        if missing:
            report.error(raw.file, number, missing[0], None,
                         f"row rejected: required column '{missing[0]}' is missing from the file")
            count.rejected += 1
            continue
        errors = row_errors.get(number)
        if errors:
            values = None  # the reader's errors first, then every finding of the cells
            for column, value, message in errors:
                report.error(raw.file, number, column, value, message)
        if values is None:
            values = _parse_row(ctx, table, raw.file, number, cells)
        if key and values.get(key) is not None:
            row_key = values[key]
            if row_key in ctx.ids[table.name]:
                report.error(raw.file, number, key, row_key, f"duplicate id '{row_key}' (row rejected; the first row wins)")
        if len(problems) > problems_before and any(p.level == "error" for p in problems[problems_before:]):
            count.rejected += 1
            if key and values.get(key):
                reason = next(p for p in problems[problems_before:] if p.level == "error")
                ctx.rejected_ids[table.name].setdefault(values[key], (number, reason.column, reason.message))
            continue
        builder(ctx, raw.file, _row(values, file_name, number))
        if key:
            ctx.ids[table.name].add(values[key])
        count.accepted += 1
    if personal_rows:
        redact_rows(problems, first_problem, raw.file, personal_rows, keep_column=key)


def _row(values: dict[str, Any], file_name: str, number: int) -> _Row:
    """A parsed row with its provenance: its ``source`` cell, else (unless
    illustrative) the file and row it came from."""
    illustrative = bool(values.get("illustrative"))
    source = values.get("source") or (None if illustrative else f"{file_name}, row {number}")
    return _Row(number, values, source, illustrative)


def record_row(table: str, cells: dict[str, object], *, file: str, number: int, ids: dict[str, Any],
               themes: dict[str, str], today: dt.date | None = None):
    """``(contribution, report)`` of one row: what the row adds to the graph
    (:class:`graph.core.delta.Contribution`, None when the row would be
    rejected) when it is loaded as row ``number`` of ``file``, computed by the
    same parser and builder as :func:`build_graph`, and the findings it
    gives. ``ids`` answers ``key in ids[table]`` for the accepted records of
    each table, ``themes`` maps folded theme names to theme node ids (the
    themes table's; a theme not in it is noted as one the row would create).
    Used to apply edits to a served graph without rebuilding it
    (:mod:`loaders.workspace.live_update`)."""
    from graph.core.delta import RecordingGraph

    report = LoadReport(source=file)
    recorder = RecordingGraph()
    ctx = _Context(recorder, report, today=today or dt.date.today())
    ctx.ids = ids
    ctx.themes = dict(themes)
    spec = TABLES[table]
    values = _parse_row(ctx, spec, file, number, cells)
    if any(p.level == "error" for p in report.problems):
        return None, report
    _BUILDERS[table](ctx, file, _row(values, Path(file).name, number))
    if table == "contacts":
        redact_rows(report.problems, 0, file, {number: cells}, keep_column=spec.key)
    return recorder.take(), report


def _parse_row(ctx: _Context, table: Table, file: str, number: int, cells: dict[str, object]) -> dict[str, Any]:
    """Parse one row's cells. A value that cannot be parsed is an error only in
    a required column; in an optional one the row loads without it (or with the
    text kept in the column's ``*_note`` column) and a warning says so."""
    values: dict[str, Any] = {}
    notes: dict[str, object] = {}
    report = ctx.report
    for column, name, multi, parse, check in _column_plan(table):
        raw_value = cells.get(name)
        if raw_value is None or raw_value == "":
            if column.required:
                report.error(file, number, name, None, f"required value '{name}' is empty")
            values[name] = [] if multi else None
            continue
        if column.type is ColumnType.COUNTRIES:
            values[name] = _countries(ctx, column, file, number, raw_value)
            continue
        try:
            values[name] = parse(column, raw_value)
        except ValueError as exc:
            values[name] = [] if multi else None
            if column.required:
                report.error(file, number, name, raw_value, str(exc))
            else:
                note = f"{name}_note"
                if note in table.column_names and cells.get(note) in (None, ""):
                    notes[note] = raw_value
                    report.warning(file, number, name, raw_value,
                                   f"{exc}; the text is kept in '{note}', the row is loaded")
                else:
                    report.warning(file, number, name, raw_value, f"{exc}; value not used, the row is loaded without it")
            continue
        if (column.type is ColumnType.TEXT and name not in LONG_TEXT_COLUMNS
                and len(values[name]) > MAX_LABEL_CHARS):
            report.warning(file, number, name, values[name],
                           f"text of {len(values[name]):,} characters cut to {MAX_LABEL_CHARS:,} "
                           "(names and titles are shown as labels)")
            values[name] = values[name][: MAX_LABEL_CHARS - 1] + "…"
        if check is ColumnType.REF:
            if not _check_ref(ctx, column, file, number, values[name]):
                values[name] = None
        elif check is ColumnType.EMAIL and not looks_like_email(values[name]):
            report.warning(file, number, name, raw_value, "does not look like an e-mail address")
        elif column.type is ColumnType.DATE and values[name].note:
            report.warning(file, number, name, raw_value, f"read as {_span_text(values[name])} ({values[name].note})")
    values.update(notes)
    return values


def _span_text(span) -> str:
    return span.start + (f"–{span.end}" if span.end else "")


def _countries(ctx: _Context, column: Column, file: str, number: int, value: object) -> list:
    """Countries of a list cell; unknown ones are dropped with a warning (an
    error only when the column is required and none is known)."""
    countries, unknown = [], []
    for part in split_multi(value):
        try:
            countries.append(_cached_country(part))
        except ValueError:
            unknown.append(part)
    if unknown:
        names = ", ".join(repr(u) for u in unknown)
        if column.required and not countries:
            ctx.report.error(file, number, column.name, value, f"unknown country {names}")
        else:
            ctx.report.warning(file, number, column.name, value,
                               f"unknown country {names} left out" + (", the others are used" if countries else
                                                                      "; the row is loaded without a country"))
    return countries


def _parse_value(ctx: _Context, column: Column, value: object) -> Any:
    return _PARSERS[column.type](column, value)


#: Longest id or reference accepted (a longer one is not an id someone typed).
MAX_ID_CHARS = 200
#: Longest name, title or other short text shown as a label; longer text is cut (with a warning),
#: because labels appear in lists, pickers and charts. Long text columns keep up to the cell limit.
MAX_LABEL_CHARS = 1_000
LONG_TEXT_COLUMNS = frozenset({"description", "note", "since_note"})


def _parse_text(column: Column, value: object) -> str:
    return str(value).strip()


def _parse_id(column: Column, value: object) -> str:
    text = str(value).strip()
    if len(text) > MAX_ID_CHARS:
        raise ValueError(f"an id of {len(text):,} characters; at most {MAX_ID_CHARS} are accepted")
    return text


def _parse_enum(column: Column, value: object) -> str:
    text = str(value).strip()
    allowed = _enum_index(column).get(text.lower())
    if allowed is None and column.vocabulary:
        allowed = resolve_value(column.vocabulary, text)
    if allowed is None:
        raise ValueError(f"'{text}' is not a known {column.name} (allowed: {', '.join(column.allowed)}, "
                         "or their German/English labels)")
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
    ColumnType.ID: _parse_id,
    ColumnType.REF: _parse_id,
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


def _check_ref(ctx: _Context, column: Column, file: str, number: int, value: str) -> bool:
    """Whether ``value`` names an accepted row of the referenced table. When it
    does not, a required reference is an error (naming the root cause when the
    target row was rejected) and an optional one a warning (the link is dropped)."""
    target = column.ref
    assert target is not None
    accepted = ctx.ids.get(target)
    if accepted is not None and value in accepted:
        return True
    rejected = ctx.rejected_ids.get(target, {}).get(value)
    if rejected is not None:
        row, cause_column, cause = rejected
        message = (f"refers to {target} '{value}', which was rejected (see {target} row {row}"
                   + (f", column '{cause_column}'" if cause_column else "") + f": {cause})")
    elif target not in ctx.ids:
        message = f"refers to {target} '{value}', but there is no {target} table"
    else:
        message = f"unknown {target} id '{value}'"
    if column.required:
        ctx.report.error(file, number, column.name, value, message + "; row rejected")
    else:
        ctx.report.warning(file, number, column.name, value, message + "; the link is left out, the row is loaded")
    return False


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
    expires = v.get("consent_expires")
    expires = (expires.end or expires.start) if expires else None
    consent_expired = bool(consent and expires and expires[:10] < ctx.today.isoformat()[:len(expires[:10])])
    if consent_expired:  # expired consent counts as none: masked until renewed
        consent = False
    given = v.get("consent_date")
    extra = {k: val for k, val in (("consent_date", given.start if given else None), ("consent_expires", expires),
                                   ("consent_purposes", v.get("consent_purposes") or None),
                                   ("consent_source", v.get("consent_source") or None),
                                   ("consent_expired", consent_expired or None)) if val}
    nid = ctx.graph.add_node(NodeKind.CONTACT, v["id"], label=v["name"], role=v["role"], email=v["email"],
                             languages=v["languages"], consent=consent, **extra, **_provenance(row))
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
