"""The Pipeline page's section "Veranstaltungen": saved guest lists and what
became of them.

* every saved guest list with its event and guests per invitation status
  (eingeladen, zugesagt, abgesagt, teilgenommen) — for every role, no names;
* the quota check of a list against who actually came — every role;
* for planners and up: the guests with their status (and moving it), the
  import of the registration or attendance list, the review of rows without
  a match (pick a contact, create a new person, ignore) and the confirmation
  that writes the attendance into the network (editors).

Lists are saved on the Kontakte page (:mod:`dashboard.pages.guestlist_save`).
The callbacks are thin: parse → :mod:`loaders.workspace.guestlists` via
:mod:`dashboard.guestlist_service` → rows and small views.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import dash
import dash_ag_grid as dag
from dash import ALL, MATCH, dcc, html

from dashboard import guestlist_service as service
from dashboard.access import contact_rule, has_role, require_role
from dashboard.components import grid_options
from dashboard.domain_labels import domain_label
from dashboard.i18n import LANG_STATE, lang_from_search, t
from dashboard.pages.contacts import person_options
from dashboard.viewstate import network_href
from graph.core.errors import LoadError, PartnernetzError
from graph.core.text import fold
from graph.followup.invitations import Invitation
from graph.people.contacts import ContactIndex
from graph.people.privacy import MASKED_LABEL

__all__ = ["ID", "section", "register_callbacks", "overview_rows", "quota_table", "review_view"]

#: How a row was matched -> its message key.
_HOW = {"email": "events.how.email", "name": "events.how.name"}

#: Most institutions an institution picker offers per search.
MAX_OPTIONS = 50


class ID:
    SECTION = "pipeline-events"
    REFRESH = "pipeline-events-refresh"
    LISTS = "pipeline-events-lists"
    SELECTED = "pipeline-events-selected"
    HEADER = "pipeline-events-header"
    QUOTA = "pipeline-events-quota"
    PEOPLE = "pipeline-events-people"
    GUESTS = "pipeline-events-guests"
    NEW_STATUS = "pipeline-events-new-status"
    SET_STATUS = "pipeline-events-set-status"
    KIND = "pipeline-events-kind"
    UPLOAD = "pipeline-events-upload"
    REVIEW = "pipeline-events-review"
    CONFIRM = "pipeline-events-confirm"
    DISCARD = "pipeline-events-discard"
    MESSAGE = "pipeline-events-message"
    ROW_CONTACT = "pipeline-events-row-contact"    # pattern-matching types, index = row number
    ROW_PICK = "pipeline-events-row-pick"
    ROW_INSTITUTION = "pipeline-events-row-institution"
    ROW_NEW = "pipeline-events-row-new"
    ROW_IGNORE = "pipeline-events-row-ignore"
    SCROLLED = "pipeline-events-scrolled"
    OPEN_ROW = "pipeline-events-open-row"
    DETAIL = "pipeline-events-detail"


def may_see_people() -> bool:
    """Names of guests: planners and up, never with ``--no-contacts``."""
    return has_role("planner") and contact_rule() != "none"


# ------------------------------------------------------------------ pure builders
def overview_rows(gl, lang: str) -> list[dict[str, Any]]:
    """One grid row per saved guest list: event and guests per status."""
    rows = []
    for r in gl.guestlists():
        counts = gl.counts(r.id)
        rows.append({"id": str(r.id), "name": r.name, "event": service.event_label(r.event, lang),
                     "owner": r.owner, "created": r.created[:10], "total": sum(counts.values()), **counts})
    return rows


def _columns(lang: str) -> list[dict[str, Any]]:
    cols = [{"field": "name", "headerName": t("events.list", lang), "flex": 2, "minWidth": 170, "pinned": "left",
             "wrapText": True, "autoHeight": True, "cellClass": "cell-wrap"},
            {"field": "event", "headerName": t("events.event", lang), "flex": 3, "minWidth": 220, "wrapText": True,
             "autoHeight": True, "cellClass": "cell-wrap"},
            {"field": "total", "headerName": t("events.total", lang), "flex": 1, "minWidth": 90}]
    cols += [{"field": s.value, "headerName": domain_label("invitation_status", s.value, lang), "flex": 1,
              "minWidth": 112} for s in Invitation]
    return cols


def _guest_columns(lang: str) -> list[dict[str, Any]]:
    return [{"field": "name", "headerName": t("contacts.name", lang), "flex": 2, "minWidth": 150, "pinned": "left",
             "wrapText": True, "autoHeight": True, "cellClass": "cell-wrap"},
            {"field": "status_label", "headerName": t("events.status", lang), "width": 135, "cellClass": "cell-wrap"},
            {"field": "institution", "headerName": t("contacts.institution", lang), "flex": 3, "minWidth": 200,
             "wrapText": True, "autoHeight": True, "cellClass": "cell-wrap"},
            {"field": "sector", "headerName": t("contacts.sector", lang), "flex": 1, "minWidth": 130, "wrapText": True,
             "autoHeight": True, "cellClass": "cell-wrap"},
            {"field": "land", "headerName": t("contacts.land", lang), "flex": 1, "minWidth": 130, "wrapText": True,
             "autoHeight": True, "cellClass": "cell-wrap"},
            {"field": "note", "headerName": t("contacts.note", lang), "flex": 1, "minWidth": 150, "wrapText": True,
             "autoHeight": True, "cellClass": "cell-wrap"}]


def quota_table(index: ContactIndex, checks, lang: str):
    """The quota check: each group's rule, invited and came, met or not."""
    if not checks:
        return html.P(t("events.no_quotas", lang), className="muted")

    def rule(q) -> str:
        parts = []
        if q.min is not None:
            parts.append(f"{t('contacts.min', lang)} {q.min}")
        if q.max is not None:
            parts.append(f"{t('contacts.max', lang)} {q.max}")
        return ", ".join(parts)

    def mark(ok: bool, count: int):
        return html.Td([str(count), " ", html.Span("✓" if ok else "✗", className="ok" if ok else "error",
                                                   title=t("events.met" if ok else "events.not_met", lang))])

    rows = [html.Tr([html.Td(d["label"]), html.Td(rule(q)), mark(q.met_invited, q.invited),
                     mark(q.met_attended, q.attended)])
            for q, d in zip(checks, service.quota_dicts(index, checks, lang))]
    missed = sum(1 for q in checks if q.met_invited and not q.met_attended)
    note = (html.P(t("events.quota_missed", lang, n=missed), className="status error") if missed
            else html.P(t("events.quota_ok", lang), className="status ok"))
    return html.Div([note, html.Table([
        html.Thead(html.Tr([html.Th(t("events.group", lang)), html.Th(t("events.rule", lang)),
                            html.Th(t("events.invited_n", lang)), html.Th(t("events.came_n", lang))])),
        html.Tbody(rows)], className="table events-quota-table")])


def _person_label(index: ContactIndex, contact: str | None) -> str:
    if not contact:
        return ""
    person = index.persons.get(index.record_to_person.get(contact, contact))
    if person is None:
        return contact.partition(":")[2]
    inst = person.institution_labels[0] if person.institution_labels else ""
    return f"{MASKED_LABEL if person.masked else person.name} – {inst}" if inst else (
        MASKED_LABEL if person.masked else person.name)


def _institution_options(index: ContactIndex, graph, text: str, lang: str, chosen: str | None = None) -> list[dict]:
    key = fold(text or "")
    out, seen = [], set()
    if chosen and chosen in graph.nx:
        out.append({"label": graph.label(chosen, lang), "value": chosen})
        seen.add(chosen)
    for inst in graph.nodes("institution"):
        if len(out) >= MAX_OPTIONS:
            break
        if inst in seen:
            continue
        if not key or key in fold(graph.label(inst, lang)) or key in fold(inst):
            out.append({"label": graph.label(inst, lang), "value": inst})
    return out


def review_view(index: ContactIndex, graph, imp, lang: str) -> list:
    """An open import: what was read, the file's problems, matched rows, and
    one decision line per row without a match."""
    if imp is None:
        return [html.P(t("events.no_import", lang), className="muted")]
    matched = [r for r in imp.rows if r.match and r.resolution is None]
    decided = [r for r in imp.rows if r.resolution]
    head = html.P(t("events.read", lang, file=imp.file, kind=t(f"events.kind.{imp.kind}", lang), read=imp.read,
                    matched=len(matched), open=len(imp.open_rows), rejected=imp.rejected), className="events-read")
    out: list = [head]
    if imp.problems:
        out.append(html.Details([html.Summary(t("events.problems", lang, n=len(imp.problems))),
                                 html.Ul([html.Li(str(p), className=p.level) for p in imp.problems[:200]])],
                                open=any(p.level == "error" for p in imp.problems), className="events-problems"))
    if matched:
        out.append(html.Details([html.Summary(t("events.matched", lang, n=len(matched))), html.Ul([
            html.Li(f"{t('events.row', lang, n=r.number)}: {r.name or r.email} → {_person_label(index, r.match)} "
                    f"({t(_HOW.get(r.how or 'name', 'events.how.name'), lang)})") for r in matched])], className="events-matched"))
    if decided:
        out.append(html.Ul([html.Li(f"{t('events.row', lang, n=r.number)}: {r.name or r.email} → "
                                    + (_person_label(index, r.contact) if r.resolution == "contact" else
                                       t("events.new_person_at", lang, inst=graph.label(f"institution:{r.new_institution}", lang))
                                       if r.resolution == "new" else t("events.ignored", lang)))
                            for r in decided], className="events-decided"))
    for r in imp.open_rows:
        options = person_options(index, "", [r.suggestion] if r.suggestion and r.suggestion in index.persons else [])
        if r.suggestion and not any(o["value"] == r.suggestion for o in options):
            options.insert(0, {"label": _person_label(index, r.suggestion), "value": r.suggestion})
        inst_guess = next((o["value"] for o in _institution_options(index, graph, r.institution, lang)
                           if r.institution and fold(o["label"]) == fold(r.institution)), None)
        out.append(html.Div([
            html.Div([html.Strong(t("events.row", lang, n=r.number)), " ",
                      html.Span(" · ".join(x for x in (r.name, r.email, r.institution) if x), className="events-row-text"),
                      html.Span(t("events.suggestion", lang, name=_person_label(index, r.suggestion)), className="muted")
                      if r.suggestion else None], className="events-row-head"),
            html.Div([
                html.Div(dcc.Dropdown(id={"type": ID.ROW_CONTACT, "index": r.number}, options=options,
                                      value=r.suggestion, placeholder=t("events.pick_contact", lang)),
                         className="events-row-picker"),
                html.Button(t("events.take", lang), id={"type": ID.ROW_PICK, "index": r.number},
                            className="button small secondary events-take"),
            ], className="events-row-actions"),
            html.Div([
                html.Div(dcc.Dropdown(id={"type": ID.ROW_INSTITUTION, "index": r.number},
                                      options=_institution_options(index, graph, r.institution, lang, inst_guess),
                                      value=inst_guess, placeholder=t("events.pick_institution", lang)),
                         className="events-row-picker"),
                html.Button(t("events.new_person", lang), id={"type": ID.ROW_NEW, "index": r.number},
                            className="button small secondary events-new"),
                html.Button(t("events.ignore", lang), id={"type": ID.ROW_IGNORE, "index": r.number},
                            className="button small secondary events-ignore"),
            ], className="events-row-actions"),
        ], className=f"events-open-row events-open-row-{r.number} card", id={"type": ID.OPEN_ROW, "index": r.number}))
    return out


# ------------------------------------------------------------------ layout
def section(lang: str, selected: str | None = None) -> html.Div:
    """The section; ``selected``: a guest list to open (``?guestlist=3``)."""
    gl = service.store()
    if gl is None:
        return html.Div()
    rows = overview_rows(gl, lang)
    chosen = selected if selected and any(r["id"] == selected for r in rows) else None
    people = may_see_people()
    grid = dag.AgGrid(id=ID.LISTS, rowData=rows, columnDefs=_columns(lang), getRowId="params.data.id",
                      defaultColDef={"sortable": True, "resizable": True},
                      selectedRows=[r for r in rows if r["id"] == chosen],
                      dashGridOptions=grid_options(lang, domLayout="autoHeight", rowSelection="single",
                                                   pagination=True, paginationPageSize=10,
                                                   paginationPageSizeSelector=[10, 25, 50]),
                      className="ag-theme-alpine", style={"width": "100%"})
    guests_block = html.Div([
        html.H3(t("events.guests", lang)),
        dag.AgGrid(id=ID.GUESTS, rowData=[], columnDefs=_guest_columns(lang), getRowId="params.data.contact",
                   defaultColDef={"sortable": True, "resizable": True, "filter": True},
                   dashGridOptions=grid_options(lang, domLayout="autoHeight", pagination=True, paginationPageSize=20,
                                                rowSelection={"mode": "multiRow"},
                                                selectionColumnDef={"pinned": "left"}),
                   className="ag-theme-alpine", style={"width": "100%"}),
        html.Div([
            dcc.Dropdown(id=ID.NEW_STATUS, clearable=False, value=Invitation.ACCEPTED.value, className="events-status",
                         options=[{"label": domain_label("invitation_status", s.value, lang), "value": s.value}
                                  for s in Invitation if s != Invitation.ATTENDED]),
            html.Button(t("events.set_status", lang), id=ID.SET_STATUS, className="button secondary"),
        ], className="button-row"),
        html.H3(t("events.import", lang)),
        html.P(t("events.import_intro", lang), className="muted"),
        dcc.RadioItems(id=ID.KIND, value="attendance", inline=True, className="radio",
                       options=[{"label": t(f"events.kind.{k}", lang), "value": k} for k in ("attendance", "registration")]),
        dcc.Upload(id=ID.UPLOAD, className="ws-upload events-upload", accept=".xlsx,.csv",
                   children=html.Div([t("events.drop", lang), html.Br(), html.Span(".xlsx · .csv", className="muted")])),
        html.Div(id=ID.REVIEW, className="events-review"),
        html.Div([html.Button(t("events.confirm", lang), id=ID.CONFIRM, className="button", disabled=True),
                  html.Button(t("events.discard", lang), id=ID.DISCARD, className="button secondary", disabled=True)],
                 className="button-row"),
    ], id=ID.PEOPLE, style={} if people else {"display": "none"})
    return html.Div([
        html.H2(t("events.title", lang), id=ID.SECTION),
        html.P(t("events.intro", lang), className="muted"),
        dcc.Store(id=ID.REFRESH, data=0),
        dcc.Store(id=ID.SELECTED, data=chosen),
        dcc.Store(id=ID.SCROLLED),
        grid if rows else html.P(t("events.none", lang), className="muted"),
        html.Div([
            html.Div(id=ID.HEADER, className="events-header"),
            html.Div(id=ID.MESSAGE, role="status", className="events-message"),
            html.H3(t("events.quota", lang)) if people else None,
            html.Div(id=ID.QUOTA),
            guests_block if people else html.P(t("events.no_names", lang), className="muted"),
        ], className="card events-detail", style={} if chosen else {"display": "none"}, id=ID.DETAIL),
    ], className="events-section")


# ------------------------------------------------------------------ callbacks
def _open_import(gl, gid: int):
    opened = [i for i in gl.imports(gid) if i.state == "open"]
    return opened[-1] if opened else None


def register_callbacks(app: dash.Dash) -> None:
    # a link to a guest list (from Kontakte: ?guestlist=3#pipeline-events) opens at the section once it is drawn
    app.clientside_callback(
        """function(selected, sectionId) {
            if (selected && window.location.hash === '#' + sectionId) {
                window.requestAnimationFrame(function() {
                    var el = document.getElementById(sectionId);
                    if (el) { el.scrollIntoView({block: 'start'}); }
                });
            }
            return window.dash_clientside.no_update;
        }""",
        dash.Output(ID.SCROLLED, "data"), dash.Input(ID.SELECTED, "data"), dash.State(ID.SECTION, "id"))

    @app.callback(dash.Output(ID.SELECTED, "data"), dash.Input(ID.LISTS, "selectedRows"), prevent_initial_call=True)
    def _select(rows):
        if not rows:
            raise dash.exceptions.PreventUpdate
        return rows[0].get("id")

    @app.callback(dash.Output(ID.LISTS, "rowData"), dash.Input(ID.REFRESH, "data"), LANG_STATE,
                  prevent_initial_call=True)
    def _overview(refresh, search):
        gl = service.store()
        if gl is None:
            raise dash.exceptions.PreventUpdate
        return overview_rows(gl, lang_from_search(search))

    @app.callback(dash.Output(ID.DETAIL, "style"), dash.Output(ID.HEADER, "children"),
                  dash.Output(ID.QUOTA, "children"), dash.Output(ID.GUESTS, "rowData"),
                  dash.Output(ID.REVIEW, "children"), dash.Output(ID.CONFIRM, "disabled"),
                  dash.Output(ID.DISCARD, "disabled"),
                  dash.Input(ID.SELECTED, "data"), dash.Input(ID.REFRESH, "data"), LANG_STATE)
    def _detail(selected, refresh, search):
        lang = lang_from_search(search)
        gl = service.store()
        if gl is None or not selected or not str(selected).isdigit():
            return {"display": "none"}, None, None, [], None, True, True
        gid = int(selected)
        try:
            record = gl.guestlist(gid)
        except PartnernetzError:
            return {"display": "none"}, None, None, [], None, True, True
        index = service.contact_index()
        graph = service.current_graph()
        guests = gl.guests(gid)
        counts = gl.counts(gid)
        summary = ", ".join(f"{n} {domain_label('invitation_status', k, lang)}" for k, n in counts.items())
        header = [html.H3([record.name, " — ", service.event_label(record.event, lang)]),
                  html.P([summary, " · ", dcc.Link(t("events.in_network", lang),
                                                    href=network_href(lang, focus=record.event, selected=record.event))
                          if record.event in graph.nx else t("events.not_served", lang)], className="muted")]
        if not may_see_people():  # readers: neither names nor counts per group of persons
            return {}, header, None, [], None, True, True
        quota = quota_table(index, service.quota_checks(index, record, guests), lang)
        rows = []
        for g in guests:
            view = service.guest_view(index, g, lang)
            view["note"] = t("events.came_unlisted", lang) if g.added == "import" else ""
            rows.append(view)
        imp = _open_import(gl, gid)
        review = review_view(index, graph, imp, lang)
        return {}, header, quota, rows, review, imp is None or bool(imp.open_rows), imp is None

    @app.callback(dash.Output({"type": ID.ROW_CONTACT, "index": MATCH}, "options"),
                  dash.Input({"type": ID.ROW_CONTACT, "index": MATCH}, "search_value"),
                  dash.State({"type": ID.ROW_CONTACT, "index": MATCH}, "value"), LANG_STATE,
                  prevent_initial_call=True)
    def _search_person(text, value, search):
        require_role("planner")
        if text is None:
            raise dash.exceptions.PreventUpdate
        return person_options(service.contact_index(), text, [value] if value else [], lang=lang_from_search(search))

    @app.callback(dash.Output({"type": ID.ROW_INSTITUTION, "index": MATCH}, "options"),
                  dash.Input({"type": ID.ROW_INSTITUTION, "index": MATCH}, "search_value"),
                  dash.State({"type": ID.ROW_INSTITUTION, "index": MATCH}, "value"), LANG_STATE,
                  prevent_initial_call=True)
    def _search_institution(text, value, search):
        if text is None:
            raise dash.exceptions.PreventUpdate
        return _institution_options(service.contact_index(), service.current_graph(), text, lang_from_search(search),
                                    value)

    @app.callback(dash.Output(ID.MESSAGE, "children"), dash.Output(ID.REFRESH, "data"),
                  inputs={"clicks": {"status": dash.Input(ID.SET_STATUS, "n_clicks"),
                                     "confirm": dash.Input(ID.CONFIRM, "n_clicks"),
                                     "discard": dash.Input(ID.DISCARD, "n_clicks"),
                                     "pick": dash.Input({"type": ID.ROW_PICK, "index": ALL}, "n_clicks"),
                                     "new": dash.Input({"type": ID.ROW_NEW, "index": ALL}, "n_clicks"),
                                     "ignore": dash.Input({"type": ID.ROW_IGNORE, "index": ALL}, "n_clicks")},
                          "upload": {"contents": dash.Input(ID.UPLOAD, "contents"),
                                     "filename": dash.State(ID.UPLOAD, "filename"), "kind": dash.State(ID.KIND, "value")},
                          "form": {"selected": dash.State(ID.SELECTED, "data"), "rows": dash.State(ID.GUESTS, "selectedRows"),
                                   "status": dash.State(ID.NEW_STATUS, "value"),
                                   "contacts": dash.State({"type": ID.ROW_CONTACT, "index": ALL}, "value"),
                                   "contact_ids": dash.State({"type": ID.ROW_CONTACT, "index": ALL}, "id"),
                                   "institutions": dash.State({"type": ID.ROW_INSTITUTION, "index": ALL}, "value"),
                                   "institution_ids": dash.State({"type": ID.ROW_INSTITUTION, "index": ALL}, "id")},
                          "refresh": dash.State(ID.REFRESH, "data"), "search": LANG_STATE},
                  prevent_initial_call=True)
    def _act(clicks, upload, form, refresh, search):
        lang = lang_from_search(search)
        trigger = dash.ctx.triggered_id
        gl = service.store()
        selected = form["selected"]
        if gl is None or trigger is None or not selected or not str(selected).isdigit():
            raise dash.exceptions.PreventUpdate
        gid = int(selected)
        identity = require_role("planner")
        bump = (refresh or 0) + 1
        try:
            if trigger == ID.SET_STATUS:
                chosen = [r.get("contact") for r in form["rows"] or [] if r.get("contact")]
                if not chosen:
                    return html.Span(t("events.pick_guests", lang), className="status error"), refresh
                for contact in chosen:
                    gl.set_status(gid, contact, form["status"], user=identity.name)
                return html.Span(t("events.status_set", lang, n=len(chosen),
                                   status=domain_label("invitation_status", form["status"], lang)),
                                 className="status ok"), bump
            if trigger == ID.UPLOAD:
                if not upload["contents"]:
                    raise dash.exceptions.PreventUpdate
                try:
                    data = base64.b64decode(upload["contents"].partition(",")[2], validate=True)
                except (binascii.Error, ValueError):
                    return html.Span(t("events.unreadable", lang, file=upload["filename"] or ""), className="status error"), refresh
                imp = gl.start_import(gid, data, upload["filename"] or "list.csv", kind=upload["kind"] or "attendance",
                                      user=identity.name)
                return html.Span(t("events.imported", lang, file=imp.file, read=imp.read,
                                   matched=sum(1 for r in imp.rows if r.match), open=len(imp.open_rows)),
                                 className="status ok"), bump
            imp = _open_import(gl, gid)
            if imp is None:
                raise dash.exceptions.PreventUpdate
            if trigger == ID.DISCARD:
                gl.discard(imp.id)
                return html.Span(t("events.discarded", lang, file=imp.file), className="status ok"), bump
            if trigger == ID.CONFIRM:
                result, _live = service.confirm(gl, imp.id)
                event = gl.guestlist(gid).event
                text = (t("events.confirmed_version", lang, n=len(result.attendance), version=result.version)
                        if result.version else t("events.confirmed", lang, n=len(result.moved) + len(result.added)))
                return html.Span([text, " ", dcc.Link(t("events.in_network", lang),
                                                      href=network_href(lang, focus=event, selected=event))],
                                 className="status ok"), bump
            if isinstance(trigger, dict):
                number = trigger["index"]
                if not any(v for v in (clicks["pick"] + clicks["new"] + clicks["ignore"]) if v):
                    raise dash.exceptions.PreventUpdate
                if trigger["type"] == ID.ROW_PICK:
                    contact = next((v for v, i in zip(form["contacts"], form["contact_ids"]) if i["index"] == number), None)
                    if not contact:
                        return html.Span(t("events.pick_contact_first", lang, n=number), className="status error"), refresh
                    gl.resolve(imp.id, number, "contact", contact=contact)
                elif trigger["type"] == ID.ROW_NEW:
                    inst = next((v for v, i in zip(form["institutions"], form["institution_ids"])
                                 if i["index"] == number), None)
                    if not inst:
                        return html.Span(t("events.pick_institution_first", lang, n=number), className="status error"), refresh
                    gl.resolve(imp.id, number, "new", institution=inst)
                else:
                    gl.resolve(imp.id, number, "ignore")
                return html.Span(t("events.decided", lang, n=number), className="status ok"), bump
        except LoadError as exc:
            return html.Span(t("events.unreadable", lang, file=str(exc)), className="status error"), refresh
        except PartnernetzError as exc:
            return html.Span(t("events.error", lang, error=str(exc)), className="status error"), refresh
        raise dash.exceptions.PreventUpdate
