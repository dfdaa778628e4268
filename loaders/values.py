"""Parse cell values of the canonical format; each parser raises
``ValueError`` with a message meant for the load report.

>>> parse_date("31.10.2019")
DateSpan(start='2019-10-31', end=None, note=None)
>>> parse_date("2016–2017")
DateSpan(start='2016', end='2017', note=None)
>>> parse_number("1.234,56")
1234.56
>>> parse_date("ca. 2018")
DateSpan(start='2018', end=None, note='approximate (ca.)')
>>> parse_date("Okt 2019").start, parse_date("Q3 2019").start, parse_date("2019/20")
('2019-10', '2019-07', DateSpan(start='2019', end='2020', note=None))
>>> parse_date(43831).start  # an Excel serial date in a General cell
'2020-01-01'
"""

from __future__ import annotations

import datetime as dt
import math
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
    #: How the value was read when it was not a plain date (``approximate (ca.)``,
    #: ``quarter Q3 read as its first month``); ``None`` for plain dates.
    note: str | None = None


_RANGE_SEP = re.compile(r"\s*(?:–|—|-|\bbis\b|\bto\b)\s*")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_GERMAN = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.](\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
_YEAR_SLASH = re.compile(r"^(\d{4})\s*/\s*(\d{2}|\d{4})$")  # 2019/20, 2019/2020
_QUARTER = re.compile(r"^(?:q\s*([1-4])|([1-4])\.?\s*(?:quartal|q|quarter))\s*[/.]?\s*(\d{4})$", re.IGNORECASE)
_MONTH_NAME = re.compile(r"^([a-zäöü]+)\.?\s*(\d{4})$", re.IGNORECASE)
_APPROX = re.compile(r"^(?:ca\.?|circa|etwa|ungefähr|approx\.?|about|um|vsl\.?|voraussichtlich|ab|seit|since|~)\s*", re.IGNORECASE)
_EXCEL_SERIAL = re.compile(r"^\d{5}(?:\.0+)?$")
#: Excel serial numbers taken as dates: 1 Jan 1960 … 31 Dec 2099.
EXCEL_SERIAL_RANGE = (21916, 73050)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MONTHS = {
    "jan": 1, "januar": 1, "january": 1, "jänner": 1, "feb": 2, "februar": 2, "february": 2, "mär": 3, "mar": 3,
    "märz": 3, "maerz": 3, "march": 3, "apr": 4, "april": 4, "mai": 5, "may": 5, "jun": 6, "juni": 6, "june": 6,
    "jul": 7, "juli": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "okt": 10,
    "oct": 10, "oktober": 10, "october": 10, "nov": 11, "november": 11, "dez": 12, "dec": 12, "dezember": 12,
    "december": 12,
}


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
    raise ValueError("not a date (expected e.g. 2019-10-31, 31.10.2019, 10/2019, Okt 2019, Q3 2019, 2019 or 2016–2017)")


def _month(year: int, month: int) -> str:
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} out of range")
    return f"{year:04d}-{month:02d}"


def _excel_serial(number: float) -> str:
    low, high = EXCEL_SERIAL_RANGE
    if not low <= number <= high:
        raise ValueError("not a date (a number that is neither a year nor an Excel date)")
    return (_EXCEL_EPOCH + dt.timedelta(days=int(number))).isoformat()


def _loose_date(text: str) -> DateSpan | None:
    """The forms beyond plain dates: ``Okt 2019``, ``Q3 2019``, ``2019/20``, Excel serials."""
    if m := _YEAR_SLASH.match(text):
        start = int(m[1])
        end = int(m[2]) if len(m[2]) == 4 else start // 100 * 100 + int(m[2])
        if end == start + 1:
            return DateSpan(str(start), str(end))
    if m := _QUARTER.match(text):
        quarter = int(m[1] or m[2])
        return DateSpan(_month(int(m[3]), quarter * 3 - 2), note=f"quarter Q{quarter} read as its first month")
    if m := _MONTH_NAME.match(text):
        month = _MONTHS.get(m[1].lower())
        if month:
            return DateSpan(_month(int(m[2]), month))
    if _EXCEL_SERIAL.match(text):
        return DateSpan(_excel_serial(float(text)), note="Excel serial date")
    return None


def parse_date(value: object) -> DateSpan:
    """Parse a date or a date range as people write them.

    Beyond plain dates: month names (``Okt 2019``), quarters (``Q3 2019``),
    school-year forms (``2019/20``), approximate dates (``ca. 2018``,
    ``seit 2019``; kept, with a note) and Excel serial numbers (a date in a
    General cell, 1960–2099).
    """
    if isinstance(value, dt.datetime):
        return DateSpan(value.date().isoformat())
    if isinstance(value, dt.date):
        return DateSpan(value.isoformat())
    if isinstance(value, bool):
        raise ValueError("not a date")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and value > 9999:
        return DateSpan(_excel_serial(value), note="Excel serial date")
    if isinstance(value, float):
        return DateSpan(_excel_serial(value), note="Excel serial date")
    if isinstance(value, int):
        value = str(value)
    text = str(value).strip()
    try:
        return DateSpan(_single_date(text))
    except ValueError:
        pass
    loose = _loose_date(text)
    if loose is not None:
        return loose
    if (m := _APPROX.match(text)) and m.end() < len(text):
        inner = parse_date(text[m.end():].strip())
        return DateSpan(inner.start, inner.end, note=f"approximate ({m[0].strip()})")
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


#: Larger amounts are taken as a typing error (the whole programme is far below).
MAX_AMOUNT = 1e12


def parse_number(value: object) -> float:
    """A non-negative, finite number in German or English notation, at most
    :data:`MAX_AMOUNT` (``inf``, ``nan`` and ``1e300`` are refused)."""
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, (int, float)):
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
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    if number < 0:
        raise ValueError("must not be negative")
    if number > MAX_AMOUNT:
        raise ValueError(f"implausibly large (more than {MAX_AMOUNT:,.0f})")
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
    first = re.split(r"[\s,;:(/.-]+", text, maxsplit=1)[0]  # "ja, schriftlich", "Nein (widerrufen)"
    if first in _TRUE - {"1", "x"}:
        return True
    if first in _FALSE - {""}:
        return False
    raise ValueError("not a yes/no value (expected true/false, ja/nein)")


def parse_land(value: object) -> Land:
    from loaders.vocabulary import resolve_land_loose

    land = resolve_land_loose(str(value))
    if land is None:
        raise ValueError(f"unknown Land {str(value)!r}")
    return land


def parse_country(value: object) -> Country:
    country = resolve_country(str(value))
    if country is None and "(" in str(value):  # "Ruanda (Partnerland)"
        country = resolve_country(re.sub(r"\s*\([^)]*\)\s*", " ", str(value)).strip())
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
