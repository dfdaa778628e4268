"""Page 'Daten': the load report of the current dataset, its source, and
downloads of the graph (canonical CSV tables as a zip, GraphML, GEXF)."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import dash
import dash_ag_grid as dag
from dash import dcc, html

from dashboard.auth import current_user
from dashboard.components import grid_options, key_figures, page_header
from dashboard.context import current
from graph.kinds import NodeKind
from graph.privacy import exportable_graph
from loaders.audit import audit_export
from dashboard.i18n import normalise_lang, register, t
from loaders.export import write_csv_tables, write_gexf, write_graphml
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
    LANG = "data-lang"


register({
    "data.source": ("Datenquelle", "Data source"),
    "data.served": ("Angezeigter Stand: Ladebericht", "Data shown: load report"),
    "data.tables": ("Tabellen", "Tables"),
    "data.table": ("Tabelle", "Table"),
    "data.read": ("gelesen", "read"),
    "data.accepted": ("übernommen", "accepted"),
    "data.rejected": ("abgelehnt", "rejected"),
    "data.nodes": ("Knoten nach Art", "Nodes by kind"),
    "data.edges": ("Kanten nach Art", "Edges by kind"),
    "data.problems": ("Befunde beim Laden", "Load findings"),
    "data.no_problems": ("Keine Befunde: alle Zeilen wurden übernommen.", "No findings: every row was accepted."),
    "data.status_ok": ("Ladebericht: keine Fehler", "Load report: no errors"),
    "data.status_err": ("Ladebericht: {n} Fehler – abgelehnte Zeilen fehlen im Netz", "Load report: {n} errors – rejected rows are not in the network"),
    "data.errors_warnings": ("{e} Fehler, {w} Hinweise", "{e} errors, {w} warnings"),
    "data.downloads": ("Netz herunterladen", "Download the network"),
    "data.csv": ("CSV-Tabellen (ZIP)", "CSV tables (ZIP)"),
    "data.level": ("Stufe", "Level"),
    "data.level_error": ("Fehler", "error"),
    "data.level_warning": ("Hinweis", "warning"),
    "data.file": ("Datei", "File"),
    "data.row": ("Zeile", "Row"),
    "data.column": ("Spalte", "Column"),
    "data.value": ("Wert", "Value"),
    "data.message": ("Meldung", "Message"),
    "data.edge_kind": ("Art", "Kind"),
    "data.count": ("Anzahl", "Count"),
    "data.snapshot": (
        "Abfragemodus: Das Netzwerk fragt Neo4j bei jeder Ansicht direkt. Die Seiten Matchmaking, Kontakte, "
        "Analysen und diese Seite rechnen auf einem Schnappschuss, abgerufen am {taken} (UTC) in {seconds} s; "
        "geänderte Daten werden alle {every} s erkannt und neu abgerufen.",
        "Query mode: the network asks Neo4j directly for every view. The Matchmaking, Contacts, Analytics pages "
        "and this page compute on a snapshot taken at {taken} (UTC) in {seconds} s; changed data are detected "
        "every {every} s and fetched again."),
})


def _counts_table(rows: list[list[object]], header: list[str]) -> html.Table:
    return html.Table([
        html.Thead(html.Tr([html.Th(h) for h in header])),
        html.Tbody([html.Tr([html.Td(str(c)) for c in r]) for r in rows]),
    ], className="counts")


def problem_rows(report, lang: str = "de") -> list[dict]:
    """Rows for the problems grid (plain data; ag-grid renders it as text)."""
    return [{"level": t(f"data.level_{p.level}", lang), "file": Path(p.file.split("#")[0]).name + ("#" + p.file.split("#")[1] if "#" in p.file else ""),
             "path": p.file, "row": p.row, "column": p.column, "value": p.value, "message": p.message}
            for p in report.problems]


def problems_grid(report, lang: str, grid_id: str = ID.PROBLEMS) -> dag.AgGrid:
    """Every finding of a load report in a paged, filterable grid."""
    return dag.AgGrid(
        id=grid_id,
        rowData=problem_rows(report, lang),
        columnDefs=[
            {"field": "level", "headerName": t("data.level", lang), "width": 100},
            {"field": "file", "headerName": t("data.file", lang), "flex": 1, "tooltipField": "path"},
            {"field": "row", "headerName": t("data.row", lang), "width": 90},
            {"field": "column", "headerName": t("data.column", lang), "width": 130},
            {"field": "value", "headerName": t("data.value", lang), "flex": 1},
            {"field": "message", "headerName": t("data.message", lang), "flex": 3, "wrapText": True, "autoHeight": True},
        ],
        defaultColDef={"sortable": True, "filter": True, "resizable": True},
        dashGridOptions=grid_options(lang, pagination=True, paginationPageSize=20, domLayout="autoHeight"),
        className="ag-theme-alpine",
        style={"width": "100%"},
    )


def report_summary(report, lang: str, *, grid_id: str) -> html.Div:
    """A load report in short: status, error/warning counts, rows per table, and the findings grid
    (used for an upload's preview on the workspace section)."""
    table_rows = [[t(f"table.{name}", lang), c.read, c.accepted, c.rejected] for name, c in report.tables.items()]
    return html.Div([
        html.Div(t("data.status_ok", lang) if report.ok else t("data.status_err", lang, n=len(report.errors)),
                 className="status ok" if report.ok else "status error"),
        html.P(t("data.errors_warnings", lang, e=len(report.errors), w=len(report.warnings)), className="muted"),
        _counts_table(table_rows, [t("data.table", lang), t("data.read", lang), t("data.accepted", lang), t("data.rejected", lang)])
        if table_rows else None,
        problems_grid(report, lang, grid_id) if report.problems else None,
    ])


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
        for problem in snap.get("problems", ()):
            report.warning("neo4j", None, None, None, f"skipped {problem}")
        source = snap["source"]
        every = getattr(getattr(ctx.store, "primary", ctx.store), "refresh_interval", None)
        snapshot_note = html.P(t("data.snapshot", lang, taken=snap["taken_at"].replace("T", " ").removesuffix("+00:00"),
                                 seconds=f"{snap['seconds']:.1f}", every=f"{every:g}" if every else "?"),
                               className="notice", id="data-snapshot")
    status = (t("data.status_ok", lang) if report.ok else t("data.status_err", lang, n=len(report.errors)))
    table_rows = [[t(f"table.{name}", lang), c.read, c.accepted, c.rejected] for name, c in report.tables.items()]
    # counting walks every node and edge: once per dataset
    node_counts = ctx.cached("data.node_counts", graph.counts_by_kind)
    edge_counts = ctx.cached("data.edge_counts", graph.edge_counts_by_kind)
    node_rows = [[t(f"kind.{k}", lang), n] for k, n in node_counts.items()]
    edge_rows = [[t(f"edge.{k}", lang), n] for k, n in edge_counts.items() if n]
    grid = problems_grid(report, lang)
    from dashboard.pages import workspace_panel

    return html.Div([
        page_header(TITLE_KEY, lang),
        html.Div([html.Strong(t("data.source", lang) + ": "), html.Code(source)], className="source-line"),
        workspace_panel.section(lang),
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
            dcc.Download(id=ID.DOWNLOAD),
            dcc.Store(id=ID.LANG, data=lang),
        ], className="button-row"),
        html.H2(t("data.problems", lang)),
        grid if report.problems else html.P(t("data.no_problems", lang), className="muted"),
    ])


def export_bytes(graph, fmt: str, *, lang: str = "de") -> tuple[bytes, str]:
    """The graph as a downloadable file: ``(content, filename)``; the CSV
    archive is named in ``lang`` (``partnernetz-tabellen.zip`` /
    ``partnernetz-tables.zip``)."""
    with tempfile.TemporaryDirectory() as tmp:
        if fmt == "csv":
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
                for path in write_csv_tables(graph, tmp):
                    zf.write(path, arcname=path.name)
            return buf.getvalue(), "partnernetz-tables.zip" if lang == "en" else "partnernetz-tabellen.zip"
        target = Path(tmp) / f"partnernetz.{fmt}"
        (write_graphml if fmt == "graphml" else write_gexf)(graph, target)
        return target.read_bytes(), target.name


def register_callbacks(app: dash.Dash) -> None:
    from dashboard.pages import workspace_panel

    workspace_panel.register_callbacks(app)

    @app.callback(
        dash.Output(ID.DOWNLOAD, "data"),
        dash.Input(ID.BTN_CSV, "n_clicks"),
        dash.Input(ID.BTN_GRAPHML, "n_clicks"),
        dash.Input(ID.BTN_GEXF, "n_clicks"),
        dash.State(ID.LANG, "data"),
        prevent_initial_call=True,
    )
    def _download(_csv, _graphml, _gexf, lang):
        fmt = {ID.BTN_CSV: "csv", ID.BTN_GRAPHML: "graphml", ID.BTN_GEXF: "gexf"}[dash.ctx.triggered_id]
        ctx = current()
        graph = ctx.cached("data.exportable_graph", lambda: exportable_graph(ctx.graph))  # no unconsented contacts
        content, filename = export_bytes(graph, fmt, lang=normalise_lang(lang))
        contacts = list(graph.nodes(NodeKind.CONTACT))
        if contacts:  # personal data leaves the app: record it
            audit_export(ctx.settings.audit_log, user=current_user(), what="graph download", fmt=fmt,
                         contact_ids=contacts, dataset=(graph.meta.get("snapshot") or {}).get("source", ctx.settings.data_label))
        return dcc.send_bytes(content, filename)
