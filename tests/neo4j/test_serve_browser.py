"""Query mode in a real browser: `serve --neo4j-uri` draws the Netzwerk
page from the Neo4j store's answers, not from the in-memory copy it pulled
at start-up.

Proof: after the server has started (and pulled its copy), the test writes a
project into Neo4j only. The focus view, an expanded view and a path view
then show it — with its name — which only answers from Neo4j can contain.
"""

from __future__ import annotations

import os

import pytest

from tests.browser.browser_helpers import ServedApp, screenshot
from tests.browser.test_network import CY, cy_nodes, cy_with_class, goto
from tests.neo4j.falkordb_server import bolt_handshake

pytestmark = [pytest.mark.neo4j, pytest.mark.browser]

NEW = "project:NEO4J-ONLY"
NEW_LABEL = "Nur in Neo4j"
INSTITUTION = "institution:hlft"


def _serve_args(peer) -> tuple[list[str], dict[str, str]]:
    args = ["--neo4j-uri", peer.uri, "--neo4j-dialect", peer.dialect, "--neo4j-timeout", "5"]
    env: dict[str, str] = {}
    if peer.database:
        args += ["--neo4j-database", peer.database]
    if peer.falkor is None and os.environ.get("NEO4J_TEST_USER"):  # a real Neo4j with auth
        args += ["--neo4j-user", os.environ["NEO4J_TEST_USER"]]
        env["NEO4J_PASSWORD"] = os.environ.get("NEO4J_TEST_PASSWORD", "")
    return args, env


def test_network_page_in_query_mode_is_drawn_from_neo4j(peer, sample_graph, page):
    peer.store().push(sample_graph)
    args, env = _serve_args(peer)
    app = ServedApp(*args, env=env).wait()
    try:
        # the served app has pulled its in-memory copy; now Neo4j alone learns of a project
        push = peer.run("MATCH (n:Partnernetz) RETURN n._pn_push AS push LIMIT 1")[0]["push"]
        peer.run("CREATE (p:Partnernetz:Project {id: $id, kind: 'project', label: $label, source: 'test', "
                 "status: 'active', _pn_push: $push})", id=NEW, label=NEW_LABEL, push=push)
        peer.run("MATCH (a:Partnernetz {id: $a}) MATCH (p:Partnernetz {id: $p}) "
                 "CREATE (a)-[:PARTICIPATES_IN {_pn_key: 'participates_in', kind: 'participates_in', "
                 "role: 'partner', _pn_push: $push}]->(p)", a=INSTITUTION, p=NEW, push=push)
        assert NEW not in sample_graph

        goto(page, app, f"/?focus={INSTITUTION}")
        nodes = cy_nodes(page)
        assert nodes == {INSTITUTION, NEW} | sample_graph.neighbours(INSTITUTION)
        assert page.evaluate(f"() => {CY}.getElementById('{NEW}').data('name')") == NEW_LABEL
        assert cy_with_class(page, "focus") == {INSTITUTION}
        assert f"{INSTITUTION}|{NEW}|participates_in" in cy_with_class(page, "edge-participates_in", "edges")
        screenshot(page, "network-neo4j-focus")

        # expanding the new project (the pulled copy does not know it) and a path to it
        goto(page, app, f"/?focus=land:DE-HE&expand={NEW}")
        assert {NEW, INSTITUTION} <= cy_nodes(page)
        goto(page, app, f"/?path={INSTITUTION},{NEW}")
        assert cy_with_class(page, "path") >= {INSTITUTION, NEW}
        assert "Nicht gefunden" not in page.inner_text("#network-status")
        assert not [e for e in page.errors if "Failed to load resource" not in e]
    finally:
        app.stop()
        if peer.falkor is not None:
            bolt_handshake(peer.falkor.bolt_port)  # absorb the descriptor the closed driver leaves behind
