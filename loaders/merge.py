"""Merge the graphs of several datasets into one.

Nodes with the same id are one node. Institutions are also one node when they
are the same organisation under different ids — an IATI file and a
spreadsheet rarely share ids — matched by :func:`loaders.organisations.match_keys`:
a shared real IATI identifier, the same known German actor (BMZ, GIZ, KfW …),
or the same normalised name (never two nodes whose IATI identifiers differ).
Attributes already present win; missing ones are filled in; provenance is
combined (``source`` lists both). An institution that ends up located both in
a Land and, less precisely, in Germany keeps only the Land edge.

The counts stay checkable: :class:`MergeStats` counts, per kind, the nodes and
edges of the added graph that went into existing ones (or were superseded),
so ``nodes(base) + nodes(other) - merged == nodes(result)`` per kind.

>>> from graph.core.model import PartnerGraph
>>> a, b = PartnerGraph(), PartnerGraph()
>>> _ = a.add_node("institution", "kfw-1", label="KfW Entwicklungsbank", source="a.csv")
>>> _ = b.add_node("institution", "iati-kfw", label="KREDITANSTALT FUER WIEDERAUFBAU (KFW)", source="b.xml")
>>> stats = merge_graphs(a, b)
>>> sorted(a.nodes("institution")), stats.nodes["institution"], stats.nodes["land"]
(['institution:kfw-1'], 1, 16)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from graph.core.kinds import EdgeKind, NodeKind, key_of, kind_of, node_id
from graph.core.model import PartnerGraph
from loaders.organisations import match_keys

__all__ = ["MergeStats", "merge_graphs", "institution_keys"]

_KEY_ORDER = ("ref:", "known:", "name:")
_LIST_ATTRS = ("names", "iati_refs", "merged_from")


@dataclass
class MergeStats:
    """What :func:`merge_graphs` merged: counts per kind and the institutions it unified."""

    nodes: Counter = field(default_factory=Counter)
    edges: Counter = field(default_factory=Counter)
    institutions: list[dict[str, str]] = field(default_factory=list)


def institution_keys(attrs: dict[str, Any]) -> set[str]:
    """Matching keys of an institution node (label, other spellings, IATI identifiers)."""
    refs = list(attrs.get("iati_refs") or ([attrs["iati_ref"]] if attrs.get("iati_ref") else []))
    keys = match_keys(attrs.get("label", ""), refs)
    for name in attrs.get("names") or ():
        keys |= {k for k in match_keys(name) if not k.startswith("ref:")}
    return keys


def _refs(attrs: dict[str, Any]) -> set[str]:
    return {r.casefold() for r in attrs.get("iati_refs") or ([attrs["iati_ref"]] if attrs.get("iati_ref") else [])}


def _index(g: PartnerGraph) -> dict[str, str]:
    index: dict[str, str] = {}
    for nid in g.nodes(NodeKind.INSTITUTION):
        for key in institution_keys(g.node(nid)):
            index.setdefault(key, nid)
    return index


def _match(g: PartnerGraph, index: dict[str, str], attrs: dict[str, Any]) -> tuple[str, str] | None:
    keys = institution_keys(attrs)
    mine = _refs(attrs)
    for prefix in _KEY_ORDER:
        for key in sorted(k for k in keys if k.startswith(prefix)):
            target = index.get(key)
            if target is None:
                continue
            theirs = _refs(g.node(target))
            if prefix != "ref:" and mine and theirs and not mine & theirs:
                continue  # same name, different identifiers: different organisations
            return target, key
    return None


def _combine(current: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(current)
    for key, value in extra.items():
        if key == "kind" or value in (None, "", []):
            continue
        have = merged.get(key)
        if key == "source":
            parts = have.split(" ; ") if have else []
            for part in str(value).split(" ; "):
                if part not in parts:
                    parts.append(part)
            merged[key] = " ; ".join(parts)
        elif key in _LIST_ATTRS:
            items = list(have or [])
            items.extend(v for v in value if v not in items)
            merged[key] = items
        elif key == "sector" and have and current.get("sector_inferred") and not extra.get("sector_inferred"):
            merged[key] = value  # a stated sector beats an inferred one
            merged.pop("sector_inferred", None)
        elif key in ("sector_inferred", "sector_flag", "sector_detail") and current.get("sector"):
            continue  # these qualify the other dataset's sector, not the one kept
        elif have in (None, "", []):
            merged[key] = value
    return merged


def _put_node(g: PartnerGraph, nid: str, attrs: dict[str, Any]) -> None:
    rest = {k: v for k, v in attrs.items() if k not in ("kind", "label")}
    g.add_node(kind_of(nid), key_of(nid), label=attrs.get("label", nid), **rest)


def merge_graphs(base: PartnerGraph, other: PartnerGraph) -> MergeStats:
    """Merge ``other`` into ``base`` (in place) and return what was merged."""
    stats = MergeStats()
    index = _index(base)
    mapping: dict[str, str] = {}
    touched: set[str] = set()
    for nid, attrs in other.nx.nodes(data=True):
        target = nid
        if nid in base and attrs.get("kind") == NodeKind.INSTITUTION.value:
            stats.institutions.append({"from": nid, "into": nid, "by": "id"})
        elif attrs.get("kind") == NodeKind.INSTITUTION.value:
            found = _match(base, index, attrs)
            if found is not None:
                target, key = found
                stats.institutions.append({"from": nid, "into": target, "by": key})
        mapping[nid] = target
        if target in base:
            stats.nodes[attrs["kind"]] += 1
            combined = _combine(base.node(target), attrs)
            if target != nid:
                combined["merged_from"] = list(combined.get("merged_from") or []) + [nid]
            for dropped in set(base.node(target)) - set(combined):
                base.remove_node_attrs(target, dropped)  # e.g. sector_inferred once a stated sector replaced it
            _put_node(base, target, combined)
            touched.add(target)
        else:
            _put_node(base, target, dict(attrs))
        if attrs.get("kind") == NodeKind.INSTITUTION.value:
            for key in institution_keys(base.node(target)):
                index.setdefault(key, target)
    for u, v, key, attrs in other.nx.edges(keys=True, data=True):
        u2, v2 = mapping.get(u, u), mapping.get(v, v)
        kind = attrs["kind"]
        discriminator = key.split(":", 1)[1] if ":" in key else None
        data = {k: val for k, val in attrs.items() if k != "kind"}
        if base.nx.has_edge(u2, v2, key):
            stats.edges[kind] += 1
            data = _combine(base.nx.edges[u2, v2, key], attrs)
            data.pop("kind", None)
        base.add_edge(u2, v2, kind, discriminator=discriminator, **data)
    germany = node_id(NodeKind.COUNTRY, "DEU")
    for nid in touched:
        if kind_of(nid) is not NodeKind.INSTITUTION:
            continue
        located = base.out_edges(nid, EdgeKind.LOCATED_IN)
        if any(kind_of(t) is NodeKind.LAND for t, _ in located) and any(t == germany for t, _ in located):
            base.remove_edge(nid, germany, EdgeKind.LOCATED_IN)
            stats.edges[EdgeKind.LOCATED_IN.value] += 1  # superseded by the Land
    return stats
