"""The typed partner graph: a networkx MultiDiGraph under a small wrapper.

The wrapper enforces the domain's rules at the one place nodes and edges are
added, and it is the only code that writes to its networkx graph ``nx`` (every
write bumps :attr:`PartnerGraph.generation`, which the caches key on; a test
scans the project for writes elsewhere): ids are namespaced by kind, edges connect only the kinds their kind
allows, and every node and edge carries provenance (``source`` or
``illustrative=True``).

>>> g = PartnerGraph()
>>> land = g.add_land("DE-HE")
>>> ctry = g.add_country("ETH")
>>> g.add_edge(land, ctry, EdgeKind.PARTNERS_WITH, source="https://example.org")
>>> g.counts_by_kind()["land"], g.edge_counts_by_kind()["partners_with"]
(16, 1)
"""

from __future__ import annotations

from collections import Counter
from functools import cached_property
from itertools import chain, repeat
from typing import Any, Container, Iterable, Iterator

import networkx as nx

from graph.core.cache import cached
from graph.core.errors import NodeNotFound, PartnernetzError
from graph.core.kinds import EDGE_ENDPOINTS, EdgeKind, NodeKind, node_id
from graph.core.reference import LAENDER, PYCOUNTRY_SOURCE, country_by_alpha3, land_by_code

__all__ = ["PartnerGraph", "LAND_SOURCE"]

# Cheap lookups for the hot path of add_edge (Enum construction is slow; members
# hash like their values).
_EDGE_KINDS: dict[str, EdgeKind] = {k.value: k for k in EdgeKind}
_EDGE_VALUES: dict[str, str] = {k.value: k.value for k in EdgeKind}

LAND_SOURCE = "ISO 3166-2:DE (pycountry)"


def _has_provenance(attrs: dict[str, Any]) -> bool:
    return bool(attrs.get("source")) or attrs.get("illustrative") is True


#: The names under which networkx caches a graph's views (functools.cached_property).
_NX_CACHED_VIEWS = tuple(dict.fromkeys(name for cls in nx.MultiDiGraph.__mro__ for name, value in vars(cls).items()
                                       if isinstance(value, cached_property)))


class PartnerGraph:
    """One typed graph of Länder, countries, institutions, projects, themes,
    programmes, contacts and events.

    ``with_laender`` (default) adds all 16 Länder, so that every dataset shows
    every Land, also those without activity.
    """

    def __init__(self, *, with_laender: bool = True):
        self.nx: nx.MultiDiGraph = nx.MultiDiGraph()
        self.meta: dict[str, Any] = {}
        self._generation = 0
        #: after :meth:`fork`: what this graph owns alone (None: everything)
        self._cow: _Owned | None = None
        if with_laender:
            for land in LAENDER:
                self.add_land(land.code)

    # ------------------------------------------------------------------ nodes
    def add_node(self, kind: NodeKind | str, key: str, *, label: str, **attrs: Any) -> str:
        """Add (or update) a node and return its namespaced id.

        Raises ``PartnernetzError`` when no provenance is given.
        """
        kind = NodeKind(kind)
        nid = node_id(kind, key)
        if not _has_provenance(attrs) and not _has_provenance(self.nx.nodes.get(nid, {})):
            raise PartnernetzError(f"node {nid} has no provenance (source or illustrative)")
        clean = {k: v for k, v in attrs.items() if v is not None and v != "" and v != []}
        if nid in self.nx:
            if self._cow is not None:
                self._cow.attrs(nid)
            self.nx.nodes[nid].update(clean, label=label)
        else:
            self.nx.add_node(nid, kind=kind.value, label=label, **clean)
            if self._cow is not None:
                self._cow.created(nid)
        self._generation += 1
        return nid

    def add_land(self, code: str) -> str:
        """Add the built-in Land with ISO 3166-2 ``code`` (``DE-BW``)."""
        land = land_by_code(code)
        return self.add_node(
            NodeKind.LAND, land.code, label=land.name_de, label_en=land.name_en,
            name_de=land.name_de, name_en=land.name_en, source=LAND_SOURCE,
        )

    def add_country(self, alpha3: str) -> str:
        """Add the built-in country with ISO alpha-3 ``alpha3`` (idempotent)."""
        nid = node_id(NodeKind.COUNTRY, alpha3)
        if nid in self.nx:
            return nid
        c = country_by_alpha3(alpha3)
        return self.add_node(
            NodeKind.COUNTRY, c.alpha3, label=c.name_de, label_en=c.name_en,
            name_de=c.name_de, name_en=c.name_en, iso2=c.alpha2, source=PYCOUNTRY_SOURCE,
        )

    def __contains__(self, nid: object) -> bool:
        return nid in self.nx

    def __len__(self) -> int:
        return self.nx.number_of_nodes()

    def node(self, nid: str) -> dict[str, Any]:
        """Return the attributes of node ``nid`` (raises ``NodeNotFound``)."""
        try:
            return self.nx.nodes[nid]
        except KeyError:
            raise NodeNotFound(nid) from None

    def set_node_attrs(self, nid: str, **attrs: Any) -> None:
        """Set attributes of the existing node ``nid`` (raises ``NodeNotFound``).

        >>> g = PartnerGraph()
        >>> g.set_node_attrs("land:DE-HE", note="x"); g.node("land:DE-HE")["note"]
        'x'
        """
        self.node(nid)
        if self._cow is not None:
            self._cow.attrs(nid)
        self.node(nid).update(attrs)
        self._generation += 1

    def remove_node_attrs(self, nid: str, *names: str) -> None:
        """Remove the attributes ``names`` of node ``nid`` (absent ones are ignored)."""
        self.node(nid)
        if self._cow is not None:
            self._cow.attrs(nid)
        data = self.node(nid)
        for name in names:
            data.pop(name, None)
        self._generation += 1

    def remove_node(self, nid: str) -> None:
        """Remove node ``nid`` and its edges (raises ``NodeNotFound``)."""
        self.node(nid)
        if self._cow is not None:
            self._cow.detach(nid)
        self.nx.remove_node(nid)
        self._generation += 1

    def put_node(self, nid: str, **attrs: Any) -> None:
        """Add node ``nid`` with exactly ``attrs`` (``kind`` included), without
        the checks of :meth:`add_node`: for local copies of data a store
        already holds (e.g. the few nodes a view shows, as a store returned them).

        >>> g = PartnerGraph(with_laender=False)
        >>> g.put_node("theme:water", kind="theme", label="Wasser")
        >>> g.put_edge("theme:water", "theme:water", "about", kind="about"); len(g), g.nx.number_of_edges()
        (1, 1)
        """
        if nid in self.nx:
            if self._cow is not None:
                self._cow.attrs(nid)
            self.nx.nodes[nid].update(attrs)
        else:
            self.nx.add_node(nid, **attrs)
            if self._cow is not None:
                self._cow.created(nid)
        self._generation += 1

    def put_edge(self, u: str, v: str, key: str, **attrs: Any) -> None:
        """Add the edge ``u -key-> v`` with exactly ``attrs`` (see :meth:`put_node`);
        both ends must exist."""
        for end in (u, v):
            if end not in self.nx:
                raise NodeNotFound(end)
        if self._cow is not None:
            self._cow.pair(u, v)
        self.nx.add_edge(u, v, key=key, **attrs)
        self._generation += 1

    def __getstate__(self) -> dict[str, Any]:
        """What pickling writes (a kept build, loaders/kept.py): a snapshot of
        the outer dicts taken at once, without networkx's cached views. A kept
        build's graph is pickled while the warm-up reads it, and a thread that
        first asks for a view (``nx.edges``, ``nx.in_degree`` …) adds it to the
        graph's ``__dict__``: written live, that dict would change size under
        the pickler. The views are made again on their first use.

        >>> import pickle
        >>> g = PartnerGraph(); _ = g.nx.edges
        >>> h = pickle.loads(pickle.dumps(g))
        >>> len(h), "edges" in h.nx.__dict__, len(h.nx.edges)
        (16, False, 0)
        """
        state = dict(self.__dict__)
        state["meta"] = dict(self.meta)
        if type(self.nx) is nx.MultiDiGraph:  # not a view (without())
            inner = self.nx.__dict__.copy()
            fields = {k: v for k, v in inner.items() if k not in _NX_CACHED_VIEWS}
            if "__networkx_cache__" in fields:  # networkx's conversions for other backends: made again
                fields["__networkx_cache__"] = {}
            state["nx"] = (nx.MultiDiGraph, fields)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        inner = state.get("nx")
        if isinstance(inner, tuple):
            cls, fields = inner
            graph = cls.__new__(cls)
            graph.__dict__.update(fields)
            state = {**state, "nx": graph}
        self.__dict__.update(state)

    def drop_views(self) -> None:
        """Forget networkx's cached views of this graph (``nx.nodes``,
        ``nx.edges``, ``nx.degree`` …): several hold the graph itself, a
        reference cycle. A graph frozen out of the garbage collector's reach
        (``gc.freeze()``, as ``serve`` does after its warm-up) is then freed by
        reference counting when its last reference goes, instead of never. The
        graph stays usable (a view is made again on its next use).

        >>> import weakref
        >>> g = PartnerGraph(with_laender=False)
        >>> g.nx.degree is g.nx.degree  # cached, and the view holds the graph
        True
        >>> gone = weakref.ref(g.nx)
        >>> g.drop_views(); del g
        >>> gone() is None
        True
        """
        cached = self.nx.__dict__
        for name in _NX_CACHED_VIEWS:
            cached.pop(name, None)

    def copy(self, nodes: Iterable[str] | None = None) -> "PartnerGraph":
        """An independent copy (of only ``nodes`` and the edges among them when
        given); ``meta`` is copied shallowly.

        >>> g = PartnerGraph()
        >>> len(g.copy()), len(g.copy(["land:DE-HE", "land:DE-BY"]))
        (16, 2)
        """
        out = PartnerGraph(with_laender=False)
        out.nx = nx.MultiDiGraph(self.nx if nodes is None else self.nx.subgraph(nodes))
        out.meta = dict(self.meta)
        out._generation = self._generation + 1
        return out

    def without(self, excluded: Container[str]) -> "PartnerGraph":
        """A read-only view of this graph without the nodes in ``excluded``
        (and their edges), sharing everything else: nothing is copied (a copy
        of a 300k-node graph takes gigabytes). Writing to it raises.

        >>> g = PartnerGraph()
        >>> view = g.without({"land:DE-HE"})
        >>> len(view), "land:DE-HE" in view.nx, "land:DE-HE" in g.nx
        (15, False, True)
        """
        out = PartnerGraph(with_laender=False)
        out.nx = nx.subgraph_view(self.nx, filter_node=lambda n: n not in excluded)
        out.meta = dict(self.meta)
        out._generation = self._generation + 1
        return out

    def fork(self) -> "PartnerGraph":
        """A copy that shares everything with this graph until one of them
        changes it (copy-on-write): only the outer dicts are copied, so a fork
        of a graph with a million edges takes milliseconds. A write to either
        graph first gives the writer its own copy of what it changes (a node's
        attributes, its neighbour rows, the edges between two nodes), so
        neither ever sees the other's changes. This is how a saved edit goes
        live without a rebuild (:mod:`graph.core.delta`): the served graph
        stays untouched while its successor is prepared.

        >>> g = PartnerGraph()
        >>> f = g.fork()
        >>> _ = f.add_node("institution", "x", label="X", source="s")
        >>> f.add_edge("institution:x", "land:DE-HE", "located_in", source="s")
        >>> f.set_node_attrs("land:DE-HE", note="n")
        >>> "institution:x" in g, "note" in g.node("land:DE-HE"), len(g.nx.pred["land:DE-HE"])
        (False, False, 0)
        """
        out = PartnerGraph(with_laender=False)
        G, H = self.nx, nx.MultiDiGraph()
        H.graph.update(G.graph)
        H._node = dict(G._node)
        H._adj = dict(G._succ)  # also sets _succ (networkx keeps them one dict)
        H._pred = dict(G._pred)
        out.nx = H
        out.meta = dict(self.meta)
        out._generation = self._generation + 1
        out._cow = _Owned(H)
        self._cow = _Owned(G)  # from now on this graph shares too: its writes copy first (its caches stay valid)
        return out

    def label(self, nid: str, lang: str = "de") -> str:
        """Display name of a node in ``lang`` (``de`` or ``en``)."""
        attrs = self.node(nid)
        if lang == "en" and attrs.get("label_en"):
            return attrs["label_en"]
        return attrs.get("label", nid)

    def nodes(self, kind: NodeKind | str | None = None) -> Iterator[str]:
        """Iterate over node ids, optionally only those of one kind."""
        if kind is None:
            yield from self.nx.nodes
            return
        wanted = NodeKind(kind).value
        for nid, k in self.nx.nodes(data="kind"):
            if k == wanted:
                yield nid

    # ------------------------------------------------------------------ edges
    def add_edge(self, u: str, v: str, kind: EdgeKind | str, /, *,
                 discriminator: str | None = None, **attrs: Any) -> None:
        """Add (or update) the edge ``u -kind-> v``.

        One edge per (source, target, kind) unless ``discriminator`` tells
        several apart (e.g. one institution in several roles of a project).
        Raises ``NodeNotFound`` for unknown endpoints and ``PartnernetzError``
        when the kinds of the endpoints do not fit the edge kind.
        """
        try:
            kind = _EDGE_KINDS[kind]
        except (KeyError, TypeError):
            kind = EdgeKind(kind)  # raises ValueError for an unknown kind
        value = _EDGE_VALUES[kind]
        G = self.nx
        nodes = G._node  # plain dict membership: G.__contains__ costs a Python call per end
        for end in (u, v):
            if end not in nodes:
                raise NodeNotFound(end)
        sources, targets = EDGE_ENDPOINTS[kind]
        # an id in the graph has a known kind prefix (add_node made it); kinds compare like their values
        if u.partition(":")[0] not in sources or v.partition(":")[0] not in targets:
            raise PartnernetzError(f"{value} cannot connect {u} to {v}")
        if not (attrs.get("source") or attrs.get("illustrative") is True):  # = _has_provenance, inlined
            raise PartnernetzError(f"edge {u} -{value}-> {v} has no provenance")
        key = value if discriminator is None else f"{value}:{discriminator}"
        data = {"kind": value}
        data.update({k: val for k, val in attrs.items() if not (val is None or val == "" or val == [])})
        if self._cow is not None:
            self._cow.pair(u, v)
        # networkx's MultiDiGraph layout, written directly (its add_edge re-checks both ends and
        # builds the attribute dict again: a third of a large load's graph build):
        # _succ[u][v] is _pred[v][u] is {key: attribute dict}
        out = G._succ[u]
        keyed = out.get(v)
        if keyed is None:
            out[v] = G._pred[v][u] = {key: data}
        elif key in keyed:
            del data["kind"]
            keyed[key].update(data)
        else:
            keyed[key] = data
        cache = getattr(G, "__networkx_cache__", None)  # what networkx's add_edge clears
        if cache:
            cache.clear()
        self._generation += 1

    def remove_edge(self, u: str, v: str, kind: EdgeKind | str, /, *, discriminator: str | None = None) -> None:
        """Remove the edge ``u -kind-> v`` (with ``discriminator``); ``NodeNotFound`` if absent."""
        kind = EdgeKind(kind)
        key = kind.value if discriminator is None else f"{kind.value}:{discriminator}"
        if not self.nx.has_edge(u, v, key):
            raise NodeNotFound(f"{u} -{key}-> {v}")
        if self._cow is not None:
            self._cow.pair(u, v)
        self.nx.remove_edge(u, v, key)
        self._generation += 1

    def remove_edge_key(self, u: str, v: str, key: str) -> None:
        """Remove the edge ``u -key-> v`` by its key (``kind`` or
        ``kind:discriminator``); ``NodeNotFound`` if absent."""
        kind, _, discriminator = key.partition(":")
        self.remove_edge(u, v, kind, discriminator=discriminator or None)

    def edges(self, kind: EdgeKind | str | None = None) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Iterate over ``(source, target, attrs)``, optionally of one kind."""
        wanted = None if kind is None else EdgeKind(kind).value
        for u, v, data in self.nx.edges(data=True):
            if wanted is None or data["kind"] == wanted:
                yield u, v, data

    def out_edges(self, nid: str, kind: EdgeKind | str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """Edges leaving ``nid`` as ``(target, attrs)``."""
        self.node(nid)
        wanted = None if kind is None else EdgeKind(kind).value
        return [(v, d) for _, v, d in self.nx.out_edges(nid, data=True) if wanted in (None, d["kind"])]

    def in_edges(self, nid: str, kind: EdgeKind | str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """Edges entering ``nid`` as ``(source, attrs)``."""
        self.node(nid)
        wanted = None if kind is None else EdgeKind(kind).value
        return [(u, d) for u, _, d in self.nx.in_edges(nid, data=True) if wanted in (None, d["kind"])]

    def neighbours(self, nid: str) -> set[str]:
        """All nodes adjacent to ``nid`` in either direction."""
        self.node(nid)
        return set(self.nx.successors(nid)) | set(self.nx.predecessors(nid))

    # ----------------------------------------------------------------- counts
    def counts_by_kind(self) -> dict[str, int]:
        """Number of nodes per kind, every kind listed (zero included)."""
        counts = Counter(k for _, k in self.nx.nodes(data="kind"))
        return {k.value: counts.get(k.value, 0) for k in NodeKind}

    def edge_counts_by_kind(self) -> dict[str, int]:
        """Number of edges per kind, every kind listed (zero included)."""
        # = Counter(data.get("kind") for nbrs in _succ.values() for keyed in nbrs.values() for data in
        # keyed.values()), iterated in C: a million edges in a tenth of the time
        keyeds = chain.from_iterable(map(dict.values, self.nx._succ.values()))
        datas = chain.from_iterable(map(dict.values, keyeds))
        counts = Counter(map(dict.get, datas, repeat("kind")))
        return {k.value: counts.get(k.value, 0) for k in EdgeKind}

    @property
    def generation(self) -> int:
        """Changes whenever the graph changes; caches key on it."""
        return self._generation

    def add_nodes_from(self, other: "PartnerGraph") -> None:
        """Merge every node and edge of ``other`` into this graph."""
        for nid, data in other.nx.nodes(data=True):
            if nid in self.nx:
                if self._cow is not None:
                    self._cow.attrs(nid)
                self.nx.nodes[nid].update(data)
            else:
                self.nx.add_node(nid, **data)
                if self._cow is not None:
                    self._cow.created(nid)
        for u, v, key, data in other.nx.edges(keys=True, data=True):
            if self._cow is not None:
                self._cow.pair(u, v)
            self.nx.add_edge(u, v, key=key, **data)
        self._generation += 1

    def ids_by_label(self, kind: NodeKind | str | None = None) -> dict[str, str]:
        """Map display label → node id (first wins), for resolving names."""
        out: dict[str, str] = {}
        for nid in self.nodes(kind):
            out.setdefault(self.nx.nodes[nid].get("label", nid), nid)
        return out

    def __repr__(self) -> str:
        # counting a million edges walks every adjacency row (~0.4 s at 100k nodes, printed at every start):
        # counted once per generation, and kept with a kept build (loaders/kept.py)
        edges = cached(self, "core.edge_count", self.nx.number_of_edges)
        return f"<PartnerGraph {self.nx.number_of_nodes()} nodes, {edges} edges>"




class _Owned:
    """What a forked graph (:meth:`PartnerGraph.fork`) owns alone: the
    attribute dicts of ``nodes``, the neighbour rows ``succ``/``pred`` and the
    edge dicts between the ``pairs``. Everything else is shared and is copied
    before the first write."""

    __slots__ = ("G", "nodes", "succ", "pred", "pairs")

    def __init__(self, G: nx.MultiDiGraph):
        self.G = G
        self.nodes: set[str] = set()
        self.succ: set[str] = set()
        self.pred: set[str] = set()
        self.pairs: set[tuple[str, str]] = set()

    def created(self, nid: str) -> None:
        """``nid`` was added by this graph: all of it is its own."""
        self.nodes.add(nid)
        self.succ.add(nid)
        self.pred.add(nid)

    def attrs(self, nid: str) -> None:
        if nid not in self.nodes:
            self.G._node[nid] = dict(self.G._node[nid])
            self.nodes.add(nid)

    def succ_row(self, u: str) -> None:
        if u not in self.succ and u in self.G._succ:
            self.G._succ[u] = dict(self.G._succ[u])
            self.succ.add(u)

    def pred_row(self, v: str) -> None:
        if v not in self.pred and v in self.G._pred:
            self.G._pred[v] = dict(self.G._pred[v])
            self.pred.add(v)

    def pair(self, u: str, v: str) -> None:
        """Own the neighbour rows of ``u`` (out) and ``v`` (in) and the edges ``u → v``."""
        self.succ_row(u)
        self.pred_row(v)
        if (u, v) in self.pairs:
            return
        keyed = self.G._succ[u].get(v)
        if keyed is not None:
            own = {k: dict(d) for k, d in keyed.items()}
            self.G._succ[u][v] = own
            self.G._pred[v][u] = own
        self.pairs.add((u, v))

    def detach(self, nid: str) -> None:
        """Before ``nid`` is removed: own the rows its removal changes."""
        self.succ_row(nid)
        self.pred_row(nid)
        for v in self.G._succ[nid]:
            self.pred_row(v)
        for u in self.G._pred[nid]:
            self.succ_row(u)
