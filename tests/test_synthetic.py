"""The synthetic generator: exact sizes, valid canonical data, realistic shape,
heavy-tailed degrees, reproducibility, and the ``generate`` CLI."""

from __future__ import annotations

import statistics
from collections import Counter
from pathlib import Path

import pytest

import app
from graph.core.kinds import NodeKind, Sector
from graph.core.reference import LAENDER
from loaders import load
from loaders.synthetic import MIN_NODES, generate, generate_tables, predicted_counts, write_tables

N = 3000


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> tuple[Path, dict[str, list[list[str]]]]:
    tables = generate_tables(nodes=N, seed=11)
    folder = tmp_path_factory.mktemp("synthetic")
    write_tables(tables, folder)
    return folder, tables


@pytest.fixture(scope="module")
def loaded(dataset):
    return load(dataset[0])


def _rows(tables, name):
    header, *rows = tables[name]
    return [dict(zip(header, r)) for r in rows]


def test_loads_without_any_problem(loaded):
    assert loaded.report.ok
    assert loaded.report.problems == []  # not even warnings
    for name, count in loaded.report.tables.items():
        assert count.read == count.accepted > 0, name


def test_check_cli_reports_no_errors(dataset, capsys):
    assert app.main(["check", str(dataset[0])]) == app.EXIT_OK
    assert "0 error(s), 0 warning(s)" in capsys.readouterr().out


def test_node_count_is_exact_and_edges_about_ten_per_node(dataset, loaded):
    g = loaded.graph
    assert len(g) == N
    predicted = predicted_counts(dataset[1])
    assert predicted["nodes"] == N
    assert g.nx.number_of_edges() == predicted["edges"]
    assert 9.5 * N <= g.nx.number_of_edges() <= 10.5 * N


@pytest.mark.parametrize("nodes,epn", [(777, 8.0), (1500, 12.0), (2000, 6.0)])
def test_sizes_hold_across_parameters(nodes, epn):
    counts = predicted_counts(generate_tables(nodes=nodes, seed=2, edges_per_node=epn))
    assert counts["nodes"] == nodes
    assert abs(counts["edges"] - epn * nodes) <= 0.05 * epn * nodes


def test_tiny_sizes_keep_the_node_count():
    # below ~1,000 nodes there are too few events and contacts to reach 10 edges per node
    counts = predicted_counts(generate_tables(nodes=MIN_NODES, seed=2))
    assert counts["nodes"] == MIN_NODES and counts["edges"] > 3 * MIN_NODES


def test_every_kind_is_present_with_all_laender(loaded):
    counts = loaded.graph.counts_by_kind()
    assert counts[NodeKind.LAND.value] == 16
    assert all(counts[k.value] > 0 for k in NodeKind)
    assert counts[NodeKind.COUNTRY.value] >= 20  # real partner countries plus Germany


def test_projects_have_two_to_eight_participants(dataset):
    sizes = Counter(r["project"] for r in _rows(dataset[1], "participations"))
    assert len(sizes) == len(dataset[1]["projects"]) - 1  # every project has participants
    assert min(sizes.values()) == 2 and max(sizes.values()) == 8


def test_sector_mix_and_land_skew_resemble_the_sample(dataset):
    institutions = _rows(dataset[1], "institutions")
    sectors = Counter(r["sector"] for r in institutions)
    assert sectors.most_common(2)[0][0] == Sector.PUBLIC_ADMINISTRATION.value
    assert sectors.most_common(2)[1][0] == Sector.SCIENCE.value
    assert sectors[Sector.PUBLIC_ADMINISTRATION.value] > 0.4 * len(institutions)
    laender = Counter(r["land"] for r in institutions if r["land"])
    assert set(laender) == {land.code for land in LAENDER}  # every Land occurs
    top3 = {code for code, _ in laender.most_common(3)}
    assert len(top3 & {"DE-SN", "DE-BW", "DE-NI"}) >= 2  # the sample's leading Länder lead
    abroad = sum(1 for r in institutions if r["country"] not in ("", "DEU"))
    assert 0.25 < abroad / len(institutions) < 0.45


def _skew(counts: Counter) -> tuple[float, float]:
    values = sorted(counts.values(), reverse=True)
    top = values[: max(1, len(values) // 100)]
    return values[0] / statistics.median(values), sum(top) / sum(values)


def test_degrees_are_heavy_tailed(dataset):
    # Uniform random choice would give max/median around 3 and the top 1 % about 2–3 % of links.
    institutions = Counter(r["institution"] for r in _rows(dataset[1], "participations"))
    ratio, top_share = _skew(institutions)
    assert ratio >= 10 and top_share >= 0.06
    contacts = Counter(r["contact"] for r in _rows(dataset[1], "attendance"))
    ratio, top_share = _skew(contacts)
    assert ratio >= 10 and top_share >= 0.04


def test_hubs_in_the_loaded_graph(loaded):
    g = loaded.graph
    degrees = sorted((g.nx.degree(n) for n in g.nodes(NodeKind.INSTITUTION)), reverse=True)
    assert degrees[0] >= 10 * statistics.median(degrees)


def test_same_seed_gives_identical_files(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(a, nodes=600, seed=5)
    generate(b, nodes=600, seed=5)
    generate(c, nodes=600, seed=6)
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir()) and len(names) == 10
    assert all((a / n).read_bytes() == (b / n).read_bytes() for n in names)
    assert any((a / n).read_bytes() != (c / n).read_bytes() for n in names)


def test_rejects_too_small_sizes():
    with pytest.raises(ValueError, match="at least"):
        generate_tables(nodes=MIN_NODES - 1)
    with pytest.raises(ValueError):
        generate_tables(nodes=500, edges_per_node=0)


def test_generate_cli_writes_a_checkable_dataset(tmp_path, capsys):
    out = tmp_path / "gen"
    assert app.main(["generate", "--nodes", "400", "--seed", "3", "--out", str(out)]) == app.EXIT_OK
    assert "400 nodes" in capsys.readouterr().out
    result = load(out)
    assert result.report.ok and len(result.graph) == 400
    assert app.main(["generate", "--nodes", "10", "--out", str(tmp_path / "tiny")]) == app.EXIT_NOT_A_DATASET
    assert "at least" in capsys.readouterr().err
