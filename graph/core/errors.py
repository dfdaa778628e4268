"""The one error tree of Partnernetz.

Every error the domain raises derives from :class:`PartnernetzError`, so callers
(CLI, dashboard) can catch one type and show a clear message.
"""

__all__ = [
    "PartnernetzError",
    "NodeNotFound",
    "LoadError",
    "StoreError",
    "StoreUnavailable",
    "SnapshotDisabled",
]


class PartnernetzError(Exception):
    """Base class of every error raised by Partnernetz."""


class NodeNotFound(PartnernetzError, KeyError):
    """A node id was asked for that the graph does not hold."""

    def __init__(self, node_id: str):
        super().__init__(node_id)
        self.node_id = node_id

    def __str__(self) -> str:  # KeyError would quote the repr
        return f"node not found: {self.node_id}"


class LoadError(PartnernetzError):
    """A dataset could not be read at all (missing, unreadable, unknown format).

    Row-level problems never raise; they go into the load report.
    """


class StoreError(PartnernetzError):
    """A graph store failed to answer."""


class StoreUnavailable(StoreError):
    """The store cannot be reached (server down, wrong credentials, timeout)."""


class SnapshotDisabled(StoreError):
    """The store was told never to copy the whole graph (``--neo4j-snapshot off``)."""
