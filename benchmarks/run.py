"""Benchmark suite: the operations of Partnernetz at 1k / 10k / 100k nodes.

For every size a synthetic dataset is generated once (``loaders.synthetic``,
cached under ``--data-dir``), then

* **in process** (a fresh worker process per size, so peak RSS is that of
  one dataset): load+build, analytics precompute, the other indexes, and the
  per-request operations — search, filter, ego network, shortest path,
  aggregated overview, matchmaking for one project, contact filter, guest-list
  build — each timed over ``--repeat`` varied inputs (median, p95);
* **over HTTP** against ``python app.py serve`` on loopback: the server's
  start-up time and the same operations as the browser triggers them (Dash
  callback POSTs to ``/_dash-update-component``), p50/p95, plus the number of
  graph elements a response sends to the browser.

An operation whose function is not on the branch yet is shown as
``n/a (not on main yet)``. One table is printed; everything goes to JSON.

    python benchmarks/run.py --sizes 1k,10k,100k            # full run (~15 min on 2 cores)
    python benchmarks/run.py --sizes 1k --repeat 5 --no-http  # smoke test (seconds)

Not collected by pytest (outside ``tests/``; ``--ignore=benchmarks`` in
``pyproject.toml``).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

NA = "n/a (not on main yet)"

#: Rows of the table: (key, label, unit). Seconds for one-off work, ms for requests.
ROWS: tuple[tuple[str, str, str], ...] = (
    ("generate", "generate dataset (not a target)", "s"),
    ("load_build", "load+build", "s"),
    ("load_build_cpu", "load+build, CPU time of the process", "s"),
    ("analytics", "analytics precompute", "s"),
    ("analytics_cpu", "analytics precompute, CPU time", "s"),
    ("indexes", "other indexes (search, match, contacts)", "s"),
    ("search", "search", "ms"),
    ("filter", "filter", "ms"),
    ("ego1", "ego network r=1", "ms"),
    ("ego2", "ego network r=2", "ms"),
    ("path", "shortest path (k=3)", "ms"),
    ("overview", "aggregated overview", "ms"),
    ("matchmaking", "matchmaking, one project", "ms"),
    ("contacts", "contact filter", "ms"),
    ("guestlist", "guest-list build", "ms"),
    ("rss", "peak RSS (worker)", "MB"),
    ("max_elements", "max elements in a view", "n"),
    ("http_startup", "HTTP: server start until ready", "s"),
    ("http_cold", "HTTP: first page views (cold caches)", "s"),
    ("http_page_default", "HTTP: network page, default view", "ms"),
    ("http_search", "HTTP: search suggestions", "ms"),
    ("http_filter", "HTTP: filter (theme+country)", "ms"),
    ("http_ego", "HTTP: focus node (ego r=1)", "ms"),
    ("http_expand", "HTTP: expand a neighbour", "ms"),
    ("http_path", "HTTP: shortest path", "ms"),
    ("http_matchmaking", "HTTP: matchmaking results", "ms"),
    ("http_analytics", "HTTP: Analysen page", "ms"),
    ("http_contacts", "HTTP: contact filter", "ms"),
    ("http_guestlist", "HTTP: guest list", "ms"),
    ("http_rss", "HTTP: server peak RSS", "MB"),
    ("http_max_elements", "HTTP: max graph elements sent", "n"),
)


# ------------------------------------------------------------------ stats
def summarise(samples: list[float]) -> dict[str, float]:
    """Median and p95 (nearest rank) of ``samples``; ``n`` the sample count.

    >>> summarise([1, 2, 3, 4, 100])
    {'n': 5, 'median': 3, 'p95': 100, 'max': 100}
    """
    ordered = sorted(samples)
    p95 = ordered[max(0, -(-95 * len(ordered) // 100) - 1)]
    return {"n": len(ordered), "median": statistics.median(ordered), "p95": p95, "max": ordered[-1]}


def parse_size(text: str) -> int:
    """``1k`` → 1000, ``100k`` → 100000, ``1m`` → 1000000, ``2500`` → 2500.

    >>> [parse_size(s) for s in ("1k", "100K", "1m", "2500")]
    [1000, 100000, 1000000, 2500]
    """
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def size_name(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else (f"{n // 1000}k" if n % 1000 == 0 else str(n))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


# ------------------------------------------------------------- operations
@dataclass
class Inputs:
    """Varied, reproducible inputs drawn from the loaded graph."""

    queries: list[str]
    hubs: list[str]
    nodes: list[str]
    pairs: list[tuple[str, str]]
    projects: list[str]
    filters: list[dict[str, list[str]]]


def draw_inputs(g, repeat: int, seed: int) -> Inputs:
    from graph.core.kinds import NodeKind

    rng = random.Random(seed)
    insts = sorted(g.nodes(NodeKind.INSTITUTION))
    projects = sorted(g.nodes(NodeKind.PROJECT))
    by_degree = sorted(insts, key=lambda n: -g.nx.degree(n))
    hubs = by_degree[: max(1, repeat // 2)]
    queries = []
    for nid in rng.sample(insts + projects, min(repeat, len(insts) + len(projects))):
        label = g.node(nid)["label"]
        words = label.split()
        style = len(queries) % 3
        if style == 0:  # a prefix of the name
            queries.append(label[: max(4, len(label) // 2)])
        elif style == 1 and len(words[0]) > 4:  # a typo: two letters swapped
            w = words[0]
            queries.append(w[:2] + w[3] + w[2] + w[4:])
        else:  # one word
            queries.append(max(words, key=len))
    themes = sorted(key for key in g.nodes(NodeKind.THEME))
    countries = sorted(g.nodes(NodeKind.COUNTRY))
    laender = sorted(g.nodes(NodeKind.LAND))
    filters = []
    for i in range(repeat):
        f: dict[str, list[str]] = {"themes": [rng.choice(themes).partition(":")[2]]}
        if i % 2 == 0:
            f["countries"] = [rng.choice(countries).partition(":")[2]]
        if i % 3 == 0:
            f["lands"] = [rng.choice(laender).partition(":")[2]]
        filters.append(f)
    nodes = hubs + rng.sample(insts + projects, repeat - len(hubs))
    pairs = [tuple(rng.sample(insts, 2)) for _ in range(repeat)]
    return Inputs(queries, hubs, nodes, pairs, rng.sample(projects, min(repeat, len(projects))), filters)


def _maybe(import_fn: Callable[[], Any]) -> Any:
    """The imported object(s), or ``None`` when the module or name does not exist yet."""
    try:
        return import_fn()
    except (ImportError, AttributeError):
        return None


def measure_in_process(data: Path, *, repeat: int, load_repeat: int, seed: int) -> dict[str, Any]:
    """Everything measured inside one process (the worker)."""
    from loaders import load

    out: dict[str, Any] = {}
    samples, cpu = [], []
    for _ in range(load_repeat):
        gc.collect()
        cpu_start = time.process_time()
        seconds, result = timed(lambda: load(data))
        cpu.append(time.process_time() - cpu_start)
        samples.append(seconds)
        if len(samples) < load_repeat:
            del result
    out["load_build"] = summarise(samples)
    out["load_build_cpu"] = summarise(cpu)  # wall time minus waiting for the shared cores
    g = result.graph
    out["graph"] = {"nodes": len(g), "edges": g.nx.number_of_edges(), "ok": result.report.ok}
    inputs = draw_inputs(g, repeat, seed)
    elements: list[int] = []

    # one-off precomputes -------------------------------------------------
    analytics = _maybe(lambda: __import__("graph.analysis.analytics", fromlist=["compute"]).compute)
    if analytics:
        cpu_start = time.process_time()
        out["analytics"] = summarise([timed(lambda: analytics(g))[0]])
        out["analytics_cpu"] = summarise([time.process_time() - cpu_start])
    else:
        out["analytics"] = out["analytics_cpu"] = NA

    index_parts: dict[str, float] = {}
    search_mod = _maybe(lambda: __import__("graph.explore.search", fromlist=["search"]))
    if search_mod:
        index_parts["search"] = timed(lambda: search_mod.search_index_size(g))[0]
    mm = _maybe(lambda: __import__("graph.analysis.matchmaking", fromlist=["match_index"]))
    match_idx = None
    if mm:
        index_parts["match"], match_idx = timed(lambda: mm.match_index(g))
    contacts_mod = _maybe(lambda: __import__("graph.people.contacts", fromlist=["build_contact_index"]))
    contact_idx = None
    if contacts_mod:
        index_parts["contacts"], contact_idx = timed(lambda: contacts_mod.build_contact_index(g))
    out["indexes"] = summarise([sum(index_parts.values())]) if index_parts else NA
    out["index_parts_s"] = index_parts

    # per-request operations ---------------------------------------------
    def bench(name: str, calls: list[Callable[[], Any]], *, count: Callable[[Any], int] | None = None) -> None:
        cold, first = timed(calls[0])  # the first call may build a lazy index: reported apart
        ms = []
        for call in calls:
            seconds, res = timed(call)
            ms.append(seconds * 1000)
            if count:
                elements.append(count(res))
        out[name] = summarise(ms)
        out[name]["cold_ms"] = cold * 1000

    if search_mod:
        bench("search", [lambda q=q: search_mod.search(g, q, limit=10) for q in inputs.queries])
    else:
        out["search"] = NA
    queries = _maybe(lambda: __import__("graph.explore", fromlist=["ego_network"]))
    size = (lambda view: view.size)
    if queries:
        gf = queries.GraphFilter.of
        bench("filter", [lambda f=f: queries.filter_subgraph(g, gf(**f)) for f in inputs.filters], count=size)
        bench("ego1", [lambda n=n: queries.ego_network(g, n, radius=1) for n in inputs.nodes], count=size)
        bench("ego2", [lambda n=n: queries.ego_network(g, n, radius=2) for n in inputs.nodes], count=size)
        bench("path", [lambda a=a, b=b: queries.shortest_paths(g, a, b, k=3) for a, b in inputs.pairs])
        bench("overview", [lambda f=f, i=i: queries.overview(g, gf(**f) if i % 2 else None, by=("country", "theme")[i % 2])
                           for i, f in enumerate(inputs.filters)], count=size)
    else:
        for name in ("filter", "ego1", "ego2", "path", "overview"):
            out[name] = NA
    if mm:
        bench("matchmaking", [lambda p=p: mm.rank(g, mm.project_target(g, p), top=10, index=match_idx)
                              for p in inputs.projects])
    else:
        out["matchmaking"] = NA
    if contact_idx is not None:
        from graph.core.kinds import NodeKind

        themes = sorted(g.nodes(NodeKind.THEME))
        countries = sorted(g.nodes(NodeKind.COUNTRY))
        rng = random.Random(seed)
        contact_filters = [{"themes": [rng.choice(themes)], **({"countries": [rng.choice(countries)]} if i % 2 else {}),
                            **({"languages": ["en"]} if i % 3 == 0 else {})} for i in range(repeat)]
        bench("contacts", [lambda f=f: contacts_mod.find_contacts(contact_idx, **f) for f in contact_filters])
        gl = _maybe(lambda: __import__("graph.people.guestlist", fromlist=["build_guest_list"]))
        if gl:
            calls = []
            for f in contact_filters:
                matches = contacts_mod.find_contacts(contact_idx, themes=f["themes"])
                candidates = [m.person.id for m in matches][:2000]
                quotas = [gl.Quota("sector", "public_administration", max=20), gl.Quota("sector", "science", min=3)]
                calls.append(lambda c=candidates, q=quotas: _guest_list(gl, contact_idx, c, q))
            bench("guestlist", calls)
        else:
            out["guestlist"] = NA
    else:
        out["contacts"] = out["guestlist"] = NA
    out["max_elements"] = max(elements) if elements else NA
    out["rss"] = peak_rss_mb()
    return out


def _guest_list(gl, index, candidates, quotas):
    try:
        return gl.build_guest_list(index, candidates, size=min(30, len(candidates)), quotas=quotas)
    except gl.GuestListInfeasible:  # an infeasible quota set is a valid, timed answer too
        return None


# ------------------------------------------------------------------- HTTP
def free_port() -> int:
    """A free loopback port: the first free one of ``$PARTNERNETZ_BENCH_PORTS``
    (``LOW-HIGH``, e.g. a range reserved for one developer's runs) or any."""
    import socket

    low, _, high = os.environ.get("PARTNERNETZ_BENCH_PORTS", "").partition("-")
    for port in range(int(low), int(high or low) + 1) if low.strip() else ():
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``python app.py serve`` on loopback, started and stopped by us (by pid)."""

    def __init__(self, data: Path | None, port: int, workers: int = 1, extra: tuple[str, ...] = (), *,
                 root: Path = ROOT, env: dict[str, str] | None = None):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        args = [sys.executable, str(root / "app.py"), "serve", "--port", str(port), *extra]
        if workers > 1:
            args += ["--workers", str(workers)]
        if data is not None:
            args += ["--data", str(data)]
        self.log = tempfile.NamedTemporaryFile("w+", prefix="partnernetz-bench-", suffix=".log", delete=False)
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(args, cwd=root, stdout=self.log, stderr=subprocess.STDOUT,
                                     env={**os.environ, **(env or {})})

    def wait_ready(self, timeout: float = 600) -> float:
        import urllib.request

        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {Path(self.log.name).read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/login", timeout=5) as resp:  # answers with or without login
                    if resp.status == 200:
                        return time.perf_counter() - self.started
            except OSError:
                time.sleep(0.05)
        raise TimeoutError("server not ready")

    def peak_rss_mb(self) -> float | None:
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            return None
        return None

    def pids(self) -> list[int]:
        """The server process and all its descendants (gunicorn workers)."""
        found, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            try:
                for task in Path(f"/proc/{pid}/task").iterdir():
                    todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
        return found

    def memory_mb(self) -> dict[str, float] | None:
        """Memory of all server processes together (Linux ``smaps_rollup``):
        ``rss`` (sum of resident sizes: counts shared pages once per process),
        ``pss`` (shared pages divided among the processes sharing them: the
        fair total) and ``uss`` (pages private to one process)."""
        totals = {"rss": 0.0, "pss": 0.0, "uss": 0.0, "processes": 0}
        for pid in self.pids():
            try:
                text = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                continue
            fields = {line.split(":")[0]: int(line.split()[1]) for line in text.splitlines()[1:] if line.split()[1:2]
                      and line.split()[1].isdigit()}
            totals["rss"] += fields.get("Rss", 0) / 1024
            totals["pss"] += fields.get("Pss", 0) / 1024
            totals["uss"] += (fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)) / 1024
            totals["processes"] += 1
        return totals if totals["processes"] else None

    def cpu_seconds(self) -> dict[int, float]:
        """CPU time (user + system) used so far by each live server process."""
        tick = os.sysconf("SC_CLK_TCK")
        out = {}
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            out[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        return out

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        os.unlink(self.log.name)


class DashClient:
    """Builds Dash callback requests from the app's own dependency list, with
    input values taken from the rendered page (so payloads follow the pages)."""

    def __init__(self, session, url: str):
        self.session = session
        self.url = url
        self.deps = session.get(url + "/_dash-dependencies", timeout=60).json()

    def find(self, output_contains: str) -> dict | None:
        return next((d for d in self.deps if output_contains in d["output"]), None)

    def request(self, dep: dict, values: dict[tuple[str, str], Any], changed: str | None = None) -> dict:
        """Body of a callback POST; ``values[(id, prop)]`` gives inputs and state."""
        def spec(item, wildcard_ids=None):
            cid = item["id"]
            if cid.startswith("{"):
                cid = json.loads(cid)
                concrete = {k: (wildcard_ids or {}).get(k, v) for k, v in cid.items()}
                return {"id": concrete, "property": item["property"],
                        "value": values.get((json.dumps(concrete, sort_keys=True), item["property"]))}
            return {"id": cid, "property": item["property"], "value": values.get((cid, item["property"]))}

        wildcard = values.get(("__wildcard__", ""), {})
        outputs = []
        for out in _split_outputs(dep["output"]):
            oid, _, prop = out.rpartition(".")
            outputs.append({"id": json.loads(oid) if oid.startswith("{") else oid, "property": prop.split("@")[0]})
            if isinstance(outputs[-1]["id"], dict):
                outputs[-1]["id"] = {k: wildcard.get(k, v) for k, v in outputs[-1]["id"].items()}
        inputs = [spec(i, wildcard) for i in dep["inputs"]]
        state = [spec(s, wildcard) for s in dep["state"]]
        first = inputs[0]
        changed = changed or (json.dumps(first["id"], sort_keys=True, separators=(",", ":")) if isinstance(first["id"], dict) else first["id"]) + "." + first["property"]
        return {"output": dep["output"], "outputs": outputs if len(outputs) > 1 or dep["output"].startswith("..") else outputs[0],
                "inputs": inputs, "state": state, "changedPropIds": [changed]}

    def post(self, body: dict, timeout: float = 600) -> tuple[float, dict]:
        start = time.perf_counter()
        resp = self.session.post(self.url + "/_dash-update-component", json=body, timeout=timeout)
        elapsed = time.perf_counter() - start
        if resp.status_code == 204:
            return elapsed, {}
        resp.raise_for_status()
        return elapsed, resp.json()

    def page(self, path: str, search: str = "") -> tuple[float, dict]:
        dep = self.find("_pages_content.children")
        body = self.request(dep, {("_pages_location", "pathname"): path, ("_pages_location", "search"): search},
                            changed="_pages_location.pathname")
        return self.post(body)


def _split_outputs(output: str) -> list[str]:
    if output.startswith("..") and output.endswith(".."):
        return [o for o in output[2:-2].split("...")]
    return [output]


def _component_props(tree: Any) -> Iterator[dict[str, Any]]:
    """The ``props`` dict of every component in a rendered layout or response,
    in document order."""
    if isinstance(tree, dict):
        props = tree.get("props")
        if isinstance(props, dict):
            yield props
        for value in tree.values():
            yield from _component_props(value)
    elif isinstance(tree, list):
        for item in tree:
            yield from _component_props(item)


def component_values(tree: Any) -> dict[tuple[str, str], Any]:
    """``{(id, prop): value}`` of every component with an id in a rendered layout."""
    found: dict[tuple[str, str], Any] = {}
    for props in _component_props(tree):
        if "id" in props:
            cid = props["id"]
            key = json.dumps(cid, sort_keys=True) if isinstance(cid, dict) else cid
            for prop, value in props.items():
                if prop not in ("id", "children"):
                    found[(key, prop)] = value
    return found


#: The store that carries the Netzwerk view's elements to its picture and to cytoscape.
VIEW_STORE = "network-view"


def graph_element_lists(tree: Any) -> Iterator[list[Any]]:
    """Every list of graph elements in a rendered layout or response: a
    cytoscape component's ``elements`` and the Netzwerk view store's ``data``
    (older versions sent the view in cytoscape's ``elements``)."""
    for props in _component_props(tree):
        if isinstance(props.get("elements"), list) and props["elements"]:
            yield props["elements"]
        elif props.get("id") == VIEW_STORE and isinstance(props.get("data"), list):
            yield props["data"]


def count_elements(tree: Any) -> int:
    """Largest list of graph elements in a response (what the browser must draw)."""
    return max((sum(1 for e in els if "source" in e.get("data", {}) or "id" in e.get("data", {}))
                for els in graph_element_lists(tree)), default=0)


def http_scenarios(client: DashClient, inputs: Inputs, g_info: dict[str, Any]) -> dict[str, list[Callable[[], tuple[float, dict]]]]:
    """Named lists of request thunks, one per varied input. Absent pages → not in the dict."""
    from urllib.parse import urlencode

    sc: dict[str, list[Callable[[], tuple[float, dict]]]] = {}
    if client.find("_pages_content.children") is None:
        return sc
    sc["http_page_default"] = [lambda: client.page("/")]
    suggest = client.find("network-suggestions")
    if suggest:
        state = component_values(client.page("/")[1]).get(("network-state", "data"))
        key = json.dumps({"role": "search", "type": "network-query"}, sort_keys=True)
        sc["http_search"] = [
            (lambda q=q: client.post(client.request(suggest, {(key, "value"): q, ("network-state", "data"): state,
                                                              ("__wildcard__", ""): {"role": "search"}})))
            for q in inputs.queries]
    sc["http_filter"] = [(lambda f=f: client.page("/", "?" + urlencode({"theme": f["themes"][0], **({"country": f["countries"][0]} if "countries" in f else {})})))
                         for f in inputs.filters]
    sc["http_ego"] = [(lambda n=n: client.page("/", "?" + urlencode({"focus": n, "radius": 1}))) for n in inputs.nodes]
    sc["http_expand"] = [(lambda n=n, m=m: client.page("/", "?" + urlencode({"focus": n, "expand": m})))
                         for n, m in g_info["expand_pairs"]]
    sc["http_path"] = [(lambda a=a, b=b: client.page("/", "?" + urlencode({"path": f"{a},{b}"}))) for a, b in inputs.pairs]
    mm = client.find("matchmaking-results.children")
    if mm:
        defaults = component_values(client.page("/matchmaking")[1])
        sc["http_matchmaking"] = [
            (lambda p=p: client.post(client.request(mm, {**defaults, ("matchmaking-target", "value"): p},
                                                    changed="matchmaking-target.value")))
            for p in inputs.projects]
    sc["http_analytics"] = [lambda: client.page("/analysen")]
    contacts = client.find("contacts-results.rowData")
    guest = client.find("contacts-list-store.data")
    if contacts or guest:
        defaults = component_values(client.page("/kontakte")[1])
        options = {facet: [o["value"] for o in defaults.get((f"contacts-{facet}", "options")) or [] if isinstance(o, dict)]
                   for facet in ("themes", "countries")}
        rng = random.Random(len(inputs.filters))
        chosen = []
        for i in range(len(inputs.filters)):
            values = dict(defaults)
            if options["themes"]:
                values[("contacts-themes", "value")] = [rng.choice(options["themes"])]
            if options["countries"] and i % 2:
                values[("contacts-countries", "value")] = [rng.choice(options["countries"])]
            chosen.append(values)
        if contacts:
            sc["http_contacts"] = [(lambda v=v: client.post(client.request(contacts, v, changed="contacts-themes.value")))
                                   for v in chosen]
        if guest:
            sc["http_guestlist"] = [
                (lambda v=v: client.post(client.request(guest, {**v, ("contacts-build", "n_clicks"): 1},
                                                        changed="contacts-build.n_clicks")))
                for v in chosen]
    return sc


def measure_http(data: Path | None, inputs: Inputs, g_info: dict[str, Any], *, repeat: int) -> dict[str, Any]:
    import requests

    out: dict[str, Any] = {}
    server = Server(data, free_port())
    try:
        out["http_startup"] = summarise([server.wait_ready()])
        session = requests.Session()
        client = DashClient(session, server.url)
        # cold: the first view of each page fills the per-dataset caches (analytics, indexes)
        cold = 0.0
        for path in ("/", "/matchmaking", "/analysen", "/kontakte"):
            cold += client.page(path)[0]
        out["http_cold"] = summarise([cold])
        scenarios = http_scenarios(client, inputs, g_info)
        elements: list[int] = []
        for key, *_ in ROWS:
            if not key.startswith("http_") or key in ("http_startup", "http_cold", "http_rss", "http_max_elements"):
                continue
            calls = scenarios.get(key)
            if not calls:
                out[key] = NA
                continue
            ms = []
            errors = 0
            try:
                calls[0]()  # warm
            except Exception as exc:  # noqa: BLE001 - counted below as well
                out.setdefault("http_errors", []).append(f"{key} (warm-up): {exc!r}"[:300])
            cpu_before = sum(server.cpu_seconds().values())
            for i in range(repeat):
                try:
                    seconds, payload = calls[i % len(calls)]()
                    ms.append(seconds * 1000)
                    elements.append(count_elements(payload))
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    errors += 1
                    out.setdefault("http_errors", []).append(f"{key}: {exc!r}"[:300])
            cpu_ms = (sum(server.cpu_seconds().values()) - cpu_before) * 1000 / max(1, repeat)
            out[key] = summarise(ms) if ms else {"error": errors}
            out[key]["server_cpu_ms"] = round(cpu_ms, 1)  # the server's own CPU time per request (mean)
            if errors:
                out[key]["errors"] = errors
        out["http_max_elements"] = max(elements) if elements else NA
        out["http_rss"] = server.peak_rss_mb()
    finally:
        server.stop()
    return out


# ------------------------------------------------------------------ driver
def dataset(n: int, seed: int, data_dir: Path) -> tuple[Path, float | None]:
    from loaders.synthetic import generate

    folder = data_dir / f"synthetic-{n}-seed{seed}"
    if (folder / "attendance.csv").exists():
        return folder, None
    seconds, _ = timed(lambda: generate(folder, nodes=n, seed=seed))
    return folder, seconds


def worker(args: argparse.Namespace) -> None:
    """Run in a fresh process: in-process measurements, then HTTP, as JSON on stdout."""
    data = Path(args.data)
    result = measure_in_process(data, repeat=args.repeat, load_repeat=int(args.load_repeat), seed=args.seed)
    if not args.no_http:
        from loaders import load

        g = load(data).graph
        inputs = draw_inputs(g, args.repeat, args.seed)
        rng = random.Random(args.seed)
        pairs = []
        for n in inputs.nodes:
            neighbours = sorted(g.neighbours(n))
            pairs.append((n, rng.choice(neighbours)))
        del g
        gc.collect()
        result.update(measure_http(data, inputs, {"expand_pairs": pairs}, repeat=args.http_repeat))
    json.dump(result, sys.stdout)


def fmt(value: Any, unit: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return f"{value:,.0f}" if unit in ("MB", "n") else f"{value:.2f}"
    if "median" not in value:
        return f"errors: {value.get('error')}"
    digits = 1 if unit == "ms" else 2
    text = f"{value['median']:.{digits}f} / {value['p95']:.{digits}f}"
    if "server_cpu_ms" in value:
        text += f" (cpu {value['server_cpu_ms']:.0f})"
    if value.get("errors"):
        text += f" ({value['errors']} err)"
    return text


def table(results: dict[str, dict[str, Any]]) -> str:
    sizes = list(results)
    head = ["operation (median / p95; HTTP: server CPU ms per request)", "unit", *[f"{s} nodes" for s in sizes]]
    lines = [head]
    for key, label, unit in ROWS:
        lines.append([label, unit, *[fmt(results[s].get(key), unit) for s in sizes]])
    widths = [max(len(row[i]) for row in lines) for i in range(len(head))]
    out = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths)) + " |" for row in lines]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def machine() -> dict[str, Any]:
    load1, load5, _ = os.getloadavg()
    return {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "loadavg_1m_at_start": round(load1, 2), "loadavg_5m_at_start": round(load5, 2)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="1k,10k,100k", help="comma-separated node counts (1k, 10k, 100k, 2500 …)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--repeat", type=int, default=30, help="varied inputs per in-process operation")
    p.add_argument("--http-repeat", type=int, default=20, help="requests per HTTP operation")
    p.add_argument("--load-repeat", default="auto", help="load+build repetitions (auto: 5 / 3 / 2 by size)")
    p.add_argument("--no-http", action="store_true", help="skip the HTTP measurements")
    p.add_argument("--data-dir", default=str(Path(tempfile.gettempdir()) / "partnernetz-bench"),
                   help="where generated datasets are cached")
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "results.json"), help="JSON output file")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--data", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        worker(args)
        return 0

    data_dir = Path(args.data_dir)
    results: dict[str, dict[str, Any]] = {}
    info = machine()
    print(f"Partnernetz benchmarks — {info['cores']} cores, Python {info['python']}, load average "
          f"{info['loadavg_1m_at_start']} at start (the machine is shared: figures are noisy)", file=sys.stderr)
    for n in map(parse_size, args.sizes.split(",")):
        name = size_name(n)
        folder, gen_seconds = dataset(n, args.seed, data_dir)
        load_repeat = (5 if n <= 10_000 else 3 if n <= 50_000 else 2) if args.load_repeat == "auto" else int(args.load_repeat)
        print(f"[{name}] measuring ({folder}) …", file=sys.stderr, flush=True)
        cmd = [sys.executable, __file__, "--worker", "--data", str(folder), "--repeat", str(args.repeat),
               "--http-repeat", str(args.http_repeat), "--load-repeat", str(load_repeat), "--seed", str(args.seed)]
        if args.no_http:
            cmd.append("--no-http")
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if proc.returncode != 0:
            print(proc.stderr[-3000:], file=sys.stderr)
            return 1
        result = json.loads(proc.stdout)
        result["generate"] = summarise([gen_seconds]) if gen_seconds is not None else "cached"
        results[name] = result
    if not args.no_http:
        # the sample: how fast does `python app.py` serve?
        server = Server(None, free_port())
        try:
            info["sample_startup_s"] = round(server.wait_ready(), 2)
        finally:
            server.stop()
    load1, load5, _ = os.getloadavg()
    info["loadavg_1m_at_end"], info["loadavg_5m_at_end"] = round(load1, 2), round(load5, 2)
    text = table(results)
    print(text)
    summary = (f"\n{info['cores']} cores; load average {info['loadavg_1m_at_start']} at start, "
               f"{info['loadavg_1m_at_end']} at end" + (f"; `python app.py` on the sample ready in {info['sample_startup_s']} s"
                                                         if "sample_startup_s" in info else ""))
    print(summary)
    Path(args.out).write_text(json.dumps({"machine": info, "results": results, "table": text}, indent=2, ensure_ascii=False))
    print(f"JSON: {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
