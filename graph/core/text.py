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

__all__ = ["fold", "slugify"]

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
