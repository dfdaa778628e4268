"""Export a list of persons (a guest list, finder results) as Excel, CSV or vCard.

Only persons with consent ever leave: :func:`contact_rows` raises
:class:`~graph.people.privacy.PrivacyError` for a masked person. Every spreadsheet
cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is
neutralised with a leading apostrophe (spreadsheet formula injection, see
OWASP "CSV Injection"); a ``=`` inside a cell is harmless and stays. CSV is
UTF-8 with BOM so that Excel shows umlauts, with ``;`` (German Excel) or
``,`` as separator. vCard 3.0 (RFC 2426) values are escaped as the format
requires.

>>> neutralise("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> neutralise("a=b"), neutralise(42)
('a=b', 42)
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from graph.core.labels import SECTOR
from graph.core.labels import label as domain_label
from graph.people.contacts import ContactIndex, merge_note
from graph.core.errors import PartnernetzError
from graph.people.privacy import PrivacyError
from loaders.spreadsheet import FORMULA_PREFIXES, excel_cell, neutralise, xml_safe

__all__ = ["FORMULA_PREFIXES", "neutralise", "COLUMNS", "contact_rows", "to_csv", "to_xlsx", "to_vcard",
           "export_contacts", "CONTACT_FORMATS", "split_name", "NameParts"]

#: Export formats: name -> (file suffix, MIME type).
CONTACT_FORMATS = {
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": (".csv", "text/csv"),
    "vcf": (".vcf", "text/vcard"),
}

#: (key, German header, English header) of the exported columns.
COLUMNS = (
    ("name", "Name", "Name"),
    ("institution", "Institution", "Institution"),
    ("sector", "Sektor", "Sector"),
    ("land", "Land", "Land"),
    ("role", "Funktion", "Role"),
    ("email", "E-Mail", "E-mail"),
    ("languages", "Sprachen", "Languages"),
    ("themes", "Themen", "Themes"),
    ("partner_countries", "Partnerland-Erfahrung", "Partner-country experience"),
    ("note", "Hinweis", "Note"),
)


def contact_rows(index: ContactIndex, person_ids: Iterable[str], lang: str = "de") -> list[dict[str, str]]:
    """One row per person (keys: :data:`COLUMNS`), in the given order.

    Raises :class:`PrivacyError` when a person has no consent (masked).
    """
    rows = []
    for pid in person_ids:
        p = index.persons[index.record_to_person.get(pid, pid)]
        if p.masked:
            raise PrivacyError(f"{pid} has no consent and is never exported")
        rows.append({
            "id": p.id,
            "name": p.name,
            "institution": "; ".join(p.institution_labels),
            "sector": "; ".join(domain_label(SECTOR, s, lang) for s in p.sectors),
            "land": "; ".join(index.label(f"land:{c}", lang) for c in p.laender),
            "role": p.role,
            "email": p.email or "",
            "languages": ", ".join(p.languages),
            "themes": "; ".join(index.label(t, lang) for t in p.themes),
            "partner_countries": "; ".join(index.label(c, lang) for c in index.partner_countries(p)),
            "note": merge_note(p, index, lang),
        })
    return rows


def _headers(lang: str) -> list[str]:
    return [en if lang == "en" else de for _, de, en in COLUMNS]


def _table(rows: Sequence[dict[str, str]], lang: str) -> list[list[Any]]:
    return [_headers(lang)] + [[neutralise(xml_safe(r.get(key, ""))) for key, _, _ in COLUMNS] for r in rows]


def to_csv(rows: Sequence[dict[str, str]], *, delimiter: str = ";", lang: str = "de") -> bytes:
    """CSV bytes, UTF-8 with BOM, every cell neutralised."""
    if delimiter not in (";", ","):
        raise PartnernetzError(f"CSV separator must be ';' or ',', not {delimiter!r}")
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(_table(rows, lang))
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(rows: Sequence[dict[str, str]], *, lang: str = "de", title: str = "Gästeliste") -> bytes:
    """An Excel workbook (one sheet, header row frozen), every cell neutralised
    and stored as text."""
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    for r, row in enumerate(_table(rows, lang), start=1):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            cell.value = excel_cell(value)  # XML-safe, at most Excel's cell size
            cell.data_type = "s"  # text, never a formula
    ws.freeze_panes = "A2"
    for c, (key, _, _) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = {"name": 26, "institution": 40, "email": 32, "note": 50}.get(key, 18)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _vcard_escape(text: str) -> str:
    text = xml_safe(text)  # no control characters in a card
    return (text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


#: Languages whose speakers usually carry two family names (paternal and
#: maternal: "Rosa Quispe Huamaní" is Rosa of the family Quispe Huamaní).
TWO_SURNAME_LANGUAGES = frozenset({"es", "pt", "qu", "ay", "gn"})


@dataclass(frozen=True)
class NameParts:
    """The five parts of a vCard ``N`` value (RFC 2426 3.1.2)."""

    family: str
    given: str
    additional: str = ""
    prefix: str = ""
    suffix: str = ""

    def vcard(self) -> str:
        return ";".join(_vcard_escape(p) for p in (self.family, self.given, self.additional, self.prefix, self.suffix))


def split_name(name: str, languages: Iterable[str] = ()) -> NameParts:
    """Split a person's name into vCard parts with :mod:`nameparser` (titles,
    particles such as "von der", "Family, Given" order, suffixes), plus two
    rules it does not know: text after ``;`` is a title or suffix ("Müller,
    Anna; Dr."), and for speakers of Spanish, Portuguese, Quechua, Aymara or
    Guaraní a middle name is the first of two family names.

    >>> split_name("Rosa Quispe Huamaní", ["es", "qu"])
    NameParts(family='Quispe Huamaní', given='Rosa', additional='', prefix='', suffix='')
    >>> split_name("Müller, Anna; Dr.")
    NameParts(family='Müller', given='Anna', additional='', prefix='Dr.', suffix='')
    >>> split_name("Prof. Dr. Hans-Peter von der Heide")
    NameParts(family='von der Heide', given='Hans-Peter', additional='', prefix='Prof. Dr.', suffix='')
    """
    from nameparser import HumanName

    head, *tail = [part.strip() for part in (name or "").split(";")]
    parsed = HumanName(head)
    prefix, suffix = [parsed.title] if parsed.title else [], [parsed.suffix] if parsed.suffix else []
    for extra in filter(None, tail):
        as_title = HumanName(f"{extra} X Y")  # is the piece a known title (Dr., Prof. …)?
        (prefix if as_title.title == extra else suffix).append(extra)
    family, additional = parsed.last, parsed.middle
    if additional and {lang.strip().lower()[:2] for lang in languages} & TWO_SURNAME_LANGUAGES:
        family, additional = f"{additional} {family}".strip(), ""
    if not parsed.first and not family:
        family = head
    return NameParts(family, parsed.first, additional, " ".join(prefix), ", ".join(suffix))


def to_vcard(rows: Sequence[dict[str, str]]) -> bytes:
    """vCard 3.0, one card per person (FN, N, ORG, TITLE, EMAIL, NOTE); the
    name is split by :func:`split_name`."""
    out = []
    for r in rows:
        name = r.get("name", "")
        languages = [x for x in str(r.get("languages", "")).replace(";", ",").split(",") if x.strip()]
        card = ["BEGIN:VCARD", "VERSION:3.0",
                f"FN:{_vcard_escape(name)}",
                f"N:{split_name(name, languages).vcard()}"]
        if r.get("institution"):
            card.append(f"ORG:{_vcard_escape(r['institution'])}")
        if r.get("role"):
            card.append(f"TITLE:{_vcard_escape(r['role'])}")
        if r.get("email"):
            card.append(f"EMAIL;TYPE=INTERNET:{_vcard_escape(r['email'])}")
        if r.get("note"):
            card.append(f"NOTE:{_vcard_escape(r['note'])}")
        card.append("END:VCARD")
        out.append("\r\n".join(card))
    return ("\r\n".join(out) + "\r\n").encode("utf-8")


def export_contacts(index: ContactIndex, person_ids: Iterable[str], fmt: str, *, lang: str = "de",
                    delimiter: str = ";", basename: str | None = None) -> tuple[bytes, str, int]:
    """Export persons as ``fmt`` (``xlsx``, ``csv``, ``vcf``): ``(content, filename, rows)``.

    The file is named ``basename`` plus the format's suffix; by default
    ``gaesteliste`` in German and ``guest-list`` in English."""
    if fmt not in CONTACT_FORMATS:
        raise PartnernetzError(f"unknown contact export format {fmt!r}; use one of {', '.join(CONTACT_FORMATS)}")
    rows = contact_rows(index, person_ids, lang)
    if fmt == "xlsx":
        content = to_xlsx(rows, lang=lang)
    elif fmt == "csv":
        content = to_csv(rows, delimiter=delimiter, lang=lang)
    else:
        content = to_vcard(rows)
    if basename is None:
        basename = "guest-list" if lang == "en" else "gaesteliste"
    return content, basename + CONTACT_FORMATS[fmt][0], len(rows)
