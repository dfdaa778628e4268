"""Page 'Kontakte & Veranstaltungen': find people (contact finder), build a
balanced guest list (quotas, must include/exclude, manual edits) and export
it, and look up the event history.

The callbacks are thin: they parse the controls, call :mod:`graph.people.contacts`,
:mod:`graph.people.guestlist`, :mod:`graph.people.events` and :mod:`loaders.contact_export`
on the per-dataset :class:`~graph.people.contacts.ContactIndex` (built once per graph
generation via ``ctx.cached``), and build rows. The contact finder's grid pages on
the server (AG Grid's infinite row model, :mod:`dashboard.grid_rows`): the browser
gets only the rows it shows, of at most :data:`MAX_ROWS` matches; person pickers
search on the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import dash
import dash_ag_grid as dag
from dash import ALL, dcc, html

from dashboard import downloads
from dashboard.access import contact_rule, current_identity, require_role
from graph.people.roles import Role
from dashboard.components import grid_options, key_figures, page_header
from dashboard.pages import guestlist_save
from dashboard import consent_panel, saved_views
from dashboard.context import current
from dashboard.domain_labels import domain_label
from dashboard.grid_rows import answer as grid_answer
from dashboard.picker_options import Choices, bounded, register_search
from dashboard.i18n import LANG_STATE, lang_from_search, normalise_lang, t
from dashboard.urlsync import LANG_HREF_OUTPUTS, lang_hrefs, register_url_sync, url_payload
from dashboard.viewstate import contacts_search, network_href, parse_contacts
from graph.core.labels import ATTENDANCE_ROLE, SECTOR
from graph.core.labels import label as _label
from graph.people.contacts import (ContactIndex, Match, build_contact_index, describe_reasons, explain_matches,
                                   find_contacts, merge_note)
from graph.core.errors import PartnernetzError
from graph.people.events import attendance_counts, event_attendees, events_by_date, events_of_institution, events_of_person
from graph.people.guestlist import EACH, CandidateRows, GuestListInfeasible, Quota, build_guest_list, check_guest_list
from graph.core.text import fold
from graph.people.privacy import PrivacyError
from loaders.egress import ContactListPayload

PATH = "/kontakte"
ORDER = 3
TITLE_KEY = "nav.contacts"

#: Most rows sent to the browser per grid.
MAX_ROWS = 1500
#: Height (px) of a row of a grid paged on the server: two wrapped lines.
ROW_HEIGHT = 52
#: Most options a person/institution picker shows per search.
MAX_OPTIONS = 50


class ID:
    EXPORT_REFUSED = "contacts-export-refused"
    FILTER_FOLD = "contacts-filter-fold"
    THEMES = "contacts-themes"
    COUNTRIES = "contacts-countries"
    LAENDER = "contacts-laender"
    SECTORS = "contacts-sectors"
    INSTITUTIONS = "contacts-institutions"
    LANGUAGES = "contacts-languages"
    ROLE = "contacts-role"
    TEXT = "contacts-text"
    ATTENDED = "contacts-attended"
    ATTENDANCE_MODE = "contacts-attendance-mode"
    MONTHS = "contacts-months"
    RESULT_COUNT = "contacts-result-count"
    RESULTS = "contacts-results"
    RESULTS_KEY = "contacts-results-key"
    RESULT_LINKS = "contacts-results-links"
    SIZE = "contacts-size"
    PREFER = "contacts-prefer"
    PREFER_MONTHS = "contacts-prefer-months"
    QUOTA_DIM = "contacts-quota-dim"
    QUOTA_VALUE = "contacts-quota-value"
    QUOTA_MIN = "contacts-quota-min"
    QUOTA_MAX = "contacts-quota-max"
    QUOTA_ADD = "contacts-quota-add"
    QUOTA_LIST = "contacts-quota-list"
    QUOTA_REMOVE = "contacts-quota-remove"  # pattern-matching type
    QUOTAS = "contacts-quotas-store"
    INCLUDE = "contacts-include"
    EXCLUDE = "contacts-exclude"
    BUILD = "contacts-build"
    MESSAGES = "contacts-messages"
    LIST = "contacts-list-store"
    LIST_GRID = "contacts-list"
    LIST_COUNT = "contacts-list-count"
    REMOVE = "contacts-remove"
    ADD_PERSON = "contacts-add-person"
    ADD = "contacts-add"
    SEPARATOR = "contacts-separator"
    DL_XLSX = "contacts-dl-xlsx"
    DL_CSV = "contacts-dl-csv"
    DL_VCF = "contacts-dl-vcf"
    DOWNLOAD = "contacts-download"
    NO_ACCESS = "contacts-no-access"
    EVENT = "contacts-event"
    EVENT_ATTENDEES = "contacts-event-attendees"
    EVENT_COUNTS = "contacts-event-counts"
    HISTORY_OF = "contacts-history-of"
    HISTORY = "contacts-history"
    EVENT_LIST = "contacts-event-list"
    URL_STATE = "contacts-url-state"
    VIEWS = saved_views.ids("contacts")  # "Ansicht speichern"
    AUTO_BUILD = "contacts-auto-build"
    COUNTS_NOTE = "contacts-counts-note"
    CONSENT = consent_panel.ID  # the consent-due section
    GUESTSAVE = guestlist_save.ID  # save the list for an event


# ----------------------------------------------------------------- helpers
def warm_up() -> None:
    """Build the contact index (and the page's options) before the first visitor needs it."""
    index = contact_index()
    index.person_texts  # noqa: B018 - built now, not by the first picker search
    for lang in ("de", "en"):
        index.institution_texts(lang)
        layout(lang)


def contact_index() -> ContactIndex:
    """The contact index of the served dataset (built once per generation)."""
    ctx = current()
    return ctx.cached("contacts.index", lambda: build_contact_index(ctx.graph))


def _recent(name: str, kwargs: dict[str, Any], compute: Callable[[], Any]) -> Any:
    """``compute()`` remembered for the last few filters ``kwargs`` under
    ``name`` (per served dataset): a small, short-lived memo."""
    recent: dict[str, Any] = current().cached(f"contacts.recent_{name}", dict)
    key = repr(sorted(kwargs.items()))
    found = recent.get(key)
    if found is None:
        found = compute()
        if len(recent) >= 16:
            recent.clear()  # start afresh rather than track order
        recent[key] = found
    return found


def _matches(kwargs: dict[str, Any]) -> list[Match]:
    """``find_contacts`` for the served dataset, remembered for the last few
    filters (the count and every page of the grid ask for the same list);
    without reasons where they do not decide (:func:`explain_matches` adds them to
    the rows shown)."""
    return _recent("matches", kwargs, lambda: find_contacts(contact_index(), **kwargs, explain=False))


def _candidates(kwargs: dict[str, Any]) -> CandidateRows:
    """The persons of :func:`_matches` as positions for the guest-list
    builder, remembered like the matches (a pool of every person is then
    ranked without a Python step per person)."""
    return _recent("candidates", kwargs, lambda: CandidateRows(
        contact_index().by_name.rows(m.person.id for m in _matches(kwargs))))


def _num(value: Any, default: int | None = None) -> int | None:
    try:
        return int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default


def filter_kwargs(themes=None, countries=None, laender=None, sectors=None, institutions=None, languages=None,
                  role=None, text=None, attended=None, attendance_mode=None, months=None) -> dict[str, Any]:
    """Control values → keyword arguments of :func:`graph.people.contacts.find_contacts`."""
    kwargs: dict[str, Any] = {
        "themes": themes or [], "countries": countries or [], "laender": laender or [], "sectors": sectors or [],
        "institutions": institutions or [], "languages": languages or [], "attended": attended or [],
        "role": (role or "").strip() or None, "text": (text or "").strip() or None,
    }
    if attendance_mode == "never":
        kwargs["never_attended"] = True
    elif attendance_mode == "not_recent":
        kwargs["not_attended_months"] = max(0, _num(months, 12))
    return kwargs


def person_row(index: ContactIndex, match_or_person, lang: str) -> dict[str, Any]:
    """One grid row for a match (with reasons) or a plain person."""
    if isinstance(match_or_person, Match):
        p, reasons = match_or_person.person, "; ".join(describe_reasons(match_or_person, index, lang))
    else:
        p, reasons = match_or_person, ""
    note = t("contacts.masked_note", lang) if p.masked else merge_note(p, index, lang)
    return {
        "id": p.id, "name": p.name, "institution": "; ".join(p.institution_labels),
        "sector": "; ".join(_label(SECTOR, s, lang) for s in p.sectors),
        "land": "; ".join(index.label(f"land:{c}", lang) for c in p.laender),
        "role": p.role, "email": p.email or "", "languages": ", ".join(p.languages),
        "last": "" if p.masked else (p.last_date or ""), "reason": reasons, "note": note, "masked": p.masked,
    }


#: Long texts (institution names, roles, sectors) wrap onto further lines
#: instead of being cut off with "…" in narrow windows (1024 px).
WRAP = {"wrapText": True, "autoHeight": True, "cellClass": "cell-wrap"}
#: E-mail addresses have no spaces: they break anywhere rather than being cut.
EMAIL_WRAP = {"wrapText": True, "autoHeight": True, "cellClass": "cell-wrap cell-break"}
#: The person's name stays in view while the wide grids scroll sideways.
PINNED = {"pinned": "left", "lockPinned": True}


def _columns(lang: str, *, with_reason: bool) -> list[dict[str, Any]]:
    """Grid columns: name (pinned) and e-mail first, so both are in view at
    1024 px; long texts wrap onto further lines (rows grow, nothing is cut)."""
    cols = [
        {"field": "name", "headerName": t("contacts.name", lang), "minWidth": 140, "flex": 2, **PINNED, **WRAP},
        {"field": "email", "headerName": t("contacts.email", lang), "minWidth": 235, "flex": 2, "tooltipField": "email",
         **EMAIL_WRAP},
        {"field": "institution", "headerName": t("contacts.institution", lang), "minWidth": 180, "flex": 3,
         "tooltipField": "institution", **WRAP},
    ]
    if with_reason:
        cols.append({"field": "reason", "headerName": t("contacts.reason", lang), "minWidth": 170, "flex": 3, **WRAP})
    cols += [
        {"field": "role", "headerName": t("contacts.role_col", lang), "minWidth": 150, "flex": 2, "tooltipField": "role",
         **WRAP},
        {"field": "sector", "headerName": t("contacts.sector", lang), "minWidth": 120, "flex": 1, **WRAP},
        {"field": "land", "headerName": t("contacts.land", lang), "minWidth": 140, "flex": 1, **WRAP},
        {"field": "languages", "headerName": t("contacts.langs_col", lang), "width": 115},
        {"field": "last", "headerName": t("contacts.last", lang), "width": 120},
        {"field": "note", "headerName": t("contacts.note", lang), "minWidth": 220, "flex": 2, "tooltipField": "note",
         **WRAP},
    ]
    return cols


def _grid(grid_id: str, lang: str, *, with_reason: bool, selectable: bool = False, page_size: int = 15,
          on_server: bool = False) -> dag.AgGrid:
    """A contact grid; ``on_server``: AG Grid's infinite row model, one block
    of ``page_size`` rows per request (``getRowsRequest`` → ``getRowsResponse``)."""
    options: dict[str, Any] = {"pagination": True, "paginationPageSize": page_size, "domLayout": "autoHeight",
                               "paginationPageSizeSelector": [15, 50, 100], "enableCellTextSelection": True}
    if selectable:
        options["rowSelection"] = {"mode": "multiRow"}
        options["selectionColumnDef"] = {"pinned": "left"}  # the checkboxes stay before the pinned name
    columns = _columns(lang, with_reason=with_reason)
    rows: dict[str, Any] = {"rowData": []}
    style = {"width": "100%"}
    if on_server:
        # the infinite row model knows neither automatic grid nor row heights: rows of
        # two wrapped lines, and a grid as high as a page of 15 (more rows scroll inside)
        options.update(cacheBlockSize=page_size, maxBlocksInCache=20, domLayout="normal", rowHeight=ROW_HEIGHT)
        columns = [{k: v for k, v in col.items() if k != "autoHeight"} for col in columns]
        rows = {"rowModelType": "infinite"}
        style["height"] = f"{page_size * ROW_HEIGHT + 100}px"
    return dag.AgGrid(
        id=grid_id, columnDefs=columns,
        defaultColDef={"sortable": True, "filter": True, "resizable": True},
        getRowId="params.data.id", dashGridOptions=grid_options(lang, **options), className="ag-theme-alpine",
        style=style, **rows,
    )


def _options(index: ContactIndex, facet: str, lang: str) -> list[dict[str, str]]:
    """The choices of a filter ``facet`` (sorted by folded label): built once
    per dataset and language (13,000 institutions at 100k nodes: ~0.1 s per
    page view otherwise) and kept with a kept build. Shared: never change the list."""
    ctx = current()
    return ctx.cached(f"contacts.options.{facet}.{lang}", lambda: _build_options(index, facet, lang))


def _build_options(index: ContactIndex, facet: str, lang: str) -> list[dict[str, str]]:
    values = index.options(facet)
    if facet == "sector":
        opts = [{"label": _label(SECTOR, v, lang), "value": v} for v in values]
    elif facet == "language":
        opts = [{"label": v, "value": v} for v in values]
    elif facet == "event":
        ev = sorted((index.events[v] for v in values if v in index.events), key=lambda e: e.date or "", reverse=True)
        return [{"label": f"{e.date or '?'} – {e.label}", "value": e.id} for e in ev]
    else:
        opts = [{"label": index.label(v, lang), "value": v} for v in values]
    return sorted(opts, key=lambda o: fold(o["label"]))


def institution_links(index: ContactIndex, person_id: str | None, lang: str) -> list:
    """Links into the network view, focused on each institution of
    ``person_id``; a hint when no (known) person is chosen.

    The focus link comes from :func:`dashboard.viewstate.network_href`.
    """
    person = index.persons.get(person_id or "")
    if person is None or not person.institutions:
        return [html.Span(t("contacts.row_hint", lang), className="muted small")]
    return [dcc.Link(t("contacts.in_network", lang, name=label), className="button small secondary",
                     href=network_href(lang, focus=iid))
            for iid, label in zip(person.institutions, person.institution_labels)]


def person_options(index: ContactIndex, search: str | None, selected: list[str] | None, *,
                   institutions: bool = False, lang: str = "de") -> list[dict[str, str]]:
    """Options of a person (and optionally institution) picker: the selected
    ones plus up to :data:`MAX_OPTIONS` matching ``search`` (consented people
    only — a masked person cannot be picked by name)."""
    key = fold(search or "")
    out: list[dict[str, str]] = []
    seen: set[str] = set()

    def person_label(pid: str) -> str:
        p = index.persons[pid]
        return f"{p.name} – {p.institution_labels[0] if p.institution_labels else ''}"

    for value in selected or []:
        if value in index.persons:
            out.append({"label": person_label(value), "value": value})
        elif value in index.by_institution:
            out.append({"label": f"{index.label(value, lang)} ({t('contacts.institution', lang)})", "value": value})
        seen.add(value)
    for pid in index.person_texts.first(key, MAX_OPTIONS, skip=seen):
        out.append({"label": person_label(pid), "value": pid})
    if institutions:
        for inst in index.institution_texts(lang).first(key, MAX_OPTIONS // 2, skip=seen):
            out.append({"label": f"{index.label(inst, lang)} ({t('contacts.institution', lang)})", "value": inst})
    return out


def quota_from_store(item: dict[str, Any]) -> Quota:
    return Quota(item["dimension"], item["value"], min=_num(item.get("min")), max=_num(item.get("max")))


def quota_text(index: ContactIndex, item: dict[str, Any], lang: str) -> str:
    from graph.people.guestlist import value_label

    parts = []
    if item.get("min") is not None:
        parts.append(f"{t('contacts.min', lang)} {item['min']}")
    if item.get("max") is not None:
        parts.append(f"{t('contacts.max', lang)} {item['max']}")
    if item["value"] == EACH:  # "höchstens 4 je Land"
        return f"{', '.join(parts)} {value_label(index, item['dimension'], EACH, lang)}"
    return f"{value_label(index, item['dimension'], item['value'], lang)}: {', '.join(parts)}"


def facet_choices(facet: str, lang: str) -> Choices:
    """A finder facet's whole option list (once per dataset and language;
    long ones reach the browser through :func:`picker_options.bounded`)."""
    return current().cached(f"contacts.choices.{facet}.{lang}",
                            lambda: Choices.of(_options(contact_index(), facet, lang)))


def event_choices(lang: str) -> Choices:
    """Every event, newest first (the event chooser and the guest list's event)."""
    return current().cached(f"contacts.choices.events.{lang}", lambda: Choices.of(
        [{"label": f"{e.date or '?'} – {e.label}", "value": e.id} for e in events_by_date(contact_index())]))


def quota_choices(dimension: str, lang: str) -> Choices:
    """:func:`quota_value_options` of the served dataset, once per dimension and language."""
    return current().cached(f"contacts.choices.quota.{dimension}.{lang}",
                            lambda: Choices.of(quota_value_options(contact_index(), dimension, lang)))


def quota_value_options(index: ContactIndex, dimension: str, lang: str) -> list[dict[str, str]]:
    """Values of a quota: "every group" (a rule per group in one step) first, then each group."""
    return ([{"label": t(f"contacts.each.{dimension}", lang), "value": EACH}]
            + _options(index, dimension, lang))


def valid_quotas(index: ContactIndex, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Quota items from the URL whose value exists (or is the per-group rule)."""
    out = []
    for item in items:
        if item["value"] == EACH or item["value"] in set(index.options(item["dimension"])):
            try:
                quota_from_store(item)
            except PartnernetzError:
                continue
            out.append(item)
    return out


def _field(label_key: str, control, lang: str, cls: str = "field", hint_key: str | None = None) -> html.Div:
    label = html.Label(t(label_key, lang), title=t(hint_key, lang) if hint_key else None)
    return html.Div([label, control], className=cls)


def _multi(id_: str, options, lang: str, placeholder_key: str = "contacts.any") -> dcc.Dropdown:
    return dcc.Dropdown(id=id_, options=options, multi=True, placeholder=t(placeholder_key, lang))


# ------------------------------------------------------------------ layout
#: URL parameters that preset the finder: name -> (id prefix, facet).
URL_FILTERS = {"theme": ("theme:", "theme"), "country": ("country:", "country"), "land": ("land:", "land"),
               "sector": ("", "sector"), "institution": ("institution:", "institution"),
               "language": ("", "language"), "event": ("event:", "event")}


def url_presets(index: ContactIndex, query: dict[str, str]) -> dict[str, list[str]]:
    """Filter values from the URL (``/kontakte?theme=water&country=TZA,NAM``);
    unknown values are dropped."""
    out: dict[str, list[str]] = {}
    for name, (prefix, facet) in URL_FILTERS.items():
        raw = query.get(name) or ""
        if not raw.strip():  # the usual page: no filter in its address
            out[name] = []
            continue
        known = set(index.options(facet))
        values = []
        for part in str(raw).split(","):
            part = part.strip()
            value = part if part.startswith(prefix) else prefix + part
            if part and value in known:
                values.append(value)
        out[name] = values
    return out


def layout(lang: str = "de", **query: str):
    lang = normalise_lang(lang)
    ctx = current()
    index = contact_index()
    n_masked, n_merged = ctx.cached("contacts.counts", lambda: (  # walks every person: once per dataset
        sum(1 for p in index.persons.values() if p.masked), sum(len(p.record_ids) - 1 for p in index.persons.values())))
    header = page_header(TITLE_KEY, lang, t("contacts.intro", lang))
    if contact_rule() == "none" and not ctx.settings.no_contacts:  # a reader: no personal data
        role = t(f"role.{current_identity().role.key}", lang)
        return html.Div([header, html.P(t("access.no_contacts_role", lang, role=role), className="status error",
                                        id=ID.NO_ACCESS), _event_list(index, lang)], className="contacts-page")
    if ctx.settings.no_contacts or not index.persons:
        return html.Div([header, html.P(t("contacts.no_contacts", lang), className="status error"),
                         _event_list(index, lang)],
                        className="contacts-page")

    preset = url_presets(index, query)
    state = parse_contacts(query)
    persons = lambda ids: [i for i in ids if i in index.persons and not index.persons[i].masked]  # noqa: E731
    include, exclude = persons(state["include"]), persons(state["exclude"])

    def multi(id_: str, facet: str, name: str) -> dcc.Dropdown:
        dd = _multi(id_, bounded(facet_choices(facet, lang), "", preset[name]), lang)
        dd.value = preset[name] or None
        return dd

    finder = html.Div([
        html.H2(t("contacts.find", lang)),
        # the filters fold away on narrow screens (keys.js: details.fold-narrow)
        html.Details([html.Summary(t("contacts.filters", lang)), html.Div([
            _field("contacts.themes", multi(ID.THEMES, "theme", "theme"), lang),
            _field("contacts.countries", multi(ID.COUNTRIES, "country", "country"), lang,
                   hint_key="contacts.countries_hint"),
            _field("contacts.laender", multi(ID.LAENDER, "land", "land"), lang),
            _field("contacts.sectors", multi(ID.SECTORS, "sector", "sector"), lang),
            _field("contacts.institutions", multi(ID.INSTITUTIONS, "institution", "institution"), lang),
            _field("contacts.languages", multi(ID.LANGUAGES, "language", "language"), lang),
            _field("contacts.role", dcc.Input(id=ID.ROLE, type="text", debounce=True, className="text-input",
                                              value=state["role"] or None), lang),
            _field("contacts.text", dcc.Input(id=ID.TEXT, type="search", debounce=True, className="text-input",
                                                  value=state["q"] or None), lang),
            _field("contacts.attended", multi(ID.ATTENDED, "event", "event"), lang),
            _field("contacts.attendance", html.Div([
                dcc.RadioItems(id=ID.ATTENDANCE_MODE, value=state["attendance"], inline=True, className="radio", options=[
                    {"label": t("contacts.att_any", lang), "value": "any"},
                    {"label": t("contacts.att_never", lang), "value": "never"},
                    {"label": t("contacts.att_not_recent", lang), "value": "not_recent"}]),
                dcc.Input(id=ID.MONTHS, type="number", min=0, value=state["months"], className="num-input"),
                html.Span(t("contacts.months", lang), className="muted"),
            ], className="inline"), lang, cls="field wide"),
        ], className="filter-grid")], open=True, className="fold-narrow fold-plain", id=ID.FILTER_FOLD),
        html.Div(id=ID.RESULT_COUNT, className="result-count"),
        _grid(ID.RESULTS, lang, with_reason=True, on_server=True),
        dcc.Store(id=ID.RESULTS_KEY),
        html.Div(institution_links(index, None, lang), id=ID.RESULT_LINKS, className="result-links"),
    ], className="section")

    dims = [{"label": t(f"contacts.dim.{d}", lang), "value": d} for d in ("sector", "land", "institution")]
    guestlist = html.Div([
        html.H2(t("contacts.guestlist", lang)),
        html.P(t("contacts.guestlist_intro", lang), className="muted"),
        html.Div([
            _field("contacts.size", dcc.Input(id=ID.SIZE, type="number", min=0, value=state["size"], className="num-input"), lang),
            _field("contacts.prefer", html.Div([
                dcc.Checklist(id=ID.PREFER, value=["prefer"] if state["prefer"] else [],
                              options=[{"label": "", "value": "prefer"}], className="check"),
                html.Span(t("contacts.prefer_months", lang), className="muted"),
                dcc.Input(id=ID.PREFER_MONTHS, type="number", min=0, value=state["prefer_months"], className="num-input"),
            ], className="inline"), lang, cls="field wide"),
        ], className="filter-grid"),
        html.H3(t("contacts.quotas", lang)),
        html.Div([
            _field("contacts.quota_dim", dcc.Dropdown(id=ID.QUOTA_DIM, options=dims, value="sector", clearable=False), lang),
            _field("contacts.quota_value", dcc.Dropdown(id=ID.QUOTA_VALUE, options=bounded(quota_choices("sector", lang), "", None),
                                                        placeholder=t("contacts.quota_value_ph", lang)), lang),
            _field("contacts.min", dcc.Input(id=ID.QUOTA_MIN, type="number", min=0, className="num-input"), lang, cls="field narrow"),
            _field("contacts.max", dcc.Input(id=ID.QUOTA_MAX, type="number", min=0, className="num-input"), lang, cls="field narrow"),
            html.Button(t("contacts.quota_add", lang), id=ID.QUOTA_ADD, className="button secondary"),
        ], className="quota-form"),
        html.Div(id=ID.QUOTA_LIST, className="quota-list", children=html.Span(t("contacts.no_quotas", lang), className="muted")),
        html.Div([
            _field("contacts.include", dcc.Dropdown(id=ID.INCLUDE, multi=True, options=person_options(index, "", include),
                                                    value=include, placeholder=t("contacts.search_hint", lang)), lang),
            _field("contacts.exclude", dcc.Dropdown(id=ID.EXCLUDE, multi=True, options=person_options(index, "", exclude),
                                                    value=exclude, placeholder=t("contacts.search_hint", lang)), lang),
        ], className="filter-grid two"),
        html.Div(html.Button(t("contacts.build", lang), id=ID.BUILD, className="button"), className="button-row"),
        html.Div(id=ID.MESSAGES, className="list-messages"),
        html.Div(id=ID.LIST_COUNT, className="result-count"),
        _grid(ID.LIST_GRID, lang, with_reason=False, selectable=True, page_size=50),
        html.Div([
            html.Button(t("contacts.remove", lang), id=ID.REMOVE, className="button secondary"),
            dcc.Dropdown(id=ID.ADD_PERSON, options=person_options(index, "", []), placeholder=t("contacts.add_person", lang),
                         className="add-person"),
            html.Button(t("contacts.add", lang), id=ID.ADD, className="button secondary"),
        ], className="button-row list-edit"),
        html.Div([
            html.Button("Excel", id=ID.DL_XLSX, className="button"),
            html.Button("CSV", id=ID.DL_CSV, className="button"),
            html.Button("vCard", id=ID.DL_VCF, className="button"),
            html.Label(t("contacts.separator", lang) + ":", className="sep-label"),
            dcc.RadioItems(id=ID.SEPARATOR, value=state["sep"], inline=True, className="radio", options=[
                {"label": t("contacts.sep_semicolon", lang), "value": ";"},
                {"label": t("contacts.sep_comma", lang), "value": ","}]),
            downloads.target(ID.DOWNLOAD),
        ], className="button-row downloads"),
        html.P(t("contacts.export_note", lang), className="muted small"),
        guestlist_save.section(index, lang, event_options=bounded(event_choices(lang), "", None)),
        dcc.Store(id=ID.QUOTAS, data=valid_quotas(index, state["quota"])),
        dcc.Store(id=ID.LIST, data=[]),
        dcc.Store(id=ID.AUTO_BUILD, data=state["built"]),
    ], className="section")

    return html.Div([
        header,
        saved_views.save_control(ID.VIEWS, lang),
        dcc.Store(id=ID.URL_STATE),
        html.P(t("contacts.privacy", lang, n=len(index.persons), m=n_masked, d=n_merged), className="muted"),
        html.P(t("contacts.counts_note", lang, n=len(index.persons), r=len(index.persons) + n_merged, d=n_merged),
               className="muted small", id=ID.COUNTS_NOTE) if n_merged else None,
        key_figures([(t("contacts.persons", lang), len(index.persons)), (t("table.events", lang), len(index.events))]),
        finder, guestlist, _events_section(index, lang, state["show"], state["history"]), consent_panel.section(lang),
    ], className="contacts-page")


def _event_list(index: ContactIndex, lang: str) -> html.Div:
    """Events without people (``--no-contacts``): date, title, kind, city."""
    rows = [{"id": e.id, "date": e.date or "", "event": e.label, "kind": domain_label("event_kind", e.kind, lang) if e.kind else ""}
            for e in events_by_date(index)]
    cols = [{"field": "date", "headerName": t("contacts.date", lang), "width": 120},
            {"field": "event", "headerName": t("contacts.event", lang), "flex": 3, "minWidth": 260, **WRAP},
            {"field": "kind", "headerName": t("contacts.event_kind", lang), "width": 160}]
    return html.Div([
        html.H2(t("contacts.events", lang)),
        dag.AgGrid(id=ID.EVENT_LIST, rowData=rows, columnDefs=cols, getRowId="params.data.id",
                   defaultColDef={"sortable": True, "filter": True, "resizable": True},
                   dashGridOptions=grid_options(lang, pagination=True, paginationPageSize=15, domLayout="autoHeight",
                                                paginationPageSizeSelector=[15, 50, 100]),
                   className="ag-theme-alpine", style={"width": "100%"}),
    ], className="section")


def _events_section(index: ContactIndex, lang: str, show: str | None = None, history: str | None = None) -> html.Div:
    events = events_by_date(index)
    if not events:
        return html.Div([html.H2(t("contacts.events", lang)), html.P(t("contacts.no_events", lang), className="muted")])
    shown = show if show in index.events else events[0].id
    known = (history in index.persons and not index.persons[history].masked) or history in index.by_institution
    chosen = [history] if history and known else []
    history_cols = [
        {"field": "date", "headerName": t("contacts.date", lang), "width": 120},
        {"field": "event", "headerName": t("contacts.event", lang), "flex": 3, "minWidth": 240, **WRAP},
        {"field": "name", "headerName": t("contacts.person", lang), "flex": 2, "minWidth": 150, **WRAP},
        {"field": "institution", "headerName": t("contacts.institution", lang), "flex": 2, "minWidth": 200, **WRAP},
        {"field": "role", "headerName": t("contacts.att_role", lang), "width": 130},
    ]
    attendee_cols = [c for c in history_cols if c["field"] not in ("date", "event")]
    attendee_cols.insert(2, {"field": "sector", "headerName": t("contacts.sector", lang), "flex": 1, "minWidth": 130, **WRAP})
    attendee_cols.insert(3, {"field": "land", "headerName": t("contacts.land", lang), "flex": 1, "minWidth": 140, **WRAP})
    grid_opts = {"pagination": True, "paginationPageSize": 15, "domLayout": "autoHeight",
                 "paginationPageSizeSelector": [15, 50, 100]}
    return html.Div([
        html.H2(t("contacts.events", lang)),
        html.Div([
            html.Div([
                _field("contacts.event", dcc.Dropdown(id=ID.EVENT, options=bounded(event_choices(lang), "", shown),
                                                                    value=shown,
                                                                    clearable=False), lang),
                dag.AgGrid(id=ID.EVENT_ATTENDEES, rowData=[], columnDefs=attendee_cols, getRowId="params.data.id",
                           defaultColDef={"sortable": True, "filter": True, "resizable": True},
                           dashGridOptions=grid_options(lang, **grid_opts), className="ag-theme-alpine", style={"width": "100%"}),
            ], className="event-main"),
            html.Div(id=ID.EVENT_COUNTS, className="event-counts"),
        ], className="event-layout"),
        html.H3(t("contacts.history_of", lang)),
        _field("contacts.person", dcc.Dropdown(id=ID.HISTORY_OF, options=person_options(index, "", chosen, institutions=True, lang=lang),
                                               value=chosen[0] if chosen else None,
                                               placeholder=t("contacts.search_hint", lang)), lang),
        dag.AgGrid(id=ID.HISTORY, rowData=[], columnDefs=history_cols,
                   defaultColDef={"sortable": True, "filter": True, "resizable": True},
                   dashGridOptions=grid_options(lang, **grid_opts), className="ag-theme-alpine", style={"width": "100%"}),
    ], className="section")


# ------------------------------------------------------- pure row builders
def attendee_rows(index: ContactIndex, event_id: str, lang: str) -> list[dict[str, Any]]:
    return [{"id": f"{a.person.id}|{a.role}", "name": a.person.name, "institution": "; ".join(a.person.institution_labels),
             "sector": "; ".join(_label(SECTOR, s, lang) for s in a.person.sectors),
             "land": "; ".join(index.label(f"land:{c}", lang) for c in a.person.laender),
             "role": _label(ATTENDANCE_ROLE, a.role, lang)} for a in event_attendees(index, event_id)]


def history_rows(index: ContactIndex, node: str, lang: str) -> list[dict[str, Any]]:
    found = events_of_institution(index, node) if node in index.by_institution else events_of_person(index, node)
    return [{"id": f"{a.event.id}|{a.person.id}|{a.role}", "date": a.event.date or "", "event": a.event.label,
             "name": a.person.name, "institution": "; ".join(a.person.institution_labels),
             "role": _label(ATTENDANCE_ROLE, a.role, lang)} for a in found]


def counts_tables(index: ContactIndex, event_id: str, lang: str) -> list:
    counts = attendance_counts(index, event_id)

    def table(title: str, first: str, rows: list[tuple[str, int]]) -> html.Div:
        return html.Div([html.H4(title), html.Table([
            html.Thead(html.Tr([html.Th(first), html.Th(t("contacts.count_col", lang))])),
            html.Tbody([html.Tr([html.Td(k), html.Td(str(v))]) for k, v in rows]),
        ], className="counts")], className="card")

    land_rows = [(index.label(f"land:{k}", lang) if k else t("contacts.abroad", lang), v) for k, v in counts["land"].items()]
    sector_rows = [(_label(SECTOR, k, lang), v) for k, v in counts["sector"].items()]
    role_rows = [(_label(ATTENDANCE_ROLE, k, lang), v) for k, v in counts["role"].items()]
    return [table(t("contacts.by_land", lang), t("contacts.land", lang), land_rows),
            table(t("contacts.by_sector", lang), t("contacts.sector", lang), sector_rows),
            table(t("contacts.by_role", lang), t("contacts.att_role", lang), role_rows)]


def _list_messages(index: ContactIndex, problems_header: str, messages: list[str], ok: bool, lang: str):
    if ok:
        return html.Div(t("contacts.list_ok", lang), className="status ok")
    return html.Div([html.Strong(t(problems_header, lang)), html.Ul([html.Li(m) for m in messages])],
                    className="status error problems")


# --------------------------------------------------------------- callbacks
#: The finder's controls: keyword of :func:`filter_kwargs` -> component id.
FILTERS = {"themes": ID.THEMES, "countries": ID.COUNTRIES, "laender": ID.LAENDER, "sectors": ID.SECTORS,
           "institutions": ID.INSTITUTIONS, "languages": ID.LANGUAGES, "role": ID.ROLE, "text": ID.TEXT,
           "attended": ID.ATTENDED, "attendance_mode": ID.ATTENDANCE_MODE, "months": ID.MONTHS}

#: The guest-list controls: field of :class:`GuestListForm` -> (component id, property).
GUEST_LIST_FORM = {"size": (ID.SIZE, "value"), "quotas": (ID.QUOTAS, "data"), "include": (ID.INCLUDE, "value"),
                   "exclude": (ID.EXCLUDE, "value"), "prefer": (ID.PREFER, "value"),
                   "prefer_months": (ID.PREFER_MONTHS, "value"), "members": (ID.LIST, "data"),
                   "selected": (ID.LIST_GRID, "selectedRows"), "add_person": (ID.ADD_PERSON, "value")}


#: Guest-list settings kept in the URL: field -> (component id, property).
URL_FORM = {"show": (ID.EVENT, "value"), "history": (ID.HISTORY_OF, "value"), "size": (ID.SIZE, "value"), "prefer": (ID.PREFER, "value"), "prefer_months": (ID.PREFER_MONTHS, "value"),
            "quota": (ID.QUOTAS, "data"), "include": (ID.INCLUDE, "value"), "exclude": (ID.EXCLUDE, "value"),
            "sep": (ID.SEPARATOR, "value"), "built": (ID.LIST, "data")}

#: Finder controls -> URL parameter (see :func:`dashboard.viewstate.parse_contacts`).
_URL_NAMES = {"themes": "theme", "countries": "country", "laender": "land", "sectors": "sector",
              "institutions": "institution", "languages": "language", "attended": "event", "role": "role",
              "text": "q", "attendance_mode": "attendance", "months": "months"}


def page_search(filters: dict[str, Any], form: dict[str, Any], lang: str) -> str:
    """The URL query of the finder's filters and the guest-list settings.

    >>> page_search({"laender": ["land:DE-HE"], "text": "Wasser", "months": 12},
    ...             {"size": 12, "prefer": [], "quota": [{"dimension": "land", "value": "*", "max": 4}],
    ...              "built": ["contact:a"]}, "de")
    '?land=land%3ADE-HE&q=Wasser&size=12&prefer=0&quota=land%3A%2A%3Amax4&built=1&lang=de'
    """
    state: dict[str, Any] = {_URL_NAMES[k]: v for k, v in filters.items() if k in _URL_NAMES}
    state.update({k: v for k, v in form.items() if k not in ("prefer", "built")})
    state["prefer"] = bool(form.get("prefer"))
    state["built"] = bool(form.get("built"))
    state["lang"] = lang
    return contacts_search({k: v for k, v in state.items() if v is not None})


@dataclass(frozen=True)
class GuestListForm:
    """The guest-list controls, parsed (see :data:`GUEST_LIST_FORM`).

    >>> form = GuestListForm.parse({"size": "", "prefer": ["prefer"], "selected": [{"id": "contact:a"}]})
    >>> form.size, form.not_recent_months, form.selected, form.members
    (10, 12, ['contact:a'], [])
    """

    size: int
    quotas: list[Quota]
    include: list[str]
    exclude: list[str]
    not_recent_months: int | None
    members: list[str]
    selected: list[str]
    add_person: str | None

    @classmethod
    def parse(cls, form: dict[str, Any]) -> "GuestListForm":
        return cls(size=max(0, _num(form.get("size"), 10)),
                   quotas=[quota_from_store(q) for q in form.get("quotas") or []],
                   include=list(form.get("include") or []), exclude=list(form.get("exclude") or []),
                   not_recent_months=_num(form.get("prefer_months"), 12) if form.get("prefer") else None,
                   members=list(form.get("members") or []), selected=[r["id"] for r in form.get("selected") or []],
                   add_person=form.get("add_person"))


def register_callbacks(app: dash.Dash) -> None:
    downloads.register_target(app, ID.DOWNLOAD)
    saved_views.register_callbacks(app, ID.VIEWS, PATH)
    consent_panel.register_callbacks(app)
    guestlist_save.register_callbacks(app, members=ID.LIST, quotas=ID.QUOTAS, size=ID.SIZE, include=ID.INCLUDE,
                                      exclude=ID.EXCLUDE)

    # a new filter (in the browser, no request): the grid drops its cached blocks and asks
    # again from the first page; that one request answers the rows and the count
    app.clientside_callback(
        """function() { return Array.prototype.slice.call(arguments); }""",
        dash.Output(ID.RESULTS_KEY, "data"), [dash.Input(cid, "value") for cid in FILTERS.values()],
        prevent_initial_call=True)
    app.clientside_callback(
        """function(key, gridId) {
            if (window.dash_ag_grid && dash_ag_grid.getApiAsync) {
                dash_ag_grid.getApiAsync(gridId).then(function(api) { api.purgeInfiniteCache(); });
            }
            return window.dash_clientside.no_update;
        }""",
        dash.Output(ID.RESULTS_KEY, "modified_timestamp"), dash.Input(ID.RESULTS_KEY, "data"),
        dash.State(ID.RESULTS, "id"), prevent_initial_call=True)

    @app.callback(dash.Output(ID.RESULTS, "getRowsResponse"), dash.Output(ID.RESULT_COUNT, "children"),
                  inputs={"request": dash.Input(ID.RESULTS, "getRowsRequest"),
                          "filters": {name: dash.State(cid, "value") for name, cid in FILTERS.items()},
                          "search": LANG_STATE})
    def _result_rows(request, filters, search):
        require_role(Role.PLANNER)  # persons: planners and up (a reader's forged call gets 403)
        lang = lang_from_search(search)
        index = contact_index()
        kwargs = filter_kwargs(**filters)
        found = _matches(kwargs)
        matches = found[:MAX_ROWS]
        if len(found) == 1:
            text = t("contacts.count_one", lang)
        elif len(found) <= MAX_ROWS:
            text = t("contacts.count", lang, n=len(found))
        else:
            text = t("contacts.count_capped", lang, n=len(found), k=MAX_ROWS)
        rows = grid_answer(request, len(matches),
                           lambda: [person_row(index, m, lang) for m in explain_matches(index, matches, **kwargs)],
                           lambda a, b: [person_row(index, m, lang) for m in explain_matches(index, matches[a:b], **kwargs)])
        return rows, text

    @app.callback(dash.Output(ID.RESULT_LINKS, "children"), dash.Input(ID.RESULTS, "cellClicked"),
                  LANG_STATE, prevent_initial_call=True)
    def _result_links(cell, search):
        require_role(Role.PLANNER)  # persons: planners and up (a reader's forged call gets 403)
        return institution_links(contact_index(), (cell or {}).get("rowId"), lang_from_search(search))

    @app.callback(dash.Output(ID.QUOTA_VALUE, "options"), dash.Output(ID.QUOTA_VALUE, "value"),
                  dash.Input(ID.QUOTA_DIM, "value"), LANG_STATE)
    def _quota_values(dim, search):
        return bounded(quota_choices(dim or "sector", lang_from_search(search)), "", None), None

    @app.callback(dash.Output(ID.QUOTA_VALUE, "options", allow_duplicate=True), dash.Input(ID.QUOTA_VALUE, "search_value"),
                  dash.State(ID.QUOTA_DIM, "value"), dash.State(ID.QUOTA_VALUE, "value"), LANG_STATE,
                  prevent_initial_call=True)
    def _quota_search(search_value, dim, value, search):
        if search_value is None:
            raise dash.exceptions.PreventUpdate
        return bounded(quota_choices(dim or "sector", lang_from_search(search)), search_value, value)

    # long lists (thousands of institutions or events) search on the server
    for dropdown, facet in ((ID.INSTITUTIONS, "institution"), (ID.ATTENDED, "event")):
        register_search(app, dropdown, lambda lang, facet=facet: facet_choices(facet, lang))
    for dropdown in (ID.EVENT, guestlist_save.ID.EVENT):
        register_search(app, dropdown, event_choices)

    @app.callback(dash.Output(ID.QUOTAS, "data"),
                  dash.Input(ID.QUOTA_ADD, "n_clicks"), dash.Input({"type": ID.QUOTA_REMOVE, "index": ALL}, "n_clicks"),
                  dash.State(ID.QUOTA_DIM, "value"), dash.State(ID.QUOTA_VALUE, "value"),
                  dash.State(ID.QUOTA_MIN, "value"), dash.State(ID.QUOTA_MAX, "value"), dash.State(ID.QUOTAS, "data"),
                  prevent_initial_call=True)
    def _edit_quotas(_add, removes, dim, value, qmin, qmax, quotas):
        quotas = list(quotas or [])
        trigger = dash.ctx.triggered_id
        if isinstance(trigger, dict):
            if not any(removes):
                raise dash.exceptions.PreventUpdate
            return [q for k, q in enumerate(quotas) if k != trigger["index"]]
        if not dim or not value or (qmin in (None, "") and qmax in (None, "")):
            raise dash.exceptions.PreventUpdate
        item = {"dimension": dim, "value": value, "min": _num(qmin), "max": _num(qmax)}  # value EACH: every group
        try:
            quota_from_store(item)
        except PartnernetzError:
            raise dash.exceptions.PreventUpdate
        return [q for q in quotas if (q["dimension"], q["value"]) != (dim, value)] + [item]

    @app.callback(dash.Output(ID.QUOTA_LIST, "children"), dash.Input(ID.QUOTAS, "data"), LANG_STATE)
    def _show_quotas(quotas, search):
        lang = lang_from_search(search)
        if not quotas:
            return html.Span(t("contacts.no_quotas", lang), className="muted")
        index = contact_index()
        return [html.Span([quota_text(index, q, lang),
                           html.Button("×", id={"type": ID.QUOTA_REMOVE, "index": k}, className="chip-remove",
                                       title="remove")], className="chip") for k, q in enumerate(quotas)]

    for picker in (ID.INCLUDE, ID.EXCLUDE, ID.ADD_PERSON, ID.HISTORY_OF):
        _register_person_search(app, picker, institutions=picker == ID.HISTORY_OF)

    @app.callback(dash.Output(ID.LIST, "data"), dash.Output(ID.MESSAGES, "children"),
                  dash.Output(ID.EXCLUDE, "value"),
                  inputs={"clicks": [dash.Input(i, "n_clicks") for i in (ID.BUILD, ID.REMOVE, ID.ADD)],
                          "auto": dash.Input(ID.AUTO_BUILD, "data"),
                          "filters": {name: dash.State(cid, "value") for name, cid in FILTERS.items()},
                          "form": {name: dash.State(*spec) for name, spec in GUEST_LIST_FORM.items()},
                          "search": LANG_STATE})
    def _guest_list(clicks, auto, filters, form, search):
        lang = lang_from_search(search)
        index = contact_index()
        form = GuestListForm.parse(form)
        members, exclude = form.members, form.exclude
        trigger = dash.ctx.triggered_id
        if trigger is None or trigger == ID.AUTO_BUILD:
            # drawing the page: a link to a built list (``built=1``) builds it again from its settings
            if not auto:
                raise dash.exceptions.PreventUpdate
            trigger = ID.BUILD
        require_role(Role.PLANNER)  # persons: planners and up (a reader's forged call gets 403)
        if trigger == ID.BUILD:
            pool = _candidates(filter_kwargs(**filters))  # the grid's list, memoised as positions
            try:
                gl = build_guest_list(index, pool, size=form.size, quotas=form.quotas, include=form.include,
                                      exclude=exclude, not_recent_months=form.not_recent_months)
            except GuestListInfeasible as exc:
                return members, _list_messages(index, "contacts.list_problems", exc.messages(index, lang), False, lang), exclude
            return list(gl.members), _list_messages(index, "", [], True, lang), exclude
        if trigger == ID.REMOVE:
            gone = form.selected
            if not gone:
                raise dash.exceptions.PreventUpdate
            members = [m for m in members if m not in gone]
            exclude = exclude + [g for g in gone if g not in exclude]  # a new proposal keeps them out
        elif trigger == ID.ADD:
            add = form.add_person
            if not add or add in members or index.persons.get(add) is None or index.persons[add].masked:
                raise dash.exceptions.PreventUpdate
            members = members + [add]
            exclude = [e for e in exclude if e != add]
        problems = check_guest_list(index, members, size=form.size, quotas=form.quotas)
        msgs = [p.message(index, lang) for p in problems]
        return members, _list_messages(index, "contacts.list_check", msgs, not problems, lang), exclude

    register_url_sync(app, ID.URL_STATE)

    @app.callback(dash.Output(ID.URL_STATE, "data"),
                  inputs={"filters": {name: dash.Input(cid, "value") for name, cid in FILTERS.items()},
                          "form": {name: dash.Input(cid, prop) for name, (cid, prop) in URL_FORM.items()},
                          "search": LANG_STATE})
    def _url_state(filters, form, search):
        events = events_by_date(contact_index())
        if events and form.get("show") == events[0].id:
            form = {**form, "show": None}  # the latest event is shown by default
        return url_payload(PATH, page_search(filters, form, lang_from_search(search)))

    @app.callback(*LANG_HREF_OUTPUTS, dash.Input(ID.URL_STATE, "data"), prevent_initial_call="initial_duplicate")
    def _lang_links(payload):
        if not payload or payload.get("path") != PATH:
            raise dash.exceptions.PreventUpdate
        return lang_hrefs(PATH, payload["search"])

    @app.callback(dash.Output(ID.LIST_GRID, "rowData"), dash.Output(ID.LIST_COUNT, "children"),
                  dash.Input(ID.LIST, "data"), LANG_STATE)
    def _show_list(members, search):
        require_role(Role.PLANNER)  # persons: planners and up (a reader's forged call gets 403)
        lang = lang_from_search(search)
        index = contact_index()
        rows = [person_row(index, index.persons[m], lang) for m in members or [] if m in index.persons]
        return rows, t("contacts.list_count", lang, n=len(rows))

    @app.callback(dash.Output(ID.DOWNLOAD, "data"), dash.Output(ID.MESSAGES, "children", allow_duplicate=True),
                  dash.Input(ID.DL_XLSX, "n_clicks"), dash.Input(ID.DL_CSV, "n_clicks"), dash.Input(ID.DL_VCF, "n_clicks"),
                  dash.State(ID.LIST, "data"), dash.State(ID.SEPARATOR, "value"), LANG_STATE,
                  prevent_initial_call=True)
    def _download(_x, _c, _v, members, separator, search):
        require_role(Role.PLANNER)
        members = [m for m in (members or []) if isinstance(m, str)]
        if not members:
            raise dash.exceptions.PreventUpdate
        lang = lang_from_search(search)
        fmt = {ID.DL_XLSX: "xlsx", ID.DL_CSV: "csv", ID.DL_VCF: "vcf"}[dash.ctx.triggered_id]
        payload = ContactListPayload(contact_index(), members, fmt, lang=lang,
                                     delimiter=separator if separator in (";", ",") else ";")
        try:
            return downloads.send(payload), dash.no_update
        except PrivacyError:  # a person without consent (or unknown) on the list: nothing leaves, and the user is told
            n = sum(1 for ok in payload.contacts().values() if not ok)
            return dash.no_update, html.Div(t("contacts.export_refused", lang, n=n), className="status error",
                                            id=ID.EXPORT_REFUSED)

    # event history (also shown with --no-contacts, then without people)
    @app.callback(dash.Output(ID.EVENT_ATTENDEES, "rowData"), dash.Output(ID.EVENT_COUNTS, "children"),
                  dash.Input(ID.EVENT, "value"), LANG_STATE)
    def _event(event_id, search):
        if not event_id:
            raise dash.exceptions.PreventUpdate
        lang = lang_from_search(search)
        index = contact_index()
        if event_id not in index.events:
            return [], []
        return attendee_rows(index, event_id, lang), counts_tables(index, event_id, lang)

    @app.callback(dash.Output(ID.HISTORY, "rowData"), dash.Input(ID.HISTORY_OF, "value"), LANG_STATE)
    def _history(node, search):
        require_role(Role.PLANNER)  # persons: planners and up (a reader's forged call gets 403)
        if not node:
            return []
        index = contact_index()
        if node not in index.persons and node not in index.by_institution:
            return []
        return history_rows(index, node, lang_from_search(search))


def _register_person_search(app: dash.Dash, picker: str, *, institutions: bool) -> None:
    @app.callback(dash.Output(picker, "options"), dash.Input(picker, "search_value"), dash.State(picker, "value"),
                  LANG_STATE, prevent_initial_call=True)
    def _search(search_value, value, url_search):
        require_role(Role.PLANNER)  # persons: planners and up (a reader's forged call gets 403)
        if search_value is None:
            raise dash.exceptions.PreventUpdate
        selected = value if isinstance(value, list) else ([value] if value else [])
        return person_options(contact_index(), search_value, selected, institutions=institutions, lang=lang_from_search(url_search))
