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
    assert not report.problems, report.to_text()  # no warnings either
    # 24 projects: the 19 researched ones (BLP-06 now only the 2016 pilot) plus BLP-20…24 from
    # additions.csv (SH–Westbalkan, TH–Malawi, MV–Vietnam, Nds mini-grid monitoring, the ILO C176
    # follow-up split out of BLP-06); 97 institutions: 80 + 17 confirmed ones from additions.csv;
    # 28 partnerships: 24 + Hessen–Vietnam, MV–An Giang, Bremen–Durban, Thüringen–Santa Catarina.
    assert report.tables["projects"].accepted == 24
    assert report.tables["institutions"].accepted == 97
    assert report.tables["participations"].accepted == 102  # 83 + 6 for BLP-09 + 13 for BLP-20…22
    assert report.tables["cofinancing"].accepted == 24  # 19 + one per new project
    assert report.tables["partnerships"].accepted == 28
    counts = sample.graph.counts_by_kind()
    assert counts["project"] == 24 and counts["institution"] == 97 and counts["land"] == 16


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
    """``data/sample.xlsx`` holds exactly the CSV tables: every node and edge with every attribute
    (regenerate it with the command in data/README.md after changing the CSV files)."""
    xlsx = SAMPLE_PATH.parent / "sample.xlsx"
    again = load(xlsx)
    assert again.report.ok and not again.report.problems, again.report.to_text()
    a, b = sample.graph.nx, again.graph.nx
    assert dict(a.nodes(data=True)) == dict(b.nodes(data=True))
    assert {(u, v, k): d for u, v, k, d in a.edges(keys=True, data=True)} == \
        {(u, v, k): d for u, v, k, d in b.edges(keys=True, data=True)}


def _cofinanced_by(g, land_code):
    return [v for v, _ in g.out_edges(f"land:{land_code}", "cofinances")]


def test_mv_th_sh_each_have_a_sourced_project(sample_graph):
    g = sample_graph
    for land in ("DE-MV", "DE-TH", "DE-SH"):
        projects = _cofinanced_by(g, land)
        assert projects, land
        assert all(g.node(p).get("source", "").startswith("https://") for p in projects), land


def test_blp06_is_split_into_pilot_and_ilo_follow_up(sample_graph):
    g = sample_graph
    pilot, follow_up = g.node("project:BLP-06"), g.node("project:BLP-24")
    assert pilot["phase"] == "pilot" and pilot["start"] == "2016-07"
    assert "group/6" not in pilot["source"] and "ILO" not in pilot["label"]
    assert "ILO C176" in follow_up["label"] and "group/6/about" in follow_up["source"]
    assert "land:DE-SN" in [u for u, _ in g.in_edges("project:BLP-24", "cofinances")]


def test_inferred_links_are_marked(sample_graph):
    g = sample_graph
    edges = {(u, v): d for u, v, d in g.edges("participates_in")}
    assert edges[("institution:meteo-rwanda", "project:BLP-11")]["inferred"] is True
    assert "inferred" not in edges[("institution:ines-ruhengeri", "project:BLP-11")]
    hamburg = {v: d for v, d in g.out_edges("land:DE-HH", "cofinances")}
    assert hamburg["project:BLP-13"]["inferred"] is True and "inferred" not in hamburg["project:BLP-14"]


def test_programmes_carry_only_unverified_iati_candidates(sample_graph):
    g = sample_graph
    provet = g.node("programme:provet-nam")
    assert provet["iati_identifier_unverified"] == "DE-1-201122019" and "iati_identifier" not in provet
    assert [v for v, _ in g.out_edges("project:BLP-20", "linked_to")] == ["programme:social-rights-mkd"]


def test_invented_contacts_avoid_public_figures_names():
    names = {r["id"]: r["name"] for r in _rows("contacts")}
    assert names["c042"] == "Claudine Beispiel"
    assert not any("Mukeshimana" in n for n in names.values())
