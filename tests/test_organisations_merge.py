"""Organisation identity rules (loaders/organisations.py) and the dataset merge (loaders/merge.py)."""

from __future__ import annotations

import pytest

from graph.core.model import PartnerGraph
from loaders.merge import merge_graphs
from loaders.organisations import (
    classify_ref,
    german_location,
    infer_sector,
    is_placeholder_name,
    known_organisation,
    match_keys,
    normalise_name,
)


@pytest.mark.parametrize("a,b", [
    ("KREDITANSTALT FUER WIEDERAUFBAU (KFW)", "Kreditanstalt für Wiederaufbau"),
    ("Lichtbrücke e. V.", "Lichtbruecke eV"),
    ("Andheri-Hilfe e. V.", "ANDHERI HILFE"),
    ("INFRASTRUCTURE DEVELOPMENT COMPANY LIMITED", "Infrastructure Development Company Ltd."),
    ("Catholic Organisation for Relief and Development Aid", "Catholic Organization for Relief and Development Aid (CORDAID)"),
    ("  The   World Health Organization ", "World Health Organization (WHO)"),
    ("Muster gGmbH", "Muster GmbH"),
])
def test_normalised_names_equal(a, b):
    assert normalise_name(a) == normalise_name(b)


@pytest.mark.parametrize("a,b", [
    ("Universität Hamburg", "Universität Bremen"),
    ("Ministry of Health", "Ministry of Finance"),
    ("AG", "GmbH"),  # a name that is only a legal form is kept, not emptied
])
def test_normalised_names_differ(a, b):
    assert normalise_name(a) != normalise_name(b)


@pytest.mark.parametrize("ref,kind,norm,country", [
    ("DE-CR-RA000220-VR3810", "id", "DE-CR-RA000220-VR3810", "DE"),
    ("XM-DAC-41122", "id", "XM-DAC-41122", None),
    ("41122", "id", "XM-DAC-41122", None),          # bare DAC channel code of one organisation
    ("46002", "id", "XM-DAC-46002", None),
    ("10000", "generic", None, None),               # DAC channel category
    ("XM-DAC-11000", "generic", None, None),
    ("DE", "country", None, "DE"),
    ("N/A", "placeholder", None, None),
    ("", "empty", None, None),
    (None, "empty", None, None),
    ("FSF", "invalid", None, None),
    ("DK-CVR-DK-CVR\xa0|\xa0Danish", "invalid", None, None),
])
def test_classify_ref(ref, kind, norm, country):
    info = classify_ref(ref)
    assert (info.kind, info.ref, info.country) == (kind, norm, country)


def test_placeholder_names():
    assert is_placeholder_name("Uncoded") and is_placeholder_name("  name  withheld ")
    assert is_placeholder_name("USAID redacted this field in accordance with the exceptions outlined in FATAA")
    assert not is_placeholder_name("Government of Rwanda")


@pytest.mark.parametrize("name,sector", [
    ("Engagement gGmbH", "civil_society"), ("Hochschule Bremen", "science"), ("Karolinska Institutet", "science"),
    ("Staatskanzlei Sachsen", "public_administration"), ("Freistaat Bayern", "public_administration"),
    ("Welthungerhilfe e.V.", "civil_society"), ("Stiftung Mercator", "civil_society"),
    ("Siemens AG", "business"), ("Power Grid Company of Bangladesh Ltd.", "business"),
    ("Sierra Leone", "public_administration"), ("Band Aid", None),
])
def test_infer_sector(name, sector):
    assert infer_sector(name) == sector


def test_known_german_actors_by_spelling_and_identifier():
    assert known_organisation("Deutsche Gesellschaft für Internationale Zusammenarbeit (GIZ) GmbH").key == "giz"
    assert known_organisation("Gesellschaft für internationale Zusammenarbeit (GIZ) GmbH").key == "giz"
    assert known_organisation(ref="XM-DAC-5-52").key == "giz"
    assert known_organisation("KfW Entwicklungsbank").key == "kfw"
    assert known_organisation(ref="XM-DAC-5-7").key == "auswaertiges-amt"  # not BMZ (that is DE-1)
    assert known_organisation("GIZ Regionalbüro Nord") is None  # an office is not the organisation


@pytest.mark.parametrize("name,german,land", [
    ("Freistaat Sachsen", True, "DE-SN"),
    ("Sachsen-Anhalt Ministerium", True, "DE-ST"),  # longest Land name wins over "Sachsen"
    ("Europa-Universität Viadrina Frankfurt (Oder)", True, "DE-BB"),
    ("Goethe-Universität Frankfurt am Main", True, "DE-HE"),
    ("Deutsches Rotes Kreuz e.V.", True, None),
    ("Ministry of Planning", False, None),
    ("Finanzministerium (Economic Relations Division - ERD)", False, None),  # Bangladesh's, named in German
])
def test_german_location(name, german, land):
    where = german_location(name)
    assert (where.german, where.land) == (german, land)


def test_german_location_from_identifier():
    assert german_location("Welthungerhilfe", ref=classify_ref("DE-CR-RA000220-VR3810")).german
    assert not german_location("Oxfam", ref=classify_ref("GB-CHC-202918")).german


def test_match_keys():
    assert match_keys("KfW", ["XM-DAC-5-2"]) == {"ref:xm-dac-5-2", "known:kfw"}
    assert match_keys("Some Org e.V.") == {"name:some org"}


# ------------------------------------------------------------------ merge
def _graph(*institutions):
    g = PartnerGraph()
    for key, label, attrs in institutions:
        g.add_node("institution", key, label=label, **{"source": f"{key}.src", **attrs})
    return g


def test_merge_by_name_fills_missing_and_keeps_existing():
    a = _graph(("netz", "NETZ e.V.", {"sector": "civil_society", "land": "DE-HE"}))
    b = _graph(("iati-netz", "NETZ e. V.", {"sector": "business", "sector_inferred": True, "city": "Wetzlar"}))
    stats = merge_graphs(a, b)
    assert sorted(a.nodes("institution")) == ["institution:netz"]
    n = a.node("institution:netz")
    assert (n["sector"], n["land"], n["city"]) == ("civil_society", "DE-HE", "Wetzlar")
    assert "sector_inferred" not in n and n["merged_from"] == ["institution:iati-netz"]
    assert n["source"] == "netz.src ; iati-netz.src"
    assert stats.nodes["institution"] == 1 and stats.institutions == [
        {"from": "institution:iati-netz", "into": "institution:netz", "by": "name:netz"}]


def test_merge_stated_sector_replaces_inferred():
    a = _graph(("x", "X GmbH", {"sector": "business", "sector_inferred": True}))
    b = _graph(("y", "X GmbH", {"sector": "civil_society"}))
    merge_graphs(a, b)
    assert a.node("institution:x")["sector"] == "civil_society" and "sector_inferred" not in a.node("institution:x")


def test_merge_never_joins_different_identifiers_by_name():
    a = _graph(("SE-2", "Ministry for Foreign Affairs", {"iati_refs": ["SE-2"]}))
    b = _graph(("FI-3", "Ministry for Foreign Affairs", {"iati_refs": ["FI-3"]}))
    stats = merge_graphs(a, b)
    assert sorted(a.nodes("institution")) == ["institution:FI-3", "institution:SE-2"]
    assert stats.nodes["institution"] == 0


def test_merge_repoints_edges_and_counts_duplicates():
    a = _graph(("kfw-ffm", "KfW", {}))
    pa = a.add_node("project", "P1", label="P1", source="a")
    a.add_edge("institution:kfw-ffm", pa, "participates_in", discriminator="funding", role="funding", source="a")
    b = _graph(("iati-kfw", "Kreditanstalt für Wiederaufbau", {}))
    pb = b.add_node("project", "P1", label="P1", source="b")
    b.add_node("project", "P2", label="P2", source="b")
    b.add_edge("institution:iati-kfw", pb, "participates_in", discriminator="funding", role="funding", source="b")
    b.add_edge("institution:iati-kfw", "project:P2", "participates_in", discriminator="implementing",
               role="implementing", source="b")
    stats = merge_graphs(a, b)
    out = sorted((v, d["role"]) for v, d in a.out_edges("institution:kfw-ffm", "participates_in"))
    assert out == [("project:P1", "funding"), ("project:P2", "implementing")]
    assert stats.edges["participates_in"] == 1 and stats.nodes["project"] == 1
    assert a.nx.edges["institution:kfw-ffm", "project:P1", "participates_in:funding"]["source"] == "a ; b"
