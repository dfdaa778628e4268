"""Find nodes by name: tolerant of case, umlauts/ASCII spellings, accents and
small typos, across all node kinds and both German and English labels.

The name index is built once per graph and reused until the graph changes
(it is keyed on ``g.generation``); a call only scores the query against it.

Ranking: an exact name beats a name starting with the query, which beats a
word starting with the query, which beats the query found anywhere in a name;
fuzzy matches (``rapidfuzz``) come last. Ties go to the shorter name.

>>> from graph.core.model import PartnerGraph
>>> g = PartnerGraph()
>>> _ = g.add_country("TZA")
>>> _ = g.add_node("institution", "jmu", label="Universität Würzburg", source="s")
>>> [h.node_id for h in search(g, "tansania")]
['country:TZA']
>>> search(g, "Wuerzburg")[0].label
'Universität Würzburg'
>>> search(g, "Wurzbrug")[0].node_id
'institution:jmu'
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Iterable

from rapidfuzz import fuzz, process

from graph.core.cache import cached
from graph.core.kinds import NodeKind, key_of
from graph.core.model import PartnerGraph
from graph.core.text import fold

__all__ = ["SearchHit", "search", "search_index_size", "name_keys", "NAME_ATTRS"]

#: Attributes whose values are searchable names (besides the node key).
NAME_ATTRS = ("label", "label_en", "name_de", "name_en", "iso2")

# Score bands (0–100): whole-name matches first, word-level fuzzy matches below.
_EXACT, _PREFIX, _WORD_PREFIX, _CONTAINS = 100.0, 95.0, 90.0, 85.0
_FUZZY_MAX = 80.0
_FUZZY_CUTOFF = 80.0   # rapidfuzz ratio of one query word against one name word
_MIN_FUZZY_LEN = 4


@dataclass(frozen=True)
class SearchHit:
    """One search result: the node, its display label (in the language asked
    for), its kind and a score in 0–100 (higher is better)."""

    node_id: str
    label: str
    kind: str
    score: float


def _plain(text: str) -> str:
    """Second spelling key: accents dropped *before* folding, so that
    ``Müller`` also matches ``Muller`` (``fold`` gives ``mueller``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return fold("".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def name_keys(node_id: str, attrs: dict) -> list[str]:
    """The folded spellings a node is found by (each name of
    :data:`NAME_ATTRS` and the id's key, as :func:`fold` and accent-free).

    >>> name_keys("institution:jmu", {"label": "Universität Würzburg"})
    ['universitaet wuerzburg', 'universitat wurzburg', 'jmu']
    """
    keys: list[str] = []
    for raw in [attrs.get(a) for a in NAME_ATTRS] + [key_of(node_id)]:
        if not isinstance(raw, str) or not raw:
            continue
        for key in (fold(raw), _plain(raw)):
            if key and key not in keys:
                keys.append(key)
    return keys


class _Index:
    """Folded names of every node and a word vocabulary for fuzzy matching.

    ``names[i]`` belongs to node ``owners[i]``; ``postings[word]`` lists the
    name indices containing ``word``.
    """

    def __init__(self, g: PartnerGraph):
        self.generation = g.generation
        self.names: list[str] = []
        self.owners: list[str] = []
        self.kinds: list[str] = []
        postings: dict[str, list[int]] = {}
        for nid, data in g.nx.nodes(data=True):
            for key in name_keys(nid, data):
                i = len(self.names)
                self.names.append(key)
                self.owners.append(nid)
                self.kinds.append(data.get("kind", ""))
                for word in set(key.split()):
                    postings.setdefault(word, []).append(i)
        self.vocabulary: list[str] = list(postings)
        self.postings = postings

    def word_scores(self, word: str) -> dict[int, float]:
        """Best score (0–100) of ``word`` against each name containing a
        similar word: 100 for a word starting with it, rapidfuzz ratio else."""
        out: dict[int, float] = {}

        def give(token: str, score: float) -> None:
            for i in self.postings[token]:
                if score > out.get(i, 0.0):
                    out[i] = score

        for token in self.vocabulary:
            if token.startswith(word):
                give(token, 100.0)
        if len(word) >= _MIN_FUZZY_LEN:
            for token, score, _ in process.extract(word, self.vocabulary, scorer=fuzz.ratio,
                                                   score_cutoff=_FUZZY_CUTOFF, limit=200):
                give(token, score)
        return out


def _index(g: PartnerGraph) -> _Index:
    return cached(g, "explore.search_index", lambda: _Index(g))


def search_index_size(g: PartnerGraph) -> int:
    """Number of indexed names (builds the index if needed)."""
    return len(_index(g).names)


def _band(query: str, name: str) -> float:
    if name == query:
        return _EXACT
    if name.startswith(query):
        return _PREFIX
    pos = name.find(query)
    if pos < 0:
        return 0.0
    return _WORD_PREFIX if name[pos - 1] == " " else _CONTAINS


def search(g: PartnerGraph, text: str, *, kinds: Iterable[NodeKind | str] | None = None,
           limit: int = 10, lang: str = "de") -> list[SearchHit]:
    """Return up to ``limit`` nodes whose names match ``text``, best first.

    Parameters
    ----------
    g : PartnerGraph
    text : str
        What the user typed; case, umlaut spelling (``ue``/``ü``), accents and
        punctuation do not matter, small typos are forgiven.
    kinds : iterable of NodeKind or str, optional
        Only nodes of these kinds.
    limit : int
        Maximum number of hits.
    lang : ``"de"`` or ``"en"``
        Language of the returned labels (matching always uses both).

    Examples
    --------
    >>> from graph.core.model import PartnerGraph
    >>> g = PartnerGraph()
    >>> [h.label for h in search(g, "bayern", lang="en")]
    ['Bavaria']
    """
    query = fold(text or "")
    if not query or limit <= 0:
        return []
    wanted = None if kinds is None else frozenset(NodeKind(k).value for k in kinds)
    idx = _index(g)
    best: dict[str, tuple[float, int]] = {}

    def offer(i: int, score: float) -> None:
        if wanted is not None and idx.kinds[i] not in wanted:
            return
        nid, cand = idx.owners[i], (score, -len(idx.names[i]))
        if cand > best.get(nid, (0.0, 0)):
            best[nid] = cand

    for i, name in enumerate(idx.names):
        if query in name:
            offer(i, _band(query, name))
    # Word level: every query word must match a word of the name (prefix or typo).
    words = query.split()
    per_word = [idx.word_scores(w) for w in words]
    common = set(per_word[0]).intersection(*per_word[1:]) if per_word else set()
    for i in common:
        offer(i, _FUZZY_MAX * sum(s[i] for s in per_word) / (100.0 * len(words)))
    ranked = sorted(best.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))[:limit]
    return [SearchHit(nid, g.label(nid, lang), g.nx.nodes[nid]["kind"], round(score, 1))
            for nid, (score, _) in ranked]
