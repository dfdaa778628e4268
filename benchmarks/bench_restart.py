"""Restart benchmark: how soon a started server answers ``/`` and how long
the first visitor of each page waits, for this checkout and the previous
commit in one run, with the load average.

Each checkout's server is started twice on the same dataset with an empty
private directory for kept builds (``PARTNERNETZ_KEPT_DIR``): the first start
loads from the files (and keeps its build once warm; at most
``--kept-timeout`` seconds are waited for that), the second is the restart
that uses the kept build. ``--workspace`` serves the dataset imported into a
fresh workspace (``python app.py workspace import``; the kept build's key is
then the workspace's head version) instead of ``--data``. Run it from a
checkout nobody edits meanwhile (the kept build's key includes the code).
Per start it prints: seconds until ``/`` answers, the first view of every page
(seconds after start and the page's own wait), the first search, when the
last page answered, and the PSS of the server then.

    python benchmarks/bench_restart.py --data /tmp/syn100k --against HEAD~1 [--workspace] [--json out.json]
    # restarts only, from builds kept before by each side (seconds instead of minutes):
    python benchmarks/bench_restart.py --data /tmp/syn100k --against main --kept-dir K1 --base-kept-dir K0

The first visitors come right after ``/`` answers (the worst case: the
indexes may still be read or warmed up in the background).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import DashClient, Server, free_port  # noqa: E402

PAGES = ("/", "/matchmaking", "/kontakte", "/analysen", "/daten")
ROOT = Path(__file__).resolve().parents[1]


def _search(client: DashClient, text: str) -> float:
    """Seconds the first search-suggestion callback took (the network page's search box)."""
    from run import component_values

    suggest = client.find("network-suggestions")
    if suggest is None:
        raise LookupError("no search suggestions on this commit")
    state = component_values(client.page("/")[1]).get(("network-state", "data"))
    key = json.dumps({"role": "search", "type": "network-query"}, sort_keys=True)
    body = client.request(suggest, {(key, "value"): text, ("network-state", "data"): state,
                                    ("__wildcard__", ""): {"role": "search"}})
    return client.post(body)[0]


def measure(checkout: Path, serve: tuple[str, ...], kept_dir: str, *, wait_kept: float,
            page_timeout: float = 600) -> dict:
    import requests

    port = free_port()
    server = Server(None, port, extra=serve, root=checkout, env={"PARTNERNETZ_KEPT_DIR": kept_dir})
    out: dict = {}
    try:
        url = server.url
        while True:
            if server.proc.poll() is not None:
                raise RuntimeError(Path(server.log.name).read_text()[-2000:])
            try:
                if requests.get(url + "/", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.05)
        out["root_s"] = time.perf_counter() - server.started
        client = DashClient(requests.Session(), url)
        page = client.find("_pages_content.children")
        for path in PAGES:
            body = client.request(page, {("_pages_location", "pathname"): path, ("_pages_location", "search"): ""},
                                  changed="_pages_location.pathname")
            try:
                wait, _ = client.post(body, timeout=page_timeout)
            except requests.Timeout:
                wait = float("inf")  # gave up waiting (--page-timeout)
            out[path] = (time.perf_counter() - server.started, wait)
        try:
            out["search_s"] = _search(client, "Universität")
        except Exception as exc:  # noqa: BLE001 - the figure is optional: say why it is missing
            out["search_error"] = str(exc)[:200]
        out["all_pages_s"] = time.perf_counter() - server.started
        memory = server.memory_mb()
        out["pss_mb"] = memory["pss"] if memory else None
        if wait_kept:  # let the first start keep its build before it is stopped
            deadline = time.perf_counter() + wait_kept
            while time.perf_counter() < deadline and "build kept" not in Path(server.log.name).read_text():
                if server.proc.poll() is not None:
                    break
                time.sleep(0.5)
            kept = "build kept" in Path(server.log.name).read_text()
            out["kept_after_s"] = time.perf_counter() - server.started if kept else None
        out["restored"] = "kept build restored" in Path(server.log.name).read_text()
    finally:
        server.stop()
    return out


def report(name: str, result: dict) -> None:
    pages = "  ".join(f"{p} {at:.1f}s (waited {w:.2f}s)" for p, (at, w) in
                      ((p, result[p]) for p in PAGES))
    extra = ""
    if "kept_after_s" in result:
        extra = (f"; build kept {result['kept_after_s']:.0f}s after start" if result["kept_after_s"] is not None
                 else "; no build kept in time")
    search = (f"; first search {result['search_s']:.2f}s" if "search_s" in result
              else f"; search n/a ({result.get('search_error', '')[:60]})")
    pss = f"; PSS {result['pss_mb']:.0f} MB" if result.get("pss_mb") else ""
    print(f"  {name:30} / answers {result['root_s']:5.1f}s; every page warm at {result['all_pages_s']:5.1f}s"
          f"{search}{pss}{extra}{'; from the kept build' if result.get('restored') else ''}")
    print(f"  {'':30} {pages}  (load average {os.getloadavg()[0]:.2f})")


def _checkout(commit: str, into: Path) -> Path:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(into), commit], check=True,
                   capture_output=True)
    return into


def _workspace(checkout: Path, data: str, folder: Path) -> tuple[str, ...]:
    path = folder / "ws.sqlite"
    subprocess.run([sys.executable, "app.py", "workspace", "init", "--empty", "--workspace", str(path)], cwd=checkout,
                   check=True, capture_output=True)
    subprocess.run([sys.executable, "app.py", "workspace", "import", data, "--workspace", str(path)], cwd=checkout,
                   check=True, capture_output=True)
    return ("--workspace", str(path))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--against", metavar="COMMIT", help="the previous commit, checked out into a temporary worktree")
    ap.add_argument("--base", help="checkout of the previous commit (instead of --against)")
    ap.add_argument("--workspace", action="store_true", help="serve the data imported into a fresh workspace")
    ap.add_argument("--kept-timeout", type=float, default=900, metavar="S",
                    help="longest wait for the first start to keep its build (default 900)")
    ap.add_argument("--page-timeout", type=float, default=600, metavar="S",
                    help="give up on a page after S seconds (shown as 'waited inf')")
    ap.add_argument("--kept-dir", metavar="DIR",
                    help="this commit only: restart from the build already kept in DIR (no first start)")
    ap.add_argument("--base-kept-dir", metavar="DIR",
                    help="the previous commit likewise: restart from the build it kept in DIR (no first start)")
    ap.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()}")
    results: dict = {"data": args.data, "workspace": args.workspace, "load_before": os.getloadavg()}
    checkouts = [("this commit", ROOT)]
    scratch = Path(tempfile.mkdtemp(prefix="partnernetz-restart-"))
    made = None
    try:
        if args.against:
            made = _checkout(args.against, scratch / "against")
            checkouts.append((f"previous commit {args.against}", made))
        elif args.base:
            checkouts.append(("previous commit", Path(args.base)))
        for name, checkout in checkouts:
            folder = Path(tempfile.mkdtemp(prefix="run-", dir=scratch))
            kept_dir = str(folder / "kept")
            serve = _workspace(checkout, args.data, folder) if args.workspace else ("--data", args.data)
            print(f"{name} ({checkout}), {args.data}{' in a workspace' if args.workspace else ''}:", flush=True)
            given = args.kept_dir if name == "this commit" else args.base_kept_dir
            if given:
                again = measure(checkout, serve, given, wait_kept=0, page_timeout=args.page_timeout)
                report("restart (build kept before)", again)
                results[name] = {"restart": again, "load_after": os.getloadavg()}
                continue
            first = measure(checkout, serve, kept_dir, wait_kept=args.kept_timeout, page_timeout=args.page_timeout)
            report("first start (keeps its build)", first)
            if first.get("kept_after_s") is None:  # nothing kept in time: a restart is another first start
                print(f"  {'restart':30} = another first start (no build kept within {args.kept_timeout:g}s)")
                results[name] = {"first_start": first, "restart": None, "load_after": os.getloadavg()}
                continue
            again = measure(checkout, serve, kept_dir, wait_kept=0, page_timeout=args.page_timeout)
            report("restart", again)
            results[name] = {"first_start": first, "restart": again, "load_after": os.getloadavg()}
            print(f"  load average: {os.getloadavg()}", flush=True)
    finally:
        if made is not None:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(made)], capture_output=True)
        shutil.rmtree(scratch, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
