"""Read an event's registration or attendance list (CSV or ``.xlsx``).

Such lists come from registration forms and sign-in sheets, not from our
format, so the columns are recognised by their usual names in German or
English (case, umlauts and punctuation ignored):

==============  =================================================================
``name``        Name, Teilnehmer/in, Person, Full name — or Vorname + Nachname
``email``       E-Mail, Mail, E-Mail-Adresse, Email address
``institution`` Institution, Organisation, Einrichtung, Behörde, Affiliation
``role``        Rolle, Role, Teilnahmeart (Vortrag, Teilnahme, Organisation …)
``status``      Status, Anmeldestatus (zugesagt, abgesagt, teilgenommen …)
==============  =================================================================

A row needs a name or an e-mail address; a row with neither is rejected with
an error naming file, sheet, row, column and value. Optional cells never cost
a row: an unknown role or status is a warning and the cell is read as empty.
Every data row is either in :attr:`ListFile.rows` or named in an error, so
``read == len(rows) + rejected``.

Text cells are cleaned as by the dataset reader (control characters,
``'=`` neutralisers), with its encodings, delimiters and workbook limits.

>>> data = "Vorname;Nachname;E-Mail;Organisation\\nJürgen;Müller;jm@example.org;HLfT\\n;;;\\n;;;nur Firma\\n".encode()
>>> lst = read_list(data, "anmeldungen.csv")
>>> [(r.number, r.name, r.email, r.institution) for r in lst.rows], lst.read, lst.rejected
([(2, 'Jürgen Müller', 'jm@example.org', 'HLfT')], 2, 1)
>>> print(lst.problems[0])
ERROR: anmeldungen.csv, Zeile/row 4, Spalte/column 'name': neither a name nor an e-mail address: the row cannot be matched to a person (value: 'nur Firma')
"""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from graph.core.errors import LoadError
from graph.core.labels import ATTENDANCE_ROLE, INVITATION_STATUS, resolve
from graph.core.text import fold
from graph.people.attendance import ListRow
from loaders.reading import (DELIMITERS, MAX_CELL_CHARS, RawTable, _excel_value, _records, _unneutralise,
                             check_xlsx_limits, clean_text, decode_bytes)
from loaders.report import Findings, Problem
from loaders.values import looks_like_email

__all__ = ["ListFile", "read_list", "COLUMNS", "MAX_LIST_BYTES", "MAX_LIST_ROWS"]

#: Largest list accepted, in bytes (a sign-in sheet, not a dataset).
MAX_LIST_BYTES = 10 * 1024 * 1024
#: Most data rows read from a list.
MAX_LIST_ROWS = 20_000

#: Column -> the header names that mean it (folded).
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "vollstaendiger name", "teilnehmer", "teilnehmerin", "teilnehmer in", "teilnehmende", "person",
             "full name", "participant", "attendee", "gast", "guest"),
    "first_name": ("vorname", "first name", "firstname", "given name"),
    "last_name": ("nachname", "familienname", "last name", "lastname", "surname", "family name"),
    "email": ("e mail", "email", "mail", "e mail adresse", "email adresse", "email address", "e mail address"),
    "institution": ("institution", "organisation", "organization", "einrichtung", "behoerde", "arbeitgeber",
                    "affiliation", "institution organisation", "organisation institution", "hochschule firma"),
    "role": ("rolle", "role", "teilnahmeart", "art der teilnahme"),
    "status": ("status", "anmeldestatus", "registration status", "rueckmeldung", "reply"),
}
_HEADER = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}


@dataclass
class ListFile(Findings):
    """A list as read: the usable rows and every finding."""

    file: str
    rows: list[ListRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    read: int = 0
    rejected: int = 0


def _cell(value: object) -> str:
    if value is None:
        return ""
    text, _changed = clean_text(str(value))
    return _unneutralise(text)


def _plan(lst: ListFile, where: str, header: list[object], row: int) -> dict[str, int] | None:
    """``{column: index}`` of a header row, or None when it names neither a name nor an e-mail column."""
    plan: dict[str, int] = {}
    for index, cell in enumerate(header):
        raw = _cell(cell)[:200]
        if not raw:
            continue
        column = _HEADER.get(fold(raw))
        if column is None:
            lst.problems.append(Problem("warning", where, row, raw, raw, "column not used (known: name, first and last "
                                        "name, e-mail, institution, role, status)"))
        elif column in plan:
            lst.problems.append(Problem("warning", where, row, raw, raw, f"a second '{column}' column is ignored"))
        else:
            plan[column] = index
    if "name" not in plan and "email" not in plan and not ("first_name" in plan or "last_name" in plan):
        return None
    return plan


def _add(lst: ListFile, where: str, plan: dict[str, int], number: int, record: list[object]) -> None:
    cells = {c: _cell(record[i]) if i < len(record) else "" for c, i in plan.items()}
    other = next((_cell(v) for v in record if _cell(v)), "")
    if not other:
        return  # an empty row: nothing to read
    lst.read += 1
    if len(lst.rows) + lst.rejected >= MAX_LIST_ROWS:
        lst.rejected += 1
        if lst.rejected == 1 or number % 1000 == 0:
            lst.problems.append(Problem("error", where, number, None, None,
                                        f"more than {MAX_LIST_ROWS:,} rows: this row and the rest are not read"))
        return
    too_long = [c for c, v in cells.items() if len(v) > min(MAX_CELL_CHARS, 2000)]
    if too_long:
        lst.rejected += 1
        lst.problems.append(Problem("error", where, number, too_long[0], cells[too_long[0]][:80] + "…",
                                    "cell longer than 2,000 characters; row rejected"))
        return
    name = cells.get("name") or " ".join(x for x in (cells.get("first_name"), cells.get("last_name")) if x)
    email = cells.get("email", "")
    if email and not looks_like_email(email):
        if not name:
            lst.rejected += 1
            lst.problems.append(Problem("error", where, number, "email", email,
                                        "not an e-mail address, and no name: the row cannot be matched to a person"))
            return
        lst.problems.append(Problem("warning", where, number, "email", email,
                                    "not an e-mail address: not used for matching (the name is)"))
        email = ""
    if not name and not email:
        lst.rejected += 1
        shown = next((v for v in cells.values() if v), "") or other
        lst.problems.append(Problem("error", where, number, "name", shown,
                                    "neither a name nor an e-mail address: the row cannot be matched to a person"))
        return
    role = ""
    if cells.get("role"):
        role = resolve(ATTENDANCE_ROLE, cells["role"]) or ""
        if not role:
            lst.problems.append(Problem("warning", where, number, "role", cells["role"],
                                        "unknown role (Vortrag, Teilnahme, Organisation): read as participant"))
    status = ""
    if cells.get("status"):
        status = resolve(INVITATION_STATUS, cells["status"]) or ""
        if not status:
            lst.problems.append(Problem("warning", where, number, "status", cells["status"],
                                        "unknown status (zugesagt, abgesagt, teilgenommen): the list's kind decides"))
    lst.rows.append(ListRow(number, name, email or None, cells.get("institution", ""), role, status))


def _no_header(where: str) -> Problem:
    return Problem("error", where, None, None, None,
                   "no header row naming a name or an e-mail column (e.g. Name, Vorname + Nachname, E-Mail)")


def _read_csv(data: bytes, filename: str) -> ListFile:
    lst = ListFile(filename)
    text, _encoding, bad_lines = decode_bytes(data)
    if bad_lines:
        lst.problems.append(Problem("warning", filename, None, None, None,
                                    f"{len(bad_lines)} line(s) not UTF-8, read as Windows-1252: check the umlauts"))
    if len(text) + 1 > csv.field_size_limit():
        csv.field_size_limit(len(text) + 1)  # a cell over the limit rejects its row below, with a clear error
    first = next((line for line in io.StringIO(text, newline="") if line.strip()), "")

    def known(delimiter: str) -> int:
        cells = next(csv.reader([first], delimiter=delimiter), [])
        return sum(1 for c in cells if fold(c) in _HEADER)

    delimiter = max(DELIMITERS, key=known)  # first of the best on a tie
    plan = None
    width = len(next(csv.reader([first], delimiter=delimiter), []))
    scratch = RawTable("contacts", filename, [])  # the dataset reader's record splitter (repairs runaway quotes)
    for number, item in enumerate(_records(scratch, text, delimiter, width), start=1):
        line, record = item[0], item[1]
        if len(item) == 3:
            lst.problems.append(Problem("warning", filename, number, None, None,
                                        f"a quote opened on line {line} is not closed before the following records; "
                                        "this line was read without treating quotes specially, the next lines as rows "
                                        "of their own"))
        if plan is None:
            if not "".join(record).strip():
                continue
            plan = _plan(lst, filename, record, number)
            if plan is None:
                lst.problems.append(_no_header(filename))
                return lst
            continue
        _add(lst, filename, plan, number, record)
    if plan is None:
        lst.problems.append(_no_header(filename))
    return lst


def _read_xlsx(data: bytes, filename: str) -> ListFile:
    import openpyxl  # only xlsx users pay for it

    lst = ListFile(filename)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "list.xlsx"
        path.write_bytes(data)
        try:
            check_xlsx_limits(path)
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except LoadError as exc:
            raise LoadError(str(exc).replace(str(path), filename)) from None
        except Exception as exc:  # openpyxl raises many types for broken files
            raise LoadError(f"{filename}: not a readable .xlsx workbook ({type(exc).__name__})") from None
        try:
            used = None
            for ws in wb.worksheets:
                where = f"{filename}#{ws.title}"
                if used is not None:
                    lst.problems.append(Problem("warning", where, None, None, None,
                                                f"sheet not read: the list was read from sheet '{used}'"))
                    continue
                ws.reset_dimensions()
                plan = None
                for number, cells in enumerate(ws.iter_rows(values_only=True), start=1):
                    values = [_excel_value(c) for c in cells]
                    if plan is None:
                        if all(v is None or str(v).strip() == "" for v in values):
                            continue
                        plan = _plan(lst, where, values, number)
                        if plan is None:
                            break
                        used = ws.title
                        continue
                    _add(lst, where, plan, number, values)
                if plan is None:
                    lst.problems.append(Problem("warning", where, None, None, None,
                                                "sheet not read: no header naming a name or an e-mail column"))
        finally:
            wb.close()
    if used is None:
        lst.problems.append(_no_header(filename))
    return lst


def read_list(data: bytes, filename: str) -> ListFile:
    """Read a registration or attendance list from its bytes (``filename``
    tells the format and names the file in every finding).

    Raises :class:`~graph.core.errors.LoadError` for a file that cannot be
    read at all (unknown format, too large, not a workbook)."""
    filename = Path(filename or "list").name or "list"
    if len(data) > MAX_LIST_BYTES:
        raise LoadError(f"{filename}: {len(data) / 1e6:,.1f} MB, more than the limit of {MAX_LIST_BYTES / 1e6:,.0f} MB "
                        "for a list")
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(data, filename)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(data, filename)
    raise LoadError(f"{filename}: unknown format {suffix or '(none)'} (expected .xlsx or .csv)")
