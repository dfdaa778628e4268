"""What the pages see of the running app: the store, the graph it serves,
the load report, settings and a per-dataset cache. Held on the Flask app,
never in module globals, so tests can create several apps with different data.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from contextlib import contextmanager
from typing import Any, Callable, Iterator

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
        self.settings = settings or Settings()
        # (store, local graph, load report) in one tuple, replaced as a whole by swap();
        # the report is a loaders.report.LoadReport (untyped: dashboard must not need loaders)
        self._data: tuple[Any, PartnerGraph, Any] = (store if store is not None else MemoryStore(graph), graph, report)
        self._namespace = f"app-{next(_serials)}"  # two apps on one graph keep their own entries
        self._served: "weakref.ref[PartnerGraph] | None" = None
        self._guard = threading.Lock()
        # a new dataset being prepared in a background thread (see :meth:`preparing`)
        self._pending = threading.local()

    # The data served. While a new dataset is prepared, the preparing thread
    # sees the new one and every other thread the old one (:meth:`preparing`).
    def _current(self, index: int) -> Any:
        pending = getattr(self._pending, "data", None)
        return (pending if pending is not None else self._data)[index]

    @property
    def store(self) -> Any:
        return self._current(0)

    @store.setter
    def store(self, value: Any) -> None:
        self._data = (value, *self._data[1:])

    @property
    def local_graph(self) -> PartnerGraph:
        return self._current(1)

    @local_graph.setter
    def local_graph(self, value: PartnerGraph) -> None:
        self._data = (self._data[0], value, self._data[2])

    @property
    def report(self) -> Any:
        return self._current(2)

    @report.setter
    def report(self, value: Any) -> None:
        self._data = (*self._data[:2], value)

    @contextmanager
    def preparing(self, graph: PartnerGraph, report: Any = None) -> Iterator[Any]:
        """Within the block, the calling thread (only) sees ``graph`` as the
        served data, so page warm-up hooks build its indexes while every other
        thread keeps serving the old data; :meth:`swap` then makes it current.
        Yields the new store."""
        store = MemoryStore(graph)
        self._pending.data = (store, graph, report)
        try:
            yield store
        finally:
            self._pending.data = None

    def swap(self, store: Any, graph: PartnerGraph, report: Any = None) -> None:
        """Serve ``graph`` (through ``store``) from now on (one assignment per
        attribute; a request reads the new data from its next access)."""
        self._data = (store, graph, report)

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
        if getattr(self._pending, "data", None) is not None:  # preparing: the served graph keeps its entries
            return cached(g, (self._namespace, name), compute)
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

    def kept_entries(self) -> dict[Any, Any]:
        """The served graph's cached values, this app's under ``("@app", name)``
        (another app's are left out): what a kept build stores (see
        :mod:`loaders.kept`)."""
        out: dict[Any, Any] = {}
        for key, value in entries(self.graph).items():
            if self._mine(key):
                out[("@app", key[1])] = value
            elif not (isinstance(key, tuple) and len(key) == 2 and str(key[0]).startswith("app-")):
                out[key] = value
        return out

    def seed(self, kept: dict[Any, Any]) -> None:
        """Put values of a kept build (:meth:`kept_entries`) into the served
        graph's cache, so nothing is computed again."""
        g = self.graph
        for key, value in kept.items():
            if isinstance(key, tuple) and len(key) == 2 and key[0] == "@app":
                key = (self._namespace, key[1])
            cached(g, key, lambda value=value: value)

    def _mine(self, key: Any) -> bool:
        return isinstance(key, tuple) and len(key) == 2 and key[0] == self._namespace


def current() -> AppContext:
    """The context of the app serving the current request."""
    return flask.current_app.config[CONFIG_KEY]
