"""Build the explorer's per-dataset indexes ahead of the first request."""

from __future__ import annotations

from graph.core.model import PartnerGraph
from graph.explore.adjacency import adjacency, degrees
from graph.explore.filters import filter_index, node_arrays, project_facts
from graph.explore.neighbours import name_order
from graph.explore.overview import incidence
from graph.explore.paths import build_path_steps

__all__ = ["build_indexes"]


def build_indexes(g: PartnerGraph) -> None:
    """Build the per-dataset indexes the queries use (project facts, filter
    index, adjacency arrays, degrees, the strict paths' stepping rows, the
    name order of neighbour lists) now, e.g. at start-up, instead of in
    the first request that needs them. They are rebuilt when ``g`` changes.

    >>> from graph.core.model import PartnerGraph
    >>> build_indexes(PartnerGraph())
    """
    project_facts(g)
    filter_index(g)
    adjacency(g)
    node_arrays(g)
    incidence(g)
    degrees(g)
    build_path_steps(g)
    for lang in ("de", "en"):
        name_order(g, lang)
