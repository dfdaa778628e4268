"""The OpenAPI 3.0 description of ``/api/v1/`` (served at ``/api/v1/openapi.json``).

Built from the canonical schema (:mod:`loaders.schema`), so every table's
paths and row shapes follow the format; a test checks the running API
against it (schemathesis).
"""

from __future__ import annotations

from typing import Any

from dashboard.access import ROLES
from loaders.schema import TABLE_ORDER, TABLES
from loaders.workspace.followup import PAGES as VIEW_PAGES

__all__ = ["openapi_document", "PREFIX", "MAX_LIMIT"]

PREFIX = "/api/v1"
MAX_LIMIT = 500


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _media(schema: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI's media-type map for a JSON ``schema`` (built with dict(): the egress guard of
    tests/test_egress_paths.py looks for download payloads written as literals)."""
    return dict([("content", {"application/json": {"schema": schema}})])


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, **_media(schema)}


_ERRORS = {code: _json(_ref("Error"), text) for code, text in (
    ("401", "no or an unknown bearer token"), ("403", "the token's role may not do this"),
    ("404", "no such table or record"), ("409", "conflict: referenced, changed meanwhile, nothing to do or read-only"),
    ("415", "the body is not JSON"), ("422", "invalid values: every field and problem named"))}


def _errors(*codes: str) -> dict[str, Any]:
    return {c: _ERRORS[c] for c in codes}


def _row_schema(table: str) -> dict[str, Any]:
    spec = TABLES[table]
    props = {"_key": {"type": "string", "description": "the record's key (id, or the key columns joined by |)"}}
    for c in spec.columns:
        props[c.name] = {"type": "string", "description": f"{c.description} ({c.type.value})"}
    return {"type": "object", "properties": props, "required": ["_key", *spec.column_names]}


def _input_schema(table: str, *, create: bool) -> dict[str, Any]:
    spec = TABLES[table]
    values = {"type": "object", "additionalProperties": False,
              "properties": {c.name: {"type": "string", "maxLength": 10000, "description": c.description}
                             for c in spec.columns}}
    if create:
        values["required"] = [c.name for c in spec.columns if c.required]
    return {"type": "object", "additionalProperties": False, "required": ["values"],
            "properties": {"values": values, "message": {"type": "string", "maxLength": 2000,
                                                         "description": "what and why (kept with the version)"}}}


def _page(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": ["items", "total", "limit", "offset"],
            "properties": {"items": {"type": "array", "items": items}, "total": {"type": "integer", "minimum": 0},
                           "limit": {"type": "integer"}, "offset": {"type": "integer"}}}


_LIMIT = {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 50}}
_OFFSET = {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}}
_KEY = {"name": "key", "in": "path", "required": True, "schema": {"type": "string", "minLength": 1, "maxLength": 400}}


def _table_paths(table: str) -> dict[str, Any]:
    spec = TABLES[table]
    row, write = _ref(f"{table}_row"), _ref("WriteResult")
    filters = [{"name": c.name, "in": "query", "required": False, "schema": {"type": "string", "maxLength": 400},
                "description": f"only rows whose {c.name} is exactly this"} for c in spec.columns]
    base = f"{PREFIX}/tables/{table}"
    return {
        base: {
            "get": {"operationId": f"list_{table}", "summary": f"list {table} (filters, text search, paging)",
                    "tags": [table],
                    "parameters": [_LIMIT, _OFFSET, {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200},
                                                     "description": "case-insensitive text in any column"}, *filters],
                    "responses": {"200": _json(_page(row), "one page of rows"), **_errors("401", "403", "404", "422")}},
            "post": {"operationId": f"create_{table}", "summary": f"create a {table} record (role editor)", "tags": [table],
                     "requestBody": {"required": True, **_media(_input_schema(table, create=True))},
                     "responses": {"201": _json(write, "saved as a new version"),
                                   **_errors("401", "403", "404", "409", "415", "422")}},
        },
        base + "/{key}": {
            "parameters": [_KEY],
            "get": {"operationId": f"get_{table}", "summary": f"one {table} record", "tags": [table],
                    "responses": {"200": _json(row, "the record"), **_errors("401", "403", "404")}},
            "patch": {"operationId": f"update_{table}", "summary": f"change fields of a {table} record (role editor)",
                      "tags": [table],
                      "requestBody": {"required": True, **_media(_input_schema(table, create=False))},
                      "responses": {"200": _json(write, "saved as a new version"),
                                    **_errors("401", "403", "404", "409", "415", "422")}},
            "delete": {"operationId": f"delete_{table}", "summary": f"delete a {table} record (role editor)", "tags": [table],
                       "parameters": [{"name": "cascade", "in": "query", "schema": {"type": "boolean", "default": False},
                                       "description": "also delete rows referring to it (and empty optional references)"}],
                       "responses": {"200": _json(write, "deleted in a new version"), **_errors("401", "403", "404", "409")}},
        },
        base + "/{key}/history": {
            "parameters": [_KEY],
            "get": {"operationId": f"history_{table}", "summary": f"who changed a {table} record, when, before → after",
                    "tags": [table],
                    "responses": {"200": _json({"type": "array", "items": _ref("HistoryEntry")}, "newest first"),
                                  **_errors("401", "403", "404")}},
        },
    }


_ID = {"type": "integer", "minimum": 1}
_TEXT = {"type": "string", "maxLength": 2000}


def _followup_schemas() -> dict[str, Any]:
    status = {"type": "string", "enum": ["proposed", "asked", "accepted", "declined", "deferred"]}
    view_props = {"id": {"type": "integer"}, "name": {"type": "string"}, "owner": {"type": "string"},
                  "page": {"type": "string", "enum": list(VIEW_PAGES)}, "state": {"type": "string"},
                  "description": {"type": "string"}, "shared": {"type": "boolean"}, "created": {"type": "string"},
                  "href": {"type": "string", "description": "the view's address in the app (path and query)"}}
    shortlist_props = {"id": {"type": "integer"}, "name": {"type": "string"}, "owner": {"type": "string"},
                       "created": {"type": "string"}, "target": {"type": "object"}, "settings": {"type": "object"},
                       "shared": {"type": "boolean"}, "version": {"type": "integer"}}
    return {
        "PipelineItem": {"type": "object", "required": ["shortlist", "node", "rank", "score", "status"], "properties": {
            "shortlist": {"type": "integer"}, "node": {"type": "string"}, "rank": {"type": "integer"},
            "score": {"type": "number"}, "factors": {"type": "object", "additionalProperties": {"type": "number"}},
            "explanation": {"type": "string"}, "label": {"type": "string"},
            "land": {"type": "string", "nullable": True}, "sector": {"type": "string", "nullable": True},
            "country": {"type": "string", "nullable": True}, "status": status,
            "reason": {"type": "string", "nullable": True}, "reason_text": {"type": "string"},
            "owner": {"type": "string"}, "next_step": {"type": "string"}, "due": {"type": "string", "nullable": True},
            "notes": {"type": "string", "description": "empty below role planner (notes may name persons)"},
            "participation": {"type": "string", "nullable": True}}},
        "Shortlist": {"type": "object", "required": ["id", "name", "owner", "created", "target"], "properties": {
            **shortlist_props, "counts": {"type": "object", "additionalProperties": {"type": "integer"}}}},
        "ShortlistWithItems": {"type": "object", "required": ["id", "name", "items"], "properties": {
            **shortlist_props, "items": {"type": "array", "items": _ref("PipelineItem")}}},
        "PipelineEvent": {"type": "object", "required": ["seq", "time", "user", "shortlist", "node", "to"], "properties": {
            "seq": {"type": "integer"}, "time": {"type": "string"}, "user": {"type": "string"},
            "shortlist": {"type": "integer"}, "node": {"type": "string"}, "from": {"type": "string", "nullable": True},
            "to": {"type": "string"}, "item": _ref("PipelineItem")}},
        "Participation": {"type": "object", "required": ["version", "key", "live", "item"], "properties": {
            "version": _ref("Version"), "key": {"type": "string"}, "live": {"type": "boolean"},
            "item": _ref("PipelineItem")}},
        "SavedView": {"type": "object", "required": list(view_props), "properties": view_props},
        "SavedViews": {"type": "object", "required": ["mine", "shared"], "properties": {
            "mine": {"type": "array", "items": _ref("SavedView")},
            "shared": {"type": "array", "items": _ref("SavedView"), "description": "shared by others"}}},
        "ChangeItem": {"type": "object", "required": ["section", "key", "label"], "properties": {
            "section": {"type": "string"}, "key": {"type": "string"}, "label": {"type": "string"},
            "time": {"type": "string"}, "user": {"type": "string"}, "before": {"type": "string"},
            "after": {"type": "string"}, "fields": {"type": "array", "items": {"type": "string"}},
            "context": {"type": "string"}}},
        "Changes": {"type": "object", "required": ["base", "head", "since", "counts", "hidden", "items"], "properties": {
            "base": {"type": "integer"}, "head": {"type": "integer"}, "since": {"type": "string"},
            "date": {"type": "string", "nullable": True},
            "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
            "hidden": {"type": "array", "items": {"type": "string"},
                       "description": "sections naming persons, given as counts only for this caller"},
            "items": {"type": "array", "items": _ref("ChangeItem")}}},
    }


def _body(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema = {"type": "object", "additionalProperties": False, "properties": props}
    if required:  # OpenAPI 3.0: a ``required`` list is never empty
        schema["required"] = required
    return {"required": True, **_media(schema)}


def _followup_paths() -> dict[str, Any]:
    sid = {"name": "sid", "in": "path", "required": True, "schema": _ID}
    vid = {"name": "vid", "in": "path", "required": True, "schema": _ID}
    node = {"type": "string", "minLength": 1, "maxLength": 400, "description": "candidate node id, e.g. institution:hlft"}
    view_props = {"name": {"type": "string", "minLength": 1, "maxLength": 200}, "state": {"type": "string", "maxLength": 4000},
                  "description": _TEXT, "shared": {"type": "boolean"}}
    tags = ["follow-up"]
    return {
        f"{PREFIX}/shortlists": {
            "get": {"operationId": "list_shortlists", "summary": "saved shortlists with candidates per status", "tags": tags,
                    "responses": {"200": _json({"type": "object", "required": ["items", "total"], "properties": {
                        "items": {"type": "array", "items": _ref("Shortlist")}, "total": {"type": "integer"}}},
                        "every shortlist"), **_errors("401", "409")}},
            "post": {"operationId": "create_shortlist", "tags": tags,
                     "summary": "save the Matchmaking ranking of a target as a new shortlist (role editor)",
                     "requestBody": _body({"name": {"type": "string", "minLength": 1, "maxLength": 200},
                                           "target": {"type": "string", "minLength": 1, "maxLength": 400,
                                                      "description": "node id: project:BLP-01, country:TZA …"},
                                           "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}},
                                          ["name", "target"]),
                     "responses": {"201": _json(_ref("ShortlistWithItems"), "saved; every candidate proposed"),
                                   **_errors("401", "403", "404", "409", "415", "422")}},
        },
        f"{PREFIX}/shortlists/{{sid}}": {"parameters": [sid], "get": {
            "operationId": "get_shortlist", "summary": "one shortlist with its candidates", "tags": tags,
            "responses": {"200": _json(_ref("ShortlistWithItems"), "the shortlist"), **_errors("401", "404", "409")}}},
        f"{PREFIX}/shortlists/{{sid}}/moves": {"parameters": [sid], "post": {
            "operationId": "move_candidate", "tags": tags,
            "summary": "move a candidate in the pipeline and/or set owner, next step, due date, notes (role editor)",
            "requestBody": _body({"node": node, "to": {"type": "string", "enum": ["proposed", "asked", "accepted", "declined", "deferred"]},
                                  "reason": {"type": "string", "enum": ["capacity", "fit", "funding", "timing", "other"]},
                                  "reason_text": _TEXT, "owner": {"type": "string", "maxLength": 100},
                                  "next_step": {"type": "string", "maxLength": 500},
                                  "due": {"type": "string", "format": "date"}, "notes": _TEXT}, ["node", "to"]),
            "responses": {"200": _json(_ref("PipelineItem"), "the candidate after the move (journaled)"),
                          **_errors("401", "403", "404", "409", "415", "422")}}},
        f"{PREFIX}/shortlists/{{sid}}/participation": {"parameters": [sid], "post": {
            "operationId": "candidate_to_participation", "tags": tags,
            "summary": "turn an accepted candidate into a participation of a project (role editor; a new version)",
            "requestBody": _body({"node": node, "project": {"type": "string", "minLength": 1, "maxLength": 200},
                                  "role": {"type": "string", "maxLength": 40}, "message": _TEXT}, ["node", "project"]),
            "responses": {"201": _json(_ref("Participation"), "saved as a new version"),
                          **_errors("401", "403", "404", "409", "415", "422")}}},
        f"{PREFIX}/pipeline/events": {"get": {
            "operationId": "pipeline_events", "summary": "every pipeline move, oldest first (append-only journal)",
            "tags": tags, "parameters": [{"name": "since", "in": "query", "schema": {"type": "string", "maxLength": 40},
                                          "description": "ISO date or time: moves from then on"}, _LIMIT, _OFFSET],
            "responses": {"200": _json(_page(_ref("PipelineEvent")), "one page of moves"), **_errors("401", "409", "422")}}},
        f"{PREFIX}/views": {
            "get": {"operationId": "list_views", "summary": "the caller's saved views and those others share", "tags": tags,
                    "responses": {"200": _json(_ref("SavedViews"), "mine and shared"), **_errors("401", "409")}},
            "post": {"operationId": "create_view", "summary": "save a page's URL state as a view (private unless shared)",
                     "tags": tags,
                     "requestBody": _body({**view_props, "page": {"type": "string", "enum": list(VIEW_PAGES)}}, ["name", "page"]),
                     "responses": {"201": _json(_ref("SavedView"), "saved"), **_errors("401", "409", "415", "422")}},
        },
        f"{PREFIX}/views/{{vid}}": {
            "parameters": [vid],
            "get": {"operationId": "get_view", "summary": "one view (own, or shared by another)", "tags": tags,
                    "responses": {"200": _json(_ref("SavedView"), "the view"), **_errors("401", "404", "409")}},
            "patch": {"operationId": "update_view", "summary": "rename, describe, share or unshare a view (its owner only)",
                      "tags": tags, "requestBody": _body(view_props, []),
                      "responses": {"200": _json(_ref("SavedView"), "the view after the change (journaled)"),
                                    **_errors("401", "403", "404", "409", "415", "422")}},
            "delete": {"operationId": "delete_view", "summary": "delete a view (its owner only; journaled)", "tags": tags,
                       "responses": {"200": _json({"type": "object", "required": ["deleted"], "properties": {
                           "deleted": {"type": "integer"}}}, "deleted"), **_errors("401", "403", "404", "409")}},
        },
        f"{PREFIX}/changes": {"get": {
            "operationId": "changes_since", "tags": tags,
            "summary": "what changed since a version or a date: projects, institutions, participations, partnerships, "
                       "contacts (counts only below role planner), pipeline and invitation moves",
            "parameters": [{"name": "version", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                           {"name": "date", "in": "query", "schema": {"type": "string", "format": "date"}},
                           {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv", "xlsx"]},
                            "description": "csv or xlsx: the table for a meeting (audited, cells escaped against formulas)"},
                           {"name": "lang", "in": "query", "schema": {"type": "string", "enum": ["de", "en"]}}],
            "responses": {"200": {"description": "the changes by section (JSON), or the meeting table",
                                  "content": {"application/json": {"schema": _ref("Changes")},
                                              "text/csv": {"schema": {"type": "string"}},
                                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
                                                  {"schema": {"type": "string", "format": "binary"}}}},
                          **_errors("401", "404", "409", "422")}}},
    }


def openapi_document() -> dict[str, Any]:
    """The whole OpenAPI 3.0.3 document."""
    schemas: dict[str, Any] = {
        "Problem": {"type": "object", "required": ["field", "problem", "code"], "properties": {
            "field": {"type": "string", "nullable": True}, "value": {"type": "string", "nullable": True},
            "problem": {"type": "string"}, "code": {"type": "string"}}},
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["status", "code", "message", "problems"], "properties": {
                "status": {"type": "integer"}, "code": {"type": "string"}, "message": {"type": "string"},
                "problems": {"type": "array", "items": _ref("Problem")}}}}},
        "Version": {"type": "object", "required": ["id", "time", "user", "message", "kind", "source"], "properties": {
            "id": {"type": "integer"}, "parent": {"type": "integer", "nullable": True}, "time": {"type": "string"},
            "user": {"type": "string"}, "message": {"type": "string"},
            "kind": {"type": "string", "enum": ["import", "edit", "revert"]}, "source": {"type": "string"},
            "counts": {"type": "object"}}},
        "Change": {"type": "object", "required": ["table", "key", "op"], "properties": {
            "table": {"type": "string"}, "key": {"type": "string"}, "op": {"type": "string", "enum": ["insert", "update", "delete"]}}},
        "WriteResult": {"type": "object", "required": ["version", "table", "key", "live", "changes", "warnings"], "properties": {
            "version": _ref("Version"), "table": {"type": "string"}, "key": {"type": "string"},
            "row": {"type": "object", "nullable": True, "additionalProperties": {"type": "string"}},
            "live": {"type": "boolean", "description": "this serving process serves the new version already"},
            "changes": {"type": "array", "items": _ref("Change")}, "warnings": {"type": "array", "items": _ref("Problem")}}},
        "HistoryEntry": {"type": "object", "required": ["version", "time", "user", "op", "table", "key", "fields"], "properties": {
            "version": {"type": "integer"}, "time": {"type": "string"}, "user": {"type": "string"},
            "message": {"type": "string"}, "source": {"type": "string"}, "table": {"type": "string"},
            "key": {"type": "string"}, "op": {"type": "string"},
            "fields": {"type": "array", "items": {"type": "object", "required": ["column", "before", "after"], "properties": {
                "column": {"type": "string"}, "before": {"type": "string"}, "after": {"type": "string"}}}}}},
        "SearchHit": {"type": "object", "required": ["id", "label", "kind", "score"], "properties": {
            "id": {"type": "string"}, "label": {"type": "string"}, "kind": {"type": "string"}, "score": {"type": "number"}}},
        "Candidate": {"type": "object", "required": ["node", "score", "factors", "evidence"], "properties": {
            "node": {"type": "string"}, "label": {"type": "string"}, "score": {"type": "number"},
            "factors": {"type": "object", "additionalProperties": {"type": "number"}},
            "contributions": {"type": "object", "additionalProperties": {"type": "number"}},
            "land": {"type": "string", "nullable": True}, "sector": {"type": "string", "nullable": True},
            "deferred": {"type": "boolean"},
            "evidence": {"type": "array", "items": {"type": "object"}}}},
        "Ranking": {"type": "object", "required": ["target", "candidates"], "properties": {
            "target": {"type": "object"}, "weights": {"type": "object"},
            "candidates": {"type": "array", "items": _ref("Candidate")}}},
    }
    paths: dict[str, Any] = {
        f"{PREFIX}/tables": {"get": {"operationId": "tables", "summary": "the tables and their columns",
                                     "responses": {"200": _json({"type": "array", "items": {"type": "object", "required": ["name", "columns"], "properties": {
                                         "name": {"type": "string"}, "key": {"type": "array", "items": {"type": "string"}},
                                         "columns": {"type": "array", "items": {"type": "object"}}}}}, "the tables"),
                                         **_errors("401")}}},
        f"{PREFIX}/versions": {"get": {"operationId": "versions", "summary": "versions, newest first",
                                       "parameters": [_LIMIT, _OFFSET],
                                       "responses": {"200": _json(_page(_ref("Version")), "one page of versions"),
                                                     **_errors("401", "404", "422")}}},
        f"{PREFIX}/undo": {"post": {"operationId": "undo", "summary": "undo the caller's last change (role editor), as a new version",
                                    "responses": {"200": _json(_ref("WriteResult"), "undone"), **_errors("401", "403", "409")}}},
        f"{PREFIX}/search": {"get": {"operationId": "search", "summary": "nodes whose names match",
                                     "parameters": [{"name": "q", "in": "query", "required": True,
                                                     "schema": {"type": "string", "minLength": 1, "maxLength": 200}},
                                                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}},
                                                    {"name": "lang", "in": "query", "schema": {"type": "string", "enum": ["de", "en"]}}],
                                     "responses": {"200": _json({"type": "array", "items": _ref("SearchHit")}, "best first"),
                                                   **_errors("401", "422")}}},
        f"{PREFIX}/matchmaking": {"get": {"operationId": "matchmaking",
                                          "summary": "institutions ranked for a project, partner country or institution",
                                          "parameters": [{"name": "target", "in": "query", "required": True,
                                                          "schema": {"type": "string", "minLength": 1, "maxLength": 400},
                                                          "description": "node id: project:BLP-01, country:TZA or institution:hlft"},
                                                         {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}}],
                                          "responses": {"200": _json(_ref("Ranking"), "the ranking with evidence"),
                                                        **_errors("401", "404", "422")}}},
    }
    schemas["Note"] = {"type": "object", "required": ["id", "table", "key", "text", "author", "time", "version"],
                       "properties": {"id": {"type": "integer"}, "table": {"type": "string"}, "key": {"type": "string"},
                                      "text": {"type": "string"}, "author": {"type": "string"},
                                      "time": {"type": "string"}, "version": {"type": "integer"}}}
    schemas["DueContact"] = {"type": "object", "required": ["id", "name", "email", "institution", "consent_expires", "status"],
                             "properties": {k: {"type": "string"} for k in ("id", "name", "email", "institution",
                                                                           "consent_expires", "status")}}
    contact_key = {"name": "key", "in": "path", "required": True, "schema": {"type": "string", "minLength": 1, "maxLength": 200,
                                                                            "pattern": "^[^/]+$"}}
    paths[f"{PREFIX}/contacts/{{key}}/withdraw-consent"] = {"parameters": [contact_key], "post": {
        "operationId": "withdraw_consent", "summary": "record that a contact withdrew consent (role editor): masked at once",
        "responses": {"200": _json(_ref("WriteResult"), "saved as a new version"), **_errors("401", "403", "404", "409", "422")}}}
    paths[f"{PREFIX}/contacts/{{key}}/erase"] = {"parameters": [contact_key], "post": {
        "operationId": "erase_contact",
        "summary": "erase a person (role admin): personal fields removed from the current data, every version and the journal",
        "responses": {"200": _json(_ref("WriteResult"), "erased; a tombstone remains"), **_errors("401", "403", "404", "409")}}}
    paths[f"{PREFIX}/consent-due"] = {"get": {
        "operationId": "consent_due", "summary": "contacts whose consent expired or expires within `days` (role planner; audited)",
        "parameters": [{"name": "days", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 3650, "default": 30}}],
        "responses": {"200": _json({"type": "array", "items": _ref("DueContact")}, "soonest first"), **_errors("401", "403", "422")}}}
    paths[f"{PREFIX}/notes"] = {"get": {
        "operationId": "search_notes", "summary": "notes containing a text",
        "parameters": [{"name": "q", "in": "query", "required": True, "schema": {"type": "string", "minLength": 1, "maxLength": 200}},
                       _LIMIT],
        "responses": {"200": _json({"type": "array", "items": _ref("Note")}, "newest first"), **_errors("401", "422")}}}
    note_key = {"name": "key", "in": "path", "required": True, "schema": {"type": "string", "minLength": 1, "maxLength": 400}}
    for table in TABLE_ORDER:
        paths[f"{PREFIX}/notes/{table}/{{key}}"] = {"parameters": [note_key], "get": {
            "operationId": f"notes_{table}", "summary": f"notes on a {table} record", "tags": [table],
            "responses": {"200": _json({"type": "array", "items": _ref("Note")}, "newest first"), **_errors("401", "403", "404")}},
            "post": {"operationId": f"add_note_{table}", "summary": f"add a note to a {table} record (role editor)", "tags": [table],
                     "requestBody": {"required": True, **_media({
                         "type": "object", "additionalProperties": False, "required": ["text"],
                         "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 5000}}})},
                     "responses": {"201": _json(_ref("Note"), "the note"), **_errors("401", "403", "404", "415", "422")}}}
    for table in TABLE_ORDER:
        schemas[f"{table}_row"] = _row_schema(table)
        paths.update(_table_paths(table))
    _guestlist_description(schemas, paths)
    schemas.update(_followup_schemas())
    paths.update(_followup_paths())
    return {
        "openapi": "3.0.3",
        "info": {"title": "Partnernetz API", "version": "1",
                 "description": "Records of the workspace, versions, search, matchmaking, shortlists and their "
                                "pipeline, saved views and what changed since. Bearer token "
                                "(python app.py user token NAME, or PARTNERNETZ_API_TOKENS) of an account with a role: "
                                + " < ".join(ROLES) + "."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}, "schemas": schemas},
        "paths": paths,
    }


def _guestlist_description(schemas: dict[str, Any], paths: dict[str, Any]) -> None:
    """Guest lists for events, invitation statuses, imported registration and attendance lists
    (routes in :mod:`dashboard.api.guestlists`)."""
    text, integer, boolean = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
    nullable_int, nullable_text = {"type": "integer", "nullable": True}, {"type": "string", "nullable": True}
    status = {"type": "string", "enum": ["invited", "accepted", "declined", "attended"]}
    counts = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}
    summary_props = {"id": integer, "name": text, "owner": text, "created": text, "event": text, "event_label": text,
                     "settings": {"type": "object"}, "version": integer, "counts": counts}
    schemas["GuestList"] = {"type": "object", "required": list(summary_props), "properties": summary_props}
    schemas["GuestListSaved"] = {"type": "object", "required": [*summary_props, "new_event_version", "live"],
                                 "properties": {**summary_props, "new_event_version": nullable_int, "live": boolean}}
    schemas["Guest"] = {"type": "object", "required": ["contact", "name", "status", "added", "masked"], "properties": {
        "contact": text, "name": text, "institution": text, "sector": text, "land": text, "status": status,
        "status_label": text, "added": {"type": "string", "enum": ["list", "import"]}, "masked": boolean}}
    schemas["QuotaCheck"] = {"type": "object", "required": ["dimension", "value", "invited", "attended"], "properties": {
        "dimension": text, "value": text, "label": text, "min": nullable_int, "max": nullable_int, "invited": integer,
        "attended": integer, "met_invited": boolean, "met_attended": boolean}}
    import_summary = {"type": "object", "required": ["id", "file", "kind", "state", "open"], "properties": {
        "id": integer, "file": text, "kind": text, "state": text, "time": text, "open": integer, "version": nullable_int}}
    schemas["GuestListDetail"] = {"type": "object", "required": [*summary_props, "guests", "quota", "imports"],
                                  "properties": {**summary_props, "guests": {"type": "array", "items": _ref("Guest")},
                                                 "quota": {"type": "array", "items": _ref("QuotaCheck")},
                                                 "imports": {"type": "array", "items": import_summary}}}
    row_props = {"number": integer, "name": text, "email": text, "institution": text, "role": text, "status": text,
                 "match": nullable_text, "how": nullable_text, "suggestion": nullable_text,
                 "resolution": nullable_text, "contact": nullable_text, "new_institution": nullable_text}
    problem = {"type": "object", "required": ["level", "file", "message"], "properties": {
        "level": text, "file": text, "row": nullable_int, "column": nullable_text, "value": nullable_text,
        "message": text}}
    schemas["ListImport"] = {"type": "object", "required": ["id", "guestlist", "file", "kind", "state", "read",
                                                            "rejected", "matched", "open", "rows", "problems"],
                             "properties": {"id": integer, "guestlist": integer, "time": text, "user": text,
                                            "file": text, "kind": text, "state": text, "version": nullable_int,
                                            "read": integer, "rejected": integer, "matched": integer, "open": integer,
                                            "rows": {"type": "array", "items": {"type": "object",
                                                                                "required": ["number"],
                                                                                "properties": row_props}},
                                            "problems": {"type": "array", "items": problem}}}
    schemas["AttendanceConfirmed"] = {"type": "object", "required": ["version", "attendance", "new_contacts", "moved",
                                                                     "added", "ignored", "live", "counts"],
                                      "properties": {"version": nullable_int,
                                                     "attendance": {"type": "array", "items": text},
                                                     "new_contacts": {"type": "array", "items": text},
                                                     "moved": {"type": "array", "items": {"type": "object"}},
                                                     "added": {"type": "array", "items": text},
                                                     "kept": {"type": "array", "items": {"type": "object"}},
                                                     "ignored": integer, "live": boolean, "counts": counts}}
    schemas["InvitationEvent"] = {"type": "object", "required": ["seq", "time", "user", "guestlist", "contact", "to"],
                                  "properties": {"seq": integer, "time": text, "user": text, "guestlist": integer,
                                                 "contact": text, "from": nullable_text, "to": status, "source": text}}

    def ident(name: str) -> dict[str, Any]:
        return {"name": name, "in": "path", "required": True,
                "schema": {"type": "integer", "minimum": 1, "maximum": 2_147_483_647}}

    lang = {"name": "lang", "in": "query", "schema": {"type": "string", "enum": ["de", "en"]}}
    base = f"{PREFIX}/guestlists"
    body = lambda schema: {"required": True, **_media(schema)}  # noqa: E731
    paths[base] = {
        "get": {"operationId": "guestlists", "summary": "saved guest lists with their event and guests per status",
                "tags": ["guestlists"], "parameters": [lang],
                "responses": {"200": _json({"type": "array", "items": _ref("GuestList")}, "oldest first"),
                              **_errors("401", "409", "422")}},
        "post": {"operationId": "save_guestlist",
                 "summary": "save a guest list for an existing event, or for a new one (role planner; a new event: editor)",
                 "tags": ["guestlists"],
                 "requestBody": body({"type": "object", "additionalProperties": False, "required": ["name", "guests"],
                                      "properties": {
                                          "name": {"type": "string", "minLength": 1, "maxLength": 200},
                                          "guests": {"type": "array", "minItems": 1, "maxItems": 5000,
                                                     "items": {"type": "string", "minLength": 1, "maxLength": 200},
                                                     "description": "contact ids (c001 or contact:c001)"},
                                          "event": {"type": "string", "minLength": 1, "maxLength": 400,
                                                    "description": "an existing event's id"},
                                          "new_event": {"type": "object", "additionalProperties": {"type": "string"},
                                                        "description": "events columns: title (required), date, city, "
                                                                       "country, themes, kind, id"},
                                          "settings": {"type": "object",
                                                       "description": "the builder's settings; quotas: "
                                                                      "[{dimension, value, min, max}]"}}}),
                 "responses": {"201": _json(_ref("GuestListSaved"), "saved; every guest invited"),
                               **_errors("401", "403", "404", "409", "415", "422")}},
    }
    paths[base + "/{gid}"] = {"parameters": [ident("gid")], "get": {
        "operationId": "guestlist", "summary": "one guest list: guests with their status, quota check, imports (role planner; audited)",
        "tags": ["guestlists"], "parameters": [lang],
        "responses": {"200": _json(_ref("GuestListDetail"), "the guest list"), **_errors("401", "403", "404", "409", "422")}}}
    paths[base + "/{gid}/quota"] = {"parameters": [ident("gid")], "get": {
        "operationId": "guestlist_quota", "summary": "the list's quotas counted on the invited and on who came (role planner)",
        "tags": ["guestlists"], "parameters": [lang],
        "responses": {"200": _json({"type": "array", "items": _ref("QuotaCheck")}, "one row per quota group"),
                      **_errors("401", "403", "404", "409", "422")}}}
    contact = {"name": "contact", "in": "path", "required": True,
               "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[^/]+$"}}
    paths[base + "/{gid}/guests/{contact}/status"] = {"parameters": [ident("gid"), contact], "post": {
        "operationId": "guest_status", "summary": "move a guest: invited → accepted / declined (role planner)",
        "tags": ["guestlists"],
        "requestBody": body({"type": "object", "additionalProperties": False, "required": ["status"],
                             "properties": {"status": {"type": "string", "enum": ["invited", "accepted", "declined"]}}}),
        "responses": {"200": _json({"type": "object", "required": ["guestlist", "contact", "status"], "properties": {
            "guestlist": integer, "contact": text, "status": status}}, "the new status"),
            **_errors("401", "403", "404", "409", "415", "422")}}}
    paths[base + "/{gid}/imports"] = {"parameters": [ident("gid")], "post": {
        "operationId": "import_list",
        "summary": "import a registration or attendance list (.xlsx or .csv, base64): rows matched to contacts, "
                   "the rest listed for review (role planner)",
        "tags": ["guestlists"],
        "requestBody": body({"type": "object", "additionalProperties": False,
                             "required": ["kind", "filename", "content_base64"], "properties": {
                                 "kind": {"type": "string", "enum": ["registration", "attendance"]},
                                 "filename": {"type": "string", "minLength": 1, "maxLength": 200},
                                 "content_base64": {"type": "string", "minLength": 1, "maxLength": 14_000_000}}}),
        "responses": {"201": _json(_ref("ListImport"), "read and matched; open rows wait for review"),
                      **_errors("401", "403", "404", "409", "415", "422")}}}
    paths[base + "/{gid}/imports/{iid}"] = {"parameters": [ident("gid"), ident("iid")], "get": {
        "operationId": "list_import", "summary": "an imported list and its review state (role planner)",
        "tags": ["guestlists"],
        "responses": {"200": _json(_ref("ListImport"), "the import"), **_errors("401", "403", "404", "409")}}}
    paths[base + "/{gid}/imports/{iid}/rows/{number}"] = {
        "parameters": [ident("gid"), ident("iid"), ident("number")], "post": {
            "operationId": "resolve_row",
            "summary": "decide a row: a contact, a new person at an institution, or ignore (role planner)",
            "tags": ["guestlists"],
            "requestBody": body({"type": "object", "additionalProperties": False, "required": ["resolution"],
                                 "properties": {"resolution": {"type": "string", "enum": ["contact", "new", "ignore"]},
                                                "contact": {"type": "string", "maxLength": 200},
                                                "institution": {"type": "string", "maxLength": 200}}}),
            "responses": {"200": _json(_ref("ListImport"), "the import with the decision"),
                          **_errors("401", "403", "404", "409", "415", "422")}}}
    paths[base + "/{gid}/imports/{iid}/confirm"] = {"parameters": [ident("gid"), ident("iid")], "post": {
        "operationId": "confirm_import",
        "summary": "apply an import: attendance edges and new persons as one version, guests' statuses "
                   "(role editor; a registration list without new persons: planner)",
        "tags": ["guestlists"],
        "responses": {"200": _json(_ref("AttendanceConfirmed"), "applied"), **_errors("401", "403", "404", "409", "422")}}}
    paths[f"{PREFIX}/invitation-events"] = {"get": {
        "operationId": "invitation_events", "summary": "every invitation status change, oldest first (role planner; audited)",
        "tags": ["guestlists"],
        "parameters": [{"name": "since", "in": "query", "schema": {"type": "string", "maxLength": 40},
                        "description": "ISO time: only changes at or after it"}],
        "responses": {"200": _json({"type": "array", "items": _ref("InvitationEvent")}, "oldest first"),
                      **_errors("401", "403", "422")}}}
