"""Load test: concurrent simulated users clicking through the running app.

Starts ``python app.py serve`` on loopback with a synthetic dataset (default
10k nodes), fills its caches with one view of each page, then lets
``--users`` simulated users (default 20) click for ``--duration`` seconds
(default 60) through the network explorer and matchmaking, each click being
the Dash callback request the browser sends:

    search suggestions → focus a node → expand a neighbour → shortest path → matchmaking for a project
    → contact filter (count and first page of the grid) → guest list

with no think time (a worst case). Reports throughput, p50/p95/p99 latency
overall and per click, and errors (HTTP status ≠ 200/204 or failed requests).
Uses asyncio + httpx when installed (``pip install -e ".[bench]"``), threads
with ``requests`` otherwise.

    python benchmarks/loadtest.py                       # 20 users, 60 s, 10k nodes
    python benchmarks/loadtest.py --users 5 --duration 10 --nodes 1k   # quick
    python benchmarks/loadtest.py --workers 2           # against `serve --workers 2`
    python benchmarks/loadtest.py --nodes 100k --base /tmp/scale-base   # and the previous commit, same run
    python benchmarks/loadtest.py --login               # the same run twice: without login, then each
                                                        # user signed in (own session cookie), side by side

It also reports the server's CPU time and the peak memory of all server
processes together (PSS and USS from ``/proc/<pid>/smaps_rollup``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from run import ROOT, DashClient, Server, component_values, dataset, free_port, parse_size, size_name  # noqa: E402

ACTIONS = ("search", "focus", "expand", "path", "matchmaking", "contacts", "guestlist")


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted values.

    >>> percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)
    10
    """
    return ordered[max(0, -(-int(p * len(ordered)) // 100) - 1)] if ordered else float("nan")


def build_bodies(client: DashClient, data: Path, *, seed: int, count: int = 200) -> dict[str, list[dict]]:
    """Callback request bodies per click, for varied nodes, pairs and projects."""
    from graph.core.kinds import NodeKind
    from loaders import load

    g = load(data).graph
    rng = random.Random(seed)
    insts = sorted(g.nodes(NodeKind.INSTITUTION))
    projects = sorted(g.nodes(NodeKind.PROJECT))
    nodes = rng.sample(insts + projects, min(count, len(insts) + len(projects)))
    page = client.find("_pages_content.children")

    def view(search: str) -> dict:
        return client.request(page, {("_pages_location", "pathname"): "/", ("_pages_location", "search"): search},
                              changed="_pages_location.pathname")

    bodies: dict[str, list[dict]] = {a: [] for a in ACTIONS}
    suggest = client.find("network-suggestions")
    if suggest:
        state = component_values(client.page("/")[1]).get(("network-state", "data"))
        key = json.dumps({"role": "search", "type": "network-query"}, sort_keys=True)
        for nid in nodes:
            label = g.node(nid)["label"]
            bodies["search"].append(client.request(suggest, {(key, "value"): label[: max(4, len(label) // 2)],
                                                             ("network-state", "data"): state,
                                                             ("__wildcard__", ""): {"role": "search"}}))
    lists = client.find("network-neighbours.children")

    def shown(query: dict[str, Any]) -> list[dict]:
        """The click on a view: the page, then, where the page asks for them
        (a busy node's details: the answer holds ``network-neighbours-of``),
        the neighbour lists, as the browser does."""
        from dashboard.viewstate import parse_query
        steps = [view("?" + urlencode(query))]
        if lists and query.get("focus") and '"network-neighbours-of"' in json.dumps(client.post(steps[0])[1]):
            steps.append(client.request(lists, {("network-neighbours-of", "data"): {"node": query["focus"]},
                                                ("network-state", "data"): parse_query({**query, "lang": "de"})}))
        return steps

    for nid in nodes:
        bodies["focus"].append(shown({"focus": nid, "radius": 1}))
        neighbour = rng.choice(sorted(g.neighbours(nid)))
        bodies["expand"].append(shown({"focus": nid, "expand": neighbour}))
        a, b = rng.sample(insts, 2)
        bodies["path"].append(shown({"path": f"{a},{b}"}))
    mm = client.find("matchmaking-results.children")
    if mm:
        defaults = component_values(client.page("/matchmaking")[1])
        for pid in rng.sample(projects, min(count, len(projects))):
            bodies["matchmaking"].append(client.request(mm, {**defaults, ("matchmaking-target", "value"): pid},
                                                        changed="matchmaking-target.value"))
    count_dep = client.find("contacts-result-count.children")
    if count_dep:
        defaults = component_values(client.page("/kontakte")[1])
        rows_dep = client.find("contacts-results.getRowsResponse")  # the grid pages on the server
        guest = client.find("contacts-list-store.data")
        themes = sorted(g.nodes(NodeKind.THEME))
        countries = sorted(g.nodes(NodeKind.COUNTRY))
        for k in range(count):
            values = {**defaults, ("contacts-themes", "value"): [rng.choice(themes)]}
            if k % 2:
                values[("contacts-countries", "value")] = [rng.choice(countries)]
            # one click = every request the browser sends for it, in order
            if rows_dep:  # the grid's request answers rows and count
                steps = [client.request(rows_dep, {**values, ("contacts-results", "getRowsRequest"):
                                                   {"startRow": 0, "endRow": 15, "sortModel": [], "filterModel": {}}})]
            else:
                steps = [client.request(count_dep, values, changed="contacts-themes.value")]
            bodies["contacts"].append(steps)
            if guest:
                bodies["guestlist"].append(client.request(guest, {**values, ("contacts-build", "n_clicks"): 1,
                                                                  ("contacts-size", "value"): 30},
                                                          changed="contacts-build.n_clicks"))
    return {a: b for a, b in bodies.items() if b}


class Recorder:
    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.messages: list[str] = []
        self.lock = threading.Lock()

    def ok(self, action: str, seconds: float) -> None:
        with self.lock:
            self.samples.setdefault(action, []).append(seconds * 1000)

    def error(self, action: str, message: str) -> None:
        with self.lock:
            self.errors[action] = self.errors.get(action, 0) + 1
            if len(self.messages) < 10:
                self.messages.append(f"{action}: {message}"[:300])

    def answered(self, action: str, status: int, start: float) -> None:
        """One reply to a click sent at ``start`` (perf_counter): 200/204 is a
        sample, any other status an error."""
        if status in (200, 204):
            self.ok(action, time.perf_counter() - start)
        else:
            self.error(action, f"HTTP {status}")


def _session_plan(bodies: dict[str, list[dict]], user: int, seed: int):
    rng = random.Random(seed * 1000 + user)
    while True:
        for action in ACTIONS:
            if action in bodies:
                yield action, rng.choice(bodies[action])


async def _run_async(url: str, bodies, users: int, duration: float, seed: int, rec: Recorder,
                     cookies: list[str] | None = None) -> None:
    import httpx

    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120) as client:
        deadline = time.perf_counter() + duration

        async def user(i: int) -> None:
            for action, body in _session_plan(bodies, i, seed):
                if time.perf_counter() >= deadline:
                    return
                start = time.perf_counter()
                try:
                    for step in (body if isinstance(body, list) else [body]):  # a click may be several requests
                        resp = await client.post("/_dash-update-component", json=step,
                                                 headers={"Cookie": cookies[i]} if cookies else None)
                        if resp.status_code not in (200, 204):
                            break
                    rec.answered(action, resp.status_code, start)
                except httpx.HTTPError as exc:
                    rec.error(action, repr(exc))

        await asyncio.gather(*(user(i) for i in range(users)))


def _run_threads(url: str, bodies, users: int, duration: float, seed: int, rec: Recorder,
                 cookies: list[str] | None = None) -> None:
    import requests

    deadline = time.perf_counter() + duration

    def user(i: int) -> None:
        session = requests.Session()
        if cookies:
            session.headers["Cookie"] = cookies[i]
        for action, body in _session_plan(bodies, i, seed):
            if time.perf_counter() >= deadline:
                return
            start = time.perf_counter()
            try:
                for step in (body if isinstance(body, list) else [body]):
                    resp = session.post(url + "/_dash-update-component", json=step, timeout=120)
                    if resp.status_code not in (200, 204):
                        break
                rec.answered(action, resp.status_code, start)
            except requests.RequestException as exc:
                rec.error(action, repr(exc))

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def summary(rec: Recorder, elapsed: float) -> dict[str, Any]:
    def stats(values: list[float], errors: int) -> dict[str, Any]:
        ordered = sorted(values)
        return {"requests": len(values) + errors, "ok": len(values), "errors": errors,
                "p50_ms": percentile(ordered, 50), "p95_ms": percentile(ordered, 95), "p99_ms": percentile(ordered, 99)}

    every = [v for values in rec.samples.values() for v in values]
    total = stats(every, sum(rec.errors.values()))
    total["throughput_rps"] = total["requests"] / elapsed
    per_action = {a: stats(rec.samples.get(a, []), rec.errors.get(a, 0)) for a in ACTIONS
                  if a in rec.samples or a in rec.errors}
    return {"total": total, "per_action": per_action, "error_messages": rec.messages, "elapsed_s": elapsed}


def render(result: dict[str, Any]) -> str:
    rows = [("click", "requests", "errors", "p50 ms", "p95 ms", "p99 ms")]
    for name, s in [*result["per_action"].items(), ("all", result["total"])]:
        rows.append((name, str(s["requests"]), str(s["errors"]), f"{s['p50_ms']:.0f}", f"{s['p95_ms']:.0f}", f"{s['p99_ms']:.0f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    t = result["total"]
    mem = result.get("server_memory_peak_mb") or {}
    memory = (f"; server memory (all {mem['processes']:.0f} processes, peak) PSS {mem['pss']:.0f} MB, USS {mem['uss']:.0f} MB, "
              f"RSS sum {mem['rss']:.0f} MB" if mem.get("processes") else "")
    head = (f"{result['users']} users, {result['elapsed_s']:.0f} s, {result['nodes']} nodes, "
            f"{result.get('workers', 1)} server worker(s), client {result['client']}: "
            f"{t['requests']} requests, {t['throughput_rps']:.1f} req/s, {t['errors']} errors; "
            f"{result['cores']} cores, load average {result['loadavg_start']} → {result['loadavg_end']}{memory}; "
            f"CPU time server {result.get('server_cpu_s', float('nan')):.0f} s, load client "
            f"{result.get('client_cpu_s', float('nan')):.0f} s")
    return head + "\n" + "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--nodes", default="10k", help="synthetic dataset size (default 10k)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--duration", type=float, default=60.0, help="seconds of clicking")
    p.add_argument("--threads", action="store_true", help="use threads even when httpx is installed")
    p.add_argument("--actions", default=",".join(ACTIONS),
                   help=f"comma-separated clicks to send (default all: {','.join(ACTIONS)}), e.g. to profile one")
    p.add_argument("--workers", type=int, default=1, help="server worker processes (`serve --workers N`; default 1)")
    p.add_argument("--data-dir", default=str(Path(os.environ.get("TMPDIR", "/tmp")) / "partnernetz-bench"))
    p.add_argument("--out", default=str(Path(__file__).resolve().parent / "loadtest.json"))
    p.add_argument("--login", action="store_true",
                   help="run twice: without login, then with every user signed in with its own session; report both")
    p.add_argument("--base", help="checkout of the previous commit: the same users against it, same run")
    p.add_argument("--against", metavar="COMMIT",
                   help="the previous commit, checked out into a temporary worktree: the same users against it")
    p.add_argument("--data", metavar="PATH", help="serve this dataset folder (instead of a generated --nodes one)")
    p.add_argument("--kept-dir", metavar="DIR",
                   help="start from the build kept in DIR (PARTNERNETZ_KEPT_DIR; a restart, as after a deploy); "
                        "default: keeping off, the server loads and warms up from the files")
    p.add_argument("--base-kept-dir", metavar="DIR",
                   help="the previous commit (--base/--against) starts from the build it kept in DIR "
                        "(default: keeping off; never --kept-dir, which holds this commit's build)")
    args = p.parse_args(argv)
    if args.data:
        folder = Path(args.data)
        n = parse_size(args.nodes)  # for the report only
    else:
        n = parse_size(args.nodes)
        folder, _ = dataset(n, args.seed, Path(args.data_dir))
    if args.base or args.against:
        import subprocess
        import tempfile

        results = {"this commit": run_once(args, folder, n)}
        scratch = Path(tempfile.mkdtemp(prefix="partnernetz-loadtest-")) / "against"
        base = Path(args.base) if args.base else scratch
        try:
            if args.against:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(scratch), args.against],
                               check=True, capture_output=True)
            print(f"previous commit ({args.against or args.base}):")
            results["previous commit"] = run_once(args, folder, n, root=base, kept_dir=args.base_kept_dir or "off")
        finally:
            if args.against:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(scratch)],
                               capture_output=True)
        Path(args.out).write_text(json.dumps(results, indent=2))
        print(f"JSON: {args.out}", file=sys.stderr)
        return 0
    if not args.login:
        result = run_once(args, folder, n)
        Path(args.out).write_text(json.dumps(result, indent=2))
        print(f"JSON: {args.out}", file=sys.stderr)
        return 0
    import tempfile

    without = run_once(args, folder, n)
    with tempfile.TemporaryDirectory(prefix="partnernetz-login-") as tmp:
        with_login = run_once(args, folder, n, accounts=Path(tmp) / "accounts.sqlite")
    ratio = with_login["total"]["p95_ms"] / without["total"]["p95_ms"]

    def cpu_ms(r: dict) -> float:  # server CPU per request: independent of what else runs on the machine
        return 1000 * r["server_cpu_s"] / max(1, r["total"]["requests"])

    print(f"p95 without login {without['total']['p95_ms']:.0f} ms, with login {with_login['total']['p95_ms']:.0f} ms: "
          f"{ratio:.2f}× ({'within' if ratio <= 1.25 else 'beyond'} the 25 % target); server CPU per request "
          f"{cpu_ms(without):.1f} ms vs {cpu_ms(with_login):.1f} ms; load average "
          f"{without['loadavg_start']} → {with_login['loadavg_end']}")
    out = Path(args.out).with_name(Path(args.out).stem + "-login.json")
    out.write_text(json.dumps({"without_login": without, "with_login": with_login, "p95_ratio": round(ratio, 3)}, indent=2))
    print(f"JSON: {out}", file=sys.stderr)
    return 0


def _sign_in(url: str, users: int, accounts: Path) -> list[str]:
    """Create ``users`` planner accounts and sign each in once; their ``Cookie`` headers."""
    import requests

    from loaders.workspace.accounts import AccountStore

    store = AccountStore(accounts)
    cookies = []
    for i in range(users):
        name = f"bench{i:02d}"
        if store.get(name) is None:
            store.add(name, "benchmark-password", "planner")
        resp = requests.post(url + "/login", data={"user": name, "password": "benchmark-password"},
                             allow_redirects=False, timeout=60)
        if resp.status_code != 303:
            raise RuntimeError(f"login of {name} failed: HTTP {resp.status_code}")
        cookies.append(f"pn_session={resp.cookies['pn_session']}")
    return cookies


def run_once(args, folder: Path, n: int, accounts: Path | None = None, root: Path = ROOT,
             kept_dir: str | None = None) -> dict[str, Any]:
    """One load run of the server in checkout ``root``; with ``accounts`` the
    server requires login and every user signs in first. ``kept_dir``: where
    the server finds a kept build (default ``--kept-dir``; ``off``: keeping off)."""
    import requests

    extra: tuple[str, ...] = ()
    if accounts is not None:
        from loaders.workspace.accounts import AccountStore

        AccountStore(accounts).add("benchadmin", "benchmark-password", "admin")  # a user exists: login required
        extra = ("--accounts", str(accounts))
    load_start = os.getloadavg()[0]
    # a kept build is written once, in the background, after the warm-up: not while users click
    server = Server(folder, free_port(), workers=args.workers, extra=extra, root=root,
                    env={"PARTNERNETZ_KEPT_DIR": kept_dir or getattr(args, "kept_dir", None) or "off"})
    peak: dict[str, float] = {}
    sampling = threading.Event()

    def sample_memory() -> None:  # peak of the whole process tree while the users click
        while not sampling.wait(1.0):
            now = server.memory_mb() or {}
            for k, v in now.items():
                peak[k] = max(peak.get(k, 0), v)

    try:
        server.wait_ready()
        cookies = _sign_in(server.url, args.users + 1, accounts) if accounts is not None else None
        session = requests.Session()
        if cookies:
            session.headers["Cookie"] = cookies.pop()
        client = DashClient(session, server.url)
        for path in ("/", "/matchmaking", "/analysen", "/kontakte"):  # fill the per-dataset caches first
            client.page(path)
        chosen = {a.strip() for a in getattr(args, "actions", ",".join(ACTIONS)).split(",") if a.strip()}
        bodies = {a: b for a, b in build_bodies(client, folder, seed=args.seed).items() if a in chosen}
        rec = Recorder()
        use_httpx = not args.threads
        if use_httpx:
            try:
                import httpx  # noqa: F401
            except ImportError:
                use_httpx = False
        sampler = threading.Thread(target=sample_memory, daemon=True)
        sampler.start()
        cpu_before = server.cpu_seconds()
        client_cpu = time.process_time()
        start = time.perf_counter()
        if use_httpx:
            asyncio.run(_run_async(server.url, bodies, args.users, args.duration, args.seed, rec, cookies))
        else:
            _run_threads(server.url, bodies, args.users, args.duration, args.seed, rec, cookies)
        elapsed = time.perf_counter() - start
        client_cpu = time.process_time() - client_cpu
        cpu_after = server.cpu_seconds()
        server_cpu = sum(t - cpu_before.get(pid, 0.0) for pid, t in cpu_after.items())
        sampling.set()
        sampler.join()
        server_rss = server.peak_rss_mb()
    finally:
        sampling.set()
        server.stop()
    result = summary(rec, elapsed)
    result.update(users=args.users, nodes=size_name(n), client="asyncio+httpx" if use_httpx else "threads+requests",
                  cores=os.cpu_count(), loadavg_start=round(load_start, 2), loadavg_end=round(os.getloadavg()[0], 2),
                  server_peak_rss_mb=server_rss, workers=args.workers, server_cpu_s=round(server_cpu, 1),
                  client_cpu_s=round(client_cpu, 1),
                  server_memory_peak_mb={k: round(v, 1) for k, v in peak.items()}, login=accounts is not None)
    text = render(result)
    result["table"] = text
    print(("with login (each user its own session):\n" if accounts is not None else "") + text)
    for message in result["error_messages"]:
        print("  error:", message)
    return result


if __name__ == "__main__":
    sys.exit(main())
