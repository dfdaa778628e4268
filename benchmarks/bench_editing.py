"""Benchmark of editing: one save (validated, one version) and save → live.

    python benchmarks/bench_editing.py [--edits 5] [--save]

Prints, with the load average (the machine may be shared), on a fresh
workspace of the bundled sample, the median over ``--edits`` saves of

* ``save``: validation by the loader's row parser + publish of one version
  (keyed look-ups only, independent of the data's size);
* ``save_to_live``: the save until the serving app serves the new version
  (target ≤ 1 s on the sample): the live swap rebuilds the graph.

At 100k nodes the save itself stays keyed; going live is one load + build of
the version (``publish_100000_one_row_to_live_s`` in
``benchmarks/results-workspace.json``: 25 s at load ≈ 12). Incremental
graph updates are not done yet.

``--save`` keeps the figures in ``benchmarks/results-editing.json``; the next
run prints them side by side as "previous".
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "benchmarks" / "results-editing.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--save", action="store_true")
    args = parser.parse_args(argv)

    from loaders.workspace.editing import update_record
    from loaders.workspace.location import create_workspace
    from tests.api.conftest import serve_workspace
    from dashboard.context import CONFIG_KEY
    from dashboard.edit_service import go_live

    ws = create_workspace(Path(tempfile.mkdtemp()) / "ws.sqlite", sample=True, user="bench")
    app = serve_workspace(ws)
    saves, lives = [], []
    with app.server.test_request_context("/"):
        for i in range(args.edits):
            started = time.perf_counter()
            result = update_record(ws, "projects", "BLP-01", {"region": f"Region {i}"}, user="bench")
            saved = time.perf_counter()
            assert go_live(result.version.id, timeout=60)
            done = time.perf_counter()
            assert app.server.config[CONFIG_KEY].graph.node("project:BLP-01")["region"] == f"Region {i}"
            saves.append(saved - started)
            lives.append(done - started)
    figures = {"sample_save_s": round(statistics.median(saves), 3),
               "sample_save_to_live_s": round(statistics.median(lives), 3)}
    previous = json.loads(RESULTS.read_text())["figures"] if RESULTS.exists() else {}
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    for name, value in figures.items():
        print(f"{name:28s} {value:8.3f} s   previous: {previous.get(name, '–')}")
    if args.save:
        RESULTS.write_text(json.dumps({"loadavg": [round(x, 1) for x in load[:2]], "figures": figures}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
