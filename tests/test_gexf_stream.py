"""GEXF is streamed (loaders/gexf_stream.py) from a view of the graph, not
built as one XML tree from a copy: the same file as networkx's writer on the
copy, for the sample (with its metrics, dynamic dates, edge types), a
synthetic network spanning several slices, an empty graph and edges that
carry their own ids; ids that are not XML-safe fall back to the copy."""

from __future__ import annotations

import io

import networkx as nx
import pytest

from loaders import gexf_stream, load
from loaders.export import _gexf_edge, metric_attributes, to_simple_graph, write_gexf
from loaders.synthetic import generate


def _both(g, tmp_path, node_attrs):
    new = write_gexf(g, tmp_path / "view.gexf", node_attrs=node_attrs, metrics=node_attrs is not None)
    h = to_simple_graph(g, node_attrs=node_attrs)
    for _, data in h.nodes(data=True):
        data.setdefault("label", "")
    for _, _, data in h.edges(data=True):
        _gexf_edge(data)
    old = tmp_path / "copy.gexf"
    nx.write_gexf(h, old)
    return new.read_bytes(), old.read_bytes()


def test_the_sample_with_its_metrics_is_the_same_file(sample_graph, tmp_path):
    new, old = _both(sample_graph, tmp_path, metric_attributes(sample_graph))
    assert new == old and b"<edge " in new and b'mode="dynamic"' in new


def test_edge_types_are_what_gexf_means_by_them_and_the_partnership_type_is_kept(sample_graph, tmp_path):
    # GEXF's edge ``type`` is directed / undirected / mutual; the kind of partnership is an attribute
    import re

    text = write_gexf(sample_graph, tmp_path / "s.gexf", metrics=False).read_text(encoding="utf-8")
    assert set(re.findall(r'<edge [^>]*\btype="([^"]*)"', text)) <= {"directed", "undirected", "mutual"}
    declared = dict(re.findall(r'<attribute id="(\d+)" title="([^"]+)"', text.split("<nodes>")[0].split('class="edge"')[1]))
    assert "partnership_type" in declared.values() and "type" not in declared.values()
    back = nx.read_gexf(tmp_path / "s.gexf")
    kinds = {d.get("partnership_type") for _, _, d in back.edges(data=True)} - {None}
    assert "Länderpartnerschaft" in kinds
    partnerships = {d["type"] for _, _, d in sample_graph.nx.edges(data=True) if d.get("type")}
    assert kinds == partnerships


def test_a_synthetic_network_over_many_slices_is_the_same_file(tmp_path, monkeypatch):
    monkeypatch.setattr(gexf_stream, "SLICE", 97)  # many slices, the last one short
    generate(tmp_path / "data", nodes=1500, seed=9)
    g = load(tmp_path / "data").graph
    new, old = _both(g, tmp_path, None)
    assert new == old and new.count(b"<edge ") == g.nx.number_of_edges() > 97 * 3
    assert not list(tmp_path.glob("partnernetz-gexf-*"))  # the spool is gone


@pytest.mark.parametrize("build", ["empty", "no_edges", "own_ids"])
def test_edge_cases_are_the_same_file(build, monkeypatch):
    monkeypatch.setattr(gexf_stream, "SLICE", 2)
    h = nx.MultiDiGraph()
    if build == "no_edges":
        h.add_node("a", size=1.5)
    if build == "own_ids":
        # ids given by edges are kept; generated ones step over them, across slices
        h.add_node("n1", id="N1", label="Eins")
        h.add_edge("n1", "b", id="1", weight=2)
        h.add_edge("b", "c", flag=True)
        h.add_edge("c", "n1", id="0")
        h.add_edge("c", "b", note="x < y & \"z\"")
        h.add_edge("b", "n1", ratio=float("inf"))
    mine = io.BytesIO()
    gexf_stream.write(gexf_stream.Slices.of(h), mine)
    theirs = io.BytesIO()
    nx.write_gexf(h, theirs)
    assert mine.getvalue() == theirs.getvalue()
    nx.read_gexf(io.BytesIO(mine.getvalue()))  # and networkx reads it back


def test_ids_that_are_not_xml_safe_are_written_from_the_copy(tmp_path):
    from graph.core.model import PartnerGraph
    from loaders.spreadsheet import xml_safe

    g = PartnerGraph(with_laender=False)
    g.add_node("institution", "a\x01b", label="A", illustrative=True)
    g.add_node("institution", "c", label="C", illustrative=True)
    assert any(xml_safe(n) != n for n in g.nx)
    new, old = _both(g, tmp_path, None)
    assert new == old


def test_memory_stays_flat_while_writing(tmp_path, monkeypatch):
    """The writer holds one slice of elements at a time, not the document:
    peak Python allocations while writing a 4,000-node network (~40k edges,
    slices of 200) are a small part of what networkx's tree of it takes."""
    import tracemalloc

    monkeypatch.setattr(gexf_stream, "SLICE", 200)
    generate(tmp_path / "data", nodes=4000, seed=3)
    g = load(tmp_path / "data").graph
    h = to_simple_graph(g)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        write_gexf(g, tmp_path / "view.gexf", metrics=False)
        streamed = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        nx.write_gexf(h, tmp_path / "copy.gexf")
        tree = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert streamed * 10 < tree, (streamed, tree)
