"""The search of Partnernetz before the name index (a scan of every name per
query), kept as the reference the indexed search must agree with.

Only the tests import it: ``reference_search(g, text, ...)`` returns what
``graph.explore.search.search`` returned before, ranks and scores included.
"""

from __future__ import annotations

from rapidfuzz import fuzz, process

from graph.core.kinds import NodeKind, key_of
from graph.core.text import fold
from graph.explore.name_index import NAME_ATTRS, plain_key
from graph.explore.search import SearchHit, _band

_FUZZY_MAX, _FUZZY_CUTOFF, _MIN_FUZZY_LEN = 80.0, 80.0, 4


class ScanIndex:
    """Folded names of every node, and the postings of their words."""

    def __init__(self, g):
        self.names, self.owners, self.kinds = [], [], []
        postings: dict[str, list[int]] = {}
        for nid, data in g.nx.nodes(data=True):
            seen: set[str] = set()
            for raw in [data.get(a) for a in NAME_ATTRS] + [key_of(nid)]:
                if not isinstance(raw, str) or not raw:
                    continue
                for key in (fold(raw), plain_key(raw)):
                    if not key or key in seen:
                        continue
                    seen.add(key)
                    i = len(self.names)
                    self.names.append(key)
                    self.owners.append(nid)
                    self.kinds.append(data.get("kind", ""))
                    for word in set(key.split()):
                        postings.setdefault(word, []).append(i)
        self.vocabulary = list(postings)
        self.postings = postings

    def word_scores(self, word: str) -> dict[int, float]:
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


def reference_search(g, text, *, kinds=None, limit=10, lang="de", index=None):
    """The scan: every name tested for the query, every word for each query word."""
    query = fold(text or "")
    if not query or limit <= 0:
        return []
    wanted = None if kinds is None else frozenset(NodeKind(k).value for k in kinds)
    idx = index or ScanIndex(g)
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
    words = query.split()
    per_word = [idx.word_scores(w) for w in words]
    common = set(per_word[0]).intersection(*per_word[1:]) if per_word else set()
    for i in common:
        offer(i, _FUZZY_MAX * sum(s[i] for s in per_word) / (100.0 * len(words)))
    ranked = sorted(best.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))[:limit]
    return [SearchHit(nid, g.label(nid, lang), g.nx.nodes[nid]["kind"], round(score, 1))
            for nid, (score, _) in ranked]
