"""The guest-list routes of the JSON API: the whole way from a saved list to
attendance in the network, per role, and across a server restart."""

from __future__ import annotations

import base64

import pytest

from dashboard.access import ROLES
from loaders.workspace.guestlists import GuestLists
from tests.api.conftest import auth, serve_workspace

P = "/api/v1"

CSV = ("Name;E-Mail;Institution\n"
       "Annika Brömmel;annika.broemmel@example.org;\n"
       "Juergen Mueller;;hlft\n"
       "Erika Unbekannt;erika@example.net;Irgendwo\n").encode()


def upload(kind: str = "attendance", data: bytes = CSV, name: str = "teilnahme.csv") -> dict:
    return {"kind": kind, "filename": name, "content_base64": base64.b64encode(data).decode()}


def saved(client, role: str = "planner", **body) -> dict:
    body = {"name": "Netzwerktreffen", "guests": ["c004", "contact:c006", "c002"], "event": "e07",
            "settings": {"quotas": [{"dimension": "sector", "value": "*", "min": 1}]}, **body}
    r = client.post(f"{P}/guestlists", json=body, headers=auth(role))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_from_guest_list_to_attendance_in_the_network_and_after_a_restart(client, api_ws, api_app):
    gl = saved(client)
    gid = gl["id"]
    assert gl["counts"] == {"invited": 3, "accepted": 0, "declined": 0, "attended": 0}
    assert gl["event"] == "event:e07" and gl["new_event_version"] is None
    r = client.post(f"{P}/guestlists/{gid}/guests/c006/status", json={"status": "accepted"}, headers=auth("planner"))
    assert r.get_json() == {"guestlist": gid, "contact": "contact:c006", "status": "accepted"}

    imp = client.post(f"{P}/guestlists/{gid}/imports", json=upload(), headers=auth("planner")).get_json()
    assert (imp["read"], imp["matched"], imp["open"]) == (3, 2, 1)
    open_row = next(r for r in imp["rows"] if r["match"] is None)
    assert (open_row["number"], open_row["name"]) == (4, "Erika Unbekannt")
    r = client.post(f"{P}/guestlists/{gid}/imports/{imp['id']}/confirm", headers=auth("editor"))
    assert r.status_code == 409 and "still need a decision" in r.get_json()["error"]["message"]

    # the server restarts: the review state is in the workspace
    client = serve_workspace(api_ws).server.test_client()
    r = client.get(f"{P}/guestlists/{gid}/imports/{imp['id']}", headers=auth("planner"))
    assert r.get_json()["open"] == 1
    r = client.post(f"{P}/guestlists/{gid}/imports/{imp['id']}/rows/4", json={"resolution": "contact", "contact": "c006"},
                    headers=auth("planner"))
    assert r.status_code == 200 and r.get_json()["open"] == 0
    r = client.post(f"{P}/guestlists/{gid}/imports/{imp['id']}/confirm", headers=auth("planner"))
    assert r.status_code == 403  # an attendance list writes the network: editors
    head = api_ws.head()
    r = client.post(f"{P}/guestlists/{gid}/imports/{imp['id']}/confirm", headers=auth("editor"))
    body = r.get_json()
    assert r.status_code == 200, body
    assert body["version"] == head + 1 and body["live"] is True
    assert set(body["attendance"]) == {"e07|c004", "e07|c001", "e07|c006"}
    assert body["counts"] == {"invited": 0, "accepted": 0, "declined": 0, "attended": 3}
    # the network serves the attendance edges
    row = client.get(f"{P}/tables/attendance/e07|c006", headers=auth("reader")).get_json()
    assert row["event"] == "e07"

    client = serve_workspace(api_ws).server.test_client()  # and again after a restart
    detail = client.get(f"{P}/guestlists/{gid}", headers=auth("planner")).get_json()
    assert {g["contact"]: g["status"] for g in detail["guests"]} == {
        "contact:c004": "attended", "contact:c006": "attended", "contact:c002": "attended"}
    assert detail["imports"][0]["state"] == "confirmed"
    assert all(q["attended"] <= q["invited"] for q in detail["quota"]) and detail["quota"]
    moves = client.get(f"{P}/invitation-events", headers=auth("planner")).get_json()
    assert [(m["contact"], m["from"], m["to"]) for m in moves][-4:] == [
        ("contact:c006", "invited", "accepted"), ("contact:c004", "invited", "attended"),
        ("contact:c002", "invited", "attended"), ("contact:c006", "accepted", "attended")]
    later = client.get(f"{P}/invitation-events?since={moves[-1]['time']}", headers=auth("planner")).get_json()
    assert later and all(m["time"] >= moves[-1]["time"] for m in later)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_do_what(client, api_ws, role):
    gid = GuestLists(api_ws).save("Liste", owner="t", guests=["c004"], event="e07", user="t")[0]
    level = ROLES.index(role)

    def status(method: str, path: str, body=None) -> int:
        return client.open(P + path, method=method, json=body, headers=auth(role)).status_code

    assert status("GET", "/guestlists") == 200  # names no person
    assert status("GET", f"/guestlists/{gid}/quota") == (200 if level >= 1 else 403)
    assert status("GET", f"/guestlists/{gid}") == (200 if level >= 1 else 403)
    assert status("GET", "/invitation-events") == (200 if level >= 1 else 403)
    assert status("POST", f"/guestlists/{gid}/guests/c004/status", {"status": "declined"}) == (200 if level >= 1 else 403)
    assert status("POST", f"/guestlists/{gid}/imports", upload()) == (201 if level >= 1 else 403)
    new_event = {"name": "Neu", "guests": ["c004"], "new_event": {"title": "Werkstatt", "date": "2026-11-03"}}
    head = api_ws.head()
    assert status("POST", "/guestlists", new_event) == (201 if level >= 2 else 403)
    assert api_ws.head() == (head + 1 if level >= 2 else head)


def test_a_reader_never_sees_guests_and_a_masked_guest_stays_masked(client, api_ws):
    masked = next(k for k, r in api_ws.rows("contacts").items() if r["consent"] != "true")
    gid = GuestLists(api_ws).save("Liste", owner="t", guests=["c004", masked], event="e07", user="t")[0]
    listing = client.get(f"{P}/guestlists", headers=auth("reader")).get_json()
    assert "guests" not in listing[0] and listing[0]["counts"]["invited"] == 2
    detail = client.get(f"{P}/guestlists/{gid}", headers=auth("planner")).get_json()
    names = {g["contact"]: (g["name"], g["masked"]) for g in detail["guests"]}
    assert names[f"contact:{masked}"][1] is True
    assert names[f"contact:{masked}"][0] != api_ws.rows("contacts", [masked])[masked]["name"]


def test_bad_input_is_named(client, api_ws):
    gid = saved(client)["id"]
    r = client.post(f"{P}/guestlists", json={"name": "X", "guests": ["c004"]}, headers=auth("planner"))
    assert r.status_code == 422 and r.get_json()["error"]["problems"][0]["field"] == "event"
    r = client.post(f"{P}/guestlists", json={"name": "X", "guests": ["c004"], "event": "e07", "extra": 1},
                    headers=auth("planner"))
    assert r.status_code == 422 and r.get_json()["error"]["problems"][0]["field"] == "extra"
    r = client.post(f"{P}/guestlists", json={"name": "X", "guests": ["c004"], "event": "e07",
                                             "settings": {"quotas": [{"dimension": "hair", "value": "*"}]}},
                    headers=auth("planner"))
    assert r.status_code == 422 and "unknown quota dimension 'hair'" in r.get_json()["error"]["message"]
    r = client.post(f"{P}/guestlists", json={"name": "X", "guests": ["c004"], "new_event": {"title": "T", "date": "bald"}},
                    headers=auth("editor"))
    assert r.status_code == 422 and r.get_json()["error"]["problems"][0]["field"] == "date"
    r = client.post(f"{P}/guestlists/{gid}/imports", json=upload(data=b"%PDF", name="liste.pdf"), headers=auth("planner"))
    assert r.status_code == 422 and "liste.pdf: unknown format .pdf" in r.get_json()["error"]["message"]
    r = client.post(f"{P}/guestlists/{gid}/imports", json={**upload(), "content_base64": "@@"}, headers=auth("planner"))
    assert r.status_code == 422 and r.get_json()["error"]["problems"][0]["field"] == "content_base64"
    bad = "Name;E-Mail\n;\n;nur-text\nA;a@b.de\n".encode()
    imp = client.post(f"{P}/guestlists/{gid}/imports", json=upload(data=bad), headers=auth("planner")).get_json()
    assert [(p["level"], p["file"], p["row"], p["column"], p["value"]) for p in imp["problems"]] == [
        ("error", "teilnahme.csv", 3, "email", "nur-text")]
    assert (imp["read"], imp["rejected"], len(imp["rows"])) == (2, 1, 1)
    r = client.post(f"{P}/guestlists/{gid}/guests/c004/status", json={"status": "attended"}, headers=auth("planner"))
    assert r.status_code == 409 and "attendance list" in r.get_json()["error"]["message"]
    r = client.post(f"{P}/guestlists/{gid}/guests/c999/status", json={"status": "accepted"}, headers=auth("planner"))
    assert r.status_code == 404
    assert client.get(f"{P}/guestlists/999", headers=auth("planner")).status_code == 404
    assert client.get(f"{P}/guestlists/{gid}/imports/999", headers=auth("planner")).status_code == 404
    r = client.post(f"{P}/guestlists/{gid}/imports/{imp['id']}/rows/77", json={"resolution": "ignore"},
                    headers=auth("planner"))
    assert r.status_code == 404 and "has no row 77" in r.get_json()["error"]["message"]
