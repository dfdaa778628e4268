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

import dash
from dash import ALL, dcc, html

from dashboard import analytics_figures as af
from dashboard import downloads
from dashboard.components import key_figures, page_header
from dashboard.context import current
from dashboard.domain_labels import domain_label
from dashboard.i18n import LANG_STATE, lang_from_search, normalise_lang, t
from dashboard.viewstate import MAX_LIST, network_href
from graph.analysis.analytics import compute, key_figures as graph_key_figures
from graph.analysis.flows import FLOW_MEASURES, cofinancing_flows
from graph.core.kinds import CofinanceKind, NodeKind, key_of
from graph.analysis.matrices import LAND_COUNTRY_MEASURES, land_country_matrix, project_index, theme_land_matrix, white_spots
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


def _table(rows: list[dict], columns: list[tuple[str, str]], *, links: dict[str, Any] | None = None) -> html.Table:
    links = links or {}
    body = []
    for r in rows:
        cells = []
        for key, _ in columns:
            value = r.get(key, "")
            if key in links:
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
    if figs["active_projects"] != figs["running_projects"]:
        return html.Div([row, html.P(t("an.fig.status_note", lang, year=year, n=figs["active_projects"]),
                                     className="muted an-note")])
    return row


def _brokers_section(lang: str) -> html.Div:
    g, res = current().graph, _metrics()
    brokers = af.broker_rows(g, res, lang)
    central = af.central_rows(g, res, lang)
    focus = lambda r: network_href(lang, focus=r["id"])  # noqa: E731
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
                            links={"name": focus}) if brokers else html.P(t("an.no_brokers", lang), className="muted"),
                     chart="brokers", intro=t("an.sec.brokers.intro", lang)),
            _section(t("an.sec.central", lang), lang,
                     _table(central, [("rank", "#"), ("name", t("an.col.name", lang)), ("place", t("an.col.place", lang)),
                                      ("pagerank", t("an.col.pagerank", lang)), ("partners", t("an.col.degree", lang)),
                                      ("projects", t("an.col.projects", lang)), ("group", t("an.col.group", lang))],
                            links={"name": focus}),
                     chart="central", intro=t("an.sec.central.intro", lang)),
        ], className="an-two"),
    ])


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


def layout(lang: str = "de", **_query: str):
    """The page: built once per dataset, language and day (key figures count
    the current year) and then reused; building the plotly figures is most of
    a request's time on a large dataset."""
    lang = normalise_lang(lang)
    return _cached(f"page.{lang}.{_dt.date.today().isoformat()}", lambda: _page(lang))


def _page(lang: str):
    g = current().graph
    lo, hi = _year_bounds()
    theme_land = _theme_land()
    grid = _white_spots()
    spots = af.white_spot_rows(g, grid, lang, only_spots=True)
    countries = _cached(f"country_rows.{lang}", lambda: af.country_rows(
        g, lang, _lc_matrix("projects"), _lc_matrix("partnerships"), index=_index()))
    laender = _cached(f"land_rows.{lang}", lambda: af.land_rows(g, lang, index=_index()))
    tl = _cached("timeline", lambda: timeline(g))
    kinds = [{"label": domain_label("cofinancing", k, lang), "value": k} for k in CofinanceKind.values()]
    spot_links = [html.Li(dcc.Link(f"{r['country']} × {r['theme']}",
                                   href=network_href(lang, country=r["country_iso3"], theme=r["theme_key"])))
                  for r in spots[:200]]
    return html.Div([
        dcc.Location(id=ID.GO, refresh="callback-nav"),
        dcc.Download(id=ID.DOWNLOAD),
        dcc.Download(id=ID.EXPORT),
        page_header(TITLE_KEY, lang, t("an.intro", lang)),
        _figures_row(lang),
        _brokers_section(lang),
        _communities_section(lang),
        _section(t("an.sec.matrices", lang), lang,
                 dcc.Dropdown(id=ID.LC_MEASURE, options=_measure_options(lang), value="projects", clearable=False,
                              className="an-dropdown"),
                 _graph(ID.LC_GRAPH, "land_country", af.matrix_figure(g, _lc_matrix("projects"), lang), lang),
                 chart="land_country"),
        _section(t("an.sec.theme_land", lang), lang,
                 _graph(ID.TL_GRAPH, "theme_land", af.matrix_figure(g, theme_land, lang), lang), chart="theme_land"),
        _section(t("an.sec.whitespots", lang), lang,
                 _graph(ID.WS_GRAPH, "white_spots", af.white_spot_figure(g, grid, lang), lang),
                 html.Details([html.Summary(f"{t('an.ws.list', lang)} ({len(spots)})"), html.Ul(spot_links, id=ID.WS_LIST, className="an-spots")]),
                 chart="white_spots", intro=t("an.sec.whitespots.intro", lang)),
        _section(t("an.sec.flows", lang), lang,
                 html.Div([
                     html.Div([html.Label(t("an.sk.kinds", lang)),
                               dcc.Checklist(id=ID.SK_KINDS, options=kinds, value=CofinanceKind.values(), inline=True,
                                             className="an-checklist")], className="an-control"),
                     html.Div([html.Label(t("an.sk.years", lang)),
                               dcc.RangeSlider(id=ID.SK_YEARS, min=lo, max=hi, step=1, value=[lo, hi],
                                               marks={y: str(y) for y in range(lo, hi + 1, max(1, -(-(hi - lo) // 5)))},
                                               tooltip={"placement": "bottom"})], className="an-control an-slider"),
                     html.Div([html.Label(t("an.sk.measure", lang)),
                               dcc.RadioItems(id=ID.SK_MEASURE, value="count", inline=True,
                                              options=[{"label": t(f"an.sk.{m}", lang), "value": m} for m in FLOW_MEASURES])],
                              className="an-control"),
                 ], className="an-controls"),
                 _graph(ID.SANKEY, "flows", af.sankey_figure(g, _flows(None, None, "count"), lang), lang),
                 chart="flows", intro=t("an.sec.flows.intro", lang)),
        html.Div([
            _section(t("an.map.countries", lang), lang,
                     _graph(ID.MAP_COUNTRIES, "countries", af.country_choropleth(countries, lang), lang), chart="countries"),
            _section(t("an.map.laender", lang), lang,
                     _graph(ID.MAP_LAENDER, "laender", af.laender_tile_map(laender, lang), lang), chart="laender"),
        ], className="an-two an-maps"),
        _section(t("an.sec.timeline", lang), lang, _graph(ID.TIMELINE, "timeline", af.timeline_figure(tl, lang), lang),
                 chart="timeline"),
        _section(t("an.sec.compare", lang), lang,
                 html.Div([
                     html.Div([html.Label(t("an.cmp.from", lang)),
                               dcc.Dropdown(id=ID.PERIOD_A, options=_period_options(lang), value="pilot", clearable=False)],
                              className="an-control"),
                     html.Div([html.Label(t("an.cmp.to", lang)),
                               dcc.Dropdown(id=ID.PERIOD_B, options=_period_options(lang), value="II", clearable=False)],
                              className="an-control"),
                 ], className="an-controls"),
                 html.Div(id=ID.LAENDER_CHANGE, children=_comparison_children("pilot", "II", lang)),
                 chart="comparison"),
        _section(t("an.sec.export", lang), lang,
                 html.Div([html.Button("GraphML", id=ID.BTN_GRAPHML, className="button"),
                           html.Button("GEXF", id=ID.BTN_GEXF, className="button")], className="button-row"),
                 intro=t("an.export.intro", lang)),
    ], className="analytics")


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
    return GraphPayload(current().graph, fmt, what="analytics graph download", node_attrs=_metrics().node_attributes(),
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
def register_callbacks(app: dash.Dash) -> None:
    @app.callback(dash.Output(ID.LC_GRAPH, "figure"), dash.Input(ID.LC_MEASURE, "value"), LANG_STATE,
                  prevent_initial_call=True)
    def _land_country(measure, search):
        measure = measure if measure in LAND_COUNTRY_MEASURES else "projects"
        lang = lang_from_search(search)
        return _cached(f"lc_figure.{measure}.{lang}",
                       lambda: af.matrix_figure(current().graph, _lc_matrix(measure), lang))

    @app.callback(dash.Output(ID.SANKEY, "figure"), dash.Input(ID.SK_KINDS, "value"), dash.Input(ID.SK_YEARS, "value"),
                  dash.Input(ID.SK_MEASURE, "value"), LANG_STATE, prevent_initial_call=True)
    def _sankey(kinds, years, measure, search):
        measure = measure if measure in FLOW_MEASURES else "count"
        return af.sankey_figure(current().graph, _flows(kinds or [], years, measure), lang_from_search(search))

    @app.callback(dash.Output(ID.LAENDER_CHANGE, "children"), dash.Input(ID.PERIOD_A, "value"),
                  dash.Input(ID.PERIOD_B, "value"), LANG_STATE, prevent_initial_call=True)
    def _compare(a, b, search):
        a = a if a in PHASES else "pilot"
        b = b if b in PHASES else "II"
        return _comparison_children(a, b, lang_from_search(search))

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
        return network_href(lang, country=target[0], theme=target[1])

    @app.callback(
        dash.Output(ID.DOWNLOAD, "data"),
        dash.Input({"type": ID.CSV, "chart": ALL}, "n_clicks"),
        LANG_STATE, dash.State(ID.LC_MEASURE, "value"), dash.State(ID.SK_KINDS, "value"),
        dash.State(ID.SK_YEARS, "value"), dash.State(ID.SK_MEASURE, "value"), dash.State(ID.PERIOD_A, "value"),
        dash.State(ID.PERIOD_B, "value"),
        prevent_initial_call=True,
    )
    def _csv(clicks, search, measure, kinds, years, flow_measure, a, b):
        trigger = dash.ctx.triggered_id
        if not trigger or not any(clicks):
            return dash.no_update
        chart = trigger["chart"]
        rows = chart_rows(chart, lang_from_search(search), measure=measure, kinds=kinds, years=years,
                          flow_measure=flow_measure if flow_measure in FLOW_MEASURES else "count",
                          period_a=a if a in PHASES else "pilot", period_b=b if b in PHASES else "II")
        return downloads.send(chart_payload(chart, rows, lang_from_search(search)), mime="text/csv")

    @app.callback(dash.Output(ID.EXPORT, "data"), dash.Input(ID.BTN_GRAPHML, "n_clicks"),
                  dash.Input(ID.BTN_GEXF, "n_clicks"), LANG_STATE, prevent_initial_call=True)
    def _export(_g, _x, search):
        fmt = "graphml" if dash.ctx.triggered_id == ID.BTN_GRAPHML else "gexf"
        return downloads.send(export_payload(fmt, lang=lang_from_search(search)))
