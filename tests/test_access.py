"""Users and roles at the access seam: login, sessions, throttling, expiry,
proxy-header rules, bearer tokens, Origin checks, security headers, audit
entries — and the role × (page, callback, download) matrix: a reader who
forges any Dash callback gets no personal data."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3

import pytest
from flask import Flask

from dashboard.access import AccessConfig, Identity, contact_rule_for, current_identity, require_role
from dashboard.app import create_app
from dashboard.auth import AuthConfig
from dashboard.settings import Settings
from graph.people.privacy import mask_unconsented
from graph.people.roles import Role
from loaders import SAMPLE_PATH, load
from loaders.audit import AuditSink, read_audit
from loaders.workspace.accounts import AccountStore
from loaders.workspace.audit_trail import AuditTrail
from tests.helpers import downloaded_file

PASSWORD = "korrekt-pferd-batterie"
ROLES = ("reader", "planner", "editor", "admin")
HOST = "http://localhost"


def _personal_strings(graph) -> list[str]:
    """Names and e-mail addresses of the contacts (what must never reach a reader)."""
    out = set()
    for nid in graph.nodes("contact"):
        attrs = graph.node(nid)
        if attrs.get("masked"):
            continue
        out.add(attrs["label"])
        if attrs.get("email"):
            out.add(attrs["email"])
    return sorted(s for s in out if len(s) > 5)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("access")
    db = tmp / "ws.sqlite"
    accounts, trail = AccountStore(db), AuditTrail(db)
    for role in ROLES:
        accounts.add(role, PASSWORD, role, display=role.title())
    result = load(SAMPLE_PATH)
    graph = result.graph
    mask_unconsented(graph)
    config = AccessConfig(accounts=accounts, audit=AuditSink(tmp / "audit.jsonl", trail), idle_minutes=30)
    app = create_app(graph, Settings(audit_log=str(tmp / "audit.jsonl")), report=result.report, access=config)
    return {"app": app, "accounts": accounts, "trail": trail, "graph": graph, "db": db, "tmp": tmp,
            "personal": _personal_strings(graph), "config": config}


def login(client, user: str, password: str = PASSWORD, address: str = "127.0.0.1"):
    return client.post("/login", data={"user": user, "password": password, "next": "/"},
                       headers={"Origin": HOST}, environ_base={"REMOTE_ADDR": address})


def client_as(world, role: str):
    client = world["app"].server.test_client()
    resp = login(client, role)
    assert resp.status_code == 303, resp.get_data(as_text=True)
    return client


def readable(resp) -> str:
    """The response body with JSON's \\u escapes undone (names with umlauts)."""
    text = resp.get_data(as_text=True)
    try:
        return json.dumps(json.loads(text), ensure_ascii=False)
    except ValueError:
        return text


def leaks(text: str, personal: list[str]) -> list[str]:
    return [s for s in personal if s in text] + (["contact:"] if "contact:" in text else [])


# ------------------------------------------------------------------ login
def test_without_a_session_pages_redirect_to_login_and_the_rest_gets_401(world):
    client = world["app"].server.test_client()
    page = client.get("/analysen?lang=en", headers={"Accept": "text/html"})
    assert page.status_code == 303 and page.headers["Location"].startswith("/login?next=/analysen")
    for path in ("/_dash-layout", "/_dash-dependencies", "/assets/style.css", "/_dash-component-suites/x.js"):
        assert client.get(path).status_code == 401, path
    assert client.post("/_dash-update-component", json={}, headers={"Origin": HOST}).status_code == 401
    form = client.get("/login?lang=en")
    assert form.status_code == 200 and "Sign in" in form.get_data(as_text=True)
    assert "Anmelden" in client.get("/login").get_data(as_text=True)


def test_login_sets_a_safe_cookie_and_logout_ends_the_session(world):
    client = world["app"].server.test_client()
    resp = login(client, "planner")
    assert resp.status_code == 303 and resp.headers["Location"] == "/?lang=de"
    cookie = resp.headers["Set-Cookie"]
    assert "pn_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP here; Secure over TLS (next test)
    token = re.search(r"pn_session=([^;]+)", cookie).group(1)
    assert client.get("/_dash-layout").status_code == 200
    out = client.post("/logout", headers={"Origin": HOST})
    assert out.status_code == 200 and "abgemeldet" in out.get_data(as_text=True)
    assert world["accounts"].account_for_session(token, idle_seconds=60) is None
    assert client.get("/_dash-layout").status_code == 401
    kinds = [e["kind"] for e in world["trail"].query(user="planner", kind=["login", "logout"], limit=2)]
    assert kinds == ["logout", "login"]


def test_the_cookie_is_secure_over_tls(world):
    client = world["app"].server.test_client()
    resp = client.post("/login", data={"user": "reader", "password": PASSWORD}, base_url="https://localhost",
                       headers={"Origin": "https://localhost"})
    assert resp.status_code == 303 and "Secure" in resp.headers["Set-Cookie"]


def test_next_never_leads_off_site(world):
    client = world["app"].server.test_client()
    resp = client.post("/login", data={"user": "reader", "password": PASSWORD, "next": "//evil.example/x"},
                       headers={"Origin": HOST})
    assert resp.headers["Location"] == "/?lang=de"


def test_failed_logins_are_throttled_per_address(world):
    client = world["app"].server.test_client()
    address = "10.9.9.1"
    for n in range(5):
        resp = login(client, f"nobody{n}", "wrong-password-x", address=address)
        assert resp.status_code == 401 and "falsch" in resp.get_data(as_text=True)
    blocked = login(client, "admin", address=address)  # even the right password: blocked for a minute
    assert blocked.status_code == 429 and blocked.headers["Retry-After"] == "60"
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in blocked.get_data(as_text=True)
    assert login(client, "admin", address="10.9.9.2").status_code == 303  # another address is not blocked
    assert world["trail"].count("login_failed", since=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1),
                                address=address) == 5
    assert world["trail"].query(kind="login_throttled", limit=1)[0]["address"] == address


def test_failed_logins_are_throttled_per_user(world):
    world["accounts"].add("victim", PASSWORD, "reader")
    client = world["app"].server.test_client()
    for n in range(5):  # a distributed attack: one try per address
        assert login(client, "victim", "wrong-password-x", address=f"10.8.0.{n}").status_code == 401
    resp = login(client, "victim", address="10.8.1.1")
    assert resp.status_code == 429 and "Zu viele" in resp.get_data(as_text=True)


def test_idle_sessions_expire(world):
    client = client_as(world, "editor")
    assert client.get("/_dash-layout").status_code == 200
    old = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=31)).isoformat(timespec="milliseconds")
    with sqlite3.connect(world["db"]) as con:
        con.execute("UPDATE sessions SET last_seen = ? WHERE name = 'editor'", (old,))
    assert client.get("/_dash-layout").status_code == 401
    page = client.get("/?lang=en", headers={"Accept": "text/html"})
    assert page.status_code == 303
    again = client.get(page.headers["Location"])
    assert "expired" in again.get_data(as_text=True) or "abgelaufen" in again.get_data(as_text=True)


def test_disabled_user_loses_the_session_at_once(world):
    world["accounts"].add("leaver", PASSWORD, "planner")
    client = client_as(world, "leaver")
    assert client.get("/_dash-layout").status_code == 200
    world["accounts"].set_disabled("leaver")
    assert client.get("/_dash-layout").status_code == 401
    assert login(client, "leaver").status_code == 401


def test_cross_site_posts_are_refused(world):
    client = client_as(world, "admin")
    evil = client.post("/_dash-update-component", json={}, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403
    assert client.post("/_dash-update-component", json={}, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.post("/login", data={"user": "admin", "password": PASSWORD},
                       headers={"Origin": "https://evil.example"}).status_code == 403
    # behind a reverse proxy on loopback the public host arrives as X-Forwarded-Host
    proxied = {"Origin": "https://partnernetz.example", "X-Forwarded-Host": "partnernetz.example"}
    assert client.post("/_dash-update-component", json={}, headers=proxied).status_code != 403
    assert client.post("/_dash-update-component", json={}, headers=proxied,
                       environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code == 403  # not from a trusted proxy


def test_security_headers_on_every_response(world):
    client = world["app"].server.test_client()
    for resp in (client.get("/login"), client.get("/_dash-layout"), client_as(world, "reader").get("/")):
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["X-Frame-Options"] == "DENY"
        assert resp.headers["Referrer-Policy"] == "same-origin"
        csp = resp.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert "'unsafe-eval'" not in csp and "script-src 'self' 'sha256-" in csp


# ------------------------------------------------------------------ tokens
def test_api_tokens_identify_their_user(world):
    token = world["accounts"].new_token("planner")
    client = world["app"].server.test_client()
    assert client.get("/_dash-layout", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/_dash-layout", headers={"Authorization": "Bearer pn_forged"}).status_code == 401
    with world["app"].server.test_request_context("/", headers={"Authorization": f"Bearer {token}"}):
        world["app"].server.preprocess_request()
        assert current_identity() == Identity("planner", Role.PLANNER, "Planner", via="token")
        assert contact_rule_for() == "masked"
        with pytest.raises(Exception) as denied:
            require_role("editor")
        assert getattr(denied.value, "code", None) == 403


# ------------------------------------------------------------------ proxy mode
def _proxy_app(world, **env):
    auth = AuthConfig.from_env({"PARTNERNETZ_AUTH_HEADER": "X-Forwarded-User",
                                "PARTNERNETZ_TRUSTED_PROXIES": "10.0.0.1",
                                "PARTNERNETZ_GROUP_HEADER": "X-Forwarded-Groups",
                                "PARTNERNETZ_GROUP_ROLES": "pn-planung=planner,pn-admins=admin", **env})
    config = AccessConfig(accounts=world["accounts"], audit=AuditSink(None, world["trail"]), auth=auth)
    return create_app(world["graph"], Settings(), access=config)


def test_proxy_header_rules(world):
    app = _proxy_app(world)
    client = app.server.test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.1"}

    def who(headers, env=proxy):
        with app.server.test_request_context("/", headers=headers, environ_base=env):
            refused = app.server.preprocess_request()
            return refused.status_code if refused is not None else current_identity()

    assert who([("X-Forwarded-User", "anna")]) == Identity("anna", Role.READER, "anna", via="proxy")
    assert who([("X-Forwarded-User", "anna")], {"REMOTE_ADDR": "10.0.0.2"}) == 401  # not from the proxy
    # a duplicate header reaches the app joined with a comma (WSGI), and is refused
    assert who([("X-Forwarded-User", "attacker"), ("X-Forwarded-User", "admin")]) == 401
    assert who([("X-Forwarded-User", "attacker,admin")]) == 401  # comma-joined
    assert who([("X-Forwarded-User", "")]) == 401
    assert who([("X-Forwarded-User", "anna"), ("X-Forwarded-Groups", "staff, pn-planung")]).role is Role.PLANNER
    assert who([("X-Forwarded-User", "editor")]).role is Role.EDITOR  # no group: the account table
    world["accounts"].add("gone", PASSWORD, "admin")
    world["accounts"].set_disabled("gone")
    assert who([("X-Forwarded-User", "gone")]) == 401
    assert client.get("/_dash-layout", headers={"X-Forwarded-User": "anna"},
                      environ_base=proxy).status_code == 200


# ------------------------------------------------------------------ the matrix
def _values(graph) -> dict[str, object]:
    from dashboard.viewstate import parse_query

    persons = sorted(n for n in graph.nodes("contact") if not graph.node(n).get("masked"))
    person = persons[0]
    event = sorted(graph.nodes("event"))[0]
    employer = sorted(n for n in graph.neighbours(person) if n.startswith("institution:"))[0]
    return {
        "network-state.data": parse_query({"focus": person, "selected": person}),
        "network-neighbours-of.data": {"node": employer},  # its neighbour lists name the person
        "network-cyto.tapNodeData": {"id": person},
        "network-filter-kinds.value": ["contact", "institution"], "network-layout.value": "concentric",
        "network-search.value": persons[0], "network-search.search_value": graph.node(person)["label"][:4],
        "contacts-themes.value": ["theme:water"], "contacts-event.value": event,
        "contacts-history-of.value": person, "contacts-quota-dim.value": "sector",
        "contacts-quotas-store.data": [{"dimension": "sector", "value": "science", "min": 1, "max": 2}],
        "contacts-list-store.data": persons[:5], "contacts-size.value": 3, "contacts-results.cellClicked": {"rowId": person},
        "contacts-include.search_value": "a", "contacts-exclude.search_value": "a",
        "contacts-add-person.search_value": "a", "contacts-history-of.search_value": "a",
        "matchmaking-target.value": "country:TZA", "matchmaking-target.search_value": "tan",
        "matchmaking-what.value": "institution", "matchmaking-top.value": 10,
        "analytics-lc-measure.value": "institutions", "analytics-sankey-measure.value": "count",
        "analytics-period-a.value": "pilot", "analytics-period-b.value": "II",
        "url.pathname": "/kontakte", "_pages_location.pathname": "/kontakte",
        "_pages_location.search": "?lang=de",
    }


def _call_every_callback(app, client, values, *, reading_the_path_only: bool = False):
    """POST every server callback once per trigger (downloads included);
    yields ``(key, status, body)``. ``reading_the_path_only``: only the
    callbacks that read the location's path (the others answer the same on
    every page, and were called already)."""
    for key, entry in app.callback_map.items():
        if "callback" not in entry:
            continue
        deps = entry["inputs"] + entry["state"]
        if any(isinstance(d["id"], dict) or d["id"].startswith("{") for d in deps):
            continue  # pattern-matching ids: the analytics chart CSVs (no contact data) and the like
        if reading_the_path_only and not any(d["property"] == "pathname" for d in deps):
            continue
        outputs = [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1].split("@")[0]}
                   for o in key.strip(".").split("...")]
        for trigger in entry["inputs"]:
            payload = {"output": key, "outputs": outputs if key.startswith("..") else outputs[0],
                       "inputs": [{**d, "value": values.get(f"{d['id']}.{d['property']}",
                                                            1 if d["property"] == "n_clicks" else None)}
                                  for d in entry["inputs"]],
                       "state": [{**d, "value": values.get(f"{d['id']}.{d['property']}")} for d in entry["state"]],
                       "changedPropIds": [f"{trigger['id']}.{trigger['property']}"]}
            resp = client.post("/_dash-update-component", json=payload, headers={"Origin": HOST})
            yield key, trigger, resp.status_code, readable(resp)


def test_a_reader_forging_any_callback_gets_no_personal_data(world):
    """Every callback (pages included: the page-content callback renders each
    page's layout), called as a reader with inputs naming real contacts."""
    reader = client_as(world, "reader")
    values = _values(world["graph"])
    called, statuses = 0, {}
    for path in ("/", "/matchmaking", "/kontakte", "/analysen", "/daten", "/protokoll"):
        values["_pages_location.pathname"] = values["url.pathname"] = path
        for key, trigger, status, body in _call_every_callback(world["app"], reader, values,
                                                               reading_the_path_only=path != "/"):
            assert status in (200, 204, 403), (key, trigger, status, body[-500:])
            assert leaks(body, world["personal"]) == [], (key, trigger)
            statuses[status] = statuses.get(status, 0) + 1
            called += 1
    assert called > 60 and statuses.get(403, 0) >= 3  # guest-list download, publish, Protokoll … refused


def test_a_planner_does_get_contacts_through_the_same_callbacks(world):
    """The control: the same forged calls as a planner return contact names,
    so the reader test above can fail."""
    planner = client_as(world, "planner")
    values = _values(world["graph"])
    found = set()
    for key, trigger, status, body in _call_every_callback(world["app"], planner, values):
        if status == 200 and leaks(body, world["personal"]):
            found.add(key.split(".")[0].lstrip("."))
    assert len(found) >= 3, found


PAGES = {"/": "network", "/matchmaking": "matchmaking", "/kontakte": "contacts", "/analysen": "analytics",
         "/daten": "data", "/protokoll": "audit"}


def _page(client, path: str) -> str:
    path, _, query = path.partition("?")  # a page's own state (e.g. the Analysen tab) rides in the search
    payload = {"output": ".._pages_content.children..._pages_store.data..",
               "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
               "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                          {"id": "_pages_location", "property": "search", "value": f"?{query + '&' if query else ''}lang=de"}],
               "state": [], "changedPropIds": ["_pages_location.pathname"]}
    resp = client.post("/_dash-update-component", json=payload, headers={"Origin": HOST})
    assert resp.status_code == 200, resp.get_data(as_text=True)[-500:]
    return readable(resp)


#: role -> what each page must (True) or must not (False) contain
MATRIX = {
    # (path, marker): {role: present}
    ("/kontakte", "contacts-no-access"): {"reader": True, "planner": False, "editor": False, "admin": False},
    ("/kontakte", "contacts-dl-xlsx"): {"reader": False, "planner": True, "editor": True, "admin": True},
    ("/daten", "data-ws-not-editor"): {"reader": None, "planner": None, "editor": None, "admin": None},
    ("/protokoll", "audit-denied"): {"reader": True, "planner": True, "editor": True, "admin": False},
    ("/protokoll", "audit-grid"): {"reader": False, "planner": False, "editor": False, "admin": True},
    ("/analysen?tab=export", "analytics-btn-graphml"): {"reader": True, "planner": True, "editor": True, "admin": True},
    ("/daten", '"Teilnahmen"'): {"reader": False, "planner": True, "editor": True, "admin": True},  # contacts not counted
}


@pytest.mark.parametrize("role", ROLES)
def test_role_page_matrix(world, role):
    client = client_as(world, role)
    layout = json.dumps(client.get("/_dash-layout").get_json())
    nav = {path: f'"href": "{path}?lang=' in layout for path in PAGES}
    assert nav["/kontakte"] is (role != "reader") and nav["/protokoll"] is (role == "admin")
    for (path, marker), expected in MATRIX.items():
        if expected[role] is None:
            continue
        body = _page(client, path)
        assert (marker in body) is expected[role], (role, path, marker)
        if role == "reader":
            assert leaks(body, world["personal"]) == [], path


def _download(client, output: str, trigger: str, states: list[dict] | None = None):
    payload = {"output": output, "outputs": {"id": output.split(".")[0], "property": "data"},
               "inputs": [{"id": trigger, "property": "n_clicks", "value": 1}], "state": states or [],
               "changedPropIds": [f"{trigger}.n_clicks"]}
    return client.post("/_dash-update-component", json=payload, headers={"Origin": HOST})


def _analytics_export(client):
    payload = {"output": "analytics-export.data", "outputs": {"id": "analytics-export", "property": "data"},
               "inputs": [{"id": "analytics-btn-graphml", "property": "n_clicks", "value": 1},
                          {"id": "analytics-btn-gexf", "property": "n_clicks", "value": None}],
               "state": [{"id": "url", "property": "search", "value": "?lang=de"}],
               "changedPropIds": ["analytics-btn-graphml.n_clicks"]}
    return client.post("/_dash-update-component", json=payload, headers={"Origin": HOST})


@pytest.mark.parametrize("role", ROLES)
def test_role_download_matrix_and_audit(world, role):
    """The Analysen GraphML download: a reader's holds no contact; a planner's
    only consented ones, and it is audited (table and JSON lines)."""
    client = client_as(world, role)
    before = len(world["trail"].query(kind="egress", user=role))
    resp = _analytics_export(client)
    assert resp.status_code == 200
    content = downloaded_file(resp.get_json(), client)[0].decode()
    graph = world["graph"]
    unconsented = [n for n in graph.nodes("contact") if graph.node(n).get("masked")]
    assert not any(f'"{n}"' in content for n in unconsented)  # never: no consent
    after = world["trail"].query(kind="egress", user=role)
    if role == "reader":
        assert "contact:" not in content and leaks(content, world["personal"]) == []
        # the gate records every export; a reader's holds no contact
        assert len(after) == before + 1 and after[0]["rows"] == 0 and after[0]["detail"].get("rule") == "none"
    else:
        assert "contact:" in content
        assert len(after) == before + 1 and after[0]["what"] == "analytics graph download" and after[0]["rows"] > 0
        assert any(e.get("user") == role and e["what"] == "analytics graph download"
                   for e in read_audit(world["tmp"] / "audit.jsonl"))


def test_guest_list_download_needs_planner_and_is_audited(world):
    graph = world["graph"]
    persons = sorted(n for n in graph.nodes("contact") if not graph.node(n).get("masked"))[:3]
    states = [{"id": "contacts-list-store", "property": "data", "value": persons},
              {"id": "contacts-separator", "property": "value", "value": ";"},
              {"id": "url", "property": "search", "value": "?lang=de"}]
    reader = client_as(world, "reader")
    output = next(d["output"] for d in reader.get("/_dash-dependencies").get_json()
                  if "contacts-download.data" in d["output"])  # with the message line (an allow_duplicate output)
    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
               for part in output.strip(".").split("...")]
    payload = {"output": output, "outputs": outputs,
               "inputs": [{"id": "contacts-dl-xlsx", "property": "n_clicks", "value": None},
                          {"id": "contacts-dl-csv", "property": "n_clicks", "value": 1},
                          {"id": "contacts-dl-vcf", "property": "n_clicks", "value": None}],
               "state": states, "changedPropIds": ["contacts-dl-csv.n_clicks"]}
    assert reader.post("/_dash-update-component", json=payload, headers={"Origin": HOST}).status_code == 403
    assert world["trail"].query(kind="denied", user="reader", limit=1)
    planner = client_as(world, "planner")
    resp = planner.post("/_dash-update-component", json=payload, headers={"Origin": HOST})
    assert resp.status_code == 200
    entry = world["trail"].query(kind="egress", user="planner", limit=1)[0]
    assert entry["what"] == "guest list" and entry["format"] == "csv"
    assert entry["contact_ids"] and set(entry["contact_ids"]) <= set(persons)  # duplicates merged into one person


def test_local_mode_without_users_is_a_single_admin(world, sample):
    app = create_app(sample.graph, Settings())
    client = app.server.test_client()
    layout = json.dumps(client.get("/_dash-layout").get_json())
    assert "local-admin-banner" in layout and "/protokoll?lang=" in layout
    assert client.get("/login").status_code == 303


def test_audit_page_filters_and_exports(world):
    admin = client_as(world, "admin")
    payload = {"output": "..audit-grid.rowData...audit-count.children..",
               "outputs": [{"id": "audit-grid", "property": "rowData"}, {"id": "audit-count", "property": "children"}],
               "inputs": [{"id": "audit-user", "property": "value", "value": "admin"},
                          {"id": "audit-kind", "property": "value", "value": ["login"]},
                          {"id": "audit-since", "property": "value", "value": dt.date.today().isoformat()},
                          {"id": "audit-until", "property": "value", "value": None}],
               "state": [{"id": "url", "property": "search", "value": "?lang=en"}],
               "changedPropIds": ["audit-user.value"]}
    resp = admin.post("/_dash-update-component", json=payload, headers={"Origin": HOST})
    assert resp.status_code == 200, resp.get_data(as_text=True)[-800:]
    rows = resp.get_json()["response"]["audit-grid"]["rowData"]
    assert rows and {r["user"] for r in rows} == {"admin"} and {r["kind"] for r in rows} == {"Sign-in"}
    editor = client_as(world, "editor")
    assert editor.post("/_dash-update-component", json=payload, headers={"Origin": HOST}).status_code == 403


@pytest.mark.parametrize("role", ["reader", "planner"])
def test_search_suggestions_find_contacts_only_for_planners(world, role):
    """The pattern-matching search-suggestion callback (skipped by the walk above)."""
    graph = world["graph"]
    person = sorted(n for n in graph.nodes("contact") if not graph.node(n).get("masked"))[0]
    name = graph.node(person)["label"]
    for part in (name, name.split()[-1]):
        payload = {"output": '{"role":["MATCH"],"type":"network-suggestions"}.children',
                   "outputs": {"id": {"role": "search", "type": "network-suggestions"}, "property": "children"},
                   "inputs": [{"id": {"role": "search", "type": "network-query"}, "property": "value", "value": part}],
                   "state": [{"id": "network-state", "property": "data", "value": None}],
                   "changedPropIds": ['{"role":"search","type":"network-query"}.value']}
        resp = client_as(world, role).post("/_dash-update-component", json=payload, headers={"Origin": HOST})
        assert resp.status_code == 200, resp.get_data(as_text=True)[-500:]
        found = name in readable(resp)
        assert found is (role == "planner"), (role, part)


def test_basic_auth_hashes_once_per_login_not_per_request(world, monkeypatch):
    """The environment's single Basic account: the slow hash runs once, then
    the verified credential is remembered (the 2 s p95 of issue 16)."""
    import base64

    from werkzeug.security import generate_password_hash

    auth = AuthConfig(mode="basic", user="planung", password_hash=generate_password_hash(PASSWORD))
    calls = []
    original = AuthConfig.verify_basic
    monkeypatch.setattr(AuthConfig, "verify_basic", lambda self, u, p: calls.append(u) or original(self, u, p))
    app = create_app(world["graph"], Settings(), access=AccessConfig(auth=auth))
    client = app.server.test_client()
    good = {"Authorization": "Basic " + base64.b64encode(f"planung:{PASSWORD}".encode()).decode()}
    bad = {"Authorization": "Basic " + base64.b64encode(b"planung:wrong").decode()}
    for _ in range(5):
        assert client.get("/_dash-layout", headers=good).status_code == 200
    assert calls == ["planung"]
    for _ in range(7):
        assert client.get("/_dash-layout", headers=bad, environ_base={"REMOTE_ADDR": "10.7.7.7"}).status_code == 401
    assert len(calls) == 1 + 5  # after 5 failures within a minute no further hash is even tried


def test_beyond_loopback_without_users_everyone_is_a_reader(sample, tmp_path):
    """Served beyond loopback with no users and no auth (only allowed with
    --no-contacts), nobody on the network gets the local admin's rights."""
    import argparse

    import app as cli
    from dashboard.access import AccessConfig

    args = argparse.Namespace(host="0.0.0.0", no_contacts=True, audit_log=str(tmp_path / "a.jsonl"), idle_minutes=30,
                              accounts=None)
    config = cli._access_config(args, None, None)
    assert config.local_role == Role.READER and "reader" in config.describe()
    assert cli._access_config(argparse.Namespace(**{**vars(args), "host": "127.0.0.1"}), None, None).local_role == Role.ADMIN
    served = create_app(sample.graph, Settings(no_contacts=True, host="0.0.0.0"),
                        access=AccessConfig(no_contacts=True, local_role=Role.READER))
    client = served.server.test_client()
    layout = json.dumps(client.get("/_dash-layout").get_json())
    assert "/protokoll?lang=" not in layout  # the audit trail is for admins
    assert client.get("/protokoll").status_code in (200, 403)
    with served.server.test_request_context("/"):
        from dashboard.access import has_role
        served.server.preprocess_request()
        assert not has_role(Role.EDITOR)
