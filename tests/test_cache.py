"""The one per-graph cache (graph.core.cache) and the dashboard's use of it."""

from __future__ import annotations

import gc
import threading
import time

from graph.core.cache import _SLOTS, cached, entries, forget
from graph.core.model import PartnerGraph


def test_entries_are_per_graph_object_not_per_generation():
    a, b = PartnerGraph(), PartnerGraph()
    assert a.generation == b.generation
    assert cached(a, "n", lambda: "a") == "a"
    assert cached(b, "n", lambda: "b") == "b"
    assert cached(a, "n", lambda: "again") == "a"


def test_a_change_of_the_graph_rebuilds_and_drops_the_old_values():
    g = PartnerGraph()
    cached(g, "x", lambda: 1)
    cached(g, "y", lambda: 2)
    g.set_node_attrs("land:DE-HE", note="changed")
    assert entries(g) == {}
    assert cached(g, "x", lambda: 3) == 3 and entries(g) == {"x": 3}


def test_entries_go_with_the_graph():
    g = PartnerGraph()
    cached(g, "big", lambda: bytearray(10))
    gc.collect()  # graphs of earlier tests waiting for the collector would go in the same collection below
    before = len(_SLOTS)
    del g
    gc.collect()
    assert len(_SLOTS) == before - 1


def test_concurrent_first_calls_compute_once():
    g = PartnerGraph()
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return len(calls)

    results = []
    threads = [threading.Thread(target=lambda: results.append(cached(g, "slow", slow))) for _ in range(5)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert calls == [1] and results == [1] * 5


def test_forget_drops_some_or_all():
    g = PartnerGraph()
    cached(g, "a", lambda: 1)
    cached(g, "b", lambda: 2)
    forget(g, ["a"])
    assert entries(g) == {"b": 2}
    forget(g)
    assert entries(g) == {}


def test_the_indexes_of_graph_share_the_cache(sample_graph):
    from graph.analysis.matchmaking import match_index
    from graph.explore import build_indexes, search

    g = sample_graph.copy()
    build_indexes(g)
    search.search(g, "wasser")
    assert match_index(g) is match_index(g)
    names = set(entries(g))
    assert {"explore.adjacency", "explore.filter_index", "explore.search_index", "analysis.match_index"} <= names


def test_two_apps_on_one_graph_keep_their_own_entries():
    from dashboard.context import AppContext

    g = PartnerGraph()
    one, two = AppContext(graph=g), AppContext(graph=g)
    assert one.cached("n", lambda: 1) == 1 and two.cached("n", lambda: 2) == 2
    assert one.cached_names() == two.cached_names() == {"n"}
