"""Turn uploaded files into a dataset path the loaders read.

Accepted: one ``.xlsx`` workbook, one IATI ``.xml`` file, one ``.zip`` of CSV
tables (and ``manifest.json``), or several ``.csv`` files. Anything else, a
corrupt archive, or more than the size limit raises :class:`UploadError` with a
message naming the file; nothing is written outside ``dest``.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath
from typing import Iterable

from graph.core.errors import LoadError

__all__ = ["UploadError", "stage_upload", "DEFAULT_LIMIT", "UNZIPPED_FACTOR"]

#: Default upload limit in bytes (50 MB); ``serve --upload-limit`` changes it.
DEFAULT_LIMIT = 50 * 1024 * 1024
#: A ZIP may unpack to at most this many times the limit (guards against zip bombs).
UNZIPPED_FACTOR = 10


class UploadError(LoadError):
    """An upload that is not a dataset (wrong format, corrupt, too large)."""


def _safe_name(name: str) -> str:
    base = PurePosixPath(name.replace("\\", "/")).name
    base = re.sub(r"[^\w.\- äöüÄÖÜß]", "_", base).strip() or "upload"
    return base[:120]


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def stage_upload(files: Iterable[tuple[str, bytes]], dest: str | Path, *, limit: int = DEFAULT_LIMIT) -> Path:
    """Write the uploaded ``(file name, content)`` pairs below ``dest`` and
    return the path to load (a file, or a folder of CSV files)."""
    files = [(_safe_name(name), data) for name, data in files]
    dest = Path(dest)
    if not files:
        raise UploadError("no file uploaded")
    total = sum(len(d) for _, d in files)
    if total > limit:
        raise UploadError(f"{', '.join(n for n, _ in files)}: {_mb(total)} is more than the upload limit of {_mb(limit)}")
    suffixes = {Path(n).suffix.lower() for n, _ in files}
    if len(files) == 1 and suffixes <= {".xlsx", ".xml"}:
        name, data = files[0]
        if name.lower().endswith(".xlsx") and not data.startswith(b"PK"):
            raise UploadError(f"{name}: not an .xlsx workbook (the file is damaged or of another format)")
        if not data.strip():
            raise UploadError(f"{name}: the file is empty")
        target = dest / name
        target.write_bytes(data)
        return target
    if len(files) == 1 and suffixes == {".zip"}:
        return _unzip(*files[0], dest, limit)
    if suffixes <= {".csv", ".json"} and ".csv" in suffixes:
        folder = dest / "tables"
        folder.mkdir()
        for name, data in files:
            if name.lower().endswith(".json") and name.lower() != "manifest.json":
                raise UploadError(f"{name}: only manifest.json may come with CSV files")
            (folder / name).write_bytes(data)
        return folder
    wrong = [n for n, _ in files if Path(n).suffix.lower() not in (".csv", ".json", ".xlsx", ".xml", ".zip")]
    if wrong:
        raise UploadError(f"{', '.join(wrong)}: unknown file type (upload one .xlsx workbook, a ZIP of CSV files, "
                          f"several .csv files or one IATI .xml file)")
    raise UploadError(f"{', '.join(n for n, _ in files)}: upload one .xlsx workbook, one ZIP, one IATI .xml file "
                      f"or several .csv files, not a mix")


def _unzip(name: str, data: bytes, dest: Path, limit: int) -> Path:
    import io

    folder = dest / "tables"
    folder.mkdir()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = [m for m in zf.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX/")]
            wanted = [m for m in members if PurePosixPath(m.filename).suffix.lower() == ".csv"
                      or PurePosixPath(m.filename).name.lower() == "manifest.json"]
            if not any(m.filename.lower().endswith(".csv") for m in wanted):
                raise UploadError(f"{name}: the ZIP holds no .csv file")
            if sum(m.file_size for m in wanted) > limit * UNZIPPED_FACTOR:
                raise UploadError(f"{name}: unpacks to more than {_mb(limit * UNZIPPED_FACTOR)}")
            seen: set[str] = set()
            for m in wanted:
                base = _safe_name(m.filename)
                if base.lower() in seen:
                    raise UploadError(f"{name}: two files named {base} in the ZIP")
                seen.add(base.lower())
                written = 0
                with zf.open(m) as src, (folder / base).open("wb") as out:
                    while chunk := src.read(1 << 20):
                        written += len(chunk)
                        if written > limit * UNZIPPED_FACTOR:
                            raise UploadError(f"{name}: unpacks to more than {_mb(limit * UNZIPPED_FACTOR)}")
                        out.write(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise UploadError(f"{name}: not a readable ZIP archive ({exc})") from exc
    return folder
