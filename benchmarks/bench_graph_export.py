"""Whole-graph downloads (CSV tables, GraphML, GEXF): time and the process's
memory, this commit beside an earlier one (not a test).

Each format on each side runs in a fresh process: loads ``--data`` (default
``/tmp/syn100k``), freezes the loaded objects out of the garbage collector's
reach as ``serve`` does after its warm-up, and writes the graph (GraphML and
GEXF without metrics: the server computes them once and keeps them) with that
side's ``loaders.export`` (CSV: the tables into a folder, as the download
zips them). Printed per format: seconds, RSS after loading, the highest
RSS sampled every 0.1 s while writing and what writing added to the RSS after
loading, the peak while loading and of the whole process, output size, load
average.

    python benchmarks/bench_graph_export.py                      # /tmp/syn100k, all formats, against HEAD~1
    python benchmarks/bench_graph_export.py --data /tmp/syn300k --formats csv --against main
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sides import previous_figures, side_args  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results-graph-export.json"
FORMATS = ("csv", "graphml", "gexf")


def _rss_mb() -> int:
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) // 1024


def measure(data: str, fmt: str) -> dict:
    from loaders import load
    from loaders.export import write_csv_tables, write_gexf, write_graphml

    g = load(data).graph
    gc.collect()
    gc.freeze()
    before = _rss_mb()
    load_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    peak = [before]
    writing = threading.Event()

    def sample() -> None:  # RSS while writing (the process's own peak is the load's)
        while not writing.wait(0.1):
            peak[0] = max(peak[0], _rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    with tempfile.TemporaryDirectory(prefix="bench-graph-export-") as tmp:
        out = Path(tmp) / f"graph.{fmt}"
        started = time.perf_counter()
        if fmt == "csv":
            paths = write_csv_tables(g, out)
        else:
            paths = [(write_graphml if fmt == "graphml" else write_gexf)(g, out, metrics=False)]
        seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in paths)
    writing.set()
    sampler.join()
    process_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return {"seconds": round(seconds, 1), "rss_loaded_mb": before, "rss_writing_peak_mb": peak[0],
            "added_while_writing_mb": peak[0] - before, "process_peak_rss_mb": process_peak,
            "load_peak_rss_mb": load_peak, "file_mb": size // 2**20,
            "nodes": g.nx.number_of_nodes(), "edges": g.nx.number_of_edges()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="/tmp/syn100k")
    ap.add_argument("--formats", default=",".join(FORMATS), help="comma-separated, of csv, graphml, gexf")
    ap.add_argument("--format", help=argparse.SUPPRESS)
    ap.add_argument("--against", default="HEAD~1", help="revision measured beside this one ('' = saved figures)")
    ap.add_argument("--save", action="store_true", help=f"write this side's figures to {RESULTS.name}")
    ap.add_argument("--figures-json", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--root", default=str(Path(__file__).resolve().parents[1]), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.figures_json:
        sys.path.insert(0, args.root)
        print(json.dumps(measure(args.data, args.format)))
        return 0
    from sides import run_side

    print(f"load average before: {os.getloadavg()}")
    here = Path(__file__).resolve().parents[1]
    argv = [a for a in side_args(sys.argv[1:])]
    figures: dict[str, dict] = {}
    for fmt in args.formats.split(","):
        now = run_side(__file__, here, [*argv, "--format", fmt])
        prev, label = previous_figures(__file__, args.against, [*argv, "--format", fmt], RESULTS)
        prev = prev.get(fmt, prev) if label == "saved" else prev
        figures[fmt] = now
        print(f"\n{fmt}, {args.data}: {now.get('nodes')} nodes, {now.get('edges')} edges; load average {os.getloadavg()}")
        print(f"{'':26}{'this commit':>14}{label:>14}")
        for key in ("seconds", "rss_loaded_mb", "rss_writing_peak_mb", "added_while_writing_mb", "load_peak_rss_mb",
                    "process_peak_rss_mb", "file_mb"):
            print(f"  {key:24}{now.get(key, '-')!s:>14}{prev.get(key, '-')!s:>14}")
    print(f"\nload average after: {os.getloadavg()}")
    if args.save:
        RESULTS.write_text(json.dumps({"data": args.data, "figures": figures}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
