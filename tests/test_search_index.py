"""The indexed search returns exactly what the former scan of every name
returned (ranks, scores, labels), on the sample and on a generated graph,
for prefixes, single words, typos, umlaut spellings, short and multi-word
queries, kinds filters and limits."""

import random

import pytest

from graph.core.kinds import NodeKind
from graph.explore.name_index import NameIndex
from graph.explore.search import search
from loaders.synthetic import generate
from loaders import load
from tests.search_reference import ScanIndex, reference_search


def typed_queries(g, count: int, seed: int) -> list[str]:
    """Queries as people type them: prefixes, words, swapped and dropped
    letters, ASCII umlauts, short fragments, several words, nonsense."""
    rng = random.Random(seed)
    labels = sorted(g.nx.nodes[n].get("label") or "" for n in g.nx.nodes)
    labels = [lab for lab in labels if lab]
    out = ["a", "e", "wa", "zq", "x", "uni", "berlin wasser", "xyzzy", "Wuerzburg", "Muller"]
    for _ in range(count):
        label = rng.choice(labels)
        words = label.split()
        word = max(words, key=len)
        style = rng.randrange(8)
        if style == 0:
            out.append(label[: rng.randint(2, max(2, len(label)))])
        elif style == 1 and len(word) > 4:
            k = rng.randrange(1, len(word) - 2)
            out.append(word[:k] + word[k + 1] + word[k] + word[k + 2:])
        elif style == 2 and len(word) > 4:
            k = rng.randrange(len(word))
            out.append(word[:k] + word[k + 1:])
        elif style == 3:
            out.append(word.replace("ü", "ue").replace("ö", "o").replace("ä", "a"))
        elif style == 4 and len(words) > 1:
            out.append(" ".join(w[:rng.randint(3, 6)] for w in words[:2]))
        elif style == 5:
            out.append(word[1: rng.randint(3, max(3, len(word)))])
        elif style == 6:
            out.append(word[:3])
        else:
            out.append(word.upper())
    return out


def assert_same(g, queries):
    scan = ScanIndex(g)
    options = [{}, {"limit": 3}, {"limit": 40}, {"kinds": [NodeKind.INSTITUTION]},
               {"kinds": ["country", "land"], "lang": "en"}]
    for n, q in enumerate(queries):
        opts = options[n % len(options)]
        assert search(g, q, **opts) == reference_search(g, q, index=scan, **opts), (q, opts)


def test_index_agrees_with_scan_on_sample(sample_graph):
    assert_same(sample_graph, typed_queries(sample_graph, 300, seed=1))


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gen") / "syn"
    generate(folder, nodes=4000, seed=3)
    return load(folder).graph


def test_index_agrees_with_scan_on_generated_graph(generated):
    assert_same(generated, typed_queries(generated, 400, seed=2))


def test_similar_words_keep_every_word_the_scan_finds(generated):
    """The fuzzy candidate filter (length and shared bigrams) never drops a
    word that rapidfuzz would score at or above the cut-off."""
    from rapidfuzz import fuzz

    idx = NameIndex(generated)
    rng = random.Random(5)
    for word in rng.sample(idx.vocabulary, 150):
        if len(word) < 4:
            continue
        k = rng.randrange(len(word) - 1)
        typo = word[:k] + word[k + 1] + word[k] + word[k + 2:]
        expected = {t for t, w in enumerate(idx.vocabulary) if fuzz.ratio(typo, w) >= 80}
        found = {t for t, _ in idx.similar_words(typo)}
        assert found == expected or (len(found) == 200 and found < expected), typo
