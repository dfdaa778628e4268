"""Navigation → painted network canvas in Chromium (not a test).

Serves a dataset (default ``/tmp/syn100k``) with ``python app.py serve`` on
loopback, opens Netzwerk URLs whose views hold many elements (hubs at radius
1, radius 2, expansions: ~800–1,500 elements) in Debian's Chromium
(Playwright, the brief's flags) and measures, per URL, from the navigation's
start (``performance.timeOrigin``) until the cytoscape instance holds the
view's elements and the browser has painted a frame with them: the page waits
on conditions (the cytoscape instance with its elements, then two
``requestAnimationFrame`` turns — the first draws, the second starts after
that frame was painted), never on fixed sleeps. A large view is painted first
as a picture of its elements (``#network-preview``, assets/preview.js) and
handed to cytoscape a frame later: "painted" is the first frame showing the
view's elements (for the picture: the time it notes in ``data-painted`` in the
task after that frame was rendered, since cytoscape's work starts right then
and would hold up any frame waited for here), "cytoscape drew" the frame in
which cytoscape, which answers clicks and hovers, showed them. Each URL is loaded
``--repeat`` times in a fresh browser page (cold JS heap, warm HTTP cache of the
static bundles, as a returning user). Printed: median / p95 / max ms over the
views with 800–1,500 elements, the server's share (when the answer that
carries the view arrived, from the Resource Timing entry: the first layout,
which holds the page since dashboard/first_page.py, or before that the page
callback's) and the bytes per element, with
the load average, side by side with ``--against REV`` measured in the same run.

    python benchmarks/bench_browser.py                     # /tmp/syn100k, against HEAD~1
    python benchmarks/bench_browser.py --against main --repeat 5
    python benchmarks/bench_browser.py --data data/sample --against ''   # quick, this side only
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(HERE))

from run import Server  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results-browser.json"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
TARGET_MS = 1000.0
BAND = (800, 1500)

#: Runs in the page after navigation: resolves once cytoscape holds the
#: view's elements and a frame with them was painted; what it took.
HAS_ELEMENTS = """() => {
  const el = document.getElementById('network-cyto');
  const cy = el && el._cyreg && el._cyreg.cy;
  return !!cy && cy.elements().length > 0;
}"""
#: ... or the picture drawn before cytoscape takes a large view (older
#: versions have none: there the condition is the one above).
HAS_PICTURE = """() => {
  const pic = document.getElementById('network-preview');
  if (pic && pic.getAttribute('data-painted')) return true;
  const el = document.getElementById('network-cyto');
  const cy = el && el._cyreg && el._cyreg.cy;
  return !!cy && cy.elements().length > 0;
}"""
#: After HAS_PICTURE or HAS_ELEMENTS: the time once a frame with it was painted.
PAINTED = """async (usePicture) => {
  const el = document.getElementById('network-cyto');
  const cy = el && el._cyreg && el._cyreg.cy;
  const pic = document.getElementById('network-preview');
  // the picture notes when the frame showing it was rendered (cytoscape's work follows at once and
  // would delay any frame we waited for here)
  const onPicture = usePicture !== false && !!(pic && pic.getAttribute('data-painted'));
  if (!onPicture) await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const page = performance.getEntriesByType('resource')
      .filter(e => e.name.includes('_dash-update-component') || e.name.includes('_dash-layout'))
      .map(e => ({start: e.startTime, end: e.responseEnd, bytes: e.encodedBodySize || e.transferSize || 0}))
      .sort((a, b) => b.bytes - a.bytes)[0] || null;
  const elements = onPicture ? Number(pic.getAttribute('data-drawn')) : cy.elements().length;
  return {painted: onPicture ? Number(pic.getAttribute('data-painted')) : performance.now(), elements,
          picture: onPicture, page};
}"""


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile.

    >>> percentile([5, 1, 4, 2, 3], 50)
    3
    """
    ordered = sorted(values)
    return ordered[max(0, -(-int(q * len(ordered)) // 100) - 1)]


def candidate_urls(data: Path, n: int, seed: int) -> list[str]:
    """Netzwerk views that hold many elements: hubs (Länder, countries, themes)
    at radius 1, busy institutions at radius 2 and expansions of a hub."""
    import csv

    rng = random.Random(seed)
    countries, themes, insts = [], [], []
    if (data / "projects.csv").exists():
        with (data / "projects.csv").open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        count: dict[str, int] = {}
        for r in rows:
            for c in (r.get("countries") or "").split(";"):
                if c:
                    count[c] = count.get(c, 0) + 1
        countries = [c for c, _ in sorted(count.items(), key=lambda kv: -kv[1])][:6]
    if (data / "themes.csv").exists():
        with (data / "themes.csv").open(newline="", encoding="utf-8") as fh:
            themes = [r["id"] for r in csv.DictReader(fh)][:4]
    if (data / "participations.csv").exists():
        with (data / "participations.csv").open(newline="", encoding="utf-8") as fh:
            deg: dict[str, int] = {}
            for r in csv.DictReader(fh):
                deg[r["institution"]] = deg.get(r["institution"], 0) + 1
        insts = [i for i, _ in sorted(deg.items(), key=lambda kv: -kv[1])[:40]]
    urls = [urlencode({"focus": f"country:{c}"}) for c in countries]
    urls += [urlencode({"focus": f"theme:{t}"}) for t in themes]
    urls += [urlencode({"focus": f"land:DE-{x}"}) for x in ("BW", "BY", "NW", "BE")]
    urls += [urlencode({"focus": f"institution:{i}", "radius": 2}) for i in rng.sample(insts, min(6, len(insts)))]
    urls += [urlencode({"focus": f"institution:{i}", "expand": f"country:{c}"})
             for i, c in zip(rng.sample(insts, min(4, len(insts))), countries)]
    return ["/?" + u for u in urls[:n]] or ["/"]


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    root = Path(args.root).resolve()
    figures: dict[str, Any] = {"loadavg_start": [round(x, 2) for x in os.getloadavg()]}
    kept = "off" if args.kept_dir == "off" else str(Path(args.kept_dir) / root.name)
    tmp = tempfile.mkdtemp(prefix="partnernetz-browser-")
    server = Server(Path(args.data).resolve(), args.port, root=root,
                    env={"PARTNERNETZ_KEPT_DIR": kept, "PARTNERNETZ_AUDIT_LOG": str(Path(tmp) / "audit.jsonl")})
    samples: list[dict[str, Any]] = []
    try:
        figures["ready_s"] = round(server.wait_ready(), 1)
        from bench_callbacks import wait_idle  # the browser is timed against a warm server, not its warm-up
        figures["idle_wait_s"] = round(wait_idle(server), 1)
        urls = candidate_urls(Path(args.data), args.urls, args.seed)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            warm = context.new_page()  # static bundles into the HTTP cache, and the server's caches
            for url in ["/", *urls]:
                warm.goto(server.url + url, wait_until="load", timeout=600_000)
                warm.wait_for_function(HAS_ELEMENTS, timeout=600_000, polling="raf")
            warm.close()
            for _ in range(args.repeat):
                for url in urls:
                    page = context.new_page()
                    page.goto(server.url + url, wait_until="commit", timeout=120_000)
                    page.wait_for_function(HAS_PICTURE, timeout=120_000, polling="raf")
                    got = page.evaluate(PAINTED)
                    page.wait_for_function(HAS_ELEMENTS, timeout=120_000, polling="raf")
                    drew = page.evaluate(PAINTED, False)
                    page.close()
                    srv = got.get("page") or {}
                    samples.append({"url": url, "ms": round(got["painted"], 1), "elements": got["elements"],
                                    "picture": got["picture"], "cytoscape_ms": round(drew["painted"], 1),
                                    "response_end_ms": round(srv.get("end", 0), 1), "bytes": srv.get("bytes", 0)})
            browser.close()
    finally:
        server.stop()
    in_band = [s for s in samples if BAND[0] <= s["elements"] <= BAND[1]]
    chosen = in_band or samples
    ms = [s["ms"] for s in chosen]
    figures.update(
        views=len(chosen), in_band=bool(in_band), elements=sorted({s["elements"] for s in chosen}),
        median_ms=round(statistics.median(ms), 1), p95_ms=round(percentile(ms, 95), 1), max_ms=round(max(ms), 1),
        pictures=sum(1 for s in chosen if s.get("picture")),
        cytoscape_median_ms=round(statistics.median(s.get("cytoscape_ms", s["ms"]) for s in chosen), 1),
        cytoscape_p95_ms=round(percentile([s.get("cytoscape_ms", s["ms"]) for s in chosen], 95), 1),
        response_end_median_ms=round(statistics.median(s["response_end_ms"] for s in chosen), 1),
        after_response_median_ms=round(statistics.median(s["ms"] - s["response_end_ms"] for s in chosen), 1),
        bytes_per_element=round(statistics.median(s["bytes"] / s["elements"] for s in chosen if s["bytes"]), 1)
        if any(s["bytes"] for s in chosen) else None,
        samples=samples, loadavg_end=[round(x, 2) for x in os.getloadavg()])
    return figures


ROWS = (("median_ms", "navigation → painted canvas, median ms"), ("p95_ms", "… p95 ms"), ("max_ms", "… max ms"),
        ("pictures", "… of which painted as a picture first"),
        ("cytoscape_median_ms", "navigation → cytoscape drew the view, median ms"), ("cytoscape_p95_ms", "… p95 ms"),
        ("response_end_median_ms", "the view's answer arrived (median ms after navigation)"),
        ("after_response_median_ms", "browser's work after that answer (median ms)"),
        ("bytes_per_element", "page response bytes per element (median)"), ("views", "views timed"),
        ("elements", "elements per view"), ("ready_s", "server ready s"),
        ("idle_wait_s", "… then warm-up until idle s"))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default="/tmp/syn100k")
    p.add_argument("--urls", type=int, default=20, help="Netzwerk URLs (default 20)")
    p.add_argument("--repeat", type=int, default=3, help="loads of each URL (default 3)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--port", type=int, default=8720, help="this side's port; the previous commit's is port+1")
    p.add_argument("--kept-dir", default=str(Path(tempfile.gettempdir()) / "partnernetz-bench-kept"),
                   help="keep each side's build here (a folder per checkout); 'off' to load from the files")
    p.add_argument("--against", default="HEAD~1", help="revision measured side by side ('' = saved figures)")
    p.add_argument("--save", action="store_true", help=f"keep the figures in {RESULTS.name}")
    p.add_argument("--root", default=str(HERE), help=argparse.SUPPRESS)
    p.add_argument("--figures-json", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.figures_json:
        print(json.dumps(measure(args)))
        return 0
    from benchmarks import sides
    from benchmarks.bench_callbacks import _drop_port, loadavg

    side = _drop_port(sides.side_args(list(argv if argv is not None else sys.argv[1:])))
    print(f"{os.cpu_count()} cores, {loadavg()} at start; dataset {args.data}, {args.urls} URLs × {args.repeat}")
    previous, label = ({}, "–")
    if args.against:
        previous, label = sides.previous_figures(__file__, args.against, [*side, "--port", str(args.port + 1)], RESULTS)
    figures = sides.run_side(__file__, HERE, [*side, "--port", str(args.port)])

    def fmt(v: Any) -> str:
        if v is None:
            return "–"
        if isinstance(v, list):
            return f"{min(v)}–{max(v)}" if v else "–"
        return f"{v:g}" if isinstance(v, (int, float)) else str(v)

    print(f"{'figure':<54} {'now':>12} {label[:12]:>12}")
    for key, name in ROWS:
        print(f"{name:<54} {fmt(figures.get(key)):>12} {fmt(previous.get(key)):>12}")
    for side_name, fig in (("now", figures), (label, previous)):
        if fig:
            print(f"{side_name}: load average {fig.get('loadavg_start')} → {fig.get('loadavg_end')}"
                  + ("" if fig.get("in_band") else f" (no view had {BAND[0]}–{BAND[1]} elements: all views timed)"))
    met = figures.get("p95_ms") is not None and figures["p95_ms"] <= TARGET_MS
    print(f"target: navigation → painted ≤ {TARGET_MS:.0f} ms for up to 1,500 elements: "
          f"{'met' if met else 'MISSED'} (p95 {fmt(figures.get('p95_ms'))} ms)")
    print(f"{loadavg()} at end")
    if args.save:
        RESULTS.write_text(json.dumps({"against": args.against, "figures": figures, "previous": previous}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
