"""Read raw tables from a folder of CSV files or one ``.xlsx`` workbook.

Handles what real exports look like: UTF-8 with or without BOM and
Windows-1252 (German Excel "CSV"), ``,`` or ``;`` delimiters, quoted fields
with newlines, stray whitespace and empty trailing rows. Row numbers are the
ones a user sees in Excel: the header is row 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from graph.core.errors import LoadError
from loaders.schema import TABLES

__all__ = ["RawTable", "read_dataset", "read_csv_table", "decode_bytes", "sniff_delimiter"]


@dataclass
class RawTable:
    """A table as read: normalised header names and rows of stripped strings."""

    name: str
    file: str
    header: list[str]
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    encoding: str = "utf-8"


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode file bytes: UTF-8 (BOM stripped), else Windows-1252.

    Returns ``(text, encoding)``.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def sniff_delimiter(text: str) -> str:
    """``;`` when the header line has more semicolons than commas, else ``,``."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if first.count(";") > first.count(",") else ","


def _normalise_header(cells: list[object]) -> list[str]:
    return [str(c).strip().lower() if c is not None else "" for c in cells]


def _clean(value: object) -> object:
    if value.__class__ is str or isinstance(value, str):
        return value.strip()
    return value


def _is_empty(values: list[object]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def read_csv_table(path: Path, name: str) -> RawTable:
    """Read one CSV file into a :class:`RawTable`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"{path}: cannot read file ({exc.strerror})") from exc
    text, encoding = decode_bytes(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    records = list(reader)
    table = RawTable(name, str(path), [], encoding=encoding)
    if not records:
        return table
    table.header = header = _normalise_header(records[0])
    width = len(header)
    rows = table.rows
    strip = str.strip
    for index, record in enumerate(records[1:], start=2):
        # csv yields only strings: a row is empty when its cells joined are blank
        if not "".join(record).strip():
            continue
        if len(record) <= width:  # the common case, fast: later duplicate columns win, as in _row_dict
            rows.append((index, dict(zip(header, map(strip, record)))))
        else:
            rows.append((index, _row_dict(header, record)))
    return table


def _row_dict(header: list[str], record: list[object]) -> dict[str, object]:
    if len(record) <= len(header):  # the common case, fast: later duplicates win as below
        return dict(zip(header, map(_clean, record)))
    row: dict[str, object] = {}
    for i, value in enumerate(record):
        col = header[i] if i < len(header) else f"#{i + 1}"
        row[col] = _clean(value)
    return row


def read_xlsx(path: Path) -> dict[str, RawTable]:
    """Read every sheet named like a canonical table from a workbook."""
    import openpyxl  # imported here: only xlsx users pay for it

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise LoadError(f"{path}: not a readable .xlsx workbook ({exc})") from exc
    tables: dict[str, RawTable] = {}
    try:
        for ws in wb.worksheets:
            name = ws.title.strip().lower()
            if name not in TABLES:
                continue
            rows = ws.iter_rows(values_only=True)
            header_cells = next(rows, None)
            table = RawTable(name, f"{path}#{ws.title}", [], encoding="xlsx")
            if header_cells is None:
                tables[name] = table
                continue
            table.header = _normalise_header(list(header_cells))
            while table.header and table.header[-1] == "":
                table.header.pop()
            for index, cells in enumerate(rows, start=2):
                values = [_excel_value(c) for c in cells]
                if _is_empty(values):
                    continue
                table.rows.append((index, _row_dict(table.header, values)))
            tables[name] = table
    finally:
        wb.close()
    return tables


def _excel_value(value: object) -> object:
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date()
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def read_dataset(path: str | Path) -> dict[str, RawTable]:
    """Read the raw tables of a dataset: a folder of CSV files or a ``.xlsx``.

    Raises :class:`LoadError` when ``path`` is missing, unreadable, of an
    unknown format, or holds no canonical table at all.
    """
    path = Path(path)
    if not path.exists():
        raise LoadError(f"{path}: no such file or folder")
    if path.is_dir():
        tables = {}
        for name in TABLES:
            candidates = [p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".csv" and p.stem.strip().lower() == name]
            if candidates:
                tables[name] = read_csv_table(sorted(candidates)[0], name)
        if not tables:
            raise LoadError(f"{path}: no canonical table found (expected e.g. institutions.csv, projects.csv)")
        return tables
    if path.suffix.lower() == ".xlsx":
        tables = read_xlsx(path)
        if not tables:
            raise LoadError(f"{path}: no sheet named like a canonical table (e.g. institutions, projects)")
        return tables
    raise LoadError(f"{path}: unknown dataset format (expected a folder of CSV files or an .xlsx workbook)")
