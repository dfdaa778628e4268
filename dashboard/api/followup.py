"""Follow-up routes of ``/api/v1/`` (on the same blueprint as :mod:`dashboard.api.routes`):

* shortlists — create one from a Matchmaking target (role editor), list, get;
* pipeline moves of a shortlist's candidate, with the pipeline's allowed
  moves (role editor); an accepted candidate becomes a participation
  (role editor, one journaled workspace version);
* saved views — every signed-in user keeps their own; private ones are
  invisible to others (404), shared ones visible to all and changed only
  by their owner (403);
* changes since a version or a date — persons as counts only for users
  who may not see them; a report naming contacts leaves through the gate.

Pipeline notes may name persons: they are shown from role planner on.
"""

from __future__ import annotations

from typing import Any

import flask

from dashboard.access import current_identity, has_role, require_role
from dashboard.api.routes import ApiError, _int, _out, blueprint, json_fields
from dashboard.changes_view import FORMATS, export_payload, named_contacts, visible_since
from dashboard.context import current
from dashboard.edit_service import require_workspace
from dashboard.pages.followup_view import save_ranking
from graph.core.errors import PartnernetzError
from graph.followup.pipeline import PipelineError, PipelineItem
from loaders.workspace.changes import ChangesError
from loaders.workspace.editing import FieldProblem
from loaders.workspace.followup import FollowUp, FollowUpError, NotFound, NotYours

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

__all__ = ["VIEW_FIELDS", "SHORTLIST_FIELDS", "MOVE_FIELDS", "PARTICIPATION_FIELDS"]

SHORTLIST_FIELDS = {"name": str, "target": str, "limit": int}
MOVE_FIELDS = {"node": str, "to": str, "reason": str, "reason_text": str, "owner": str, "next_step": str,
               "due": str, "notes": str}
PARTICIPATION_FIELDS = {"node": str, "project": str, "role": str, "message": str}
VIEW_FIELDS = {"name": str, "page": str, "state": str, "description": str, "shared": bool}


# ------------------------------------------------------------------ errors
def _problem(status: int, code: str, exc: Exception):
    from dashboard.api.routes import _error_response

    return _error_response(status, code, str(exc), [FieldProblem(None, None, str(exc), code)])


@blueprint.errorhandler(NotFound)
def _not_found(exc: NotFound):
    return _problem(404, "not_found", exc)


@blueprint.errorhandler(NotYours)
def _not_yours(exc: NotYours):
    return _problem(403, "forbidden", exc)


@blueprint.errorhandler(FollowUpError)
def _followup_error(exc: FollowUpError):
    return _problem(422, "invalid", exc)


@blueprint.errorhandler(PipelineError)
def _pipeline_error(exc: PipelineError):
    return _problem(422, "invalid", exc)


@blueprint.errorhandler(ChangesError)
def _changes_error(exc: ChangesError):
    return _problem(422, "invalid", exc)


# ------------------------------------------------------------------ helpers
def _number(raw: str, what: str) -> int:
    """A path's id (routes take any text, so that a malformed id gets the API's JSON 404, not the app's page)."""
    if not raw.isdigit() or len(raw) > 12:
        raise ApiError(404, "not_found", f"no {what} '{raw}'")
    return int(raw)


def _followup() -> FollowUp:
    return FollowUp(require_workspace())


def _item(item: PipelineItem) -> dict[str, Any]:
    data = item.to_dict()
    if not has_role("planner"):
        data["notes"] = ""  # notes on a candidate may name persons
    return data


def _shortlist(fu: FollowUp, sid: int) -> dict[str, Any]:
    return {**fu.shortlist(sid).to_dict(), "items": [_item(i) for i in fu.items(sid)]}


def _user() -> str:
    return current_identity().name


# ------------------------------------------------------------------ shortlists and pipeline
@blueprint.get("/shortlists")
def list_shortlists():
    require_role("reader")
    fu = _followup()
    items = fu.items()
    out = []
    for s in fu.shortlists():
        mine = [i for i in items if i.shortlist == s.id]
        counts: dict[str, int] = {}
        for i in mine:
            counts[i.status.value] = counts.get(i.status.value, 0) + 1
        out.append({**s.to_dict(), "counts": counts})
    return flask.jsonify({"items": out, "total": len(out)})


@blueprint.post("/shortlists")
def create_shortlist():
    require_role("editor")
    body = json_fields(SHORTLIST_FIELDS, ("name", "target"))
    limit = body.get("limit", 10)
    if not 1 <= limit <= 100:
        raise ApiError(422, "invalid", "limit: outside 1–100", [FieldProblem("limit", str(limit), "outside 1–100", "invalid")])
    from graph.analysis.matchmaking import match_index, rank, resolve_target

    ctx = current()
    graph, target = ctx.graph, body["target"]
    if target not in graph.nx:
        raise ApiError(404, "not_found", f"no node '{target}'", [FieldProblem("target", target, "unknown node", "not_found")])
    try:
        resolved = resolve_target(graph, target)
    except (PartnernetzError, ValueError) as exc:
        raise ApiError(422, "invalid", str(exc), [FieldProblem("target", target, str(exc), "invalid")]) from None
    ranking = rank(graph, resolved, top=limit, index=ctx.cached("matchmaking.index", lambda: match_index(graph)))
    if not ranking.candidates:
        raise ApiError(422, "invalid", "the ranking has no candidates to keep",
                       [FieldProblem("target", target, "no candidates", "invalid")])
    ws = require_workspace()
    sid = save_ranking(ws.path, graph, ranking, name=body["name"], owner=_user(),
                       settings={"api": {"target": target, "limit": limit}}, lang="de")
    response = flask.jsonify(_shortlist(FollowUp(ws), sid))
    response.status_code = 201
    return response


@blueprint.get("/shortlists/<sid>")
def get_shortlist(sid: str):
    sid = _number(sid, "shortlist")
    require_role("reader")
    return flask.jsonify(_shortlist(_followup(), sid))


@blueprint.post("/shortlists/<sid>/moves")
def move_candidate(sid: str):
    sid = _number(sid, "shortlist")
    require_role("editor")
    body = json_fields(MOVE_FIELDS, ("node", "to"))
    fu = _followup()
    item = fu.move(sid, body["node"], body["to"], user=_user(), reason=body.get("reason"),
                   reason_text=body.get("reason_text", ""), owner=body.get("owner"), next_step=body.get("next_step"),
                   due=body.get("due"), notes=body.get("notes"))
    return flask.jsonify(_item(item))


@blueprint.post("/shortlists/<sid>/participation")
def to_participation(sid: str):
    sid = _number(sid, "shortlist")
    require_role("editor")
    body = json_fields(PARTICIPATION_FIELDS, ("node", "project"))
    fu = _followup()
    project = body["project"].removeprefix("project:")
    version, key = fu.to_participation(sid, body["node"], project=project, role=body.get("role") or "partner",
                                       user=_user(), message=body.get("message", ""))
    from dashboard.edit_service import go_live

    live = go_live(version)
    response = flask.jsonify({"version": fu.ws.version(version).to_dict(), "key": key, "live": live,
                              "item": _item(fu.item(sid, body["node"]))})
    response.status_code = 201
    return response


@blueprint.get("/pipeline/events")
def pipeline_events():
    require_role("reader")
    since = flask.request.args.get("since", "").strip() or None
    limit, offset = _int("limit", 50, 1, 500), _int("offset", 0, 0, 10**9)
    events = _followup().events(since=since)
    page = events[offset:offset + limit]
    out = []
    for e in page:
        d = e.to_dict()
        d["item"] = _item(PipelineItem.from_dict(e.item))
        out.append(d)
    return flask.jsonify({"items": out, "total": len(events), "limit": limit, "offset": offset})


# ------------------------------------------------------------------ saved views
@blueprint.get("/views")
def list_views():
    require_role("reader")
    mine, shared = _followup().views(_user())
    return flask.jsonify({"mine": [v.to_dict() for v in mine], "shared": [v.to_dict() for v in shared]})


@blueprint.post("/views")
def create_view():
    require_role("reader")
    body = json_fields(VIEW_FIELDS, ("name", "page"))
    fu = _followup()
    vid = fu.save_view(body["name"], owner=_user(), page=body["page"], state=body.get("state", ""),
                       description=body.get("description", ""), shared=body.get("shared", False))
    response = flask.jsonify(fu.view(vid, user=_user()).to_dict())
    response.status_code = 201
    return response


@blueprint.get("/views/<vid>")
def get_view(vid: str):
    vid = _number(vid, "view")
    require_role("reader")
    return flask.jsonify(_followup().view(vid, user=_user()).to_dict())


@blueprint.patch("/views/<vid>")
def update_view(vid: str):
    vid = _number(vid, "view")
    require_role("reader")
    body = json_fields({k: v for k, v in VIEW_FIELDS.items() if k != "page"})
    view = _followup().update_view(vid, user=_user(), name=body.get("name"), description=body.get("description"),
                                   shared=body.get("shared"), state=body.get("state"))
    return flask.jsonify(view.to_dict())


@blueprint.delete("/views/<vid>")
def delete_view(vid: str):
    vid = _number(vid, "view")
    require_role("reader")
    _followup().delete_view(vid, user=_user())
    return flask.jsonify({"deleted": vid})


# ------------------------------------------------------------------ changes since
@blueprint.get("/changes")
def changes():
    require_role("reader")
    args = flask.request.args
    version, date = args.get("version", "").strip(), args.get("date", "").strip()
    if bool(version) == bool(date):
        raise ApiError(422, "invalid", "give either version or date",
                       [FieldProblem("version", version or None, "either version or date", "required")])
    ws = require_workspace()
    number = _int("version", 0, 0, 10**9) if version else None
    if number is not None and number > ws.head():
        raise ApiError(404, "not_found", f"no version {number} (the newest is {ws.head()})",
                       [FieldProblem("version", version, "no such version", "not_found")])
    fmt, lang = args.get("format", "json"), args.get("lang", "de")
    if fmt not in ("json", *FORMATS) or lang not in ("de", "en"):
        raise ApiError(422, "invalid", "format: json, csv or xlsx; lang: de or en",
                       [FieldProblem("format", fmt, "json, csv or xlsx", "invalid")])
    since = visible_since(ws, version=number, date=date or None)
    if fmt == "json":
        return _out(since.to_dict(), "api: changes since", named_contacts(since.report))
    from dashboard import downloads

    released = downloads.release(export_payload(since, fmt, lang), route=flask.request.path)
    mime = "text/csv" if fmt == "csv" else XLSX_MIME
    return flask.Response(released.content, mimetype=mime,
                          headers={"Content-Disposition": f'attachment; filename="{released.filename}"'})
