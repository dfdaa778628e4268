"""Open opportunities on tiny graphs and on the sample."""

from __future__ import annotations

from graph.analysis.opportunities import idle_partnerships, missing_sectors, opportunities, theme_gaps
from tests.test_matchmaking import SRC, _graph, _inst, _project


def test_running_project_lacking_sectors_is_listed_with_the_missing_ones():
    g = _graph()
    uni = _inst(g, "uni", sector="science")
    firm = _inst(g, "firm", sector="business")
    ngo = _inst(g, "ngo", sector="civil_society")
    lacking = _project(g, "L", members=(uni,), start=2022, status="active", label="Nur Wissenschaft")
    _project(g, "F", members=(uni, firm, ngo), start=2022, status="active")
    _project(g, "D", members=(uni,), start=2010, end=2012, status="completed")
    ops = missing_sectors(g)
    assert [o.nodes for o in ops] == [(lacking,)]
    assert ops[0].text("de") == "Nur Wissenschaft: es fehlt Zivilgesellschaft, Wirtschaft"
    assert ops[0].text("en") == "Nur Wissenschaft: no civil society, business partner"


def test_partnership_without_running_project_is_idle():
    g = _graph()
    g.add_edge("land:DE-HE", "country:ETH", "partners_with", since=2019, **SRC)
    g.add_edge("land:DE-BY", "country:KEN", "partners_with", **SRC)
    hessian = _inst(g, "hessian", land="DE-HE")
    _project(g, "A", countries=("ETH",), members=(hessian,), start=2023, status="active")
    ops = idle_partnerships(g)
    assert [o.nodes for o in ops] == [("land:DE-BY", "country:KEN")]
    assert ops[0].text("de") == "Bayern kooperiert mit Kenia, aber kein laufendes Projekt des Landes dort"


def test_completed_project_does_not_keep_a_partnership_busy():
    g = _graph()
    g.add_edge("land:DE-HE", "country:ETH", "partners_with", since=2019, **SRC)
    p = _project(g, "A", countries=("ETH",), start=2019, end=2020, status="completed")
    g.add_edge("land:DE-HE", p, "cofinances", **SRC)
    _project(g, "Z", start=2024)
    assert [o.nodes for o in idle_partnerships(g)] == [("land:DE-HE", "country:ETH")]


def test_theme_gap_names_land_country_theme_and_the_expertise():
    g = _graph()
    g.add_edge("land:DE-HE", "country:ETH", "partners_with", since=2019, **SRC)
    water = _inst(g, "water-inst", land="DE-HE", themes=("water", "vet"))
    _project(g, "A", countries=("ETH",), themes=("vet",), members=(water,), start=2023, status="active")
    ops = theme_gaps(g)
    assert [o.nodes for o in ops] == [("land:DE-HE", "country:ETH", "theme:water", water)]
    assert ops[0].text("de") == "Hessen hat Expertise zu „Wasser“ (1 Beleg), aber kein Projekt dazu in Äthiopien"


def test_sample_opportunities_name_real_nodes(sample_graph):
    ops = opportunities(sample_graph)
    kinds = {o.kind for o in ops}
    assert kinds == {"missing_sector", "idle_partnership", "theme_gap"}
    for o in ops:
        assert all(n in sample_graph for n in o.nodes)
    # Rheinland-Pfalz works with Rwanda and has a running project there (BLP-11): not idle
    assert ("land:DE-RP", "country:RWA") not in {o.nodes for o in ops if o.kind == "idle_partnership"}
