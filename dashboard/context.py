"""What the pages see of the running app: the graph, its load report,
settings and a per-dataset cache. Held on the Flask app, never in module
globals, so tests can create several apps with different data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import flask

from dashboard.settings import Settings
from graph.model import PartnerGraph

__all__ = ["AppContext", "current", "CONFIG_KEY"]

CONFIG_KEY = "PARTNERNETZ_CONTEXT"


@dataclass
class AppContext:
    graph: PartnerGraph
    report: Any  # loaders.report.LoadReport (kept untyped: dashboard must not need loaders)
    settings: Settings = field(default_factory=Settings)
    cache: dict[str, Any] = field(default_factory=dict)

    def cached(self, name: str, compute: Callable[[], Any]) -> Any:
        """Compute once per dataset (keyed on the graph generation) and keep."""
        key = (name, self.graph.generation)
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


def current() -> AppContext:
    """The context of the app serving the current request."""
    return flask.current_app.config[CONFIG_KEY]
