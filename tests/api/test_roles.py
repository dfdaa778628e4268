"""Every API route for every role: who may read, write, erase; what the journal and history record."""

from __future__ import annotations

import pytest

from dashboard.access import ENV_TOKENS, ROLES
from loaders.workspace.location import create_workspace
from tests.api.conftest import TOKENS, auth, serve_workspace

P = "/api/v1"

#: (method, path, body, minimum role)
ROUTES = [
    ("GET", "/tables", None, "reader"),
    ("GET", "/tables/projects?limit=2", None, "reader"),
    ("GET", "/tables/projects/BLP-01", None, "reader"),
    ("GET", "/tables/projects/BLP-01/history", None, "reader"),
    ("GET", "/versions", None, "reader"),
    ("GET", "/search?q=wasser", None, "reader"),
    ("GET", "/matchmaking?target=project:BLP-01&limit=2", None, "reader"),
    ("GET", "/notes?q=x", None, "reader"),
    ("GET", "/notes/projects/BLP-01", None, "reader"),
    ("GET", "/consent-due", None, "planner"),
    ("GET", "/guestlists", None, "reader"),
    ("GET", "/invitation-events", None, "planner"),
    ("GET", "/shortlists", None, "reader"),
    ("GET", "/pipeline/events", None, "reader"),
    ("GET", "/views", None, "reader"),
    ("GET", "/changes?version=1", None, "reader"),
    ("POST", "/tables/themes", {"values": {"id": "neu", "name_de": "Neu"}}, "editor"),
    ("PATCH", "/tables/projects/BLP-01", {"values": {"region": "Addis Abeba"}}, "editor"),
    ("DELETE", "/tables/participations/BLP-01|fta-eth|partner", None, "editor"),
    ("POST", "/notes/projects/BLP-01", {"text": "Notiz"}, "editor"),
    ("POST", "/contacts/c005/withdraw-consent", None, "editor"),
    ("POST", "/contacts/c006/erase", None, "admin"),
]


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One app for the requests that write nothing (reads, refused writes)."""
    ws = create_workspace(tmp_path_factory.mktemp("roles") / "ws.sqlite", sample=True, user="test")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ENV_TOKENS, ",".join(f"{role}-client:{role}:{token}" for role, token in TOKENS.items()))
        yield serve_workspace(ws).server.test_client(), ws


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,path,body,needed", ROUTES, ids=[f"{m} {p}" for m, p, *_ in ROUTES])
def test_route_by_role(request, shared, role, method, path, body, needed):
    allowed = ROLES.index(role) >= ROLES.index(needed)
    if method != "GET" and allowed:  # a write that lands: a fresh workspace
        client, api_ws = request.getfixturevalue("client"), request.getfixturevalue("api_ws")
    else:
        client, api_ws = shared
    head = api_ws.head()
    r = client.open(P + path, method=method, json=body, headers=auth(role))
    if not allowed:
        assert r.status_code == 403, r.get_json()
        assert r.get_json()["error"]["code"] == "forbidden"
        assert api_ws.head() == head  # nothing written
        return
    assert r.status_code in (200, 201), r.get_json()
    if method != "GET" and "notes" not in path:
        version = r.get_json()["version"]
        assert version["id"] == head + 1 and version["user"] == f"{role}-client" and version["kind"] == "edit"
        entries = api_ws.journal(head)
        assert entries and {e[0] for e in entries} == {head + 1}


def test_every_documented_route_is_in_the_matrix_or_the_other_tests():
    from dashboard.api import openapi_document

    documented = {p.replace("/api/v1", "").split("{")[0].rstrip("/") for p in openapi_document()["paths"]}
    covered = {path.split("?")[0] for _m, path, *_ in ROUTES}
    prefixes = {c.rsplit("/", 1)[0] for c in covered} | covered | {"/undo"}
    assert all(any(d == c or d.startswith(c) or c.startswith(d) for c in prefixes) for d in documented), documented


def test_history_names_the_api_user_and_the_change(client):
    client.patch(f"{P}/tables/institutions/hlft", json={"values": {"city": "Darmstadt"}, "message": "umgezogen"},
                 headers=auth("editor"))
    history = client.get(f"{P}/tables/institutions/hlft/history", headers=auth("reader")).get_json()
    top = history[0]
    assert (top["user"], top["message"], top["op"]) == ("editor-client", "umgezogen", "update")
    assert {"column": "city", "before": "Groß-Gerau", "after": "Darmstadt"} in top["fields"]


def test_contact_history_hides_personal_values_below_planner(client):
    client.patch(f"{P}/tables/contacts/c004", json={"values": {"email": "neu@example.org"}}, headers=auth("editor"))
    reader = client.get(f"{P}/tables/contacts/c004/history", headers=auth("reader")).get_json()
    planner = client.get(f"{P}/tables/contacts/c004/history", headers=auth("planner")).get_json()
    assert "neu@example.org" not in str(reader) and "neu@example.org" in str(planner)


def test_erasure_via_api_scrubs_history(client, api_ws):
    client.patch(f"{P}/tables/contacts/c006", json={"values": {"role": "Leitung"}}, headers=auth("editor"))
    client.post(f"{P}/contacts/c006/erase", headers=auth("admin"))
    history = client.get(f"{P}/tables/contacts/c006/history", headers=auth("admin")).get_json()
    assert history[0]["version"] == api_ws.head() and "Friederike" not in str(history)
    assert "Friederike Ahlgrimm".encode() not in api_ws.path.read_bytes()
