"""Helpers shared by tests: paths and tiny CSV datasets written on the fly."""

from __future__ import annotations

import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def write_table(folder: Path, name: str, rows: list[list[str]], *, delimiter: str = ",",
                encoding: str = "utf-8") -> Path:
    """Write ``rows`` (header first) as ``folder/name.csv``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv"
    with path.open("w", newline="", encoding=encoding) as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


MINI_INSTITUTIONS = [
    ["id", "name", "sector", "land", "country", "themes", "source"],
    ["uni-a", "Universität A", "science", "Hessen", "", "water", "https://example.org/a"],
    ["ngo-b", "Verein B e.V.", "civil_society", "Bayern", "", "", "https://example.org/b"],
    ["min-c", "Ministry C", "public_administration", "", "RWA", "", "https://example.org/c"],
]
MINI_PROJECTS = [
    ["id", "title", "countries", "themes", "start", "end", "source"],
    ["P1", "Projekt Eins", "RWA", "water", "2019", "2021", "https://example.org/p1"],
    ["P2", "Projekt Zwei", "TZA;RWA", "", "2020-03", "", "https://example.org/p2"],
]




def downloaded_file(answer: dict, client) -> tuple[bytes, str]:
    """``(bytes, filename)`` of the file a download callback answered with
    (``answer``: the JSON of ``/_dash-update-component``): inside the answer,
    or — a file over the inline limit (dashboard/download_links.py) — fetched
    with ``client`` from its one-time link, checking it works only once."""
    import base64

    for props in answer["response"].values():
        data = props.get("data")
        if isinstance(data, dict) and "url" in data:
            assert set(data) == {"url", "filename"}, data
            fetched = client.get(data["url"])
            assert fetched.status_code == 200 and "attachment" in fetched.headers["Content-Disposition"], fetched
            assert client.get(data["url"]).status_code == 404, "a link is good for one fetch"
            return fetched.get_data(), data["filename"]
        if isinstance(data, dict) and "filename" in data:
            content = base64.b64decode(data["content"]) if data.get("base64") else data["content"].encode("utf-8")
            return content, data["filename"]
    raise AssertionError(f"no download in {str(answer)[:300]}")
