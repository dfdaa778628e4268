"""A serving app notices a new workspace version, builds it in the background and swaps it in."""

from __future__ import annotations

import threading

import pytest

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


def _publish_one_project(ws: WorkspaceFile, folder, key: str) -> None:
    write_table(folder, "projects", [["id", "title", "source"], [key, f"Projekt {key}", "https://example.org"]])
    publish_preview(ws, make_preview(ws, folder, mode="update").token, user="t", message=key)


def test_the_swap_waits_only_for_a_warm_up_that_fits_its_budget(sample_ws, tmp_path, monkeypatch):
    import dashboard.pages.data as data_page

    app, live = _app(sample_ws)
    ctx = app.server.config[CONFIG_KEY]
    live.warm_budget = 60.0  # generous: the hooks before the recorder finish within it on a busy machine
    seen: list[int] = []  # the version live when the recorder (the Daten page's hook) ran
    monkeypatch.setattr(data_page, "warm_up", lambda: seen.append(live.status().live))

    ctx.warm_up_seconds = 0.1  # the served data warmed up quickly: the new version goes live warm
    _publish_one_project(sample_ws, tmp_path / "a", "BLP-A")
    live.check(force=True)
    live.wait(60)
    assert seen == [1] and live.status().live == 2
    assert ctx.warm_up_seconds is not None and ctx.warm_up_seconds < 60  # this warm-up's own duration

    ctx.warm_up_seconds = 120.0  # longer than the budget (a large dataset): swapped first, warmed after
    _publish_one_project(sample_ws, tmp_path / "b", "BLP-B")
    live.check(force=True)
    live.wait(60)
    assert seen == [1, 3] and "project:BLP-B" in ctx.graph.nx
    assert live.status().error is None


def test_warm_up_records_how_long_it_took(sample_ws):
    from dashboard.app import warm_up

    app, _live = _app(sample_ws)
    ctx = app.server.config[CONFIG_KEY]
    assert ctx.warm_up_seconds is None
    warm_up(app).join(120)
    assert 0 < ctx.warm_up_seconds < 120


@pytest.mark.parametrize("incremental", [False, True], ids=["rebuilt", "updated"])
def test_the_replaced_version_is_freed_although_frozen(sample_ws, tmp_path, incremental):
    """serve freezes its data out of the collector's reach after the warm-up; a
    networkx graph is a reference cycle (its cached views), so without help the
    version served before a publish would stay in memory for good."""
    import gc
    import weakref

    from loaders.workspace.live_update import updater

    app, live = _app(sample_ws)
    if incremental:
        live._update = updater(sample_ws.path)
    ctx = app.server.config[CONFIG_KEY]
    served = ctx.local_graph.nx
    assert served.edges is served.edges and served.degree is served.degree  # cached views holding the graph: the cycle
    gone = weakref.ref(served)
    del served
    gc.collect()
    gc.freeze()
    try:
        _publish_one_project(sample_ws, tmp_path / "neu", "BLP-FREED")
        live.check(force=True)
        live.wait(60)
        assert live.status().live == 2 and live.status().mode == ("updated" if incremental else "rebuilt")
        assert "project:BLP-FREED" in ctx.local_graph.nx
        assert gone() is None
    finally:
        gc.unfreeze()
