"""What the pages see of the running app: the store, the graph it serves,
the load report, settings and a per-dataset cache. Held on the Flask app,
never in module globals, so tests can create several apps with different data.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from typing import Any, Callable

import flask

from dashboard.settings import Settings
from graph.core.model import PartnerGraph
from graph.store import MemoryStore

__all__ = ["AppContext", "current", "CONFIG_KEY"]

CONFIG_KEY = "PARTNERNETZ_CONTEXT"

_serials = itertools.count(1)


class AppContext:
    """The running app's data.

    ``store`` answers every question (a :class:`graph.store.GraphStore`; by
    default a :class:`~graph.store.MemoryStore` over ``graph``). :attr:`graph`
    is the store's :meth:`~graph.store.GraphStore.snapshot`: with the Neo4j
    store a copy pulled lazily and refreshed when the data change, which only
    whole-graph pages (matchmaking, analytics …) use; ``local_graph`` is the
    graph given at start (with a remote store: the fallback data).
    """

    def __init__(self, graph: PartnerGraph, report: Any = None, settings: Settings | None = None,
                 cache: dict[Any, Any] | None = None, store: Any = None):
        self.local_graph = graph
        self.report = report  # loaders.report.LoadReport (untyped: dashboard must not need loaders)
        self.settings = settings or Settings()
        self.cache: dict[Any, Any] = {} if cache is None else cache
        self.store = store if store is not None else MemoryStore(graph)
        self._locks: dict[Any, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._serials: "weakref.WeakKeyDictionary[PartnerGraph, int]" = weakref.WeakKeyDictionary()
        self._current_serial: int | None = None

    def __repr__(self) -> str:
        return f"<AppContext store={getattr(self.store, 'name', '?')} local={self.local_graph!r}>"

    @property
    def graph(self) -> PartnerGraph:
        """The whole graph as the store serves it now (its snapshot)."""
        return self.store.snapshot()

    @property
    def has_snapshot(self) -> bool:
        """Whether whole-graph pages may ask for :attr:`graph` (False when the
        store was told never to copy the whole graph: ``--neo4j-snapshot off``)."""
        return getattr(self.store, "snapshot_mode", "warm") != "off"

    @property
    def store_notice(self) -> str | None:
        """Why the store fell back to in-memory data (None while all is well)."""
        return getattr(self.store, "notice", None)

    def dataset_key(self, g: PartnerGraph | None = None) -> tuple[int, int]:
        """``(serial, generation)`` of ``g`` (default :attr:`graph`): unique per
        graph object and mutation, unlike the generation alone (two graphs
        can share one). When a new graph appears (a refreshed snapshot, the
        fallback), the cache entries of the previous ones are dropped."""
        g = self.graph if g is None else g
        with self._locks_guard:
            serial = self._serials.get(g)
            if serial is None:
                serial = self._serials[g] = next(_serials)
            if serial != self._current_serial:
                self._current_serial = serial
                for key in [k for k in self.cache if isinstance(k, tuple) and len(k) == 3 and k[1] != serial]:
                    self.cache.pop(key, None)
                    self._locks.pop(key, None)
        return serial, g.generation

    def cached(self, name: str, compute: Callable[[], Any]) -> Any:
        """Compute once per dataset (keyed on :meth:`dataset_key`) and keep.

        Thread-safe: concurrent first requests (or a warm-up thread and a
        request) wait for one computation instead of running it twice.
        """
        key = (name, *self.dataset_key())
        try:
            return self.cache[key]
        except KeyError:
            pass
        with self._locks_guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self.cache:
                self.cache[key] = compute()
        return self.cache[key]


def current() -> AppContext:
    """The context of the app serving the current request."""
    return flask.current_app.config[CONFIG_KEY]
