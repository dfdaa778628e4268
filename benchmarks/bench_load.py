"""Benchmark of load+build from files: read, validate and build the graph of a dataset.

    python benchmarks/bench_load.py [--data DIR | --nodes 100000] [--repeat 3] [--against REV] [--save]

What ``serve --data DIR`` does before anything else (:func:`loaders.load`),
timed ``--repeat`` times in a fresh process per side, with its parts: reading
the files (:func:`loaders.reading.read_dataset`), validating the rows and
building the graph (:func:`loaders.tabular.build_graph`), and the garbage
collector's first pass over what was built. Prints wall and CPU seconds (on
a shared machine the wall time grows with the load average, the CPU time
says what the code costs), the load average, and in the same run the figures
of ``--against REV`` (default ``main``; checked out with ``git worktree add``
in a temporary folder and measured with this script; ``--against ''`` shows
the figures saved by ``--save`` instead). Without ``--data`` a synthetic
dataset of ``--nodes`` nodes (seed 7, as ``python app.py generate``) is
generated once into a temporary folder and read by both sides.

Target (issue 22): ≤ 10 s at 100k nodes / ~1M edges on the 2-core machine.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
ROOT = HERE
if "--root" in sys.argv:  # measure another checkout's code with this script (see --against)
    ROOT = Path(sys.argv[sys.argv.index("--root") + 1]).resolve()
sys.path.insert(0, str(ROOT))

RESULTS = HERE / "benchmarks" / "results-load.json"
TARGET_S = 10.0


def _load() -> str:
    a, b, _ = os.getloadavg()
    return f"load {a:.1f}/{b:.1f}"


def _measure(args) -> dict:
    """One side: ``--repeat`` loads of ``args.data`` in this process, split in their parts."""
    from loaders import load
    from loaders.reading import read_dataset
    from loaders.tabular import build_graph, gc_paused

    figures: dict = {"loadavg_start": list(os.getloadavg()[:2])}
    walls, cpus, parts = [], [], {"read": [], "build": [], "gc": []}
    result = None
    for _ in range(args.repeat):
        result = None
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        result = load(args.data)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    figures["nodes_edges_findings"] = (f"{len(result.graph)}/{result.graph.nx.number_of_edges()}/"
                                       f"{len(result.report.problems)}")
    result = None
    gc.collect()
    cpu = time.process_time()  # the parts, once more (CPU seconds)
    with gc_paused():
        raw = read_dataset(args.data)
        parts["read"].append(time.process_time() - cpu)
        cpu = time.process_time()
        built = build_graph(raw, source=str(args.data))
        parts["build"].append(time.process_time() - cpu)
        cpu = time.process_time()
    _ = [0]  # the first allocation after the pause runs the collector over everything just built
    parts["gc"].append(time.process_time() - cpu)
    del built, raw
    figures["load_build_s"] = min(walls)
    figures["load_build_median_s"] = statistics.median(walls)
    figures["load_build_cpu_s"] = min(cpus)
    figures["read_cpu_s"] = parts["read"][0]
    figures["validate_build_cpu_s"] = parts["build"][0]
    figures["gc_after_cpu_s"] = parts["gc"][0]
    figures["loadavg_end"] = list(os.getloadavg()[:2])
    return figures


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=None, help="dataset folder (default: a generated one of --nodes)")
    p.add_argument("--nodes", type=int, default=100_000)
    p.add_argument("--repeat", type=int, default=3, help="loads per side (min and median are shown)")
    p.add_argument("--save", action="store_true", help=f"keep the figures in {RESULTS.name} for the next run")
    p.add_argument("--against", default="main", help="revision measured side by side (default main; '' = saved figures)")
    p.add_argument("--root", type=Path, default=None, help=argparse.SUPPRESS)
    p.add_argument("--figures-json", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.figures_json:  # one side, run by main() below
        print(json.dumps(_measure(args)))
        return 0
    from benchmarks import sides  # here, not at the top: a side's process imports from the measured checkout

    side_args = sides.side_args(list(argv if argv is not None else sys.argv[1:]))
    if args.data is None:
        from loaders.synthetic import generate

        args.data = Path(tempfile.mkdtemp(prefix="partnernetz-bench-load-")) / f"synthetic-{args.nodes}"
        generate(args.data, nodes=args.nodes, seed=7)
        side_args += ["--data", str(args.data)]
    print(f"{os.cpu_count()} cores, {_load()} at start; data {args.data}")
    previous, label = sides.previous_figures(__file__, args.against, side_args, RESULTS)
    figures = sides.run_side(__file__, HERE, side_args)
    print(f"{'figure':<30}{'now':>30}{label[:12]:>30}")
    for key in dict.fromkeys([*figures, *previous]):
        def fmt(v):
            if v is None:
                return "–"
            if isinstance(v, list):
                return "/".join(f"{x:.1f}" for x in v)
            return f"{v:.2f}" if isinstance(v, float) else str(v)
        note = ""
        if key == "load_build_s" and figures.get(key) is not None:
            note = f"  ≤ {TARGET_S:g}" + ("  MISSED" if figures[key] > TARGET_S else "")
        print(f"{key:<30}{fmt(figures.get(key)):>30}{fmt(previous.get(key)):>30}{note}")
    print(f"{_load()} at end")
    if args.save:
        RESULTS.write_text(json.dumps({"loadavg_end": os.getloadavg()[:2], "against": args.against,
                                       "figures": figures, "previous": previous}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
