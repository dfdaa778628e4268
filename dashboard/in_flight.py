"""Requests in flight: the background warm-up gives way to them.

With one server process the warm-up thread and the requests share one
interpreter lock; a visitor arriving while the warm-up reads or builds
another page's indexes would wait for half of the processor. The warm-up
therefore pauses between its steps while any request is being answered
(at most a bounded time per step, so a steady stream of requests slows the
warm-up down but never stops it).

>>> tracker = InFlight()
>>> tracker.wait_idle(0.01), tracker.count
(True, 0)
>>> tracker.enter(); tracker.wait_idle(0.01), tracker.count
(False, 1)
>>> tracker.leave(); tracker.wait_idle(0.01)
True
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterable

__all__ = ["InFlight", "install_in_flight", "in_flight"]

_KEY = "partnernetz.in_flight"


class InFlight:
    """A count of requests being answered, and a wait until there are none."""

    def __init__(self) -> None:
        self.count = 0
        self._idle = threading.Condition()

    def enter(self) -> None:
        with self._idle:
            self.count += 1

    def leave(self) -> None:
        with self._idle:
            self.count -= 1
            if self.count <= 0:
                self.count = 0
                self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no request is in flight (at most ``timeout`` seconds); whether none is."""
        with self._idle:
            return self._idle.wait_for(lambda: self.count == 0, timeout)


def install_in_flight(server: Any) -> InFlight:
    """Count the requests of the Flask ``server`` (a WSGI middleware around
    it: every request, whatever the other hooks decide) and return the count."""
    tracker = InFlight()
    inner: Callable[..., Iterable[bytes]] = server.wsgi_app

    def counted(environ: dict, start_response: Callable) -> Iterable[bytes]:
        tracker.enter()
        try:
            return inner(environ, start_response)
        finally:
            tracker.leave()

    server.wsgi_app = counted
    server.extensions[_KEY] = tracker
    return tracker


def in_flight(server: Any) -> InFlight:
    """The request count of ``server`` (a fresh, never-busy one when none is installed)."""
    return server.extensions.get(_KEY) or InFlight()
