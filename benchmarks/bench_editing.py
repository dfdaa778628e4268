"""Benchmark of editing: one save (validated, one version) and save → live.

    python benchmarks/bench_editing.py [--edits 5] [--nodes 100000] [--data-dir /tmp/live-data]
                                       [--against REV] [--save]

Prints, with the load average (the machine may be shared), on a fresh
workspace of the bundled sample, the median over ``--edits`` saves of

* ``save``: validation by the loader's row parser + publish of one version
  (keyed look-ups only, independent of the data's size);
* ``save_to_live``: the save until the serving app serves the new version
  (target ≤ 1 s on the sample): the row changes applied to the served graph
  (``loaders/workspace/live_update.py``), or a rebuild where they cannot be;
* ``first_search`` / ``first_match``: the first search and the first
  matchmaking ranking on the new version (their indexes are built for the
  new graph on first use, unless the warm-up did it already).

``--nodes N`` (0: skip) does the same on ``python app.py generate --nodes N
--seed 7`` imported into a workspace (kept in ``--data-dir`` and copied for
each side), with ``--edits-large`` saves (default 1).

Each side runs in its own process. ``--against REV`` (default ``HEAD~1``)
checks the revision out with ``git worktree add`` in a temporary folder and
measures it in the same run with this script, so the "previous" column is
the earlier commit's code on the same machine at the same time (``--against
''`` shows the figures saved by ``--save`` instead).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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

RESULTS = HERE / "benchmarks" / "results-editing.json"
TARGETS = {"sample_save_to_live_s": 1.0}


def _load() -> str:
    a, b, _ = os.getloadavg()
    return f"load {a:.1f}/{b:.1f}"


def _edits(app, ws, table: str, key: str, column: str, n: int, prefix: str, figures: dict) -> None:
    """``n`` saves of ``table``/``key`` through the app's live path; medians into ``figures``."""
    from dashboard.context import CONFIG_KEY
    from dashboard.live import live_of
    from graph.analysis.matchmaking import project_target, rank
    from graph.explore.search import search
    from loaders.workspace.editing import update_record

    ctx = app.server.config[CONFIG_KEY]
    saves, lives, searches, matches, modes = [], [], [], [], []
    with app.server.test_request_context("/"):
        for i in range(n):
            started = time.perf_counter()
            result = update_record(ws, table, key, {column: f"Bench {i} {time.time()}"}, user="bench")
            saved = time.perf_counter()
            live = live_of(app.server)  # live = swapped in (both sides; warm-ups may still run after)
            while live.status().live < result.version.id:
                assert time.perf_counter() - started < 900 and live.status().error is None, live.status()
                live.check(force=True)
                time.sleep(0.005)
            done = time.perf_counter()
            g = ctx.graph
            assert g.node(f"project:{key}")[column if column != "title" else "label"].startswith(f"Bench {i}")
            t = time.perf_counter()
            search(g, "wasser", limit=10)
            searches.append(time.perf_counter() - t)
            t = time.perf_counter()
            rank(g, project_target(g, f"project:{key}"))
            matches.append(time.perf_counter() - t)
            saves.append(saved - started)
            lives.append(done - started)
            modes.append(getattr(live.status(), "mode", "") or "rebuilt")
            if i < n - 1:
                live.wait()  # the warm-ups of this version end before the next save (as in a quiet moment)
    figures[f"{prefix}_save_s"] = round(statistics.median(saves), 3)
    figures[f"{prefix}_save_to_live_s"] = round(statistics.median(lives), 3)
    figures[f"{prefix}_first_search_s"] = round(statistics.median(searches), 3)
    figures[f"{prefix}_first_match_s"] = round(statistics.median(matches), 3)
    figures[f"{prefix}_mode"] = "/".join(sorted(set(modes)))


def bench_sample(figures: dict, edits: int) -> None:
    from loaders.workspace.location import create_workspace
    from tests.api.conftest import serve_workspace

    ws = create_workspace(Path(tempfile.mkdtemp()) / "ws.sqlite", sample=True, user="bench")
    app = serve_workspace(ws)
    _edits(app, ws, "projects", "BLP-01", "region", edits, "sample", figures)


def _large_workspace(nodes: int, data_dir: Path) -> Path:
    """The imported workspace of ``nodes`` synthetic nodes (made once, kept in ``data_dir``)."""
    from loaders.synthetic import generate
    from loaders.workspace import WorkspaceFile, make_preview
    from loaders.workspace.preview import publish_now

    path = data_dir / f"ws{nodes // 1000}k.sqlite"
    if not path.exists():
        data = data_dir / f"synthetic-{nodes}"
        if not (data / "projects.csv").exists():
            generate(data, nodes=nodes, seed=7)
        part = path.with_suffix(".part")
        part.unlink(missing_ok=True)
        ws = WorkspaceFile.create(part)
        publish_now(ws, make_preview(ws, data, mode="replace", save=False), user="bench", message="import")
        part.rename(path)
    return path


def bench_large(figures: dict, nodes: int, data_dir: Path, edits: int) -> None:
    from loaders.workspace import WorkspaceFile
    from tests.api.conftest import serve_workspace

    source = _large_workspace(nodes, data_dir)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / source.name
        shutil.copyfile(source, path)
        ws = WorkspaceFile(path)
        key = next(iter(ws.rows("projects", None)))
        started = time.perf_counter()
        app = serve_workspace(ws, live_wait=600)
        figures[f"n{nodes}_serve_build_s"] = round(time.perf_counter() - started, 1)
        _edits(app, ws, "projects", key, "title", edits, f"n{nodes}", figures)


def _measure(args) -> dict:
    figures: dict = {"loadavg_start": [round(x, 1) for x in os.getloadavg()[:2]]}
    bench_sample(figures, args.edits)
    if args.nodes:
        bench_large(figures, args.nodes, args.data_dir, args.edits_large)
    figures["loadavg_end"] = [round(x, 1) for x in os.getloadavg()[:2]]
    return figures


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--edits", type=int, default=5, help="saves on the sample (median)")
    p.add_argument("--nodes", type=int, default=0, help="also measure on this many synthetic nodes (0: skip)")
    p.add_argument("--edits-large", type=int, default=1)
    p.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "live-data")
    p.add_argument("--save", action="store_true", help=f"keep the figures in {RESULTS.name}")
    p.add_argument("--against", default="HEAD~1", help="revision measured side by side ('' = saved figures)")
    p.add_argument("--root", type=Path, default=None, help=argparse.SUPPRESS)
    p.add_argument("--figures-json", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.figures_json:
        print(json.dumps(_measure(args)))
        return 0
    from benchmarks import sides  # here, not at the top: a side's process imports from the measured checkout
    args.data_dir.mkdir(parents=True, exist_ok=True)
    if args.nodes:
        _large_workspace(args.nodes, args.data_dir)  # once, before either side is timed
    side_args = sides.side_args(list(argv if argv is not None else sys.argv[1:]))
    side_args += ["--data-dir", str(args.data_dir)]
    print(f"{os.cpu_count()} cores, {_load()} at start")
    previous, label = sides.previous_figures(__file__, args.against, side_args, RESULTS)
    figures = sides.run_side(__file__, HERE, side_args)
    print(f"{'figure':<34}{'now':>16}{label[:12]:>16}{'target':>9}")
    for key in dict.fromkeys([*figures, *previous]):
        value, prev = figures.get(key), previous.get(key)

        def fmt(v):
            if v is None:
                return f"{'–':>16}"
            if isinstance(v, list):
                return f"{'/'.join(f'{x:.1f}' for x in v):>16}"
            return f"{v:>16.3f}" if isinstance(v, float) else f"{v!s:>16}"
        target = TARGETS.get(key)
        print(f"{key:<34}{fmt(value)}{fmt(prev)}{f'  ≤ {target:g}' if target else ''}"
              f"{'  MISSED' if target and isinstance(value, float) and value > target else ''}")
    print(f"{_load()} at end")
    if args.save:
        RESULTS.write_text(json.dumps({"loadavg_end": [round(x, 1) for x in os.getloadavg()[:2]],
                                       "against": args.against, "figures": figures, "previous": previous},
                                      indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
