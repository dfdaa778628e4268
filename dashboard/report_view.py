"""How a load report is shown: status, counts per table and every finding in
a paged, filterable grid. Used by the Daten page for the served data and by
its workspace section for an upload's preview (one view for both)."""

from __future__ import annotations

from pathlib import Path

import dash_ag_grid as dag
from dash import html

from dashboard.components import grid_options
from dashboard.i18n import t

__all__ = ["counts_table", "problem_rows", "problems_grid", "report_summary"]


def counts_table(rows: list[list[object]], header: list[str]) -> html.Table:
    return html.Table([
        html.Thead(html.Tr([html.Th(h) for h in header])),
        html.Tbody([html.Tr([html.Td(str(c)) for c in r]) for r in rows]),
    ], className="counts")


def problem_rows(report, lang: str = "de") -> list[dict]:
    """Rows for the problems grid (plain data; ag-grid renders it as text)."""
    return [{"level": t(f"data.level_{p.level}", lang), "file": Path(p.file.split("#")[0]).name + ("#" + p.file.split("#")[1] if "#" in p.file else ""),
             "path": p.file, "row": p.row, "column": p.column, "value": p.value, "message": p.message}
            for p in report.problems]


def problems_grid(report, lang: str, grid_id: str) -> dag.AgGrid:
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
        counts_table(table_rows, [t("data.table", lang), t("data.read", lang), t("data.accepted", lang), t("data.rejected", lang)])
        if table_rows else None,
        problems_grid(report, lang, grid_id) if report.problems else None,
    ])
