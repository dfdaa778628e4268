"""Coverage matrices and white spots against hand counts on the sample;
period comparison on a constructed two-period graph; co-financing flows."""

from __future__ import annotations

import pytest

from graph.core.errors import PartnernetzError
from graph.analysis.flows import cofinancing_flows
from graph.analysis.matrices import land_country_matrix, theme_land_matrix, white_spots
from graph.core.model import PartnerGraph
from graph.analysis.periods import PHASES, compare_periods, period_from_key, projects_in_period, timeline


# --------------------------------------------------------------------------- matrices on the sample
def test_land_country_projects_hand_counts(sample_graph):
    m = land_country_matrix(sample_graph, measure="projects")
    assert len(m.rows) == 16 and "country:DEU" not in m.cols
    # cofinancing.csv: Sachsen co-finances BLP-08, BLP-09, BLP-10; projects.csv: all three in UGA
    assert m.get("land:DE-SN", "country:UGA") == 3
    # cofinancing.csv: Niedersachsen → BLP-03, BLP-04 (both TZA in projects.csv); no Lower Saxon
    # institution in BLP-14 (the Hamburg project in TZA, participations.csv) → 2
    assert m.get("land:DE-NI", "country:TZA") == 2
    # Hamburg: co-finances BLP-14 (TZA); its institutions are only in BLP-14 → 1
    assert m.get("land:DE-HH", "country:TZA") == 1
    # Berlin partners NAM and MEX but takes part in no project
    assert sum(m.get("land:DE-BE", c) for c in m.cols) == 0


def test_land_country_institutions_cofinancing_partnerships_hand_counts(sample_graph):
    inst = land_country_matrix(sample_graph, measure="institutions")
    # participations.csv BLP-17 (TUN): 13 rows, 12 institutions with land Baden-Württemberg + ENA Tunis
    assert inst.get("land:DE-BW", "country:TUN") == 12
    # BLP-03 (TZA): dman, harzwasserwerke, kvwb-uelzen, nds-ml, nds-umweltministerium, se-peine; BLP-04 has no participations
    assert inst.get("land:DE-NI", "country:TZA") == 6
    cof = land_country_matrix(sample_graph, measure="cofinancing")
    # cofinancing.csv has 24 rows; BLP-19 (two rows: Brandenburg, Rheinland-Pfalz) is in RWA and PER → +2;
    # BLP-20 (one row, Schleswig-Holstein) is in SRB, MKD and BIH → +2; so 24 + 2 + 2
    assert cof.total() == 28
    assert cof.get("land:DE-BB", "country:PER") == 1 and cof.get("land:DE-BB", "country:RWA") == 1
    part = land_country_matrix(sample_graph, measure="partnerships")
    # partnerships.csv Bayern–ZAF: Westkap, Gauteng, and the Afrikapaket row listing ZAF → 3
    assert part.get("land:DE-BY", "country:ZAF") == 3
    # partnerships.csv: 28 rows, the Afrikapaket row names 5 countries → 32 pairs; Bayern–TUN appears
    # twice without a region (Abkommen row and Afrikapaket) and is one edge → 31; none is to Germany
    # (28 rows since the December 2026 additions: Hessen–VNM, MV–VNM, Bremen–ZAF, Thüringen–BRA)
    assert part.total() == 31
    amount = land_country_matrix(sample_graph, measure="amount_eur")
    # like the contribution count, each cell holds the amounts of the Land's projects in that country:
    # BLP-10 (Sachsen, 140000) in UGA; BLP-20 (Schleswig-Holstein, 100000) in each of SRB, MKD, BIH
    assert amount.get("land:DE-SN", "country:UGA") == 140000
    assert [amount.get("land:DE-SH", f"country:{c}") for c in ("SRB", "MKD", "BIH")] == [100000] * 3
    assert amount.total() == 140000 + 3 * 100000
    with pytest.raises(PartnernetzError):
        land_country_matrix(sample_graph, measure="votes")


def test_theme_land_hand_counts(sample_graph):
    m = theme_land_matrix(sample_graph)
    # projects.csv: BLP-08, BLP-09, BLP-10 list 'health'; all co-financed by Sachsen
    assert m.get("theme:health", "land:DE-SN") == 3
    # 'mining': BLP-06 (MOZ, the pilot), BLP-24 (MOZ, the ILO C176 follow-up split out of BLP-06)
    # and BLP-07 (PER), all Sachsen
    assert m.get("theme:mining", "land:DE-SN") == 3
    # 'governance': BLP-17 (Baden-Württemberg); BLP-06 and BLP-24 (Sachsen)
    assert m.get("theme:governance", "land:DE-BW") == 1 and m.get("theme:governance", "land:DE-SN") == 2


def test_white_spots_on_the_sample(sample_graph):
    grid = white_spots(sample_graph)
    # Baden-Württemberg partners Burundi (partnerships.csv) and works on governance (BLP-17),
    # there is no project in BDI → white spot
    bdi = grid.cell("country:BDI", "theme:governance")
    assert bdi.is_white_spot and bdi.reasons == ("partnership:land:DE-BW",)
    # BLP-13 (MEX, urban_development) has no participations at all → white spot with the project as reason
    mex = grid.cell("country:MEX", "theme:urban_development")
    assert mex.is_white_spot and "project:BLP-13" in mex.reasons
    # TZA × water: BLP-03 (6 Lower Saxon institutions, 1 Tanzanian) + BLP-14 (3 Hamburg, 2 Tanzanian) → 9
    tza = grid.cell("country:TZA", "theme:water")
    assert tza.german_institutions == 9 and not tza.is_white_spot
    # linked TZ programme counts as a reason (BLP-03 → bmz-wassersektor-tza, implemented in TZA)
    assert "programme:bmz-wassersektor-tza" in tza.reasons
    # a cell without any reason is neither covered nor a spot
    assert not grid.cell("country:FRA", "theme:mining").reasons
    assert all(s.german_institutions == 0 for s in grid.spots())
    assert "country:DEU" not in grid.countries


# --------------------------------------------------------------------------- periods
def _two_period_graph() -> PartnerGraph:
    """Hessen works with ETH in both periods, Bayern with KEN only in the first,
    Sachsen with UGA only in the second."""
    g = PartnerGraph()
    for c in ("ETH", "KEN", "UGA"):
        g.add_country(c)
    for key, land in (("he", "DE-HE"), ("by", "DE-BY"), ("sn", "DE-SN"), ("eth", None)):
        g.add_node("institution", key, label=key, land=land, source="t")
    rows = [  # project, phase, start, end, country, institutions
        ("A1", "pilot", 2016, 2018, "ETH", ["he", "eth"]),
        ("A2", "pilot", 2017, 2019, "KEN", ["by"]),
        ("B1", "II", 2020, 2022, "ETH", ["he", "eth"]),
        ("B2", None, 2021, None, "UGA", ["sn", "he"]),
    ]
    for key, phase, start, end, country, insts in rows:
        p = g.add_node("project", key, label=key, phase=phase, start_year=start, end_year=end, source="t")
        g.add_edge(p, f"country:{country}", "implemented_in", source="t")
        for i in insts:
            g.add_edge(f"institution:{i}", p, "participates_in", source="t")
    return g


def test_period_membership_uses_phase_then_years():
    g = _two_period_graph()
    assert projects_in_period(g, PHASES["pilot"]) == {"project:A1", "project:A2"}
    # B2 has no phase: its year 2021 lies in 2019–2023
    assert projects_in_period(g, PHASES["II"]) == {"project:B1", "project:B2"}
    assert projects_in_period(g, period_from_key("2018-2019")) == {"project:A1", "project:A2"}
    with pytest.raises(PartnernetzError):
        period_from_key("soon")


def test_period_comparison_new_ended_continuing():
    g = _two_period_graph()
    cmp = compare_periods(g, "pilot", "II")
    lc = cmp.changes["land_country"]
    assert lc.continuing == {("land:DE-HE", "country:ETH")}
    assert lc.ended == {("land:DE-BY", "country:KEN")}
    assert lc.new == {("land:DE-SN", "country:UGA"), ("land:DE-HE", "country:UGA")}
    ii = cmp.changes["institution_institution"]
    assert ii.continuing == {("institution:eth", "institution:he")}
    assert ii.new == {("institution:he", "institution:sn")} and not ii.ended
    assert cmp.laender == {
        "land:DE-BY": ((), ("country:KEN",)),
        "land:DE-HE": (("country:UGA",), ()),
        "land:DE-SN": (("country:UGA",), ()),
    }
    assert cmp.summary()["land_country"] == {"new": 2, "ended": 1, "continuing": 1}


def test_timeline_counts_by_start_year_and_phase():
    rows = timeline(_two_period_graph())
    assert {(r["year"], r["phase"]): r["projects"] for r in rows} == {
        (2016, "pilot"): 1, (2017, "pilot"): 1, (2020, "II"): 1, (2021, "II"): 1}


def test_timeline_and_comparison_follow_one_phase_rule(sample_graph):
    """Issue 20: a project the comparison counts in a phase is coloured with that
    phase in the start-year chart (no "Phase unbekannt" for a 2022 project)."""
    rows = timeline(sample_graph)
    for key in PHASES:
        in_phase = projects_in_period(sample_graph, PHASES[key])
        assert sum(r["projects"] for r in rows if r["phase"] == key) == len(in_phase)
    unknown = [p for p in sample_graph.nodes("project") if sample_graph.nx.nodes[p].get("start_year")
               and 2015 <= sample_graph.nx.nodes[p]["start_year"] <= 2027 and not sample_graph.nx.nodes[p].get("phase")]
    assert all(r["phase"] != "unknown" for r in rows if r["year"] and 2015 <= r["year"] <= 2027), unknown


def test_sample_timeline_adds_up(sample_graph):
    assert sum(r["projects"] for r in timeline(sample_graph)) == 24  # 24 projects since the additions


# --------------------------------------------------------------------------- flows
def test_flows_conserve_value_and_filter(sample_graph):
    f = cofinancing_flows(sample_graph)
    into = sum(l.value for l in f.links if l.source.startswith("land:"))
    out = sum(l.value for l in f.links if l.target.startswith("country:"))
    assert into == 24  # one per row of cofinancing.csv (24 since the December 2026 additions)
    # BLP-12 has no co-financing; all others reach a country, so what enters leaves
    assert out == pytest.approx(into)
    # BLP-19 (two Länder) is split over RWA and PER: 2 contributions → 1 each
    split = {l.target: l.value for l in f.links if l.source == "project:BLP-19"}
    assert split == {"country:PER": 1.0, "country:RWA": 1.0}
    money = cofinancing_flows(sample_graph, kinds=["money"])
    # cofinancing.csv kind=money: BLP-01, 02, 03, 04, 06, 07, 08, 09, 10, 17, 20, 21, 22, 24 → 14
    assert sum(l.value for l in money.links if l.source.startswith("land:")) == 14
    assert {l.kind for l in money.links if l.source.startswith("land:")} == {"money"}
    # years 2016–2016: BLP-06 (2016-07, Sachsen, money), BLP-15 (2016–2017, Bremen, other)
    # and BLP-20 (2016-07 – 2017, Schleswig-Holstein, money)
    early = cofinancing_flows(sample_graph, years=(2016, 2016))
    assert {l.target for l in early.links if l.source.startswith("land:")} == {
        "project:BLP-06", "project:BLP-15", "project:BLP-20"}
    euro = cofinancing_flows(sample_graph, measure="amount_eur")
    assert all(l.value > 0 for l in euro.links)
    with pytest.raises(PartnernetzError):
        cofinancing_flows(sample_graph, measure="hugs")
