"""Query mode in a real browser: `serve --neo4j-uri` draws the Netzwerk
page from the Neo4j store's answers (nothing is pulled at start-up), and
the whole-graph pages from the store's snapshot.

Proof: after the server has started, the test writes a project into Neo4j
only. The focus view, an expanded view, a path view, the details panel and
the CSV export then show it — with its name — which only answers from Neo4j
can contain; after the refresh interval the Matchmaking page knows it too.
"""

from __future__ import annotations

import copy
import csv
import io
import os
import time

import pytest

from tests.browser.browser_helpers import ServedApp, screenshot, wait_for_dash
from tests.browser.test_network import CY, cy_nodes, cy_with_class, goto, pick_country_filter
from tests.neo4j.behind import INSTITUTION, NEW, NEW_LABEL, NEW_SOURCE, add_project_in_neo4j_only
from tests.neo4j.falkordb_server import bolt_handshake

pytestmark = [pytest.mark.neo4j, pytest.mark.browser]


def _serve_args(peer) -> tuple[list[str], dict[str, str]]:
    args = ["--neo4j-uri", peer.uri, "--neo4j-dialect", peer.dialect, "--neo4j-timeout", "5"]
    env: dict[str, str] = {}
    if peer.database:
        args += ["--neo4j-database", peer.database]
    if peer.user:  # a real Neo4j with auth
        args += ["--neo4j-user", peer.user]
        env["NEO4J_PASSWORD"] = peer.password or ""
    return args, env


def test_network_page_in_query_mode_is_drawn_from_neo4j(peer, sample_graph, page):
    peer.store().push(sample_graph)
    args, env = _serve_args(peer)
    app = ServedApp(*args, env=env).wait()
    try:
        # the served app is running; now Neo4j alone learns of a project
        add_project_in_neo4j_only(peer)
        assert NEW not in sample_graph

        goto(page, app, f"/?focus={INSTITUTION}")
        nodes = cy_nodes(page)
        assert nodes == {INSTITUTION, NEW} | sample_graph.neighbours(INSTITUTION)
        # the browser gets the full name only where it differs from the (shortened) label
        assert page.evaluate(f"() => {{ const d = {CY}.getElementById('{NEW}'); return d.data('name') || d.data('label'); }}") == NEW_LABEL
        assert cy_with_class(page, "focus") == {INSTITUTION}
        # edges carry short ids and only the classes a style reads; their ends are the node ids
        ends = page.evaluate(f"() => {CY}.edges().map(e => e.data('source') + '|' + e.data('target'))")
        assert f"{INSTITUTION}|{NEW}" in ends
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


def _expected_with_new(sample_graph):
    """The sample as served (contacts masked) plus the project written to Neo4j only."""
    from graph.people.privacy import mask_unconsented

    g = copy.deepcopy(sample_graph)
    g.add_node("project", "NEO4J-ONLY", label=NEW_LABEL, source=NEW_SOURCE, status="active",
               start_year=2025, start="2025")
    g.add_edge(INSTITUTION, NEW, "participates_in", role="partner", source="test")
    mask_unconsented(g)
    return g


def _download(page, button: str, tmp_path) -> list[dict[str, str]]:
    with page.expect_download() as info:
        page.click(button)
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_query_mode_pages_details_csv_and_snapshot_in_the_browser(peer, sample_graph, page, tmp_path):
    from dashboard.pages.network import view_csv
    from dashboard.viewstate import parse_query
    from graph.store import MemoryStore

    peer.store().push(sample_graph)
    args, env = _serve_args(peer)
    app = ServedApp(*args, "--neo4j-refresh", "1", env=env).wait()
    try:
        log = app.log_path.read_text()
        assert "answering from" in log and "store: neo4j" in log
        # Matchmaking and Analysen first: they use the snapshot (pulled in the background warm-up)
        page.goto(app.url + "/matchmaking")
        wait_for_dash(page)
        page.wait_for_selector(".mm-candidate", timeout=30000)
        assert page.locator(".mm-candidate").count() >= 5
        screenshot(page, "neo4j-matchmaking")
        page.goto(app.url + "/analysen")
        wait_for_dash(page)
        assert "Vermittler" in page.locator(".analytics").inner_text()
        page.goto(app.url + "/analysen?tab=maps")  # the maps have a tab of their own
        wait_for_dash(page)
        page.wait_for_selector("#analytics-map-countries .main-svg, .analytics .main-svg", timeout=30000)
        screenshot(page, "neo4j-analysen")
        page.goto(app.url + "/daten")
        wait_for_dash(page)
        text = page.locator("#data-snapshot").inner_text()
        assert "Abfragemodus" in text and "Schnappschuss" in text
        assert peer.uri in page.locator(".source-line").inner_text()
        screenshot(page, "neo4j-daten")

        add_project_in_neo4j_only(peer)  # after start and after the snapshot was taken
        expected = _expected_with_new(sample_graph)

        # Netzwerk: focus the institution, select the new project -> details from Neo4j
        goto(page, app, f"/?focus={INSTITUTION}&selected={NEW}")
        assert NEW in cy_nodes(page)
        details = page.locator("#network-details")
        assert details.locator(".details-title").inner_text() == NEW_LABEL
        assert "https://example.org/neu" in details.inner_text()
        assert "Beteiligte Institutionen (1)" in details.inner_text()
        assert details.locator("a.nb-link").all_inner_texts() == [sample_graph.label(INSTITUTION)]
        screenshot(page, "neo4j-network-details-new")

        # CSV of this view, row by row against the same view of the expected graph
        state = parse_query({"focus": INSTITUTION, "selected": NEW})
        got = {}
        for button, which in (("#network-export-nodes", "nodes"), ("#network-export-edges", "edges")):
            got[which] = _download(page, button, tmp_path)
            want = list(csv.DictReader(io.StringIO(view_csv(MemoryStore(expected), state, which, audit_log=None)[0])))
            assert got[which] == want and len(want) > 5
        assert {"id": NEW, "label": NEW_LABEL, "kind": "project", "status": "active", "start": "2025",
                "source": "https://example.org/neu"}.items() <= next(r for r in got["nodes"] if r["id"] == NEW).items()
        assert any(r["source"] == INSTITUTION and r["target"] == NEW and r["role"] == "partner" for r in got["edges"])

        # a path through the new project: steps named with their relations
        goto(page, app, f"/?path={NEW},land:DE-HE")
        steps = page.locator("#network-paths").inner_text()
        assert NEW_LABEL in steps and "hat als Beteiligte" in steps
        assert cy_with_class(page, "path") >= {NEW, INSTITUTION, "land:DE-HE"}
        screenshot(page, "neo4j-network-path")

        # filter choices come from the store: the project statuses and countries of the data
        goto(page, app, "/")
        pick_country_filter(page, "Tansania", "TZA")
        assert "project:BLP-03" in cy_nodes(page)
        screenshot(page, "neo4j-network-filter")

        # after the refresh interval the snapshot (Matchmaking) knows the new project too
        deadline = time.monotonic() + 30
        while True:
            page.goto(app.url + f"/matchmaking?target={NEW}")
            wait_for_dash(page)
            summary = page.locator(".mm-summary").inner_text() if page.locator(".mm-summary").count() else ""
            if NEW_LABEL in summary or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert NEW_LABEL in summary
        screenshot(page, "neo4j-matchmaking-new-project")
        assert not [e for e in page.errors if "Failed to load resource" not in e]
    finally:
        app.stop()
        if peer.falkor is not None:
            bolt_handshake(peer.falkor.bolt_port)  # absorb the descriptor the closed driver leaves behind


def test_snapshot_off_pages_show_how_to_enable_it_in_the_browser(peer, sample_graph, page):
    peer.store().push(sample_graph)
    args, env = _serve_args(peer)
    app = ServedApp(*args, "--neo4j-snapshot", "off", env=env).wait()
    try:
        assert "whole-graph pages are off" in app.log_path.read_text()
        for path, lang in (("/analysen", "de"), ("/matchmaking", "en"), ("/kontakte", "de"), ("/daten", "en")):
            page.goto(f"{app.url}{path}?lang={lang}")
            wait_for_dash(page)
            page.wait_for_selector("#snapshot-off", timeout=20000)
            text = page.locator("#snapshot-off").inner_text()
            assert "--neo4j-snapshot lazy" in text
            assert ("braucht den ganzen Graphen" if lang == "de" else "needs the whole graph") in text
        screenshot(page, "neo4j-snapshot-off-daten-en")
        page.goto(f"{app.url}/analysen?lang=de")
        wait_for_dash(page)
        page.wait_for_selector("#snapshot-off", timeout=20000)
        screenshot(page, "neo4j-snapshot-off-analysen")
        goto(page, app, f"/?focus={INSTITUTION}")  # the Netzwerk page works fully
        assert cy_nodes(page) == {INSTITUTION} | sample_graph.neighbours(INSTITUTION)
        assert not [e for e in page.errors if "Failed to load resource" not in e]
    finally:
        app.stop()
        if peer.falkor is not None:
            bolt_handshake(peer.falkor.bolt_port)  # absorb the descriptor the closed driver leaves behind
