"""How two nodes are connected: up to ``k`` shortest simple paths
(bidirectional breadth-first search and Yen's algorithm, edge direction
ignored), the explorer's strict-path policy, and the steps of a path with
the relation used at each step.

>>> from graph.core.model import PartnerGraph
>>> g = PartnerGraph()
>>> _ = g.add_country("TZA")
>>> uni = g.add_node("institution", "uni", label="Uni", land="DE-NI", source="s")
>>> p = g.add_node("project", "P1", label="P1", status="active", start_year=2020, source="s")
>>> g.add_edge(uni, p, "participates_in", role="lead", source="s")
>>> g.add_edge(p, "country:TZA", "implemented_in", source="s")
>>> shortest_paths(g, uni, "country:TZA")
[['institution:uni', 'project:P1', 'country:TZA']]
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Callable, Iterable

from graph.core.errors import PartnernetzError
from graph.core.kinds import EdgeKind
from graph.core.model import PartnerGraph

__all__ = ["shortest_paths", "PathStep", "describe_path", "STRICT_PATH_EDGES", "HOME_COUNTRY"]

#: Edge kinds a "strict" path may use: structural links, not the loose
#: "works on the same theme" links that connect almost everyone.
STRICT_PATH_EDGES = tuple(k.value for k in EdgeKind if k not in (EdgeKind.WORKS_ON, EdgeKind.ABOUT))
#: Hub skipped as an intermediate step of strict paths: every German
#: institution is located in Germany, so "via Germany" explains nothing.
HOME_COUNTRY = "country:DEU"


def shortest_paths(g: PartnerGraph, source: str, target: str, *, k: int = 3, max_length: int = 6,
                   exclude: Iterable[str] = (), via: Iterable[EdgeKind | str] | None = None) -> list[list[str]]:
    """Up to ``k`` shortest simple paths from ``source`` to ``target``,
    shortest first, each at most ``max_length`` edges long. Edge direction is
    ignored (a path is "how are they connected", not a flow).

    Nodes in ``exclude`` are never used as intermediate steps (the endpoints
    are always allowed). No hub is skipped unless the caller excludes it: the
    explorer excludes the home country node (``country:DEU``) on request,
    because "both are located in Germany" links every German pair.

    ``via`` restricts the steps to some edge kinds (e.g. projects and
    partnerships only, leaving out the looser ``works_on`` theme links).

    Returns ``[]`` when no path within the limit exists; raises
    ``NodeNotFound`` for unknown endpoints.
    """
    g.node(source)
    g.node(target)
    if k <= 0 or max_length <= 0:
        return []
    if source == target:
        return [[source]]
    banned = set(exclude) - {source, target}
    allowed = None if via is None else frozenset(EdgeKind(e).value for e in via)
    return _k_shortest(_stepper(g, allowed), source, target, k=k, limit=max_length, banned=banned)


Stepper = Callable[[str], Iterable[str]]


def _stepper(g: PartnerGraph, allowed: frozenset[str] | None) -> Stepper:
    """Neighbours of a node in either direction, over edges of ``allowed`` kinds."""
    succ, pred = g.nx._succ, g.nx._pred
    if allowed is None:
        def steps(n: str) -> Iterable[str]:
            yield from succ[n]
            yield from pred[n]
    else:
        def steps(n: str) -> Iterable[str]:
            for adj in (succ[n], pred[n]):
                for m, keys in adj.items():
                    if any(d["kind"] in allowed for d in keys.values()):
                        yield m
    return steps


def _bidirectional(steps: Stepper, s: str, t: str, banned: set[str],
                   banned_edges: set[tuple[str, str]], limit: int) -> list[str] | None:
    """A shortest path ``s`` … ``t`` of at most ``limit`` edges avoiding
    ``banned`` nodes and ``banned_edges`` (both directions listed), or None.
    Breadth-first from both ends, always growing the smaller frontier."""
    if s == t:
        return [s]
    back_f: dict[str, str | None] = {s: None}
    back_b: dict[str, str | None] = {t: None}
    front_f, front_b = [s], [t]
    levels = 0

    def join(meet: str) -> list[str]:
        left, node = [], meet
        while node is not None:
            left.append(node)
            node = back_f[node]
        right, node = [], back_b[meet]
        while node is not None:
            right.append(node)
            node = back_b[node]
        return left[::-1] + right

    while front_f and front_b and levels < limit:
        levels += 1
        forward = len(front_f) <= len(front_b)
        frontier, mine, other = (front_f, back_f, back_b) if forward else (front_b, back_b, back_f)
        nxt: list[str] = []
        for u in frontier:
            for w in steps(u):
                if w in banned or (u, w) in banned_edges or w in mine:
                    continue
                mine[w] = u
                if w in other:
                    return join(w)
                nxt.append(w)
        if forward:
            front_f = nxt
        else:
            front_b = nxt
    return None


def _k_shortest(steps: Stepper, s: str, t: str, *, k: int, limit: int, banned: set[str]) -> list[list[str]]:
    """Yen's algorithm: up to ``k`` shortest simple paths, none longer than ``limit``."""
    first = _bidirectional(steps, s, t, banned, set(), limit)
    if first is None:
        return []
    found = [first]
    seen = {tuple(first)}
    candidates: list[tuple[int, int, list[str]]] = []
    counter = 0
    while len(found) < k:
        prev = found[-1]
        for i in range(len(prev) - 1):
            root = prev[: i + 1]
            cut: set[tuple[str, str]] = set()
            for p in found:
                if len(p) > i + 1 and p[: i + 1] == root:
                    cut.add((p[i], p[i + 1]))
                    cut.add((p[i + 1], p[i]))
            rest = _bidirectional(steps, prev[i], t, banned | set(root[:-1]), cut, limit - i)
            if rest is not None:
                path = root[:-1] + rest
                if tuple(path) not in seen:
                    seen.add(tuple(path))
                    heapq.heappush(candidates, (len(path), counter, path))
                    counter += 1
        if not candidates:
            break
        found.append(heapq.heappop(candidates)[2])
    return found



@dataclass(frozen=True)
class PathStep:
    """One step of a path: the node reached and the relation used to reach
    it (``None`` for the start); ``forward`` tells the edge's direction."""

    node_id: str
    label: str
    kind: str
    relation: str | None = None
    forward: bool = True


def describe_path(g: PartnerGraph, path: Iterable[str], *, lang: str = "de") -> list[PathStep]:
    """The steps of ``path`` with the relation between consecutive nodes.

    >>> from graph.core.model import PartnerGraph
    >>> g = PartnerGraph()
    >>> _ = g.add_country("RWA")
    >>> g.add_edge("land:DE-RP", "country:RWA", "partners_with", source="s")
    >>> [(s.label, s.relation, s.forward) for s in describe_path(g, ["country:RWA", "land:DE-RP"])]
    [('Ruanda', None, True), ('Rheinland-Pfalz', 'partners_with', False)]
    """
    steps: list[PathStep] = []
    prev: str | None = None
    for nid in path:
        g.node(nid)
        relation, forward = None, True
        if prev is not None:
            out = g.nx.get_edge_data(prev, nid) or {}
            back = g.nx.get_edge_data(nid, prev) or {}
            if out:
                relation = next(iter(out.values()))["kind"]
            elif back:
                relation, forward = next(iter(back.values()))["kind"], False
            else:
                raise PartnernetzError(f"{prev} and {nid} are not adjacent")
        steps.append(PathStep(nid, g.label(nid, lang), g.nx.nodes[nid]["kind"], relation, forward))
        prev = nid
    return steps
