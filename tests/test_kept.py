"""Kept builds (loaders/kept.py): a restart on the same files and code gets
the graph, the report and every page's indexes back from disk; anything
else (other files, other options, a broken file) loads from the files."""

from __future__ import annotations

import argparse
import json
import mmap

import numpy as np
import plotly
import pytest

from dashboard.app import create_app, warm_up
from dashboard.context import CONFIG_KEY
from graph.explore.search import search
from loaders import kept, load
from loaders.synthetic import generate


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kept") / "syn"
    generate(folder, nodes=400, seed=4)
    return folder


def test_a_restart_gets_graph_report_and_page_indexes_back(dataset, tmp_path):
    result = load(dataset)
    app = create_app(result.graph, report=result.report)
    warm_up(app).join()
    ctx = app.server.config[CONFIG_KEY]
    built = ctx.kept_entries()
    assert ("@app", "contacts.index") in built and "explore.search_index" in built
    key = kept.dataset_key([dataset])
    assert kept.save(tmp_path, key, result.graph, report=result.report, entries=built)

    restored = kept.restore(tmp_path, key)
    assert restored is not None and len(restored.graph) == len(result.graph)
    assert restored.graph.nx.number_of_edges() == result.graph.nx.number_of_edges()
    assert restored.report.ok == result.report.ok
    again = create_app(restored.graph, report=restored.report)
    ctx2 = again.server.config[CONFIG_KEY]
    ctx2.seed(restored.entries)
    assert ctx2.cached_names() == ctx.cached_names()  # every page's values, under the new app's name
    calls = []
    ctx2_index = ctx2.cached("contacts.index", lambda: calls.append(1))
    assert calls == [] and len(ctx2_index.persons) == len(ctx.cached("contacts.index", lambda: None).persons)
    word = result.graph.node(sorted(result.graph.nodes("institution"))[0])["label"].split()[0]
    assert search(restored.graph, word) == search(result.graph, word)


def test_the_key_follows_content_and_options(dataset, tmp_path):
    copy = tmp_path / "copy"
    copy.mkdir()
    for f in dataset.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    assert kept.dataset_key([copy]) == kept.dataset_key([dataset])  # content, not place or date
    assert kept.dataset_key([dataset], no_contacts=True) != kept.dataset_key([dataset])
    (copy / "themes.csv").write_text((copy / "themes.csv").read_text() + "\n")
    assert kept.dataset_key([copy]) != kept.dataset_key([dataset])


def test_a_broken_or_foreign_file_is_dropped_not_fatal(tmp_path, capsys):
    (tmp_path / "k.kept").write_bytes(b"not a pickle")
    assert kept.restore(tmp_path, "k") is None
    assert not (tmp_path / "k.kept").exists()
    assert "ignoring the kept build" in capsys.readouterr().err


def test_only_the_newest_builds_stay_and_files_are_private(tmp_path):
    from graph.core.model import PartnerGraph

    folder = tmp_path / "kept"
    for n in range(kept.KEEP + 2):
        assert kept.save(folder, f"k{n}", PartnerGraph(), report=None, entries={"lock": __import__("threading").Lock()})
    left = sorted(p.name for p in folder.iterdir())
    assert len(left) == kept.KEEP
    assert kept.restore(folder, f"k{kept.KEEP + 1}").entries == {}  # the lock could not be kept: left out
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    for build in folder.iterdir():  # one folder per build, private, its files too
        assert oct(build.stat().st_mode & 0o777) == "0o700"
        assert all(oct(f.stat().st_mode & 0o777) == "0o600" for f in build.iterdir())


def test_keeping_can_be_turned_off():
    assert kept.kept_dir({"PARTNERNETZ_KEPT_DIR": "off"}) is None
    assert str(kept.kept_dir({"PARTNERNETZ_KEPT_DIR": "/x/y"})) == "/x/y"


PAGES = ("dashboard.pages.network", "dashboard.pages.matchmaking", "dashboard.pages.contacts",
         "dashboard.pages.analytics", "dashboard.pages.data")


def _answers(app) -> dict[str, str]:
    """What the pages and the explorer answer on ``app``'s data (layouts in both languages,
    searches, neighbourhoods, paths, matchmaking) as comparable JSON text."""
    import importlib

    from graph.analysis.matchmaking import project_target, rank

    ctx = app.server.config[CONFIG_KEY]
    out: dict[str, str] = {}
    with app.server.app_context():
        for name in PAGES:
            for lang in ("de", "en"):
                out[f"{name}.{lang}"] = json.dumps(importlib.import_module(name).layout(lang),
                                                   cls=plotly.utils.PlotlyJSONEncoder, sort_keys=True)
        store, g = ctx.store, ctx.graph
        institutions = sorted(g.nodes("institution"))[:5]
        projects = sorted(g.nodes("project"))[:3]
        for word in ("Uni", "Stadtwerke", "Mnchen", "water", g.node(institutions[0])["label"][:6]):
            out[f"search {word}"] = repr(store.search(word, limit=20))
        for node in institutions[:3] + projects[:1]:
            for radius in (1, 2):
                sub = store.ego_network(node, radius=radius)
                out[f"ego {node} {radius}"] = repr((sorted(sub.nodes), sorted(map(repr, sub.edges))))
        out["path"] = repr(store.shortest_paths(institutions[0], projects[0], k=3))
        out["overview"] = repr(store.overview())
        for project in projects:
            index = ctx.cached("matchmaking.index", lambda: None)  # the page's index (kept or built)
            out[f"match {project}"] = repr(rank(g, project_target(g, project), index=index))
    return out


def test_a_kept_build_answers_as_a_fresh_build(dataset, tmp_path):
    """Kept and restored (indexes read lazily, arrays memory-mapped) == built from the files."""
    result = load(dataset)
    fresh = create_app(result.graph, report=result.report)
    warm_up(fresh).join()
    key = kept.dataset_key([dataset])
    assert kept.save(tmp_path, key, result.graph, report=result.report,
                     entries=fresh.server.config[CONFIG_KEY].kept_entries())

    restored = kept.restore(tmp_path, key)
    again = create_app(restored.graph, report=restored.report)
    ctx = again.server.config[CONFIG_KEY]
    ctx.seed_lazily(restored.loaders())
    assert ctx.cached_names() == set()  # nothing read yet: each index when first asked for
    assert _answers(again) == _answers(fresh)
    warm_up(again).join()
    built = fresh.server.config[CONFIG_KEY].cached_names()
    assert ctx.cached_names() <= built
    with again.server.app_context():  # the rest (e.g. what a kept page layout needed) is read, never built
        for name in built - ctx.cached_names():
            assert ctx.cached(name, lambda: pytest.fail(f"{name} built again")) is not None
    assert ctx.cached_names() == built


def test_arrays_are_memory_mapped_and_copy_on_write(tmp_path):
    from graph.core.model import PartnerGraph

    g = PartnerGraph()
    array = np.arange(100_000, dtype=np.int64)
    assert kept.save(tmp_path, "k", g, report=None, entries={"a": {"rows": array, "g": g}})
    before = (tmp_path / "k.kept" / "arrays.bin").read_bytes()
    value = kept.restore(tmp_path, "k").entries["a"]
    assert value["g"] is not g and isinstance(value["g"], PartnerGraph)  # the restored graph, not a copy
    rows = value["rows"]
    assert np.array_equal(rows, array)
    base = rows
    while getattr(base, "base", None) is not None and not isinstance(base, (mmap.mmap, memoryview)):
        base = base.base
    assert isinstance(base, (mmap.mmap, memoryview))  # not copied into the process at start
    rows[:10] = -1  # in place: the process's own copy of the page
    assert (tmp_path / "k.kept" / "arrays.bin").read_bytes() == before


def _args(path, **kw) -> argparse.Namespace:
    return argparse.Namespace(workspace=str(path), default_workspace=False, **kw)


def test_a_workspace_build_is_kept_per_head_version_never_stale(dataset, tmp_path):
    """The workspace's head version is the key: a restart on the same version gets the kept
    build (nothing loaded); after a new version (publish, edit, erasure …) the old build is
    not served and is deleted."""
    import app as entry
    from loaders.workspace.location import create_workspace
    from loaders.workspace.preview import make_preview, publish_now

    ws = create_workspace(tmp_path / "ws.sqlite", sample=False)
    publish_now(ws, make_preview(ws, dataset), user="test", message="first")
    folder = tmp_path / "kept"
    opts = {"no_contacts": False}

    path, version, result, restored = entry._serve_workspace(_args(ws.path), folder, opts)
    assert restored is None and result is not None and version == 1
    key = kept.workspace_key(path, version, **opts)
    assert kept.workspace_key(path, version, no_contacts=True) != key
    assert kept.save(folder, key, result.graph, report=result.report, entries={}, origin=kept.origin_of([path]))
    assert kept.save(folder / "other", "x", result.graph, report=None, entries={}, origin="/elsewhere")

    _, version2, result2, restored2 = entry._serve_workspace(_args(ws.path), folder, opts)
    assert version2 == 1 and result2 is None and restored2 is not None
    assert sorted(restored2.graph.nodes()) == sorted(result.graph.nodes())

    changed = tmp_path / "changed"
    changed.mkdir()
    for f in dataset.iterdir():
        (changed / f.name).write_bytes(f.read_bytes())
    lines = (changed / "institutions.csv").read_text().splitlines()
    (changed / "institutions.csv").write_text("\n".join(lines[:-1]) + "\n")  # one institution less
    publish_now(ws, make_preview(ws, changed), user="test", message="second")
    assert kept.workspace_key(path, 2, **opts) != key

    _, version3, result3, restored3 = entry._serve_workspace(_args(ws.path), folder, opts)
    assert version3 == 2 and restored3 is None and result3 is not None
    assert len(result3.graph) < len(result.graph)  # the new version's data, not the kept one
    assert not list(folder.glob("*.kept"))  # the stale build is gone at once
    assert list((folder / "other").glob("*.kept"))  # builds of other data stay
    assert kept.discard(folder / "other", origin="/elsewhere") == 1


def test_node_metrics_estimate_betweenness_on_large_graphs():
    """Above the exact limit betweenness is sampled (seconds, not hours, on a heavy-tailed
    100k graph): the hub of a star-of-stars still ranks first, values are scaled to the graph."""
    from graph.analysis import node_metrics as nm
    from graph.core.model import PartnerGraph

    g = PartnerGraph(with_laender=False)
    hub = g.add_node("project", "hub", label="Hub", illustrative=True)
    n = 0
    for i in range(60):
        mid = g.add_node("institution", f"m{i}", label=f"M{i}", illustrative=True)
        g.add_edge(mid, hub, "participates_in", illustrative=True)
        for _ in range(100):
            leaf = g.add_node("project", f"p{n}", label=f"P{n}", illustrative=True)
            g.add_edge(mid, leaf, "participates_in", illustrative=True)
            n += 1
    assert len(g) > nm.EXACT_BETWEENNESS_LIMIT
    values = nm.node_metrics(g).values["betweenness"]
    ranked = sorted(values, key=values.get, reverse=True)
    assert ranked[0] == hub and set(ranked[1:61]) == {f"institution:m{i}" for i in range(60)}
    assert values["project:p0"] == 0.0
    # exact value for the hub: pairs of leaves/mids in different branches; the estimate is close
    branch = 101
    exact_hub = (60 * 59 / 2) * branch * branch
    assert 0.7 * exact_hub < values[hub] < 1.3 * exact_hub


def _serve(tmp_path, log_name: str, args: list[str], marker: str | None = None) -> str:
    """``python app.py serve --port P *args`` with builds kept in ``tmp_path``/kept
    (however small the data): once ``marker`` is in its output (when given) and
    ``/_dash-layout`` answers, it is stopped; its output."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PARTNERNETZ_KEPT_DIR": str(tmp_path / "kept"), "PARTNERNETZ_KEPT_MIN_NODES": "0"}
    env.pop("PARTNERNETZ_RESTARTED_FROM_KEPT", None)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / log_name
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "app.py", "serve", "--port", str(port), *args], cwd=root, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 240
        while marker is not None and marker not in log.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.2)
        while True:  # serving
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_dash-layout", timeout=10) as resp:
                    assert resp.status == 200
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
                time.sleep(0.2)
        return log.read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_serve_keeps_a_workspace_build_and_restarts_from_it(tmp_path):
    """`python app.py serve --workspace` end to end: the first start keeps its build once
    warm, the restart says it restored it and serves the same data."""

    def start(marker: str) -> str:
        return _serve(tmp_path, f"{marker.split()[1]}.log", ["--workspace", str(tmp_path / "ws.sqlite")], marker)

    first = start("build kept")
    assert "kept build restored" not in first
    again = start("kept build restored")
    shown = [line for line in first.splitlines() if line.startswith("Partnernetz: http")]
    assert shown and shown[0].split("(", 1)[1] in again  # same workspace, version and graph size


def test_an_index_is_read_in_chunks_so_request_threads_get_the_lock_between_them(tmp_path, monkeypatch):
    """The unpickler reads a kept index through Python code, at most one chunk at a time (between
    chunks another thread can take the interpreter lock), and gets the same value back."""
    from graph.core.model import PartnerGraph

    value = {f"person:{i}": (f"Name {i}", ("event:1", "speaker"), i) for i in range(60_000)}
    assert kept.save(tmp_path, "k", PartnerGraph(), report=None, entries={"big": value})
    reads = []
    peek = kept._Chunks.peek
    monkeypatch.setattr(kept._Chunks, "peek", lambda self, n=1: reads.append(n) or peek(self, n))
    size = (tmp_path / "k.kept" / "objects.bin").stat().st_size
    assert kept.restore(tmp_path, "k").entries["big"] == value
    assert size > 10 * kept._CHUNK and len(reads) >= size // kept._CHUNK


def test_workers_start_from_the_build_their_first_start_kept(tmp_path):
    """`serve --workers 2` on files not kept yet: the first start keeps its
    build, replaces itself by a start from it (once), and serves from that."""
    from pathlib import Path

    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    text = _serve(tmp_path, "serve.log", ["--workers", "2", "--data", str(sample)])
    kept_at = text.index("build kept for the next start")
    restart_at = text.index("restarting from the kept build")
    restored_at = text.index("kept build restored")
    assert kept_at < restart_at < restored_at < text.index("Partnernetz: http")
    assert text.count("restarting from the kept build") == 1 and text.count("Partnernetz: http") == 1


def test_an_entry_that_fails_half_way_leaves_no_bytes_behind(tmp_path):
    """Entries are pickled straight into the build's files: one that fails
    after writing part of itself (objects and an array) is cut off again, and
    the entries before and after it read back whole."""
    import threading

    from graph.core.model import PartnerGraph

    before, after = {"rows": np.arange(7), "names": ["a", "b"]}, {"ids": np.arange(3) * 2, "text": "z" * 5000}
    broken = [np.arange(100), "x" * 10_000, threading.Lock()]
    assert kept.save(tmp_path, "k", PartnerGraph(), report=None, entries={"before": before, "broken": broken,
                                                                          "after": after})
    back = kept.restore(tmp_path, "k").entries
    assert set(back) == {"before", "after"}
    assert kept.save(tmp_path / "clean", "k", PartnerGraph(), report=None, entries={"before": before, "after": after})
    for name in ("objects.bin", "arrays.bin"):  # byte for byte what a build without it holds
        with_it, without = (next(folder.glob("k.*")) / name for folder in (tmp_path, tmp_path / "clean"))
        assert with_it.read_bytes() == without.read_bytes(), name
    assert np.array_equal(back["before"]["rows"], before["rows"]) and back["before"]["names"] == ["a", "b"]
    assert np.array_equal(back["after"]["ids"], after["ids"]) and back["after"]["text"] == after["text"]


def test_the_graph_is_written_first_and_the_build_appears_only_when_finished(tmp_path):
    """The graph is pickled when the process is smallest (right after loading) and the indexes once
    built: in between nobody reads the half build; abandoned, nothing is left; one left by a stopped
    process is removed by the next build, one of a running process is not."""
    import subprocess
    import sys

    from graph.core.model import PartnerGraph

    g = PartnerGraph()
    g.add_country("TZA")
    pending = kept.begin(tmp_path, "k", g, report={"rows": 1})
    assert kept.restore(tmp_path, "k") is None and [p.name for p in kept._builds(tmp_path)] == []
    assert (pending.tmp / "graph.pkl").stat().st_size > 0
    g.add_country("KEN")  # the graph as it was when begun is what is kept
    lock = __import__("threading").Lock()
    assert pending.write({"n": np.arange(4), "lock": lock}) == 1  # indexes as they are built
    assert kept.restore(tmp_path, "k") is None
    assert pending.write({"n": np.arange(4), "lock": lock, "m": ["x"]}) == 1  # only the new one
    assert pending.finish({"n": np.arange(4), "lock": lock, "m": ["x"], "o": {"y": 1}})
    assert [name for name, *_ in pending.index] == ["n", "m", "o"]
    assert pending.failures == {"lock": 2}  # tried twice, then left out
    back = kept.restore(tmp_path, "k")
    assert back.entries["m"] == ["x"] and back.entries["o"] == {"y": 1} and "lock" not in back.entries
    assert "country:TZA" in back.graph.nodes() and "country:KEN" not in back.graph.nodes()
    assert back.report == {"rows": 1}
    assert np.array_equal(back.entries["n"], np.arange(4))
    kept.begin(tmp_path, "k2", g, report=None).abandon()
    assert not list(tmp_path.glob(".tmp-*"))

    dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True).stdout)
    (tmp_path / f".tmp-{dead}-x").mkdir()  # a build whose writer was killed
    running = kept.begin(tmp_path, "k3", g, report=None)  # ours, still being built
    other = kept.begin(tmp_path, "k4", g, report=None)
    assert not (tmp_path / f".tmp-{dead}-x").exists()
    assert running.tmp.exists() and other.finish({})
    assert running.tmp.exists(), "a build of a running process is left to it"
    assert running.finish({}) and kept.restore(tmp_path, "k3") is not None


def test_a_graph_is_written_whole_while_another_thread_makes_networkx_views_of_it():
    """networkx caches a view (``nx.in_degree`` …) in the graph's ``__dict__`` on its first use; the
    kept graph is pickled while the warm-up uses it, so the pickled state is a snapshot."""
    import io
    import pickle

    from graph.core.model import PartnerGraph

    g = PartnerGraph()
    g.add_country("TZA")

    class Meddling(pickle.Pickler):
        touched = False

        def persistent_id(self, obj):
            if not self.touched and obj is g.nx._node:  # while the graph's fields are being written
                from graph.core.model import _NX_CACHED_VIEWS

                fresh = [name for name in _NX_CACHED_VIEWS if name not in g.nx.__dict__]
                type(self).touched = bool(fresh)
                for name in fresh:  # what another thread may do meanwhile
                    getattr(g.nx, name)
            return None

    buf = io.BytesIO()
    Meddling(buf, protocol=5).dump(g)
    assert Meddling.touched
    back = pickle.loads(buf.getvalue())
    assert set(back.nodes()) == set(g.nodes()) and back.nx._adj is back.nx._succ
