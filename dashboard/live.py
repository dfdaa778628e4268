"""Live data: notice a new workspace version and switch to it without restart.

Every serving process (also each ``--workers`` process) checks the
workspace's head at most once per ``interval`` seconds, on a request. When a
new version appeared, one background thread first asks ``update`` to apply
the new versions' row changes to the served graph (a copy-on-write fork:
milliseconds for an edit, see :mod:`loaders.workspace.live_update`); when
that is not possible (an import, many rows, …) it loads and builds the
version from scratch. A rebuilt version whose data warmed up within a time
budget last time (one second; the sample) gets its pages' warm-up hooks run
while the old version keeps serving (:meth:`AppContext.preparing`) and is
swapped in (:meth:`AppContext.swap`) when they are done or the budget has
passed; one whose warm-up took longer (a large dataset: the network metrics
alone take seconds) is swapped in as soon as it is loaded, and the hooks run
right after. So a rebuilt version goes live one load + build after its
publish, and a request that needs an index not yet built waits for that one
computation (:meth:`AppContext.cached`).

The loading itself is injected (``head``, ``load`` and ``update`` callables
from ``app.py``), so this module knows nothing of files or loaders.
"""

from __future__ import annotations

import datetime as _dt
import gc
import importlib
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable

import dash
import flask

from dashboard.context import CONFIG_KEY
from graph.store import MemoryStore

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
    #: how the live version was made: "updated" (row changes applied) or "rebuilt"; why it was rebuilt; seconds
    mode: str = ""
    fallback: str | None = None
    seconds: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"live": self.live, "head": self.head, "building": self.building, "since": self.since,
                "error": self.error, "path": self.path, "mode": self.mode, "fallback": self.fallback,
                "seconds": self.seconds}


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


class LiveData:
    """Keeps one app on the workspace's newest version.

    ``head()`` returns the newest version number (cheap); ``load()`` returns
    ``(version, graph, report)`` of the newest version, ready to serve;
    ``update(version, graph, report)`` the same made from the served data of
    ``version`` without a rebuild (plus, fourth, what changed: then the
    readers' contact-free view is updated too instead of copied again), or
    None when it cannot (then ``load`` runs).
    """

    #: Seconds before a version that failed to load is tried again.
    RETRY = 30.0

    def __init__(self, app: dash.Dash, *, version: int, head: Callable[[], int],
                 load: Callable[[], tuple[int, Any, Any]], interval: float = 1.0, path: str = "",
                 warm_budget: float = 1.0,
                 update: Callable[[int, Any, Any], tuple[int, Any, Any] | None] | None = None):
        self.app, self._head, self._load, self.interval, self.path = app, head, load, interval, path
        self._update = update
        self._mode, self._fallback, self._seconds = "", None, None
        #: Seconds of page warm-up (in page order) done before the swap; the rest runs right after it.
        self.warm_budget = warm_budget
        self._lock = threading.Lock()
        self._swapped = threading.Condition(self._lock)  # notified when a version went live or failed
        self._live, self._seen, self._building = version, version, None
        self._since, self._error = _now(), None
        self._checked = 0.0
        self._failed: tuple[int, float] | None = None  # (version, when) of a failed rebuild: retried after RETRY s
        self._thread: threading.Thread | None = None

    def status(self) -> LiveStatus:
        with self._lock:
            return LiveStatus(self._live, self._seen, self._building, self._since, self._error, self.path,
                              self._mode, self._fallback, self._seconds)

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

    def wait_live(self, version: int, timeout: float) -> bool:
        """Wait (at most ``timeout`` s) until this process serves ``version`` or
        newer (swapped in; warm-ups may still run); True when it does."""
        deadline = time.monotonic() + timeout
        while True:
            self.check(force=True)
            with self._lock:
                if self._live >= version:
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._swapped.wait(min(left, 0.05))  # also look again: a rebuild of an older head may end first

    def _rebuild(self) -> None:
        from dashboard.app import warm_up_order

        ctx = self.app.server.config[CONFIG_KEY]
        hooks = [h for h in (getattr(importlib.import_module(n), "warm_up", None) for n in warm_up_order()) if h]
        try:
            began = time.monotonic()
            made, why = self._updated(ctx)
            version, graph, report = made[:3] if made is not None else self._load()
            applied = made[3] if made is not None and len(made) > 3 else None
            budget = self._pre_swap_budget(ctx, updated=made is not None)
            warming = _Warming(self.app, ctx, graph, report, hooks)
            if budget > 0:
                warming.start()
                store = warming.until(budget)  # raises when a warm-up failed before the swap (the old data stay)
            else:  # the hooks start after the swap: none holds the interpreter while it happens
                store = MemoryStore(graph)
            replaced = ctx.served_graphs()
            ctx.swap(store, graph, report, applied=applied)
            warming.swapped.set()
            warming.start()  # no-op when started before the swap
            with self._lock:
                self._live, self._since, self._error = version, _now(), None
                self._mode, self._fallback = ("updated", None) if made is not None else ("rebuilt", why)
                self._seconds = round(time.monotonic() - began, 3)
                self._swapped.notify_all()
            warming.finish()  # the slow rest (e.g. the overview, analytics) after the swap
            if made is None:  # a rebuilt version's warm-up predicts the next rebuild's (an update's does not)
                ctx.warm_up_seconds = warming.seconds
            _let_go(replaced, ctx.served_graphs(), rebuilt=made is None)
        except Exception as exc:  # keep serving the old version (or the new one if only a late warm-up failed) and say why
            traceback.print_exc()
            with self._lock:
                self._error = f"version could not be loaded: {exc}"
                self._failed = (self._building, time.monotonic())
                self._swapped.notify_all()
        finally:
            with self._lock:
                self._building = None
                self._checked = 0.0  # look again at the next request (another version may have come)


    def _pre_swap_budget(self, ctx, *, updated: bool) -> float:
        """Seconds the swap waits for the new data's warm-up.

        An updated graph goes live at once (its few changed indexes are made on
        first use or by the warm-up right after). A rebuilt one waits at most
        ``warm_budget`` seconds, and only when the whole warm-up of the data
        served now took no longer than that (at start or after the last
        rebuild; the sample: everything is warm when it goes live); when it took longer (a large dataset: its first
        hook alone runs for seconds), waiting would delay the version without
        finishing anything a request needs.
        """
        if updated:
            return 0.0
        took = getattr(ctx, "warm_up_seconds", None)
        return self.warm_budget if took is None or took <= self.warm_budget else 0.0

    def _updated(self, ctx) -> tuple[tuple[int, Any, Any] | None, str | None]:
        """``((version, graph, report), None)`` made by ``update`` from the served
        data, or ``(None, why not)``."""
        if self._update is None:
            return None, "no incremental update configured"
        _store, graph, report = ctx.served_as("masked")
        try:
            made = self._update(self._live, graph, report)
        except Exception as exc:  # a bug in the update must not keep a version from going live
            traceback.print_exc()
            return None, f"update failed: {exc}"
        return (made, None) if made is not None else (None, getattr(self._update, "reason", None) or "cannot update")


def _let_go(replaced: list[Any], served: list[Any], *, rebuilt: bool) -> None:
    """Make sure the data served before a swap are freed (called once the new
    version's warm-up is done, when no request still works on them).

    ``serve`` freezes its data out of the garbage collector's reach after the
    warm-up (``gc.freeze()``: a collection then skips millions of long-lived
    objects). A frozen object in a reference cycle is never freed — and a
    networkx graph is one through its cached views. So the replaced graphs drop
    their views (reference counting frees them), and after a rebuild, which
    replaced everything, the collector takes back whatever else was frozen
    and is garbage now (one full collection: about a second at 100k nodes)
    and freezes the new data, so later collections skip them too.
    """
    keep = {id(g) for g in served}
    for graph in replaced:
        if id(graph) not in keep and hasattr(graph, "drop_views"):
            graph.drop_views()
    if rebuilt and gc.get_freeze_count():
        gc.unfreeze()
        gc.collect()
        gc.freeze()


class _Warming:
    """The pages' warm-up hooks run on new data in a thread of their own.

    Until the swap they see the new data while every other thread sees the
    old (:meth:`AppContext.preparing`); :meth:`until` waits for them at most
    ``budget`` seconds, so one slow hook (the network overview of a large
    graph) cannot hold a rebuilt version back: the swap happens, and the hook
    finishes afterwards — a request that needs its result waits for that one
    computation (:meth:`AppContext.cached`). Hooks started after the swap see
    the served data, which are then the new data.
    """

    def __init__(self, app: dash.Dash, ctx: Any, graph: Any, report: Any, hooks: list[Callable[[], Any]]):
        self.app, self.ctx, self.graph, self.report, self.hooks = app, ctx, graph, report, hooks
        self.store: Any = None
        self.error: BaseException | None = None
        self.entered, self.done, self.swapped = threading.Event(), threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run, name="partnernetz-live-warm-up", daemon=True)
        #: seconds from start() to the last hook's end (None until then)
        self.seconds: float | None = None
        self._began: float | None = None

    def start(self) -> None:
        """Run the hooks (once; before the swap they see the new data, after it the served data)."""
        if self._began is None:
            self._began = time.monotonic()
            self.thread.start()

    def _run(self) -> None:
        try:
            with self.app.server.app_context():
                inside = not self.swapped.is_set()
                if inside:
                    preparing = self.ctx.preparing(self.graph, self.report)
                    self.store = preparing.__enter__()
                self.entered.set()
                try:
                    for hook in self.hooks:
                        if inside and self.swapped.is_set():
                            inside = False
                            preparing.__exit__(None, None, None)
                        hook()
                finally:
                    if inside:
                        preparing.__exit__(None, None, None)
        except BaseException as exc:  # raised by until() or finish() in the rebuild thread
            self.error = exc
        finally:
            self.seconds = time.monotonic() - self._began
            self.entered.set()
            self.done.set()

    def until(self, budget: float) -> Any:
        """The new data's store, once the hooks are done or ``budget`` seconds passed."""
        self.entered.wait()
        self.done.wait(budget)
        if self.error is not None:
            raise self.error
        return self.store

    def finish(self) -> None:
        """Wait for the remaining hooks (after the swap); raise what failed."""
        self.start()
        self.thread.join()
        if self.error is not None:
            raise self.error


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
