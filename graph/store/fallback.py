"""A store that answers from a remote primary and, while it is unreachable,
from in-memory data (the primary's last snapshot, else the local dataset)."""

from __future__ import annotations

import threading
import time
from typing import Any

from graph.core.errors import StoreUnavailable
from graph.core.model import PartnerGraph
from graph.store.memory import MemoryStore

__all__ = ["FallbackStore"]


class FallbackStore:
    """Answer from ``primary``; while it is unreachable, answer from a standby.

    On a :class:`~graph.core.errors.StoreUnavailable` the store switches to the
    last data the primary served in full — its last snapshot
    (``primary.last_snapshot``, taken under the primary's contact rule) — or,
    before any snapshot exists, to ``fallback`` (the local dataset).
    :attr:`notice` then holds the cause (for a banner) and :attr:`showing`
    tells which data answer. At most every ``retry_interval`` seconds a call
    starts one background check of the primary (:meth:`retry`); when it
    answers again, the store switches back and the notice disappears.
    ``primary`` None (the connection settings were unusable) never recovers.

    >>> from graph.core.model import PartnerGraph
    >>> class Down:
    ...     name = "neo4j"
    ...     def counts_by_kind(self):
    ...         raise StoreUnavailable("bolt://db:7687: server not reachable")
    ...     def ping(self):
    ...         raise StoreUnavailable("bolt://db:7687: server not reachable")
    >>> store = FallbackStore(Down(), MemoryStore(PartnerGraph()))
    >>> store.counts_by_kind()["land"], store.notice, store.showing
    (16, 'bolt://db:7687: server not reachable', {'source': 'local', 'taken_at': None})
    >>> store.retry()
    False
    """

    def __init__(self, primary: Any, fallback: MemoryStore, *, notice: str | None = None,
                 retry_interval: float = 15.0):
        self.primary = primary
        #: The local dataset's store (the standby before any snapshot exists).
        self.fallback = fallback
        self.retry_interval = float(retry_interval)
        self.notice: str | None = None
        #: The store answering while the primary is down (None while it is up).
        self.standby: MemoryStore | None = None
        self._failed_at = float("-inf")
        self._retrying = False
        self._lock = threading.Lock()
        if notice is not None:
            self.fail(notice)

    @property
    def name(self) -> str:
        return self.active.name

    @property
    def active(self) -> Any:
        """The store answering now."""
        standby = self.standby
        return standby if standby is not None else self.primary

    @property
    def showing(self) -> dict[str, Any] | None:
        """Which data answer while the primary is down: ``{"source":
        "snapshot", "taken_at": <UTC ISO time>}`` (the primary's last
        snapshot) or ``{"source": "local", "taken_at": None}``; None while
        the primary answers."""
        standby = self.standby
        if standby is None:
            return None
        if standby is self.fallback:
            return {"source": "local", "taken_at": None}
        taken = standby.graph.meta.get("snapshot", {}).get("taken_at")
        return {"source": "snapshot", "taken_at": taken}

    @property
    def snapshot_mode(self) -> str:
        """The active store's snapshot mode (see :class:`MemoryStore`)."""
        return getattr(self.active, "snapshot_mode", "warm")

    def fail(self, cause: str) -> None:
        """Switch to the standby (the primary's last snapshot, else the local
        data) with ``cause`` as the notice; the retry clock starts now."""
        with self._lock:
            if self.standby is None:
                last = getattr(self.primary, "last_snapshot", None)
                self.standby = MemoryStore(last) if isinstance(last, PartnerGraph) else self.fallback
            self.notice = cause
            self._failed_at = time.monotonic()

    def retry(self) -> bool:
        """Ask the primary once (``ping``); switch back to it when it answers.
        True when the primary answers now."""
        if self.standby is None:
            return True
        if self.primary is None:
            return False
        try:
            self.primary.ping()
        except StoreUnavailable as exc:
            with self._lock:
                self.notice, self._failed_at = str(exc), time.monotonic()
            return False
        with self._lock:
            invalidate = getattr(self.primary, "invalidate", None)
            if invalidate is not None:  # the server may hold other data now
                invalidate()
            self.standby, self.notice = None, None
        return True

    def _retry_if_due(self) -> None:
        """Start one background :meth:`retry` when ``retry_interval`` has passed."""
        if self.primary is None:
            return
        with self._lock:
            if self._retrying or time.monotonic() - self._failed_at < self.retry_interval:
                return
            self._retrying = True
            self._failed_at = time.monotonic()

        def run() -> None:
            try:
                self.retry()
            except Exception:  # noqa: BLE001 - never let a check kill a request thread; next one retries
                pass
            finally:
                self._retrying = False

        threading.Thread(target=run, name="partnernetz-store-retry", daemon=True).start()

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_") or attr in ("primary", "fallback", "notice", "standby", "retry_interval"):
            raise AttributeError(attr)
        standby = self.standby
        if standby is not None:
            self._retry_if_due()
            return getattr(standby, attr)
        target = getattr(self.primary, attr)
        if not callable(target):
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            standby = self.standby
            if standby is not None:
                return getattr(standby, attr)(*args, **kwargs)
            try:
                return target(*args, **kwargs)
            except StoreUnavailable as exc:
                self.fail(str(exc))
                return getattr(self.standby or self.fallback, attr)(*args, **kwargs)

        return call
