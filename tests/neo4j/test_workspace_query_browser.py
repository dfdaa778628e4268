"""Query mode with workspaces in a real browser: two app instances answer from
one Neo4j database (the FalkorDB test server), each with its own workspace.
A publish in instance A goes to Neo4j: instance B lists it in the shared
history and finds the new project in its Netzwerk search, without restart."""

from __future__ import annotations

import pytest

from loaders.workspace.location import create_workspace
from tests.browser.browser_helpers import ServedApp, screenshot, wait_for_dash
from tests.browser.test_workspace_page import TITLE, _search, _workbook
from tests.neo4j.falkordb_server import bolt_handshake
from tests.neo4j.test_serve_browser import _serve_args
from tests.neo4j.test_workspace_shared import clean_peer  # noqa: F401  (fixture)

pytestmark = [pytest.mark.neo4j, pytest.mark.browser]


def test_a_publish_in_one_instance_is_seen_by_another(clean_peer, sample_graph, page, tmp_path):  # noqa: F811
    peer = clean_peer
    peer.store().push(sample_graph)
    args, env = _serve_args(peer)
    a_ws = create_workspace(tmp_path / "a.sqlite", sample=True, user="a")
    b_ws = create_workspace(tmp_path / "b.sqlite", sample=True, user="b")
    a = ServedApp(*args, "--neo4j-refresh", "1", "--workspace", str(a_ws.path), env=env).wait(120)
    b = ServedApp(*args, "--neo4j-refresh", "1", "--workspace", str(b_ws.path), env=env).wait(120)
    try:
        page.goto(a.url + "/daten")
        wait_for_dash(page)
        note = page.locator("#data-ws-embedded-only").inner_text()
        assert "nach Neo4j übertragen" in note and "Nur in dieser Instanz" in note
        page.locator("#data-ws-mode input[value='update']").check()
        page.locator("#data-ws-upload input[type=file]").set_input_files(str(_workbook(tmp_path / "neu.xlsx")))
        page.wait_for_selector("#data-ws-counts")
        wait_for_dash(page)
        page.locator("#data-ws-message").fill("Neues Projekt aus Instanz A")
        page.locator("#data-ws-publish").click()
        page.wait_for_selector("#data-ws-pushed", timeout=60000)
        assert "Nr. 1" in page.locator("#data-ws-pushed").inner_text()
        page.locator("#data-ws-shared .ag-row", has_text="Neues Projekt aus Instanz A").wait_for()  # A's list too
        screenshot(page, "page-daten-workspace-query-mode-1400")

        page.goto(b.url + "/daten")  # the other instance
        wait_for_dash(page)
        shared = page.locator("#data-ws-shared")
        shared.locator(".ag-row", has_text="Neues Projekt aus Instanz A").wait_for()
        assert "a.sqlite (v2)" in shared.inner_text() and "projects +1" in shared.inner_text()
        _search(page, b, "Testhausen", "project:BLP-UPLOAD", present=True)
        assert TITLE in page.locator(".picker-search").inner_text()
        assert b_ws.head() == 1  # B's own workspace is untouched: only the shared data and history changed
        assert not [e for e in page.errors if "Failed to load resource" not in e]
    finally:
        a.stop()
        b.stop()
        if peer.falkor is not None:
            bolt_handshake(peer.falkor.bolt_port)
