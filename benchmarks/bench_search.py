"""Search benchmark: the name index against the previous commit, same run.

For every dataset size, a fresh process per checkout loads the generated
dataset, builds the search index (timed) and answers the same queries —
prefixes, whole words, swapped letters, short fragments, two words — then
reports median / p95 / max in ms. The previous commit is a second checkout
(``--base``, e.g. ``git worktree add /tmp/scale-base main``). The load
average is printed before and after.

    python benchmarks/bench_search.py --data /tmp/syn100k --base /tmp/scale-base
    python benchmarks/bench_search.py --data /tmp/syn100k,/tmp/syn300k --base /tmp/scale-base --check

``--check`` also asserts that both checkouts return the same hits.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def queries(g, count: int, seed: int) -> list[str]:
    """Typed queries drawn from the graph's labels (as ``run.py`` draws them,
    plus short fragments and two-word prefixes)."""
    from graph.core.kinds import NodeKind

    rng = random.Random(seed)
    pool = sorted(g.nodes(NodeKind.INSTITUTION)) + sorted(g.nodes(NodeKind.PROJECT))
    out = []
    for nid in rng.sample(pool, count):
        label = g.node(nid)["label"]
        words = label.split()
        longest = max(words, key=len)
        style = len(out) % 5
        if style == 0:
            out.append(label[: max(4, len(label) // 2)])
        elif style == 1 and len(longest) > 4:
            out.append(longest[:2] + longest[3] + longest[2] + longest[4:])
        elif style == 2:
            out.append(longest)
        elif style == 3:
            out.append(longest[:3])
        else:
            out.append(" ".join(w[:4] for w in words[:2]))
    return out


def worker(data: str, count: int, seed: int) -> dict:
    sys.path.insert(0, os.getcwd())
    from loaders import load
    from graph.explore import search as S

    g = load(data).graph
    start = time.perf_counter()
    size = S.search_index_size(g)
    build = time.perf_counter() - start
    qs = queries(g, count, seed)
    ms, hits = [], []
    for q in qs:
        t = time.perf_counter()
        res = S.search(g, q, limit=10)
        ms.append((time.perf_counter() - t) * 1000)
        hits.append([(h.node_id, h.score) for h in res])
    ordered = sorted(ms)
    return {"nodes": len(g), "names": size, "index_s": build, "median": statistics.median(ms),
            "p95": ordered[max(0, -(-95 * len(ordered) // 100) - 1)], "max": ordered[-1], "hits": hits}


def run(checkout: Path, data: str, count: int, seed: int) -> dict:
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", "--data", data,
                          "--count", str(count), "--seed", str(seed)],
                         cwd=checkout, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="comma-separated dataset folders")
    ap.add_argument("--base", help="checkout of the previous commit")
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--check", action="store_true", help="assert equal hits")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        json.dump(worker(args.data, args.count, args.seed), sys.stdout)
        return 0
    print(f"load average before: {os.getloadavg()}")
    for data in args.data.split(","):
        now = run(ROOT, data, args.count, args.seed)
        base = run(Path(args.base), data, args.count, args.seed) if args.base else None
        print(f"\n{data}: {now['nodes']} nodes, {now['names']} names, {args.count} queries")
        print(f"{'':22}{'this commit':>14}{'previous':>14}")
        for key, unit in (("index_s", "s"), ("median", "ms"), ("p95", "ms"), ("max", "ms")):
            prev = f"{base[key]:.3f}" if base else "-"
            print(f"  {key + ' (' + unit + ')':20}{now[key]:>14.3f}{prev:>14}")
        if args.check and base:
            same = sum(a == b for a, b in zip(now["hits"], base["hits"]))
            print(f"  same hits: {same}/{len(now['hits'])}")
            assert same == len(now["hits"])
        print(f"  load average: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
