"""Query mode (`serve --neo4j-uri`): nothing pulled at start-up, the
Netzwerk page answered from the store per request (details, paths, filter
options, CSV, suggestions), whole-graph pages on a snapshot refreshed when
Neo4j's data change, fallback with a banner, and the privacy rules applied
to every answer of the store."""

from __future__ import annotations

import copy
import os
import threading
import time

import dash
from dash import html
import pytest

import app
from dashboard.app import create_app
from dashboard.context import CONFIG_KEY, AppContext
from dashboard.pages import network
from dashboard.pages.network import details_panel
from dashboard.settings import Settings
from dashboard.shell import _banner
from dashboard.viewstate import parse_query
from graph.core.errors import NodeNotFound, StoreUnavailable
from graph.store.neo4j import Neo4jStore, connect
from graph.people.privacy import MASKED_LABEL, mask_unconsented, without_contacts
from graph.view import explorer_view
from graph.store import FallbackStore, GraphStore, MemoryStore
from tests.neo4j.behind import INSTITUTION, NEW, NEW_LABEL, add_project_in_neo4j_only
from tests.neo4j.falkordb_server import bolt_handshake, free_port

pytestmark = pytest.mark.neo4j



def _serve_args(*extra: str):
    return app.build_parser().parse_args(["serve", *extra])


def _peer_args(peer, monkeypatch) -> list[str]:
    args = ["--neo4j-uri", peer.uri, "--neo4j-dialect", peer.dialect]
    if peer.database:
        args += ["--neo4j-database", peer.database]
    if peer.user:  # a real Neo4j with auth
        monkeypatch.setenv("NEO4J_PASSWORD", peer.password or "")
        args += ["--neo4j-user", peer.user]
    return args


def _close(store, peer) -> None:
    remote = getattr(store, "primary", None)
    if remote is not None:
        remote.close()
        if peer.falkor is not None:
            bolt_handshake(peer.falkor.bolt_port)  # absorb the descriptor the closed driver leaves behind


def _text(component) -> str:
    return str(component.to_plotly_json())


def test_query_mode_does_not_pull_and_the_network_page_never_touches_a_whole_graph(peer, sample_graph, monkeypatch):
    peer.store().push(sample_graph)
    local = copy.deepcopy(sample_graph)
    mask_unconsented(local)
    pulls = []
    monkeypatch.setattr(Neo4jStore, "pull", lambda self, **kw: pulls.append(1) or pytest.fail("pulled"))
    store = app._query_store(_serve_args(*_peer_args(peer, monkeypatch)), local)
    try:
        assert isinstance(store, GraphStore) and store.name == "neo4j" and store.notice is None
        assert isinstance(store.primary, Neo4jStore) and store.primary.contacts == "masked"
        dash_app = create_app(local, Settings(is_sample=False), store=store)
        ctx = dash_app.server.config[CONFIG_KEY]
        # The Netzwerk page answers from the store: no snapshot, no local graph.
        monkeypatch.setattr(AppContext, "graph", property(lambda self: pytest.fail("whole graph asked for")))
        add_project_in_neo4j_only(peer)  # after start: only answers from Neo4j can know it
        with dash_app.server.test_request_context("/"):
            network.warm_up()
            page = _text(network.layout(lang="de", focus=INSTITUTION, selected=NEW, path=f"{INSTITUTION},land:DE-HE"))
            assert NEW_LABEL in page  # in the picture and as the selected node's title
            # details: neighbours by relation, in the answer that follows the page
            lists = _text(html.Div(network.neighbour_lists(ctx.store, NEW, parse_query({"selected": NEW}), "de")))
            assert "participates_in:in" in lists and "Beteiligte Institutionen" in lists
            assert "Hessen" in page and "ist beteiligt an" in page  # path steps with their relations
            nodes_csv, _ = network.view_csv(ctx.store, parse_query({"focus": INSTITUTION}), "nodes", audit_log=None)
            edges_csv, _ = network.view_csv(ctx.store, parse_query({"focus": INSTITUTION}), "edges", audit_log=None)
            assert f"{NEW},{NEW_LABEL},project" in nodes_csv
            assert f"{INSTITUTION},{NEW},participates_in,partner" in edges_csv
            hits = network.suggestion_list(ctx.store, "hessen", "search", parse_query({}))
            assert "land:DE-HE" in _text(hits[0])
            filters = _text(network._filters(ctx.store, parse_query({}), "de"))
            assert "Äthiopien" in filters and "Hessen" in filters
        assert pulls == []
    finally:
        _close(store, peer)


def test_snapshot_for_whole_graph_pages_is_refreshed_when_neo4j_changes(peer, sample_graph, monkeypatch):
    peer.store().push(sample_graph)
    local = copy.deepcopy(sample_graph)
    mask_unconsented(local)
    store = app._query_store(_serve_args(*_peer_args(peer, monkeypatch), "--neo4j-refresh", "0.2"), local)
    try:
        dash_app = create_app(local, Settings(is_sample=False), store=store)
        ctx = dash_app.server.config[CONFIG_KEY]
        assert store.primary._snapshot is None  # nothing pulled at start
        with dash_app.server.test_request_context("/"):
            first = ctx.graph
            assert first is not local and first.counts_by_kind() == local.counts_by_kind()
            assert first.meta["snapshot"]["source"] == peer.uri and first.meta["snapshot"]["taken_at"]
            assert ctx.cached("projects", lambda: len(list(ctx.graph.nodes("project")))) == 24  # the sample since Dec 2026
            from dashboard.pages import analytics, data, matchmaking

            assert "Abfragemodus" in _text(data.layout(lang="de")) and peer.uri in _text(data.layout(lang="de"))
            add_project_in_neo4j_only(peer)
            deadline = time.monotonic() + 15
            while NEW not in ctx.graph and time.monotonic() < deadline:
                time.sleep(0.1)
            snap = ctx.graph
            assert NEW in snap and snap.label(NEW) == NEW_LABEL
            assert ctx.cached("projects", lambda: len(list(ctx.graph.nodes("project")))) == 25  # 24 + the new one
            assert NEW in analytics._index().projects  # Analysen: rebuilt on the new snapshot
            assert NEW_LABEL in _text(matchmaking.layout(lang="de", target=NEW))  # Matchmaking too
            # the store's own caches (names, filter facts) follow the same version
            assert store.search(NEW_LABEL)[0].node_id == NEW
            assert NEW in store.matching_projects(network.to_filter(parse_query({"status": "active"})))
    finally:
        _close(store, peer)


def test_unreachable_neo4j_falls_back_to_the_local_data_with_a_banner(sample_graph, capsys):
    uri = f"bolt://127.0.0.1:{free_port()}"
    store = app._query_store(_serve_args("--neo4j-uri", uri, "--neo4j-timeout", "2"), sample_graph)
    notice = store.notice
    assert uri in notice and "not reachable" in notice
    assert "serving the local dataset instead" in capsys.readouterr().err
    assert store.name == "memory" and store.search("hessen")[0].node_id == "land:DE-HE"
    dash_app = create_app(sample_graph, Settings(), store=store)
    with dash_app.server.test_request_context("/"):
        banners = _banner("en")
        assert dash_app.server.config[CONFIG_KEY].graph is sample_graph  # whole-graph pages: the local data
    texts = [b.children for b in banners]
    assert any(uri in t and t.startswith("Neo4j unavailable") for t in texts)
    assert banners[0].id == "store-banner"


def test_fallback_store_switches_once_the_server_goes_away(sample_graph):
    down = connect(f"bolt://127.0.0.1:{free_port()}", timeout=1)
    store = FallbackStore(down, MemoryStore(sample_graph))
    assert store.name == "neo4j" and store.notice is None
    hits = store.search("hessen")
    assert hits[0].node_id == "land:DE-HE"
    assert store.name == "memory" and "not reachable" in store.notice
    assert store.ego_network("project:BLP-01").nodes == MemoryStore(sample_graph).ego_network("project:BLP-01").nodes
    assert store.snapshot() is sample_graph and store.filter_options() == MemoryStore(sample_graph).filter_options()
    with pytest.raises(StoreUnavailable):
        down.counts_by_kind()


def test_the_server_dying_mid_session_switches_pages_to_the_fallback(sample_graph):
    """A FalkorDB of its own, stopped while the app serves: the next request
    gets the local data and a banner, not an error page."""
    from tests.neo4j.falkordb_server import start_falkordb

    server = start_falkordb()
    remote = None
    try:
        remote = connect(server.uri, dialect="falkordb", timeout=2, contacts="masked", refresh_interval=0)
        remote.push(sample_graph)
        local = copy.deepcopy(sample_graph)
        mask_unconsented(local)
        store = FallbackStore(remote, MemoryStore(local))
        dash_app = create_app(local, Settings(is_sample=False), store=store)
        with dash_app.server.test_request_context("/"):
            assert "Hessen" in _text(network.layout(lang="de", focus="land:DE-HE"))
            assert store.notice is None and _banner("de") is None
            server.stop()
            page = _text(network.layout(lang="de", focus="land:DE-HE", selected="land:DE-HE"))
            assert "Hessen" in page and store.notice and server.uri in store.notice
            assert _banner("de")[0].id == "store-banner"
            assert dash_app.server.config[CONFIG_KEY].graph is local
    finally:
        server.stop()


def test_fallback_shows_the_last_snapshot_and_switches_back_when_neo4j_returns(sample_graph, mini):
    """A FalkorDB of its own: after a snapshot was pulled the server stops →
    the last snapshot answers (not the unrelated local data) with a banner
    naming it; a server started again on the same port → answers come from
    Neo4j again and the banner is gone."""
    from loaders import load
    from tests.neo4j.falkordb_server import start_falkordb

    local = load(mini).graph  # the local dataset: deliberately not the data in Neo4j
    server = start_falkordb()
    again = None
    remote = None
    try:
        remote = connect(server.uri, dialect="falkordb", timeout=2, contacts="masked", refresh_interval=0)
        remote.push(sample_graph)
        store = FallbackStore(remote, MemoryStore(local), retry_interval=0.2)
        dash_app = create_app(local, Settings(is_sample=False, data_paths=(str(mini),)), store=store)
        ctx = dash_app.server.config[CONFIG_KEY]
        with dash_app.server.test_request_context("/"):
            snap = ctx.graph  # a whole-graph page pulls the snapshot
            assert "project:BLP-01" in snap and "project:BLP-01" not in local
            server.stop()
            page = _text(network.layout(lang="de", focus="project:BLP-01"))
            assert store.notice and server.uri in store.notice
            assert store.showing == {"source": "snapshot", "taken_at": snap.meta["snapshot"]["taken_at"]}
            assert "project:BLP-01" in page and ctx.graph is snap  # the last data, same contact rule
            assert store.search("hessen")[0].node_id == "land:DE-HE"
            secret = next(n for n in sample_graph.nodes("contact") if not sample_graph.node(n).get("consent"))
            assert store.node(secret)["label"] == MASKED_LABEL  # the snapshot kept the store's contact rule
            taken = snap.meta["snapshot"]["taken_at"].replace("T", " ")[:16]
            de, en = _banner("de")[0].children, _banner("en")[0].children
            assert de.startswith("Neo4j nicht erreichbar") and f"letzter Stand aus Neo4j von {taken} UTC" in de
            assert en.startswith("Neo4j unavailable") and f"as of {taken} UTC" in en and "0.2 s" in en
            # the server comes back (a fresh instance on the same port) with other data
            again = start_falkordb(bolt_port=server.bolt_port)
            remote.push(local)
            deadline = time.monotonic() + 20
            while store.notice is not None and time.monotonic() < deadline:
                store.counts_by_kind()  # each call starts (at most every 0.2 s) one background check
                time.sleep(0.1)
            assert store.notice is None and store.name == "neo4j" and _banner("de") is None
            assert store.counts_by_kind() == MemoryStore(local).counts_by_kind()  # answered by Neo4j
            assert "project:BLP-01" not in _text(network.layout(lang="de"))
            deadline = time.monotonic() + 20
            while "project:BLP-01" in ctx.graph and time.monotonic() < deadline:
                time.sleep(0.1)  # the snapshot is refreshed from the new data in the background
            assert sorted(ctx.graph.nx.nodes) == sorted(local.nx.nodes)
    finally:
        server.stop()
        if again is not None:
            again.stop()


def test_fallback_before_any_snapshot_names_the_local_dataset(sample_graph):
    down = connect(f"bolt://127.0.0.1:{free_port()}", timeout=1)
    store = FallbackStore(down, MemoryStore(sample_graph), retry_interval=60)
    store.counts_by_kind()
    assert store.showing == {"source": "local", "taken_at": None}
    dash_app = create_app(sample_graph, Settings(is_sample=False, data_paths=("daten/blp",)), store=store)
    with dash_app.server.test_request_context("/"):
        de, en = _banner("de")[0].children, _banner("en")[0].children
    assert "Angezeigt: lokaler Datensatz (daten/blp)." in de and "Neuer Versuch höchstens alle 60 s." in de
    assert "Showing: the local dataset (daten/blp)." in en


def test_snapshot_off_never_pulls_and_whole_graph_pages_explain_how_to_enable_it(peer, sample_graph, monkeypatch):
    from dashboard.app import WHOLE_GRAPH_PAGES, warm_up
    from graph.core.errors import SnapshotDisabled

    peer.store().push(sample_graph)
    local = copy.deepcopy(sample_graph)
    mask_unconsented(local)
    monkeypatch.setattr(Neo4jStore, "pull", lambda self, **kw: pytest.fail("pulled"))
    store = app._query_store(_serve_args(*_peer_args(peer, monkeypatch), "--neo4j-snapshot", "off"), local)
    try:
        assert store.notice is None and store.snapshot_mode == "off"
        with pytest.raises(SnapshotDisabled):
            store.snapshot()
        assert store.notice is None  # not a failure of the server: no fallback
        dash_app = create_app(local, Settings(is_sample=False), store=store)
        warm_up(dash_app).join(timeout=60)  # the explorer warms up; whole-graph pages do not
        client = dash_app.server.test_client()
        assert client.get("/matchmaking").status_code == 200
        registry = {page["module"]: page for page in dash.page_registry.values()}
        with dash_app.server.test_request_context("/"):
            assert not dash_app.server.config[CONFIG_KEY].has_snapshot
            for module in WHOLE_GRAPH_PAGES:
                for lang, words in (("de", ("braucht den ganzen Graphen", "--neo4j-snapshot lazy")),
                                    ("en", ("needs the whole graph", "--neo4j-snapshot lazy"))):
                    page = registry[module]["layout"](lang=lang)
                    assert page.id == "snapshot-off" and all(w in _text(page) for w in words), module
            page = _text(network.layout(lang="de", focus=INSTITUTION, selected=INSTITUTION))
            assert "Hessen" in page and "snapshot-off" not in page  # the Netzwerk page works fully
    finally:
        _close(store, peer)


def test_snapshot_lazy_skips_the_warm_up_pull_but_pulls_on_first_use(peer, sample_graph, monkeypatch):
    from dashboard.app import warm_up

    peer.store().push(sample_graph)
    store = app._query_store(_serve_args(*_peer_args(peer, monkeypatch), "--neo4j-snapshot", "lazy"), sample_graph)
    try:
        dash_app = create_app(sample_graph, Settings(is_sample=False), store=store)
        warm_up(dash_app).join(timeout=60)
        assert store.primary.last_snapshot is None  # the warm-up did not pull
        registry = {page["module"]: page for page in dash.page_registry.values()}
        with dash_app.server.test_request_context("/"):
            assert "snapshot-off" not in _text(registry["dashboard.pages.data"]["layout"](lang="de"))
        assert store.primary.last_snapshot is not None  # the first visit did
    finally:
        _close(store, peer)


@pytest.mark.parametrize("rule", ["masked", "none"])
def test_the_store_keeps_to_the_contact_rule_in_every_answer(peer, sample_graph, rule):
    peer.store().push(sample_graph)
    store = peer.store(contacts=rule)
    served = copy.deepcopy(sample_graph)
    if rule == "masked":
        assert mask_unconsented(served) > 0
    else:
        served = without_contacts(served)
    reference = MemoryStore(served)
    secret = next(n for n in sample_graph.nodes("contact") if not sample_graph.node(n).get("consent"))
    real_name = sample_graph.node(secret)["label"]
    inst = next(v for v, _ in sample_graph.out_edges(secret, "works_at"))

    assert store.counts_by_kind() == reference.counts_by_kind()
    if rule == "masked":
        assert store.node(secret)["label"] == MASKED_LABEL and "email" not in store.node(secret)
        assert store.node_attrs([secret])[secret] == reference.node(secret)
    else:
        with pytest.raises(NodeNotFound):
            store.node(secret)
        assert store.node_attrs([secret]) == {} and store.neighbours([secret]) == {}
    assert secret not in {h.node_id for h in store.search(real_name, limit=50)}
    assert store.search(real_name, limit=50) == reference.search(real_name, limit=50)
    assert store.neighbours_by_relation(inst) == reference.neighbours_by_relation(inst)
    assert store.ego_network(inst, radius=2) == reference.ego_network(inst, radius=2)
    assert store.neighbours([inst]) == reference.neighbours([inst])
    pairs = [(secret, inst)]
    assert store.edges_between(pairs) == reference.edges_between(pairs)
    assert store.filter_options() == reference.filter_options()
    panel = _text(details_panel(served, inst, parse_query({"lang": "de"}), "de", store=store))
    assert real_name not in panel
    for opts in ({"focus": inst, "radius": 2}, {"focus": inst, "expand": [inst]},
                 {"highlight": [inst, "country:RWA"]}, {}):
        view = explorer_view(store, **opts)
        assert view == explorer_view(reference, **opts)
    paths = store.shortest_paths(inst, "country:RWA", k=5)
    assert paths == reference.shortest_paths(inst, "country:RWA", k=5) or len(paths) == len(
        reference.shortest_paths(inst, "country:RWA", k=5))
    snap = store.snapshot()
    assert snap.counts_by_kind() == served.counts_by_kind()
    if rule == "masked":
        assert snap.node(secret) == served.node(secret)
    assert real_name not in {snap.label(c) for c in snap.nodes("contact")}


def _no_warm_up(app):
    """Stands in for dashboard.app.warm_up: a thread that has nothing to do."""
    thread = threading.Thread(target=lambda: None)
    thread.start()
    return thread


def test_safe_binding_check_counts_the_contacts_in_neo4j(peer, sample_graph, mini, monkeypatch, capsys):
    """The local data (the fallback) have no contacts, Neo4j has: serving on
    all interfaces without login is refused — unless --no-contacts."""
    from dashboard import app as dashboard_app

    peer.store().push(sample_graph)
    monkeypatch.delenv("PARTNERNETZ_PASSWORD_HASH", raising=False)
    monkeypatch.delenv("PARTNERNETZ_USER", raising=False)
    monkeypatch.delenv("PARTNERNETZ_AUTH_HEADER", raising=False)
    ran = []
    monkeypatch.setattr(dash.Dash, "run", lambda self, **kw: ran.append(kw))
    monkeypatch.setattr(dashboard_app, "warm_up", _no_warm_up)
    opened = []
    real_open = app._open_store
    monkeypatch.setattr(app, "_open_store", lambda *a, **kw: opened.append(real_open(*a, **kw)) or opened[-1])
    base = ["serve", "--data", str(mini), "--host", "0.0.0.0", *_peer_args(peer, monkeypatch)]
    try:
        assert app.main(base) == app.EXIT_REFUSED
        assert "contact" in capsys.readouterr().err.lower()
        assert ran == []
        assert app.main([*base, "--no-contacts"]) == app.EXIT_OK
        assert ran and ran[0]["host"] == "0.0.0.0"
        out = capsys.readouterr().out
        assert "store: neo4j" in out and peer.uri in out and "no contacts" in out
    finally:
        for store in opened:
            store.close()
            if peer.falkor is not None:
                bolt_handshake(peer.falkor.bolt_port)  # one bad descriptor per closed driver


def test_safe_binding_in_query_mode_holds_while_neo4j_is_down(mini, monkeypatch, capsys):
    """Neo4j unreachable at start and local data without contacts: the store may
    recover and serve Neo4j's contacts later, so all interfaces without login
    are refused unless --no-contacts."""
    from dashboard import app as dashboard_app

    for var in ("PARTNERNETZ_PASSWORD_HASH", "PARTNERNETZ_USER", "PARTNERNETZ_AUTH_HEADER"):
        monkeypatch.delenv(var, raising=False)
    ran = []
    monkeypatch.setattr(dash.Dash, "run", lambda self, **kw: ran.append(kw))
    monkeypatch.setattr(dashboard_app, "warm_up", _no_warm_up)
    base = ["serve", "--data", str(mini), "--host", "0.0.0.0",
            "--neo4j-uri", f"bolt://127.0.0.1:{free_port()}", "--neo4j-timeout", "1"]
    assert app.main(base) == app.EXIT_REFUSED
    assert "refusing to serve contact data" in capsys.readouterr().err
    assert ran == []
    assert app.main([*base, "--no-contacts"]) == app.EXIT_OK
    assert ran and ran[0]["host"] == "0.0.0.0"


def test_dataset_version_is_read_at_most_every_refresh_interval(peer, sample_graph):
    writer = peer.store()
    writer.push(sample_graph)
    slow, fast = peer.store(refresh_interval=3600), peer.store(refresh_interval=0)
    before = slow.version()
    assert before == fast.version() and before[0] == len(sample_graph)
    names_before = slow.search("Nur in Neo4j", kinds=["project"])
    add_project_in_neo4j_only(peer)
    assert slow.version() == before  # not asked again within the interval: caches stay
    if slow.dialect.fulltext:  # Neo4j: the full-text index answers each search, like the per-request answers
        assert slow.search("Nur in Neo4j", kinds=["project"])[0].node_id == NEW
    else:  # FalkorDB: the names are read once per dataset version
        assert slow.search("Nur in Neo4j", kinds=["project"]) == names_before
    after = fast.version()
    assert after != before and after[0] == before[0] + 1 and after[3] == before[3] + 1
    assert fast.search(NEW_LABEL)[0].node_id == NEW
    # the per-request answers never wait for the version: the new node is there at once
    assert NEW in slow.ego_network(INSTITUTION).nodes
    slow.invalidate()
    assert slow.version() == after and slow.search(NEW_LABEL)[0].node_id == NEW
    writer.push(sample_graph)  # a push removes the hand-made project and changes the marker's push id
    # (unchanged nodes keep the id of the push that wrote them: an identical push skips them)
    assert writer.version()[0] == len(sample_graph) and writer.version()[4] != after[4]


def test_readers_in_query_mode_are_answered_by_a_contact_free_neo4j_store(peer, sample_graph, monkeypatch):
    """Users and roles: a reader's requests go to a second Neo4j store opened
    with the contact rule ``none`` (app._restrictable), planners' to the masked one."""
    from dashboard.access import AccessConfig
    from dashboard.context import RULE_KEY
    import flask

    peer.store().push(sample_graph)
    local = copy.deepcopy(sample_graph)
    mask_unconsented(local)
    args = _serve_args(*_peer_args(peer, monkeypatch))
    store = app._query_store(args, local)
    app._restrictable(args, store, local)
    try:
        dash_app = create_app(local, Settings(is_sample=False), store=store, access=AccessConfig())
        ctx = dash_app.server.config[CONFIG_KEY]
        person = next(n for n in sample_graph.nodes("contact") if sample_graph.node(n).get("consent") is True)
        name = sample_graph.node(person)["label"]
        with dash_app.server.test_request_context("/"):
            setattr(flask.g, RULE_KEY, "none")
            reader_store = ctx.store
            assert reader_store is not store and reader_store.primary.contacts == "none"
            assert reader_store.counts_by_kind().get("contact", 0) == 0
            assert not any(h.node_id.startswith("contact:") for h in reader_store.search(name[:6], limit=20))
            assert ctx.graph.counts_by_kind().get("contact", 0) == 0
        with dash_app.server.test_request_context("/"):
            setattr(flask.g, RULE_KEY, "masked")
            assert ctx.store is store and store.counts_by_kind()["contact"] > 0
    finally:
        _close(store, peer)
        restricted = getattr(store, "restricted", None)
        if restricted is not None:
            _close(restricted("none"), peer)
