"""Query mode (`serve --neo4j-uri`): wiring, fallback with a banner, and the
privacy rules applied to what the Neo4j store answers."""

from __future__ import annotations

import copy
import os

import pytest

import app
from dashboard.app import create_app
from dashboard.context import CONFIG_KEY
from dashboard.pages.network import details_panel
from dashboard.settings import Settings
from dashboard.shell import _banner
from dashboard.viewstate import parse_query
from graph.errors import NodeNotFound, StoreUnavailable
from graph.neo4j_store import Neo4jStore, connect
from graph.privacy import MASKED_LABEL, mask_unconsented, without_contacts
from graph.store import FallbackStore, GraphStore, MemoryStore
from tests.neo4j.falkordb_server import bolt_handshake, free_port

pytestmark = pytest.mark.neo4j


def _serve_args(*extra: str):
    return app.build_parser().parse_args(["serve", *extra])


def _peer_args(peer, monkeypatch) -> list[str]:
    args = ["--neo4j-uri", peer.uri, "--neo4j-dialect", peer.dialect]
    if peer.database:
        args += ["--neo4j-database", peer.database]
    if peer.falkor is None and os.environ.get("NEO4J_TEST_USER"):  # a real Neo4j with auth
        monkeypatch.setenv("NEO4J_PASSWORD", os.environ.get("NEO4J_TEST_PASSWORD", ""))
        args += ["--neo4j-user", os.environ["NEO4J_TEST_USER"]]
    return args


def test_serve_pulls_from_neo4j_and_answers_through_the_store(peer, sample_graph, monkeypatch):
    peer.store().push(sample_graph)
    remote, pulled, report, notice = app._serve_remote(_serve_args(*_peer_args(peer, monkeypatch)))
    try:
        assert notice is None and isinstance(remote, Neo4jStore)
        assert pulled.counts_by_kind() == sample_graph.counts_by_kind()
        assert report.ok and report.source == peer.uri and report.nodes == sample_graph.counts_by_kind()
        served = copy.deepcopy(pulled)
        mask_unconsented(served)
        store = app._query_store(remote, served, None)
        assert isinstance(store, GraphStore) and store.name == "neo4j" and store.notice is None
        dash_app = create_app(served, Settings(is_sample=False), store=store)
        ctx = dash_app.server.config[CONFIG_KEY]
        assert ctx.store is store and ctx.store_notice is None
        assert ctx.store.search("hessen")[0].node_id == "land:DE-HE"
        panel = str(details_panel(served, "project:BLP-01", parse_query({"lang": "de"}), "de", store=store).to_plotly_json())
        assert "Hessen" in panel  # cofinancing Land, listed by the store's neighbours_by_relation
        with dash_app.server.test_request_context("/"):
            assert _banner("de") is None
    finally:
        remote.close()
        if peer.falkor is not None:
            bolt_handshake(peer.falkor.bolt_port)  # absorb the descriptor the closed driver leaves behind


def test_unreachable_neo4j_falls_back_to_the_local_data_with_a_banner(sample_graph):
    uri = f"bolt://127.0.0.1:{free_port()}"
    remote, pulled, report, notice = app._serve_remote(_serve_args("--neo4j-uri", uri, "--neo4j-timeout", "2"))
    assert remote is None and pulled is None
    assert uri in notice and "not reachable" in notice
    store = app._query_store(None, sample_graph, notice)
    assert store.name == "memory" and store.search("hessen")[0].node_id == "land:DE-HE"
    dash_app = create_app(sample_graph, Settings(), store=store)
    with dash_app.server.test_request_context("/"):
        banners = _banner("en")
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
    with pytest.raises(StoreUnavailable):
        down.counts_by_kind()


def test_the_store_keeps_to_the_privacy_rules_of_the_served_graph(store, sample_graph):
    store.push(sample_graph)
    masked = copy.deepcopy(sample_graph)
    assert mask_unconsented(masked) > 0
    secret = next(n for n in sample_graph.nodes("contact") if masked.node(n).get("masked"))
    real_name = sample_graph.node(secret)["label"]
    store.restrict_to(masked)
    reference = MemoryStore(masked)

    assert store.node(secret)["label"] == MASKED_LABEL and "email" not in store.node(secret)
    assert store.node_attrs([secret])[secret] == reference.node(secret)
    assert secret not in {h.node_id for h in store.search(real_name, limit=50)}
    assert store.search(real_name, limit=50) == reference.search(real_name, limit=50)
    inst = next(v for v, _ in sample_graph.out_edges(secret, "works_at"))
    assert store.neighbours_by_relation(inst) == reference.neighbours_by_relation(inst)
    panel = str(details_panel(masked, inst, parse_query({"lang": "de"}), "de", store=store).to_plotly_json())
    assert real_name not in panel

    dropped = without_contacts(sample_graph)
    store.restrict_to(dropped)
    reference = MemoryStore(dropped)
    with pytest.raises(NodeNotFound):
        store.node(secret)
    assert store.ego_network(inst, radius=2) == reference.ego_network(inst, radius=2)
    assert not any(n.startswith("contact:") for n in store.ego_network(inst, radius=2).nodes)
    assert store.search(real_name) == reference.search(real_name)
    assert store.shortest_paths(inst, "country:RWA") and all(
        not any(n.startswith("contact:") for n in p) for p in store.shortest_paths(inst, "country:RWA", k=5))
