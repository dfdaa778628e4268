"""Page 'Analysen': key figures, brokers and central actors with why,
communities (highlightable in the network view), coverage matrices, white
spots (click → filtered network), co-financing Sankey, offline maps,
timeline and period comparison; every chart as PNG (plotly modebar) and its
data as CSV; GraphML/GEXF with the precomputed metrics.

All whole-graph work is precomputed once per dataset through ``ctx.cached``;
callbacks only pick from cached results (the Sankey filters run over the
co-financing edges only).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Iterable
from urllib.parse import parse_qs

import dash
from dash import ALL, dcc, html

from dashboard import analytics_figures as af
from dashboard import downloads
from dashboard.components import key_figures, page_header
from dashboard.context import current
from dashboard.domain_labels import domain_label
from dashboard.i18n import LANG_STATE, lang_from_search, normalise_lang, t
from dashboard import ids, saved_views
from dashboard.viewstate import ANALYTICS_TABS, MAX_LIST, analytics_search, network_href, parse_analytics
from graph.analysis.analytics import compute, key_figures as graph_key_figures
from graph.analysis.flows import FLOW_MEASURES, cofinancing_flows
from graph.core.kinds import CofinanceKind, NodeKind, key_of
from graph.analysis.matrices import LAND_COUNTRY_MEASURES, land_country_matrix, project_index, theme_land_matrix, white_spots
from graph.people.contacts import build_contact_index
from graph.analysis.periods import PHASES, compare_periods, project_years, timeline
from loaders.egress import GraphPayload, StaticPayload, contacts_named

PATH = "/analysen"
ORDER = 4
TITLE_KEY = "nav.analytics"

#: Communities longer than this are linked to the network view by their first members only
#: (the view state keeps no more of a list; the link used to carry 60 of which the page read 50).
HIGHLIGHT_LIMIT = MAX_LIST


class ID:
    GO = "analytics-go"
    VIEWS = saved_views.ids("analytics")  # "Ansicht speichern"
    CONTACTS_NOTE = "analytics-contacts-note"
    CSV = "analytics-csv"  # pattern-matching type: {"type": CSV, "chart": name}
    DOWNLOAD = "analytics-download"
    LC_MEASURE = "analytics-lc-measure"
    LC_GRAPH = "analytics-lc-graph"
    TL_GRAPH = "analytics-tl-graph"
    WS_GRAPH = "analytics-ws-graph"
    WS_LIST = "analytics-ws-list"
    SANKEY = "analytics-sankey"
    SK_KINDS = "analytics-sankey-kinds"
    SK_YEARS = "analytics-sankey-years"
    SK_MEASURE = "analytics-sankey-measure"
    MAP_COUNTRIES = "analytics-map-countries"
    MAP_LAENDER = "analytics-map-laender"
    TIMELINE = "analytics-timeline"
    PERIOD_A = "analytics-period-a"
    PERIOD_B = "analytics-period-b"
    COMPARISON = "analytics-comparison"
    LAENDER_CHANGE = "analytics-laender-change"
    BTN_GRAPHML = "analytics-btn-graphml"
    BTN_GEXF = "analytics-btn-gexf"
    EXPORT = "analytics-export"
    TABS = "analytics-tabs"
    WS_ITEM = "analytics-ws-item"


# --------------------------------------------------------------------------- cached data
def _metrics():
    ctx = current()
    return ctx.cached("analytics.metrics", lambda: compute(ctx.graph))


def _cached(name: str, fn):
    return current().cached(f"analytics.{name}", fn)


def warm_up() -> None:
    """Precompute the metrics, matrices, white spots and the German page at start-up."""
    _metrics()
    _theme_land()
    _white_spots()
    layout("de")
    layout("en")
    layout("de", tab="coverage")


def _index():
    g = current().graph
    return _cached("index", lambda: project_index(g))


def _lc_matrix(measure: str):
    g = current().graph
    return _cached(f"lc.{measure}", lambda: land_country_matrix(g, measure=measure, index=_index()))


def _theme_land():
    g = current().graph
    return _cached("theme_land", lambda: theme_land_matrix(g, index=_index()))


def _white_spots():
    g = current().graph
    return _cached("white_spots", lambda: white_spots(g, index=_index()))


def _year_bounds() -> tuple[int, int]:
    g = current().graph

    def bounds():
        spans = [s for s in (project_years(g, p) for p in g.nodes(NodeKind.PROJECT)) if s]
        if not spans:
            return (2015, 2027)
        return (min(s[0] for s in spans), max(s[1] for s in spans))

    return _cached("year_bounds", bounds)


def _comparison(a: str, b: str):
    g = current().graph
    return _cached(f"cmp.{a}.{b}", lambda: compare_periods(g, a, b, index=_index()))


def _flows(kinds, years, measure):
    g = current().graph
    lo, hi = _year_bounds()
    span = None if not years or (years[0] <= lo and years[1] >= hi) else (int(years[0]), int(years[1]))
    return cofinancing_flows(g, kinds=kinds, years=span, measure=measure, index=_index())


# --------------------------------------------------------------------------- layout pieces
#: File names (without extension) of each chart's CSV and PNG download, German and English.
CHART_FILES: dict[str, tuple[str, str]] = {
    "brokers": ("vermittler", "brokers"),
    "central": ("zentrale-institutionen", "central-institutions"),
    "communities": ("gemeinschaften", "communities"),
    "land_country": ("land-partnerland", "land-country"),
    "theme_land": ("thema-land", "theme-land"),
    "white_spots": ("weisse-flecken", "white-spots"),
    "flows": ("kofinanzierung", "cofinancing"),
    "countries": ("karte-partnerlaender", "partner-countries-map"),
    "laender": ("karte-laender", "laender-map"),
    "timeline": ("zeitverlauf", "timeline"),
    "comparison": ("phasenvergleich", "period-comparison"),
}


def chart_file(chart: str, lang: str, ext: str = "") -> str:
    """Download name of one chart in the page's language.

    >>> chart_file("white_spots", "de", "csv"), chart_file("white_spots", "en", "png")
    ('partnernetz-weisse-flecken.csv', 'partnernetz-white-spots.png')
    """
    de, en = CHART_FILES.get(chart, (chart, chart))
    return f"partnernetz-{en if lang == 'en' else de}" + (f".{ext}" if ext else "")


def _graph_config(chart: str, lang: str) -> dict[str, Any]:
    return {
        "displaylogo": False,
        # plotly appends ".png" itself
        "toImageButtonOptions": {"format": "png", "filename": chart_file(chart, lang), "scale": 2},
        "topojsonURL": dash.get_asset_url("topojson/"),
    }


def _graph(gid: str, chart: str, figure, lang: str) -> dcc.Graph:
    return dcc.Graph(id=gid, figure=figure, config=_graph_config(chart, lang), className="an-graph")


def _csv_button(chart: str, lang: str) -> html.Button:
    return html.Button(t("an.csv", lang), id={"type": ID.CSV, "chart": chart}, className="button secondary an-csv",
                       title=chart_file(chart, lang, "csv"))


def _section(title: str, lang: str, *children, chart: str | None = None, intro: str | None = None) -> html.Section:
    head = [html.H2(title)]
    if chart:
        head.append(_csv_button(chart, lang))
    body = [html.Div(head, className="an-head")]
    if intro:
        body.append(html.P(intro, className="muted an-intro"))
    return html.Section([*body, *children], className="card an-card")


def _table(rows: list[dict], columns: list[tuple[str, str]], *, links: dict[str, Any] | None = None,
           cells: dict[str, Any] | None = None) -> html.Table:
    links, builders = links or {}, cells or {}
    body = []
    for r in rows:
        cells = []
        for key, _ in columns:
            value = r.get(key, "")
            if key in builders:
                cells.append(html.Td(builders[key](r)))
            elif key in links:
                cells.append(html.Td(dcc.Link(str(value), href=links[key](r))))
            else:
                cells.append(html.Td(str(value)))
        body.append(html.Tr(cells))
    return html.Table([html.Thead(html.Tr([html.Th(label) for _, label in columns])), html.Tbody(body)],
                      className="counts an-table")


def _figures_row(lang: str) -> html.Div:
    g = current().graph
    year = _dt.date.today().year
    figs = _cached(f"figures.{year}", lambda: graph_key_figures(g, year=year))
    # One running-projects figure, by dates. The status column is rarely kept up to date in the
    # sources (the sample has no 'active' status at all), so a status count next to it read as a
    # contradiction; the status is explained in a note only when it disagrees with the dates.
    keys = ["count_project", "count_institution", "running_projects", "laender_involved",
            "countries_involved", "count_theme", "count_programme", "count_contact", "count_event"]
    row = key_figures([(t(f"an.fig.{k}", lang, year=year), figs[k]) for k in keys])
    notes = []
    if figs["active_projects"] != figs["running_projects"]:
        notes.append(html.P(t("an.fig.status_note", lang, year=year, n=figs["active_projects"]),
                            className="muted an-note"))
    persons = _persons_after_merge(g)
    if persons is not None and persons != figs["count_contact"]:
        notes.append(html.P(t("an.fig.contacts_note", lang, r=figs["count_contact"], n=persons,
                              d=figs["count_contact"] - persons), className="muted an-note", id=ID.CONTACTS_NOTE))
    return html.Div([row, *notes]) if notes else row


def _persons_after_merge(g) -> int | None:
    """How many persons the Kontakte page shows (duplicates merged), from the
    same cached contact index; ``None`` when contacts are switched off."""
    ctx = current()
    if ctx.settings.no_contacts:
        return None
    return len(ctx.cached("contacts.index", lambda: build_contact_index(g)).persons)


def _brokers_section(lang: str) -> html.Div:
    g, res = current().graph, _metrics()
    brokers = af.broker_rows(g, res, lang)
    central = af.central_rows(g, res, lang)
    focus = lambda r: network_href(lang, focus=r["id"])  # noqa: E731
    why = lambda r: _broker_why_cell(g, r, lang)  # noqa: E731
    note = t("an.metrics_note", lang, n=len(res.nodes), m=res.n_edges, c=res.components, l=res.largest_component,
             a=len(res.articulation_points), b=len(res.bridges),
             mode=t("an.sampled", lang, k=res.betweenness_samples) if res.betweenness_sampled else t("an.exact", lang),
             backend=res.backend)
    return html.Div([
        html.P(note, className="muted an-note"),
        html.Div([
            _section(t("an.sec.brokers", lang), lang,
                     _table(brokers, [("rank", "#"), ("name", t("an.col.name", lang)), ("place", t("an.col.place", lang)),
                                      ("betweenness", t("an.col.betweenness", lang)), ("why", t("an.col.why", lang))],
                            links={"name": focus}, cells={"why": why}) if brokers else html.P(t("an.no_brokers", lang), className="muted"),
                     chart="brokers", intro=t("an.sec.brokers.intro", lang)),
            _section(t("an.sec.central", lang), lang,
                     _table(central, [("rank", "#"), ("name", t("an.col.name", lang)), ("place", t("an.col.place", lang)),
                                      ("pagerank", t("an.col.pagerank", lang)), ("partners", t("an.col.degree", lang)),
                                      ("projects", t("an.col.projects", lang)), ("group", t("an.col.group", lang))],
                            links={"name": focus}),
                     chart="central", intro=t("an.sec.central.intro", lang)),
        ], className="an-two"),
    ])


def _broker_why_cell(g, row: dict, lang: str) -> list:
    """The broker's reason with each named project linked into the network view."""
    text = row["why"]
    out: list = []
    for pid in row.get("project_ids", []):
        name = af.project_name(g, pid, lang)
        for quoted in (f"„{name}“", f"“{name}”"):
            head, sep, tail = text.partition(quoted)
            if sep:
                out += [head, dcc.Link(quoted, href=network_href(lang, focus=pid, selected=pid), className="an-project-link")]
                text = tail
                break
    return [*out, text]


def _communities_section(lang: str) -> html.Section:
    g, res = current().graph, _metrics()
    rows = af.community_rows(g, res, lang)
    items = []
    for r in rows[:30]:
        href = network_href(lang, highlight=",".join(r["member_ids"][:HIGHLIGHT_LIMIT]))
        items.append(html.Tr([
            html.Td(t("an.group", lang, n=r["group"])), html.Td(str(r["size"])), html.Td(r["members"]),
            html.Td(r["where"]), html.Td(r["countries"]),
            html.Td(dcc.Link(t("an.show_in_network", lang), href=href, className="an-highlight")),
        ]))
    head = [t("an.col.group", lang), t("an.col.size", lang), t("an.col.members", lang), t("an.col.where", lang),
            t("an.col.countries", lang), ""]
    table = html.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(items)], className="counts an-table")
    return _section(t("an.sec.communities", lang), lang, table, chart="communities",
                    intro=t("an.sec.communities.intro", lang))


def _measure_options(lang: str) -> list[dict]:
    return [{"label": t(f"an.measure.{m}", lang), "value": m} for m in LAND_COUNTRY_MEASURES]


def _period_options(lang: str) -> list[dict]:
    return [{"label": domain_label("phase", k, lang), "value": k} for k in PHASES]


def layout(lang: str = "de", **query: Any):
    """The page for the state in the URL (tab, measure, periods, Sankey
    choices): built once per dataset, state and day (key figures count the
    current year) and then reused; building the plotly figures is most of a
    request's time on a large dataset."""
    state = parse_analytics({**query, "lang": normalise_lang(lang)})
    key = analytics_search(state)
    return _cached(f"page.{key}.{_dt.date.today().isoformat()}", lambda: _page(state))


def _tabs(state: dict[str, Any]) -> html.Nav:
    """The contents bar: one link per section of the page (the tab is in the URL)."""
    lang = state["lang"]
    links = [dcc.Link(t(f"an.tab.{tab}", lang), href=PATH + analytics_search({**state, "tab": tab}),
                      className=f"an-tab an-tab-{tab} active" if tab == state["tab"] else f"an-tab an-tab-{tab}")
             for tab in ANALYTICS_TABS]
    return html.Nav(links, id=ID.TABS, className="an-tabs", **{"aria-label": t("an.tabs", lang)})


def _spot_list(g, spots: list[dict], lang: str) -> html.Ul:
    """Every white spot with its reasons, each linking to its cell view."""
    items = []
    for r in spots[:200]:
        href = network_href(lang, spot=f"{r['country_iso3']},{r['theme_key']}")
        items.append(html.Li([dcc.Link(f"{r['country']} × {r['theme']}", href=href, className="an-ws-link"),
                              html.Span(f" – {r['reasons']}", className="muted")], className=ID.WS_ITEM))
    return html.Ul(items, id=ID.WS_LIST, className="an-spots")


def _page(state: dict[str, Any]):
    lang, tab = state["lang"], state["tab"]
    body = {"overview": _overview_tab, "groups": _groups_tab, "coverage": _coverage_tab, "flows": _flows_tab,
            "maps": _maps_tab, "time": _time_tab, "export": _export_tab}[tab](state)
    return html.Div([
        dcc.Location(id=ID.GO, refresh="callback-nav"),
        downloads.target(ID.DOWNLOAD),
        downloads.target(ID.EXPORT),
        page_header(TITLE_KEY, lang, t("an.intro", lang)),
        saved_views.save_control(ID.VIEWS, lang),
        _tabs(state),
        *body,
    ], className="analytics", **{"data-tab": tab})


def _overview_tab(state):
    lang = state["lang"]
    return [_figures_row(lang), _brokers_section(lang)]


def _groups_tab(state):
    return [_communities_section(state["lang"])]


def _coverage_tab(state):
    lang, measure = state["lang"], state["measure"]
    g = current().graph
    grid = _white_spots()
    spots = af.white_spot_rows(g, grid, lang, only_spots=True)
    return [
        _section(t("an.sec.whitespots", lang), lang,
                 _graph(ID.WS_GRAPH, "white_spots", af.white_spot_figure(g, grid, lang), lang),
                 html.Details([html.Summary(f"{t('an.ws.list', lang)} ({len(spots)})"), _spot_list(g, spots, lang)],
                              open=True),
                 chart="white_spots", intro=t("an.sec.whitespots.intro", lang)),
        _section(t("an.sec.matrices", lang), lang,
                 dcc.Dropdown(id=ID.LC_MEASURE, options=_measure_options(lang), value=measure, clearable=False,
                              className="an-dropdown"),
                 _graph(ID.LC_GRAPH, "land_country", af.matrix_figure(g, _lc_matrix(measure), lang), lang),
                 chart="land_country"),
        _section(t("an.sec.theme_land", lang), lang,
                 _graph(ID.TL_GRAPH, "theme_land", af.matrix_figure(g, _theme_land(), lang), lang), chart="theme_land"),
    ]


def _flow_choice(state) -> tuple[list[str], list[int], str]:
    lo, hi = _year_bounds()
    kinds = state["kinds"] or CofinanceKind.values()
    years = [max(lo, state["yfrom"] or lo), min(hi, state["yto"] or hi)]
    return list(kinds), years, state["flow"]


def _flows_tab(state):
    lang = state["lang"]
    g = current().graph
    lo, hi = _year_bounds()
    kinds, years, measure = _flow_choice(state)
    options = [{"label": domain_label("cofinancing", k, lang), "value": k} for k in CofinanceKind.values()]
    return [
        _section(t("an.sec.flows", lang), lang,
                 html.Div([
                     html.Div([html.Label(t("an.sk.kinds", lang)),
                               dcc.Checklist(id=ID.SK_KINDS, options=options, value=kinds, inline=True,
                                             className="an-checklist")], className="an-control"),
                     html.Div([html.Label(t("an.sk.years", lang)),
                               dcc.RangeSlider(id=ID.SK_YEARS, min=lo, max=hi, step=1, value=years,
                                               marks={y: str(y) for y in range(lo, hi + 1, max(1, -(-(hi - lo) // 5)))},
                                               tooltip={"placement": "bottom", "always_visible": True})],
                              className="an-control an-slider"),
                     html.Div([html.Label(t("an.sk.measure", lang)),
                               dcc.RadioItems(id=ID.SK_MEASURE, value=measure, inline=True,
                                              options=[{"label": t(f"an.sk.{m}", lang), "value": m} for m in FLOW_MEASURES])],
                              className="an-control"),
                 ], className="an-controls"),
                 _graph(ID.SANKEY, "flows", af.sankey_figure(g, _flows(kinds, years, measure), lang), lang),
                 chart="flows", intro=t("an.sec.flows.intro", lang)),
    ]


def _maps_tab(state):
    lang = state["lang"]
    g = current().graph
    countries = _cached(f"country_rows.{lang}", lambda: af.country_rows(
        g, lang, _lc_matrix("projects"), _lc_matrix("partnerships"), index=_index()))
    laender = _cached(f"land_rows.{lang}", lambda: af.land_rows(g, lang, index=_index()))
    return [html.Div([
        _section(t("an.map.countries", lang), lang,
                 _graph(ID.MAP_COUNTRIES, "countries", af.country_choropleth(countries, lang), lang), chart="countries"),
        _section(t("an.map.laender", lang), lang,
                 _graph(ID.MAP_LAENDER, "laender", af.laender_map(laender, lang, dash.get_asset_url("geo/laender.geojson")),
                        lang),
                 html.P(t("an.map.laender_source", lang), className="muted an-note"), chart="laender"),
    ], className="an-two an-maps")]


def _time_tab(state):
    lang, a, b = state["lang"], state["a"], state["b"]
    g = current().graph
    tl = _cached("timeline", lambda: timeline(g))
    return [
        _section(t("an.sec.timeline", lang), lang, _graph(ID.TIMELINE, "timeline", af.timeline_figure(tl, lang), lang),
                 chart="timeline"),
        _section(t("an.sec.compare", lang), lang,
                 html.Div([
                     html.Div([html.Label(t("an.cmp.from", lang)),
                               dcc.Dropdown(id=ID.PERIOD_A, options=_period_options(lang), value=a, clearable=False)],
                              className="an-control"),
                     html.Div([html.Label(t("an.cmp.to", lang)),
                               dcc.Dropdown(id=ID.PERIOD_B, options=_period_options(lang), value=b, clearable=False)],
                              className="an-control"),
                 ], className="an-controls"),
                 html.Div(id=ID.LAENDER_CHANGE, children=_comparison_children(a, b, lang)),
                 chart="comparison"),
    ]


def _export_tab(state):
    lang = state["lang"]
    return [_section(t("an.sec.export", lang), lang,
                     html.Div([html.Button("GraphML", id=ID.BTN_GRAPHML, className="button"),
                               html.Button("GEXF", id=ID.BTN_GEXF, className="button")], className="button-row"),
                     intro=t("an.export.intro", lang))]


def _comparison_children(a: str, b: str, lang: str) -> list:
    g = current().graph
    cmp = _comparison(a, b)
    rows = af.laender_change_rows(g, cmp, lang)
    table = (_table(rows, [("land", t("an.col.land", lang)), ("gained", t("an.col.gained", lang)), ("lost", t("an.col.lost", lang))])
             if rows else html.P(t("an.cmp.no_change", lang), className="muted"))
    return [
        html.P(t("an.cmp.projects", lang, a=len(cmp.projects_before), b=len(cmp.projects_after)), className="muted"),
        _graph(ID.COMPARISON, "comparison", af.comparison_figure(cmp, lang), lang),
        html.H3(t("an.cmp.laender", lang)),
        table,
    ]


# --------------------------------------------------------------------------- csv data
def chart_rows(chart: str, lang: str, *, measure: str = "projects", kinds=None, years=None,
               flow_measure: str = "count", period_a: str = "pilot", period_b: str = "II") -> list[dict]:
    """The data behind ``chart`` as rows (what the CSV button downloads)."""
    g = current().graph
    if chart == "brokers":
        return af.broker_rows(g, _metrics(), lang, top=25)
    if chart == "central":
        return af.central_rows(g, _metrics(), lang, top=50)
    if chart == "communities":
        return af.community_rows(g, _metrics(), lang, min_size=1)
    if chart == "land_country":
        return af.matrix_rows(g, _lc_matrix(measure if measure in LAND_COUNTRY_MEASURES else "projects"), lang)
    if chart == "theme_land":
        return af.matrix_rows(g, _theme_land(), lang)
    if chart == "white_spots":
        return af.white_spot_rows(g, _white_spots(), lang)
    if chart == "flows":
        return af.flow_rows(g, _flows(kinds, years, flow_measure), lang)
    if chart == "countries":
        return af.country_rows(g, lang, _lc_matrix("projects"), _lc_matrix("partnerships"), index=_index())
    if chart == "laender":
        return af.land_rows(g, lang, index=_index())
    if chart == "timeline":
        return _cached("timeline", lambda: timeline(g))
    if chart == "comparison":
        cmp = _comparison(period_a, period_b)
        rows = [{"section": "ties", **r} for r in af.comparison_rows(cmp, lang)]
        return rows + [{"section": "laender", **r} for r in af.laender_change_rows(g, cmp, lang)]
    raise ValueError(f"unknown chart {chart!r}")


def export_payload(fmt: str, *, lang: str = "de") -> GraphPayload:
    """The Daten page's graph download plus the metrics as node attributes
    (``partnernetz-analysen.<fmt>``, in English ``partnernetz-analytics.<fmt>``):
    the same payload, so the same gate decides which contacts leave and
    records them."""
    return downloads.graph_payload(fmt, what="analytics graph download", node_attrs=_metrics().node_attributes(),
                                   lang=lang, stem=f"partnernetz-{'analytics' if lang == 'en' else 'analysen'}")


def _node_ids_in(rows: Iterable[dict]) -> set[str]:
    """Every value of ``rows`` that could be a node id (also inside lists)."""
    out: set[str] = set()
    for r in rows:
        for value in r.values():
            for v in (value if isinstance(value, (list, tuple)) else (value,)):
                if isinstance(v, str) and ":" in v:
                    out.add(v)
    return out


def chart_payload(chart: str, rows: list[dict], lang: str) -> StaticPayload:
    """A chart's rows as CSV for the gate; a contact named in them (none
    today: the charts are about institutions, Länder and countries) would be
    recorded, or refused when it may not leave."""
    return StaticPayload(af.rows_to_csv(rows).encode("utf-8"), chart_file(chart, lang, "csv"), "csv",
                         f"analytics chart {chart}", named=contacts_named(current().graph, _node_ids_in(rows)))


# --------------------------------------------------------------------------- callbacks
def _go(search: str | None, **changes: Any) -> str:
    """The page's query string with ``changes`` (validated)."""
    return analytics_search({**parse_analytics(parse_qs_flat(search)), **changes})


def parse_qs_flat(search: str | None) -> dict[str, str]:
    """``?a=1&b=2`` → ``{"a": "1", "b": "2"}`` (the last value of a repeated name)."""
    return {k: v[-1] for k, v in parse_qs((search or "").lstrip("?")).items()}


def register_callbacks(app: dash.Dash) -> None:
    downloads.register_target(app, ID.DOWNLOAD)
    downloads.register_target(app, ID.EXPORT)
    saved_views.register_callbacks(app, ID.VIEWS, PATH)
    # Every choice is written to the URL (Back, reload and shared links keep it);
    # the page is rebuilt from it (cached per state).
    @app.callback(dash.Output(ids.PAGES_LOCATION, "search", allow_duplicate=True), dash.Input(ID.LC_MEASURE, "value"),
                  dash.State(ids.PAGES_LOCATION, "search"), prevent_initial_call=True)
    def _land_country(measure, search):
        new = _go(search, measure=measure)
        return new if new != _go(search) else dash.no_update

    @app.callback(dash.Output(ids.PAGES_LOCATION, "search", allow_duplicate=True), dash.Input(ID.SK_KINDS, "value"),
                  dash.Input(ID.SK_YEARS, "value"), dash.Input(ID.SK_MEASURE, "value"),
                  dash.State(ids.PAGES_LOCATION, "search"), prevent_initial_call=True)
    def _sankey(kinds, years, measure, search):
        lo, hi = _year_bounds()
        years = years if isinstance(years, list) and len(years) == 2 else [lo, hi]
        kinds = kinds or []
        every = set(kinds) == set(CofinanceKind.values())
        new = _go(search, kinds=[] if every else kinds, yfrom=None if years[0] <= lo else years[0],
                  yto=None if years[1] >= hi else years[1], flow=measure)
        return new if new != _go(search) else dash.no_update

    @app.callback(dash.Output(ids.PAGES_LOCATION, "search", allow_duplicate=True), dash.Input(ID.PERIOD_A, "value"),
                  dash.Input(ID.PERIOD_B, "value"), dash.State(ids.PAGES_LOCATION, "search"), prevent_initial_call=True)
    def _compare(a, b, search):
        new = _go(search, a=a, b=b)
        return new if new != _go(search) else dash.no_update

    @app.callback(dash.Output(ID.GO, "href"), dash.Input(ID.WS_GRAPH, "clickData"), LANG_STATE,
                  prevent_initial_call=True)
    def _white_spot_click(click, search):
        lang = lang_from_search(search)
        try:
            point = click["points"][0]
        except (TypeError, KeyError, IndexError):
            return dash.no_update
        g = current().graph
        target = af.white_spot_target(g, _white_spots(), point, lang)
        if target is None:
            return dash.no_update
        return network_href(lang, spot=f"{target[0]},{target[1]}")

    @app.callback(
        dash.Output(ID.DOWNLOAD, "data"),
        dash.Input({"type": ID.CSV, "chart": ALL}, "n_clicks"),
        dash.State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def _csv(clicks, search):
        trigger = dash.ctx.triggered_id
        if not trigger or not any(clicks):
            return dash.no_update
        chart = trigger["chart"]
        state = parse_analytics(parse_qs_flat(search))
        kinds, years, flow = _flow_choice(state)
        lang = state["lang"]
        rows = chart_rows(chart, lang, measure=state["measure"], kinds=kinds, years=years, flow_measure=flow,
                          period_a=state["a"], period_b=state["b"])
        return downloads.send(chart_payload(chart, rows, lang), mime="text/csv")

    @app.callback(dash.Output(ID.EXPORT, "data"), dash.Input(ID.BTN_GRAPHML, "n_clicks"),
                  dash.Input(ID.BTN_GEXF, "n_clicks"), LANG_STATE, prevent_initial_call=True)
    def _export(_g, _x, search):
        fmt = "graphml" if dash.ctx.triggered_id == ID.BTN_GRAPHML else "gexf"
        return downloads.send(export_payload(fmt, lang=lang_from_search(search)))
