"""Spreadsheet safety for every file we export (CSV, Excel).

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return can be run as a formula by Excel or LibreOffice (CSV/formula
injection). :func:`neutralise` prefixes such text with an apostrophe, which
spreadsheets show as plain text; text that merely contains ``=`` stays as is.

>>> neutralise("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> neutralise("a=b"), neutralise("-2"), neutralise(0.5)
('a=b', "'-2", 0.5)
"""

from __future__ import annotations

from typing import Any

__all__ = ["FORMULA_PREFIXES", "neutralise"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run;
    anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
