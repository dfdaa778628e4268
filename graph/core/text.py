"""Text normalisation for matching names typed by people.

``fold`` makes two spellings compare equal when they differ only in case,
umlaut transliteration (``ü``/``ue``), other accents, punctuation or spacing.

>>> fold("Baden-Wuerttemberg") == fold("baden-württemberg")
True
>>> fold("  Würzburg ")
'wuerzburg'
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from itertools import accumulate
from typing import Container, Sequence

__all__ = ["fold", "slugify", "Substrings"]

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def _strip_accents(text: str) -> str:
    if text.isascii():  # nothing to strip (most names, once umlauts are spelled out)
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Return a matching key: lower case, ``ä→ae`` etc., accents stripped,
    runs of anything but letters and digits collapsed to one space."""
    lowered = text.translate(_GERMAN).casefold()
    return _NON_ALNUM.sub(" ", _strip_accents(lowered)).strip()


def slugify(text: str) -> str:
    """Return an ASCII id fragment (``"TU Bergakademie Freiberg"`` → ``tu-bergakademie-freiberg``)."""
    return fold(text).replace(" ", "-")


class Substrings:
    """Folded texts searched for a folded substring in C: the texts joined
    into one string (by a character :func:`fold` never yields), one
    ``str.find`` per hit instead of a Python ``in`` per text — a picker over
    100,000 persons looked at each of them for a rare name (~100–300 ms).

    >>> found = Substrings(["p1", "p2", "p3"], [fold("Anna Weiß"), fold("Jürgen Weiss"), fold("Ana")])
    >>> found.first("weiss", 5), found.first("ana", 1), found.first("", 2, skip={"p1"}), found.first("x", 5)
    (['p1', 'p2'], ['p3'], ['p2', 'p3'], [])
    """

    SEPARATOR = "\n"

    def __init__(self, keys: Sequence[str], texts: Sequence[str]) -> None:
        self.keys = list(keys)
        parts = list(texts)  # folded: no separator inside, but where a caller splits one key's texts with it
        self.text = self.SEPARATOR.join(parts)
        self.starts = [0, *accumulate(len(t) + 1 for t in parts)][: len(parts)]

    def first(self, needle: str, limit: int, *, skip: Container[str] = ()) -> list[str]:
        """The keys of up to ``limit`` texts containing ``needle``, in order,
        leaving out those in ``skip``; every key for an empty ``needle``."""
        out: list[str] = []
        if limit <= 0:
            return out
        if not needle:
            for key in self.keys:
                if key not in skip:
                    out.append(key)
                    if len(out) >= limit:
                        break
            return out
        if self.SEPARATOR in needle:
            return out
        text, starts, keys = self.text, self.starts, self.keys
        pos = 0
        while True:
            hit = text.find(needle, pos)
            if hit < 0:
                return out
            k = bisect_right(starts, hit) - 1
            if keys[k] not in skip:
                out.append(keys[k])
                if len(out) >= limit:
                    return out
            pos = starts[k + 1] if k + 1 < len(starts) else len(text)
