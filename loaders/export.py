"""Write a partner graph as canonical CSV tables, GraphML or GEXF.

GraphML and GEXF only hold scalar attributes, so lists are joined with ``;``
and empty values dropped; node kinds, sectors and any precomputed metrics in
node attributes travel along for Gephi or Cytoscape.
"""

from __future__ import annotations

import csv
import itertools
import math
import os
from pathlib import Path
from typing import Any

import networkx as nx

from graph.core.model import PartnerGraph
from graph.core.tables import TABLE_ORDER, table_rows
from loaders.schema import TABLES
from loaders.spreadsheet import excel_cell, neutralise_canonical, xml_safe

__all__ = ["write_csv_tables", "write_xlsx_tables", "to_simple_graph", "write_graphml", "write_gexf", "metric_attributes", "EXPORT_FORMATS", "export"]

EXPORT_FORMATS = ("graphml", "gexf", "csv")


def write_csv_tables(g: PartnerGraph, out_dir: str | Path) -> list[Path]:
    """Write the canonical tables as UTF-8 CSV files into ``out_dir``.

    Rows are made and written one at a time, so a whole-graph export never
    holds its millions of rows; columns no row fills are left out, by copying
    the few tables that have such a column once more without it."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TABLE_ORDER:
        all_columns = list(TABLES[name].column_names)
        path = out / f"{name}.csv"
        partial = out / f".{name}.csv.all"
        filled: set[str] = set()
        count = 0
        with partial.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(all_columns)
            for r in table_rows(g, name):
                count += 1
                filled.update(c for c, v in r.items() if c not in filled and str(v) != "")
                # neutralised like every export; the loader undoes the leading ' exactly
                writer.writerow([neutralise_canonical(r.get(c, "")) for c in all_columns])
        if not count:
            partial.unlink()
            continue
        keep = [k for k, c in enumerate(all_columns) if c in filled] or list(range(len(all_columns)))
        if len(keep) == len(all_columns):
            os.replace(partial, path)
        else:
            with partial.open(newline="", encoding="utf-8") as src, path.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerows([row[k] for k in keep] for row in csv.reader(src))
            partial.unlink()
        written.append(path)
    return written


def write_xlsx_tables(g: PartnerGraph, path: str | Path) -> Path:
    """Write the canonical tables as sheets of one workbook."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name in TABLE_ORDER:
        rows = table_rows(g, name)
        first = next(rows, None)
        if first is None:
            continue
        ws = wb.create_sheet(name)
        columns = list(TABLES[name].column_names)
        ws.append(columns)
        for r in itertools.chain([first], rows):
            ws.append([_xlsx_cell(r.get(c, "")) for c in columns])
    wb.save(path)
    return Path(path)


def _xlsx_cell(value: Any) -> Any:
    # the canonical tables never hold formulas nor characters XML cannot hold
    return excel_cell(value, canonical=True)


def _scalar(value: Any) -> Any:
    """A GraphML/GEXF attribute value: lists joined, text XML-safe, non-finite numbers as text."""
    if isinstance(value, (list, tuple, set)):
        return xml_safe(";".join(str(v) for v in value))
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (int, float, bool)):
        return value
    return xml_safe(str(value))


NodeAttrs = dict[str, dict[str, Any]]


def to_simple_graph(g: PartnerGraph, *, node_attrs: NodeAttrs | None = None) -> nx.MultiDiGraph:
    """A copy with only scalar attributes, as GraphML/GEXF writers need.

    ``node_attrs`` (``{attribute: {node id: value}}``, e.g. precomputed metrics
    from ``graph.analysis.analytics``) are added to the nodes they name.
    """
    h = nx.MultiDiGraph()
    for nid, data in g.nx.nodes(data=True):
        h.add_node(xml_safe(nid), **_node_scalars(data))
    for name, values in (node_attrs or {}).items():
        for nid, value in values.items():
            if xml_safe(nid) in h and value is not None:
                h.nodes[xml_safe(nid)][name] = _scalar(value)
    for u, v, key, data in g.nx.edges(keys=True, data=True):
        h.add_edge(xml_safe(u), xml_safe(v), key=xml_safe(key), **_edge_scalars(data))
    return h


def _node_scalars(data: dict[str, Any]) -> dict[str, Any]:
    """A node's attributes as GraphML/GEXF hold them (internal ``_`` ones and empty ones left out)."""
    return {k: _scalar(v) for k, v in data.items() if v is not None and not k.startswith("_")}


def _edge_scalars(data: dict[str, Any]) -> dict[str, Any]:
    """An edge's attributes as GraphML/GEXF hold them (empty ones left out)."""
    return {k: _scalar(v) for k, v in data.items() if v is not None}


def _atomic(path: str | Path, write) -> Path:
    """Write through a temporary file beside ``path`` and rename it into place,
    so that a failure never leaves a partial file."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def metric_attributes(g: PartnerGraph) -> NodeAttrs:
    """The network metrics of ``g``'s institution network (degree, strength,
    betweenness, PageRank, community, …) as ``{attribute: {node id: value}}``:
    what every GraphML/GEXF export carries unless told otherwise."""
    from graph.analysis.analytics import compute

    return compute(g).node_attributes()


def write_graphml(g: PartnerGraph, path: str | Path, *, node_attrs: NodeAttrs | None = None,
                  metrics: bool = True) -> Path:
    """``g`` as GraphML; with the metrics (:func:`metric_attributes`, or the
    precomputed ``node_attrs``) unless ``metrics=False``.

    Written from :class:`_ScalarView`, which hands networkx's writer the
    scalar attributes node by node and edge by edge: the copy that
    :func:`to_simple_graph` makes took gigabytes at 300k nodes. When an id
    or key is not XML-safe as it is (a copy would merge two that differ only
    in characters XML cannot hold), the copy is written instead."""
    if node_attrs is None and metrics:
        node_attrs = metric_attributes(g)
    try:
        return _atomic(path, lambda tmp: nx.write_graphml(_ScalarView(g, node_attrs), tmp))
    except _NotXmlSafe:
        h = to_simple_graph(g, node_attrs=node_attrs)
        return _atomic(path, lambda tmp: nx.write_graphml(h, tmp))


class _NotXmlSafe(Exception):
    """An id or key of the graph changes when made XML-safe."""


class _ScalarView:
    """What networkx's GraphML writer reads of :func:`to_simple_graph`'s
    copy — the nodes and edges with their scalar attributes — made on the fly
    from ``g`` (``node_attrs`` added to the nodes they name), never held."""

    def __init__(self, g: PartnerGraph, node_attrs: NodeAttrs | None) -> None:
        self._g = g
        self._extra = node_attrs or {}
        self.graph: dict[str, Any] = {}

    def is_directed(self) -> bool:
        return True

    def is_multigraph(self) -> bool:
        return True

    def nodes(self, data: bool = False):
        for nid, attrs in self._g.nx.nodes(data=True):
            if xml_safe(nid) != nid:
                raise _NotXmlSafe(nid)
            if not data:
                yield nid
                continue
            out = _node_scalars(attrs)
            for name, values in self._extra.items():
                value = values.get(nid)
                if value is not None:
                    out[name] = _scalar(value)
            yield nid, out

    def edges(self, keys: bool = False, data: bool = False):
        for u, v, key, attrs in self._g.nx.edges(keys=True, data=True):
            if xml_safe(key) != key:
                raise _NotXmlSafe(key)
            out = _edge_scalars(attrs)
            yield (u, v, key, out) if keys and data else (u, v, key) if keys else (u, v, out) if data else (u, v)


def write_gexf(g: PartnerGraph, path: str | Path, *, node_attrs: NodeAttrs | None = None,
               metrics: bool = True) -> Path:
    """``g`` as GEXF; with the metrics like :func:`write_graphml`.

    Streamed from :class:`_ScalarView` by :mod:`loaders.gexf_stream` (networkx's
    writer builds the XML tree of the whole graph first); ids that are not
    XML-safe as they are go through the copy, as for GraphML. Edge attributes
    whose names GEXF reserves are renamed (:data:`GEXF_EDGE_RENAMES`)."""
    from loaders import gexf_stream

    if node_attrs is None and metrics:
        node_attrs = metric_attributes(g)
    view = _ScalarView(g, node_attrs)
    slices = gexf_stream.Slices(lambda: ((n, _labelled(d)) for n, d in view.nodes(data=True)),
                                 lambda: ((u, v, k, _gexf_edge(d)) for u, v, k, d in view.edges(keys=True, data=True)),
                                 lambda: (_scalar(d["id"]) for _, _, d in g.nx.edges(data=True) if d.get("id") is not None))
    target = Path(path)

    def stream(tmp: Path) -> None:
        with tmp.open("wb") as fh:
            gexf_stream.write(slices, fh, spool_dir=str(target.parent))

    try:
        return _atomic(path, stream)
    except _NotXmlSafe:
        h = to_simple_graph(g, node_attrs=node_attrs)
        for _, data in h.nodes(data=True):
            data.setdefault("label", "")
        for _, _, data in h.edges(data=True):
            _gexf_edge(data)
        return _atomic(path, lambda tmp: nx.write_gexf(h, tmp))


#: Edge attributes renamed in GEXF, which reserves these names for itself: an
#: edge's ``type`` there says directed, undirected or mutual (networkx would
#: write the kind of partnership into it, which Gephi rejects and loses).
GEXF_EDGE_RENAMES = {"type": "partnership_type"}


def _gexf_edge(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (changed in place) with :data:`GEXF_EDGE_RENAMES` applied."""
    for name, new in GEXF_EDGE_RENAMES.items():
        if name in data:
            data[new] = data.pop(name)
    return data


def _labelled(data: dict[str, Any]) -> dict[str, Any]:
    # GEXF uses 'label' itself; keep ours as the visible label (empty when a node has none)
    data.setdefault("label", "")
    return data


def export(g: PartnerGraph, fmt: str, out: str | Path) -> list[Path]:
    """Export in ``fmt`` (graphml, gexf, csv) to a file (or folder for csv)."""
    if fmt == "csv":
        return write_csv_tables(g, out)
    if fmt == "graphml":
        return [write_graphml(g, out)]
    if fmt == "gexf":
        return [write_gexf(g, out)]
    raise ValueError(f"unknown export format {fmt!r} (choose {', '.join(EXPORT_FORMATS)})")
