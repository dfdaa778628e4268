"""Follow-up through the JSON API, per role: shortlists from a matchmaking target, pipeline moves with the
pipeline's rules, a participation from an accepted candidate, saved views (private or shared, owner-only
changes), and what changed since — persons as counts only below planner. Then a restart: nothing lost."""

from __future__ import annotations

import pytest

from dashboard.access import ENV_TOKENS, ROLES
from loaders.audit import read_audit
from tests.api.conftest import TOKENS, auth, serve_workspace

P = "/api/v1"


def _shortlist(client, role="editor", target="project:BLP-05"):
    return client.post(f"{P}/shortlists", json={"name": "Kandidaten BLP-05", "target": target, "limit": 4},
                       headers=auth(role))


@pytest.mark.parametrize("role", ROLES)
def test_only_editors_create_shortlists_and_move_candidates(client, api_ws, role):
    allowed = ROLES.index(role) >= ROLES.index("editor")
    r = _shortlist(client, role)
    if not allowed:
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"
        r = _shortlist(client, "editor")
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    sid, node = body["id"], body["items"][0]["node"]
    assert len(body["items"]) == 4 and {i["status"] for i in body["items"]} == {"proposed"}
    assert [i["rank"] for i in body["items"]] == [1, 2, 3, 4] and body["items"][0]["explanation"]
    move = client.post(f"{P}/shortlists/{sid}/moves", json={"node": node, "to": "asked", "owner": "anna",
                                                            "due": "2026-12-20"}, headers=auth(role))
    assert move.status_code == (200 if allowed else 403), move.get_json()
    # every role reads the shortlist and its journal
    got = client.get(f"{P}/shortlists/{sid}", headers=auth(role)).get_json()
    assert got["items"][0]["status"] == ("asked" if allowed else "proposed")
    events = client.get(f"{P}/pipeline/events", headers=auth(role)).get_json()
    assert events["total"] == (1 if allowed else 0)
    listed = client.get(f"{P}/shortlists", headers=auth(role)).get_json()
    assert listed["items"][0]["counts"] == ({"asked": 1, "proposed": 3} if allowed else {"proposed": 4})


def test_pipeline_rules_hold_in_the_api_and_an_accepted_candidate_becomes_a_participation(client, api_ws):
    sid = _shortlist(client).get_json()["id"]
    node = client.get(f"{P}/shortlists/{sid}", headers=auth("reader")).get_json()["items"][0]["node"]
    h = auth("editor")
    r = client.post(f"{P}/shortlists/{sid}/moves", json={"node": node, "to": "accepted"}, headers=h)
    assert r.status_code == 422 and "cannot move from 'proposed' to 'accepted'" in r.get_json()["error"]["message"]
    r = client.post(f"{P}/shortlists/{sid}/moves", json={"node": node, "to": "declined"}, headers=h)
    assert r.status_code == 422 and "needs a reason" in r.get_json()["error"]["message"]
    r = client.post(f"{P}/shortlists/{sid}/moves", json={"node": "institution:nope", "to": "asked"}, headers=h)
    assert r.status_code == 404
    r = client.post(f"{P}/shortlists/{sid}/moves", json={"node": node, "to": "asked", "colour": "red"}, headers=h)
    assert r.status_code == 422 and r.get_json()["error"]["problems"][0]["field"] == "colour"
    r = client.post(f"{P}/shortlists/{sid}/participation", json={"node": node, "project": "BLP-05"}, headers=h)
    assert r.status_code == 422 and "only an accepted candidate" in r.get_json()["error"]["message"]
    for to in ("asked", "accepted"):
        assert client.post(f"{P}/shortlists/{sid}/moves", json={"node": node, "to": to, "notes": "Frau X anrufen"},
                           headers=h).status_code == 200
    head = api_ws.head()
    r = client.post(f"{P}/shortlists/{sid}/participation", json={"node": node, "project": "project:BLP-05"}, headers=h)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    institution = node.partition(":")[2]
    assert body["version"]["id"] == head + 1 and body["key"] == f"BLP-05|{institution}|partner"
    assert body["item"]["participation"] == body["key"]
    assert api_ws.rows("participations", [body["key"]])
    # notes may name persons: readers get them empty
    assert client.get(f"{P}/shortlists/{sid}", headers=auth("reader")).get_json()["items"][0]["notes"] == ""
    assert client.get(f"{P}/shortlists/{sid}", headers=auth("planner")).get_json()["items"][0]["notes"] == "Frau X anrufen"


def test_saved_views_private_shared_and_owner_only(client):
    r = client.post(f"{P}/views", json={"name": "Meine Karte", "page": "/", "state": "?focus=country%3ATZA"},
                    headers=auth("reader"))
    assert r.status_code == 201, r.get_json()
    private = r.get_json()
    assert (private["owner"], private["shared"], private["href"]) == ("reader-client", False, "/?focus=country%3ATZA")
    shared = client.post(f"{P}/views", json={"name": "Team", "page": "/analysen", "state": "tab=coverage",
                                             "description": "Sitzung", "shared": True}, headers=auth("reader")).get_json()
    # another user: the private view does not exist for them, the shared one is visible but not theirs to change
    assert client.get(f"{P}/views/{private['id']}", headers=auth("planner")).status_code == 404
    assert client.get(f"{P}/views/{shared['id']}", headers=auth("planner")).get_json()["href"] == "/analysen?tab=coverage"
    assert client.patch(f"{P}/views/{shared['id']}", json={"name": "Meins"}, headers=auth("admin")).status_code == 403
    assert client.delete(f"{P}/views/{shared['id']}", headers=auth("admin")).status_code == 403
    assert client.delete(f"{P}/views/{private['id']}", headers=auth("admin")).status_code == 404
    listed = client.get(f"{P}/views", headers=auth("planner")).get_json()
    assert listed["mine"] == [] and [v["id"] for v in listed["shared"]] == [shared["id"]]
    # the owner renames, unshares, deletes
    r = client.patch(f"{P}/views/{shared['id']}", json={"name": "Team (neu)", "shared": False}, headers=auth("reader"))
    assert r.status_code == 200 and r.get_json()["name"] == "Team (neu)"
    assert client.get(f"{P}/views/{shared['id']}", headers=auth("planner")).status_code == 404
    assert client.delete(f"{P}/views/{private['id']}", headers=auth("reader")).get_json() == {"deleted": private["id"]}
    assert [v["name"] for v in client.get(f"{P}/views", headers=auth("reader")).get_json()["mine"]] == ["Team (neu)"]
    bad = client.post(f"{P}/views", json={"name": "x", "page": "/protokoll"}, headers=auth("reader"))
    assert bad.status_code == 422 and "cannot be saved" in bad.get_json()["error"]["message"]
    bad = client.post(f"{P}/views", json={"name": "x", "page": "/", "shared": "ja"}, headers=auth("reader"))
    assert bad.status_code == 422 and bad.get_json()["error"]["problems"][0]["field"] == "shared"


def test_changes_since_name_persons_only_for_planners_and_are_audited(client, api_ws):
    head = api_ws.head()
    client.patch(f"{P}/tables/contacts/c001", json={"values": {"role": "Leitung"}}, headers=auth("editor"))
    client.patch(f"{P}/tables/projects/BLP-01", json={"values": {"status": "completed"}}, headers=auth("editor"))
    reader = client.get(f"{P}/changes?version={head}", headers=auth("reader")).get_json()
    planner = client.get(f"{P}/changes?version={head}", headers=auth("planner")).get_json()
    assert reader["counts"]["contacts_changed"] == planner["counts"]["contacts_changed"] == 1
    assert reader["counts"]["projects_ended"] == 1 and "contacts_changed" in reader["hidden"]
    assert "Jürgen" not in str(reader) and "Jürgen Müller" in str(planner)
    assert [i["section"] for i in planner["items"]] == ["projects_ended", "contacts_changed"]
    audit = [r for r in read_audit(api_ws.path.parent / "audit.jsonl") if r["what"] == "api: changes since"]
    assert audit and audit[-1]["contact_ids"] == ["contact:c001"]
    assert client.get(f"{P}/changes", headers=auth("reader")).status_code == 422
    assert client.get(f"{P}/changes?version=999", headers=auth("reader")).status_code == 404
    assert client.get(f"{P}/changes?date=gestern", headers=auth("reader")).status_code == 422
    assert client.get(f"{P}/changes?date=2020-01-01", headers=auth("reader")).get_json()["base"] == 0


def test_nothing_is_lost_across_a_restart(api_ws, monkeypatch):
    monkeypatch.setenv(ENV_TOKENS, ",".join(f"{role}-client:{role}:{token}" for role, token in TOKENS.items()))
    first = serve_workspace(api_ws, live=False).server.test_client()
    sid = _shortlist(first).get_json()["id"]
    node = first.get(f"{P}/shortlists/{sid}", headers=auth("reader")).get_json()["items"][1]["node"]
    first.post(f"{P}/shortlists/{sid}/moves", json={"node": node, "to": "deferred", "reason": "timing"},
               headers=auth("editor"))
    vid = first.post(f"{P}/views", json={"name": "Bleibt", "page": "/kontakte", "state": "land=DE-HE", "shared": True},
                     headers=auth("planner")).get_json()["id"]
    second = serve_workspace(api_ws, live=False).server.test_client()
    item = second.get(f"{P}/shortlists/{sid}", headers=auth("reader")).get_json()["items"][1]
    assert (item["status"], item["reason"]) == ("deferred", "timing")
    assert second.get(f"{P}/views/{vid}", headers=auth("editor")).get_json()["href"] == "/kontakte?land=DE-HE"
    changes = second.get(f"{P}/changes?version=1", headers=auth("reader")).get_json()
    assert [(i["label"], i["after"]) for i in changes["items"] if i["section"] == "pipeline"] == [(item["label"], "deferred")]


def test_changes_mask_contacts_without_consent_and_export_a_meeting_table(client, api_ws):
    head = api_ws.head()
    client.patch(f"{P}/tables/contacts/c007", json={"values": {"role": "Referat 3"}}, headers=auth("editor"))
    client.patch(f"{P}/tables/contacts/c001", json={"values": {"role": "=HYPERLINK(\"http://x\")"}}, headers=auth("editor"))
    name = api_ws.rows("contacts", ["c007"])["c007"]["name"]
    planner = client.get(f"{P}/changes?version={head}", headers=auth("planner")).get_json()
    labels = [i["label"] for i in planner["items"]]
    assert "Kontakt ohne Einwilligung (c007)" in labels and name not in str(planner)
    r = client.get(f"{P}/changes?version={head}&format=csv&lang=en", headers=auth("planner"))
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.headers["Content-Disposition"].endswith(f'partnernetz-changes-v{head}.csv"')
    text = r.get_data().decode("utf-8-sig")
    assert text.splitlines()[0] == "Area;Name;What;List;Time;By"
    assert "Jürgen Müller" in text and name not in text and "=HYPERLINK" not in text  # only field names, never values
    audit = [x for x in read_audit(api_ws.path.parent / "audit.jsonl") if x["what"] == "changes since"]
    assert audit[-1]["contact_ids"] == ["contact:c001"] and audit[-1]["format"] == "csv"
    reader = client.get(f"{P}/changes?version={head}&format=xlsx", headers=auth("reader"))
    assert reader.status_code == 200 and reader.data[:2] == b"PK"
    assert client.get(f"{P}/changes?version={head}&format=pdf", headers=auth("reader")).status_code == 422
