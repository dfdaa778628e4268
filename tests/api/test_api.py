"""The JSON API /api/v1/: every route, every role, the journal, errors naming field and problem, audit."""

from __future__ import annotations

import json

import pytest

from dashboard.context import CONFIG_KEY
from loaders.audit import read_audit
from tests.api.conftest import auth

P = "/api/v1"


def test_list_filters_and_paging(client):
    r = client.get(f"{P}/tables/institutions?limit=5&offset=0", headers=auth("reader"))
    assert r.status_code == 200
    body = r.get_json()
    assert len(body["items"]) == 5 and body["total"] >= 90 and body["items"][0]["_key"]
    r = client.get(f"{P}/tables/institutions?land=DE-HE&limit=500", headers=auth("reader")).get_json()
    assert r["total"] == len(r["items"]) > 0 and {i["land"] for i in r["items"]} == {"DE-HE"}
    page2 = client.get(f"{P}/tables/institutions?limit=5&offset=5", headers=auth("reader")).get_json()
    assert {i["_key"] for i in page2["items"]}.isdisjoint({i["_key"] for i in body["items"]})
    q = client.get(f"{P}/tables/institutions?q=landesstelle", headers=auth("reader")).get_json()
    assert "hlft" in {i["_key"] for i in q["items"]}


def test_bad_parameters_name_the_field(client):
    r = client.get(f"{P}/tables/institutions?limit=abc", headers=auth("reader"))
    assert r.status_code == 422
    assert r.get_json()["error"]["problems"][0]["field"] == "limit"
    r = client.get(f"{P}/tables/institutions?colour=red", headers=auth("reader"))
    assert r.status_code == 422 and r.get_json()["error"]["problems"][0]["field"] == "colour"
    r = client.get(f"{P}/tables/nope", headers=auth("reader"))
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"


def test_get_and_404(client):
    r = client.get(f"{P}/tables/projects/BLP-01", headers=auth("reader"))
    assert r.status_code == 200 and r.get_json()["id"] == "BLP-01"
    assert client.get(f"{P}/tables/projects/NOPE", headers=auth("reader")).status_code == 404


def test_unknown_token_is_401_json(client):
    r = client.get(f"{P}/tables/projects", headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorised"


@pytest.mark.parametrize("role,allowed", [("reader", False), ("planner", False), ("editor", True), ("admin", True)])
def test_writes_need_editor(client, api_ws, role, allowed):
    head = api_ws.head()
    r = client.patch(f"{P}/tables/projects/BLP-01", json={"values": {"phase": "III"}, "message": "Phase"},
                     headers=auth(role))
    if not allowed:
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"
        assert api_ws.head() == head
        return
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["version"]["id"] == head + 1 and body["version"]["user"] == f"{role}-client"
    assert body["version"]["message"] == "Phase" and body["live"] is True
    assert api_ws.journal(head)[0][1:4] == ("projects", "BLP-01", "update")


def test_create_update_delete_roundtrip_is_live(client, api_app, api_ws):
    ctx = api_app.server.config[CONFIG_KEY]
    r = client.post(f"{P}/tables/institutions", json={"values": {"id": "neu-inst", "name": "Neue Hochschule",
                                                                "sector": "Wissenschaft", "land": "Bremen"}},
                    headers=auth("editor"))
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["live"] and ctx.graph.node("institution:neu-inst")["sector"] == "science"
    r = client.post(f"{P}/tables/participations", json={"values": {"project": "BLP-01", "institution": "neu-inst",
                                                                  "role": "partner"}}, headers=auth("editor"))
    assert r.status_code == 201 and r.get_json()["key"] == "BLP-01|neu-inst|partner"
    assert ctx.graph.nx.has_edge("institution:neu-inst", "project:BLP-01")
    r = client.delete(f"{P}/tables/institutions/neu-inst", headers=auth("editor"))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "referenced"
    r = client.delete(f"{P}/tables/institutions/neu-inst?cascade=true", headers=auth("editor"))
    assert r.status_code == 200 and len(r.get_json()["changes"]) == 2
    assert "institution:neu-inst" not in ctx.graph.nx
    hist = client.get(f"{P}/tables/institutions/neu-inst/history", headers=auth("reader")).get_json()
    assert [h["op"] for h in hist if h["table"] == "institutions"] == ["delete", "insert"]


def test_validation_errors_name_field_and_problem(client, api_ws):
    r = client.post(f"{P}/tables/projects", json={"values": {"id": "X1", "title": "T", "countries": "Atlantis",
                                                            "phase": "IV"}}, headers=auth("editor"))
    assert r.status_code == 422
    problems = {p["field"]: p for p in r.get_json()["error"]["problems"]}
    assert set(problems) == {"countries", "phase"}
    assert "Atlantis" in problems["countries"]["problem"] and problems["phase"]["value"] == "IV"
    assert client.post(f"{P}/tables/projects", data="x", headers=auth("editor")).status_code == 415
    r = client.post(f"{P}/tables/projects", json={"vals": {}}, headers=auth("editor"))
    assert r.status_code == 422 and {p["field"] for p in r.get_json()["error"]["problems"]} == {"vals", "values"}
    assert api_ws.head() == 1


def test_undo_via_api(client, api_ws):
    client.patch(f"{P}/tables/projects/BLP-01", json={"values": {"phase": "III"}}, headers=auth("editor"))
    r = client.post(f"{P}/undo", headers=auth("editor"))
    assert r.status_code == 200 and r.get_json()["version"]["source"] == "undo:2"
    assert api_ws.rows("projects", ["BLP-01"])["BLP-01"]["phase"] == "II"
    r = client.post(f"{P}/undo", headers=auth("editor"))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "nothing_to_undo"


def test_versions_search_matchmaking(client):
    v = client.get(f"{P}/versions", headers=auth("reader")).get_json()
    assert v["total"] == 1 and v["items"][0]["kind"] == "import"
    hits = client.get(f"{P}/search?q=hlft", headers=auth("reader")).get_json()
    assert hits and hits[0]["id"].startswith("institution:")
    m = client.get(f"{P}/matchmaking?target=project:BLP-01&limit=3", headers=auth("reader"))
    assert m.status_code == 200 and len(m.get_json()["candidates"]) == 3
    assert m.get_json()["candidates"][0]["evidence"]
    assert client.get(f"{P}/matchmaking?target=theme:water", headers=auth("reader")).status_code in (404, 422)


def test_contacts_masked_below_planner_and_reads_audited(client, api_ws):
    reader = client.get(f"{P}/tables/contacts/c001", headers=auth("reader")).get_json()
    planner = client.get(f"{P}/tables/contacts/c001", headers=auth("planner")).get_json()
    assert reader["email"] == "" and reader["name"] != planner["name"]
    assert planner["email"] == "jurgen.muller@example.org"
    log = read_audit(api_ws.path.parent / "audit.jsonl")  # both through the egress gate, ids only
    assert [(e["user"], e["rule"], e["contact_ids"]) for e in log[-2:]] == [
        ("reader-client", "none", []), ("planner-client", "masked", ["contact:c001"])]


def test_local_user_without_token_is_admin(client, api_ws):
    r = client.patch(f"{P}/tables/projects/BLP-02", json={"values": {"phase": "III"}})
    assert r.status_code == 200 and r.get_json()["version"]["user"].startswith("local")


def test_basic_auth_still_guards_the_api(api_app):
    from werkzeug.security import generate_password_hash
    from dashboard.auth import AuthConfig, install_auth

    install_auth(api_app.server, AuthConfig(mode="basic", user="u", password_hash=generate_password_hash("p")))
    c = api_app.server.test_client()
    assert c.get(f"{P}/tables/projects").status_code == 401  # no credentials
    assert c.get(f"{P}/tables/projects", headers=auth("reader")).status_code == 200
    assert c.get(f"{P}/tables/projects", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_openapi_is_valid():
    from openapi_spec_validator import validate

    from dashboard.api import openapi_document

    validate(json.loads(json.dumps(openapi_document())))


def test_consent_withdrawal_erasure_and_due_list(client, api_ws):
    assert client.post(f"{P}/contacts/c003/withdraw-consent", headers=auth("planner")).status_code == 403
    r = client.post(f"{P}/contacts/c003/withdraw-consent", headers=auth("editor"))
    assert r.status_code == 200 and r.get_json()["row"]["name"] != "Jörg Schäfer"  # masked at once
    got = client.get(f"{P}/tables/contacts/c003", headers=auth("admin")).get_json()
    assert got["email"] == ""  # withdrawal masks for every role
    assert client.post(f"{P}/contacts/c003/erase", headers=auth("editor")).status_code == 403
    r = client.post(f"{P}/contacts/c003/erase", headers=auth("admin"))
    assert r.status_code == 200 and r.get_json()["version"]["source"] == "erase"
    assert client.get(f"{P}/tables/contacts/c003", headers=auth("admin")).status_code == 404
    assert "Jörg Schäfer".encode() not in api_ws.path.read_bytes()
    client.patch(f"{P}/tables/contacts/c004", json={"values": {"consent_expires": "2020-01-01"}}, headers=auth("editor"))
    assert client.get(f"{P}/consent-due", headers=auth("reader")).status_code == 403
    due = client.get(f"{P}/consent-due?days=10", headers=auth("planner")).get_json()
    assert [(d["id"], d["status"]) for d in due] == [("c004", "expired")]


def test_notes_api(client):
    r = client.post(f"{P}/notes/institutions/hlft", json={"text": "Trifft sich quartalsweise"}, headers=auth("editor"))
    assert r.status_code == 201 and r.get_json()["author"] == "editor-client"
    assert client.post(f"{P}/notes/institutions/hlft", json={"text": "x"}, headers=auth("reader")).status_code == 403
    assert client.post(f"{P}/notes/institutions/nope", json={"text": "x"}, headers=auth("editor")).status_code == 404
    assert client.post(f"{P}/notes/institutions/hlft", json={"text": ""}, headers=auth("editor")).status_code == 422
    assert [n["text"] for n in client.get(f"{P}/notes/institutions/hlft", headers=auth("reader")).get_json()] == \
        ["Trifft sich quartalsweise"]
    assert len(client.get(f"{P}/notes?q=quartal", headers=auth("reader")).get_json()) == 1
    client.post(f"{P}/notes/contacts/c001", json={"text": "privat"}, headers=auth("editor"))
    assert client.get(f"{P}/notes/contacts/c001", headers=auth("reader")).status_code == 403
    assert client.get(f"{P}/notes?q=privat", headers=auth("reader")).get_json() == []
    assert len(client.get(f"{P}/notes?q=privat", headers=auth("planner")).get_json()) == 1
