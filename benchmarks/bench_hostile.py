"""Benchmark: time and peak memory of loading the largest hostile inputs.

Builds each input once in a temporary folder, then loads it with
``loaders.load`` in a fresh subprocess per run (peak RSS from ``wait4``),
with this checkout's code and, side by side in the same run, with another
revision's code (default ``main``, unpacked with ``git archive``). Children run
under an address-space limit (``--memory-limit``, default 3 GB) so that a
loader that would blow up stops with a MemoryError instead of taking the
machine down.

Inputs:

* ``csv-200k-rows`` — institutions.csv, 200,000 rows (~35 MB), ``;``,
  Windows-1252 lines in a UTF-8 file, a control character every 100 rows;
* ``csv-big-cells`` — 40 cells of 900 KB and one of 1.2 MB (over the limit);
* ``csv-runaway-quotes`` — 100,000 rows, a stray opening quote every 1,000 rows;
* ``xlsx-100k-rows`` — a real workbook, 100,000 rows × 6 columns;
* ``xlsx-shared-strings-bomb`` — a ~1 MB workbook whose shared-string table
  expands to ~300 MB;
* ``iati-entity-bomb`` — nested entities (billion laughs).

    python benchmarks/bench_hostile.py                # this checkout vs main
    python benchmarks/bench_hostile.py --before HEAD~1 --only csv-big-cells
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from loaders import load
start = time.perf_counter()
try:
    result = load(sys.argv[2])
    tables = {k: [c.read, c.accepted, c.rejected] for k, c in result.report.tables.items()}
    outcome = {"ok": True, "tables": tables, "errors": len(result.report.errors), "warnings": len(result.report.warnings)}
except MemoryError:
    outcome = {"ok": False, "error": "MemoryError"}
except Exception as exc:
    outcome = {"ok": False, "error": f"{type(exc).__name__}: {str(exc)[:160]}"}
outcome["seconds"] = time.perf_counter() - start
print(json.dumps(outcome))
"""


# ------------------------------------------------------------------ inputs
def _base_tables(folder: Path) -> None:
    (folder / "projects.csv").write_text("id,title\nP1,Projekt\n", encoding="utf-8")


def csv_200k_rows(folder: Path) -> Path:
    folder.mkdir()
    _base_tables(folder)
    rnd = random.Random(1)
    with (folder / "institutions.csv").open("wb") as fh:
        fh.write("id;name;sector;land;city;sector_detail\n".encode())
        for i in range(200_000):
            name = f"Universität Nummer {i} für Angewandte Wissenschaften"
            if i % 100 == 7:
                name += "\x0b"
            line = f"u{i};{name};{rnd.choice(['science', 'NGO', 'Wirtschaft'])};{rnd.choice(['Bayern', 'NRW', 'Hessen'])};Köln;{'x' * 60}\n"
            fh.write(line.encode("cp1252" if i % 5000 == 3 else "utf-8"))
    return folder


def csv_big_cells(folder: Path) -> Path:
    folder.mkdir()
    _base_tables(folder)
    with (folder / "institutions.csv").open("w", encoding="utf-8") as fh:
        fh.write("id,name,sector_detail\n")
        for i in range(40):
            fh.write(f"u{i},Inst {i},{'b' * 900_000}\n")
        fh.write(f"big,Big,{'c' * 1_200_000}\n")
    return folder


def csv_runaway_quotes(folder: Path) -> Path:
    folder.mkdir()
    _base_tables(folder)
    with (folder / "institutions.csv").open("w", encoding="utf-8") as fh:
        fh.write("id,name,city,sector_detail\n")
        for i in range(100_000):
            stray = '"' if i % 1000 == 500 else ""
            fh.write(f"u{i},{stray}Inst {i},Bonn,detail\n")
    return folder


def xlsx_100k_rows(folder: Path) -> Path:
    import openpyxl

    folder.mkdir()
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Institutionen")
    ws.append(["ID", "Name", "Sektor", "Bundesland", "Stadt", "Themen"])
    for i in range(100_000):
        ws.append([f"u{i}", f"Institution {i}", "Wissenschaft", "Bayern (Freistaat)", "München", "water"])
    ws = wb.create_sheet("Projekte")
    ws.append(["ID", "Titel"])
    ws.append(["P1", "Projekt"])
    path = folder / "book.xlsx"
    wb.save(path)
    return path


def xlsx_shared_strings_bomb(folder: Path) -> Path:
    import openpyxl

    folder.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "institutions"
    ws.append(["id", "name"])
    ws.append(["u1", "A"])
    wb.create_sheet("projects").append(["id", "title"])
    path = folder / "bomb.xlsx"
    wb.save(path)
    # replace the shared strings: 3,000 strings of 100,000 characters (~300 MB), compressing to ~1 MB
    strings = "".join(f"<si><t>{'A' * 100_000}</t></si>" for _ in range(3000))
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           f'count="3000" uniqueCount="3000">{strings}</sst>')
    with zipfile.ZipFile(path) as zin:
        parts = [(i.filename, zin.read(i)) for i in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        for name, data in parts:
            if name == "[Content_Types].xml" and b"sharedStrings" not in data:
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType='
                                    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            if name == "xl/_rels/workbook.xml.rels" and b"sharedStrings" not in data:
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdSS" Type="http://schemas.openxmlformats.org/'
                                    b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
            zout.writestr(name, data)
        zout.writestr("xl/sharedStrings.xml", xml)
    return path


def iati_entity_bomb(folder: Path) -> Path:
    folder.mkdir()
    entities = '<!ENTITY l0 "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY l{i} "{("&l%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    body = (f'<?xml version="1.0"?><!DOCTYPE x [{entities}]><iati-activities version="2.03">'
            '<iati-activity><iati-identifier>XM-1</iati-identifier>'
            '<participating-org role="4"><narrative>&l9;</narrative></participating-org></iati-activity></iati-activities>')
    path = folder / "bomb.xml"
    path.write_text(body, encoding="utf-8")
    return path


INPUTS = {
    "csv-200k-rows": csv_200k_rows,
    "csv-big-cells": csv_big_cells,
    "csv-runaway-quotes": csv_runaway_quotes,
    "xlsx-100k-rows": xlsx_100k_rows,
    "xlsx-shared-strings-bomb": xlsx_shared_strings_bomb,
    "iati-entity-bomb": iati_entity_bomb,
}


# ------------------------------------------------------------------ running
def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.iterdir()) if path.is_dir() else path.stat().st_size


def run(code_root: Path, data: Path, memory_limit: int, timeout: float) -> dict:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(code_root), str(data)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=limit, cwd=code_root)
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            return {"ok": False, "error": f"timeout after {timeout:.0f} s", "seconds": timeout, "peak_mb": usage.ru_maxrss / 1024}
        time.sleep(0.05)
    out = proc.stdout.read().decode().strip().splitlines()
    err = proc.stderr.read().decode().strip().splitlines()
    try:
        result = json.loads(out[-1])
    except (IndexError, json.JSONDecodeError):
        result = {"ok": False, "error": (err[-1] if err else f"exit status {status}")[:160]}
    result["wall"] = time.perf_counter() - start
    result["peak_mb"] = usage.ru_maxrss / 1024
    return result


def unpack(rev: str, target: Path) -> Path:
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target)
    return target


def describe(r: dict) -> str:
    what = (f"ok, {sum(t[2] for t in r['tables'].values())} rejected, {r['warnings']} warnings" if r.get("ok")
            else r.get("error", "?"))
    return f"{r.get('seconds', 0):7.2f} s {r['peak_mb']:7.0f} MB  {what}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="main", help="revision to compare with (default: main); '' to skip")
    parser.add_argument("--only", nargs="*", choices=sorted(INPUTS), help="run only these inputs")
    parser.add_argument("--memory-limit", type=int, default=3 * 1024 ** 3, help="address-space limit per child, bytes")
    parser.add_argument("--timeout", type=float, default=180)
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args()
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    figures = {"load_average": os.getloadavg(), "now": rev, "before": args.before, "inputs": {}}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        before_root = unpack(args.before, tmp / "before") if args.before else None
        print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}; now = {rev}, before = {args.before or '-'}")
        for name, build in INPUTS.items():
            if args.only and name not in args.only:
                continue
            data = build(tmp / name)
            now = run(ROOT, data, args.memory_limit, args.timeout)
            before = run(before_root, data, args.memory_limit, args.timeout) if before_root else None
            figures["inputs"][name] = {"input_mb": _size(data) / 1e6, "now": now, "before": before}
            print(f"{name:26} {_size(data) / 1e6:8.1f} MB input")
            print(f"  now    {describe(now)}")
            if before:
                print(f"  before {describe(before)}")
            print(f"  (load average {os.getloadavg()[0]:.2f})", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
