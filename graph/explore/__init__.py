"""Questions the explorer asks of an in-memory graph: the neighbourhood of a
node, its neighbours grouped by relation, how two nodes are connected, the
part of the graph matching a filter, an aggregated overview for views too
large to draw, and fuzzy name search.

=================  ===========================================================
``adjacency``      CSR arrays of the graph, breadth-first distances, degrees
``subgraphs``      capped views: induced subgraph, ego network, expand, the cut
``neighbours``     neighbours grouped by relation
``paths``          k shortest paths, the strict-path policy, path steps
``filters``        :class:`GraphFilter`, project facts, filter index, filtered view
``overview``       Länder ↔ countries/themes aggregated by projects
``options``        the values the filters offer
``search``         fuzzy name search
``indexes``        build every per-dataset index ahead of the first request
=================  ===========================================================

Imports only :mod:`graph.core`. The public names of these modules are importable from here
(name search as :func:`graph.explore.search.search`).
"""

from graph.explore.adjacency import degrees, distances
from graph.explore.filters import GraphFilter, ProjectFacts, filter_subgraph, matching_projects, project_facts
from graph.explore.indexes import build_indexes
from graph.explore.neighbours import Neighbour, Relation, neighbour_groups, neighbours_by_relation, relation_key
from graph.explore.options import FilterOptions, filter_options
from graph.explore.overview import OVERVIEW_BY, AggregateEdge, AggregateNode, Overview, overview
from graph.explore.paths import HOME_COUNTRY, STRICT_PATH_EDGES, PathStep, describe_path, shortest_paths
from graph.explore.search import SearchHit
from graph.explore.subgraphs import MAX_ELEMENTS, Subgraph, ego_network, expand, induced_subgraph

__all__ = [
    "MAX_ELEMENTS", "Subgraph", "ego_network", "expand", "induced_subgraph",
    "Neighbour", "Relation", "neighbour_groups", "neighbours_by_relation", "relation_key",
    "shortest_paths", "PathStep", "describe_path", "STRICT_PATH_EDGES", "HOME_COUNTRY",
    "GraphFilter", "ProjectFacts", "project_facts", "matching_projects", "filter_subgraph",
    "AggregateNode", "AggregateEdge", "Overview", "OVERVIEW_BY", "overview",
    "FilterOptions", "filter_options", "SearchHit", "build_indexes", "degrees", "distances",
]
