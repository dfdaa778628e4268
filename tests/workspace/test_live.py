"""A serving app notices a new workspace version, builds it in the background and swaps it in."""

from __future__ import annotations

import threading

from dashboard.app import create_app
from dashboard.context import CONFIG_KEY
from dashboard.live import LiveData, install_live_data
from loaders.workspace import WorkspaceFile, load_workspace, make_preview, publish_preview
from loaders.workspace.store import read_head
from tests.helpers import write_table


def _app(ws: WorkspaceFile):
    version, result = load_workspace(ws)
    app = create_app(result.graph, report=result.report)

    def newest():
        v, r = load_workspace(WorkspaceFile(ws.path))
        return v, r.graph, r.report

    live = install_live_data(app, LiveData(app, version=version, head=lambda: read_head(ws.path), load=newest))
    return app, live


def test_new_version_goes_live_and_old_serves_meanwhile(sample_ws, tmp_path):
    app, live = _app(sample_ws)
    ctx = app.server.config[CONFIG_KEY]
    old = ctx.graph
    folder = tmp_path / "neu"
    write_table(folder, "projects", [["id", "title", "source"], ["BLP-LIVE", "Live-Projekt", "https://example.org"]])
    publish_preview(sample_ws, make_preview(sample_ws, folder, mode="update").token, user="t", message="neu")
    release = threading.Event()
    load = live._load
    live._load = lambda: (release.wait(30), load())[1]  # hold the rebuild until we looked at the old data
    client = app.server.test_client()
    assert client.get("/_partnernetz/live").get_json()["building"] == 2
    assert ctx.graph is old and "project:BLP-LIVE" not in ctx.graph.nx  # the old version keeps serving
    release.set()
    live.wait(30)
    status = client.get("/_partnernetz/live").get_json()
    assert (status["live"], status["building"], status["error"]) == (2, None, None)
    assert "project:BLP-LIVE" in ctx.graph.nx and ctx.graph is not old
    assert ctx.report.ok


def test_a_version_that_cannot_be_built_keeps_the_old_one(sample_ws):
    app, live = _app(sample_ws)
    ctx = app.server.config[CONFIG_KEY]
    old = ctx.graph
    live._head = lambda: 7

    def broken():
        raise OSError("disk gone")

    live._load = broken
    live.check(force=True)
    live.wait(30)
    assert ctx.graph is old
    assert "disk gone" in live.status().error and live.status().live == 1
