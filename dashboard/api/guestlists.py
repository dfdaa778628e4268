"""Routes of ``/api/v1/guestlists``: guest lists for events, invitation
statuses, and registration or attendance lists imported, reviewed and
confirmed (registered on the API's blueprint).

Role rules as on the pages (:mod:`dashboard.guestlist_service`): every role
lists guest lists with their counts per status; the quota check, guests, imported
rows and the invitation journal name persons (planner and up, through the
egress gate: audited); saving with a new event and confirming an attendance
list change the network (editor).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
from typing import Any, Iterator

import flask

from dashboard import guestlist_service as service
from dashboard.access import require_role
from dashboard.api.routes import ApiError, _out, blueprint, json_fields
from dashboard.edit_service import require_workspace
from graph.core.errors import LoadError
from graph.followup.invitations import InvitationError, LIST_KINDS
from loaders.workspace.editing import FieldProblem
from loaders.workspace.guestlists import GuestListError, GuestLists, RESOLUTIONS

__all__ = ["MAX_UPLOAD_BYTES"]

#: Largest list accepted through the API (base64 text is a third larger).
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    """Domain errors as the API's JSON errors: unknown things 404, refused moves 409, bad input 422."""
    try:
        yield
    except InvitationError as exc:
        raise ApiError(409, "conflict", str(exc)) from None
    except OverflowError:  # an id beyond SQLite's integers names nothing
        raise ApiError(404, "not_found", "no such guest list, import or row") from None
    except LoadError as exc:
        raise ApiError(422, "invalid", str(exc), [FieldProblem("content_base64", None, str(exc), "invalid")]) from None
    except GuestListError as exc:
        text = str(exc)
        if text.startswith(("no guest list", "no list import", "guest list ")) and "has no guest" not in text:
            raise ApiError(404, "not_found", text) from None
        if "has no guest" in text or text.startswith("no contact") or "has no row" in text:
            raise ApiError(404, "not_found", text) from None
        if "already" in text or "still need a decision" in text or "not in the current data any more" in text:
            raise ApiError(409, "conflict", text) from None
        raise ApiError(422, "invalid", text, [FieldProblem(None, None, text, "invalid")]) from None


def _text(data: dict[str, Any], name: str, *, required: bool = False, limit: int = 400) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        raise ApiError(422, "invalid", f"{name}: text of 1–{limit} characters",
                       [FieldProblem(name, None if not isinstance(value, str) else value[:80],
                                     f"text of 1–{limit} characters", "invalid")])
    return value


def _store() -> GuestLists:
    return GuestLists(require_workspace())


def _summary(gl: GuestLists, record, lang: str) -> dict[str, Any]:
    return {**record.to_dict(), "event_label": service.event_label(record.event, lang), "counts": gl.counts(record.id)}


def _lang() -> str:
    lang = flask.request.args.get("lang", "de")
    if lang not in ("de", "en"):
        raise ApiError(422, "invalid", "lang: de or en", [FieldProblem("lang", lang, "de or en", "invalid")])
    return lang


def _ident(value: str) -> int:
    """A path's numeric id (guest list, import, row); anything else names nothing (404)."""
    if not value.isascii() or not value.isdigit() or len(value) > 12:
        raise ApiError(404, "not_found", f"no such guest list, import or row: '{value[:40]}'")
    return int(value)


def _gid(gl: GuestLists, gid: int):
    with _errors():
        return gl.guestlist(gid)


# ------------------------------------------------------------------ guest lists
@blueprint.get("/guestlists")
def guestlists():
    require_role("reader")
    lang = _lang()
    gl = _store()
    return flask.jsonify([_summary(gl, r, lang) for r in gl.guestlists()])


@blueprint.post("/guestlists")
def guestlist_save():
    require_role("planner")
    data = json_fields(dict.fromkeys(("name", "guests", "event", "new_event", "settings")), ("name", "guests"))
    name = _text(data, "name", required=True, limit=200)
    guests = data.get("guests")
    if not isinstance(guests, list) or not guests or not all(isinstance(g, str) and g and len(g) <= 200 for g in guests):
        raise ApiError(422, "invalid", "guests: a non-empty list of contact ids",
                       [FieldProblem("guests", None, "a non-empty list of contact ids", "invalid")])
    event, new_event = data.get("event"), data.get("new_event")
    if (event is None) == (new_event is None):
        raise ApiError(422, "invalid", "give either event (an existing event id) or new_event",
                       [FieldProblem("event", None, "either event or new_event", "invalid")])
    if event is not None:
        _text(data, "event", required=True)
    if new_event is not None and (not isinstance(new_event, dict)
                                  or not all(isinstance(v, (str, type(None))) for v in new_event.values())):
        raise ApiError(422, "invalid", "new_event: an object of events columns → text",
                       [FieldProblem("new_event", None, "an object of events columns → text", "invalid")])
    settings = data.get("settings") or {}
    if not isinstance(settings, dict):
        raise ApiError(422, "invalid", "settings: an object", [FieldProblem("settings", None, "an object", "invalid")])
    with _errors():
        gid, version, live = service.save(name, guests, event=event, new_event=new_event, settings=settings)
    gl = _store()
    body = {**_summary(gl, gl.guestlist(gid), "de"), "new_event_version": version, "live": live}
    response = flask.jsonify(body)
    response.status_code = 201
    return response


@blueprint.get("/guestlists/<gid>")
def guestlist_get(gid: str):
    gid = _ident(gid)
    require_role("planner")
    lang = _lang()
    gl = _store()
    record = _gid(gl, gid)
    index = service.contact_index()
    guests = gl.guests(gid)
    views = [service.guest_view(index, g, lang) for g in guests]
    body = {**_summary(gl, record, lang), "guests": views,
            "quota": service.quota_dicts(index, service.quota_checks(index, record, guests), lang),
            "imports": [{"id": i.id, "file": i.file, "kind": i.kind, "state": i.state, "time": i.time,
                         "open": len(i.open_rows), "version": i.version} for i in gl.imports(gid)]}
    return _out(body, "api: guest list", [g.contact.partition(":")[2] for g in guests])


@blueprint.get("/guestlists/<gid>/quota")
def guestlist_quota(gid: str):
    gid = _ident(gid)
    require_role("planner")  # counts persons per group: not for readers
    lang = _lang()
    gl = _store()
    record = _gid(gl, gid)
    index = service.contact_index()
    return flask.jsonify(service.quota_dicts(index, service.quota_checks(index, record, gl.guests(gid)), lang))


@blueprint.post("/guestlists/<gid>/guests/<path:contact>/status")
def guest_status(gid: str, contact: str):
    gid = _ident(gid)
    identity = require_role("planner")
    data = json_fields(dict.fromkeys(("status",)), ("status",))
    status = _text(data, "status", required=True, limit=40)
    gl = _store()
    _gid(gl, gid)
    with _errors():
        new = gl.set_status(gid, contact, status, user=identity.name)
    key = contact.removeprefix("contact:")
    return _out({"guestlist": gid, "contact": f"contact:{key}", "status": new.value}, "api: invitation status", [key])


# ------------------------------------------------------------------ imports
def _import_body(imp, status: int = 200) -> flask.Response:
    keys = [c.partition(":")[2] for r in imp.rows for c in (r.match, r.suggestion, r.contact) if c]
    return _out(imp.to_dict(), "api: imported list", keys, status=status)


@blueprint.post("/guestlists/<gid>/imports")
def import_start(gid: str):
    gid = _ident(gid)
    identity = require_role("planner")
    if flask.request.mimetype == "multipart/form-data":  # a plain file upload: fields kind and file
        upload = flask.request.files.get("file")
        kind = flask.request.form.get("kind", "")
        if upload is None or not upload.filename:
            raise ApiError(422, "invalid", "file: required (the list as .xlsx or .csv)",
                           [FieldProblem("file", None, "required", "required")])
        filename = upload.filename[:200]
        raw = upload.stream.read(MAX_UPLOAD_BYTES + 1)
    else:
        data = json_fields(dict.fromkeys(("kind", "filename", "content_base64")), ("kind", "filename", "content_base64"))
        kind = _text(data, "kind", required=True, limit=20)
        filename = _text(data, "filename", required=True, limit=200)
        content = _text(data, "content_base64", required=True, limit=MAX_UPLOAD_BYTES * 4 // 3 + 8)
        try:
            raw = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(422, "invalid", "content_base64: not base64",
                           [FieldProblem("content_base64", None, "not base64", "invalid")]) from None
    if kind not in LIST_KINDS:
        raise ApiError(422, "invalid", f"kind: one of {', '.join(LIST_KINDS)}",
                       [FieldProblem("kind", kind[:40], f"one of {', '.join(LIST_KINDS)}", "invalid")])
    gl = _store()
    _gid(gl, gid)
    with _errors():
        imp = gl.start_import(gid, raw, filename, kind=kind, user=identity.name)
    return _import_body(imp, status=201)


@blueprint.get("/guestlists/<gid>/imports/<iid>")
def import_get(gid: str, iid: str):
    gid, iid = _ident(gid), _ident(iid)
    require_role("planner")
    gl = _store()
    with _errors():
        imp = gl.list_import(iid)
    if imp.guestlist != gid:
        raise ApiError(404, "not_found", f"guest list {gid} has no list import {iid}")
    return _import_body(imp)


@blueprint.post("/guestlists/<gid>/imports/<iid>/rows/<number>")
def import_resolve(gid: str, iid: str, number: str):
    gid, iid, number = _ident(gid), _ident(iid), _ident(number)
    require_role("planner")
    data = json_fields(dict.fromkeys(("resolution", "contact", "institution")), ("resolution",))
    resolution = _text(data, "resolution", required=True, limit=20)
    if resolution not in RESOLUTIONS:
        raise ApiError(422, "invalid", f"resolution: one of {', '.join(RESOLUTIONS)}",
                       [FieldProblem("resolution", resolution, f"one of {', '.join(RESOLUTIONS)}", "invalid")])
    contact, institution = _text(data, "contact"), _text(data, "institution")
    gl = _store()
    with _errors():
        if gl.list_import(iid).guestlist != gid:
            raise GuestListError(f"no list import {iid} for guest list {gid}")
        gl.resolve(iid, number, resolution, contact=contact, institution=institution)
        return _import_body(gl.list_import(iid))


@blueprint.post("/guestlists/<gid>/imports/<iid>/confirm")
def import_confirm(gid: str, iid: str):
    gid, iid = _ident(gid), _ident(iid)
    require_role("planner")
    gl = _store()
    with _errors():
        if gl.list_import(iid).guestlist != gid:
            raise GuestListError(f"no list import {iid} for guest list {gid}")
        result, live = service.confirm(gl, iid)
    keys = [c.partition(":")[2] for c, *_ in result.moved] + [c.partition(":")[2] for c in result.added]
    return _out({**result.to_dict(), "live": live, "counts": gl.counts(gid)}, "api: attendance confirmed", keys)


@blueprint.get("/invitation-events")
def invitation_events():
    require_role("planner")
    since = flask.request.args.get("since") or None
    if since is not None and len(since) > 40:
        raise ApiError(422, "invalid", "since: an ISO time", [FieldProblem("since", since[:40], "an ISO time", "invalid")])
    gl = _store()
    events = gl.events_since(since)
    return _out([e.to_dict() for e in events], "api: invitation events",
                [e.contact.partition(":")[2] for e in events])
