"""The name index behind search: every searchable spelling of every node,
with postings that find names without scanning them all.

Layout (all built once per graph generation):

* ``names[i]`` — a folded spelling (``fold`` and the accent-dropping
  ``plain_key``) of node ``owners[i]``; numpy arrays give each name's length,
  kind code and the rank of its owner's id;
* ``vocabulary`` — every word of every name, in first-seen order, with CSR
  postings ``word → names`` (``word_ptr``/``word_names``);
* n-gram postings over the vocabulary (characters, distinct bigrams and
  trigrams for substring look-ups; bigrams numbered by occurrence for the
  fuzzy count filter);
* the names and the vocabulary sorted as strings, so that a prefix is one
  ``bisect`` range.

A query therefore touches only the words and names that share its letters.

>>> from graph.core.model import PartnerGraph
>>> g = PartnerGraph()
>>> _ = g.add_node("institution", "a", label="Stadtwerke Würzburg", source="s")
>>> idx = NameIndex(g)
>>> sorted(idx.vocabulary[t] for t in idx.tokens_containing("werk"))
['stadtwerke']
>>> [idx.names[i] for i in idx.names_with_prefix("stadt")]
['stadtwerke wuerzburg', 'stadtwerke wurzburg']
"""

from __future__ import annotations

import gc
import unicodedata
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from contextlib import contextmanager
from typing import Any, Iterable, Iterator

import numpy as np
from rapidfuzz import fuzz, process

from graph.core.kinds import key_of
from graph.core.model import PartnerGraph
from graph.core.text import fold

__all__ = ["NAME_ATTRS", "NameIndex", "Texts", "plain_key", "gather", "name_keys"]

#: Attributes whose values are searchable names (besides the node key).
NAME_ATTRS = ("label", "label_en", "name_de", "name_en", "iso2")

FUZZY_CUTOFF = 80.0   # rapidfuzz ratio of one query word against one name word
FUZZY_LIMIT = 200     # at most this many similar words per query word
MIN_FUZZY_LEN = 4

_EMPTY = np.zeros(0, dtype=np.int32)


def plain_key(text: str) -> str:
    """Second spelling key: accents dropped *before* folding, so that
    ``Müller`` also matches ``Muller`` (``fold`` gives ``mueller``)."""
    if text.isascii():
        return fold(text)
    decomposed = unicodedata.normalize("NFKD", text)
    return fold("".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def name_keys(node_id: str, attrs: dict) -> list[str]:
    """The folded spellings a node is found by — the keys :class:`NameIndex`
    holds for it (each name of :data:`NAME_ATTRS` and the id's key) — e.g.
    for a store's full-text index.

    >>> name_keys("institution:jmu", {"label": "Universität Würzburg"})
    ['universitaet wuerzburg', 'universitat wurzburg', 'jmu']
    """
    keys: list[str] = []
    for raw in [attrs.get(a) for a in NAME_ATTRS] + [key_of(node_id)]:
        if not isinstance(raw, str) or not raw:
            continue
        for key in ((fold(raw),) if raw.isascii() else (fold(raw), plain_key(raw))):
            if key and key not in keys:
                keys.append(key)
    return keys


def _after(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def gather(ptr: np.ndarray, items: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Concatenate CSR rows ``rows`` of (``ptr``, ``items``) without a Python loop.

    >>> gather(np.array([0, 2, 3, 5]), np.array([7, 8, 9, 10, 11]), np.array([2, 0]))
    array([10, 11,  7,  8])
    """
    if len(rows) == 0:
        return items[:0]
    starts = ptr[rows]
    counts = ptr[rows + 1] - starts
    total = int(counts.sum())
    if total == 0:
        return items[:0]
    offsets = np.cumsum(counts) - counts
    return items[np.repeat(starts - offsets, counts) + np.arange(total)]


def _csr(rows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(r) for r in rows])
    flat = np.fromiter((x for r in rows for x in r), dtype=np.int32, count=int(ptr[-1]))
    return ptr, flat


def _grams(word: str, n: int) -> set[str]:
    return {word[k:k + n] for k in range(len(word) - n + 1)}


def _numbered_bigrams(word: str) -> list[str]:
    """Bigrams numbered by occurrence (``banana`` → ``ba1 an1 na1 an2 na2``), so
    that the common entries of two words count their multiset intersection."""
    seen: dict[str, int] = {}
    out = []
    for k in range(len(word) - 1):
        gram = word[k:k + 2]
        seen[gram] = seen.get(gram, 0) + 1
        out.append(f"{gram}{seen[gram]}")
    return out


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while the index allocates its millions of
    (acyclic) strings and lists: on a loaded graph each full collection walks
    every graph object, and they would triple the build time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _postings(words: list[str], keys_of) -> dict[str, np.ndarray]:
    lists: dict[str, list[int]] = {}
    for t, word in enumerate(words):
        for key in keys_of(word):
            lists.setdefault(key, []).append(t)
    return {key: np.asarray(ids, dtype=np.int32) for key, ids in lists.items()}


class Texts(Sequence):
    """Many strings kept as one: ``texts[i]`` is the ``i``-th (a new string),
    :meth:`contains` searches one in place.

    A list of 200,000 names is 200,000 objects; every read of one writes its
    reference count, and in a forked worker that copies the page it lies on
    (with whatever else lies there). Here a read touches one string object.

    >>> t = Texts(["berlin", "", "wasser"])
    >>> len(t), t[0], t[1], t[2], t.contains(2, "ass"), t.contains(0, "ass")
    (3, 'berlin', '', 'wasser', True, False)
    >>> from bisect import bisect_left
    >>> bisect_left(Texts(["a", "b", "d"]), "c"), list(t)
    (2, ['berlin', '', 'wasser'])
    """

    __slots__ = ("_text", "_ends")

    def __init__(self, items: Iterable[str]):
        items = list(items)
        self._text = "".join(items)
        self._ends = array("q", [0])
        total = 0
        for item in items:
            total += len(item)
            self._ends.append(total)

    def __len__(self) -> int:
        return len(self._ends) - 1

    def __getitem__(self, i: int) -> str:  # type: ignore[override]  # no slices
        if not 0 <= i < len(self._ends) - 1:
            raise IndexError(i)
        return self._text[self._ends[i]:self._ends[i + 1]]

    def contains(self, i: int, part: str) -> bool:
        """Whether text ``i`` contains ``part``."""
        return self._text.find(part, self._ends[i], self._ends[i + 1]) >= 0

    def __getstate__(self) -> tuple[str, Any]:
        return self._text, self._ends

    def __setstate__(self, state: tuple[str, Any]) -> None:
        self._text, self._ends = state


class NameIndex:
    """Searchable spellings of every node of ``g`` and their postings."""

    def __init__(self, g: PartnerGraph):
        with _gc_paused():
            self._build(g)

    def _build(self, g: PartnerGraph) -> None:
        self.generation = g.generation
        self.names: Any = []  # list[str] while built, then Texts
        self.owners: list[str] = []
        kinds: list[str] = []
        word_ids: dict[str, int] = {}
        word_rows: list[list[int]] = []
        for nid, data in g.nx.nodes(data=True):
            seen: set[str] = set()
            kind = data.get("kind", "")
            for raw in [data.get(a) for a in NAME_ATTRS] + [key_of(nid)]:
                if not isinstance(raw, str) or not raw:
                    continue
                for key in ((fold(raw),) if raw.isascii() else (fold(raw), plain_key(raw))):
                    if not key or key in seen:
                        continue
                    seen.add(key)
                    i = len(self.names)
                    self.names.append(key)
                    self.owners.append(nid)
                    kinds.append(kind)
                    for word in dict.fromkeys(key.split()):
                        t = word_ids.setdefault(word, len(word_ids))
                        if t == len(word_rows):
                            word_rows.append([])
                        word_rows[t].append(i)
        self.vocabulary: Any = list(word_ids)
        self.word_ids = word_ids
        self.word_ptr, self.word_names = _csr(word_rows)
        self.word_len = np.fromiter(map(len, self.vocabulary), dtype=np.int32, count=len(self.vocabulary))
        self.name_len = np.fromiter(map(len, self.names), dtype=np.int32, count=len(self.names))
        # kinds as small codes; owners ranked as strings (the tie-break of the ranking)
        self.kind_names = sorted(set(kinds))
        code = {k: c for c, k in enumerate(self.kind_names)}
        self.kind_code = np.fromiter((code[k] for k in kinds), dtype=np.int16, count=len(kinds))
        owner_rank = {nid: r for r, nid in enumerate(sorted(set(self.owners)))}
        self.owner_rank = np.fromiter((owner_rank[o] for o in self.owners), dtype=np.int32, count=len(self.owners))
        # position of each name in (length, owner) order: a band lists its names in ranking order
        order = np.lexsort((self.owner_rank, self.name_len))
        self.rank_order = order.astype(np.int32)
        self.rank_of = np.empty(len(order), dtype=np.int32)
        self.rank_of[order] = np.arange(len(order), dtype=np.int32)
        # names and words sorted as strings: a prefix is one bisect range
        by_text = sorted(range(len(self.names)), key=self.names.__getitem__)
        self.names_sorted = [self.names[i] for i in by_text]
        self.names_sorted_ids = np.asarray(by_text, dtype=np.int32)
        self.sorted_pos = np.empty(len(by_text), dtype=np.int32)
        self.sorted_pos[self.names_sorted_ids] = np.arange(len(by_text), dtype=np.int32)
        by_word = sorted(range(len(self.vocabulary)), key=self.vocabulary.__getitem__)
        self.vocab_sorted = [self.vocabulary[t] for t in by_word]
        self.vocab_sorted_ids = np.asarray(by_word, dtype=np.int32)
        # n-gram postings over the vocabulary
        self.unigrams = _postings(self.vocabulary, set)
        self.trigrams = _postings(self.vocabulary, lambda w: _grams(w, 3))
        self.bigrams = _postings(self.vocabulary, _numbered_bigrams)  # "ab1" = contains "ab"
        # the texts packed (one string each list): a look-up reads them without touching an object
        # per name, so a forked worker copies no page it shares with the others
        self.names, self.vocabulary = Texts(self.names), Texts(self.vocabulary)
        self.names_sorted, self.vocab_sorted = Texts(self.names_sorted), Texts(self.vocab_sorted)

    # ------------------------------------------------------------ look-ups
    def __len__(self) -> int:
        return len(self.names)

    def names_with_prefix(self, prefix: str) -> np.ndarray:
        """Ids of the names starting with ``prefix``."""
        lo = bisect_left(self.names_sorted, prefix)
        hi = bisect_left(self.names_sorted, _after(prefix), lo)
        return self.names_sorted_ids[lo:hi]

    def prefix_range(self, prefix: str) -> tuple[int, int]:
        """Range of ``sorted_pos`` values of the names starting with ``prefix``."""
        lo = bisect_left(self.names_sorted, prefix)
        return lo, bisect_left(self.names_sorted, _after(prefix), lo)

    def words_with_prefix(self, prefix: str) -> np.ndarray:
        """Vocabulary ids of the words starting with ``prefix``."""
        lo = bisect_left(self.vocab_sorted, prefix)
        hi = bisect_left(self.vocab_sorted, _after(prefix), lo)
        return self.vocab_sorted_ids[lo:hi]

    def tokens_containing(self, part: str) -> np.ndarray:
        """Vocabulary ids of the words containing ``part`` (no spaces in it)."""
        if len(part) == 1:
            return self.unigrams.get(part, _EMPTY)
        if len(part) == 2:
            return self.bigrams.get(part + "1", _EMPTY)
        lists = [self.trigrams.get(gram) for gram in _grams(part, 3)]
        if any(x is None for x in lists):
            return _EMPTY
        lists.sort(key=len)
        found = lists[0]
        for other in lists[1:]:
            if len(found) == 0:
                break
            found = np.intersect1d(found, other, assume_unique=True)
        if len(part) == 3:
            return found
        contains = self.vocabulary.contains
        return np.asarray([t for t in found.tolist() if contains(t, part)], dtype=np.int32)

    def names_of_words(self, words: np.ndarray) -> np.ndarray:
        """Name ids (with repeats) of the names containing any of ``words``."""
        return gather(self.word_ptr, self.word_names, np.asarray(words, dtype=np.int64))

    def similar_words(self, word: str) -> list[tuple[int, float]]:
        """``(vocabulary id, rapidfuzz ratio)`` of up to ``FUZZY_LIMIT`` words
        with a ratio ≥ ``FUZZY_CUTOFF`` to ``word``, as ``process.extract`` over
        the whole vocabulary would return them.

        Only words that can reach the cutoff are scored: the ratio is the Indel
        similarity ``1 - d / (la + lb)``, so ``d ≤ (la + lb) / 5`` (with the
        parity of ``la + lb``), which bounds the length ``lb`` and the number of
        shared bigrams (``≥ (la + lb - 3d) / 2 - 1``, counted as multisets).
        The candidates keep vocabulary order, so ties and the limit fall as in
        the full scan.
        """
        la = len(word)
        longest = int(self.word_len.max()) if len(self.word_len) else 0
        need = np.full(longest + 1, np.iinfo(np.int32).max, dtype=np.int64)
        for lb in range(longest + 1):
            total = la + lb
            d = total // 5
            if (total - d) % 2:
                d -= 1
            if d < abs(la - lb):
                continue
            need[lb] = max(0, -(-(total - 3 * d - 2) // 2))
        lists = [self.bigrams[key] for key in _numbered_bigrams(word) if key in self.bigrams]
        counts = (np.bincount(np.concatenate(lists), minlength=len(self.vocabulary)) if lists
                  else np.zeros(len(self.vocabulary), dtype=np.int64))
        candidates = np.flatnonzero(counts >= need[self.word_len])
        if len(candidates) == 0:
            return []
        vocab = self.vocabulary
        choices = [vocab[t] for t in candidates.tolist()]
        found = process.extract(word, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=FUZZY_LIMIT)
        return [(int(candidates[k]), score) for _, score, k in found]

    def word_scores(self, word: str) -> np.ndarray:
        """Best score (0–100) of ``word`` against each name (dense, 0 = no
        similar word): 100 for a word starting with it, the rapidfuzz ratio of
        a similar word else."""
        out = np.zeros(len(self.names), dtype=np.float64)
        prefixed = self.names_of_words(self.words_with_prefix(word))
        out[prefixed] = 100.0
        if len(word) >= MIN_FUZZY_LEN:
            similar = self.similar_words(word)
            if similar:
                ids = np.asarray([t for t, _ in similar], dtype=np.int64)
                scores = np.asarray([s for _, s in similar], dtype=np.float64)
                counts = self.word_ptr[ids + 1] - self.word_ptr[ids]
                np.maximum.at(out, self.names_of_words(ids), np.repeat(scores, counts))
        return out
