"""Benchmark of the workspace: upload → preview, publish → live, import, server start.

    python benchmarks/bench_workspace.py [--nodes 100000] [--data-dir DIR] [--skip-large] [--http] [--no-live]
                                         [--save] [--against REV]

Prints, with the load average (the machine may be shared):

* sample: upload → preview of a workbook with one new project (target ≤ 1 s),
  of the whole sample workbook, and publish → live in a running app (≤ 3 s);
* ``--nodes`` synthetic nodes (``python app.py generate``): import into a new
  workspace (≤ 30 s at 100k), preview of a one-row change (≤ 2 s: a workbook
  with the row, mode update; and, for comparison, the whole dataset uploaded
  again with one title changed, mode replace), publish of that change → live
  in a warm app as ``serve --workspace`` runs it (row changes applied in
  place), then a second one-row publish forced through the rebuild an
  import's publish gets (load + build + swap; the warm-up of a dataset this
  size runs after the swap) beside a load of the workspace in that same
  serving process, alone and as served (with the masking of contacts
  without consent), and loading for the server from the workspace vs from
  the CSV files (``--http``: also a real ``serve`` start until
  the first page answers, both ways, without a kept build: the median of three
  starts each way, alternating).

Timed steps print wall seconds and, as ``*_cpu_s``, the CPU seconds of the
process: on a shared machine the wall time grows with the load average, the
CPU time says what the code costs. Each side runs in its own process. ``--against REV`` (default ``HEAD~1``)
checks out that revision with ``git worktree add`` in a temporary folder and
measures it in the same run with this script, so the "previous" column is
the earlier commit's code on the same machine at the same time (``--against
''`` skips it and shows the figures saved by ``--save`` instead).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
ROOT = HERE
if "--root" in sys.argv:  # measure another checkout's code with this script (see --against)
    ROOT = Path(sys.argv[sys.argv.index("--root") + 1]).resolve()
sys.path.insert(0, str(ROOT))

RESULTS = HERE / "benchmarks" / "results-workspace.json"


def _load() -> str:
    a, b, _ = os.getloadavg()
    return f"load {a:.1f}/{b:.1f}"


def _workbook(rows: dict[str, list[list[str]]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, table in rows.items():
        ws = wb.create_sheet(name)
        for row in table:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _preview_upload(ws, name: str, content: bytes, mode: str):
    from loaders.workspace import make_preview, stage_upload

    tmp = tempfile.mkdtemp()
    try:
        path = stage_upload([(name, content)], tmp)
        return make_preview(ws, path, mode=mode, source=name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _live_app(ws, *, incremental: bool = False):
    """An app serving ``ws`` with live switching, as ``serve --workspace`` builds it
    (``incremental``: with its row-level update; else every publish is rebuilt)."""
    from dashboard.app import create_app, warm_up
    from dashboard.live import LiveData, install_live_data
    from graph.people.privacy import mask_unconsented
    from loaders.workspace import WorkspaceFile, load_workspace
    from loaders.workspace.live_update import updater
    from loaders.workspace.store import read_head

    version, result = load_workspace(ws)
    mask_unconsented(result.graph)
    app = create_app(result.graph, report=result.report)
    warm_up(app).join()

    def newest():
        v, r = load_workspace(WorkspaceFile(ws.path))
        mask_unconsented(r.graph)
        return v, r.graph, r.report

    return install_live_data(app, LiveData(app, version=version, head=lambda: read_head(ws.path), load=newest,
                                           update=updater(ws.path) if incremental else None))


def _rebuilding(live):
    """A second keeper of ``live``'s app without the row-level update: the
    rebuild (load + build + ≤ 1 s warm-up + swap) an import's publish gets."""
    from dashboard.live import LiveData

    return LiveData(live.app, version=live.status().live, head=live._head, load=live._load)


def _publish_to_live(ws, token: str, live) -> float:
    from loaders.workspace import publish_preview

    start = time.perf_counter()
    version = publish_preview(ws, token, user="bench", message="bench")
    live.check(force=True)  # what the next request does (at most a second later)
    while live.status().live != version.id:  # live = swapped in; slow warm-ups may still run after
        assert live.status().error is None, live.status()
        time.sleep(0.005)
    elapsed = time.perf_counter() - start
    live.wait()
    return elapsed


def bench_sample(figures: dict) -> None:
    from loaders.workspace.location import create_workspace

    with tempfile.TemporaryDirectory() as tmp:
        ws = create_workspace(Path(tmp) / "ws.sqlite", sample=True, user="bench")
        one = _workbook({"projects": [["id", "title", "countries", "themes", "start", "source"],
                                      ["BENCH-1", "Benchmark-Projekt", "TZA", "water", "2025", "https://example.org"]],
                         "participations": [["project", "institution", "role"], ["BENCH-1", "hlft", "implementing"]]})
        clocks = []
        for _ in range(3):
            with _Clock() as clock:
                preview = _preview_upload(ws, "neu.xlsx", one, "update")
            clocks.append(clock)
        min(clocks, key=lambda c: c.wall).put(figures, "sample_upload_preview")
        with _Clock() as clock:
            _preview_upload(ws, "sample.xlsx", (ROOT / "data" / "sample.xlsx").read_bytes(), "replace")
        clock.put(figures, "sample_whole_workbook_preview")
        live = _live_app(ws)
        figures["sample_publish_to_live_s"] = _publish_to_live(ws, preview.token, live)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve_start(args: list[str]) -> float:
    port = _free_port()
    start = time.perf_counter()
    # a first start both ways: no build kept from an earlier start (loaders/kept.py; bench_restart times those)
    env = {**os.environ, "PARTNERNETZ_KEPT_DIR": "off"}
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "serve", "--port", str(port), *args], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, env=env)
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"serve {' '.join(args)} exited")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5):
                    return time.perf_counter() - start
            except OSError:
                time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(30)


class _Clock:
    """Wall and CPU seconds of this process (on a shared machine the CPU time says what the code costs)."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def put(self, figures: dict, name: str) -> None:
        figures[f"{name}_s"], figures[f"{name}_cpu_s"] = self.wall, self.cpu


def _one_row_edited_copy(data: Path, target: Path) -> Path:
    """The CSV folder with the title of its first project changed (a whole dataset re-uploaded with one edit)."""
    import csv

    shutil.copytree(data, target)
    with (target / "projects.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows[1][rows[0].index("title")] += " (geändert)"
    with (target / "projects.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return target


def bench_large(figures: dict, nodes: int, data_dir: Path | None, http: bool, live: bool = True) -> None:
    from loaders import load
    from loaders.synthetic import generate
    from loaders.workspace import WorkspaceFile, load_workspace, make_preview
    from loaders.workspace.preview import publish_now
    from graph.people.privacy import mask_unconsented

    with tempfile.TemporaryDirectory() as tmp:
        data = (data_dir or Path(tmp)) / f"synthetic-{nodes}"
        if not (data / "projects.csv").exists():
            generate(data, nodes=nodes, seed=7)
        ws = WorkspaceFile.create(Path(tmp) / "large.sqlite")
        with _Clock() as clock:
            preview = make_preview(ws, data, mode="replace", save=False)
        clock.put(figures, f"import_{nodes}_preview")
        with _Clock() as publish:
            publish_now(ws, preview, user="bench", message="import")
        figures[f"import_{nodes}_new_workspace_s"] = clock.wall + publish.wall
        figures[f"import_{nodes}_new_workspace_cpu_s"] = clock.cpu + publish.cpu
        figures[f"import_{nodes}_rows"] = len(preview.changes)
        figures[f"workspace_{nodes}_file_mb"] = ws.path.stat().st_size / 1e6
        preview = None

        project = next(iter(ws.rows("projects", None).values()))
        one = _workbook({"projects": [list(project), [*(v if k != "title" else v + " (geändert)" for k, v in project.items())]]})
        with _Clock() as clock:
            preview = _preview_upload(ws, "one-row.xlsx", one, "update")
        clock.put(figures, f"preview_{nodes}_one_row")
        assert preview.counts == {"projects": {"added": 0, "changed": 1, "removed": 0}}, preview.counts

        edited = _one_row_edited_copy(data, Path(tmp) / "edited")
        with _Clock() as clock:  # the whole dataset again (replace), one title changed: a full load + compare
            whole = make_preview(ws, edited, mode="replace")
        clock.put(figures, f"preview_{nodes}_one_row_whole_dataset_replace")
        assert whole.counts == {"projects": {"added": 0, "changed": 1, "removed": 0}}, whole.counts
        whole = None

        with _Clock() as clock:
            load_workspace(ws)
        clock.put(figures, f"load_{nodes}_from_workspace")
        with _Clock() as clock:
            load(data)
        clock.put(figures, f"load_{nodes}_from_csv")

        if live:  # a running app at this size warms up whole-graph work first: minutes on a busy machine
            served = _live_app(ws, incremental=True)  # as `serve --workspace`: row changes applied in place
            figures[f"publish_{nodes}_one_row_to_live_s"] = _publish_to_live(ws, preview.token, served)
            figures[f"publish_{nodes}_one_row_to_live_mode"] = served.status().mode
            with _Clock() as clock:  # the same work a rebuild does first, in this (serving, warm) process
                _v, loaded = load_workspace(ws)
            clock.put(figures, f"load_{nodes}_from_workspace_in_serving_process")
            with _Clock() as masking:  # what makes it the served graph (as serve --workspace does)
                mask_unconsented(loaded.graph)
            loaded = None
            figures[f"load_{nodes}_as_served_in_serving_process_s"] = clock.wall + masking.wall
            again = _workbook({"projects": [list(project), [*(v if k != "title" else v + " (zweimal)" for k, v in project.items())]]})
            preview = _preview_upload(ws, "one-row-again.xlsx", again, "update")
            rebuilt = _rebuilding(served)
            figures[f"publish_{nodes}_rebuilt_to_live_s"] = _publish_to_live(ws, preview.token, rebuilt)
            figures[f"publish_{nodes}_rebuilt_to_live_mode"] = rebuilt.status().mode
        if http:
            # three starts each way, alternating (a single start varies by a second on a shared machine): medians
            starts: dict[str, list[float]] = {"workspace": [], "csv": []}
            for _ in range(3):
                starts["workspace"].append(_serve_start(["--workspace", str(ws.path)]))
                starts["csv"].append(_serve_start(["--data", str(data)]))
            for way, runs in starts.items():
                figures[f"serve_{nodes}_start_from_{way}_s"] = sorted(runs)[1]
                figures[f"serve_{nodes}_start_from_{way}_runs"] = [round(r, 1) for r in runs]


TARGETS = {"sample_upload_preview_s": 1.0, "sample_publish_to_live_s": 3.0, "import_100000_new_workspace_s": 30.0,
           "preview_100000_one_row_s": 2.0}


def _measure(args) -> dict:
    figures: dict = {"loadavg_start": list(os.getloadavg()[:2])}
    bench_sample(figures)
    if not args.skip_large:
        bench_large(figures, args.nodes, args.data_dir, args.http, live=not args.no_live)
    figures["loadavg_end"] = list(os.getloadavg()[:2])
    return figures


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--nodes", type=int, default=100_000)
    p.add_argument("--data-dir", type=Path, default=None, help="keep the generated dataset here (reused next time)")
    p.add_argument("--skip-large", action="store_true")
    p.add_argument("--http", action="store_true", help="also time real server starts (workspace vs CSV)")
    p.add_argument("--no-live", action="store_true", help="skip publish → live in a running app at --nodes (the slowest step)")
    p.add_argument("--save", action="store_true", help=f"keep the figures in {RESULTS.name} for the next run")
    p.add_argument("--against", default="HEAD~1", help="revision measured side by side (default HEAD~1; '' = saved figures)")
    p.add_argument("--root", type=Path, default=None, help=argparse.SUPPRESS)
    p.add_argument("--figures-json", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.figures_json:  # one side, run by main() below
        print(json.dumps(_measure(args)))
        return 0
    from benchmarks import sides  # here, not at the top: a side's process imports from the measured checkout
    side_args = sides.side_args(list(argv if argv is not None else sys.argv[1:]))
    if args.data_dir is None:
        args.data_dir = Path(tempfile.mkdtemp(prefix="partnernetz-bench-data-"))
        side_args += ["--data-dir", str(args.data_dir)]  # both sides import the same generated files
    print(f"{os.cpu_count()} cores, {_load()} at start")
    previous, label = sides.previous_figures(__file__, args.against, side_args, RESULTS)
    figures = sides.run_side(__file__, HERE, side_args)
    print(f"{'figure':<52}{'now':>10}{label[:10]:>10}{'target':>9}")
    for key in dict.fromkeys([*figures, *previous]):
        value, prev = figures.get(key), previous.get(key)
        def fmt(v):
            if v is None:
                return "         –"
            if isinstance(v, list):
                return f"{'/'.join(f'{x:.1f}' for x in v):>10}"
            return f"{v:>10.2f}" if isinstance(v, float) else f"{v:>10}"
        target = TARGETS.get(key)
        print(f"{key:<52}{fmt(value)}{fmt(prev)}{f'  ≤ {target:g}' if target else ''}"
              f"{'  MISSED' if target and value is not None and value > target else ''}")
    print(f"{_load()} at end")
    if args.save:
        RESULTS.write_text(json.dumps({"loadavg_end": os.getloadavg()[:2], "against": args.against,
                                       "figures": figures, "previous": previous}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
