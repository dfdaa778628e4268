"""Breadth-first search for a store that fetches one layer per query.

The store answers a step (the nodes adjacent to a frontier, over some edge
kinds); :class:`Ball` grows layers around a node, :func:`distance` finds the
length of a shortest path by growing two balls, :func:`region` the nodes on
some path of at most a given length (the part the in-memory path search then
runs on).

>>> adj = {"a": {"b"}, "b": {"a", "c"}, "c": {"b"}}
>>> step = lambda frontier, kinds: set().union(*(adj[n] for n in frontier))
>>> distance(Ball(step, "a", None, frozenset()), Ball(step, "c", None, frozenset()), 6)
2
"""

from __future__ import annotations

from typing import Callable, Iterable

__all__ = ["Ball", "Step", "distance", "region"]

#: ``step(frontier, kinds)``: nodes adjacent to ``frontier`` over edges of ``kinds`` (all when None).
Step = Callable[[list[str], "list[str] | None"], set[str]]


class Ball:
    """Breadth-first layers around ``start`` (edge direction ignored) over
    edges of ``kinds``, never entering ``banned``; grown one layer at a time."""

    def __init__(self, step: Step, start: str, kinds: list[str] | None, banned: set[str] | frozenset[str]):
        self.step, self.kinds, self.banned = step, kinds, banned
        self.dist = {start: 0}
        self.frontier = [start]
        self.depth = 0

    @property
    def exhausted(self) -> bool:
        return not self.frontier

    def grow_to(self, depth: int) -> None:
        while self.depth < depth:
            self.depth += 1
            if not self.frontier:
                continue
            reached = sorted(self.step(self.frontier, self.kinds) - self.banned - self.dist.keys())
            for nid in reached:
                self.dist[nid] = self.depth
            self.frontier = reached

    def neighbours(self, frontier: Iterable[str]) -> set[str]:
        return self.step(frontier, self.kinds) - self.banned


def distance(ball_s: Ball, ball_t: Ball, max_length: int) -> int | None:
    """Length of a shortest path between the balls' centres (bidirectional
    search: grow the ball with the smaller frontier), None beyond ``max_length``."""
    while True:
        meet = ball_s.dist.keys() & ball_t.dist.keys()
        if meet:
            shortest = min(ball_s.dist[n] + ball_t.dist[n] for n in meet)
            return shortest if shortest <= max_length else None
        if ball_s.depth + ball_t.depth >= max_length or (ball_s.exhausted and ball_t.exhausted):
            return None
        if ball_t.exhausted or (not ball_s.exhausted and len(ball_s.frontier) <= len(ball_t.frontier)):
            ball_s.grow_to(ball_s.depth + 1)
        else:
            ball_t.grow_to(ball_t.depth + 1)


def region(ball_s: Ball, ball_t: Ball, length: int) -> list[str]:
    """Nodes on some path of at most ``length`` edges between the balls'
    centres: ``d(s, n) + d(n, t) <= length``.

    Each ball is complete to its share of the length (``half`` and
    ``length - half``); beyond that each side's search only follows nodes close
    enough to the other side, which the other ball already knows (a node of
    the region is always reached through nodes of the region)."""
    half = length // 2
    ball_s.grow_to(half)
    ball_t.grow_to(length - half)
    to_s = _extend(ball_s, ball_t.dist, half, length)
    to_t = _extend(ball_t, ball_s.dist, length - half, length)
    return sorted(n for n, d in to_s.items() if n in to_t and d + to_t[n] <= length)


def _extend(ball: Ball, other: dict[str, int], complete: int, length: int) -> dict[str, int]:
    """Distances from ``ball``'s centre: all up to ``complete``, then only of
    nodes within ``length - layer`` of the other centre (``other`` knows them)."""
    far = float("inf")
    dist = {n: d for n, d in ball.dist.items() if d <= complete}
    frontier = [n for n, d in dist.items() if d == complete and other.get(n, far) <= length - complete]
    for layer in range(complete + 1, length + 1):
        if not frontier:
            break
        if ball.depth >= layer:  # already known from the distance search
            reached = {n for n, d in ball.dist.items() if d == layer}
        else:
            reached = ball.neighbours(frontier) - dist.keys()
        frontier = sorted(n for n in reached if other.get(n, far) <= length - layer)
        for n in frontier:
            dist[n] = layer
    return dist


