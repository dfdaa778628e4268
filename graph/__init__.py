"""Partnernetz domain: the typed partner graph and everything computed on it.

This package knows nothing of Dash, pandas or neo4j.
"""

from graph.core.errors import LoadError, NodeNotFound, PartnernetzError, StoreError, StoreUnavailable
from graph.core.kinds import EdgeKind, NodeKind, Sector, kind_of, node_id
from graph.core.model import PartnerGraph

__all__ = [
    "PartnerGraph",
    "NodeKind",
    "EdgeKind",
    "Sector",
    "node_id",
    "kind_of",
    "PartnernetzError",
    "NodeNotFound",
    "LoadError",
    "StoreError",
    "StoreUnavailable",
]
