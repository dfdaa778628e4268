"""The Daten page's duplicate review: candidate pairs of institutions or
persons with their evidence; choosing one shows both records side by side,
the user picks the surviving record and, per differing field, the value to
keep; *Zusammenführen* merges them in one version (every relation moves),
*Rückgängig* undoes the user's last change."""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, dcc, html

from dashboard.access import AccessDenied, current_identity, has_role
from dashboard.context import current
from dashboard.edit_service import CONTACT_PERSONAL, save, workspace
from dashboard.i18n import LANG_STATE, lang_from_search, t
from loaders.schema import TABLES
from loaders.workspace.editing import EditError, undo_last
from loaders.workspace.merging import MERGEABLE, duplicate_candidates, merge_records

__all__ = ["ID", "section", "register_callbacks", "candidate_list", "review"]

#: Candidate pairs listed at most.
LIMIT = 50


class ID:
    SECTION = "data-merge"
    TABLE = "data-merge-table"
    CANDIDATES = "data-merge-candidates"
    REVIEW = "data-merge-review"
    PAIR = "data-merge-pair"
    SURVIVOR = "data-merge-survivor"
    MERGE = "data-merge-do"
    UNDO = "data-merge-undo"
    FEEDBACK = "data-merge-feedback"
    # pattern-matching ids
    PICK = "data-merge-pick"
    COLUMN = "data-merge-column"


def _masked(table: str, key: str) -> bool:
    if table != "contacts":
        return False
    node = current().graph.nx.nodes.get(f"contact:{key}")
    return node is None or bool(node.get("masked"))


def _label(table: str, key: str, row: dict[str, str] | None) -> str:
    if row is None:
        return key
    if _masked(table, key):
        return f"{key} (…)"
    return f"{row.get('name', key)} ({key})"


def candidate_list(table: str, lang: str) -> html.Div:
    ws = workspace()
    cands = duplicate_candidates(ws, table)[:LIMIT] if ws else []
    if not cands:
        return html.P(t("merge.none", lang), className="muted")
    rows = ws.rows(table, [k for c in cands for k in (c.a, c.b)])
    items = []
    for c in cands:
        evidence = "; ".join(f"{t(f'merge.ev.{kind}', lang)}: {detail if not (table == 'contacts' and kind != 'similar_name' and (_masked(table, c.a) or _masked(table, c.b))) else '…'}"
                             for kind, detail in c.evidence)
        items.append(html.Li([
            html.Button(t("merge.review", lang), id={"type": ID.PICK, "a": c.a, "b": c.b},
                        className="button tiny secondary"),
            html.Span(f" {_label(table, c.a, rows.get(c.a))} ↔ {_label(table, c.b, rows.get(c.b))}",
                      className="merge-pair"),
            html.Div(evidence, className="muted merge-evidence"),
        ], **{"data-pair": f"{c.a}|{c.b}"}))
    return html.Ul(items, className="merge-candidates")


def review(table: str, a: str, b: str, lang: str) -> html.Div:
    """Both records side by side, with a choice per differing field."""
    ws = workspace()
    rows = ws.rows(table, [a, b]) if ws else {}
    ra, rb = rows.get(a), rows.get(b)
    if ra is None or rb is None:
        return html.P(t("edit.code.not_found", lang), className="notice warn")
    hide = {c for c in CONTACT_PERSONAL} if table == "contacts" and (_masked(table, a) or _masked(table, b)) else set()
    body = []
    for column in TABLES[table].column_names:
        va, vb = ra.get(column, ""), rb.get(column, "")
        shown_a, shown_b = ("…", "…") if column in hide else (va, vb)
        choice = None
        if va != vb and column != TABLES[table].key and column not in hide:
            choice = dcc.RadioItems(id={"type": ID.COLUMN, "column": column},
                                    options=[{"label": "A", "value": "a"}, {"label": "B", "value": "b"}],
                                    value="a" if va else "b", inline=True, className="radio")
        body.append(html.Tr([html.Th(t(f"col.{column}", lang)), html.Td(shown_a or "∅"), html.Td(shown_b or "∅"),
                             html.Td(choice)], className="differs" if va != vb else None))
    return html.Div([
        html.Table([html.Thead(html.Tr([html.Th(""), html.Th(f"A: {a}"), html.Th(f"B: {b}"), html.Th(t("merge.keep", lang))])),
                    html.Tbody(body)], className="merge-table"),
        html.Div([html.Span(t("merge.survivor", lang) + " ", className="field-label"),
                  dcc.RadioItems(id=ID.SURVIVOR, options=[{"label": f"A ({a})", "value": a}, {"label": f"B ({b})", "value": b}],
                                 value=a, inline=True, className="radio")]),
        html.P(t("merge.explain", lang), className="muted"),
        html.Button(t("merge.do", lang), id=ID.MERGE, className="button small"),
    ], className="merge-review")


def section(lang: str) -> html.Div | None:
    if current().settings.workspace is None or not has_role("editor"):
        return None
    return html.Div([
        html.H2(t("merge.title", lang)),
        html.P(t("merge.intro", lang), className="muted"),
        html.Div([dcc.RadioItems(id=ID.TABLE, options=[{"label": t(f"table.{n}", lang), "value": n} for n in MERGEABLE],
                                 value="institutions", inline=True, className="radio"),
                  html.Button(t("edit.undo", lang), id=ID.UNDO, className="button small secondary")],
                 className="action-row"),
        html.Div(id=ID.FEEDBACK, role="status"),
        dcc.Store(id=ID.PAIR),
        html.Div(candidate_list("institutions", lang), id=ID.CANDIDATES),
        html.Div(id=ID.REVIEW),
    ], id=ID.SECTION, className="section merge-section")


def _feedback(kind: str, text: str) -> html.Div:
    return html.Div(text, className=f"notice {'warn' if kind == 'error' else 'ok'}", **{"data-result": kind})


def register_callbacks(app: dash.Dash) -> None:
    @app.callback(
        dash.Output(ID.CANDIDATES, "children"),
        dash.Output(ID.REVIEW, "children", allow_duplicate=True),
        dash.Input(ID.TABLE, "value"),
        LANG_STATE,
        prevent_initial_call=True,
    )
    def _table(table, search):
        table = table if table in MERGEABLE else "institutions"
        return candidate_list(table, lang_from_search(search)), None

    @app.callback(
        dash.Output(ID.REVIEW, "children"),
        dash.Output(ID.PAIR, "data"),
        dash.Input({"type": ID.PICK, "a": ALL, "b": ALL}, "n_clicks"),
        dash.State(ID.TABLE, "value"),
        LANG_STATE,
        prevent_initial_call=True,
    )
    def _pick(_clicks, table, search):
        trig = dash.ctx.triggered_id
        if not trig or not dash.ctx.triggered[0]["value"]:
            raise dash.exceptions.PreventUpdate
        table = table if table in MERGEABLE else "institutions"
        return review(table, trig["a"], trig["b"], lang_from_search(search)), {"table": table, "a": trig["a"], "b": trig["b"]}

    @app.callback(
        dash.Output(ID.FEEDBACK, "children"),
        dash.Output(ID.CANDIDATES, "children", allow_duplicate=True),
        dash.Output(ID.REVIEW, "children", allow_duplicate=True),
        dash.Input(ID.MERGE, "n_clicks"),
        dash.State(ID.PAIR, "data"),
        dash.State(ID.SURVIVOR, "value"),
        dash.State({"type": ID.COLUMN, "column": ALL}, "value"),
        LANG_STATE,
        prevent_initial_call=True,
    )
    def _merge(n, pair, survivor, picks, search):
        if not n or not pair:
            raise dash.exceptions.PreventUpdate
        lang = lang_from_search(search)
        table, a, b = pair["table"], pair["a"], pair["b"]
        other = b if survivor == a else a
        ws = workspace()
        rows = ws.rows(table, [a, b])
        columns = [s["id"]["column"] for s in dash.ctx.states_list[2]]
        values = {c: rows[a if pick == "a" else b][c] for c, pick in zip(columns, picks) if pick in ("a", "b")}
        try:
            result, _who, _live = save(merge_records, table, survivor, other, values)
        except (AccessDenied, EditError) as exc:
            text = str(exc) if isinstance(exc, AccessDenied) else "; ".join(p.message for p in exc.problems)
            return _feedback("error", t("edit.not_saved", lang) + " " + text), dash.no_update, dash.no_update
        return _feedback("ok", t("merge.done", lang, other=other, survivor=survivor, v=result.version.id)), \
            candidate_list(table, lang), None

    @app.callback(
        dash.Output(ID.FEEDBACK, "children", allow_duplicate=True),
        dash.Output(ID.CANDIDATES, "children", allow_duplicate=True),
        dash.Input(ID.UNDO, "n_clicks"),
        dash.State(ID.TABLE, "value"),
        LANG_STATE,
        prevent_initial_call=True,
    )
    def _undo(n, table, search):
        if not n:
            raise dash.exceptions.PreventUpdate
        lang = lang_from_search(search)
        try:
            result, _who, _live = save(undo_last)
        except (AccessDenied, EditError) as exc:
            text = str(exc) if isinstance(exc, AccessDenied) else "; ".join(p.message for p in exc.problems)
            return _feedback("error", t("edit.not_saved", lang) + " " + text), dash.no_update
        table = table if table in MERGEABLE else "institutions"
        return _feedback("ok", t("edit.undone", lang, v=result.version.source.split(":", 1)[1], n=result.version.id)), \
            candidate_list(table, lang)
