"""One per-graph cache: values derived from a graph, kept until it changes.

Every index computed from a whole graph (the explorer's adjacency arrays and
filter index, the search and matchmaking indexes, the dashboard's per-dataset
values) is kept here, keyed on the graph *object* (two graphs never share
entries, even at the same generation) and its :attr:`~graph.core.model.PartnerGraph.generation`:
when the graph changes, its entries are rebuilt on next use; when the graph
is garbage-collected, they go with it (weak reference).

Thread-safe: concurrent first calls for one name (a warm-up thread and a
request) wait for one computation instead of running it twice.

>>> from graph.core.model import PartnerGraph
>>> g = PartnerGraph()
>>> calls = []
>>> build = lambda: calls.append(1) or len(calls)
>>> cached(g, "demo", build), cached(g, "demo", build)
(1, 1)
>>> _ = g.add_node("theme", "water", label="Wasser", illustrative=True)
>>> cached(g, "demo", build), sorted(entries(g))
(2, ['demo'])
"""

from __future__ import annotations

import threading
import weakref
from typing import Any, Callable, Hashable, Iterable

__all__ = ["cached", "entries", "forget", "provide"]


class _Slot:
    """The values of one graph at one generation."""

    __slots__ = ("generation", "values", "locks", "providers")

    def __init__(self, generation: int):
        self.generation = generation
        self.values: dict[Hashable, Any] = {}
        self.locks: dict[Hashable, threading.RLock] = {}
        # name -> a function giving the value kept from an earlier run (see provide())
        self.providers: dict[Hashable, Callable[[], Any]] = {}


_SLOTS: "weakref.WeakKeyDictionary[Any, _Slot]" = weakref.WeakKeyDictionary()
_GUARD = threading.Lock()


def _slot(g: Any) -> _Slot:
    generation = g.generation
    slot = _SLOTS.get(g)
    if slot is None or slot.generation != generation:
        with _GUARD:
            slot = _SLOTS.get(g)
            if slot is None or slot.generation != generation:
                slot = _SLOTS[g] = _Slot(generation)
    return slot


def cached(g: Any, name: Hashable, build: Callable[[], Any]) -> Any:
    """``build()``, computed once per graph ``g`` and generation under ``name``.

    ``g`` is a :class:`~graph.core.model.PartnerGraph` (anything with a
    ``generation`` that can be weakly referenced).
    """
    slot = _slot(g)
    try:
        return slot.values[name]
    except KeyError:
        pass
    with _GUARD:
        lock = slot.locks.setdefault(name, threading.RLock())
    with lock:
        if name not in slot.values:
            provider = slot.providers.pop(name, None)
            slot.values[name] = provider() if provider is not None else build()
    return slot.values[name]


def provide(g: Any, providers: dict[Hashable, Callable[[], Any]]) -> None:
    """Let ``providers[name]()`` stand in for the first ``build()`` of
    ``name`` on ``g`` at its current generation (e.g. reading an index kept
    on disk from an earlier run, only when it is first needed). A change of
    the graph drops them with its other entries.

    >>> from graph.core.model import PartnerGraph
    >>> g = PartnerGraph()
    >>> provide(g, {"a": lambda: "kept"})
    >>> cached(g, "a", lambda: "built"), sorted(entries(g))
    ('kept', ['a'])
    >>> _ = g.add_node("theme", "water", label="Wasser", illustrative=True)
    >>> cached(g, "a", lambda: "built")
    'built'
    """
    slot = _slot(g)
    with _GUARD:
        slot.providers.update(providers)


def entries(g: Any) -> dict[Hashable, Any]:
    """The values cached for ``g`` at its current generation (a copy)."""
    slot = _SLOTS.get(g)
    if slot is None or slot.generation != g.generation:
        return {}
    return dict(slot.values)


def forget(g: Any, names: Iterable[Hashable] | None = None) -> None:
    """Drop ``g``'s entries (only ``names`` when given), e.g. to free memory
    held for a graph that is no longer served.

    >>> from graph.core.model import PartnerGraph
    >>> g = PartnerGraph()
    >>> cached(g, "a", lambda: 1), cached(g, "b", lambda: 2)
    (1, 2)
    >>> forget(g, ["a"]); sorted(entries(g))
    ['b']
    """
    with _GUARD:
        slot = _SLOTS.get(g)
        if slot is None:
            return
        if names is None:
            del _SLOTS[g]
            return
        for name in names:
            slot.values.pop(name, None)
            slot.locks.pop(name, None)
            slot.providers.pop(name, None)
