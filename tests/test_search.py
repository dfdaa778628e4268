"""Search: tolerant of case, umlaut spelling, accents, small typos; German
and English names; kinds filter; index built once per graph generation."""

import pytest

from graph.core.cache import forget
from graph.explore import search as search_module
from graph.core.model import PartnerGraph
from graph.explore.search import SearchHit, search


@pytest.fixture
def tiny():
    g = PartnerGraph()
    g.add_country("TZA")
    g.add_country("ETH")
    g.add_node("institution", "jmu", label="Julius-Maximilians-Universität Würzburg", land="DE-BY", source="s")
    g.add_node("institution", "mow", label="Ministry of Water (Tanzania)", country="TZA", source="s")
    g.add_node("contact", "c1", label="Jürgen Müller", illustrative=True)
    g.add_node("theme", "water", label="Wasser", label_en="Water", source="s")
    return g


def ids(hits):
    return [h.node_id for h in hits]


def test_umlaut_transliteration_and_case(tiny):
    assert ids(search(tiny, "Wuerzburg"))[0] == "institution:jmu"
    assert ids(search(tiny, "würzburg"))[0] == "institution:jmu"
    assert ids(search(tiny, "tansania"))[0] == "country:TZA"


def test_plain_vowel_spelling_of_umlaut(tiny):
    # "Muller" (ü typed as u) must find "Müller" as well as "Mueller" would
    assert ids(search(tiny, "Muller")) == ["contact:c1"]
    assert ids(search(tiny, "Wurzburg"))[0] == "institution:jmu"


def test_small_typos_are_forgiven(tiny):
    assert ids(search(tiny, "Wurzbrug"))[0] == "institution:jmu"
    assert ids(search(tiny, "Minstry watr"))[0] == "institution:mow"
    assert search(tiny, "xyzzy") == []


def test_english_and_german_labels_both_match(tiny):
    assert ids(search(tiny, "Tanzania"))[0] == "country:TZA"
    assert ids(search(tiny, "Äthiopien")) == ["country:ETH"]
    assert ids(search(tiny, "ethiopia")) == ["country:ETH"]
    assert ids(search(tiny, "water"))[0] == "theme:water"


def test_label_language_of_hits(tiny):
    [hit] = search(tiny, "äthiopien", lang="en")
    assert hit == SearchHit("country:ETH", "Ethiopia", "country", 100.0)
    assert search(tiny, "ethiopia")[0].label == "Äthiopien"


def test_exact_beats_prefix_beats_contained(tiny):
    hits = search(tiny, "wasser")
    assert hits[0].node_id == "theme:water" and hits[0].score == 100.0
    tanz = search(tiny, "tanzania")
    # the country (exact) before the ministry (word inside its name)
    assert ids(tanz)[:2] == ["country:TZA", "institution:mow"]
    assert tanz[0].score > tanz[1].score


def test_kinds_and_limit(tiny):
    assert ids(search(tiny, "tanzania", kinds=["institution"])) == ["institution:mow"]
    assert len(search(tiny, "a", limit=2)) == 2
    assert search(tiny, "   ") == []
    assert search(tiny, "tza", limit=0) == []


def test_node_key_is_searchable(tiny):
    assert ids(search(tiny, "jmu")) == ["institution:jmu"]


def test_index_is_built_once_per_generation(tiny, monkeypatch):
    built = []
    real = search_module._Index

    class Counting(real):
        def __init__(self, g):
            built.append(g.generation)
            super().__init__(g)

    monkeypatch.setattr(search_module, "_Index", Counting)
    forget(tiny)
    search(tiny, "wasser")
    search(tiny, "tansania")
    assert len(built) == 1
    tiny.add_node("institution", "new", label="Neue Stiftung Würzburg", source="s")
    assert "institution:new" in ids(search(tiny, "stiftung"))
    assert len(built) == 2


def test_sample_search(sample_graph):
    assert ids(search(sample_graph, "tansania"))[0] == "country:TZA"
    assert ids(search(sample_graph, "HLFT"))[0] == "institution:hlft"
    assert ids(search(sample_graph, "Niedersachen"))[0] == "land:DE-NI"
