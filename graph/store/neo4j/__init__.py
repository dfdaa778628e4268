"""The Neo4j store: the partner graph in Neo4j 5 (or FalkorDB) over Bolt.

=============  ==============================================================
``store``      :class:`Neo4jStore` (the explorer's questions in Cypher, caches
               per dataset version, snapshot) and :func:`connect`
``transfer``   push (graph → server) and pull (server → graph)
``cypher``     every statement, as named constants; the two dialects
``rows``       graph → ``UNWIND`` rows and pulled records → graph (pure)
``errors``     driver errors → the Partnernetz error tree, secrets kept out
``caches``     the bounded LRU caches of query mode
``walk``       breadth-first search one query per layer (paths, balls)
``local``      small in-memory graphs of fetched parts, for the in-memory rules
=============  ==============================================================

Only ``store``, ``transfer`` and ``errors`` import the ``neo4j`` driver;
``cypher``, ``rows``, ``local`` and ``walk`` are pure. Importing this package
does not import the driver: the names below load :mod:`.store` on first use.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Neo4jStore", "PushResult", "PullResult", "connect", "redact_uri", "Progress", "CONTACT_RULES",
           "SNAPSHOT_MODES"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from graph.store.neo4j import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
