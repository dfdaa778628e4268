"""The Pipeline page's section "Veranstaltungen" by role: every role sees the
guest lists with their counts per status; only planners and up see who is
on a list and the quota check (forged callbacks included)."""

from __future__ import annotations

import json

import pytest

from dashboard import ids
from dashboard.access import AccessConfig
from dashboard.app import create_app
from dashboard.pages.events_view import ID
from dashboard.settings import Settings
from graph.people.privacy import mask_unconsented
from loaders.audit import AuditSink
from loaders.workspace import load_workspace
from loaders.workspace.accounts import AccountStore
from loaders.workspace.audit_trail import AuditTrail
from loaders.workspace.guestlists import GuestLists
from loaders.workspace.location import create_workspace

ROLES = ("reader", "planner", "editor", "admin")
PASSWORD = "ein-langes-Passwort-2026"
HOST = "http://localhost"
GUESTS = ["c004", "c006", "c003"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("events")
    ws = create_workspace(tmp / "ws.sqlite", sample=True, user="test")
    gid, _ = GuestLists(ws).save("Treffen", owner="test", guests=GUESTS, event="e07", user="test",
                                 settings={"quotas": [{"dimension": "sector", "value": "*", "min": 1}]})
    accounts = AccountStore(ws.path)
    for role in ROLES:
        accounts.add(role, PASSWORD, role)
    _version, result = load_workspace(ws)
    mask_unconsented(result.graph)
    config = AccessConfig(accounts=accounts, audit=AuditSink(tmp / "audit.jsonl", AuditTrail(ws.path)))
    app = create_app(result.graph, Settings(workspace=str(ws.path), audit_log=str(tmp / "audit.jsonl")),
                     report=result.report, access=config)
    names = [result.graph.node(f"contact:{c}")["label"] for c in GUESTS]
    return {"app": app, "gid": gid, "names": names}


def client_as(world, role: str):
    client = world["app"].server.test_client()
    resp = client.post("/login", data={"user": role, "password": PASSWORD, "next": "/"}, headers={"Origin": HOST})
    assert resp.status_code == 303
    return client


def detail(client, gid) -> tuple[int, str]:
    outputs = [(ID.DETAIL, "style"), (ID.HEADER, "children"), (ID.QUOTA, "children"), (ID.GUESTS, "rowData"),
               (ID.REVIEW, "children"), (ID.CONFIRM, "disabled"), (ID.DISCARD, "disabled")]
    payload = {"output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
               "outputs": [{"id": i, "property": p} for i, p in outputs],
               "inputs": [{"id": ID.SELECTED, "property": "data", "value": str(gid)},
                          {"id": ID.REFRESH, "property": "data", "value": 0}],
               "state": [{"id": ids.URL, "property": "search", "value": "?lang=de"}],
               "changedPropIds": [f"{ID.SELECTED}.data"]}
    resp = client.post("/_dash-update-component", json=payload, headers={"Origin": HOST})
    return resp.status_code, json.dumps(resp.get_json(), ensure_ascii=False)


@pytest.mark.parametrize("role", ROLES)
def test_names_only_from_planner_on(world, role):
    status, body = detail(client_as(world, role), world["gid"])
    assert status == 200
    assert "Treffen" in body and "3 eingeladen" in body  # the list and its counts per status: every role
    shown = [n for n in world["names"] if n in body]
    if role == "reader":  # neither names nor persons counted per group
        assert shown == [] and "contact:" not in body and "Wissenschaft" not in body
    else:
        assert shown == world["names"] and "Wissenschaft" in body


def test_a_reader_cannot_move_a_status(world):
    client = client_as(world, "reader")
    payload = {"output": f"..{ID.MESSAGE}.children...{ID.REFRESH}.data..",
               "outputs": [{"id": ID.MESSAGE, "property": "children"}, {"id": ID.REFRESH, "property": "data"}],
               "inputs": [{"id": ID.SET_STATUS, "property": "n_clicks", "value": 1}],
               "state": [{"id": ID.SELECTED, "property": "data", "value": str(world["gid"])},
                         {"id": ID.GUESTS, "property": "selectedRows", "value": [{"contact": "contact:c004"}]},
                         {"id": ID.NEW_STATUS, "property": "value", "value": "declined"}],
               "changedPropIds": [f"{ID.SET_STATUS}.n_clicks"]}
    resp = client.post("/_dash-update-component", json=payload, headers={"Origin": HOST})
    assert resp.status_code in (403, 500) or "declined" not in resp.get_data(as_text=True)
