"""Parse cell values of the canonical format; each parser raises
``ValueError`` with a message meant for the load report.

>>> parse_date("31.10.2019")
DateSpan(start='2019-10-31', end=None)
>>> parse_date("2016–2017")
DateSpan(start='2016', end='2017')
>>> parse_number("1.234,56")
1234.56
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from graph.core.reference import Country, Land, resolve_country, resolve_land

__all__ = [
    "DateSpan",
    "parse_date",
    "parse_year",
    "parse_number",
    "parse_bool",
    "parse_land",
    "parse_country",
    "split_multi",
    "year_of",
    "looks_like_email",
]


@dataclass(frozen=True)
class DateSpan:
    """An ISO date of the precision given (``2019``, ``2019-10``, ``2019-10-31``),
    and the end when the cell held a range."""

    start: str
    end: str | None = None


_RANGE_SEP = re.compile(r"\s*(?:–|—|-|\bbis\b|\bto\b)\s*")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_GERMAN = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.](\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")


def _single_date(text: str) -> str:
    text = text.strip()
    if m := _ISO.match(text):
        return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    if m := _GERMAN.match(text):
        return dt.date(int(m[3]), int(m[2]), int(m[1])).isoformat()
    if m := _ISO_MONTH.match(text):
        return _month(int(m[1]), int(m[2]))
    if m := _MONTH_YEAR.match(text):
        return _month(int(m[2]), int(m[1]))
    if m := _YEAR.match(text):
        return m[1]
    # Excel and pandas sometimes write a time part
    try:
        return dt.datetime.fromisoformat(text).date().isoformat()
    except ValueError:
        pass
    raise ValueError("not a date (expected e.g. 2019-10-31, 31.10.2019, 2019 or 2016–2017)")


def _month(year: int, month: int) -> str:
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} out of range")
    return f"{year:04d}-{month:02d}"


def parse_date(value: object) -> DateSpan:
    """Parse a date or a date range as people write them."""
    if isinstance(value, dt.datetime):
        return DateSpan(value.date().isoformat())
    if isinstance(value, dt.date):
        return DateSpan(value.isoformat())
    if isinstance(value, int):
        value = str(value)
    text = str(value).strip()
    try:
        return DateSpan(_single_date(text))
    except ValueError:
        pass
    for sep in _RANGE_SEP.finditer(text):
        try:
            start, end = _single_date(text[: sep.start()]), _single_date(text[sep.end():])
        except ValueError:
            continue
        if end < start:
            raise ValueError("range ends before it starts")
        return DateSpan(start, end)
    return DateSpan(_single_date(text))  # raises with the explanatory message


def year_of(iso: str | None) -> int | None:
    """Year of an ISO date of any precision (``"2019-10"`` → 2019)."""
    return int(iso[:4]) if iso else None


def parse_year(value: object) -> int:
    """A year, or the year of a date."""
    year = year_of(parse_date(value).start)
    assert year is not None
    if not 1800 <= year <= 2100:
        raise ValueError(f"year {year} out of range")
    return year


_CURRENCY = re.compile(r"(€|eur(o)?|\s)", re.IGNORECASE)


def parse_number(value: object) -> float:
    """A non-negative number in German or English notation."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        text = _CURRENCY.sub("", str(value))
        if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", text) or re.fullmatch(r"\d+,\d+", text):
            text = text.replace(".", "").replace(",", ".")
        elif re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text):
            text = text.replace(",", "")
        try:
            number = float(text)
        except ValueError:
            raise ValueError("not a number") from None
    if number < 0:
        raise ValueError("must not be negative")
    return number


_TRUE = {"true", "yes", "ja", "1", "x", "wahr", "y", "j"}
_FALSE = {"false", "no", "nein", "0", "falsch", "n", ""}


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("not a yes/no value (expected true/false, ja/nein)")


def parse_land(value: object) -> Land:
    land = resolve_land(str(value))
    if land is None:
        raise ValueError(f"unknown Land {str(value)!r}")
    return land


def parse_country(value: object) -> Country:
    country = resolve_country(str(value))
    if country is None:
        raise ValueError(f"unknown country {str(value)!r}")
    return country


_MULTI_SPLIT = re.compile(r"\s*[;|\n]\s*")


def split_multi(value: object) -> list[str]:
    """Split a multi-valued cell on ``;`` (also ``|`` and newlines)."""
    if value is None:
        return []
    return [part for part in _MULTI_SPLIT.split(str(value).strip()) if part]


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def looks_like_email(value: str) -> bool:
    return bool(_EMAIL.match(value))
