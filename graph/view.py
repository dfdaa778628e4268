"""The explorer's view of one view state, composed of a store's answers
(:func:`explorer_view`), and the small in-memory graphs the element builders
and panels draw from (:func:`view_graph`, :func:`local_graph`).

The top of the ``graph`` layers: it builds on :mod:`graph.store` and
:mod:`graph.explore`; nothing in ``graph`` imports it back.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable

from graph.core.kinds import NodeKind, kind_of
from graph.core.model import PartnerGraph
from graph.explore.adjacency import steps_within_two
from graph.explore.filters import GraphFilter, attrs_compatible
from graph.explore.overview import Overview
from graph.explore.paths import HOME_COUNTRY, STRICT_PATH_EDGES
from graph.explore.subgraphs import MAX_ELEMENTS, Subgraph, expanded_around
from graph.store import GraphStore, MemoryStore

__all__ = ["ExplorerView", "explorer_view", "view_graph", "local_graph"]


@dataclass(frozen=True)
class ExplorerView:
    """What the explorer shows for one view state.

    Either ``subgraph`` (a detailed view) or ``overview`` (aggregated) is
    set. ``reason`` says why the overview is shown: ``"start"`` (nothing
    chosen yet) or ``"too_large"`` (the detailed view would have ``total``
    elements, more than the cap). ``unknown`` lists ids from the request
    that are not in the graph (ignored).
    """

    subgraph: Subgraph | None
    overview: Overview | None
    paths: tuple[tuple[str, ...], ...] = ()
    reason: str = ""
    total: int = 0
    unknown: tuple[str, ...] = ()

    @property
    def path_nodes(self) -> frozenset[str]:
        return frozenset(n for p in self.paths for n in p)

    @property
    def path_edges(self) -> frozenset[frozenset[str]]:
        """Consecutive pairs of every path (unordered)."""
        return frozenset(frozenset(pair) for p in self.paths for pair in zip(p, p[1:]))


def explorer_view(g: "PartnerGraph | GraphStore", *, focus: str | None = None, radius: int = 1,
                  expand: Iterable[str] = (), collapse: Iterable[str] = (),
                  highlight: Iterable[str] = (), path: Iterable[str] = (),
                  flt: GraphFilter | None = None, k: int = 3, max_length: int = 6,
                  strict_paths: bool = True, by: str = "country",
                  max_elements: int = MAX_ELEMENTS) -> ExplorerView:
    """Compose the explorer's view from its state.

    ``g`` is a graph or any :class:`graph.store.GraphStore`: the view is
    composed only of the store's answers (a graph is asked through a
    :class:`~graph.store.MemoryStore`), so with the Neo4j store every part
    of it comes from Neo4j.

    * ``focus``: the ego network of radius ``radius`` (nodes contradicting
      ``flt`` are left out; the focus itself always stays);
    * otherwise a filter (``flt`` with any criterion): :func:`filter_subgraph`;
    * ``expand``: adds all neighbours (of the kinds in ``flt.kinds``) of
      these nodes; ``collapse``: hides nodes hanging only on these nodes;
    * ``highlight`` alone (no focus, no filter): the highlighted nodes and
      every node linking two or more of them;
    * ``highlight`` and ``path`` (two ids): those nodes and up to ``k``
      shortest paths (``strict_paths``: via :data:`STRICT_PATH_EDGES`,
      not through :data:`HOME_COUNTRY` nor through a theme) are always in view;
    * with nothing chosen, or when the detailed view would exceed
      ``max_elements``, the aggregated :func:`overview` is returned.
    """

    store = MemoryStore(g) if isinstance(g, PartnerGraph) else g
    flt = flt or GraphFilter()
    unknown: list[str] = []
    focus_ids = [focus] if focus else []
    expand, collapse, highlight, path = list(expand), list(collapse), list(highlight), list(path)
    requested = [n for n in dict.fromkeys(focus_ids + expand + collapse + highlight + path) if n]
    existing = set(store.node_attrs(requested)) if requested else set()

    def known(ids: Iterable[str]) -> list[str]:
        out = []
        for n in ids:
            if n in existing:
                out.append(n)
            elif n:
                unknown.append(n)
        return list(dict.fromkeys(out))

    focus_l = known(focus_ids)
    expand_l, collapse_l, highlight_l, path_l = known(expand), known(collapse), known(highlight), known(path)
    paths: list[list[str]] = []
    if len(path_l) >= 2:
        opts: dict[str, Any] = {}
        if strict_paths:
            # structural links only: no "via Germany" and no "both address the same theme"
            # (project → theme → project); a theme may still be an end of the path
            themes = [row[0] for row in store.filter_options().themes if row[0] not in path_l[:2]]
            opts = {"exclude": [HOME_COUNTRY, *themes], "via": STRICT_PATH_EDGES}
        paths = store.shortest_paths(path_l[0], path_l[1], k=k, max_length=max_length, **opts)
    pinned = list(dict.fromkeys(focus_l + expand_l + highlight_l + path_l + [n for p in paths for n in p]))

    rank: dict[str, float] = {}
    base: list[str] = []
    if focus_l:
        ego = store.ego_network(focus_l[0], radius=max(1, min(radius, 2)), max_elements=max_elements)
        attrs = store.node_attrs(ego.nodes) if not flt.is_empty() else {}
        matching = set(store.matching_projects(flt)) if flt.selects_projects else None
        base = [n for n in ego.nodes if n == focus_l[0] or flt.is_empty() or (
            n in attrs and attrs_compatible(n, attrs[n], flt)
            and (matching is None or kind_of(n) is not NodeKind.PROJECT or n in matching))]
    elif not flt.is_empty():
        sub = store.filter_subgraph(flt, max_elements=max_elements)
        if sub.truncated and not pinned:
            return ExplorerView(None, store.overview(flt, by=by), (), "too_large", sub.total, tuple(unknown))
        base = list(sub.nodes)
    elif not pinned:
        return ExplorerView(None, store.overview(flt, by=by), (), "start", 0, tuple(unknown))

    nodes = list(dict.fromkeys(base + pinned))
    group = not focus_l and flt.is_empty() and len(highlight_l) > 1
    if focus_l and expand_l and not collapse_l and flt.is_empty() and isinstance(store, MemoryStore):
        # in memory, an expansion stays in adjacency rows: a hub's thousands of
        # neighbours are named only when drawn (the same view as the steps below)
        sub = expanded_around(store.graph, focus_l[0], nodes, expand_l, keep=pinned, max_elements=max_elements)
        return ExplorerView(sub, None, tuple(tuple(p) for p in paths), "", sub.total, tuple(unknown))
    around = list(dict.fromkeys((highlight_l if group else []) + expand_l + collapse_l))
    nbrs = store.neighbours(around) if around else {}
    if group:
        # a highlighted group alone (e.g. a community from the Analysen page):
        # add the nodes linking two or more of its members, so its structure shows
        counts: Counter[str] = Counter()
        for h in highlight_l:
            counts.update(nbrs.get(h, ()))
        nodes += sorted(n for n, c in counts.items() if c >= 2)
    for nid in expand_l:
        nodes += [n for n in sorted(nbrs.get(nid, ())) if not flt.kinds or kind_of(n).value in flt.kinds]
    nodes = list(dict.fromkeys(nodes))
    if collapse_l:
        in_view = set(nodes)
        keep = set(pinned)
        candidates = {c: [n for n in nbrs.get(c, ()) if n in in_view and n not in keep] for c in collapse_l}
        second = store.neighbours({n for ns in candidates.values() for n in ns})
        hidden = {n for c, ns in candidates.items() for n in ns if (second.get(n, frozenset()) & in_view) <= {c}}
        nodes = [n for n in nodes if n not in hidden]
    if focus_l and isinstance(store, MemoryStore) and set(nodes) <= set(ego.nodes):
        # only (some of) the ego network's nodes: their edges are among the ego
        # network's, and the view fits (the ego network does) — what
        # induced_subgraph would answer, without walking the graph again
        inside = set(nodes)
        edges = tuple(e for e in ego.edges if e[0] in inside and e[1] in inside)
        sub = Subgraph(tuple(sorted(inside)), edges, False, len(inside) + len(edges))
        return ExplorerView(sub, None, tuple(tuple(p) for p in paths), "", sub.total, tuple(unknown))
    if focus_l:
        # in memory: in numpy over the adjacency rows (the same steps as asking the store)
        rank = (steps_within_two(store.graph, focus_l[0], nodes) if isinstance(store, MemoryStore)
                else _rank_by_distance(store, focus_l[0], nodes, known=nbrs))
    sub = store.induced_subgraph(nodes, max_elements=max_elements, keep=pinned, rank=rank)
    return ExplorerView(sub, None, tuple(tuple(p) for p in paths), "", sub.total, tuple(unknown))


def _rank_by_distance(store: Any, focus: str, nodes: list[str],
                      known: dict[str, frozenset[str]] | None = None) -> dict[str, float]:
    """Steps (0, 1 or 2; direction ignored) from ``focus`` to each of ``nodes``
    within two steps, asked of ``store``: the neighbours of the focus, then
    the neighbours of only those nodes in view that are not among them (not
    of every neighbour of the focus, which for a hub is most of the graph).
    ``known``: neighbour sets already asked for (the expanded nodes'): the
    neighbours of a neighbour of the focus are two steps away without asking
    again (an expanded country next to the focus brings its thousands so).

    >>> from graph.core.model import PartnerGraph
    >>> from graph.store import MemoryStore
    >>> g = PartnerGraph(with_laender=False)
    >>> for n in "abcd":
    ...     _ = g.add_node("institution", n, label=n, illustrative=True)
    >>> _ = g.add_node("project", "p", label="p", illustrative=True)
    >>> for n in "abc":
    ...     g.add_edge(f"institution:{n}", "project:p", "participates_in", illustrative=True)
    >>> nodes = ["institution:a", "project:p", "institution:b", "institution:d"]
    >>> _rank_by_distance(MemoryStore(g), "institution:a", nodes, known={"project:p": g.neighbours("project:p")})
    {'institution:a': 0, 'project:p': 1, 'institution:b': 2}
    """
    first = store.neighbours([focus]).get(focus, frozenset())
    rank: dict[str, float] = {focus: 0}
    rank.update((n, 1) for n in nodes if n in first)
    asked = first & (known or {}).keys()
    for near in asked:
        rank.update((n, 2) for n in known[near] if n not in rank)
    rank = {n: rank[n] for n in dict.fromkeys([focus, *nodes]) if n in rank}  # only nodes of the view, in order
    rest = [n for n in nodes if n not in rank]
    if not rest:
        return rank
    first = first - asked  # the known ones' neighbours are ranked already
    if not first:
        return rank
    if len(first) < len(rest):
        # a node of ``rest`` is two steps away when it is adjacent to one of
        # ``first``: asking for the neighbours of the (fewer) first ones is
        # the same answer at a fraction of the cost (an expanded hub brings
        # tens of thousands of nodes into ``rest``)
        second = set().union(*store.neighbours(list(first)).values())
        rank.update((n, 2) for n in rest if n in second)
    else:
        rank.update((n, 2) for n, adj in store.neighbours(rest).items() if adj & first)
    return rank


def view_graph(store: GraphStore, view: ExplorerView, *, edge_attrs: bool = False, with_edges: bool = True,
               extra: Iterable[str] = ()) -> PartnerGraph:
    """A small in-memory graph of what ``view`` shows, for the element
    builders: its nodes with their attributes from ``store.node_attrs`` and
    its edges with their kind (read from the edge key, ``kind`` or
    ``kind:discriminator``; with ``edge_attrs`` all their attributes, from
    ``store.edges_between``; without ``with_edges`` none: the page's element
    builders read an edge's kind from its key). ``extra`` names further nodes
    to include (attributes only; unknown ids are left out).

    >>> from graph.core.model import PartnerGraph
    >>> from graph.view import explorer_view
    >>> g = PartnerGraph()
    >>> _ = g.add_country("RWA")
    >>> g.add_edge("land:DE-RP", "country:RWA", "partners_with", source="s")
    >>> store = MemoryStore(g)
    >>> local = view_graph(store, explorer_view(store, focus="country:RWA"))
    >>> sorted(local.nx.nodes), [k for _, _, k in local.nx.edges(data="kind")]
    (['country:RWA', 'land:DE-RP'], ['partners_with'])
    """
    if view.overview is not None:
        ids = [n.node_id for n in view.overview.nodes]
        edges: tuple[tuple[str, str, str], ...] = ()
    else:
        assert view.subgraph is not None
        ids, edges = list(view.subgraph.nodes), view.subgraph.edges
    local = PartnerGraph(with_laender=False)
    for nid, attrs in store.node_attrs(list(dict.fromkeys([*ids, *extra]))).items():
        local.put_node(nid, **attrs)
    if edge_attrs and edges:
        wanted = set(edges)
        for u, v, key, attrs in store.edges_between(sorted({(u, v) for u, v, _ in edges}), directed=True):
            if (u, v, key) in wanted and u in local.nx and v in local.nx:
                local.put_edge(u, v, key, **attrs)
        return local
    if not with_edges:
        return local
    for u, v, key in edges:
        if u in local.nx and v in local.nx:
            local.put_edge(u, v, key, kind=key.partition(":")[0])
    return local


def local_graph(store: GraphStore, node_ids: Iterable[str], *,
                pairs: Iterable[tuple[str, str]] = ()) -> PartnerGraph:
    """A small in-memory graph of ``node_ids`` (attributes from the store)
    and every edge joining the given ``pairs`` of them, with its attributes —
    e.g. a path's nodes and steps, for :func:`graph.explore.paths.describe_path`.

    >>> from graph.core.model import PartnerGraph
    >>> from graph.explore import describe_path
    >>> g = PartnerGraph()
    >>> _ = g.add_country("RWA")
    >>> g.add_edge("land:DE-RP", "country:RWA", "partners_with", source="s")
    >>> path = ["country:RWA", "land:DE-RP"]
    >>> [s.relation for s in describe_path(local_graph(MemoryStore(g), path, pairs=[path]), path)]
    [None, 'partners_with']
    """
    local = PartnerGraph(with_laender=False)
    for nid, attrs in store.node_attrs(node_ids).items():
        local.put_node(nid, **attrs)
    pairs = [tuple(p) for p in pairs]
    for u, v, key, attrs in (store.edges_between(pairs) if pairs else ()):
        if u in local.nx and v in local.nx:
            local.put_edge(u, v, key, **attrs)
    return local
