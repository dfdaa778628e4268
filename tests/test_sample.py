"""The bundled sample: the real programme facts, complete and clean."""

import csv
from pathlib import Path

from graph.core.kinds import NodeKind
from loaders import SAMPLE_PATH, load
from loaders.export import write_xlsx_tables


def _rows(name):
    with (SAMPLE_PATH / f"{name}.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_sample_is_clean_and_complete(sample):
    report = sample.report
    assert report.ok and not report.errors, report.to_text()
    assert report.tables["projects"].accepted == 19
    assert report.tables["institutions"].accepted == 80
    assert report.tables["partnerships"].accepted == 24
    counts = sample.graph.counts_by_kind()
    assert counts["project"] == 19 and counts["institution"] == 80 and counts["land"] == 16


def test_every_real_row_has_a_source_url(sample):
    for table in ("projects", "institutions", "partnerships", "participations"):
        for row in _rows(table):
            assert row["source"].strip(), (table, row)


def test_contacts_and_events_are_clearly_fictional():
    for row in _rows("contacts"):
        assert row["email"] == "" or row["email"].endswith("@example.org")
        assert row["illustrative"] == "true"
    assert all(r["illustrative"] == "true" for r in _rows("events"))


def test_real_facts_survive(sample_graph):
    g = sample_graph
    project = g.node("project:BLP-01")
    assert "äthiopischer" in project["label"]
    assert "country:ETH" in g.neighbours("project:BLP-01")
    cofin = [u for u, _ in g.in_edges("project:BLP-10", "cofinances")]
    assert cofin == ["land:DE-SN"]
    rlp = [v for v, d in g.out_edges("land:DE-RP", "partners_with")]
    assert "country:RWA" in rlp


def test_xlsx_form_loads_to_the_same_graph(sample, tmp_path):
    path = write_xlsx_tables(sample.graph, tmp_path / "sample.xlsx")
    again = load(path)
    assert again.report.ok, again.report.to_text()
    a, b = sample.graph, again.graph
    assert a.counts_by_kind() == b.counts_by_kind()
    assert a.edge_counts_by_kind() == b.edge_counts_by_kind()
    assert set(a.nx.nodes) == set(b.nx.nodes)
    for nid in a.nodes(NodeKind.PROJECT):
        assert {k: v for k, v in a.node(nid).items() if k != "source"} == {k: v for k, v in b.node(nid).items() if k != "source"}
    assert sorted((u, v, k) for u, v, k in a.nx.edges(keys=True)) == sorted((u, v, k) for u, v, k in b.nx.edges(keys=True))


def test_committed_xlsx_sample_matches_csv(sample):
    xlsx = SAMPLE_PATH.parent / "sample.xlsx"
    again = load(xlsx)
    assert again.report.ok
    assert again.graph.counts_by_kind() == sample.graph.counts_by_kind()
    assert again.graph.edge_counts_by_kind() == sample.graph.edge_counts_by_kind()
    assert set(again.graph.nx.edges(keys=True)) == set(sample.graph.nx.edges(keys=True))
