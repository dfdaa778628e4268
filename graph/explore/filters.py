"""The part of the graph matching what a user narrowed the view to
(:class:`GraphFilter`): the facts of every project, inverted indexes from
criterion values to projects and institutions (built once per graph
generation), the matching projects, and the filtered view.

>>> GraphFilter.of(countries=["TZA"]).selects_projects
True
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np

from graph.core.cache import cached
from graph.core.kinds import EdgeKind, NodeKind, key_of
from graph.core.model import PartnerGraph
from graph.explore.adjacency import adjacency, gather
from graph.explore.subgraphs import MAX_ELEMENTS, Subgraph, subgraph_of_rows

__all__ = ["GraphFilter", "ProjectFacts", "project_facts", "matching_projects", "filter_subgraph",
           "attrs_compatible", "matching_positions", "filter_index", "node_arrays"]


@dataclass(frozen=True)
class GraphFilter:
    """What a user narrowed the view to. ``None`` (or empty) means "any".

    Project-level criteria (``lands``, ``countries``, ``themes``,
    ``sectors``, ``statuses``, years) select projects; see
    :func:`filter_subgraph` for how other nodes follow. ``kinds`` limits the
    kinds of node shown.
    """

    kinds: frozenset[str] | None = None
    lands: frozenset[str] | None = None       # ISO 3166-2 codes, e.g. DE-HE
    countries: frozenset[str] | None = None   # ISO alpha-3
    themes: frozenset[str] | None = None      # theme keys
    sectors: frozenset[str] | None = None
    statuses: frozenset[str] | None = None
    year_from: int | None = None
    year_to: int | None = None

    @classmethod
    def of(cls, **values: Any) -> "GraphFilter":
        """Build from plain lists/strings (empty values mean "any").

        >>> GraphFilter.of(countries=["TZA"], year_from="2019").countries
        frozenset({'TZA'})
        """
        clean: dict[str, Any] = {}
        for name, value in values.items():
            if name in ("year_from", "year_to"):
                clean[name] = int(value) if value not in (None, "") else None
            elif value:
                clean[name] = frozenset([value] if isinstance(value, str) else value)
        return cls(**clean)

    @property
    def selects_projects(self) -> bool:
        """True when any project-level criterion is set."""
        return any((self.lands, self.countries, self.themes, self.sectors, self.statuses,
                    self.year_from is not None, self.year_to is not None))

    def is_empty(self) -> bool:
        return not self.selects_projects and not self.kinds


@dataclass(frozen=True)
class ProjectFacts:
    """What the filters need to know about one project."""

    node_id: str
    status: str
    start_year: int | None
    end_year: float | None        # inf for open-ended active/planned projects
    lands: frozenset[str]         # cofinancing Länder and Länder of participants
    countries: frozenset[str]
    themes: frozenset[str]
    sectors: frozenset[str]
    institutions: frozenset[str]


def project_facts(g: PartnerGraph) -> dict[str, ProjectFacts]:
    """Facts of every project, built once per graph generation."""
    def build() -> dict[str, ProjectFacts]:
        out = {}
        for pid in g.nodes(NodeKind.PROJECT):
            data = g.nx.nodes[pid]
            lands, countries, themes, sectors, insts = set(), set(), set(), set(), set()
            for u, _, d in g.nx.in_edges(pid, data=True):
                if d["kind"] == EdgeKind.COFINANCES.value:
                    lands.add(key_of(u))
                elif d["kind"] == EdgeKind.PARTICIPATES_IN.value:
                    insts.add(u)
                    inst = g.nx.nodes[u]
                    if inst.get("land"):
                        lands.add(inst["land"])
                    sectors.add(inst.get("sector") or "unknown")
            for _, v, d in g.nx.out_edges(pid, data=True):
                if d["kind"] == EdgeKind.IMPLEMENTED_IN.value:
                    countries.add(key_of(v))
                elif d["kind"] == EdgeKind.ADDRESSES.value:
                    themes.add(key_of(v))
            status = data.get("status") or "unknown"
            start = data.get("start_year")
            end = data.get("end_year")
            if end is None and start is not None:
                end = float("inf") if status in ("active", "planned") else start
            out[pid] = ProjectFacts(pid, status, start, end, frozenset(lands), frozenset(countries),
                                    frozenset(themes), frozenset(sectors), frozenset(insts))
        return out
    return cached(g, "explore.project_facts", build)


def _project_matches(f: ProjectFacts, flt: GraphFilter) -> bool:
    if flt.statuses and f.status not in flt.statuses:
        return False
    if flt.lands and not (f.lands & flt.lands):
        return False
    if flt.countries and not (f.countries & flt.countries):
        return False
    if flt.themes and not (f.themes & flt.themes):
        return False
    if flt.sectors and not (f.sectors & flt.sectors):
        return False
    if flt.year_from is not None or flt.year_to is not None:
        if f.start_year is None:
            return False
        lo = flt.year_from if flt.year_from is not None else -10**9
        hi = flt.year_to if flt.year_to is not None else 10**9
        if f.start_year > hi or (f.end_year if f.end_year is not None else f.start_year) < lo:
            return False
    return True


@dataclass(frozen=True)
class _FilterIndex:
    """Inverted indexes for the filters, built once per graph generation:
    criterion → value → the matching projects' positions (in
    :func:`project_facts` order) or the matching institutions' adjacency
    rows, as sorted numpy arrays. A filter intersects a few arrays in numpy
    (:func:`matching_positions`) instead of testing every project and
    institution, or sorting and looking up sets of ids (~10 ms for a theme's
    11,000 projects at 300k); arrays also take a fraction of the memory of
    id sets and are memory-mapped from a kept build."""

    pids: tuple[str, ...]             # projects in project_facts order
    start: Any                        # numpy float arrays (nan: unknown)
    end: Any
    projects: dict[str, dict[str, Any]]       # criterion → value → sorted project positions
    project_rows: Any                         # project position → adjacency row
    institutions: dict[str, dict[str, Any]]   # criterion → value → sorted institution rows
    institution_rows: Any                     # every institution's row, sorted


def filter_index(g: PartnerGraph) -> _FilterIndex:
    def build() -> _FilterIndex:
        facts = project_facts(g)
        index = adjacency(g).index
        pids = tuple(facts)
        proj: dict[str, dict[str, list[int]]] = {c: defaultdict(list) for c in
                                                  ("statuses", "lands", "countries", "themes", "sectors")}
        for position, f in enumerate(facts.values()):
            proj["statuses"][f.status].append(position)
            for crit, values in (("lands", f.lands), ("countries", f.countries), ("themes", f.themes),
                                 ("sectors", f.sectors)):
                for v in values:
                    proj[crit][v].append(position)
        start = np.array([np.nan if f.start_year is None else float(f.start_year) for f in facts.values()])
        end = np.array([np.nan if f.start_year is None else float(f.end_year if f.end_year is not None
                                                                    else f.start_year) for f in facts.values()])
        inst: dict[str, dict[str, list[int]]] = {c: defaultdict(list) for c in ("sectors", "lands", "countries", "themes")}
        every: list[int] = []
        works_on = EdgeKind.WORKS_ON.value
        for nid, data in g.nx.nodes(data=True):
            if data["kind"] != "institution":
                continue
            row = index[nid]
            every.append(row)
            inst["sectors"][data.get("sector") or "unknown"].append(row)
            inst["lands"][data.get("land")].append(row)
            inst["countries"][data.get("country")].append(row)
            for v, keys in g.nx._succ[nid].items():
                if any(d["kind"] == works_on for d in keys.values()):
                    inst["themes"][key_of(v)].append(row)

        def arrays(by_value: dict[str, dict[str, list[int]]]) -> dict[str, dict[str, Any]]:
            return {c: {v: np.unique(np.array(items, dtype=np.int64)) for v, items in by.items()}
                    for c, by in by_value.items()}

        return _FilterIndex(pids, start, end, arrays(proj),
                            np.fromiter(map(index.__getitem__, pids), dtype=np.int64, count=len(pids)),
                            arrays(inst), np.sort(np.array(every, dtype=np.int64)))
    return cached(g, "explore.filter_index", build)


def matching_projects(g: PartnerGraph, flt: GraphFilter | None = None) -> list[str]:
    """Ids of the projects meeting every project-level criterion of ``flt``
    (in a fixed order), intersected from an index built once per dataset."""
    pids = filter_index(g).pids
    return [pids[i] for i in matching_positions(g, flt or GraphFilter()).tolist()]


def matching_positions(g: PartnerGraph, flt: GraphFilter) -> Any:
    """Positions (in :func:`project_facts` order, ascending) of the projects
    meeting every project-level criterion of ``flt``: sorted position arrays
    of the filter's values intersected in numpy (:func:`filter_index`)."""
    idx = filter_index(g)
    found = _intersect_arrays(idx.projects, flt, ("statuses", "lands", "countries", "themes", "sectors"))
    if flt.year_from is not None or flt.year_to is not None:
        lo = flt.year_from if flt.year_from is not None else -10**9
        hi = flt.year_to if flt.year_to is not None else 10**9
        with np.errstate(invalid="ignore"):
            in_years = np.flatnonzero((idx.start <= hi) & (idx.end >= lo))  # nan (no start year) never matches
        found = in_years if found is None else np.intersect1d(found, in_years, assume_unique=True)
    return np.arange(len(idx.pids), dtype=np.int64) if found is None else found


def _intersect_arrays(index: dict[str, dict[str, Any]], flt: GraphFilter, criteria: Iterable[str]) -> Any:
    """The sorted entries matching every set criterion: per criterion the
    union of its values' arrays, intersected across criteria; None when no
    criterion is set."""
    found = None
    for crit in sorted(criteria, key=lambda c: len(getattr(flt, c) or ())):
        values = getattr(flt, crit)
        if not values:
            continue
        hits = [index[crit][v] for v in values if v in index[crit]]
        ids = (hits[0] if len(hits) == 1 else np.unique(np.concatenate(hits))) if hits else np.empty(0, np.int64)
        found = ids if found is None else np.intersect1d(found, ids, assume_unique=True)
        if not len(found):
            break
    return found


def _node_compatible(g: PartnerGraph, nid: str, flt: GraphFilter) -> bool:
    """Does ``nid`` not contradict a criterion that applies to its own kind?"""
    return attrs_compatible(nid, g.nx.nodes[nid], flt)


def attrs_compatible(nid: str, data: dict[str, Any], flt: GraphFilter) -> bool:
    """:func:`_node_compatible` for a node given by its id and attributes."""
    kind = data["kind"]
    if flt.kinds and kind not in flt.kinds:
        return False
    if kind == "land":
        return not flt.lands or key_of(nid) in flt.lands
    if kind == "country":
        return not flt.countries or key_of(nid) in flt.countries
    if kind == "theme":
        return not flt.themes or key_of(nid) in flt.themes
    if kind == "institution":
        return not flt.sectors or (data.get("sector") or "unknown") in flt.sectors
    return True


def _institution_matches(g: PartnerGraph, nid: str, flt: GraphFilter) -> bool:
    """An institution matching the filter on its own attributes (used to show
    institutions that fit but have no matching project yet)."""
    if flt.statuses or flt.year_from is not None or flt.year_to is not None:
        return False  # these criteria are about projects only
    data = g.nx.nodes[nid]
    if flt.sectors and (data.get("sector") or "unknown") not in flt.sectors:
        return False
    if flt.lands and data.get("land") not in flt.lands:
        return False
    if flt.countries and data.get("country") not in flt.countries:
        return False
    if flt.themes and not any(key_of(v) in flt.themes for v, _ in g.out_edges(nid, EdgeKind.WORKS_ON)):
        return False
    return True


def filter_subgraph(g: PartnerGraph, flt: GraphFilter, *, max_elements: int = MAX_ELEMENTS,
                    degree: Any = None) -> Subgraph:
    """The part of the graph matching ``flt``.

    Without project-level criteria the view is every node of ``flt.kinds``
    (all nodes when no kinds are given). With them it is:

    * the matching projects (:func:`matching_projects`);
    * their neighbours (institutions, Länder, countries, themes,
      programmes), unless a neighbour contradicts a criterion on its own kind
      (another country when ``countries`` is set, an institution of another
      sector when ``sectors`` is set …);
    * institutions that match on their own attributes (sector, Land,
      country, themes they work on) even without a matching project, with
      their Land/country.

    Only nodes of ``flt.kinds`` are kept; edges are all edges between kept
    nodes. Larger views are cut to ``max_elements`` (``truncated=True``),
    keeping projects and well-connected nodes first; callers show
    :func:`overview` instead. ``degree`` (per adjacency row of ``g``) ranks
    the cut instead of the degrees in ``g`` (the Neo4j store filters a part
    of the graph and cuts by the degrees in the whole database).
    """
    adj = adjacency(g)
    arrays = node_arrays(g)
    kind_ok = np.ones(len(adj.names), dtype=bool) if not flt.kinds else np.isin(
        arrays.kind, [arrays.kinds.index(k) for k in flt.kinds if k in arrays.kinds])
    if not flt.selects_projects:
        return subgraph_of_rows(g, adj, np.flatnonzero(kind_ok), (), max_elements, degree=degree)
    compat = kind_ok & _attrs_compatible_mask(arrays, flt)
    chosen = np.zeros(len(adj.names), dtype=bool)
    projects = _matching_rows(g, flt)
    chosen[projects] = True
    around = gather(adj.any_ptr, adj.any_idx, projects)
    chosen[around[compat[around]]] = True
    insts = _matching_institution_rows(g, flt)
    insts = insts[~chosen[insts]]
    chosen[insts] = True
    located = gather(arrays.located_ptr, arrays.located_idx, insts)
    chosen[located[compat[located]]] = True
    is_project = arrays.kind == arrays.kinds.index(NodeKind.PROJECT.value)
    kept = np.flatnonzero(chosen & (compat | is_project) & kind_ok)
    return subgraph_of_rows(g, adj, kept, ((~is_project[kept]).astype(np.int8),), max_elements, degree=degree)



@dataclass(frozen=True)
class _NodeArrays:
    """Per-node facts the filters test, as arrays over the adjacency rows
    (built once per graph generation)."""

    kinds: list[str]          # kind code → kind
    kind: Any                 # kind code per row
    sector: Any               # sector code per row (institutions; -1 otherwise)
    sectors: dict[str, int]   # sector → code
    keyed: dict[str, dict[str, int]]  # "land"/"country"/"theme" → key → row
    located_ptr: Any          # CSR: institution row → rows it is located_in
    located_idx: Any


def node_arrays(g: PartnerGraph) -> _NodeArrays:
    def build() -> _NodeArrays:
        adj = adjacency(g)
        kinds = NodeKind.values()
        code = {k: i for i, k in enumerate(kinds)}
        nodes = g.nx.nodes
        kind = np.fromiter((code[nodes[n]["kind"]] for n in adj.names), dtype=np.int8, count=len(adj.names))
        sectors: dict[str, int] = {}
        sector = np.full(len(adj.names), -1, dtype=np.int16)
        keyed: dict[str, dict[str, int]] = {"land": {}, "country": {}, "theme": {}}
        located_len = np.zeros(len(adj.names), dtype=np.int64)
        located: list[int] = []
        loc_kind = EdgeKind.LOCATED_IN.value
        succ, index = g.nx._succ, adj.index
        for i, n in enumerate(adj.names):
            k = kinds[kind[i]]
            if k == "institution":
                sector[i] = sectors.setdefault(nodes[n].get("sector") or "unknown", len(sectors))
                targets = [index[v] for v, keys in succ[n].items() if any(d["kind"] == loc_kind for d in keys.values())]
                located_len[i] = len(targets)
                located += targets
            elif k in keyed:
                keyed[k][key_of(n)] = i
        ptr = np.concatenate(([0], np.cumsum(located_len)))
        return _NodeArrays(kinds, kind, sector, sectors, keyed, ptr, np.array(located, dtype=np.int64))
    return cached(g, "explore.node_arrays", build)


def _attrs_compatible_mask(arrays: _NodeArrays, flt: GraphFilter) -> Any:
    """:func:`attrs_compatible` (without the kinds) of every node at once."""
    ok = np.ones(len(arrays.kind), dtype=bool)
    for kind, values in (("land", flt.lands), ("country", flt.countries), ("theme", flt.themes)):
        if values:
            ok[arrays.kind == arrays.kinds.index(kind)] = False
            ok[[arrays.keyed[kind][v] for v in values if v in arrays.keyed[kind]]] = True
    if flt.sectors:
        inst = arrays.kind == arrays.kinds.index("institution")
        allowed = [arrays.sectors[s] for s in flt.sectors if s in arrays.sectors]
        ok[inst] = np.isin(arrays.sector[inst], allowed)
    return ok


def _matching_rows(g: PartnerGraph, flt: GraphFilter) -> Any:
    """Adjacency rows of :func:`matching_projects` (in no particular order)."""
    return filter_index(g).project_rows[matching_positions(g, flt)]


def _matching_institution_rows(g: PartnerGraph, flt: GraphFilter) -> Any:
    """Adjacency rows of the institutions that match ``flt`` on their own attributes (sector, Land,
    country, themes they work on; :func:`_institution_matches`), sorted."""
    if flt.statuses or flt.year_from is not None or flt.year_to is not None:
        return np.empty(0, dtype=np.int64)  # these criteria are about projects only
    idx = filter_index(g)
    found = _intersect_arrays(idx.institutions, flt, ("sectors", "lands", "countries", "themes"))
    return idx.institution_rows if found is None else found
