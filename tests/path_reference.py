"""The path search of Partnernetz before it stepped in numpy (a walk over
``g.nx`` node by node), kept as the reference the indexed search must agree
with (Yen's loop around it is the production one): ``reference_paths(g, source, target, ...)`` returns what
``graph.explore.paths.shortest_paths`` returned before, path for path.

Only the tests import it.
"""

from __future__ import annotations

from functools import partial
from typing import Callable, Iterable

from graph.core.kinds import EdgeKind
from graph.core.model import PartnerGraph
from graph.explore.paths import _k_shortest


def reference_paths(g: PartnerGraph, source: str, target: str, *, k: int = 3, max_length: int = 6,
                    exclude: Iterable[str] = (), via: Iterable[EdgeKind | str] | None = None) -> list[list[str]]:
    if k <= 0 or max_length <= 0:
        return []
    if source == target:
        return [[source]]
    banned = set(exclude) - {source, target}
    allowed = None if via is None else frozenset(EdgeKind(e).value for e in via)
    # the same Yen's loop as the indexed search, spurring with the walk below
    return _k_shortest(partial(_bidirectional, _stepper(g, allowed)), source, target, k=k, limit=max_length,
                       banned=banned)


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
