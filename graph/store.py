"""The store interface: the questions the dashboard asks of a partner graph.

Two implementations pass one contract test suite (``tests/neo4j/test_contract.py``):
:class:`MemoryStore` answers from an in-memory :class:`~graph.model.PartnerGraph`,
:class:`graph.neo4j_store.Neo4jStore` answers in Cypher from Neo4j.
:class:`FallbackStore` puts the in-memory store behind a remote one for when
the remote one becomes unreachable.

>>> from graph.model import PartnerGraph
>>> store = MemoryStore(PartnerGraph())
>>> store.counts_by_kind()["land"]
16
>>> store.node("land:DE-HE")["label"]
'Hessen'
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from graph.errors import StoreUnavailable
from graph.model import PartnerGraph

__all__ = ["GraphStore", "MemoryStore", "FallbackStore"]


@runtime_checkable
class GraphStore(Protocol):
    """What every store answers. Node ids are the namespaced ids of :mod:`graph.kinds`.

    Errors: :class:`~graph.errors.NodeNotFound` for an unknown id;
    :class:`~graph.errors.StoreUnavailable` when the backend cannot be
    reached; :class:`~graph.errors.StoreError` for any other backend failure.
    """

    #: Short human-readable name of the backend (shown in the dashboard).
    name: str

    def node(self, node_id: str) -> dict[str, Any]:
        """Attributes of one node (``kind``, ``label``, …)."""
        ...

    def counts_by_kind(self) -> dict[str, int]:
        """Number of nodes per kind, every kind listed."""
        ...


class MemoryStore:
    """The store over an in-memory partner graph (the default).

    Parameters
    ----------
    graph : PartnerGraph
    """

    name = "memory"

    def __init__(self, graph: PartnerGraph):
        self.graph = graph

    def __repr__(self) -> str:
        return f"<MemoryStore {self.graph!r}>"

    def node(self, node_id: str) -> dict[str, Any]:
        return dict(self.graph.node(node_id))

    def counts_by_kind(self) -> dict[str, int]:
        return self.graph.counts_by_kind()


class FallbackStore:
    """Answer from ``primary``; once it is unreachable, answer from ``fallback``.

    After the first :class:`~graph.errors.StoreUnavailable` the store stays on
    the fallback (no retry storms against a dead server) and :attr:`notice`
    holds the cause, for a banner.

    >>> from graph.model import PartnerGraph
    >>> class Down:
    ...     name = "neo4j"
    ...     def counts_by_kind(self):
    ...         raise StoreUnavailable("bolt://db:7687: server not reachable")
    >>> store = FallbackStore(Down(), MemoryStore(PartnerGraph()))
    >>> store.counts_by_kind()["land"], store.notice
    (16, 'bolt://db:7687: server not reachable')
    """

    def __init__(self, primary: Any, fallback: MemoryStore, *, notice: str | None = None):
        self.primary = primary
        self.fallback = fallback
        self.notice = notice

    @property
    def name(self) -> str:
        return self.fallback.name if self.notice else self.primary.name

    @property
    def active(self) -> Any:
        """The store answering now."""
        return self.fallback if self.notice else self.primary

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_") or attr in ("primary", "fallback", "notice"):
            raise AttributeError(attr)
        target = getattr(self.active, attr)
        if not callable(target) or self.notice:
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            if self.notice:
                return getattr(self.fallback, attr)(*args, **kwargs)
            try:
                return target(*args, **kwargs)
            except StoreUnavailable as exc:
                self.notice = str(exc)
                return getattr(self.fallback, attr)(*args, **kwargs)

        return call
