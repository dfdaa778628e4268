"""Benchmark the IATI loader: throughput (MB/s) and peak memory (RSS) as files grow.

Builds IATI files of several sizes (default up to 200 MB) by repeating the real
activities of ``tests/data/iati/`` (both files: 1.05 Datastore and mixed
2.0x/1.0x d-portal activities) with a copy number appended to every
``iati-identifier``, so that every activity is a new project. The files are
written to a temporary folder and deleted afterwards; nothing is committed.

Each measurement runs in a fresh Python process and reports wall-clock and CPU
time (MB per CPU-second is the fairer figure on a shared, busy machine) and
that process's own peak RSS (``resource.getrusage(RUSAGE_SELF).ru_maxrss``), for two modes:

- ``parse``: :func:`loaders.iati.iter_activities` only — the streaming parse;
  its memory must stay flat whatever the file size;
- ``load``: :func:`loaders.iati.load_iati` — parse plus building the graph;
  the graph itself grows with the number of distinct projects, so this
  memory grows with the data (not with the file: a file repeating the same
  activities keeps a flat graph too).

    python benchmarks/bench_iati.py                 # 25, 50, 100, 200 MB
    python benchmarks/bench_iati.py --sizes 10 20   # quicker
    python benchmarks/bench_iati.py --repeat-ids --modes load   # graph stays small
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "tests" / "data" / "iati" / name for name in (
    "bmz_DE-1_bangladesh_2016-01_iati105.xml", "dportal_multipublisher_sample_2020-03_iati20x.xml")]

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[3])
from loaders.iati import iter_activities, load_iati
mode, path = sys.argv[1], sys.argv[2]
t0, c0 = time.perf_counter(), time.process_time()
if mode == "parse":
    n = sum(1 for _ in iter_activities(path, progress=False))
    extra = {}
else:
    result = load_iati(path, progress=False)
    n = result.report.tables["iati-activity"].read
    extra = {"projects": result.report.nodes["project"], "institutions": result.report.nodes["institution"]}
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({"activities": n, "seconds": seconds, "cpu_seconds": cpu,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **extra}))
"""


def real_activities() -> list[bytes]:
    """Every real activity as serialised XML (namespace declarations included)."""
    out = []
    for path in SOURCES:
        for elem in etree.parse(str(path)).getroot().iter("iati-activity"):
            out.append(etree.tostring(elem, encoding="utf-8"))
    return out


def build_file(path: Path, size_mb: float, activities: list[bytes], *, unique_ids: bool = True) -> int:
    """Write an ``iati-activities`` file of about ``size_mb`` MB; return the number of activities.

    ``unique_ids=False`` keeps the identifiers, so every copy after the first is a duplicate
    (rejected, reported in a capped list) and the graph stays the size of the real files.
    """
    target = int(size_mb * 1024 * 1024)
    written, count, copy = 0, 0, 0
    with path.open("wb") as fh:
        head = b'<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n'
        fh.write(head)
        written += len(head)
        while written < target:
            copy += 1
            suffix = f"~copy{copy}</iati-identifier>".encode()
            for act in activities:
                chunk = (act.replace(b"</iati-identifier>", suffix, 1) if unique_ids else act) + b"\n"
                fh.write(chunk)
                written += len(chunk)
                count += 1
                if written >= target:
                    break
        fh.write(b"</iati-activities>\n")
    return count


def measure(mode: str, path: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", _CHILD, mode, str(path), str(ROOT)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[25, 50, 100, 200], help="file sizes in MB")
    parser.add_argument("--modes", nargs="+", default=["parse", "load"], choices=["parse", "load"])
    parser.add_argument("--repeat-ids", action="store_true",
                        help="keep the identifiers (copies are duplicates): the graph does not grow")
    args = parser.parse_args(argv)
    activities = real_activities()
    print(f"{len(activities)} real activities, {sum(map(len, activities)) / 1024:.0f} KiB, repeated to each size")
    print(f"{'mode':<6}{'size MB':>9}{'activities':>12}{'wall s':>8}{'MB/s':>7}{'CPU s':>7}{'MB/CPU-s':>10}"
          f"{'peak RSS MB':>13}{'projects':>10}")
    with tempfile.TemporaryDirectory(prefix="bench-iati-") as tmp:
        for size in args.sizes:
            path = Path(tmp) / f"iati-{size:g}mb.xml"
            build_file(path, size, activities, unique_ids=not args.repeat_ids)
            real_mb = path.stat().st_size / 1024 / 1024
            for mode in args.modes:
                r = measure(mode, path)
                r.setdefault("projects", "")
                print(f"{mode:<6}{real_mb:>9.1f}{r['activities']:>12}{r['seconds']:>8.1f}"
                      f"{real_mb / r['seconds']:>7.1f}{r['cpu_seconds']:>7.1f}{real_mb / r['cpu_seconds']:>10.1f}"
                      f"{r['peak_rss_mb']:>13.0f}{r['projects']!s:>10}", flush=True)
            path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
