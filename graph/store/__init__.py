"""Stores: the one interface the dashboard asks its questions through.

=============  ==============================================================
``protocol``   :class:`GraphStore` (what every store answers), ``EdgeRecord``
``memory``     :class:`MemoryStore` over an in-memory graph (the default)
``fallback``   :class:`FallbackStore`: a remote store with in-memory standby
``neo4j/``     :class:`~graph.store.neo4j.Neo4jStore`: the same questions in
               Cypher over Bolt, push and pull (not imported here: importing
               :mod:`graph.store` never loads the ``neo4j`` driver)
=============  ==============================================================

Imports only :mod:`graph.core`, :mod:`graph.explore` and :mod:`graph.people`.

>>> from graph.core.model import PartnerGraph
>>> MemoryStore(PartnerGraph()).counts_by_kind()["land"]
16
"""

from graph.explore.options import FilterOptions, filter_options
from graph.store.fallback import FallbackStore
from graph.store.memory import MemoryStore
from graph.store.protocol import EdgeRecord, GraphStore

__all__ = ["GraphStore", "MemoryStore", "FallbackStore", "FilterOptions", "filter_options", "EdgeRecord"]
