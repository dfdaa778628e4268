"""Find nodes by name: tolerant of case, umlauts/ASCII spellings, accents and
small typos, across all node kinds and both German and English labels.

The name index (:mod:`graph.explore.name_index`) is built once per graph and
reused until the graph changes (it is keyed on ``g.generation``); a call looks
up the query's words and letter groups in it instead of scanning every name.

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

from dataclasses import dataclass
from typing import Iterable

import numpy as np

from graph.core.cache import cached
from graph.core.kinds import NodeKind
from graph.core.model import PartnerGraph
from graph.core.text import fold
from graph.explore.name_index import NAME_ATTRS, NameIndex as _Index

__all__ = ["NAME_ATTRS", "SearchHit", "search", "search_index_size"]

# Score bands (0–100): whole-name matches first, word-level fuzzy matches below.
_EXACT, _PREFIX, _WORD_PREFIX, _CONTAINS = 100.0, 95.0, 90.0, 85.0
_FUZZY_MAX = 80.0


@dataclass(frozen=True)
class SearchHit:
    """One search result: the node, its display label (in the language asked
    for), its kind and a score in 0–100 (higher is better)."""

    node_id: str
    label: str
    kind: str
    score: float


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


class _Ranking:
    """Best score per node, filled band by band in ranking order (score, then
    shorter name, then node id) until ``limit`` nodes are in."""

    def __init__(self, idx: _Index, allowed: np.ndarray | None, limit: int):
        self.idx, self.allowed, self.limit = idx, allowed, limit
        self.hits: dict[str, float] = {}

    @property
    def full(self) -> bool:
        return len(self.hits) >= self.limit

    def in_order(self, ids: np.ndarray) -> np.ndarray:
        """``ids`` of allowed kinds, sorted by (name length, node id)."""
        ids = np.asarray(ids, dtype=np.int64)
        if self.allowed is not None and len(ids):
            ids = ids[self.allowed[self.idx.kind_code[ids]]]
        return self.idx.rank_order[np.sort(self.idx.rank_of[ids])]

    def take(self, ids: np.ndarray, score: float, accept=None) -> None:
        """Offer names (in ranking order) with ``score``; ``accept(i)`` may veto.
        A node keeps the first (best) score it is offered."""
        owners, hits = self.idx.owners, self.hits
        for i in ids.tolist():
            if self.full:
                return
            nid = owners[i]
            if nid not in hits and (accept is None or accept(i)):
                hits[nid] = score


def _substring_bands(idx: _Index, query: str, ranking: _Ranking) -> None:
    """Names containing ``query``: exact, prefix, word prefix, anywhere."""
    lo, hi = idx.prefix_range(query)
    prefixed = idx.names_sorted_ids[lo:hi]
    exact = prefixed[idx.name_len[prefixed] == len(query)]
    ranking.take(ranking.in_order(exact), _EXACT)
    ranking.take(ranking.in_order(prefixed), _PREFIX)
    if ranking.full:
        return
    words = query.split()
    # names with a word containing each query word: a superset of the matches
    inside = None
    for word in dict.fromkeys(words):
        mask = np.zeros(len(idx.names), dtype=bool)
        mask[idx.names_of_words(idx.tokens_containing(word))] = True
        inside = mask if inside is None else inside & mask
    pos = idx.sorted_pos
    inside &= (pos < lo) | (pos >= hi)
    # the query at the start of a word: its first word starts (one word) or is a word of the name
    starts = np.zeros(len(idx.names), dtype=bool)
    first = idx.words_with_prefix(words[0]) if len(words) == 1 else np.asarray(
        [idx.word_ids[words[0]]] if words[0] in idx.word_ids else [], dtype=np.int64)
    starts[idx.names_of_words(first)] = True
    names = idx.names
    ranking.take(ranking.in_order(np.flatnonzero(inside & starts)), _WORD_PREFIX,
                 lambda i: _band(query, names[i]) == _WORD_PREFIX)
    # every remaining match is "anywhere" (a word-prefix match's node is in already)
    verify = None if len(words) == 1 else (lambda i: query in names[i])
    ranking.take(ranking.in_order(np.flatnonzero(inside)), _CONTAINS, verify)


def _word_level(idx: _Index, query: str, ranking: _Ranking) -> list[tuple[str, float]]:
    """Nodes with a name where every query word matches a word (prefix or
    typo), best first; they rank below every substring match, so nodes
    ranked already are left out."""
    words = query.split()
    per_word = [idx.word_scores(w) for w in words]
    common = np.ones(len(idx.names), dtype=bool)
    for scores in per_word:
        common &= scores > 0
    ids = np.flatnonzero(common)
    if ranking.allowed is not None:
        ids = ids[ranking.allowed[idx.kind_code[ids]]]
    if len(ids) == 0:
        return []
    total = per_word[0][ids]
    for scores in per_word[1:]:
        total = total + scores[ids]
    score = _FUZZY_MAX * total / (100.0 * len(words))
    order = np.lexsort((idx.owner_rank[ids], idx.name_len[ids], -score))
    out: list[tuple[str, float]] = []
    seen = set(ranking.hits)
    need = ranking.limit - len(ranking.hits)
    for k in order.tolist():
        nid = idx.owners[ids[k]]
        if nid not in seen:
            seen.add(nid)
            out.append((nid, float(score[k])))
            if len(out) >= need:
                break
    return out


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
    idx = _index(g)
    allowed = None
    if kinds is not None:
        wanted = frozenset(NodeKind(k).value for k in kinds)
        allowed = np.asarray([k in wanted for k in idx.kind_names] + [False], dtype=bool)
    ranking = _Ranking(idx, allowed, limit)
    _substring_bands(idx, query, ranking)
    ranked = list(ranking.hits.items())
    if not ranking.full:
        ranked += _word_level(idx, query, ranking)
    return [SearchHit(nid, g.label(nid, lang), g.nx.nodes[nid]["kind"], round(score, 1))
            for nid, score in ranked[:limit]]
