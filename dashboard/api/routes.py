"""Routes of ``/api/v1/`` (a Flask blueprint on the Dash server)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import flask

from dashboard.access import (
    AccessDenied, contact_rule_for, current_identity, has_role, require_role,
)
from dashboard.api.openapi import MAX_LIMIT, PREFIX, openapi_document
from dashboard.auth import current_user
from dashboard.context import current
from dashboard.edit_service import require_workspace, save, visible_row, workspace
from graph.core.errors import PartnernetzError
from loaders import egress
from loaders.schema import TABLE_ORDER, TABLES
from loaders.workspace.editing import (
    EditError, EditResult, FieldProblem, create_record, delete_record, record_history, undo_last, update_record,
)
from loaders.workspace.consent import consent_due, erase_person, withdraw_consent
from loaders.workspace.keys import KEY_COLUMNS, columns
from loaders.workspace.notes import add_note, notes_for, search_notes
from loaders.workspace.store import WorkspaceError, _q

__all__ = ["install_api", "blueprint"]

blueprint = flask.Blueprint("partnernetz_api", __name__, url_prefix=PREFIX)


# ------------------------------------------------------------------ errors
class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, problems: list[FieldProblem] = ()):
        super().__init__(message)
        self.status, self.code, self.message, self.problems = status, code, message, list(problems)


def _error_response(status: int, code: str, message: str, problems=()) -> flask.Response:
    body = {"error": {"status": status, "code": code, "message": message,
                      "problems": [p.to_dict() for p in problems]}}
    response = flask.jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="Partnernetz"'
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return _error_response(exc.status, exc.code, exc.message, exc.problems)


@blueprint.errorhandler(EditError)
def _edit_error(exc: EditError):
    code = exc.problems[0].code if exc.problems else "invalid"
    return _error_response(exc.status, code if exc.status != 422 else "invalid", str(exc), exc.problems)


@blueprint.errorhandler(AccessDenied)
def _denied(exc: AccessDenied):
    return _error_response(403, "forbidden", str(exc))


@blueprint.errorhandler(WorkspaceError)
def _workspace_error(exc: WorkspaceError):
    return _error_response(409, "conflict", str(exc))


@blueprint.after_request
def _json_refusals(response: flask.Response) -> flask.Response:
    """The access hook answers a missing or unknown token (401) or a cross-site write (403) in plain
    text before any route runs; API clients get the same JSON error shape as everywhere else."""
    if response.status_code in (401, 403) and response.mimetype == "text/plain":
        code = "unauthorised" if response.status_code == 401 else "forbidden"
        refusal = _error_response(response.status_code, code, response.get_data(as_text=True).strip())
        if "WWW-Authenticate" in response.headers:
            refusal.headers["WWW-Authenticate"] = response.headers["WWW-Authenticate"]
        return refusal
    return response


@blueprint.errorhandler(404)
def _not_found(exc):
    return _error_response(404, "not_found", "no such API route")


@blueprint.errorhandler(405)
def _not_allowed(exc):
    return _error_response(405, "method_not_allowed", "method not allowed on this route")


# ------------------------------------------------------------------ helpers
def _table(table: str) -> str:
    if table not in TABLES:
        raise ApiError(404, "not_found", f"no table '{table}' (tables: {', '.join(TABLE_ORDER)})")
    return table


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = flask.request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(422, "invalid", f"{name}: '{raw}' is not a whole number",
                       [FieldProblem(name, raw, "not a whole number", "invalid")]) from None
    if not low <= value <= high:
        raise ApiError(422, "invalid", f"{name}: {value} is outside {low}–{high}",
                       [FieldProblem(name, raw, f"outside {low}–{high}", "invalid")])
    return value


def _body() -> tuple[dict[str, Any], str]:
    if not flask.request.is_json:
        raise ApiError(415, "unsupported_media_type", "send the body as application/json")
    data = flask.request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(422, "invalid", "the body must be a JSON object {\"values\": {...}, \"message\": \"...\"}",
                       [FieldProblem(None, None, "not a JSON object", "invalid")])
    unknown = [k for k in data if k not in ("values", "message")]
    values, message = data.get("values"), data.get("message", "")
    problems = [FieldProblem(k, None, "unknown field (expected values, message)", "unknown_column") for k in unknown]
    if not isinstance(values, dict):
        problems.append(FieldProblem("values", None, "required: an object of column → value", "required"))
    elif any(not isinstance(v, (str, int, float, bool)) and v is not None for v in values.values()):
        bad = [k for k, v in values.items() if not isinstance(v, (str, int, float, bool)) and v is not None]
        problems += [FieldProblem(k, None, "a value must be text, a number or true/false", "invalid") for k in bad]
    if not isinstance(message, str):
        problems.append(FieldProblem("message", None, "must be text", "invalid"))
    if problems:
        raise ApiError(422, "invalid", "; ".join(f"{p.column}: {p.message}" for p in problems), problems)
    return values, message


_TYPE_PROBLEMS = {int: "must be a whole number", bool: "must be true or false", str: "must be text",
                  list: "must be a list", dict: "must be an object"}


def json_fields(spec: dict[str, type | None], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """The request's JSON object with only the fields of ``spec``, each of its
    type (``None``: the route checks it itself); a field left out or null is
    dropped. Not JSON: 415. Unknown fields, missing or blank required ones and
    wrong types are named together in one 422."""
    if not flask.request.is_json:
        raise ApiError(415, "unsupported_media_type", "send the body as application/json")
    data = flask.request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(422, "invalid", "the body must be a JSON object",
                       [FieldProblem(None, None, "not a JSON object", "invalid")])
    problems = [FieldProblem(k, None, f"unknown field (expected: {', '.join(spec)})", "unknown_column")
                for k in data if k not in spec]
    for name, kind in spec.items():
        value = data.get(name)
        if value is None or value == "":
            if name in required:
                problems.append(FieldProblem(name, None, "required", "required"))
            if value is None:
                continue
        wrong = isinstance(value, bool) if kind is int else False
        if kind is not None and (wrong or not isinstance(value, kind)):
            problems.append(FieldProblem(name, None, _TYPE_PROBLEMS[kind], "invalid"))
    if problems:
        raise ApiError(422, "invalid", "; ".join(f"{p.column}: {p.message}" for p in problems), problems)
    return {k: v for k, v in data.items() if v is not None}


@dataclass
class _JsonPayload:
    """An API answer carrying contact data, for the egress gate (:mod:`loaders.egress`): the body is built
    already masked for the caller (:func:`visible_row`); the gate records which contacts it names."""

    body: Any
    named: dict[str, bool]
    what: str
    fmt: str = "json"
    strict: bool = False

    def contacts(self) -> dict[str, bool]:
        return self.named

    def render(self, decision) -> tuple[bytes, str]:
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8"), "api.json"


def _out(body: Any, what: str = "", contact_keys: list[str] = (), status: int = 200) -> flask.Response:
    """``body`` as JSON; when it names contacts, it leaves through the gate (one audit record, ids only)."""
    if not contact_keys:
        response = flask.jsonify(body)
        response.status_code = status
        return response
    named = {f"contact:{k}": not _contact_masked(k) for k in dict.fromkeys(contact_keys)}
    released = egress.release(_JsonPayload(body, named, what), user=current_identity().name or current_user(),
                              audit=current().settings.audit_log, rule=contact_rule_for(), route=flask.request.path)
    return flask.Response(released.content, status=status, mimetype="application/json")


def _write_result(result: EditResult, live: bool, status: int = 200) -> flask.Response:
    row = visible_row(result.table, result.row, current_identity()) if result.row else None
    body = {"version": result.version.to_dict(), "table": result.table, "key": result.key, "row": row, "live": live,
            "changes": [{"table": c.table, "key": c.key, "op": c.op} for c in result.changes],
            "warnings": [w.to_dict() for w in result.warnings]}
    return _out(body, f"api: {result.table} write", [result.key] if result.table == "contacts" else [], status)


def _with_key(table: str, key: str, row: dict[str, str]) -> dict[str, str]:
    return {"_key": key, **visible_row(table, row, current_identity())}


# ------------------------------------------------------------------ routes
@blueprint.get("/openapi.json")
def openapi():
    return flask.jsonify(openapi_document())


@blueprint.get("/tables")
def tables():
    require_role("reader")
    return flask.jsonify([{"name": t, "key": list(KEY_COLUMNS[t]),
                           "columns": [{"name": c.name, "type": c.type.value, "required": c.required,
                                        "allowed": list(c.allowed), "ref": c.ref, "description": c.description}
                                       for c in TABLES[t].columns]} for t in TABLE_ORDER])


@blueprint.get("/tables/<table>")
def list_rows(table: str):
    require_role("reader")
    _table(table)
    limit, offset = _int("limit", 50, 1, MAX_LIMIT), _int("offset", 0, 0, 10**9)
    cols = columns(table)
    where, args = [], []
    for name, value in flask.request.args.items():
        if name in ("limit", "offset", "q"):
            continue
        if name not in cols:
            raise ApiError(422, "invalid", f"unknown filter '{name}' (columns of {table}: {', '.join(cols)})",
                           [FieldProblem(name, value, "unknown column", "unknown_column")])
        where.append(f"{_q(name)} = ?")
        args.append(value)
    q = flask.request.args.get("q", "")
    if q:
        where.append("(" + " OR ".join(f"instr(lower({_q(c)}), lower(?)) > 0" for c in cols) + ")")
        args += [q] * len(cols)
    ws = require_workspace()
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    with ws.connect() as con:
        total = con.execute(f"SELECT count(*) FROM {_q(table)}{clause}", args).fetchone()[0]
        rows = con.execute(f"SELECT _key, {', '.join(map(_q, cols))} FROM {_q(table)}{clause} ORDER BY rowid "
                           f"LIMIT ? OFFSET ?", [*args, limit, offset]).fetchall()
    items = [_with_key(table, r[0], dict(zip(cols, r[1:]))) for r in rows]
    return _out({"items": items, "total": total, "limit": limit, "offset": offset}, "api: contacts list",
                [r[0] for r in rows] if table == "contacts" else [])


@blueprint.get("/tables/<table>/<path:key>/history")
def history(table: str, key: str):
    require_role("reader")
    _table(table)
    ws = require_workspace()
    if not ws.rows(table, [key]) and not record_history(ws, table, key, relations=False, limit=1):
        raise ApiError(404, "not_found", f"no {table} record '{key}'")
    identity = current_identity()
    entries = record_history(ws, table, key)
    out = []
    for h in entries:
        d = h.to_dict()
        if h.table == "contacts" and not has_role("planner"):
            from dashboard.edit_service import CONTACT_PERSONAL
            d["fields"] = [f if f["column"] not in CONTACT_PERSONAL else {**f, "before": "…", "after": "…"}
                           for f in d["fields"]]
        out.append(d)
    return _out(out, "api: contact history", [key] if table == "contacts" else [])


@blueprint.get("/tables/<table>/<path:key>")
def get_row(table: str, key: str):
    require_role("reader")
    _table(table)
    ws = require_workspace()
    row = ws.rows(table, [key]).get(key)
    if row is None:
        raise ApiError(404, "not_found", f"no {table} record '{key}'")
    return _out(_with_key(table, key, row), "api: contact read", [key] if table == "contacts" else [])


@blueprint.post("/tables/<table>")
def create(table: str):
    _table(table)
    require_role("editor")
    values, message = _body()
    result, _identity, live = save(create_record, table, values, message=message)
    return _write_result(result, live, 201)


@blueprint.patch("/tables/<table>/<path:key>")
def update(table: str, key: str):
    _table(table)
    require_role("editor")
    values, message = _body()
    result, _identity, live = save(update_record, table, key, values, message=message)
    return _write_result(result, live)


@blueprint.delete("/tables/<table>/<path:key>")
def delete(table: str, key: str):
    _table(table)
    require_role("editor")
    cascade = flask.request.args.get("cascade", "false").lower() in ("1", "true", "yes")
    result, _identity, live = save(delete_record, table, key, cascade=cascade)
    return _write_result(result, live)


@blueprint.post("/undo")
def undo():
    require_role("editor")
    result, _identity, live = save(undo_last)
    return _write_result(result, live)


@blueprint.get("/versions")
def versions():
    require_role("reader")
    limit, offset = _int("limit", 50, 1, MAX_LIMIT), _int("offset", 0, 0, 10**9)
    ws = require_workspace()
    every = ws.versions()
    return flask.jsonify({"items": [v.to_dict() for v in every[offset:offset + limit]], "total": len(every),
                          "limit": limit, "offset": offset})


@blueprint.get("/search")
def search():
    require_role("reader")
    q = flask.request.args.get("q", "").strip()
    if not q:
        raise ApiError(422, "invalid", "q: required", [FieldProblem("q", None, "required", "required")])
    limit = _int("limit", 10, 1, 100)
    lang = flask.request.args.get("lang", "de")
    if lang not in ("de", "en"):
        raise ApiError(422, "invalid", "lang: de or en", [FieldProblem("lang", lang, "de or en", "invalid")])
    identity = current_identity()
    hits = current().store.search(q, limit=limit, lang=lang)
    from graph.people.privacy import MASKED_LABEL
    out = []
    for h in hits:
        label = h.label
        if h.kind == "contact" and not has_role("planner"):
            label = MASKED_LABEL
        out.append({"id": h.node_id, "label": label, "kind": h.kind, "score": float(h.score)})
    contacts = [h.node_id.partition(":")[2] for h in hits if h.kind == "contact"]
    return _out(out, "api: search", contacts)


@blueprint.get("/matchmaking")
def matchmaking():
    require_role("reader")
    from graph.analysis.matchmaking import match_index, rank, resolve_target

    target = flask.request.args.get("target", "")
    limit = _int("limit", 10, 1, 100)
    ctx = current()
    graph = ctx.graph
    if not target or target not in graph.nx:
        raise ApiError(404, "not_found", f"no node '{target}'", [FieldProblem("target", target, "unknown node", "not_found")])
    try:
        resolved = resolve_target(graph, target)
    except (PartnernetzError, ValueError) as exc:
        raise ApiError(422, "invalid", str(exc), [FieldProblem("target", target, str(exc), "invalid")]) from None
    index = ctx.cached("matchmaking.index", lambda: match_index(graph))
    ranking = rank(graph, resolved, top=limit, index=index)
    return flask.jsonify(ranking.to_dict(graph))


# ------------------------------------------------------------------ consent, erasure, notes
def _contact_masked(key: str) -> bool:
    node = current().graph.nx.nodes.get(f"contact:{key}")
    return node is None or bool(node.get("masked"))


@blueprint.post("/contacts/<key>/withdraw-consent")
def withdraw(key: str):
    require_role("editor")
    result, _identity, live = save(withdraw_consent, key)
    return _write_result(result, live)


@blueprint.post("/contacts/<key>/erase")
def erase(key: str):
    require_role("admin")
    result, _identity, live = save(erase_person, key, min_role="admin")
    return _write_result(result, live)


@blueprint.get("/consent-due")
def due():
    identity = require_role("planner")
    days = _int("days", 30, 0, 3650)
    items = consent_due(require_workspace(), within_days=days)
    valid = [d.status == "expiring" for d in items]  # expired consent is none: those people are masked
    return _out([{"id": d.id, "name": d.name if ok else "", "email": d.email if ok else "", "institution": d.institution,
                  "consent_expires": d.expires, "status": d.status} for d, ok in zip(items, valid)], "api: consent due",
                [d.id for d in items])


def _note_visible(table: str, key: str) -> bool:
    return table != "contacts" or (has_role("planner") and not _contact_masked(key))


@blueprint.get("/notes")
def note_search():
    require_role("reader")
    q = flask.request.args.get("q", "").strip()
    if not q:
        raise ApiError(422, "invalid", "q: required", [FieldProblem("q", None, "required", "required")])
    limit = _int("limit", 50, 1, MAX_LIMIT)
    found = [n for n in search_notes(require_workspace(), q, limit=limit) if _note_visible(n.table, n.key)]
    return _out([n.to_dict() for n in found], "api: note search", [n.key for n in found if n.table == "contacts"])


@blueprint.get("/notes/<table>/<path:key>")
def notes_of(table: str, key: str):
    require_role("reader")
    _table(table)
    ws = require_workspace()
    if not _note_visible(table, key):
        raise ApiError(403, "forbidden", "notes on this person are personal data (role planner and consent needed)")
    return _out([n.to_dict() for n in notes_for(ws, table, key)], "api: notes on a contact",
                [key] if table == "contacts" else [])


@blueprint.post("/notes/<table>/<path:key>")
def note_add(table: str, key: str):
    identity = require_role("editor")
    _table(table)
    if not flask.request.is_json:
        raise ApiError(415, "unsupported_media_type", "send the body as application/json")
    data = flask.request.get_json(silent=True)
    text = data.get("text") if isinstance(data, dict) else None
    if not isinstance(text, str) or (isinstance(data, dict) and set(data) - {"text"}):
        raise ApiError(422, "invalid", "the body must be {\"text\": \"...\"}",
                       [FieldProblem("text", None, "required: the note's text", "required")])
    note = add_note(require_workspace(), table, key, text, user=identity.name)
    response = flask.jsonify(note.to_dict())
    response.status_code = 201
    return response


def install_api(server: flask.Flask) -> None:
    """Register ``/api/v1/`` on the Dash app's Flask ``server``."""
    if "partnernetz_api" not in server.blueprints:
        server.register_blueprint(blueprint)
    server.config["PARTNERNETZ_API"] = PREFIX
