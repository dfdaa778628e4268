"""GraphML is written from a view of the graph (loaders/export.py
``_ScalarView``), not from a copy: the same file as writing the copy, for
the sample (with its metrics) and a synthetic network; ids that are not
XML-safe fall back to the copy."""

from __future__ import annotations

import networkx as nx

from loaders import load
from loaders.export import metric_attributes, to_simple_graph, write_graphml
from loaders.synthetic import generate


def _both(g, tmp_path, node_attrs):
    new = write_graphml(g, tmp_path / "view.graphml", node_attrs=node_attrs, metrics=node_attrs is not None)
    old = tmp_path / "copy.graphml"
    nx.write_graphml(to_simple_graph(g, node_attrs=node_attrs), old)
    return new.read_bytes(), old.read_bytes()


def test_the_sample_with_its_metrics_is_the_same_file(sample_graph, tmp_path):
    new, old = _both(sample_graph, tmp_path, metric_attributes(sample_graph))
    assert new == old and b"<edge" in new


def test_a_synthetic_network_is_the_same_file(tmp_path):
    generate(tmp_path / "data", nodes=2000, seed=9)
    g = load(tmp_path / "data").graph
    new, old = _both(g, tmp_path, None)
    assert new == old and new.count(b"<edge") == g.nx.number_of_edges()


def test_ids_that_are_not_xml_safe_are_written_from_the_copy(tmp_path):
    from graph.core.model import PartnerGraph

    g = PartnerGraph(with_laender=False)
    g.add_node("institution", "a\x01b", label="A", illustrative=True)
    g.add_node("institution", "c", label="C", illustrative=True)
    from loaders.spreadsheet import xml_safe

    assert any(xml_safe(n) != n for n in g.nx)  # the view refuses it, the copy makes it safe
    new, old = _both(g, tmp_path, None)
    assert new == old
