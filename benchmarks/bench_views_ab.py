"""Netzwerk views of this checkout and of an earlier revision, served at the
same time and asked in turn (not a test).

``bench_callbacks.py`` measures one side after the other, so a machine that
gets faster or slower between the two halves of a run (other work on the
host, CPU frequency) tilts the comparison by more than a change is worth.
Here both checkouts serve the same dataset at once (each in its own process,
restarted from its kept build when there is one) and every view is sent to
both back to back, which one goes first alternating, so drift hits both
columns alike. The views are ``bench_callbacks``' kinds (default, focus
radius 1 and 2, expand, path, filter; the same seed gives the same views),
plus radius 1 and 2 around hubs (Länder, partner countries, themes in turn). Each is
a first visit: the kept layouts of both sides are removed before the servers
start, and a server's own layout cache never sees a view twice.

Per kind of view: p50 / p95 / max ms over HTTP for this checkout and the
revision, and the load average at start and end. Both servers hold the
dataset: at 300k nodes that is ~3.9 GB each.

    python benchmarks/bench_views_ab.py                                   # /tmp/syn100k against HEAD~1, 40 views per kind
    python benchmarks/bench_views_ab.py --data /tmp/syn300k --against a2322b3 --views 40
    python benchmarks/bench_views_ab.py --data data/sample --views 5      # quick
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(HERE))

from bench_callbacks import dataset_ids, network_searches, percentile, wait_idle  # noqa: E402
from run import DashClient, Server  # noqa: E402
from sides import checkout  # noqa: E402


def hub_searches(data: Path, n: int) -> dict[str, list[str]]:
    r"""Radius 1 and 2 around up to ``n`` hubs of the dataset: the Länder of
    its institutions, the partner countries of its projects, its themes
    (taken in turn, each sorted).

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "themes.csv").write_text("id,name\nwater,Wasser\n", encoding="utf-8")
    >>> hub_searches(folder, 5)["hub r=2"]
    ['?focus=theme%3Awater&radius=2']
    """
    import csv

    def column(name: str, col: str) -> list[str]:
        path = data / name
        if not path.exists():
            return []
        with path.open(newline="", encoding="utf-8") as fh:
            return [v for row in csv.DictReader(fh) for v in (row.get(col) or "").split(";") if v]

    groups = [[f"land:{x}" for x in sorted(set(column("institutions.csv", "land")))],
              [f"country:{x}" for x in sorted(set(column("projects.csv", "countries")))],
              [f"theme:{x}" for x in sorted(set(column("themes.csv", "id")))]]
    hubs = [group[k] for k in range(max(map(len, groups))) for group in groups if k < len(group)][:n]
    return {"hub r=1": ["?" + urlencode({"focus": h}) for h in hubs],
            "hub r=2": ["?" + urlencode({"focus": h, "radius": 2}) for h in hubs]}


def interleaved(clients: tuple[DashClient, DashClient], searches: list[str]) -> tuple[list[float], list[float]]:
    """Milliseconds per search on each client, the one asked first alternating."""
    times: tuple[list[float], list[float]] = ([], [])
    for k, search in enumerate(searches):
        for side in ((0, 1) if k % 2 == 0 else (1, 0)):
            start = time.perf_counter()
            clients[side].page("/", search)
            times[side].append((time.perf_counter() - start) * 1000)
    return times


def _row(values: list[float]) -> str:
    if not values:
        return "–"
    ordered = sorted(values)
    return f"{ordered[len(ordered) // 2]:.0f} / {percentile(ordered, 95):.0f} / {ordered[-1]:.0f}"


def _forget_layouts(kept: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{kept / 'layouts.sqlite'}{suffix}").unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default="/tmp/syn100k", help="dataset folder (default /tmp/syn100k)")
    p.add_argument("--against", default="HEAD~1", help="revision served beside this checkout (default HEAD~1)")
    p.add_argument("--views", type=int, default=40, help="views per kind (default 40)")
    p.add_argument("--port", type=int, default=8740, help="this side's port; the revision's is the next one")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--kept-dir", default=str(Path(tempfile.gettempdir()) / "partnernetz-bench-kept"),
                   help="kept builds, one folder per checkout (as bench_callbacks keeps them)")
    args = p.parse_args(argv)
    data = Path(args.data).resolve()
    other = checkout(args.against)
    if other is None:
        return 2
    servers = []
    try:
        for k, root in enumerate((HERE, other)):
            kept = Path(args.kept_dir) / root.name
            _forget_layouts(kept)
            servers.append(Server(data, args.port + k, root=root, env={
                "PARTNERNETZ_KEPT_DIR": str(kept),
                "PARTNERNETZ_AUDIT_LOG": str(Path(tempfile.gettempdir()) / f"partnernetz-ab-audit-{k}.jsonl")}))
        ready = max(server.wait_ready() for server in servers)  # both started together
        clients = tuple(DashClient(__import__("requests").Session(), server.url) for server in servers)
        for client in clients:
            client.page("/", "")
        waited = [wait_idle(server) for server in servers]
        rng = random.Random(args.seed)
        ids = dataset_ids(data, rng, args.views)
        kinds = {**network_searches(ids, rng, args.views), **hub_searches(data, args.views)}
        load_before = os.getloadavg()
        print(f"{data.name}: this checkout against {args.against}, both served at once (both ready after "
              f"{ready:.1f} s, idle after {waited[0]:.1f} / {waited[1]:.1f} s more); "
              f"load average {' '.join(f'{x:.2f}' for x in load_before)} at start")
        print(f"{'view':12} | {'n':>3} | {'now p50 / p95 / max ms':>24} | {args.against + ' p50 / p95 / max ms':>24}")
        for kind, searches in kinds.items():
            mine, theirs = interleaved(clients, searches)
            print(f"{kind:12} | {len(searches):>3} | {_row(mine):>24} | {_row(theirs):>24}")
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at end")
    finally:
        for server in servers:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
