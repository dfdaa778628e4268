"""FallbackStore without a server: which data answer while the primary is
down (its last snapshot, else the local data), how often it is asked
again, and the switch back."""

from __future__ import annotations

import time

from graph.core.errors import StoreUnavailable
from graph.core.model import PartnerGraph
from graph.store import FallbackStore, MemoryStore


class Primary:
    """A remote store that can be switched off; counts the pings."""

    name = "neo4j"
    snapshot_mode = "lazy"

    def __init__(self, snapshot: PartnerGraph | None = None):
        self.up = True
        self.pings = 0
        self.invalidated = 0
        self.last_snapshot = snapshot

    def _check(self):
        if not self.up:
            raise StoreUnavailable("bolt://db:7687: server not reachable")

    def ping(self):
        self.pings += 1
        self._check()

    def invalidate(self):
        self.invalidated += 1

    def counts_by_kind(self):
        self._check()
        return {"answered": "primary"}

    def snapshot(self):
        self._check()
        return self.last_snapshot


def _graph(*projects: str) -> PartnerGraph:
    g = PartnerGraph()
    for key in projects:
        g.add_node("project", key, label=key, source="test")
    return g


def _wait(predicate, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.01)
    return predicate()


def test_the_last_snapshot_answers_when_there_is_one():
    snap, local = _graph("SNAP"), _graph("LOCAL")
    snap.meta["snapshot"] = {"taken_at": "2026-11-25T14:32:00+00:00"}
    primary = Primary(snap)
    store = FallbackStore(primary, MemoryStore(local), retry_interval=3600)
    assert store.counts_by_kind() == {"answered": "primary"} and store.showing is None
    assert store.snapshot_mode == "lazy"
    primary.up = False
    assert store.counts_by_kind()["project"] == 1
    assert store.snapshot() is snap and store.name == "memory"
    assert store.showing == {"source": "snapshot", "taken_at": "2026-11-25T14:32:00+00:00"}
    assert store.snapshot_mode == "warm"  # the standby holds a whole graph


def test_the_local_data_answer_before_any_snapshot():
    local = _graph("LOCAL")
    primary = Primary()
    primary.up = False
    store = FallbackStore(primary, MemoryStore(local), retry_interval=3600)
    assert store.snapshot() is local and store.showing == {"source": "local", "taken_at": None}
    assert "not reachable" in store.notice


def test_retries_at_most_every_interval_and_switches_back():
    primary = Primary()
    primary.up = False
    store = FallbackStore(primary, MemoryStore(_graph("LOCAL")), retry_interval=0.3)
    store.counts_by_kind()
    for _ in range(20):  # within the interval: no ping at all
        store.counts_by_kind()
    assert primary.pings == 0
    time.sleep(0.35)
    store.counts_by_kind()  # due: one background check (the server is still down)
    assert _wait(lambda: primary.pings == 1) and store.notice
    store.counts_by_kind()
    assert primary.pings == 1  # the failed check restarted the clock
    primary.up = True
    time.sleep(0.35)
    assert store.counts_by_kind()["project"] == 1  # this call still answers from the standby …
    assert _wait(lambda: store.notice is None)  # … and starts the check that switches back
    assert store.counts_by_kind() == {"answered": "primary"} and store.showing is None
    assert primary.invalidated == 1  # the server may hold other data now: caches are dropped


def test_retry_is_synchronous_and_unusable_settings_never_recover():
    primary = Primary()
    primary.up = False
    store = FallbackStore(primary, MemoryStore(_graph()), retry_interval=3600)
    store.counts_by_kind()
    assert store.retry() is False and store.notice
    primary.up = True
    assert store.retry() is True and store.notice is None
    dead = FallbackStore(None, MemoryStore(_graph()), notice="invalid connection settings")
    assert dead.retry() is False and dead.name == "memory" and dead.counts_by_kind()["land"] == 16
