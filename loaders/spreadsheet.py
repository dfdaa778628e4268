"""Safety of every file we export (CSV, Excel, XML formats, vCard).

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return can be run as a formula by Excel or LibreOffice (CSV/formula
injection). :func:`neutralise` prefixes such text with an apostrophe, which
spreadsheets show as plain text; text that merely contains ``=`` stays as is.

The canonical tables are read back by our own loader, which drops one leading
``'`` before ``= + - @`` (see :mod:`loaders.reading`). So that export → import
is exact, :func:`neutralise_canonical` also prefixes text that already starts
with apostrophes before such a character (``'=x`` → ``''=x`` → read ``'=x``).

:func:`xml_safe` removes the characters XML 1.0 (GraphML, GEXF, ``.xlsx``)
cannot hold: control characters other than tab, newline and carriage return,
lone surrogates, U+FFFE and U+FFFF.

>>> neutralise("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> neutralise("a=b"), neutralise("-2"), neutralise(0.5)
('a=b', "'-2", 0.5)
>>> neutralise_canonical("'=x"), neutralise_canonical("'quoted'")
("''=x", "'quoted'")
>>> xml_safe("Stadt\\x0bwerke\\x00")
'Stadtwerke'
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["FORMULA_PREFIXES", "neutralise", "neutralise_canonical", "xml_safe", "excel_cell", "EXCEL_MAX_CELL"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: Excel holds at most this many characters in a cell; longer text is cut with a marker.
EXCEL_MAX_CELL = 32_767

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_CANONICAL_FORMULA = re.compile(r"^'*[=+\-@\t\r]")


def neutralise(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run;
    anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_canonical(value: Any) -> Any:
    """Like :func:`neutralise`, and also for text whose leading apostrophes come
    before a formula character, so that the loader's undoing is exact."""
    if isinstance(value, str) and _CANONICAL_FORMULA.match(value):
        return "'" + value
    return value


def xml_safe(value: Any) -> Any:
    """Text without the characters XML 1.0 cannot hold; anything else unchanged."""
    if isinstance(value, str) and _XML_ILLEGAL.search(value):
        return _XML_ILLEGAL.sub("", value)
    return value


def excel_cell(value: Any, *, canonical: bool = False) -> Any:
    """A value ready for an ``.xlsx`` cell: XML-safe, neutralised, at most
    :data:`EXCEL_MAX_CELL` characters."""
    value = xml_safe(value)
    value = neutralise_canonical(value) if canonical else neutralise(value)
    if isinstance(value, str) and len(value) > EXCEL_MAX_CELL:
        marker = f" … [cut: {len(value):,} characters]"
        value = value[: EXCEL_MAX_CELL - len(marker)] + marker
    return value
