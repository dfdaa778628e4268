"""Every Dash callback of every page, timed over HTTP against a served app (not a test).

Serves a dataset (default ``/tmp/syn100k``: ``python app.py generate --nodes
100000 --seed 7 --out /tmp/syn100k``) with ``python app.py serve`` on loopback,
renders every page once (cold caches; then waits until the server is idle:
warm-up done), and then sends each server-side callback of the app's own
``/_dash-dependencies`` ``--calls`` times (default 50) as the browser sends it:
a ``/_dash-update-component`` POST whose inputs and state are the values of
the rendered page, with the triggering input varied per call (dropdown
options, typed prefixes, grid blocks, clicks, nodes of the network). The page
render itself (``_pages_content.children``) is timed per page, and on
Netzwerk per kind of view (default, focus radius 1 and 2, expand, path,
filters), since the network view is drawn by it.

Per callback: p50 / p95 / max ms (wall time over loopback: the client is idle
while it waits, so this is the server's time plus queueing behind other
work on the machine), the HTTP statuses, the largest response in bytes and,
for network views, the bytes per graph element. Targets: p95 ≤ 100 ms,
≤ 500 KB per response, ≤ 150 bytes per element.

The previous commit is measured in the same run (``--against REV``, default
``HEAD~1``; a detached worktree via :mod:`benchmarks.sides`), each side in a
fresh process with its own server. Writes (save, publish, edit …) answer
without change here: a served ``--data`` folder has no workspace
(``benchmarks/bench_editing.py`` times writes).

    python benchmarks/bench_callbacks.py                         # /tmp/syn100k, 50 calls, against HEAD~1
    python benchmarks/bench_callbacks.py --against main --calls 60
    python benchmarks/bench_callbacks.py --data data/sample --calls 10 --against ''   # quick, this side only
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(HERE))

from run import DashClient, Server, _component_props, _split_outputs, component_values, graph_element_lists  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results-callbacks.json"
TARGET_P95_MS = 100.0
TARGET_BYTES = 500_000
TARGET_BYTES_PER_ELEMENT = 150
#: Pages rendered (their callbacks live there); the shell's callbacks are on every page.
PAGES = ("/", "/matchmaking", "/kontakte", "/analysen", "/daten", "/pipeline", "/protokoll", "/hilfe")
WORDS = ("wasser", "Berlin", "Hochschule", "energie", "Tansania", "Univ", "GIZ", "Klima", "Stadtwerke", "Kenia",
         "Mueller", "digital", "Bayern", "Agentur", "Schule", "Gesundheit", "Ruanda", "Hamburg", "Samuel", "Institut")
CLICK_PROPS = ("n_clicks", "submit_n_clicks", "n_submit", "n_intervals")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile.

    >>> percentile([5, 1, 4, 2, 3], 95)
    5
    """
    ordered = sorted(values)
    return ordered[max(0, -(-int(q * len(ordered)) // 100) - 1)]


def is_export(name: str) -> bool:
    """A file download (whole-dataset exports are files, not page views): timed, not held to the targets."""
    return "download.data" in name or "export.data" in name


def loadavg() -> str:
    a, b, c = os.getloadavg()
    return f"load average {a:.2f} {b:.2f} {c:.2f}"


# ------------------------------------------------------------------ inputs
def dataset_ids(data: Path, rng: random.Random, n: int) -> dict[str, list]:
    """Varied node ids read from the dataset's CSV files (no graph load in the client)."""
    def column(name: str, col: str) -> list[str]:
        path = data / name
        if not path.exists():
            return []
        with path.open(newline="", encoding="utf-8") as fh:
            return [row[col] for row in csv.DictReader(fh) if row.get(col)]

    insts = [f"institution:{k}" for k in column("institutions.csv", "id")]
    projects = [f"project:{k}" for k in column("projects.csv", "id")]
    pairs = []
    path = data / "participations.csv"
    if path.exists():
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        pairs = [(f"project:{r['project']}", f"institution:{r['institution']}") for r in rng.sample(rows, min(n, len(rows)))]
    themes = [f"theme:{k}" for k in column("themes.csv", "id")]
    countries = sorted({c for v in column("projects.csv", "countries") for c in v.split(";") if c})
    hubs = [f"country:{c}" for c in countries[:8]] + themes[:4] + [f"land:DE-{x}" for x in ("BW", "BY", "NW", "HE")]
    some = rng.sample(insts, min(n, len(insts))) + rng.sample(projects, min(n, len(projects)))
    rng.shuffle(some)
    # one call in ten focuses a hub (a Land, country or theme: thousands of neighbours)
    focus = [hubs[i % len(hubs)] if hubs and i % 10 == 9 else some[i % len(some)] for i in range(n)] if some else hubs
    expand = [(p, i) if k % 2 else (i, p) for k, (p, i) in enumerate(pairs)]
    return {"focus": focus, "expand": expand, "insts": insts, "themes": [t.split(":", 1)[1] for t in themes],
            "countries": countries}


def network_searches(ids: dict[str, list], rng: random.Random, n: int) -> dict[str, list[str]]:
    """URL query strings of the Netzwerk views, by kind of view."""
    from urllib.parse import urlencode

    out: dict[str, list[str]] = {"default": [""] * n}
    if ids["focus"]:
        out["focus r=1"] = ["?" + urlencode({"focus": f}) for f in ids["focus"][:n]]
        out["focus r=2"] = ["?" + urlencode({"focus": f, "radius": 2}) for f in ids["focus"][:n]]
    if ids["expand"]:
        out["expand"] = ["?" + urlencode({"focus": a, "expand": b}) for a, b in ids["expand"][:n]]
    if len(ids["insts"]) > 1:
        out["path"] = ["?" + urlencode({"path": ",".join(rng.sample(ids["insts"], 2))}) for _ in range(n)]
    if ids["themes"]:
        out["filter"] = ["?" + urlencode({"theme": rng.choice(ids["themes"]),
                                          **({"country": rng.choice(ids["countries"])} if k % 2 and ids["countries"] else {})})
                         for k in range(n)]
    return out


def _ids_of(tree: Any) -> list[Any]:
    return [props["id"] for props in _component_props(tree) if "id" in props]


def _key(cid: Any) -> str:
    return json.dumps(cid, sort_keys=True) if isinstance(cid, dict) else cid


class Page:
    """A rendered page: its components' ids and property values."""

    def __init__(self, path: str, tree: Any, shell: dict):
        self.path = path
        self.values = {**shell, **component_values(tree)}
        self.props = {}
        for props in _component_props(tree):
            if "id" in props:
                self.props[_key(props["id"])] = props
        self.ids = list(self.props) + sorted({k for k, _ in shell})
        self.tree = tree

    def has(self, cid: str) -> bool:
        if cid.startswith("{"):
            return bool(self.matching(json.loads(cid)))
        return cid in self.props or any(k == cid for k, _ in self.values)

    def matching(self, pattern: dict) -> list[dict]:
        """Concrete ids of the page matching a wildcard id."""
        fixed = {k: v for k, v in pattern.items() if not isinstance(v, list)}
        return [json.loads(k) for k in self.props if k.startswith("{")
                and all(json.loads(k).get(f) == v for f, v in fixed.items())
                and set(json.loads(k)) == set(pattern)]


def _option_values(props: dict) -> list[Any]:
    opts = props.get("options") or []
    return [o["value"] if isinstance(o, dict) else o for o in opts if (o.get("value") if isinstance(o, dict) else o) is not None]


def vary(props: dict, prop: str, base: Any, k: int, rng: random.Random, node_ids: list[str]) -> Any:
    """A value of ``prop`` for the ``k``-th call, like one a user would give."""
    if prop in CLICK_PROPS:
        return k + 1
    if prop == "search_value":
        word = rng.choice(WORDS)
        return word[: rng.randint(2, len(word))]
    if prop == "getRowsRequest":
        start = rng.choice([0, 0, 0, 15, 30, 150])
        cols = [c.get("field") for c in props.get("columnDefs") or [] if isinstance(c, dict) and c.get("field")]
        sort = [{"colId": rng.choice(cols), "sort": rng.choice(["asc", "desc"])}] if cols and k % 3 == 1 else []
        return {"startRow": start, "endRow": start + 15, "sortModel": sort, "filterModel": {}}
    if prop in ("tapNodeData", "mouseoverNodeData") and node_ids:
        nid = rng.choice(node_ids)
        return {"id": nid, "label": nid}
    if prop == "selectedRows":
        rows = props.get("rowData") or []
        return [rng.choice(rows)] if rows else []
    if prop == "value":
        options = _option_values(props)
        if options:
            if isinstance(base, list) or props.get("multi"):
                return rng.sample(options, min(len(options), rng.randint(1, 2)))
            return rng.choice(options)
        if props.get("type") == "number":
            return rng.randint(0, 24)
        if isinstance(base, str) or props.get("type") in ("text", "search"):
            word = rng.choice(WORDS)
            return word[: rng.randint(3, len(word))]
        if isinstance(base, (int, float)) and not isinstance(base, bool):  # sliders
            lo, hi = props.get("min", 0), props.get("max", 10)
            return rng.randint(int(lo), int(hi)) if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) else base
    return base


def bodies_for(client: DashClient, dep: dict, page: Page, n: int, rng: random.Random,
               node_ids: list[str]) -> list[dict]:
    """``n`` request bodies for one callback on ``page``, each triggered by
    one of its inputs in turn with a varied value."""
    inputs = dep["inputs"]
    bodies = []
    for k in range(n):
        trigger = inputs[k % len(inputs)]
        values = dict(page.values)
        wildcard: dict[str, Any] = {}
        for item in [*inputs, *dep["state"]]:
            if item["id"].startswith("{"):
                found = page.matching(json.loads(item["id"]))
                if found:
                    wildcard.update({f: v for f, v in found[0].items() if isinstance(json.loads(item["id"])[f], list)})
        values[("__wildcard__", "")] = wildcard
        tid = trigger["id"]
        if tid.startswith("{"):
            pattern = json.loads(tid)
            concrete = page.matching(pattern)
            if concrete:
                cid = concrete[0] if any(v == ["MATCH"] for v in pattern.values()) else concrete[rng.randrange(len(concrete))]
                key = _key(cid)
                values[(key, trigger["property"])] = vary(page.props.get(key, {}), trigger["property"],
                                                          values.get((key, trigger["property"])), k, rng, node_ids)
            changed = None
        else:
            values[(tid, trigger["property"])] = vary(page.props.get(tid, {}), trigger["property"],
                                                      values.get((tid, trigger["property"])), k, rng, node_ids)
            changed = f"{tid}.{trigger['property']}"
        body = client.request(dep, values, changed=changed)
        body["inputs"] = [_all_values(spec, dep_item, page, values) for spec, dep_item in zip(body["inputs"], inputs)]
        body["state"] = [_all_values(spec, dep_item, page, values) for spec, dep_item in zip(body["state"], dep["state"])]
        bodies.append(body)
    return bodies


def _all_values(spec: dict, item: dict, page: Page, values: dict) -> Any:
    """An ALL wildcard's input as Dash sends it: one entry per matching component."""
    if not item["id"].startswith("{") or not any(v == ["ALL"] for v in json.loads(item["id"]).values()):
        return spec
    return [{"id": cid, "property": item["property"], "value": values.get((_key(cid), item["property"]))}
            for cid in page.matching(json.loads(item["id"]))]


def graph_elements(payload: Any) -> tuple[int, int]:
    """(number of cytoscape elements, their JSON bytes) in a response: what the network view sends."""
    best = (0, 0)
    for els in graph_element_lists(payload):
        best = max(best, (len(els), len(json.dumps(els, separators=(",", ":")))))
    return best


# ------------------------------------------------------------------ measuring
def wait_idle(server: Server, quiet: float = 3.0, timeout: float = 900.0) -> float:
    """Wait until the server used < 5 % CPU for ``quiet`` seconds (warm-up and
    keeping the build are done); the seconds waited."""
    start = time.perf_counter()
    last = sum(server.cpu_seconds().values())
    calm_since = time.perf_counter()
    while time.perf_counter() - start < timeout:
        time.sleep(0.5)
        now = sum(server.cpu_seconds().values())
        if now - last > 0.025:
            calm_since = time.perf_counter()
        last = now
        if time.perf_counter() - calm_since >= quiet:
            break
    return time.perf_counter() - start


def timed_post(client: DashClient, body: dict) -> tuple[float, int, bytes]:
    """ms, status and body of one callback call; a file sent as a one-time
    link (dashboard/download_links.py) is fetched too, and its time counted."""
    start = time.perf_counter()
    resp = client.session.post(client.url + "/_dash-update-component", json=body, timeout=600)
    if resp.status_code == 200 and b"/_partnernetz/download/" in resp.content:
        for props in resp.json().get("response", {}).values():
            link = props.get("data") if isinstance(props.get("data"), dict) else None
            if link and "url" in link:
                with client.session.get(client.url + link["url"], stream=True, timeout=600) as fetched:
                    for _ in fetched.iter_content(1 << 20):
                        pass
    return (time.perf_counter() - start) * 1000, resp.status_code, resp.content


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """The figures of the checkout at ``args.root`` (run in a fresh process)."""
    import requests

    root = Path(args.root).resolve()
    data = Path(args.data).resolve()
    figures: dict[str, Any] = {"loadavg_start": [round(x, 2) for x in os.getloadavg()]}
    kept = "off" if args.kept_dir == "off" else str(Path(args.kept_dir) / root.name)
    tmp = tempfile.mkdtemp(prefix="partnernetz-callbacks-")
    extra = ("--workspace", str(Path(args.workspace).resolve())) if args.workspace else ()
    server = Server(None if args.workspace else data, args.port, extra=extra, root=root,
                    env={"PARTNERNETZ_KEPT_DIR": kept, "PARTNERNETZ_AUDIT_LOG": str(Path(tmp) / "audit.jsonl")})
    rng = random.Random(args.seed)
    try:
        figures["ready_s"] = round(server.wait_ready(), 1)
        session = requests.Session()
        client = DashClient(session, server.url)
        shell_tree = session.get(server.url + "/_dash-layout", timeout=60).json()
        shell = component_values(shell_tree)
        pages: dict[str, Page] = {}
        cold = time.perf_counter()
        for path in PAGES:
            try:
                pages[path] = Page(path, client.page(path)[1], shell)
            except Exception as exc:  # noqa: BLE001 - a page missing on this side
                print(f"{path}: {exc!r}"[:200], file=sys.stderr)
        figures["cold_pages_s"] = round(time.perf_counter() - cold, 1)
        figures["idle_wait_s"] = round(wait_idle(server), 1)
        for page in pages.values():
            page.values.update({("_pages_location", "pathname"): page.path, ("_pages_location", "search"): "",
                                ("url", "pathname"): page.path, ("url", "search"): ""})
        ids = dataset_ids(data, rng, args.calls)
        node_ids = [e["data"]["id"] for els in graph_element_lists(pages["/"].tree)
                    for e in els if "source" not in e.get("data", {})] if "/" in pages else []
        node_ids += ids["focus"][:20]
        cases: list[tuple[str, list[dict]]] = []
        page_dep = client.find("_pages_content.children")
        for kind, searches in network_searches(ids, rng, args.calls).items():
            cases.append((f"page / ({kind})", [
                client.request(page_dep, {("_pages_location", "pathname"): "/", ("_pages_location", "search"): s},
                               changed="_pages_location.pathname") for s in searches]))
        for path in pages:
            if path == "/":
                continue
            searches = ["", "?lang=en"]
            cases.append((f"page {path}", [
                client.request(page_dep, {("_pages_location", "pathname"): path,
                                          ("_pages_location", "search"): searches[k % 2]},
                               changed="_pages_location.pathname") for k in range(args.calls)]))
        for dep in client.deps:
            if dep.get("clientside_function") or dep is page_dep:
                continue
            name = " + ".join(o.rpartition(".")[0].split("@")[0][:40] + "." + o.rpartition(".")[2].split("@")[0]
                              for o in _split_outputs(dep["output"]))[:90]
            home = next((p for p in pages.values() if all(p.has(i["id"]) for i in dep["inputs"])), None)
            if home is None:
                figures.setdefault("not_on_a_page", []).append(name)
                continue
            calls = min(args.calls, args.export_calls) if is_export(name) else args.calls
            cases.append((f"{home.path} {name}", bodies_for(client, dep, home, calls, rng, node_ids)))
        rows: dict[str, dict[str, Any]] = {}
        for name, bodies in cases:
            if args.only and not any(o in name for o in args.only.split(",")):
                continue
            ms, statuses, sizes, per_element, response_per_element = [], {}, [], [], []
            timed_post(client, bodies[0])  # warm this callback's code path
            cpu = sum(server.cpu_seconds().values())
            for body in bodies:
                t, status, content = timed_post(client, body)
                ms.append(t)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
                sizes.append(len(content))
                if status == 200 and name.startswith("page /"):
                    n, size = graph_elements(json.loads(content))
                    if n >= 50:
                        per_element.append(size / n)
                    if n >= 500:  # a big view: the whole response (page around the picture included) per element
                        response_per_element.append(len(content) / n)
            cpu_ms = (sum(server.cpu_seconds().values()) - cpu) * 1000 / len(bodies)
            rows[name] = {"calls": len(ms), "p50": round(percentile(ms, 50), 1), "p95": round(percentile(ms, 95), 1),
                          "max": round(max(ms), 1), "cpu": round(cpu_ms, 1), "status": statuses,
                          "max_bytes": max(sizes),
                          **({"bytes_per_element": round(max(per_element), 1)} if per_element else {}),
                          **({"response_bytes_per_element": round(max(response_per_element), 1)}
                             if response_per_element else {})}
            print(f"{name:<70} {rows[name]['p50']:>8} {rows[name]['p95']:>8}", file=sys.stderr)
        figures["callbacks"] = rows
        figures["rss_mb"] = round(server.peak_rss_mb() or 0)
    finally:
        server.stop()
    figures["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    return figures


# ------------------------------------------------------------------ report
def _cell(row: dict | None) -> str:
    if not row:
        return "–"
    bad = {s: c for s, c in row["status"].items() if s not in ("200", "204")}
    extra = f" !{bad}" if bad else ""
    return f"{row['p50']:.0f} / {row['p95']:.0f} / {row['max']:.0f} ({row['cpu']:.0f}){extra}"


def report(now: dict, previous: dict, label: str) -> list[str]:
    """The side-by-side table and the targets missed."""
    rows_now, rows_prev = now.get("callbacks", {}), previous.get("callbacks", {})
    names = list(dict.fromkeys([*rows_now, *rows_prev]))
    width = max([len(n) for n in names] + [8])
    lines = [f"{'callback':<{width}} | {'now p50/p95/max ms (cpu)':<30} | {label[:14] + ' p50/p95/max':<30} | "
             f"{'max KB':>12} | {'B/elem':>11} | {'resp B/elem':>11} | statuses now"]
    missed = []
    for name in names:
        a, b = rows_now.get(name), rows_prev.get(name)
        kb = f"{(a or {}).get('max_bytes', 0) / 1000:.0f}/{(b or {}).get('max_bytes', 0) / 1000:.0f}"
        per = f"{(a or {}).get('bytes_per_element', '–')}/{(b or {}).get('bytes_per_element', '–')}"
        resp = f"{(a or {}).get('response_bytes_per_element', '–')}/{(b or {}).get('response_bytes_per_element', '–')}"
        status = ",".join(f"{s}×{c}" for s, c in (a or {}).get("status", {}).items())
        lines.append(f"{name:<{width}} | {_cell(a):<30} | {_cell(b):<30} | {kb:>12} | {per:>11} | {resp:>11} | {status}")
        if a and not is_export(name):
            if a["p95"] > TARGET_P95_MS:
                missed.append(f"{name}: p95 {a['p95']:.0f} ms > {TARGET_P95_MS:.0f}")
            if a["max_bytes"] > TARGET_BYTES:
                missed.append(f"{name}: {a['max_bytes'] / 1000:.0f} KB > {TARGET_BYTES / 1000:.0f}")
            if a.get("bytes_per_element", 0) > TARGET_BYTES_PER_ELEMENT:
                missed.append(f"{name}: {a['bytes_per_element']:.0f} B/element > {TARGET_BYTES_PER_ELEMENT}")
            if a.get("response_bytes_per_element", 0) > TARGET_BYTES_PER_ELEMENT:
                missed.append(f"{name}: whole response {a['response_bytes_per_element']:.0f} B/element > "
                              f"{TARGET_BYTES_PER_ELEMENT}")
    for side, fig in (("now", now), (label, previous)):
        if fig:
            lines.append(f"{side}: ready {fig.get('ready_s')} s, first views of all pages {fig.get('cold_pages_s')} s, "
                         f"warm-up wait {fig.get('idle_wait_s')} s, peak RSS {fig.get('rss_mb')} MB, load average "
                         f"{fig.get('loadavg_start')} → {fig.get('loadavg_end')}"
                         + (f"; {len(fig['not_on_a_page'])} callbacks not timed: their inputs are on no page of this "
                            f"server (a served --data folder has no workspace: saved views, editing, the Daten "
                            f"page's workspace, Pipeline, audit log; --workspace serves one)"
                            if fig.get("not_on_a_page") else ""))
    lines.append("B/elem: the view's elements (JSON) per element; resp B/elem: the whole response per element, views "
                 "of ≥ 500 elements")
    lines.append("file downloads (…download.data, …export.data) are timed over --export-calls calls and not held "
                 "to the page targets")
    lines.append("targets missed now: " + ("none" if not missed else "; ".join(missed)))
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default="/tmp/syn100k", help="dataset folder to serve (default /tmp/syn100k)")
    p.add_argument("--calls", type=int, default=50, help="calls per callback (default 50)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--port", type=int, default=8710, help="this side's port; the previous commit's is port+1")
    p.add_argument("--kept-dir", default=str(Path(tempfile.gettempdir()) / "partnernetz-bench-kept"),
                   help="keep each side's build here (a folder per checkout) so later runs start fast; 'off' to load "
                        "from the files every time")
    p.add_argument("--export-calls", type=int, default=2, help="calls per file download (default 2; the whole "
                   "dataset's export takes a minute at 100k)")
    p.add_argument("--workspace", help="serve this workspace file instead of --data (its pages: Daten's workspace, "
                   "Pipeline, saved views, editing); --data still gives the node ids")
    p.add_argument("--only", default="", help="comma-separated parts of callback names to time (default: all)")
    p.add_argument("--against", default="HEAD~1", help="revision measured side by side ('' = saved figures)")
    p.add_argument("--save", action="store_true", help=f"keep the figures in {RESULTS.name}")
    p.add_argument("--root", default=str(HERE), help=argparse.SUPPRESS)
    p.add_argument("--figures-json", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.calls = max(args.calls, 1)
    if args.figures_json:
        print(json.dumps(measure(args)))
        return 0
    from benchmarks import sides

    raw = list(argv if argv is not None else sys.argv[1:])
    side = sides.side_args(raw)
    print(f"{os.cpu_count()} cores, {loadavg()} at start; dataset {args.data}, {args.calls} calls per callback")
    previous, label = ({}, "–")
    if args.against:
        previous, label = sides.previous_figures(__file__, args.against, [*_drop_port(side), "--port", str(args.port + 1)],
                                                 RESULTS)
    figures = sides.run_side(__file__, HERE, [*_drop_port(side), "--port", str(args.port)])
    print("\n".join(report(figures, previous, label)))
    print(f"{loadavg()} at end")
    if args.save:
        RESULTS.write_text(json.dumps({"against": args.against, "figures": figures, "previous": previous}, indent=2) + "\n")
    return 0


def _drop_port(argv: list[str]) -> list[str]:
    """``argv`` without ``--port N``.

    >>> _drop_port(["--calls", "5", "--port", "8710", "--only", "x"])
    ['--calls', '5', '--only', 'x']
    """
    out: list[str] = []
    skip = False
    for a in argv:
        if skip:
            skip = False
            continue
        if a == "--port":
            skip = True
            continue
        if not a.startswith("--port="):
            out.append(a)
    return out


if __name__ == "__main__":
    sys.exit(main())
