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
from graph.core.cache import cached, entries, forget
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
                 store: Any = None):
        self.local_graph = graph
        self.report = report  # loaders.report.LoadReport (untyped: dashboard must not need loaders)
        self.settings = settings or Settings()
        self.store = store if store is not None else MemoryStore(graph)
        self._namespace = f"app-{next(_serials)}"  # two apps on one graph keep their own entries
        self._served: "weakref.ref[PartnerGraph] | None" = None
        self._guard = threading.Lock()

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

    def cached(self, name: str, compute: Callable[[], Any]) -> Any:
        """Compute once per dataset and keep (in :mod:`graph.core.cache`,
        keyed on the served graph object and its generation, so a refreshed
        snapshot never gets the old graph's results). When a new graph
        appears (a refreshed snapshot, the fallback), this app's entries for
        the previous one are dropped.

        Thread-safe: concurrent first requests (or a warm-up thread and a
        request) wait for one computation instead of running it twice.
        """
        g = self.graph
        previous = self._served() if self._served is not None else None
        if previous is not g:
            with self._guard:
                previous = self._served() if self._served is not None else None
                if previous is not g:
                    if previous is not None:
                        forget(previous, [k for k in entries(previous) if self._mine(k)])
                    self._served = weakref.ref(g)
        return cached(g, (self._namespace, name), compute)

    def cached_names(self, g: PartnerGraph | None = None) -> set[str]:
        """Names this app has cached for ``g`` (default :attr:`graph`) now."""
        return {k[1] for k in entries(self.graph if g is None else g) if self._mine(k)}

    def _mine(self, key: Any) -> bool:
        return isinstance(key, tuple) and len(key) == 2 and key[0] == self._namespace


def current() -> AppContext:
    """The context of the app serving the current request."""
    return flask.current_app.config[CONFIG_KEY]
