"""Rows for the Neo4j store: partner graph → ``UNWIND`` rows, and back.

Pure functions (no driver): the store sends these rows as query parameters
and rebuilds a :class:`~graph.model.PartnerGraph` from what it reads.

Property values are what Neo4j can store: strings, numbers (amounts stay
floats), booleans and lists of one of them. Dates: with ``dates=True`` (the
``neo4j`` dialect) a complete date (``2023-05-11``, or a ``date`` object) in
one of :data:`DATE_FIELDS` is sent as a Neo4j ``DATE`` and comes back as the
same ISO string; partial dates (``2019-06``, ``2019``) stay strings, as does
everything under FalkorDB (which crashes on returning temporal values).
Anything else (tuples, sets) is stored as a list or its string form. A
non-finite number (NaN, ±∞) is refused before anything is written, naming
the node or relationship and the attribute. Attributes whose name starts
with ``_`` are private to the process and not written; ``_pn_*`` properties
are the store's own tags.

>>> g = PartnerGraph(with_laender=False)
>>> _ = g.add_node("theme", "water", label="Wasser", label_en="Water", source="s")
>>> rows = node_rows(g, push="p1")
>>> rows[NodeKind.THEME][0]["props"]["label_en"]
'Water'
>>> rendered_size("it's")   # quotes + the escaped quote
7
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from graph.core.errors import PartnernetzError, StoreError
from graph.core.kinds import EdgeKind, NodeKind, kind_of, key_of
from graph.core.model import PartnerGraph
from graph.explore.name_index import name_keys

__all__ = [
    "TAG_PROPERTIES",
    "DATE_FIELDS",
    "new_push_id",
    "property_value",
    "chunks",
    "node_rows",
    "edge_rows",
    "rendered_size",
    "batches",
    "PulledGraph",
    "plain",
    "graph_from_records",
    "GraphDelta",
    "graph_delta",
    "content_hash",
    "out_hashes",
]

#: Properties the store adds to what it writes (removed again on pull):
#: the push id, the edge key, the folded names, the node's content hash and
#: the hash of its outgoing relationships (:func:`content_hash`, :func:`out_hashes`).
TAG_PROPERTIES = frozenset({"_pn_push", "_pn_key", "_pn_names", "_pn_hash", "_pn_out"})
#: Properties a content hash leaves out (they say who wrote a row, not what it holds).
_UNHASHED = frozenset({"_pn_push", "_pn_hash", "_pn_out"})

#: Attributes holding dates (``YYYY-MM-DD`` when complete): sent as Neo4j ``DATE``.
DATE_FIELDS = frozenset({"date", "start", "end"})
_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def new_push_id() -> str:
    """A fresh id for one push (tags every node and relationship it writes)."""
    return uuid.uuid4().hex


def property_value(value: Any) -> Any:
    """``value`` as a property Neo4j can store (``None`` for "leave out")."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [property_value(v) for v in (sorted(value, key=str) if isinstance(value, (set, frozenset)) else value)]
        items = [v for v in items if v is not None]
        if all(isinstance(v, str) for v in items) or all(isinstance(v, bool) for v in items) \
                or all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in items):
            return items
        return [str(v) for v in items]
    return str(value)


def content_hash(props: dict[str, Any]) -> int:
    """A stable 63-bit hash of a row's properties (push id and hashes left
    out): what a push compares to skip a node whose stored hash is the same.
    An integer, so Neo4j keeps it inline in the property record.

    >>> content_hash({"a": 1, "b": [1, 2]}) == content_hash({"b": [1, 2], "a": 1, "_pn_push": "x"})
    True
    """
    text = repr(sorted((k, v) for k, v in props.items() if k not in _UNHASHED))
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big") >> 1


def out_hashes(edges: dict[EdgeKind, list[dict[str, Any]]]) -> dict[str, int]:
    """``{source id: hash of all its outgoing relationships}`` (targets, keys
    and properties; sources without relationships are left out). A push
    rewrites the outgoing relationships of a node only when the hash it
    stored (``_pn_out``) differs.

    >>> rows = {EdgeKind.WORKS_ON: [{"source": "a", "target": "b", "key": "k", "props": {"kind": "works_on"}}]}
    >>> list(out_hashes(rows)) == ["a"]
    True
    """
    per_source: dict[str, list[tuple[str, str, str]]] = {}
    for rows in edges.values():
        for r in rows:
            props = repr(sorted((k, v) for k, v in r["props"].items() if k not in _UNHASHED))
            per_source.setdefault(r["source"], []).append((r["target"], r["key"], props))
    return {source: int.from_bytes(hashlib.blake2b(repr(sorted(out)).encode("utf-8"), digest_size=8).digest(),
                                   "big") >> 1
            for source, out in per_source.items()}


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


def _as_date(value: Any) -> Any:
    """A complete ISO date string or ``date`` as a ``date`` (sent as Neo4j DATE); else ``value``."""
    if isinstance(value, _dt.datetime):
        return value
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str) and _FULL_DATE.fullmatch(value):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _props(attrs: dict[str, Any], owner: str, dates: bool) -> dict[str, Any]:
    out = {}
    for k, raw in attrs.items():
        if k.startswith("_"):
            continue
        if dates and k in DATE_FIELDS:
            day = _as_date(raw)
            if isinstance(day, _dt.date) and not isinstance(day, _dt.datetime):
                out[k] = day
                continue
        v = property_value(raw)
        if v is None or v == "" or v == []:
            continue
        if not _finite(v):
            raise StoreError(f"{owner}: attribute {k!r} is {raw!r}, not a finite number; Neo4j cannot store it "
                             "– correct the value in the dataset (nothing was written)")
        out[k] = v
    return out


def node_rows(g: PartnerGraph, *, push: str, dates: bool = False,
              names: bool = False) -> dict[NodeKind, list[dict[str, Any]]]:
    """``{kind: [{"id", "props"}]}`` for :data:`graph.store.neo4j.cypher.MERGE_NODES`
    (``dates``: complete dates of :data:`DATE_FIELDS` as ``date`` objects;
    ``names``: the folded names, :func:`graph.explore.name_index.name_keys`, in
    ``_pn_names`` for the full-text index, one per line). Every row carries
    its :func:`content_hash` in ``_pn_hash``."""
    out: dict[NodeKind, list[dict[str, Any]]] = {k: [] for k in NodeKind}
    for nid, attrs in g.nx.nodes(data=True):
        props = _props(attrs, f"node {nid}", dates)
        props.update(id=nid, kind=kind_of(nid).value, _pn_push=push)
        if names:
            props["_pn_names"] = "\n".join(name_keys(nid, attrs))
        props["_pn_hash"] = content_hash(props)
        out[kind_of(nid)].append({"id": nid, "props": props})
    return out


def edge_rows(g: PartnerGraph, *, push: str, dates: bool = False) -> dict[EdgeKind, list[dict[str, Any]]]:
    """``{kind: [{"source", "target", "key", "props"}]}`` for :data:`graph.store.neo4j.cypher.MERGE_EDGES`."""
    out: dict[EdgeKind, list[dict[str, Any]]] = {k: [] for k in EdgeKind}
    for u, v, key, attrs in g.nx.edges(keys=True, data=True):
        kind = EdgeKind(attrs["kind"])
        props = _props(attrs, f"relationship {u} -{kind.value}-> {v}", dates)
        props.update(_pn_key=key, _pn_push=push)
        out[kind].append({"source": u, "target": v, "key": key, "props": props})
    return out


@dataclass(frozen=True)
class GraphDelta:
    """What turns one graph into another, as rows for the store's statements:
    nodes and relationships to write (new or changed: every property, as a
    push writes them) and to remove (nodes by id, relationships by their ends
    and key). The push id in the rows is set when they are written."""

    nodes: dict[NodeKind, list[dict[str, Any]]]
    edges: dict[EdgeKind, list[dict[str, Any]]]
    removed_nodes: list[str]
    removed_edges: list[dict[str, Any]]

    @property
    def empty(self) -> bool:
        return not (any(self.nodes.values()) or any(self.edges.values()) or self.removed_nodes or self.removed_edges)

    @property
    def written_ids(self) -> set[str]:
        """Ids of the nodes written and of the ends of the relationships written."""
        out = {r["id"] for rows in self.nodes.values() for r in rows}
        out |= {r[end] for rows in self.edges.values() for r in rows for end in ("source", "target")}
        return out

    def counts(self) -> dict[str, int]:
        return {"nodes": sum(map(len, self.nodes.values())), "edges": sum(map(len, self.edges.values())),
                "removed_nodes": len(self.removed_nodes), "removed_edges": len(self.removed_edges)}


def graph_delta(old: PartnerGraph, new: PartnerGraph, *, dates: bool = False, names: bool = False) -> GraphDelta:
    """The nodes and relationships of ``new`` that ``old`` lacks or holds with
    other properties, and those of ``old`` that ``new`` lacks (compared as
    the rows a push writes, so only what reaches the store counts).

    >>> old = PartnerGraph(with_laender=False)
    >>> _ = old.add_node("theme", "water", label="Wasser", source="s")
    >>> new = old.copy()
    >>> new.set_node_attrs("theme:water", label="Wasser und Klima")
    >>> d = graph_delta(old, new)
    >>> [r["id"] for r in d.nodes[NodeKind.THEME]], d.removed_nodes
    (['theme:water'], [])
    """
    def by_node(g: PartnerGraph) -> dict[str, dict[str, Any]]:
        return {r["id"]: r for rows in node_rows(g, push="", dates=dates, names=names).values() for r in rows}

    def by_edge(g: PartnerGraph) -> dict[tuple[str, str, str], dict[str, Any]]:
        return {(r["source"], r["target"], r["key"]): r for rows in edge_rows(g, push="", dates=dates).values()
                for r in rows}

    old_nodes, new_nodes = by_node(old), by_node(new)
    old_edges, new_edges = by_edge(old), by_edge(new)
    nodes: dict[NodeKind, list[dict[str, Any]]] = {k: [] for k in NodeKind}
    for nid, row in new_nodes.items():
        before = old_nodes.get(nid)
        if before is None or before["props"] != row["props"]:
            nodes[kind_of(nid)].append(row)
    edges: dict[EdgeKind, list[dict[str, Any]]] = {k: [] for k in EdgeKind}
    for ident, row in new_edges.items():
        before = old_edges.get(ident)
        if before is None or before["props"] != row["props"]:
            edges[EdgeKind(row["props"]["kind"])].append(row)
    removed_nodes = sorted(set(old_nodes) - set(new_nodes))
    gone = set(removed_nodes)
    removed_edges = [{"source": u, "target": v, "key": k} for (u, v, k) in sorted(set(old_edges) - set(new_edges))
                     if u not in gone and v not in gone]  # a removed node takes its relationships along
    return GraphDelta(nodes, edges, removed_nodes, removed_edges)


def rendered_size(value: Any) -> int:
    """Upper bound of the UTF-8 bytes ``value`` takes when rendered as a Cypher literal."""
    if isinstance(value, str):
        return len(value.encode("utf-8")) + value.count("'") + value.count("\\") + 2
    if isinstance(value, bool) or value is None:
        return 5
    if isinstance(value, (int, float)):
        return len(repr(value)) + 2
    if isinstance(value, (list, tuple)):
        return 2 + sum(rendered_size(v) + 2 for v in value)
    if isinstance(value, dict):
        return 2 + sum(len(str(k).encode()) + 4 + rendered_size(v) for k, v in value.items())
    return len(json.dumps(value, default=str).encode()) + 2


def batches(rows: Iterable[dict[str, Any]], *, batch_size: int, max_bytes: int = 0,
            overhead: int = 0) -> Iterator[list[dict[str, Any]]]:
    """Cut ``rows`` into batches of at most ``batch_size`` rows and, when
    ``max_bytes`` is set, at most ``max_bytes`` rendered bytes including
    ``overhead`` (the statement text). A single row over the budget raises
    :class:`StoreError`.

    >>> [len(b) for b in batches([{"a": 1}] * 5, batch_size=2)]
    [2, 2, 1]
    """
    if batch_size < 1:
        raise StoreError(f"batch size must be at least 1, got {batch_size}")

    def sized(rows: Iterable[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], int]]:
        for row in rows:
            row_size = rendered_size(row) + 2
            if max_bytes and overhead + row_size > max_bytes:
                ident = row.get("id") or f"{row.get('source')} -> {row.get('target')}"
                raise StoreError(
                    f"{ident}: row of {row_size} bytes exceeds the dialect's statement limit of {max_bytes} bytes "
                    "(FalkorDB renders parameters into a 4 KB buffer); shorten its longest text")
            yield row, row_size

    return _cut(sized(rows), max_count=batch_size, max_bytes=max_bytes, overhead=overhead)


def chunks(values: Iterable[Any], *, max_count: int, max_bytes: int = 0, overhead: int = 0) -> Iterator[list[Any]]:
    """Cut ``values`` (e.g. ids for ``IN $ids``) into lists of at most
    ``max_count`` values and, when ``max_bytes`` is set, at most that many
    rendered bytes including ``overhead``.

    >>> [len(c) for c in chunks(["ab"] * 5, max_count=10, max_bytes=20, overhead=2)]  # 2 + 3 × 6 bytes
    [3, 2]
    """
    return _cut(((v, rendered_size(v) + 2) for v in values), max_count=max_count, max_bytes=max_bytes,
                overhead=overhead)


def _cut(sized: Iterable[tuple[Any, int]], *, max_count: int, max_bytes: int, overhead: int) -> Iterator[list[Any]]:
    """The one cutting loop behind :func:`batches` and :func:`chunks`:
    ``(item, rendered bytes)`` pairs into lists bounded by count and bytes."""
    chunk: list[Any] = []
    size = overhead
    for value, value_size in sized:
        if chunk and (len(chunk) >= max_count or (max_bytes and size + value_size > max_bytes)):
            yield chunk
            chunk, size = [], overhead
        chunk.append(value)
        size += value_size
    if chunk:
        yield chunk


@dataclass
class PulledGraph:
    """A graph read back from a store, with what could not be taken over."""

    graph: PartnerGraph
    problems: list[str] = field(default_factory=list)


def plain(value: Any) -> Any:
    """A pulled value as the graph holds it: a Neo4j ``DATE`` (driver
    ``neo4j.time.Date``, or a ``date``) as its ISO string."""
    iso = getattr(value, "iso_format", None)
    if callable(iso):
        return iso()
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return value


#: Value types :func:`plain` returns unchanged (tested first: most values are these).
_PLAIN_TYPES = frozenset({str, int, float, bool, list})


def _clean(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v if type(v) in _PLAIN_TYPES else plain(v) for k, v in props.items()
            if k not in TAG_PROPERTIES and v is not None}


def graph_from_records(nodes: Iterable[dict[str, Any]], edges: Iterable[dict[str, Any]]) -> PulledGraph:
    """Rebuild a partner graph from pulled records.

    ``nodes``: ``{"id", "props"}``; ``edges``: ``{"source", "target", "props"}``
    where ``props`` holds ``kind`` and ``_pn_key``. Records that break the
    graph's rules (unknown kind, no provenance, wrong endpoints) are skipped
    and named in ``problems``.
    """
    g = PartnerGraph(with_laender=False)
    problems: list[str] = []
    for rec in nodes:
        nid, props = rec["id"], _clean(dict(rec["props"]))
        props.pop("id", None)
        try:
            kind = kind_of(nid)
            label = props.pop("label", None) or key_of(nid)
            props.pop("kind", None)
            g.add_node(kind, key_of(nid), label=label, **props)
        except (ValueError, PartnernetzError) as exc:
            problems.append(f"node {nid}: {exc}")
    for rec in edges:
        raw = dict(rec["props"])
        key = raw.get("_pn_key", "")
        props = _clean(raw)
        kind_name = props.pop("kind", None) or key.partition(":")[0]
        _, sep, discriminator = key.partition(":")
        try:
            g.add_edge(rec["source"], rec["target"], EdgeKind(kind_name),
                       discriminator=discriminator if sep else None, **props)
        except (ValueError, PartnernetzError) as exc:
            problems.append(f"edge {rec['source']} -{kind_name}-> {rec['target']}: {exc}")
    return PulledGraph(g, problems)
