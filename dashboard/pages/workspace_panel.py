"""The Daten page's workspace section: upload → preview → publish, the
versions list, the diff between two versions, revert and downloads.

Callbacks stay thin: they parse the input, call :mod:`loaders.workspace` and
build the view from the plain builders below (unit-tested without a browser).
Previews are stored in the workspace file, so any serving process (also with
``--workers``) can publish them.
"""

from __future__ import annotations

import base64
import binascii
import shutil
import tempfile
from pathlib import Path
from typing import Any

import dash
import dash_ag_grid as dag
from dash import dcc, html

from dashboard.auth import current_user
from dashboard.components import grid_options
from dashboard.context import current
from dashboard.i18n import normalise_lang, register, t
from dashboard.live import live_of
from graph.errors import LoadError

__all__ = ["ID", "section", "register_callbacks", "change_rows", "counts_rows", "version_rows", "GRID_LIMIT"]

#: At most this many change rows go to the browser (the counts above the grid are complete).
GRID_LIMIT = 5000


class ID:
    UPLOAD = "data-ws-upload"
    MODE = "data-ws-mode"
    PREVIEW = "data-ws-preview"
    TOKEN = "data-ws-token"
    MESSAGE = "data-ws-message"
    PUBLISH = "data-ws-publish"
    RESULT = "data-ws-result"
    LIVE = "data-ws-live"
    TICK = "data-ws-tick"
    VERSIONS = "data-ws-versions"
    DIFF_A = "data-ws-diff-a"
    DIFF_B = "data-ws-diff-b"
    DIFF = "data-ws-diff"
    REVERT = "data-ws-revert"
    REVERT_RESULT = "data-ws-revert-result"
    DL_XLSX = "data-ws-dl-xlsx"
    DL_CSV = "data-ws-dl-csv"
    DL_FULL = "data-ws-dl-full"
    DOWNLOAD = "data-ws-download"
    LANG = "data-ws-lang"
    REFRESH = "data-ws-refresh"


register({
    "ws.title": ("Daten bearbeiten: Arbeitsbereich", "Edit the data: workspace"),
    "ws.intro": ("Laden Sie eine Arbeitsmappe (.xlsx), ein ZIP mit CSV-Tabellen, mehrere CSV-Dateien oder eine IATI-Datei (.xml) hoch. "
                 "Vor jeder Änderung sehen Sie den Ladebericht und was sich ändern würde; erst „Veröffentlichen“ legt eine neue Version an. "
                 "Alle Ansichten wechseln danach ohne Neustart auf die neue Version.",
                 "Upload a workbook (.xlsx), a ZIP of CSV tables, several CSV files or an IATI file (.xml). Before anything "
                 "changes you see the load report and what would change; only “Publish” creates a new version. Every view then "
                 "switches to the new version without a restart."),
    "ws.path": ("Arbeitsbereich", "Workspace"),
    "ws.drop": ("Dateien hierher ziehen oder klicken zum Auswählen", "Drag files here or click to choose"),
    "ws.limit": ("höchstens {mb} MB", "at most {mb} MB"),
    "ws.mode": ("Art des Imports", "Kind of import"),
    "ws.mode_replace": ("Ersetzen: die hochgeladenen Tabellen sind der vollständige Stand (fehlende Zeilen werden entfernt)",
                        "Replace: the uploaded tables are the complete data (missing rows are removed)"),
    "ws.mode_update": ("Ergänzen: nur hinzufügen und ändern, nichts entfernen", "Update: add and change only, remove nothing"),
    "ws.preview": ("Vorschau", "Preview"),
    "ws.preview_of": ("Vorschau von {source} gegen Version {base} ({mode})", "Preview of {source} against version {base} ({mode})"),
    "ws.mode.replace": ("Ersetzen", "replace"),
    "ws.mode.update": ("Ergänzen", "update"),
    "ws.changes": ("Änderungen je Tabelle", "Changes per table"),
    "ws.added": ("neu", "added"),
    "ws.changed": ("geändert", "changed"),
    "ws.removed": ("entfernt", "removed"),
    "ws.no_changes": ("Keine Änderungen gegenüber der aktuellen Version.", "No changes against the current version."),
    "ws.merges": ("Mit vorhandenen Institutionen zusammengeführt", "Merged with existing institutions"),
    "ws.merge_line": ("{name} ({src}) → {into}, erkannt an {by}", "{name} ({src}) → {into}, recognised by {by}"),
    "ws.kept": ("Bleiben erhalten, obwohl sie in der Quelle fehlen: {what}", "Kept although missing from the source: {what}"),
    "ws.manifest_partial": ("Die Quelle ist ein Teilexport (Manifest: {what}); was sie nicht enthalten konnte, bleibt erhalten.",
                            "The source is a partial export (manifest: {what}); what it could not contain is kept."),
    "ws.blocked": ("Kann nicht veröffentlicht werden: {why}", "Cannot be published: {why}"),
    "ws.blocked.no_rows": ("Die Datei enthält keine Datenzeilen.", "The upload holds no data rows."),
    "ws.blocked.all_rejected": ("Keine der {n} Zeilen konnte übernommen werden (siehe Ladebericht).",
                                "None of the {n} rows could be accepted (see the load report)."),
    "ws.blocked.no_changes": ("Nichts zu veröffentlichen: die Daten gleichen der aktuellen Version.",
                              "Nothing to publish: the data are the same as in the current version."),
    "ws.report": ("Ladebericht der Quelle", "Load report of the source"),
    "ws.grid_more": ("Die Tabelle zeigt die ersten {n} von {total} Änderungen.", "The grid shows the first {n} of {total} changes."),
    "ws.op": ("Art", "Change"),
    "ws.key": ("Schlüssel", "Key"),
    "ws.column": ("Feld", "Field"),
    "ws.before": ("vorher", "before"),
    "ws.after": ("nachher", "after"),
    "ws.op.insert": ("+ neu", "+ added"),
    "ws.op.update": ("~ geändert", "~ changed"),
    "ws.op.delete": ("− entfernt", "− removed"),
    "ws.message": ("Beschreibung der Änderung", "What changed"),
    "ws.message_ph": ("z. B. Projekte der Ausschreibung 2026 ergänzt", "e.g. added the projects of the 2026 call"),
    "ws.publish": ("Veröffentlichen", "Publish"),
    "ws.published": ("Version {n} veröffentlicht. Die Ansichten wechseln, sobald sie geladen ist.",
                     "Version {n} published. The views switch as soon as it is loaded."),
    "ws.conflict": ("Inzwischen wurde Version {head} veröffentlicht; diese Vorschau galt für Version {base}. Bitte laden Sie die Datei erneut hoch, um eine neue Vorschau zu erhalten.",
                    "Version {head} has been published meanwhile; this preview was made against version {base}. Upload the file again for a fresh preview."),
    "ws.error": ("Fehler: {why}", "Error: {why}"),
    "ws.live": ("Version {n} ist live (seit {since} UTC).", "Version {n} is live (since {since} UTC)."),
    "ws.building": ("Version {n} wird geladen … bis dahin ist Version {live} zu sehen.", "Loading version {n} … version {live} is shown until then."),
    "ws.live_error": ("Die neueste Version konnte nicht geladen werden ({why}); Version {live} bleibt sichtbar.",
                      "The newest version could not be loaded ({why}); version {live} stays visible."),
    "ws.history": ("Versionen", "Versions"),
    "ws.version": ("Version", "Version"),
    "ws.time": ("Zeit (UTC)", "Time (UTC)"),
    "ws.user": ("Wer", "Who"),
    "ws.kind": ("Art", "Kind"),
    "ws.kind.import": ("Import", "import"),
    "ws.kind.edit": ("Bearbeitung", "edit"),
    "ws.kind.revert": ("Zurückgesetzt", "revert"),
    "ws.summary": ("+ / ~ / − je Tabelle", "+ / ~ / − per table"),
    "ws.diff": ("Unterschied zwischen zwei Versionen", "Difference between two versions"),
    "ws.diff_from": ("von Version", "from version"),
    "ws.diff_to": ("zu Version", "to version"),
    "ws.selected": ("Ausgewählte Version", "Selected version"),
    "ws.revert": ("Auf diese Version zurücksetzen", "Revert to this version"),
    "ws.reverted": ("Version {n} angelegt: Stand von Version {to}.", "Version {n} created: the data of version {to}."),
    "ws.select_first": ("Bitte zuerst eine Version in der Liste auswählen.", "Select a version in the list first."),
    "ws.dl_xlsx": ("Als Excel (.xlsx)", "As Excel (.xlsx)"),
    "ws.dl_csv": ("Als CSV-Tabellen (ZIP)", "As CSV tables (ZIP)"),
    "ws.dl_full": ("Vollständige Sicherung (.xlsx, mit Kontakten ohne Einwilligung; wird protokolliert)",
                   "Full backup (.xlsx, with contacts without consent; logged)"),
    "ws.dl_note": ("Downloads ohne „vollständig“ lassen Kontakte ohne Einwilligung weg und sind im Manifest als Teilexport markiert; "
                   "beim erneuten Import bleiben diese Kontakte erhalten.",
                   "Downloads other than the full backup leave out contacts without consent and are marked partial in their "
                   "manifest; importing them again keeps those contacts."),
    "ws.readonly": ("Diese Daten werden nur gelesen: sie kommen aus Dateien (serve --data oder die Beispieldaten), nicht aus "
                    "einem Arbeitsbereich. Um sie im Browser zu bearbeiten, importieren Sie sie in einen Arbeitsbereich und "
                    "starten diesen: partnernetz workspace import PFAD, dann partnernetz (oder partnernetz serve --workspace DATEI).",
                    "These data are read-only: they come from files (serve --data or the sample), not from a workspace. To "
                    "edit them in the browser, import them into a workspace and serve that: partnernetz workspace import PATH, "
                    "then partnernetz (or partnernetz serve --workspace FILE)."),
    "ws.query_mode": ("Abfragemodus (Neo4j): Der Arbeitsbereich mit Hochladen, Versionen und Zurücksetzen gibt es nur im eingebetteten "
                      "Betrieb; Veröffentlichungen werden nicht nach Neo4j übertragen. Daten in Neo4j ändern Sie mit neo4j push.",
                      "Query mode (Neo4j): the workspace with upload, versions and revert is embedded-only; publishes are not "
                      "pushed to Neo4j. Change the data in Neo4j with neo4j push."),
})


# ------------------------------------------------------------------ builders
def counts_rows(counts: dict[str, dict[str, int]], lang: str) -> list[list[Any]]:
    """Rows ``[table, added, changed, removed]`` of a per-table summary."""
    return [[t(f"table.{name}", lang), c.get("added", 0), c.get("changed", 0), c.get("removed", 0)]
            for name, c in counts.items()]


def _short(row: dict[str, str] | None) -> str:
    if not row:
        return ""
    for col in ("name", "title"):
        if row.get(col):
            return row[col]
    return "; ".join(f"{k}: {v}" for k, v in row.items() if v and k not in ("source", "illustrative"))[:200]


def change_rows(changes: list, lang: str, *, limit: int = GRID_LIMIT) -> list[dict[str, Any]]:
    """Grid rows: one per changed field of a changed row, one per added or removed row."""
    rows: list[dict[str, Any]] = []
    for c in changes:
        op, table = t(f"ws.op.{c.op}", lang), t(f"table.{c.table}", lang)
        if c.op == "update":
            for col, before, after in c.fields():
                rows.append({"op": op, "table": table, "key": c.key, "column": col, "before": before, "after": after})
        else:
            rows.append({"op": op, "table": table, "key": c.key, "column": "",
                         "before": _short(c.before), "after": _short(c.after)})
        if len(rows) >= limit:
            break
    return rows[:limit]


def version_rows(versions: list, lang: str) -> list[dict[str, Any]]:
    """Grid rows of the versions list, with ``+a ~c −r`` per table."""
    return [{"id": v.id, "time": v.time.replace("T", " ").removesuffix("+00:00"), "user": v.user,
             "kind": t(f"ws.kind.{v.kind}", lang), "message": v.message,
             "summary": ", ".join(f"{t(f'table.{name}', lang)} +{c['added']} ~{c['changed']} −{c['removed']}"
                                  for name, c in v.counts.items())}
            for v in versions]


def _counts_table(counts: dict[str, dict[str, int]], lang: str) -> html.Table:
    header = [t("data.table", lang), t("ws.added", lang), t("ws.changed", lang), t("ws.removed", lang)]
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in header])),
                       html.Tbody([html.Tr([html.Td(str(c)) for c in r]) for r in counts_rows(counts, lang)])],
                      className="counts")


def changes_grid(grid_id: str, changes: list, lang: str) -> html.Div:
    rows = change_rows(changes, lang)
    total = sum(max(len(c.fields()), 1) if c.op == "update" else 1 for c in changes)
    return html.Div([
        html.P(t("ws.grid_more", lang, n=len(rows), total=total), className="muted") if total > len(rows) else None,
        dag.AgGrid(
            id=grid_id, rowData=rows,
            columnDefs=[
                {"field": "op", "headerName": t("ws.op", lang), "width": 120},
                {"field": "table", "headerName": t("data.table", lang), "width": 140},
                {"field": "key", "headerName": t("ws.key", lang), "width": 160},
                {"field": "column", "headerName": t("ws.column", lang), "width": 130},
                {"field": "before", "headerName": t("ws.before", lang), "flex": 1, "wrapText": True, "autoHeight": True},
                {"field": "after", "headerName": t("ws.after", lang), "flex": 1, "wrapText": True, "autoHeight": True},
            ],
            defaultColDef={"sortable": True, "filter": True, "resizable": True, "floatingFilter": True},
            dashGridOptions=grid_options(lang, pagination=True, paginationPageSize=20, domLayout="autoHeight"),
            className="ag-theme-alpine", style={"width": "100%"},
        ),
    ])


def preview_view(preview, lang: str) -> html.Div:
    """The preview: load report and per-table counts first, then merges, kept rows and the changes grid."""
    from dashboard.pages.data import report_summary  # the same load report view as for the served data

    report = preview.report
    parts: list[Any] = [
        html.H3(t("ws.preview_of", lang, source=Path(preview.source).name, base=preview.base,
                  mode=t(f"ws.mode.{preview.mode}", lang)), id="data-ws-preview-title"),
    ]
    if preview.blocked:
        why = (t(f"ws.blocked.{preview.blocked_code}", lang, n=sum(c.read for c in report.tables.values()))
               if preview.blocked_code else preview.blocked)
        parts.append(html.Div(t("ws.blocked", lang, why=why), className="status error", id="data-ws-blocked"))
    parts.append(html.Div([
        html.Div([html.H4(t("ws.changes", lang)),
                  _counts_table(preview.counts, lang) if preview.changes else html.P(t("ws.no_changes", lang), className="muted")],
                 className="card", id="data-ws-counts"),
        html.Div([html.H4(t("ws.report", lang)), report_summary(report, lang, grid_id="data-ws-problems")], className="card"),
    ], className="cards"))
    if preview.manifest is not None and preview.manifest.partial:
        parts.append(html.P(t("ws.manifest_partial", lang, what=", ".join(preview.manifest.omitted)), className="notice"))
    if preview.kept:
        parts.append(html.P(t("ws.kept", lang, what=", ".join(f"{t(f'table.{k}', lang)} {n}" for k, n in preview.kept.items())),
                            className="notice"))
    if preview.merges:
        parts.append(html.Div([html.H4(t("ws.merges", lang)), html.Ul([
            html.Li(t("ws.merge_line", lang, name=m.get("name", ""), src=m["from"], into=m["into"], by=m["by"]))
            for m in preview.merges])], id="data-ws-merges"))
    if preview.changes:
        parts.append(changes_grid("data-ws-changes", preview.changes, lang))
    return html.Div(parts)


def live_text(status, lang: str) -> str:
    if status.building is not None:
        return t("ws.building", lang, n=status.building, live=status.live)
    if status.error:
        return t("ws.live_error", lang, why=status.error, live=status.live)
    return t("ws.live", lang, n=status.live, since=status.since.replace("T", " ").removesuffix("+00:00"))


# ------------------------------------------------------------------ layout
def _workspace():
    from loaders.workspace import WorkspaceFile

    return WorkspaceFile(current().settings.workspace)


def section(lang: str) -> html.Div:
    """The workspace section, or the notice why the data cannot be edited here."""
    ctx = current()
    if getattr(ctx.store, "primary", None) is not None:
        return html.P(t("ws.query_mode", lang), className="notice", id="data-ws-embedded-only")
    if not ctx.settings.workspace:
        return html.P(t("ws.readonly", lang), className="notice", id="data-ws-readonly")
    from loaders.workspace import WorkspaceError

    try:
        ws = _workspace()
        versions = ws.versions()
    except WorkspaceError as exc:  # the file went away or broke while serving: say so, keep the page
        return html.Div(t("ws.error", lang, why=str(exc)), className="status error", id="data-ws-broken")
    live = live_of()
    status = live.status() if live is not None else None
    numbers = [v.id for v in versions]
    full_allowed = not ctx.settings.no_contacts
    return html.Div([
        html.H2(t("ws.title", lang)),
        html.P(t("ws.intro", lang), className="intro"),
        html.P(live_text(status, lang) if status else "", id=ID.LIVE, className="notice"),
        dcc.Interval(id=ID.TICK, interval=2000),
        dcc.Store(id=ID.LANG, data=lang),
        dcc.Store(id=ID.TOKEN),
        dcc.Store(id=ID.REFRESH),
        dcc.RadioItems(id=ID.MODE, value="replace", className="ws-mode",
                       options=[{"label": t("ws.mode_replace", lang), "value": "replace"},
                                {"label": t("ws.mode_update", lang), "value": "update"}]),
        dcc.Upload(id=ID.UPLOAD, multiple=True, className="ws-upload",
                   children=html.Div([t("ws.drop", lang), html.Br(),
                                      html.Span(".xlsx · ZIP (CSV) · .csv · IATI .xml · "
                                                + t("ws.limit", lang, mb=f"{ctx.settings.upload_limit / 1024 / 1024:g}"),
                                                className="muted")])),
        dcc.Loading(html.Div(id=ID.PREVIEW), type="default"),
        html.Div([
            html.Label(t("ws.message", lang), htmlFor=ID.MESSAGE, className="muted"),
            dcc.Input(id=ID.MESSAGE, type="text", placeholder=t("ws.message_ph", lang), className="ws-message",
                      maxLength=500),
            html.Button(t("ws.publish", lang), id=ID.PUBLISH, className="button", disabled=True),
        ], className="button-row ws-publish"),
        html.Div(id=ID.RESULT),
        html.H2(t("ws.history", lang)),
        dag.AgGrid(
            id=ID.VERSIONS, rowData=version_rows(versions, lang),
            columnDefs=[
                {"field": "id", "headerName": t("ws.version", lang), "width": 95, "checkboxSelection": True},
                {"field": "time", "headerName": t("ws.time", lang), "width": 170},
                {"field": "user", "headerName": t("ws.user", lang), "width": 140},
                {"field": "kind", "headerName": t("ws.kind", lang), "width": 120},
                {"field": "message", "headerName": t("ws.message", lang), "flex": 1, "minWidth": 160},
                {"field": "summary", "headerName": t("ws.summary", lang), "flex": 2, "minWidth": 200, "wrapText": True, "autoHeight": True},
            ],
            defaultColDef={"sortable": True, "filter": True, "resizable": True},
            dashGridOptions=grid_options(lang, pagination=True, paginationPageSize=20, domLayout="autoHeight",
                                         rowSelection="single"),
            className="ag-theme-alpine", style={"width": "100%"},
        ),
        html.Div([
            html.Span(t("ws.selected", lang) + ":", className="muted"),
            html.Button(t("ws.revert", lang), id=ID.REVERT, className="button secondary"),
            html.Button(t("ws.dl_xlsx", lang), id=ID.DL_XLSX, className="button secondary"),
            html.Button(t("ws.dl_csv", lang), id=ID.DL_CSV, className="button secondary"),
            html.Button(t("ws.dl_full", lang), id=ID.DL_FULL, className="button secondary") if full_allowed else None,
            dcc.Download(id=ID.DOWNLOAD),
        ], className="button-row ws-version-actions"),
        html.P(t("ws.dl_note", lang), className="muted"),
        html.Div(id=ID.REVERT_RESULT),
        html.H3(t("ws.diff", lang)),
        html.Div([
            html.Label([t("ws.diff_from", lang), dcc.Dropdown(id=ID.DIFF_A, options=numbers, clearable=False,
                                                              value=numbers[1] if len(numbers) > 1 else (numbers[0] if numbers else None))]),
            html.Label([t("ws.diff_to", lang), dcc.Dropdown(id=ID.DIFF_B, options=numbers, clearable=False,
                                                            value=numbers[0] if numbers else None)]),
        ], className="ws-diff-pick"),
        html.Div(id=ID.DIFF),
    ], className="workspace-panel", id="data-workspace")


# ------------------------------------------------------------------ callbacks
def _decode(contents: list[str], names: list[str]) -> list[tuple[str, bytes]]:
    files = []
    for content, name in zip(contents, names):
        _, _, data = (content or "").partition(",")
        try:
            files.append((name, base64.b64decode(data, validate=False)))
        except (binascii.Error, ValueError) as exc:
            raise LoadError(f"{name}: the upload arrived damaged ({exc})") from exc
    return files


def _selected(rows: list | None) -> int | None:
    return rows[0]["id"] if rows else None


def register_callbacks(app: dash.Dash) -> None:
    @app.callback(
        dash.Output(ID.PREVIEW, "children"),
        dash.Output(ID.TOKEN, "data"),
        dash.Output(ID.PUBLISH, "disabled"),
        dash.Input(ID.UPLOAD, "contents"),
        dash.Input(ID.MODE, "value"),
        dash.State(ID.UPLOAD, "filename"),
        dash.State(ID.LANG, "data"),
        prevent_initial_call=True,
    )
    def _preview(contents, mode, names, lang):
        from loaders.workspace import make_preview, stage_upload

        lang = normalise_lang(lang)
        if not contents:
            return None, None, True
        ctx = current()
        tmp = tempfile.mkdtemp(prefix="partnernetz-upload-")
        try:
            path = stage_upload(_decode(contents, names or []), tmp, limit=ctx.settings.upload_limit)
            source = names[0] if len(names or []) == 1 else ", ".join(names or [])
            preview = make_preview(_workspace(), path, mode=mode or "replace", source=source)
        except LoadError as exc:  # wrong format, corrupt, over the limit: nothing changed
            return html.Div(t("ws.error", lang, why=str(exc)), className="status error", id="data-ws-upload-error"), None, True
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return preview_view(preview, lang), (preview.token if preview.ok else None), not preview.ok

    @app.callback(
        dash.Output(ID.RESULT, "children"),
        dash.Output(ID.PUBLISH, "disabled", allow_duplicate=True),
        dash.Output(ID.REFRESH, "data"),
        dash.Input(ID.PUBLISH, "n_clicks"),
        dash.State(ID.TOKEN, "data"),
        dash.State(ID.MESSAGE, "value"),
        dash.State(ID.LANG, "data"),
        prevent_initial_call=True,
    )
    def _publish(_n, token, message, lang):
        from loaders.workspace import ConflictError, WorkspaceError, publish_preview

        lang = normalise_lang(lang)
        if not token:
            return dash.no_update, True, dash.no_update
        try:
            version = publish_preview(_workspace(), token, user=current_user(), message=(message or "").strip()[:500]
                                      or "Upload")
        except ConflictError as exc:
            return html.Div(t("ws.conflict", lang, head=exc.head, base=exc.base), className="status error",
                            id="data-ws-conflict"), True, dash.no_update
        except WorkspaceError as exc:
            return html.Div(t("ws.error", lang, why=str(exc)), className="status error"), True, dash.no_update
        live = live_of()
        if live is not None:
            live.check(force=True)
        return html.Div(t("ws.published", lang, n=version.id), className="status ok", id="data-ws-published"), True, version.id

    @app.callback(
        dash.Output(ID.LIVE, "children"),
        dash.Input(ID.TICK, "n_intervals"),
        dash.State(ID.LANG, "data"),
    )
    def _live(_n, lang):
        live = live_of()
        return live_text(live.status(), normalise_lang(lang)) if live is not None else ""

    @app.callback(
        dash.Output(ID.VERSIONS, "rowData"),
        dash.Output(ID.DIFF_A, "options"),
        dash.Output(ID.DIFF_B, "options"),
        dash.Output(ID.DIFF_A, "value"),
        dash.Output(ID.DIFF_B, "value"),
        dash.Input(ID.REFRESH, "data"),
        dash.State(ID.LANG, "data"),
        prevent_initial_call=True,
    )
    def _refresh_versions(_version, lang):
        versions = _workspace().versions()
        numbers = [v.id for v in versions]
        return (version_rows(versions, normalise_lang(lang)), numbers, numbers,
                numbers[1] if len(numbers) > 1 else None, numbers[0] if numbers else None)

    @app.callback(
        dash.Output(ID.DIFF, "children"),
        dash.Input(ID.DIFF_A, "value"),
        dash.Input(ID.DIFF_B, "value"),
        dash.State(ID.LANG, "data"),
    )
    def _diff(a, b, lang):
        from loaders.workspace import WorkspaceError, diff_versions, summarise

        lang = normalise_lang(lang)
        if a is None or b is None:
            return None
        try:
            changes = diff_versions(_workspace(), int(a), int(b))
        except WorkspaceError as exc:
            return html.Div(t("ws.error", lang, why=str(exc)), className="status error")
        if not changes:
            return html.P(t("ws.no_changes", lang), className="muted")
        return html.Div([_counts_table(summarise(changes), lang), changes_grid("data-ws-diff-grid", changes, lang)])

    @app.callback(
        dash.Output(ID.REVERT_RESULT, "children"),
        dash.Output(ID.REFRESH, "data", allow_duplicate=True),
        dash.Input(ID.REVERT, "n_clicks"),
        dash.State(ID.VERSIONS, "selectedRows"),
        dash.State(ID.LANG, "data"),
        prevent_initial_call=True,
    )
    def _revert(_n, selected, lang):
        from loaders.workspace import WorkspaceError, revert

        lang = normalise_lang(lang)
        target = _selected(selected)
        if target is None:
            return html.Div(t("ws.select_first", lang), className="status error"), dash.no_update
        try:
            version = revert(_workspace(), target, user=current_user())
        except WorkspaceError as exc:
            return html.Div(t("ws.error", lang, why=str(exc)), className="status error"), dash.no_update
        live = live_of()
        if live is not None:
            live.check(force=True)
        return (html.Div(t("ws.reverted", lang, n=version.id, to=target), className="status ok", id="data-ws-reverted"),
                version.id)

    @app.callback(
        dash.Output(ID.DOWNLOAD, "data"),
        dash.Output(ID.REVERT_RESULT, "children", allow_duplicate=True),
        dash.Input(ID.DL_XLSX, "n_clicks"),
        dash.Input(ID.DL_CSV, "n_clicks"),
        dash.Input(ID.DL_FULL, "n_clicks"),
        dash.State(ID.VERSIONS, "selectedRows"),
        dash.State(ID.LANG, "data"),
        prevent_initial_call=True,
    )
    def _download(_x, _c, _f, selected, lang):
        from loaders.audit import audit_export
        from loaders.workspace import export_bytes

        ctx = current()
        which = dash.ctx.triggered_id
        full = which == ID.DL_FULL and not ctx.settings.no_contacts
        result = export_bytes(_workspace(), _selected(selected), fmt="csv" if which == ID.DL_CSV else "xlsx",
                              full=full, contacts=not ctx.settings.no_contacts)
        if result.contact_ids:  # personal data leave the app: record it
            audit_export(ctx.settings.audit_log, user=current_user(),
                         what=f"workspace version {result.manifest.version}{' full backup' if full else ''}",
                         fmt="csv" if which == ID.DL_CSV else "xlsx", contact_ids=result.contact_ids,
                         dataset=ctx.settings.data_label)
        return dcc.send_bytes(result.content, result.filename), dash.no_update
