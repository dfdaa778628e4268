"""Page 'Daten': the load report of the current dataset, its source, and
downloads of the graph (canonical CSV tables as a zip, GraphML, GEXF)."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
from dash import html

from dashboard import downloads
from dashboard.components import grid_options, key_figures, page_header
from dashboard.context import current
from dashboard.domain_labels import domain_label
from dashboard import changes_panel, merge_panel, table_editor
from dashboard.pages import workspace_panel
from dashboard.report_view import counts_table as _counts_table, problem_rows, problems_grid
from dashboard.i18n import LANG_STATE, lang_from_search, normalise_lang, t
from graph.analysis.analytics import compute
from loaders.egress import GraphPayload
from loaders.redaction import store_problem
from loaders.report import LoadReport

PATH = "/daten"
ORDER = 5
TITLE_KEY = "nav.data"


class ID:
    DOWNLOAD = "data-download"
    BTN_CSV = "data-btn-csv"
    BTN_GRAPHML = "data-btn-graphml"
    BTN_GEXF = "data-btn-gexf"
    PROBLEMS = "data-problems"
    SNAPSHOT = "data-snapshot"
    WORKSPACE = workspace_panel.ID  # the workspace section's ids
    EDITOR = table_editor.ID  # the table editor's ids
    MERGE = merge_panel.ID  # the duplicate review's ids
    CHANGES = changes_panel.ID  # "what changed since"


def warm_up() -> None:
    """Count nodes and edges per kind at start-up."""
    ctx = current()
    ctx.cached("data.node_counts", ctx.graph.counts_by_kind)
    ctx.cached("data.edge_counts", ctx.graph.edge_counts_by_kind)


def layout(lang: str = "de", **_query: str):
    lang = normalise_lang(lang)
    ctx = current()
    report, graph = ctx.report, ctx.graph
    snap = graph.meta.get("snapshot")
    source, snapshot_note = ctx.settings.data_label, None
    if snap:  # query mode: the page shows the snapshot of the store, not the local dataset's load report
        report = LoadReport(source=snap["source"])
        for problem in snap.get("problems", ()):  # a contact's skipped record: its id only
            report.warning("neo4j", None, None, None, f"skipped {store_problem(problem)}")
        source = snap["source"]
        every = getattr(getattr(ctx.store, "primary", ctx.store), "refresh_interval", None)
        snapshot_note = html.P(t("data.snapshot", lang, taken=snap["taken_at"].replace("T", " ").removesuffix("+00:00"),
                                 seconds=f"{snap['seconds']:.1f}", every=f"{every:g}" if every else "?"),
                               className="notice", id=ID.SNAPSHOT)
    status = (t("data.status_ok", lang) if report.ok else t("data.status_err", lang, n=len(report.errors)))
    table_rows = [[t(f"table.{name}", lang), c.read, c.accepted, c.rejected] for name, c in report.tables.items()]
    # counting walks every node and edge: once per dataset
    node_counts = ctx.cached("data.node_counts", graph.counts_by_kind)
    edge_counts = ctx.cached("data.edge_counts", graph.edge_counts_by_kind)
    node_rows = [[domain_label("kind", k, lang), n] for k, n in node_counts.items() if n or k != "contact"]
    edge_rows = [[domain_label("edge", k, lang), n] for k, n in edge_counts.items() if n]
    grid = problems_grid(report, lang, ID.PROBLEMS)
    return html.Div([
        page_header(TITLE_KEY, lang),
        html.Div([html.Strong(t("data.source", lang) + ": "), html.Code(source)], className="source-line"),
        workspace_panel.section(lang),
        changes_panel.section(lang),
        table_editor.section(lang),
        merge_panel.section(lang),
        html.H2(t("data.served", lang)) if ctx.settings.workspace else None,
        snapshot_note,
        html.Div(status, className="status ok" if report.ok else "status error"),
        html.P(t("data.errors_warnings", lang, e=len(report.errors), w=len(report.warnings)), className="muted"),
        html.Div([
            html.Div([html.H2(t("data.tables", lang)),
                      _counts_table(table_rows, [t("data.table", lang), t("data.read", lang), t("data.accepted", lang), t("data.rejected", lang)])],
                     className="card") if table_rows else None,  # a snapshot from Neo4j has no tables
            html.Div([html.H2(t("data.nodes", lang)), _counts_table(node_rows, [t("data.edge_kind", lang), t("data.count", lang)])], className="card"),
            html.Div([html.H2(t("data.edges", lang)), _counts_table(edge_rows, [t("data.edge_kind", lang), t("data.count", lang)])], className="card"),
        ], className="cards"),
        html.H2(t("data.downloads", lang)),
        html.Div([
            html.Button(t("data.csv", lang), id=ID.BTN_CSV, className="button"),
            html.Button("GraphML", id=ID.BTN_GRAPHML, className="button"),
            html.Button("GEXF", id=ID.BTN_GEXF, className="button"),
            downloads.target(ID.DOWNLOAD),
        ], className="button-row"),
        html.H2(t("data.problems", lang)),
        grid if report.problems else html.P(t("data.no_problems", lang), className="muted"),
    ])


def export_payload(graph, fmt: str, *, lang: str = "de") -> GraphPayload:
    """The graph as a download (through the gate: contacts without consent
    never leave): canonical CSV tables as a ZIP named in ``lang``
    (``partnernetz-tabellen.zip`` / ``partnernetz-tables.zip``), GraphML or GEXF."""
    # GraphML/GEXF carry the network metrics: the ones computed once per dataset (shared with the
    # Analysen page) inside a request; outside one the writer computes them (loaders.export)
    attrs = _cached_metrics() if fmt in ("graphml", "gexf") else None
    return GraphPayload(graph, fmt, what="graph download", lang=lang, node_attrs=attrs)


def _cached_metrics() -> dict | None:
    """The dataset's metric attributes from the app's cache (None outside a request)."""
    try:
        ctx = current()
    except RuntimeError:
        return None
    return ctx.cached("analytics.metrics", lambda: compute(ctx.graph)).node_attributes()


def register_callbacks(app: dash.Dash) -> None:
    downloads.register_target(app, ID.DOWNLOAD)
    workspace_panel.register_callbacks(app)
    table_editor.register_callbacks(app)
    merge_panel.register_callbacks(app)
    changes_panel.register_callbacks(app)

    @app.callback(
        dash.Output(ID.DOWNLOAD, "data"),
        dash.Input(ID.BTN_CSV, "n_clicks"),
        dash.Input(ID.BTN_GRAPHML, "n_clicks"),
        dash.Input(ID.BTN_GEXF, "n_clicks"),
        LANG_STATE,
        prevent_initial_call=True,
    )
    def _download(_csv, _graphml, _gexf, search):
        fmt = {ID.BTN_CSV: "csv", ID.BTN_GRAPHML: "graphml", ID.BTN_GEXF: "gexf"}[dash.ctx.triggered_id]
        attrs = _cached_metrics() if fmt in ("graphml", "gexf") else None  # as export_payload: the metrics travel along
        return downloads.send(downloads.graph_payload(fmt, what="graph download", lang=lang_from_search(search),
                                                      node_attrs=attrs))
