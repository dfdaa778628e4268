"""Read raw tables from a folder of CSV files or one ``.xlsx`` workbook.

Handles what real files look like, and proves it lost nothing on the way:

- encodings: UTF-8 with or without BOM, Windows-1252 (German Excel "CSV"),
  a mostly-UTF-8 file with a few Windows-1252 lines (decoded per line, with a
  warning naming the lines), UTF-16 with or without BOM;
- delimiters ``,`` ``;`` tab and ``|``, chosen by which one makes the header
  name the table's columns; when none does, the message lists what was tried;
- quoted fields with newlines; a quote that runs past the end of its line
  into the following records is detected, reported with the row where it
  started, and that line is read again without quotes;
- table and column names in English or German (``Institutionen``,
  ``Bundesland``), case and surrounding spaces ignored; two files or sheets
  for one table are an error naming both; unused files and sheets, unknown,
  duplicate and extra columns and merged cells are warnings;
- hostile input is bounded: control characters are removed (warning), a cell
  over :data:`MAX_CELL_CHARS` rejects its row, files and workbooks over the
  limits below are refused before they are expanded.

Row numbers are the ones a user sees in Excel: the header is row 1, a record
with quoted newlines is one row.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import re
import zipfile
from operator import itemgetter
from dataclasses import dataclass, field
from pathlib import Path

from graph.core.errors import LoadError
from loaders.report import Problem
from loaders.schema import TABLES
from loaders.vocabulary import TABLE_ALIASES, canonical_column, canonical_table

__all__ = [
    "RawTable",
    "RawDataset",
    "read_dataset",
    "read_csv_table",
    "read_xlsx",
    "decode_bytes",
    "DELIMITERS",
    "MAX_CELL_CHARS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "XLSX_MAX_UNCOMPRESSED",
    "XLSX_MAX_SHARED_STRINGS_BYTES",
    "XLSX_MAX_SHARED_STRINGS",
    "XLSX_MAX_RATIO",
    "clean_text",
]

#: Largest cell accepted, in characters (1 MB of text); a larger cell rejects its row.
MAX_CELL_CHARS = 1_000_000
#: Largest CSV file read, in bytes.
MAX_FILE_BYTES = 200 * 1024 * 1024
#: Most data rows read per table (the rest is an error, never silently dropped).
MAX_ROWS = 2_000_000
#: A workbook's parts may expand to at most this many bytes in total …
XLSX_MAX_UNCOMPRESSED = 1024 * 1024 * 1024
#: … its shared-string table (held in memory whole) to at most this many bytes …
XLSX_MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024
#: … and hold at most this many strings …
XLSX_MAX_SHARED_STRINGS = 2_000_000
#: … and no part above 10 MB may expand more than this factor (a "zip bomb").
XLSX_MAX_RATIO = 200

#: Delimiters tried, in order of preference on a tie.
DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma ','", ";": "semicolon ';'", "\t": "tab", "|": "pipe '|'"}
#: File suffixes read as delimited text.
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")

# Control characters a text cell may not hold (tab and newline may); also what XML 1.0 refuses.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff\ud800-\udfff]")
_NEUTRALISED = re.compile(r"^'+[=+\-@]")  # the export's leading ' before a formula character


@dataclass
class RawTable:
    """A table as read: canonical header names and rows of stripped cell values.

    ``problems`` are the reader's findings for this table (warnings);
    ``row_errors`` the rows the reader itself must reject (``{row: [(column,
    value, message)]}``); ``shadowed_rows`` counts the data rows of a second
    file or sheet for the same table, which was not loaded (an error names it).
    """

    name: str
    file: str
    header: list[str]
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    encoding: str = "utf-8"
    problems: list[Problem] = field(default_factory=list)
    row_errors: dict[int, list[tuple[str | None, object, str]]] = field(default_factory=dict)
    shadowed_rows: int = 0

    def warn(self, row: int | None, column: str | None, value: object, message: str) -> None:
        self.problems.append(Problem("warning", self.file, row, column, _shown(value), message))

    def error(self, row: int | None, column: str | None, value: object, message: str) -> None:
        self.problems.append(Problem("error", self.file, row, column, _shown(value), message))


class RawDataset(dict):
    """``{table name: RawTable}`` plus the dataset-level findings in ``problems``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.problems: list[Problem] = []


def _shown(value: object, limit: int = 200) -> str | None:
    """A value as the report shows it: at most ``limit`` characters."""
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text):,} characters)"


# ------------------------------------------------------------------ text cells
def clean_text(value: str) -> tuple[str, bool]:
    """``(text, changed)``: control characters removed, ``\\r\\n``/``\\r`` → ``\\n``,
    surrounding space stripped.

    >>> clean_text(" Stadt\\x0bwerke ")
    ('Stadtwerke', True)
    """
    text = value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value
    cleaned = _CONTROL.sub("", text)
    return cleaned.strip(), cleaned != text


def _unneutralise(value: str) -> str:
    """The text before the export's neutraliser: ``'=x`` → ``=x`` (one ``'`` only)."""
    return value[1:] if _NEUTRALISED.match(value) else value


class _CellCleaner:
    """Cleans the cells of one table and records what it changed."""

    def __init__(self, table: RawTable, check_control: bool = True, check_quote: bool = True,
                 text_only: bool = False, control_chars: bool = True):
        self.table = table
        self.check_control = check_control
        self.check_quote = check_quote
        #: every cell is a ``str`` (a delimited text file, not a workbook) …
        self.text_only = text_only
        #: … and the file may hold control characters (else only a ``\r`` needs cleaning)
        self.control_chars = control_chars
        self._plan: list[tuple[str, int]] | None = None

    def plan_width(self, plan: list[tuple[str, int]]) -> int:
        """How many cells a record needs to hold every column of ``plan``; prepares
        :attr:`plan_columns` and :attr:`plan_getter` (the cells of those columns, in order)."""
        if plan is not self._plan:
            self._plan = plan
            self.plan_columns = [column for column, _ in plan]
            indexes = [index for _, index in plan]
            self.plan_getter = (lambda record: ()) if not indexes else (
                (lambda record, i=indexes[0]: (record[i],)) if len(indexes) == 1 else itemgetter(*indexes))
            self._width = max(indexes, default=-1) + 1
        return self._width

    def cell(self, row: int, column: str, value: object) -> object:
        if not isinstance(value, str):
            return value
        if self.check_control:
            value, changed = clean_text(value)
            if changed and _CONTROL.search(value) is None and value != "":
                self.table.warn(row, column, _CONTROL.sub("", value),
                                "control characters removed from the text")
            elif changed and value == "":
                self.table.warn(row, column, None, "cell held only control characters; read as empty")
        else:
            value = value.strip()
        if len(value) > MAX_CELL_CHARS:
            self.table.row_errors.setdefault(row, []).append(
                (column, value[:80], f"cell holds {len(value):,} characters, more than the limit of "
                                     f"{MAX_CELL_CHARS:,}; row rejected"))
            return ""
        if self.check_quote and value[:1] == "'":
            value = _unneutralise(value)
        return value


# ------------------------------------------------------------------ encodings
def _looks_utf16(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def decode_bytes(data: bytes) -> tuple[str, str, list[int]]:
    """Decode file bytes; returns ``(text, encoding, lines)`` where ``lines``
    are the 1-based physical lines that were not UTF-8 in an otherwise UTF-8
    file and were read as Windows-1252.

    Tried in order: a UTF-8 or UTF-16 byte-order mark; UTF-16 recognised by
    its zero bytes; UTF-8; per line UTF-8 else Windows-1252.

    >>> decode_bytes("Müller".encode("cp1252"))[:2]
    ('Müller', 'cp1252')
    >>> decode_bytes("a\\nMüller\\n".encode() + "Müller".encode("cp1252"))
    ('a\\nMüller\\nMüller', 'utf-8 with cp1252 lines', [3])
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        bom = True
    else:
        bom = False
    if not bom and data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace"), "utf-16", []
    if not bom and (utf16 := _looks_utf16(data)):
        return data.decode(utf16, errors="replace"), utf16, []
    try:
        return data.decode("utf-8"), "utf-8-sig" if bom else "utf-8", []
    except UnicodeDecodeError:
        pass
    parts, bad, good_non_ascii = [], [], 0
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            text = line.decode("utf-8")
            if not line.isascii():
                good_non_ascii += 1
        except UnicodeDecodeError:
            text = line.decode("cp1252", errors="replace")
            bad.append(number)
        parts.append(text)
    if good_non_ascii == 0 and not bom:  # a Windows-1252 file throughout
        return data.decode("cp1252", errors="replace"), "cp1252", []
    return "\n".join(parts), "utf-8 with cp1252 lines", bad


# ------------------------------------------------------------------ delimiters
def _header_cells(text: str, delimiter: str) -> list[str]:
    first = next((m[0] for m in _LINE.finditer(text) if m[0].strip()), "")  # lazily: no copy of a large file
    return next(csv.reader([first], delimiter=delimiter), [])


def choose_delimiter(text: str, table: str) -> tuple[str, bool]:
    """The delimiter whose header names most of ``table``'s columns, and
    whether any delimiter named one at all."""
    best, best_score = ",", (-1, -1)
    for delimiter in DELIMITERS:
        cells = _header_cells(text, delimiter)
        known = sum(1 for c in cells if canonical_column(table, c) is not None)
        score = (known, len(cells) if len(cells) > 1 else 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best, best_score[0] > 0


# ------------------------------------------------------------------ CSV records
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r|$)")


def _split_lines(text: str) -> list[str]:
    lines = _LINE.findall(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _runaway(lines: list[str], start: int, end: int, record: list[str], delimiter: str, width: int,
             at_end: bool) -> bool:
    """Did a quote opened on line ``start`` swallow following records?

    Yes when the record's lines hold an odd number of quote characters and it
    ran to the end of the file (never closed), or when a field spanning lines
    holds a line that looks like a whole record of its own (``width - 1``
    delimiters or more).
    """
    span = "".join(lines[start:end])
    if at_end and span.count('"') % 2 == 1:
        return True
    if width < 3:
        return False
    for value in record:
        if "\n" in value or "\r" in value:
            inner = re.split(r"\r\n|\n|\r", value)[1:]
            if any(part.count(delimiter) >= width - 1 for part in inner):
                return True
    return False


def _records(table: RawTable, text: str, delimiter: str, width_hint: int):
    """Yield ``(first physical line, fields)``, repairing runaway quotes."""
    lines = _split_lines(text)
    position = 0
    while position < len(lines):
        reader = csv.reader(itertools.islice(lines, position, None), delimiter=delimiter)
        consumed = 0
        restart = None
        for record in reader:
            start, end = position + consumed, position + reader.line_num
            consumed = reader.line_num
            if end - start > 1 and _runaway(lines, start, end, record, delimiter, width_hint, end >= len(lines)):
                restart = start
                break
            yield start + 1, record
        if restart is None:
            return
        literal = next(csv.reader([lines[restart]], delimiter=delimiter, quoting=csv.QUOTE_NONE), [])
        yield restart + 1, literal, "runaway"
        position = restart + 1


def _header_plan(table: RawTable, cells: list[object], row: int = 1) -> list[tuple[str, int]]:
    """Map header cells to canonical columns; warn about unknown and duplicate
    columns. Returns ``[(column, index)]`` for the columns read (first wins)."""
    plan: list[tuple[str, int]] = []
    seen: dict[str, int] = {}
    header: list[str] = []
    known = TABLES[table.name].column_names
    for index, cell in enumerate(cells):
        raw = "" if cell is None else str(cell).strip()
        raw, _ = clean_text(raw)
        if raw == "":
            header.append("")
            continue
        column = canonical_column(table.name, raw)
        if column is None:
            table.warn(row, raw, raw, f"unknown column ignored (known: {', '.join(known)})")
            header.append(raw.lower())
            continue
        if column in seen:
            table.warn(row, column, raw, f"column '{column}' appears twice (columns {_col_letter(seen[column])} and "
                                       f"{_col_letter(index)}); the first ({_col_letter(seen[column])}) is used, "
                                       f"{_col_letter(index)} is ignored")
            header.append(raw.lower())
            continue
        seen[column] = index
        plan.append((column, index))
        header.append(column)
    while header and header[-1] == "":
        header.pop()
    table.header = header
    return plan


def _col_letter(index: int) -> str:
    letters, n = "", index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _add_row(table: RawTable, plan: list[tuple[str, int]], width: int, number: int, record: list[object],
             cleaner: _CellCleaner) -> None:
    if len(record) > width:
        extra = [v for v in record[width:] if v is not None and str(v).strip() != ""]
        if extra:
            table.warn(number, None, " | ".join(str(v) for v in extra)[:200],
                       f"row has {width + len(record[width:])} cells but the header only {width} columns; "
                       f"the {len(record) - width} extra cell(s) are ignored (an unquoted delimiter in a value?)")
    count = len(record)
    joined = "".join(record) if cleaner.text_only and not cleaner.control_chars else None
    if joined is not None and len(joined) <= MAX_CELL_CHARS and "\r" not in joined:
        # text cells that need no cleaning beyond stripping (the usual CSV file), none over the limit
        if count >= cleaner.plan_width(plan):
            row = dict(zip(cleaner.plan_columns, map(str.strip, cleaner.plan_getter(record))))
        else:
            row = {column: record[index].strip() for column, index in plan if index < count}
        if cleaner.check_quote:
            for column, value in row.items():
                if value[:1] == "'":
                    row[column] = _unneutralise(value)
    else:
        row = {}
        for column, index in plan:
            if index < count:
                row[column] = cleaner.cell(number, column, record[index])
    table.rows.append((number, row))
    if len(table.rows) > MAX_ROWS:
        raise LoadError(f"{table.file}: more than {MAX_ROWS:,} rows; split the table")


def _csv_rows(table: RawTable, text: str, delimiter: str, cleaner: _CellCleaner) -> None:
    header_seen = False
    plan: list[tuple[str, int]] = []
    width = 0
    for number, item in enumerate(_records(table, text, delimiter, len(_header_cells(text, delimiter))), start=1):
        line, record = item[0], item[1]
        if len(item) == 3:
            table.warn(number, None, None,
                       f"a quote opened on line {line} (row {number}) is not closed before the following records; "
                       "this line was read without treating quotes specially, the next lines as rows of their own")
        if not "".join(record).strip():
            continue
        if not header_seen:
            header_seen = True
            plan = _header_plan(table, record, number)
            width = max(len(record), len(table.header))
            continue
        _add_row(table, plan, width, number, record, cleaner)


def read_csv_table(path: Path, name: str) -> RawTable:
    """Read one delimited text file into a :class:`RawTable`."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise LoadError(f"{path}: file is {size / 1e6:,.0f} MB, more than the limit of "
                            f"{MAX_FILE_BYTES / 1e6:,.0f} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"{path}: cannot read file ({exc.strerror})") from exc
    text, encoding, cp1252_lines = decode_bytes(data)
    del data
    table = RawTable(name, str(path), [], encoding=encoding)
    if cp1252_lines:
        shown = ", ".join(map(str, cp1252_lines[:20])) + (" …" if len(cp1252_lines) > 20 else "")
        table.warn(None, None, None, f"not UTF-8 on line(s) {shown} ({len(cp1252_lines)} in all): read as "
                                     "Windows-1252 there, the rest as UTF-8; check the umlauts on those lines")
    delimiter, recognised = choose_delimiter(text, name)
    if not recognised and text.strip():
        table.warn(1, None, " ".join(_header_cells(text, delimiter))[:200],
                   f"the header names none of the table's columns ({', '.join(TABLES[name].column_names)}); "
                   f"tried the delimiters {', '.join(_DELIMITER_NAMES[d] for d in DELIMITERS)} and the encoding "
                   f"{encoding} (chosen from UTF-8/UTF-16 byte-order marks, UTF-16 zero bytes, UTF-8, Windows-1252)")
    if len(text) + 1 > csv.field_size_limit():
        csv.field_size_limit(len(text) + 1)  # cells are limited by MAX_CELL_CHARS below, with a clear error
    control_chars = _CONTROL.search(text) is not None
    cleaner = _CellCleaner(table, check_control=control_chars or "\r" in text, check_quote="'" in text,
                           text_only=True, control_chars=control_chars)
    _csv_rows(table, text, delimiter, cleaner)
    return table


# ------------------------------------------------------------------ xlsx
def check_xlsx_limits(path: Path) -> None:
    """Refuse a workbook whose parts would expand beyond the limits, before
    anything is expanded (sizes from the zip directory; strings counted from
    the shared-string table's header)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise LoadError(f"{path}: not a readable .xlsx workbook ({exc})") from exc
    with archive:
        infos = archive.infolist()
        total = sum(i.file_size for i in infos)
        if total > XLSX_MAX_UNCOMPRESSED:
            raise LoadError(f"{path}: the workbook expands to {total / 1e6:,.0f} MB, more than the limit of "
                            f"{XLSX_MAX_UNCOMPRESSED / 1e6:,.0f} MB")
        for info in infos:
            if info.file_size > 10_000_000 and info.file_size > XLSX_MAX_RATIO * max(info.compress_size, 1):
                raise LoadError(f"{path}: part {info.filename} expands {info.file_size / max(info.compress_size, 1):,.0f}-fold "
                                f"to {info.file_size / 1e6:,.0f} MB (limit {XLSX_MAX_RATIO}-fold); refused as a zip bomb")
            if info.filename.lower().endswith("sharedstrings.xml"):
                if info.file_size > XLSX_MAX_SHARED_STRINGS_BYTES:
                    raise LoadError(f"{path}: the shared-string table expands to {info.file_size / 1e6:,.0f} MB, "
                                    f"more than the limit of {XLSX_MAX_SHARED_STRINGS_BYTES / 1e6:,.0f} MB")
                with archive.open(info) as fh:
                    head = fh.read(2048).decode("utf-8", errors="replace")
                counts = [int(n) for n in re.findall(r'\b(?:uniqueCount|count)="(\d+)"', head)]
                if counts and max(counts) > XLSX_MAX_SHARED_STRINGS:
                    raise LoadError(f"{path}: the shared-string table declares {max(counts):,} strings, more than "
                                    f"the limit of {XLSX_MAX_SHARED_STRINGS:,}")


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+\d+(?::[A-Z]+\d+)?)"')


def _merged_ranges(archive: zipfile.ZipFile, member: str) -> list[str]:
    """Merged-cell ranges of a sheet, read by streaming its XML (read-only
    openpyxl does not report them)."""
    found: list[str] = []
    tail = b""
    try:
        with archive.open(member.lstrip("/")) as fh:
            while chunk := fh.read(1 << 20):
                block = tail + chunk
                # a match ending inside the carried-over tail was found in the previous block
                found.extend(m[1].decode() for m in _MERGE.finditer(block) if m.end() > len(tail))
                tail = block[-200:]
    except KeyError:
        return []
    return list(dict.fromkeys(found))


def _excel_value(value: object) -> object:
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date()
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def read_xlsx(path: Path) -> RawDataset:
    """Read every sheet named like a canonical table (English or German) from a workbook."""
    import openpyxl  # imported here: only xlsx users pay for it

    check_xlsx_limits(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise LoadError(f"{path}: not a readable .xlsx workbook ({exc})") from exc
    tables = RawDataset()
    titles: dict[str, str] = {}
    try:
        archive = zipfile.ZipFile(path)
        for ws in wb.worksheets:
            name = canonical_table(ws.title)
            where = f"{path}#{ws.title}"
            if name is None:
                tables.problems.append(Problem("warning", where, None, None, None,
                                               f"sheet '{ws.title}' not used: its name is not a table "
                                               f"({_expected_names()})"))
                continue
            ws.reset_dimensions()  # the stored dimension may be stale: read the real extent
            table = RawTable(name, where, [], encoding="xlsx")
            rows = ws.iter_rows(values_only=True)
            plan, width, header_seen = [], 0, False
            cleaner = _CellCleaner(table)
            for number, cells in enumerate(rows, start=1):
                values = [_excel_value(c) for c in cells]
                if not header_seen:
                    if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                        continue
                    header_seen = True
                    plan = _header_plan(table, values, number)
                    width = len(table.header)
                    continue
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                    continue
                _add_row(table, plan, width, number, values, cleaner)
            for ref in _merged_ranges(archive, getattr(ws, "_worksheet_path", "")):
                table.warn(_first_row(ref), None, ref,
                           f"merged cells {ref}: only the first cell holds the value, the others are read as empty")
            if name in tables:
                _shadow(tables, name, titles[name], table, ws.title, kind="sheets")
                continue
            titles[name] = ws.title
            tables[name] = table
        archive.close()
    finally:
        wb.close()
    return tables


def _first_row(ref: str) -> int | None:
    m = re.search(r"\d+", ref)
    return int(m[0]) if m else None


def _expected_names() -> str:
    return ("expected one of " + ", ".join(TABLES) + "; or in German "
            + ", ".join(aliases[0] for aliases in TABLE_ALIASES.values()))


def _shadow(tables: RawDataset, name: str, kept: str, other: RawTable, other_name: str, *, kind: str) -> None:
    """Two files or sheets hold one table: keep the first, count the other's rows as rejected."""
    first = tables[name]
    first.shadowed_rows += len(other.rows)
    first.error(None, None, other_name,
                f"two {kind} for table '{name}': '{kept}' and '{other_name}'; '{kept}' was loaded, the "
                f"{len(other.rows)} row(s) of '{other_name}' were not (counted as rejected); keep one of them")


# ------------------------------------------------------------------ datasets
def read_dataset(path: str | Path) -> RawDataset:
    """Read the raw tables of a dataset: a folder of CSV files or a ``.xlsx``.

    Raises :class:`LoadError` when ``path`` is missing, unreadable, of an
    unknown format, or holds no canonical table at all.
    """
    path = Path(path)
    if not path.exists():
        raise LoadError(f"{path}: no such file or folder")
    if path.is_dir():
        return _read_folder(path)
    if path.suffix.lower() == ".xlsx":
        tables = read_xlsx(path)
        if not tables:
            raise LoadError(f"{path}: no sheet named like a table ({_expected_names()})")
        return tables
    raise LoadError(f"{path}: unknown dataset format (expected a folder of CSV files or an .xlsx workbook)")


_DATA_SUFFIXES = (*TEXT_SUFFIXES, ".xlsx", ".xls", ".ods", ".json", ".xml")


def _read_folder(path: Path) -> RawDataset:
    tables = RawDataset()
    files = sorted((p for p in path.iterdir() if p.is_file()), key=lambda p: (p.name.lower(), p.name))
    by_table: dict[str, list[Path]] = {}
    for p in files:
        name = canonical_table(p.stem) if p.suffix.lower() in TEXT_SUFFIXES else None
        if name is None:
            if p.suffix.lower() in _DATA_SUFFIXES and not p.name.startswith("."):
                tables.problems.append(Problem("warning", str(p), None, None, None,
                                               f"file '{p.name}' not used: not a table of this dataset "
                                               f"({_expected_names()}, as .csv)"))
            continue
        by_table.setdefault(name, []).append(p)
    for name in TABLES:
        candidates = by_table.get(name)
        if not candidates:
            continue
        # the canonical spelling first (institutions.csv), then the others in name order
        candidates.sort(key=lambda p: (p.name != f"{name}.csv", p.name))
        tables[name] = read_csv_table(candidates[0], name)
        for other in candidates[1:]:
            _shadow(tables, name, candidates[0].name, read_csv_table(other, name), other.name, kind="files")
    if not tables:
        raise LoadError(f"{path}: no table found ({_expected_names()}, as .csv)")
    return tables
