"""The typed graph wrapper: ids, kinds, provenance, counts."""

import pytest

from graph import EdgeKind, NodeKind, NodeNotFound, PartnerGraph, PartnernetzError, kind_of, node_id
from graph.core.kinds import key_of


def test_empty_graph_has_the_16_laender_only():
    g = PartnerGraph()
    counts = g.counts_by_kind()
    assert counts["land"] == 16 and sum(counts.values()) == 16
    assert g.node("land:DE-BW")["label"] == "Baden-Württemberg"
    assert g.label("land:DE-BY", "en") == "Bavaria"
    assert sum(g.edge_counts_by_kind().values()) == 0


def test_ids_are_namespaced():
    assert node_id(NodeKind.INSTITUTION, "x") == "institution:x"
    assert kind_of("country:RWA") is NodeKind.COUNTRY
    assert key_of("project:BLP-01") == "BLP-01"
    with pytest.raises(ValueError):
        kind_of("RWA")
    with pytest.raises(ValueError):
        kind_of("planet:earth")


def test_countries_are_built_in_with_german_and_english_names():
    g = PartnerGraph()
    nid = g.add_country("TZA")
    assert nid == "country:TZA"
    assert (g.label(nid), g.label(nid, "en")) == ("Tansania", "Tanzania")
    assert g.add_country("TZA") == nid and g.counts_by_kind()["country"] == 1


def test_nodes_and_edges_need_provenance():
    g = PartnerGraph()
    with pytest.raises(PartnernetzError, match="provenance"):
        g.add_node(NodeKind.INSTITUTION, "x", label="X")
    inst = g.add_node(NodeKind.INSTITUTION, "x", label="X", illustrative=True)
    with pytest.raises(PartnernetzError, match="provenance"):
        g.add_edge(inst, "land:DE-HE", EdgeKind.LOCATED_IN)
    g.add_edge(inst, "land:DE-HE", EdgeKind.LOCATED_IN, source="s")
    assert g.neighbours(inst) == {"land:DE-HE"}


def test_edge_kinds_only_connect_their_node_kinds():
    g = PartnerGraph()
    inst = g.add_node(NodeKind.INSTITUTION, "x", label="X", source="s")
    with pytest.raises(PartnernetzError, match="cannot connect"):
        g.add_edge(inst, "land:DE-HE", EdgeKind.COFINANCES, source="s")
    with pytest.raises(NodeNotFound):
        g.add_edge(inst, "project:nope", EdgeKind.PARTICIPATES_IN, source="s")


def test_discriminator_keeps_several_roles_apart():
    g = PartnerGraph()
    inst = g.add_node(NodeKind.INSTITUTION, "x", label="X", source="s")
    proj = g.add_node(NodeKind.PROJECT, "p", label="P", source="s")
    g.add_edge(inst, proj, EdgeKind.PARTICIPATES_IN, discriminator="funding", role="funding", source="s")
    g.add_edge(inst, proj, EdgeKind.PARTICIPATES_IN, discriminator="implementing", role="implementing", source="s")
    g.add_edge(inst, proj, EdgeKind.PARTICIPATES_IN, discriminator="funding", role="funding", source="s2")
    assert sorted(d["role"] for _, d in g.out_edges(inst)) == ["funding", "implementing"]
    assert g.edge_counts_by_kind()["participates_in"] == 2


def test_unknown_node_raises_node_not_found():
    with pytest.raises(NodeNotFound) as info:
        PartnerGraph().node("institution:ghost")
    assert "institution:ghost" in str(info.value)


def test_generation_changes_on_every_change():
    g = PartnerGraph()
    before = g.generation
    g.add_country("RWA")
    assert g.generation > before


def test_graph_package_does_not_import_dash_pandas_or_neo4j():
    import subprocess
    import sys

    code = ("import sys, graph, graph.core.model, graph.core.tables, graph.core.reference;"
            "bad=[m for m in ('dash','pandas','neo4j') if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def test_public_api():
    import graph
    assert set(graph.__all__) == {"PartnerGraph", "NodeKind", "EdgeKind", "Sector", "node_id", "kind_of",
                                  "PartnernetzError", "NodeNotFound", "LoadError", "StoreError", "StoreUnavailable"}
