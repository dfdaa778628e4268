"""Matchmaking on tiny hand-built graphs where the right answer is obvious,
one test per factor, the diversity rule, filters, weights and explanations."""

from __future__ import annotations

import math

import pytest

from graph.core.errors import NodeNotFound, PartnernetzError
from graph.analysis.matchmaking import (
    FACTORS, country_target, factor_scores, institution_target, match_index, project_target, rank, rank_laender,
    why_not,
)
from graph.core.model import PartnerGraph

SRC = {"source": "https://example.org/test"}


def _graph() -> PartnerGraph:
    g = PartnerGraph()
    for key, de, en in [("vet", "Berufliche Bildung", "Vocational training"), ("water", "Wasser", "Water"),
                        ("health", "Gesundheit", "Health")]:
        g.add_node("theme", key, label=de, label_en=en, **SRC)
    for c in ("ETH", "KEN", "PER"):
        g.add_country(c)
    return g


def _inst(g, key, *, sector="public_administration", land=None, country=None, themes=(), label=None):
    nid = g.add_node("institution", key, label=label or key.upper(), sector=sector,
                     land=land, country=country or ("DEU" if land else None), **SRC)
    if land:
        g.add_edge(nid, f"land:{land}", "located_in", **SRC)
    if country:
        g.add_edge(nid, f"country:{country}", "located_in", **SRC)
    for t in themes:
        g.add_edge(nid, f"theme:{t}", "works_on", **SRC)
    return nid


def _project(g, key, *, countries=(), themes=(), members=(), start=None, end=None, status="completed", label=None):
    attrs = {"start_year": start, "end_year": end, "status": status}
    pid = g.add_node("project", key, label=label or f"Projekt {key}", **attrs, **SRC)
    for c in countries:
        g.add_edge(pid, f"country:{c}", "implemented_in", **SRC)
    for t in themes:
        g.add_edge(pid, f"theme:{t}", "addresses", **SRC)
    for m in members:
        g.add_edge(m, pid, "participates_in", role="partner", **SRC)
    return pid


def _only(factor: str) -> dict[str, float]:
    return {f: (1.0 if f == factor else 0.0) for f in FACTORS}


def _order(ranking) -> list[str]:
    return [c.node for c in ranking.candidates]


# --------------------------------------------------------------------------- factors
def test_theme_fit_prefers_the_institution_working_on_the_projects_themes():
    g = _graph()
    lead = _inst(g, "lead", land="DE-HE")
    both = _inst(g, "both", themes=("vet", "water"), land="DE-BY")
    one = _inst(g, "one", themes=("vet",), land="DE-BE")
    for k in range(4):
        _inst(g, f"none{k}", themes=("health",), land="DE-BB")
    p = _project(g, "P", countries=("ETH",), themes=("vet", "water"), members=(lead,), start=2020)
    r = rank(g, project_target(g, p), weights=_only("theme"))
    assert _order(r) == [both, one]
    # IDF-weighted (Robertson–Spärck Jones): of 7 institutions vet is shared by 3 (lead via P), water by 2,
    # so vet alone is < 1/2
    idf = lambda df: math.log((7 - df + 0.5) / (df + 0.5))  # noqa: E731
    assert r.candidates[0].factors["theme"] == 1.0
    assert r.candidates[1].factors["theme"] == pytest.approx(idf(3) / (idf(3) + idf(2)))
    assert r.candidates[1].factors["theme"] < 0.4
    ev = r.candidates[1].evidence
    assert ev[0].text("de") == "arbeitet wie das Projekt zum Thema „Berufliche Bildung“"
    assert ev[0].text("en") == "works like the project on “Vocational training”"
    assert ev[0].nodes == ("theme:vet",)


def test_theme_fit_counts_themes_of_past_projects_and_names_them():
    g = _graph()
    old = _inst(g, "old", land="DE-SN")
    earlier = _project(g, "E", themes=("water",), members=(old,), start=2015, label="Brunnenbau")
    p = _project(g, "P", themes=("water",), members=(_inst(g, "lead"),))
    cand = rank(g, project_target(g, p), weights=_only("theme")).candidates
    assert _order_nodes(cand) == [old]
    assert cand[0].evidence[0].nodes == ("theme:water", earlier)
    assert "Brunnenbau" in cand[0].evidence[0].text("de")


def _order_nodes(cands):
    return [c.node for c in cands]


def test_country_experience_direct_beats_neighbouring_region_beats_none():
    g = _graph()
    here = _inst(g, "here", land="DE-HE")
    near = _inst(g, "near", land="DE-BY")
    far = _inst(g, "far", land="DE-BE")
    local = _inst(g, "local", country="ETH")
    _project(g, "A", countries=("ETH",), members=(here,), start=2018)
    kenya = _project(g, "B", countries=("KEN",), members=(near,), start=2018)
    _project(g, "C", countries=("PER",), members=(far,), start=2018)
    p = _project(g, "P", countries=("ETH",), members=(_inst(g, "lead"),))
    r = rank(g, project_target(g, p), weights=_only("country"), diversity=False)
    scores = {c.node: c.factors["country"] for c in r.candidates}
    assert scores[here] == 1.0 and scores[local] == 1.0 and scores[near] == 0.5 and far not in scores
    assert _order(r)[-1] == near
    near_ev = next(c for c in r.candidates if c.node == near).evidence
    assert near_ev[0].nodes == ("country:KEN", kenya)
    assert "Ostafrika" in near_ev[0].text("de") and "Eastern Africa" in near_ev[0].text("en")
    local_ev = next(c for c in r.candidates if c.node == local).evidence
    assert local_ev[0].text("de") == "hat seinen Sitz in Äthiopien"


def test_land_relationship_partnership_and_cofinancing_with_evidence():
    g = _graph()
    g.add_edge("land:DE-HE", "country:ETH", "partners_with", since=2019, **SRC)
    hessian = _inst(g, "hessian", land="DE-HE")
    bavarian = _inst(g, "bavarian", land="DE-BY")
    saxon = _inst(g, "saxon", land="DE-SN")
    related = _project(g, "R", themes=("vet",), members=(_inst(g, "x"),))
    g.add_edge("land:DE-SN", related, "cofinances", **SRC)
    p = _project(g, "P", countries=("ETH",), themes=("vet",), members=(_inst(g, "lead"),))
    g.add_edge("land:DE-BY", p, "cofinances", **SRC)
    r = rank(g, project_target(g, p), weights=_only("land"), diversity=False)
    f = {c.node: c.factors["land"] for c in r.candidates}
    assert f == {hessian: 0.6, bavarian: 0.4, saxon: pytest.approx(0.2)}
    ev = next(c for c in r.candidates if c.node == hessian).evidence[0]
    assert ev.text("de") == "Land Hessen kooperiert seit 2019 mit Äthiopien"
    assert ev.text("en") == "Land Hesse has partnered with Ethiopia since 2019"
    assert ev.nodes == ("land:DE-HE", "country:ETH")
    saxon_ev = next(c for c in r.candidates if c.node == saxon).evidence[0]
    assert saxon_ev.nodes == ("land:DE-SN", related)


def test_network_proximity_is_adamic_adar_over_shared_projects():
    g = _graph()
    x = _inst(g, "x", label="Institut X")
    close = _inst(g, "close")
    loose = _inst(g, "loose")
    filler = [_inst(g, f"f{i}") for i in range(3)]
    q1 = _project(g, "Q1", members=(x, close))
    q2 = _project(g, "Q2", members=(x, close))
    _project(g, "Q3", members=(x, loose, *filler))
    p = _project(g, "P", members=(x,))
    r = rank(g, project_target(g, p), weights=_only("network"), diversity=False)
    f = {c.node: c.factors["network"] for c in r.candidates}
    assert _order(r)[0] == close
    assert f[close] == pytest.approx(1 - math.exp(-2 / math.log(2)))
    assert f[loose] == pytest.approx(1 - math.exp(-1 / math.log(5)))
    ev = r.candidates[0].evidence[0]
    assert ev.text("de") == "2 gemeinsame frühere Projekte mit Institut X (Projekt Q1, Projekt Q2)"
    assert ev.text("en") == "2 earlier joint projects with Institut X (Projekt Q1, Projekt Q2)"
    assert ev.nodes == (x, q1, q2)


def test_sector_complement_rewards_the_missing_sectors_only():
    g = _graph()
    lead = _inst(g, "lead", sector="science")
    ngo = _inst(g, "ngo", sector="civil_society", themes=("vet",))
    firm = _inst(g, "firm", sector="business", themes=("vet",))
    uni = _inst(g, "uni", sector="science", themes=("vet",))
    _inst(g, "ministry", sector="public_administration", themes=("vet",))
    p = _project(g, "P", themes=("vet",), members=(lead,))
    # theme gives everyone the same substantive reason; the sector complement orders them
    r = rank(g, project_target(g, p), weights={**_only("sector"), "theme": 0.01}, diversity=False)
    assert set(_order(r)[:2]) == {ngo, firm}
    assert _order(r).index(uni) >= 2
    assert r.candidates[0].factors["sector"] == 1.0 and r.candidates[2].factors["sector"] == 0.0
    assert r.candidates[0].evidence[-1].text("de").endswith("dem Projekt fehlt dieser Sektor")


def test_sector_or_recency_alone_lists_nobody_and_says_how_many_were_left_out():
    g = _graph()
    lead = _inst(g, "lead", sector="science")
    _inst(g, "ngo", sector="civil_society")
    _inst(g, "firm", sector="business")
    p = _project(g, "P", members=(lead,), start=2024)
    r = rank(g, project_target(g, p), weights=_only("sector"), diversity=False)
    assert r.candidates == [] and r.total == 0 and r.without_reason == 2


def test_recency_prefers_recent_activity():
    g = _graph()
    recent, old, ancient = (_inst(g, k, themes=("vet",)) for k in ("recent", "old", "ancient"))
    _project(g, "A", members=(recent,), start=2022, end=2024)
    _project(g, "B", members=(old,), start=2016, end=2019)
    _project(g, "C", members=(ancient,), start=2000, end=2005)
    p = _project(g, "P", themes=("vet",), members=(_inst(g, "lead"),), start=2024)
    r = rank(g, project_target(g, p), weights={**_only("recency"), "theme": 0.01}, diversity=False)
    assert _order(r) == [recent, old, ancient]
    assert r.candidates[0].factors["recency"] == 1.0 and r.candidates[1].factors["recency"] == pytest.approx(0.5)
    assert r.candidates[2].factors["recency"] == 0.0  # more than ten years before 2024
    assert r.candidates[0].evidence[-1].text("de") == "zuletzt aktiv 2024 (Projekt A)"


# --------------------------------------------------------------------------- ranking rules
def _hessen_heavy() -> tuple[PartnerGraph, str, list[str], str]:
    g = _graph()
    hessen = [_inst(g, f"he{i}", land="DE-HE", themes=("vet", "water")) for i in range(5)]
    bavaria = _inst(g, "by", land="DE-BY", themes=("vet",))
    p = _project(g, "P", themes=("vet", "water"), members=(_inst(g, "lead", land="DE-BE"),))
    return g, p, hessen, bavaria


def test_diversity_rule_stops_one_land_filling_the_list():
    g, p, hessen, bavaria = _hessen_heavy()
    plain = rank(g, project_target(g, p), top=3, diversity=False)
    assert _order(plain) == hessen[:3]
    diverse = rank(g, project_target(g, p), top=3, max_per_land=2, max_per_sector=10)
    assert _order(diverse) == hessen[:2] + [bavaria]
    assert diverse.candidates[2].score < diverse.candidates[1].score


def test_diversity_rule_caps_sectors_and_fills_up_with_deferred():
    g = _graph()
    unis = [_inst(g, f"u{i}", sector="science", land=land, themes=("vet",))
            for i, land in enumerate(("DE-HE", "DE-BY", "DE-BE"))]
    firm = _inst(g, "firm", sector="business", land="DE-SN", themes=("vet",), label="Firma")
    g.add_edge(unis[0], "theme:water", "works_on", **SRC)
    p = _project(g, "P", themes=("vet", "water"), members=(_inst(g, "lead", sector="other"),))
    r = rank(g, project_target(g, p), top=4, max_per_sector=2, weights={"sector": 0, "recency": 0})
    assert _order(r)[:3] == [unis[0], unis[1], firm] or _order(r)[:3] == [unis[0], unis[2], firm]
    assert r.candidates[3].deferred and r.candidates[3].node in unis


def test_participants_are_excluded_and_filters_apply():
    g, p, hessen, bavaria = _hessen_heavy()
    target = project_target(g, p)
    assert "institution:lead" not in _order(rank(g, target, top=20))
    assert _order(rank(g, target, laender=["DE-BY"])) == [bavaria]
    assert _order(rank(g, target, laender=["land:DE-HE"], top=2, max_per_land=5)) == hessen[:2]
    assert _order(rank(g, target, sectors=["business"])) == []


def test_changing_weights_changes_the_order():
    g = _graph()
    themed = _inst(g, "themed", themes=("vet",), land="DE-HE")
    local = _inst(g, "local", country="ETH")
    p = _project(g, "P", countries=("ETH",), themes=("vet",), members=(_inst(g, "lead"),))
    t = project_target(g, p)
    assert _order(rank(g, t, weights={"theme": 5, "country": 1}))[0] == themed
    assert _order(rank(g, t, weights={"theme": 1, "country": 5}))[0] == local


def test_contributions_sum_to_the_score_and_factors_are_in_unit_interval(sample_graph):
    for pid in list(sample_graph.nodes("project"))[:6]:
        for c in rank(sample_graph, project_target(sample_graph, pid)).candidates:
            assert sum(c.contributions.values()) == pytest.approx(c.score)
            assert all(0.0 <= v <= 1.0 for v in c.factors.values())


def test_every_evidence_item_names_real_nodes_in_the_sample(sample_graph):
    for pid in sample_graph.nodes("project"):
        ranking = rank(sample_graph, project_target(sample_graph, pid))
        for c in ranking.candidates:
            assert c.node not in ranking.target.exclude
            assert c.evidence, c.node
            for ev in c.evidence:
                assert ev.nodes and all(n in sample_graph for n in ev.nodes)
                assert ev.text_de and ev.text_en and ev.text_de != ev.text_en or ev.factor == "recency"


def test_sample_ethiopia_project_explanations_name_hessen_and_the_partners(sample_graph):
    # BLP-08 (Uganda, health): Geninsa shares BLP-10 with the Saxon State Chancellery; second behind the
    # Leipzig drug-development institute, which works on both of the project's themes (Geninsa's profile
    # also has economic development and gender, so its theme focus is lower)
    r = rank(sample_graph, project_target(sample_graph, "BLP-08"), top=5)
    assert [c.node for c in r.candidates[:2]] == ["institution:uni-leipzig-iwe", "institution:geninsa"]
    top = r.candidates[1]
    texts = [ev.text("de") for ev in top.evidence]
    assert "Land Sachsen kooperiert seit 2024 mit Uganda" in texts
    net = next(ev for ev in top.evidence if ev.factor == "network")
    # BLP-09 has named partners since the fidelity check: Geninsa now shares BLP-10 and BLP-09
    assert net.nodes == ("institution:sachsen-sk", "project:BLP-10", "project:BLP-09")


# --------------------------------------------------------------------------- other targets
def test_country_target_with_themes_excludes_current_actors():
    g = _graph()
    actor = _inst(g, "actor", land="DE-HE")
    _project(g, "A", countries=("ETH",), themes=("vet",), members=(actor,), start=2020)
    other_theme = _inst(g, "water-eth", land="DE-BY")
    _project(g, "W", countries=("ETH",), themes=("water",), members=(other_theme,), start=2020)
    newcomer = _inst(g, "newcomer", themes=("vet",), land="DE-BE")
    t = country_target(g, "ETH", ["vet"])
    assert t.exclude == {actor} and t.themes == ("theme:vet",)
    order = _order(rank(g, t, diversity=False))
    assert actor not in order and set(order) >= {other_theme, newcomer}
    with pytest.raises(NodeNotFound):
        country_target(g, "XYZ")
    with pytest.raises(NodeNotFound):
        country_target(g, "ETH", ["nope"])


def test_institution_target_suggests_who_should_meet_whom_with_shared_nodes():
    g = _graph()
    a = _inst(g, "a", themes=("vet",), land="DE-HE")
    b = _inst(g, "b", themes=("vet",), land="DE-BY")
    c = _inst(g, "c", themes=("health",), land="DE-BE")
    shared = _project(g, "S", countries=("KEN",), members=(a, b), start=2020)
    r = rank(g, institution_target(g, a), weights={"sector": 0, "recency": 0})
    assert _order(r)[0] == b and c not in _order(r)
    nodes = set(r.candidates[0].evidence_nodes)
    assert {"theme:vet", "country:KEN", shared, a} <= nodes


def test_laender_ranking_prefers_the_partner_land_and_skips_involved_ones():
    g = _graph()
    g.add_edge("land:DE-HE", "country:ETH", "partners_with", since=2019, **SRC)
    p = _project(g, "P", countries=("ETH",), themes=("vet",), members=(_inst(g, "lead", land="DE-BE"),))
    g.add_edge("land:DE-BY", p, "cofinances", **SRC)
    r = rank_laender(g, project_target(g, p))
    order = _order(r)
    assert order[0] == "land:DE-HE"
    assert "land:DE-BY" not in order and "land:DE-BE" not in order
    assert r.candidates[0].evidence[0].text("de") == "Land Hessen kooperiert seit 2019 mit Äthiopien"


def test_bad_targets_and_weights_raise_domain_errors():
    g = _graph()
    with pytest.raises(NodeNotFound):
        project_target(g, "nope")
    with pytest.raises(PartnernetzError):
        project_target(g, "theme:vet")
    p = _project(g, "P")
    with pytest.raises(PartnernetzError):
        rank(g, project_target(g, p), weights={"nonsense": 1})


def test_index_is_rebuilt_when_the_graph_changes():
    g = _graph()
    first = match_index(g)
    assert match_index(g) is first
    _inst(g, "new")
    second = match_index(g)
    assert second is not first and "institution:new" in second.institutions
    ids, F = factor_scores(g, country_target(g, "ETH"))
    assert F.shape == (len(ids), len(FACTORS))


def test_default_diversity_caps_apply_without_options():
    g, p, hessen, bavaria = _hessen_heavy()
    r = rank(g, project_target(g, p), top=5)
    assert _order(r)[:3] == hessen[:2] + [bavaria]
    assert [c.deferred for c in r.candidates] == [False, False, False, True, True]


# --------------------------------------------------------------------------- issue 20: ranks what matters
def test_a_rare_shared_theme_outranks_a_common_one():
    g = _graph()
    lead = _inst(g, "lead")
    common = [_inst(g, f"c{i}", themes=("vet",)) for i in range(5)]  # vet: everyone's theme
    rare = _inst(g, "rare", themes=("water",))
    p = _project(g, "P", themes=("vet", "water"), members=(lead,))
    r = rank(g, project_target(g, p), weights=_only("theme"), diversity=False)
    assert _order(r)[0] == rare
    assert r.candidates[0].factors["theme"] > 0.5 > r.candidates[1].factors["theme"]
    assert set(_order(r)[1:]) == set(common)


def test_bundeslaender_mode_honours_the_land_and_sector_filters():
    g = _graph()
    lead = _inst(g, "lead", land="DE-HE")
    _inst(g, "hb", land="DE-HB", themes=("water",), sector="science")
    _inst(g, "ni", land="DE-NI", themes=("water",), sector="business")
    _inst(g, "by", land="DE-BY", themes=("water",), sector="science")
    p = _project(g, "P", themes=("water",), members=(lead,))
    t = project_target(g, p)
    assert {c.node for c in rank_laender(g, t).candidates} >= {"land:DE-HB", "land:DE-NI", "land:DE-BY"}
    assert _order(rank_laender(g, t, laender=["DE-NI"])) == ["land:DE-NI"]
    assert set(_order(rank_laender(g, t, sectors=["science"]))) == {"land:DE-HB", "land:DE-BY"}
    assert rank_laender(g, t, laender=["DE-NI"], sectors=["science"]).candidates == []


def test_require_theme_and_require_country():
    g = _graph()
    lead = _inst(g, "lead")
    themed = _inst(g, "themed", themes=("water",))
    local = _inst(g, "local", country="ETH")
    regional = _inst(g, "regional", country="KEN")  # same region as Ethiopia
    p = _project(g, "P", countries=("ETH",), themes=("water",), members=(lead,))
    t = project_target(g, p)
    assert set(_order(rank(g, t, diversity=False))) == {themed, local, regional}
    assert _order(rank(g, t, require_theme=True)) == [themed]
    r = rank(g, t, require_country=True)
    assert _order(r) == [local] and r.total == 1


def test_why_not_explains_listed_excluded_and_below_candidates():
    g = _graph()
    lead = _inst(g, "lead", land="DE-HE")
    strong = [_inst(g, f"s{i}", themes=("water", "vet"), land="DE-HE") for i in range(3)]
    weak = _inst(g, "weak", themes=("vet",), land="DE-BY")
    idle = _inst(g, "idle", land="DE-BB")
    p = _project(g, "P", themes=("water", "vet"), members=(lead,))
    t = project_target(g, p)
    r = rank(g, t, top=3, diversity=False)
    assert set(_order(r)) == set(strong)
    assert why_not(g, t, strong[0], r).status == "listed"
    assert why_not(g, t, lead, r).status == "involved"
    assert why_not(g, t, idle, r).status == "no_reason"
    w = why_not(g, t, weak, r)
    assert w.status == "below" and w.rank == 4 and w.cutoff == r.candidates[-1].score
    assert 0 < w.factors["theme"] < 1
    assert all(1 >= v > w.factors[f] for f, v in w.needed.items())
    # a higher theme weight cannot help (the listed ones share all themes); none is offered
    assert "theme" not in w.weights
    # a Land relation the listed ones lack: the Land weight is the lever
    g.add_edge("land:DE-BY", "country:ETH", "partners_with", **SRC)
    g.add_edge(p, "country:ETH", "implemented_in", **SRC)
    t = project_target(g, p)
    r = rank(g, t, top=3, diversity=False, weights={"land": 0.5})
    w = why_not(g, t, weak, r)
    assert w.status == "below" and w.factors["land"] == 0.6 and w.weights["land"] > 0.5
    r_by = rank(g, t, top=3, laender=["DE-HE"])
    assert why_not(g, t, weak, r_by, laender=["DE-HE"]).status == "land_filter"
    with pytest.raises(PartnernetzError):
        why_not(g, t, "theme:water", r)


def test_why_not_for_a_land_in_bundeslaender_mode():
    g = _graph()
    lead = _inst(g, "lead", land="DE-HE")
    _inst(g, "hb", land="DE-HB", themes=("water",), sector="science")
    _inst(g, "ni", land="DE-NI", themes=("water",), sector="business")
    p = _project(g, "P", themes=("water",), members=(lead,))
    t = project_target(g, p)
    r = rank_laender(g, t, laender=["DE-NI"])
    assert why_not(g, t, "land:DE-NI", r, mode="land", laender=["DE-NI"]).status == "listed"
    assert why_not(g, t, "land:DE-HB", r, mode="land", laender=["DE-NI"]).status == "land_filter"
    assert why_not(g, t, "land:DE-HE", r, mode="land", laender=["DE-NI"]).status == "involved"
    assert why_not(g, t, "land:DE-BY", rank_laender(g, t), mode="land").status == "no_reason"
    with pytest.raises(PartnernetzError):
        why_not(g, t, "institution:hb", r, mode="land")


def test_a_specialist_outranks_a_generalist_on_the_same_theme():
    g = _graph()
    lead = _inst(g, "lead")
    specialist = _inst(g, "spec", themes=("water",))
    generalist = _inst(g, "gen", themes=("water", "vet", "health"))
    p = _project(g, "P", themes=("water",), members=(lead,))
    r = rank(g, project_target(g, p), weights=_only("theme"), diversity=False)
    assert _order(r) == [specialist, generalist]
    f = {c.node: c.factors["theme"] for c in r.candidates}
    assert f[specialist] == 1.0 and 0 < f[generalist] < 1


# --------------------------------------------------------------------------- issue 20: the theme gate
def test_a_land_relation_alone_does_not_outrank_a_full_theme_match():
    g = _graph()
    lead = _inst(g, "lead", land="DE-HE")
    themed = _inst(g, "themed", themes=("water",), land="DE-BB")     # theme 1.0, nothing else
    partner_land = _inst(g, "partner", themes=("health",), land="DE-NI")
    g.add_edge("land:DE-NI", "country:ETH", "partners_with", **SRC)  # Land partners ETH: 0.6
    for k in range(2):  # … and co-finances two earlier projects there: +0.4
        g.add_edge("land:DE-NI", _project(g, f"E{k}", countries=("ETH",)), "cofinances", **SRC)
    p = _project(g, "P", countries=("ETH",), themes=("water",), members=(lead,))
    r = rank(g, project_target(g, p), diversity=False)
    assert _order(r) == [themed, partner_land]
    by = {c.node: c for c in r.candidates}
    assert by[themed].factors["theme"] == 1.0 and by[partner_land].factors["theme"] == 0.0
    assert by[partner_land].factors["land"] == 1.0
    # the gate: without a target theme a candidate keeps 40 % of its weighted mean, and the
    # contributions still add up to the score
    assert sum(by[partner_land].contributions.values()) == pytest.approx(by[partner_land].score)
    # theme weight 0: no gate, the Land relation wins again
    r0 = rank(g, project_target(g, p), diversity=False, weights={"theme": 0})
    assert _order(r0) == [partner_land]


def test_related_projects_count_by_their_theme_fit():
    g = _graph()
    lead = _inst(g, "lead", land="DE-HE")
    by_inst = _inst(g, "by", land="DE-BY", themes=("health",))
    bb_inst = _inst(g, "bb", land="DE-BB", themes=("health",))
    for k in range(6):  # vet: a common theme
        _inst(g, f"v{k}", themes=("vet",))
    p = _project(g, "P", themes=("water", "vet"), members=(lead,))
    q_rare = _project(g, "Q1", themes=("water",))
    q_common = _project(g, "Q2", themes=("vet", "health"))
    g.add_edge("land:DE-BY", q_rare, "cofinances", **SRC)
    g.add_edge("land:DE-BB", q_common, "cofinances", **SRC)
    f = {c.node: c.factors["land"] for c in rank(g, project_target(g, p), weights=_only("land")).candidates}
    assert f[by_inst] > f[bb_inst] > 0


def test_why_not_needed_values_account_for_the_theme_gate():
    g = _graph()
    lead = _inst(g, "lead", land="DE-HE")
    strong = [_inst(g, f"s{i}", themes=("water",), land="DE-HE") for i in range(2)]
    landed = _inst(g, "landed", land="DE-NI", themes=("health",))
    g.add_edge("land:DE-NI", "country:ETH", "partners_with", **SRC)
    p = _project(g, "P", countries=("ETH",), themes=("water",), members=(lead,))
    t = project_target(g, p)
    r = rank(g, t, top=2, diversity=False)
    w = why_not(g, t, landed, r)
    assert w.status == "below" and w.factors["theme"] == 0.0
    # each needed value, put in alone, really reaches the cutoff (under the gate)
    from graph.analysis.matchmaking.factors import weighted_scores
    from graph.analysis.matchmaking.score import _weight_vector
    import numpy as np
    wn = _weight_vector(r.weights)
    for f, v in w.needed.items():
        row = np.array([[(v if g_ == f else w.factors[g_]) for g_ in FACTORS]])
        assert weighted_scores(row, wn, True)[0][0] >= w.cutoff - 1e-9
    assert "theme" in w.needed


# --------------------------------------------------------------------------- issue 20: the sample journeys
def test_tanzania_and_water_puts_the_groundwater_centre_in_the_top_three(sample_graph):
    # programme staff: partner country Tanzania, theme water, default weights and options
    r = rank(sample_graph, country_target(sample_graph, "TZA", ["theme:water"]), top=10)
    top3 = [c.node for c in r.candidates[:3]]
    assert "institution:dgfz" in top3
    # no candidate without a water link is above one with it
    themes = [c.factors["theme"] for c in r.candidates]
    first_without = next(k for k, v in enumerate(themes) if v == 0)
    assert all(v == 0 for v in themes[first_without:]) or max(themes[first_without:]) < min(themes[:first_without])


MINING_FIRMS = {"institution:gkz-freiberg", "institution:sprengschule-dresden", "institution:draeger-academy",
                "institution:chamber-of-mines-moz"}


def test_the_tunisian_administration_exchange_puts_governance_institutions_before_mining_firms(sample_graph):
    # BLP-17 (Tunisia, governance) is the page's default project. Besides its participants, only four
    # institutions work on governance alone (FUEN, ECMI, the Schleswig-Holstein chancellery — the
    # Western Balkans minorities project — and NALAS, the local-authorities network); every other
    # institution with a reason is a Saxon or Mozambican mining-governance partner of BLP-06, so the fifth
    # place necessarily goes to one of those.
    r = rank(sample_graph, project_target(sample_graph, "BLP-17"), top=10)
    order = [c.node for c in r.candidates]
    assert set(order[:4]) == {"institution:fuen", "institution:ecmi", "institution:sh-staatskanzlei",
                              "institution:nalas"}
    assert not MINING_FIRMS & set(order[:4])
    # the mining firms' only reasons: the common theme (governance, shared with BLP-06) and Saxony's
    # co-financing of that mining project — nothing on Tunisia, administration exchange or the participants
    firms = [c for c in r.candidates if c.node in MINING_FIRMS]
    assert firms and all(c.factors["country"] == 0 and c.factors["network"] == 0 for c in firms)
    assert all(c.factors["theme"] < 0.6 and c.factors["land"] < 0.3 for c in firms)
    assert min(order.index(c.node) for c in firms) >= 4
