"""Live data: notice a new workspace version and switch to it without restart.

Every serving process (also each ``--workers`` process) checks the
workspace's head at most once per ``interval`` seconds, on a request. When a
new version appeared, one background thread loads it, builds the graph and
runs the pages' warm-up hooks on it while the old version keeps serving
(:meth:`AppContext.preparing`), then swaps it in (:meth:`AppContext.swap`).
Warm-ups beyond a time budget (the whole-graph analytics of a large dataset)
run right after the swap, so a version goes live within one load and build.

The loading itself is injected (``head`` and ``load`` callables from
``app.py``), so this module knows nothing of files or loaders.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable

import dash
import flask

from dashboard.context import CONFIG_KEY

__all__ = ["LiveData", "LiveStatus", "install_live_data", "live_of", "LIVE_KEY", "STATUS_ROUTE"]

LIVE_KEY = "PARTNERNETZ_LIVE"
#: JSON status of this serving process (live version, head, building).
STATUS_ROUTE = "/_partnernetz/live"


@dataclass(frozen=True)
class LiveStatus:
    """What this process serves: ``live`` version, the ``head`` seen last, the version being built."""

    live: int
    head: int
    building: int | None
    since: str
    error: str | None = None
    path: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"live": self.live, "head": self.head, "building": self.building, "since": self.since,
                "error": self.error, "path": self.path}


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


class LiveData:
    """Keeps one app on the workspace's newest version.

    ``head()`` returns the newest version number (cheap); ``load()`` returns
    ``(version, graph, report)`` of the newest version, ready to serve.
    """

    #: Seconds before a version that failed to load is tried again.
    RETRY = 30.0

    def __init__(self, app: dash.Dash, *, version: int, head: Callable[[], int],
                 load: Callable[[], tuple[int, Any, Any]], interval: float = 1.0, path: str = "",
                 warm_budget: float = 1.0):
        self.app, self._head, self._load, self.interval, self.path = app, head, load, interval, path
        #: Seconds of page warm-up (in page order) done before the swap; the rest runs right after it.
        self.warm_budget = warm_budget
        self._lock = threading.Lock()
        self._live, self._seen, self._building = version, version, None
        self._since, self._error = _now(), None
        self._checked = 0.0
        self._failed: tuple[int, float] | None = None  # (version, when) of a failed rebuild: retried after RETRY s
        self._thread: threading.Thread | None = None

    def status(self) -> LiveStatus:
        with self._lock:
            return LiveStatus(self._live, self._seen, self._building, self._since, self._error, self.path)

    def check(self, *, force: bool = False) -> None:
        """Look at the head (at most once per interval unless ``force``) and
        start a background rebuild when it moved."""
        now = time.monotonic()
        with self._lock:
            if not force and now - self._checked < self.interval:
                return
            self._checked = now
            if self._building is not None:
                return
        try:
            head = self._head()
        except Exception as exc:  # the file is gone or locked for long: keep serving, say why
            with self._lock:
                self._error = f"workspace unreadable: {exc}"
            return
        with self._lock:
            self._seen = head
            if head == self._live or self._building is not None:
                return
            if self._failed and self._failed[0] == head and now - self._failed[1] < self.RETRY:
                return
            self._building = head
            self._thread = threading.Thread(target=self._rebuild, name="partnernetz-live-rebuild", daemon=True)
            self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a running rebuild (tests, benchmarks)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _rebuild(self) -> None:
        from dashboard.app import PAGE_MODULES

        ctx = self.app.server.config[CONFIG_KEY]
        hooks = [h for h in (getattr(importlib.import_module(n), "warm_up", None) for n in PAGE_MODULES) if h]
        try:
            version, graph, report = self._load()
            started = time.monotonic()
            with self.app.server.app_context(), ctx.preparing(graph, report) as store:
                while hooks and time.monotonic() - started < self.warm_budget:
                    hooks.pop(0)()  # the new data's indexes, while the old data keep serving
            ctx.swap(store, graph, report)
            with self._lock:
                self._live, self._since, self._error = version, _now(), None
            with self.app.server.app_context():  # the slow rest (e.g. analytics) after the swap:
                for hook in hooks:  # a request needing one waits for this computation (AppContext.cached)
                    hook()
        except Exception as exc:  # keep serving the old version (or the new one if only a late warm-up failed) and say why
            traceback.print_exc()
            with self._lock:
                self._error = f"version could not be loaded: {exc}"
                self._failed = (self._building, time.monotonic())
        finally:
            with self._lock:
                self._building = None
                self._checked = 0.0  # look again at the next request (another version may have come)


def install_live_data(app: dash.Dash, live: LiveData) -> LiveData:
    """Check for a new version before every request of ``app``."""
    app.server.config[LIVE_KEY] = live

    @app.server.before_request
    def _check_live_data() -> None:
        live.check()

    @app.server.route(STATUS_ROUTE)
    def _live_status():  # version numbers only; behind the same login as every page
        return flask.jsonify(live.status().to_dict())

    return live


def live_of(server: flask.Flask | None = None) -> LiveData | None:
    """The live-data keeper of the current app (None when it serves files)."""
    server = server or flask.current_app
    return server.config.get(LIVE_KEY)
