"""What the pages see of the running app: the graph, its store, its load
report, settings and a per-dataset cache. Held on the Flask app, never in module
globals, so tests can create several apps with different data.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable

import flask

from dashboard.settings import Settings
from graph.model import PartnerGraph
from graph.store import MemoryStore

__all__ = ["AppContext", "current", "CONFIG_KEY"]

CONFIG_KEY = "PARTNERNETZ_CONTEXT"


@dataclass
class AppContext:
    """``store`` answers the explorer's questions (a :class:`graph.store.GraphStore`;
    by default a :class:`~graph.store.MemoryStore` over ``graph``). With a
    Neo4j store, ``graph`` is the in-memory copy pages and the fallback use."""

    graph: PartnerGraph
    report: Any  # loaders.report.LoadReport (kept untyped: dashboard must not need loaders)
    settings: Settings = field(default_factory=Settings)
    cache: dict[str, Any] = field(default_factory=dict)
    store: Any = None  # graph.store.GraphStore
    _locks: dict[Any, threading.Lock] = field(default_factory=dict, repr=False)
    _locks_guard: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.store is None:
            self.store = MemoryStore(self.graph)

    @property
    def store_notice(self) -> str | None:
        """Why the store fell back to in-memory data (None while all is well)."""
        return getattr(self.store, "notice", None)

    def cached(self, name: str, compute: Callable[[], Any]) -> Any:
        """Compute once per dataset (keyed on the graph generation) and keep.

        Thread-safe: concurrent first requests (or a warm-up thread and a
        request) wait for one computation instead of running it twice.
        """
        key = (name, self.graph.generation)
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
