"""What the pages see of the running app: the store, the graph it serves,
the load report, settings and a per-dataset cache. Held on the Flask app,
never in module globals, so tests can create several apps with different data.

The data are served *per contact rule*: :attr:`AppContext.store`,
:attr:`~AppContext.graph` and :attr:`~AppContext.report` answer with the view
for the rule of the current request (set by :mod:`dashboard.access` from the
requesting user's role): ``masked`` is the served data as loaded (unconsented
contacts already masked), ``none`` a copy without any contact (and a load
report without findings from contact rows), built once per dataset and kept.
So every page, callback and download of a reader sees no personal data,
whatever it asks for.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import flask

from dashboard.settings import Settings
from graph.core.cache import cached, entries, forget, provide
from graph.core.model import PartnerGraph
from graph.store import MemoryStore

__all__ = ["AppContext", "current", "CONFIG_KEY", "RULE_KEY", "UNSEEN_RULE_KEY", "request_rule"]

CONFIG_KEY = "PARTNERNETZ_CONTEXT"
#: ``flask.g`` attribute holding the contact rule of the current request (set by dashboard.access).
RULE_KEY = "partnernetz_contact_rule"


#: app config key: a callable giving the rule of a request the access hook did not see
UNSEEN_RULE_KEY = "PARTNERNETZ_UNSEEN_RULE"


def request_rule() -> str:
    """The contact rule of the current request: what :mod:`dashboard.access`
    set; for a request context it did not see (a test's
    ``test_request_context``) ``masked`` only when the app needs no login,
    else ``none`` (fail closed); ``masked`` (the served data) outside
    requests, e.g. the warm-up thread."""
    if flask.has_request_context():
        rule = flask.g.get(RULE_KEY)
        if rule is None:
            unseen = flask.current_app.config.get(UNSEEN_RULE_KEY)
            rule = unseen() if unseen is not None else "none"
        return rule
    return "masked"

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
                 store: Any = None, restrict: Callable[[str, tuple], tuple] | None = None):
        self.settings = settings or Settings()
        # (store, local graph, load report) in one tuple, replaced as a whole by swap();
        # the report is a loaders.report.LoadReport (untyped: dashboard must not need loaders)
        self._data: tuple[Any, PartnerGraph, Any] = (store if store is not None else MemoryStore(graph), graph, report)
        self._namespace = f"app-{next(_serials)}"  # two apps on one graph keep their own entries
        self._served: dict[str, "weakref.ref[PartnerGraph]"] = {}
        # rule -> (data tuple it was built from, restricted data tuple)
        self._views: dict[str, tuple[tuple, tuple]] = {}
        self._restrict = restrict or restricted_view
        self._rule_override = threading.local()
        self._guard = threading.Lock()
        # a new dataset being prepared in a background thread (see :meth:`preparing`)
        self._pending = threading.local()
        #: seconds the last complete warm-up of the served data took (dashboard.app.warm_up, dashboard.live)
        self.warm_up_seconds: float | None = None

    # The data served. While a new dataset is prepared, the preparing thread
    # sees the new one and every other thread the old one (:meth:`preparing`).
    def _current(self, index: int) -> Any:
        pending = getattr(self._pending, "data", None)
        data = pending if pending is not None else self._data
        rule = self.rule()
        if rule != "masked":
            data = self._view(rule, data)
        return data[index]

    def _view(self, rule: str, data: tuple) -> tuple:
        """``data`` (store, graph, report) as served under ``rule``, built once per data tuple."""
        hit = self._views.get(rule)
        if hit is not None and hit[0] is data:
            return hit[1]
        with self._guard:
            hit = self._views.get(rule)
            if hit is not None and hit[0] is data:
                return hit[1]
            view = self._restrict(rule, data)
            if getattr(self._pending, "data", None) is None:  # keep only views of the served data
                self._views[rule] = (data, view)
            return view

    def rule(self) -> str:
        """The contact rule this thread is served under: :func:`request_rule`,
        or the one set by :meth:`as_rule` (warm-up of the readers' view)."""
        return getattr(self._rule_override, "rule", None) or request_rule()

    @contextmanager
    def as_rule(self, rule: str) -> Iterator[None]:
        """Within the block, this thread sees the data as served under ``rule``."""
        previous = getattr(self._rule_override, "rule", None)
        self._rule_override.rule = rule
        try:
            yield
        finally:
            self._rule_override.rule = previous

    def served_as(self, rule: str) -> tuple:
        """``(store, graph, report)`` under ``rule`` (for tests and tools)."""
        pending = getattr(self._pending, "data", None)
        data = pending if pending is not None else self._data
        return data if rule == "masked" else self._view(rule, data)

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

    def served_graphs(self) -> list[PartnerGraph]:
        """Every graph the served data consist of now: the local graph and the
        restricted views made of it (e.g. the readers' copy without contacts)."""
        data = self._data
        graphs = [data[1], *(view[1] for source, view in self._views.values() if source is data)]
        return list({id(g): g for g in graphs if isinstance(g, PartnerGraph)}.values())

    def swap(self, store: Any, graph: PartnerGraph, report: Any = None, *, applied: Any = None) -> None:
        """Serve ``graph`` (through ``store``) from now on (one assignment per
        attribute; a request reads the new data from its next access).

        ``applied`` (a :class:`graph.core.delta.Applied`) says what changed
        from the served graph to ``graph``: the restricted views of the served
        data (the readers' copy without contacts) are then brought up to date
        with it instead of being copied again on first use (16 s at 100k nodes)."""
        old, new = self._data, (store, graph, report)
        carried = {}
        if applied is not None and isinstance(store, MemoryStore):
            for rule, (data, view) in list(self._views.items()):
                if data is old and rule == "none":
                    carried[rule] = (new, _view_after(view, graph, report, applied))
        self._data = new
        self._views.update(carried)

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
        rule = self.rule()
        ref = self._served.get(rule)
        previous = ref() if ref is not None else None
        if previous is not g:
            with self._guard:
                ref = self._served.get(rule)
                previous = ref() if ref is not None else None
                if previous is not g:
                    if previous is not None:
                        forget(previous, [k for k in entries(previous) if self._mine(k)])
                    self._served[rule] = weakref.ref(g)
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

    def seed_lazily(self, loaders: dict[Any, Callable[[], Any]]) -> None:
        """Like :meth:`seed`, but each value is read by its function when first
        asked for (by a request or the warm-up), so start-up does not wait for
        indexes of pages nobody has opened yet."""
        provide(self.graph, {((self._namespace, key[1]) if isinstance(key, tuple) and len(key) == 2
                              and key[0] == "@app" else key): load for key, load in loaders.items()})

    def _mine(self, key: Any) -> bool:
        return isinstance(key, tuple) and len(key) == 2 and key[0] == self._namespace


def current() -> AppContext:
    """The context of the app serving the current request."""
    return flask.current_app.config[CONFIG_KEY]


def restricted_view(rule: str, data: tuple) -> tuple:
    """``(store, graph, report)`` as served under contact ``rule``.

    ``none``: an in-memory store over a copy of the graph without contacts
    (from the store's snapshot), and the load report without findings from
    contact or attendance rows. A store that knows how to restrict itself
    (``store.restricted(rule)``, e.g. a Neo4j store opened again with that
    rule) is asked first."""
    from graph.people.privacy import without_contacts

    store, graph, report = data
    if rule not in ("none", "masked"):
        raise ValueError(f"contact rule {rule!r} is never served")
    if rule == "masked":
        return data
    restrict = getattr(store, "restricted", None)
    own = restrict(rule) if restrict is not None else None
    if own is not None:
        return own, without_contacts(graph), _report_without_contacts(report)
    snapshot = store.snapshot()
    clean = without_contacts(snapshot)
    local = clean if graph is snapshot else without_contacts(graph)
    return MemoryStore(clean), local, _report_without_contacts(report)


def _view_after(view: tuple, graph: PartnerGraph, report: Any, applied: Any) -> tuple:
    """The ``none`` view of ``graph`` from ``view`` (that of the graph before) and what changed."""
    from graph.people.privacy import without_contacts_after

    clean = without_contacts_after(view[1], graph, applied)
    return MemoryStore(clean), clean, _report_without_contacts(report)


def _report_without_contacts(report: Any) -> Any:
    if report is None:
        return None
    from loaders.report import without_contact_findings

    return without_contact_findings(report)
