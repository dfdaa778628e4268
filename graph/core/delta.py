"""Apply row-level changes to a partner graph without rebuilding it.

A record (one row of a table) *contributes* to the graph: an entity row its
own node and the edges it draws (an institution: located in its Land, works
on its themes), a link row its edges (a participation). The loader's own
builders (:mod:`loaders.tabular`) compute a record's contribution against a
:class:`RecordingGraph`, which notes the calls instead of carrying them out;
:func:`apply_changes` then forks the served graph (copy-on-write,
:meth:`~graph.core.model.PartnerGraph.fork`) and takes away each changed
record's old contribution and adds its new one through the same
:class:`~graph.core.model.PartnerGraph` methods the loader uses. So the
result is the graph a full rebuild of the new rows would give (a property
test compares them on random edit sequences).

What cannot be applied exactly raises :class:`CannotApply` (its caller then
rebuilds the graph from scratch): a record that would create a theme the
themes table does not hold, an edge two records would draw, a deleted node
other records still refer to, an old contribution the graph does not hold.

>>> from graph.core.model import PartnerGraph
>>> g = PartnerGraph()
>>> rec = RecordingGraph()
>>> nid = rec.add_node("institution", "x", label="X", sector="science", source="s")
>>> rec.add_edge(nid, "land:DE-HE", "located_in", source="s")
>>> new = apply_changes(g, [RowChange("institutions", "x", None, rec.take())])
>>> new.node("institution:x")["sector"], "institution:x" in g
('science', False)
>>> rec.add_node("institution", "x", label="X", sector="business", source="s")
'institution:x'
>>> rec.add_edge(nid, "land:DE-BY", "located_in", source="s")
>>> after = rec.take()
>>> newer = apply_changes(new, [RowChange("institutions", "x", new_contribution(new, "institution:x"), after)])
>>> newer.node("institution:x")["sector"], sorted(newer.nx.succ["institution:x"])
('business', ['land:DE-BY'])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from graph.core.errors import PartnernetzError
from graph.core.kinds import EdgeKind, NodeKind, kind_of, node_id
from graph.core.model import PartnerGraph

__all__ = ["Contribution", "RecordingGraph", "RowChange", "CannotApply", "apply_changes", "new_contribution"]


class CannotApply(PartnernetzError):
    """The changes cannot be applied exactly to this graph; rebuild it instead."""


@dataclass
class Contribution:
    """What one record adds to the graph, as the loader's builder asked for it.

    ``node``: ``(kind, key, label, attrs)`` of its own node (entity rows);
    ``edges``: ``(u, v, kind, discriminator, attrs)``; ``countries``: the
    built-in countries it needs; ``themes``: themes it would create because
    the themes table does not hold them (never applied: see :class:`CannotApply`).
    """

    node: tuple[str, str, str, dict[str, Any]] | None = None
    edges: list[tuple[str, str, str, str | None, dict[str, Any]]] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)

    @property
    def node_id(self) -> str | None:
        return node_id(self.node[0], self.node[1]) if self.node else None

    def edge_keys(self) -> list[tuple[str, str, str]]:
        """``(u, v, key)`` of every edge, the key as :meth:`PartnerGraph.add_edge` forms it."""
        return [(u, v, _key(kind, disc)) for u, v, kind, disc, _attrs in self.edges]


def _key(kind: str, discriminator: str | None) -> str:
    value = EdgeKind(kind).value
    return value if discriminator is None else f"{value}:{discriminator}"


class RecordingGraph(PartnerGraph):
    """A graph that notes what a builder adds (:meth:`take` hands it over)
    instead of adding it: the builder needs neither the endpoints nor the
    rest of the data. The first node added is the record's own; further
    theme nodes are themes the record would create."""

    def __init__(self) -> None:
        super().__init__(with_laender=False)
        self._made = Contribution()

    def add_node(self, kind: NodeKind | str, key: str, *, label: str, **attrs: Any) -> str:
        kind = NodeKind(kind)
        nid = node_id(kind, key)
        if self._made.node is None:
            self._made.node = (kind.value, key, label, dict(attrs))
        elif kind is NodeKind.THEME:
            self._made.themes.append(nid)
        else:
            raise CannotApply(f"a record adds two nodes ({self._made.node_id}, {nid})")
        return nid

    def add_country(self, alpha3: str) -> str:
        self._made.countries.append(alpha3)
        return node_id(NodeKind.COUNTRY, alpha3)

    def add_edge(self, u: str, v: str, kind: EdgeKind | str, /, *,
                 discriminator: str | None = None, **attrs: Any) -> None:
        self._made.edges.append((u, v, EdgeKind(kind).value, discriminator, dict(attrs)))

    def take(self) -> Contribution:
        """The contribution noted since the last call."""
        made, self._made = self._made, Contribution()
        return made


@dataclass(frozen=True)
class RowChange:
    """One record of ``table`` (its ``key``) before and after a change (None: absent)."""

    table: str
    key: str
    before: Contribution | None
    after: Contribution | None


def new_contribution(graph: PartnerGraph, nid: str) -> Contribution:
    """The contribution of the node ``nid`` as the graph holds it (its own
    node and out-edges): for tests and tools that have no record at hand."""
    attrs = dict(graph.node(nid))
    kind, label = attrs.pop("kind"), attrs.pop("label")
    made = Contribution(node=(kind, nid.partition(":")[2], label, attrs))
    for _, v, key, data in graph.nx.out_edges(nid, keys=True, data=True):
        rest = {name: value for name, value in data.items() if name != "kind"}
        made.edges.append((nid, v, data["kind"], key.partition(":")[2] or None, rest))
    return made


def apply_changes(graph: PartnerGraph, changes: Sequence[RowChange]) -> PartnerGraph:
    """A new graph: ``graph`` with every change's old contribution taken away
    and its new one added (``graph`` itself is not changed). Raises
    :class:`CannotApply` when that would not give what a rebuild gives."""
    for change in changes:
        for made in (change.before, change.after):
            if made is not None and made.themes:
                raise CannotApply(f"{change.table} {change.key} refers to a theme the themes table does not hold "
                                  f"({', '.join(made.themes)})")
    g = graph.fork()
    G = g.nx
    # 1. take away the old edges (every record's own: nothing else draws them)
    touched_countries: set[str] = set()
    for change in changes:
        if change.before is None:
            continue
        for u, v, key in change.before.edge_keys():
            if not G.has_edge(u, v, key):
                raise CannotApply(f"{change.table} {change.key}: the graph has no edge {u} -{key}-> {v}")
            g.remove_edge_key(u, v, key)
            touched_countries.update(n for n in (u, v) if kind_of(n) is NodeKind.COUNTRY)
    # 2. nodes: gone, changed or new
    old_nodes = {c.before.node_id for c in changes if c.before is not None and c.before.node is not None}
    new_nodes = {c.after.node_id for c in changes if c.after is not None and c.after.node is not None}
    for nid in old_nodes - new_nodes:
        if nid not in G:
            raise CannotApply(f"the graph has no node {nid}")
        if G.degree(nid):
            raise CannotApply(f"{nid} is deleted but other records still refer to it")
        g.remove_node(nid)
    for change in changes:
        made = change.after
        if made is None or made.node is None:
            continue
        kind, key, label, attrs = made.node
        nid = made.node_id
        if nid in G:
            if nid not in old_nodes:
                raise CannotApply(f"{change.table} {change.key}: a node {nid} exists already")
            g.remove_node_attrs(nid, *[name for name in G.nodes[nid] if name not in ("kind", "label")])
        g.add_node(kind, key, label=label, **attrs)
    # 3. the new edges (and the countries they reach)
    for change in changes:
        made = change.after
        if made is None:
            continue
        for alpha3 in made.countries:
            g.add_country(alpha3)
        for (u, v, kind, disc, attrs), (_, _, key) in zip(made.edges, made.edge_keys()):
            if G.has_edge(u, v, key):
                raise CannotApply(f"{change.table} {change.key}: the edge {u} -{key}-> {v} is drawn by another record")
            g.add_edge(u, v, kind, discriminator=disc, **attrs)
    # 4. a country without edges is not in a rebuilt graph
    for alpha3_id in touched_countries:
        if alpha3_id in G and not G.degree(alpha3_id):
            g.remove_node(alpha3_id)
    return g


def edge_count_change(changes: Iterable[RowChange]) -> dict[str, int]:
    """Edges per kind added minus taken away by ``changes`` (for load-report counts)."""
    out: dict[str, int] = {}
    for change in changes:
        for made, sign in ((change.before, -1), (change.after, 1)):
            for _u, _v, kind, _d, _a in (made.edges if made is not None else ()):
                out[kind] = out.get(kind, 0) + sign
    return out
