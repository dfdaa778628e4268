"""Row building, batching and Cypher constants — no server needed."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from graph.store.neo4j import cypher
from graph.store.neo4j.cypher import DIALECTS, MERGE_EDGES, MERGE_NODES, get_dialect
from graph.core.errors import StoreError
from graph.core.kinds import EdgeKind, NodeKind
from graph.core.model import PartnerGraph
from graph.store.neo4j.rows import (
    batches, chunks, edge_rows, graph_from_records, node_rows, property_value, rendered_size,
)


@pytest.fixture
def tiny() -> PartnerGraph:
    g = PartnerGraph(with_laender=False)
    g.add_land("DE-HE")
    g.add_country("RWA")
    g.add_node("institution", "uni-a", label="Universität A", sector="science", land="DE-HE",
               source="https://example.org/a", _private="not written")
    g.add_node("project", "P1", label="Projekt Eins", start="2019", start_year=2019, source="https://example.org/p1")
    g.add_node("contact", "c1", label="Ann", languages=["de", "en"], consent=True, illustrative=True)
    g.add_edge("institution:uni-a", "project:P1", "participates_in", discriminator="lead", role="lead", source="s")
    g.add_edge("institution:uni-a", "project:P1", "participates_in", discriminator="partner", role="partner", source="s")
    g.add_edge("land:DE-HE", "country:RWA", "partners_with", since=2007, source="s")
    return g


def test_node_rows_carry_id_kind_tags_and_all_public_properties(tiny):
    rows = node_rows(tiny, push="p1")
    (inst,) = rows[NodeKind.INSTITUTION]
    assert inst["id"] == "institution:uni-a"
    props = inst["props"]
    assert props["id"] == "institution:uni-a" and props["kind"] == "institution"
    assert props["_pn_push"] == "p1"
    assert props["sector"] == "science" and props["source"] == "https://example.org/a"
    assert "_private" not in props
    (contact,) = rows[NodeKind.CONTACT]
    assert contact["props"]["languages"] == ["de", "en"] and contact["props"]["consent"] is True
    assert rows[NodeKind.THEME] == []


def test_edge_rows_keep_the_multigraph_key_so_parallel_edges_survive(tiny):
    rows = edge_rows(tiny, push="p1")[EdgeKind.PARTICIPATES_IN]
    assert sorted(r["key"] for r in rows) == ["participates_in:lead", "participates_in:partner"]
    assert {r["props"]["role"] for r in rows} == {"lead", "partner"}
    assert all(r["props"]["_pn_push"] == "p1" and r["props"]["_pn_key"] == r["key"] for r in rows)
    (pw,) = edge_rows(tiny, push="p1")[EdgeKind.PARTNERS_WITH]
    assert (pw["source"], pw["target"], pw["props"]["since"]) == ("land:DE-HE", "country:RWA", 2007)


def test_property_values_are_what_neo4j_stores():
    assert property_value(dt.date(2019, 6, 1)) == "2019-06-01"
    assert property_value(("a", "b")) == ["a", "b"]
    assert property_value({"b", "a"}) == ["a", "b"]
    assert property_value([1, "x"]) == ["1", "x"]  # mixed lists become strings
    assert property_value(2.5) == 2.5 and property_value(True) is True
    assert property_value({"nested": 1}) == "{'nested': 1}"


def test_chunks_of_ids_respect_count_and_bytes():
    ids = [f"institution:{i:04d}" for i in range(100)]
    by_count = list(chunks(ids, max_count=30))
    assert [len(c) for c in by_count] == [30, 30, 30, 10] and sum(by_count, []) == ids
    by_bytes = list(chunks(ids, max_count=1000, max_bytes=500, overhead=100))
    assert sum(by_bytes, []) == ids
    assert all(100 + sum(rendered_size(i) + 2 for i in c) <= 500 for c in by_bytes)


def test_batches_by_row_count_and_by_rendered_bytes():
    rows = [{"id": f"n{i}", "props": {"text": "x" * 100}} for i in range(50)]
    assert [len(b) for b in batches(rows, batch_size=20)] == [20, 20, 10]
    byte_batches = list(batches(rows, batch_size=1000, max_bytes=1000, overhead=200))
    assert sum(len(b) for b in byte_batches) == 50
    assert all(200 + sum(rendered_size(r) + 2 for r in b) <= 1000 for b in byte_batches)
    assert len(byte_batches) > 1


def test_a_row_over_the_statement_limit_is_named_in_the_error():
    with pytest.raises(StoreError, match="project:huge.*exceeds"):
        list(batches([{"id": "project:huge", "props": {"description": "x" * 5000}}], batch_size=10, max_bytes=3800))
    with pytest.raises(StoreError):
        list(batches([], batch_size=0))


def test_rendered_size_counts_escapes_and_multibyte_characters():
    assert rendered_size("ab") == 4
    assert rendered_size("it's") == 7          # quote escaped
    assert rendered_size("ü") == 4             # two UTF-8 bytes + quotes
    assert rendered_size(["a", "b"]) == 2 + 2 * (3 + 2)


def test_graph_from_records_rebuilds_the_graph(tiny):
    nodes = [r for rows in node_rows(tiny, push="p").values() for r in rows]
    edges = [r for rows in edge_rows(tiny, push="p").values() for r in rows]
    pulled = graph_from_records(nodes, edges)
    assert pulled.problems == []
    expected = {n: {k: v for k, v in a.items() if not k.startswith("_")} for n, a in tiny.nx.nodes(data=True)}
    assert dict(pulled.graph.nx.nodes(data=True)) == expected
    assert sorted(pulled.graph.nx.edges(keys=True, data=True)) == sorted(tiny.nx.edges(keys=True, data=True))


def test_graph_from_records_skips_and_names_broken_records():
    pulled = graph_from_records(
        [{"id": "nonsense:1", "props": {"label": "x", "source": "s"}},
         {"id": "theme:t", "props": {"label": "T"}},  # no provenance
         {"id": "theme:w", "props": {"label": "W", "source": "s", "kind": "theme"}}],
        [{"source": "theme:w", "target": "theme:missing", "props": {"kind": "about", "_pn_key": "about", "source": "s"}}],
    )
    assert list(pulled.graph.nodes()) == ["theme:w"]
    assert len(pulled.problems) == 3
    assert any("nonsense:1" in p for p in pulled.problems) and any("theme:missing" in p for p in pulled.problems)


# ------------------------------------------------------------------ cypher
def test_labels_and_types_come_from_our_enums():
    assert set(cypher.NODE_LABELS) == set(NodeKind) and set(cypher.RELATIONSHIP_TYPES) == set(EdgeKind)
    for name in [*cypher.NODE_LABELS.values(), *cypher.RELATIONSHIP_TYPES.values(), cypher.TAG_LABEL]:
        assert re.fullmatch(r"[A-Za-z_]+", name)
    assert cypher.KIND_OF_LABEL["Institution"] is NodeKind.INSTITUTION
    assert cypher.KIND_OF_TYPE["WORKS_AT"] is EdgeKind.WORKS_AT


def _all_statements() -> list[str]:
    out = [*MERGE_NODES.values(), *MERGE_EDGES.values()]
    for name in cypher.__all__:
        value = getattr(cypher, name)
        if isinstance(value, str):
            out.append(value)
    return out


def test_no_statement_holds_a_literal_value():
    """Values are parameters: no quoted string literal appears in any statement."""
    for statement in _all_statements():
        assert "'" not in statement and '"' not in statement, statement


def test_merge_statements_merge_on_the_namespaced_id():
    assert MERGE_NODES[NodeKind.PROJECT] == (
        "UNWIND $rows AS row MERGE (n:Partnernetz {id: row.id}) SET n = row.props, n:Project "
        "RETURN count(*) AS written")
    assert "MERGE (a)-[r:PARTICIPATES_IN {_pn_key: row.key}]->(b)" in MERGE_EDGES[EdgeKind.PARTICIPATES_IN]
    assert "$push" in cypher.DELETE_STALE_NODES and ":Partnernetz" in cypher.DELETE_STALE_NODES
    assert "_pn_push IS NOT NULL" in cypher.DELETE_STALE_EDGES


def test_dialects():
    assert get_dialect(None).name == "neo4j" and get_dialect("FALKORDB").name == "falkordb"
    with pytest.raises(StoreError, match="unknown Cypher dialect"):
        get_dialect("oracle")
    value = {"rows": [{"name": "O'Brien \\ `x` }"}]}
    assert DIALECTS["neo4j"].prepare(value) == value
    assert DIALECTS["falkordb"].prepare(value) == {"rows": [{"name": "O\\'Brien \\\\ `x` }"}]}
    assert DIALECTS["falkordb"].max_statement_bytes < 4096


def test_graph_package_still_does_not_import_neo4j_without_the_store():
    import subprocess
    import sys

    code = ("import sys, graph, graph.core.model, graph.core.tables, graph.core.reference, graph.store, graph.store.neo4j, graph.store.neo4j.cypher, graph.store.neo4j.rows, graph.store.neo4j.local, graph.store.neo4j.walk;"
            "sys.exit(1 if 'neo4j' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def test_public_api_of_the_store_modules():
    import graph.store.neo4j
    import graph.store.neo4j.rows
    import graph.store.neo4j.store
    import graph.store
    import graph.view

    assert set(graph.store.__all__) == {"GraphStore", "MemoryStore", "FallbackStore", "FilterOptions", "filter_options",
                                        "EdgeRecord"}
    assert set(graph.view.__all__) == {"ExplorerView", "explorer_view", "view_graph", "local_graph"}
    assert set(graph.store.neo4j.__all__) == set(graph.store.neo4j.store.__all__)
    assert set(graph.store.neo4j.__all__) == {"Neo4jStore", "PushResult", "PullResult", "connect", "redact_uri",
                                              "Progress", "CONTACT_RULES", "SNAPSHOT_MODES"}
    for module in (graph.store, graph.store.neo4j, graph.store.neo4j.store, graph.store.neo4j.rows, cypher):
        assert all(hasattr(module, name) for name in module.__all__)
    # The contract methods every store has.
    for name in ("node", "node_attrs", "counts_by_kind", "search", "neighbours_by_relation", "ego_network",
                 "shortest_paths", "filter_subgraph", "neighbours", "induced_subgraph", "matching_projects",
                 "overview", "edges_between", "filter_options", "snapshot"):
        assert callable(getattr(graph.store.MemoryStore, name)) and callable(getattr(graph.store.neo4j.Neo4jStore, name))


def test_new_query_statements_take_every_value_as_a_parameter():
    """The statements of query mode (version, edges between pairs, filter
    options, contacts) splice in nothing but our own label."""
    assert cypher.VERSION_NODES == ("MATCH (n:Partnernetz) RETURN count(n) AS nodes, "
                                    "min(n._pn_push) AS first, max(n._pn_push) AS last")
    assert cypher.VERSION_EDGES == "MATCH ()-[r]->() RETURN count(r) AS edges"
    assert "UNWIND $pairs AS p" in cypher.EDGES_BETWEEN and "{id: p[0]}" in cypher.EDGES_BETWEEN
    assert "{id: p[1]}" in cypher.EDGES_BETWEEN and "r._pn_key IS NOT NULL" in cypher.EDGES_BETWEEN
    assert "n.kind = $kind" in cypher.NODES_OF_KIND
    assert "a.kind = $kind AND r.kind = $edge_kind" in cypher.EDGES_OF_KIND_FROM
    assert "n.kind IN $kinds" in cypher.OPTION_NODES
    assert "n[$field] IS NOT NULL RETURN DISTINCT n[$field]" in cypher.DISTINCT_VALUES
    assert "n.kind = $kind" in cypher.PROJECT_YEARS
    assert cypher.DEGREES_AT.startswith("UNWIND range(0, size($ids) - 1) AS i MATCH (n:Partnernetz {id: $ids[i]})")
    assert cypher.DEGREES_AT.endswith("RETURN i, count(r) AS degree")
    for name in ("VERSION_NODES", "VERSION_EDGES", "EDGES_BETWEEN", "NODES_OF_KIND", "EDGES_OF_KIND_FROM",
                 "OPTION_NODES", "DISTINCT_VALUES", "PROJECT_YEARS", "DEGREES_AT"):
        text = getattr(cypher, name)
        assert "'" not in text and '"' not in text, name  # no literal values
        assert name in cypher.__all__
