"""Restart benchmark: how soon a started server answers ``/`` and how long
the first visitor of each page waits, for this checkout and the previous
commit (``--base``) in one run, with the load average.

This checkout's server is started twice on the same dataset with an empty
private directory for kept builds (``PARTNERNETZ_KEPT_DIR``): the first start
loads from the files (and keeps its build once warm), the second is the
restart that uses the kept build; the previous commit keeps nothing, so it is
started once. Run it from a checkout nobody edits meanwhile (the kept build's
key includes the code). Per start it prints: seconds until
``/`` answers, the first view of every page (seconds after start and the
page's own wait), and when the last page answered.

    python benchmarks/bench_restart.py --data /tmp/syn100k --base /tmp/scale-base

The first visitors come right after ``/`` answers (the worst case: the
indexes may still be warming up in the background).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import DashClient, free_port  # noqa: E402

PAGES = ("/", "/matchmaking", "/kontakte", "/analysen", "/daten")


def start(checkout: Path, data: str, kept_dir: str, port: int):
    import subprocess

    env = {**os.environ, "PARTNERNETZ_KEPT_DIR": kept_dir}
    log = open(Path(kept_dir).parent / f"server-{port}.log", "w")
    proc = subprocess.Popen([sys.executable, "app.py", "serve", "--port", str(port), "--data", data],
                            cwd=checkout, env=env, stdout=log, stderr=subprocess.STDOUT)
    return proc, log


def measure(checkout: Path, data: str, kept_dir: str, *, wait_kept: bool) -> dict:
    import requests

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    proc, log = start(checkout, data, kept_dir, port)
    out: dict = {}
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(Path(log.name).read_text()[-2000:])
            try:
                if requests.get(url + "/", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.05)
        out["root_s"] = time.perf_counter() - started
        client = DashClient(requests.Session(), url)
        for path in PAGES:
            wait, _ = client.page(path)
            out[path] = (time.perf_counter() - started, wait)
        out["all_pages_s"] = time.perf_counter() - started
        if wait_kept:  # let the first start keep its build before it is stopped
            deadline = time.perf_counter() + 600
            while time.perf_counter() < deadline and "build kept" not in Path(log.name).read_text():
                if proc.poll() is not None:
                    break
                time.sleep(0.5)
            out["kept_after_s"] = time.perf_counter() - started
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except Exception:  # noqa: BLE001
            proc.kill()
            proc.wait()
        log.close()
    return out


def report(name: str, result: dict) -> None:
    pages = "  ".join(f"{p} {at:.1f}s (waited {w:.2f}s)" for p, (at, w) in
                      ((p, result[p]) for p in PAGES))
    extra = f"; build kept {result['kept_after_s']:.0f}s after start" if "kept_after_s" in result else ""
    print(f"  {name:30} / answers {result['root_s']:5.1f}s; every page warm at {result['all_pages_s']:5.1f}s{extra}")
    print(f"  {'':30} {pages}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--base", help="checkout of the previous commit")
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()}")
    checkouts = [("this commit", Path(__file__).resolve().parents[1])]
    if args.base:
        checkouts.append(("previous commit", Path(args.base)))
    for name, checkout in checkouts:
        folder = tempfile.mkdtemp(prefix="partnernetz-restart-")
        kept_dir = str(Path(folder) / "kept")
        try:
            print(f"{name} ({checkout}), {args.data}:")
            if name == "this commit":
                report("first start (keeps its build)", measure(checkout, args.data, kept_dir, wait_kept=True))
                report("restart", measure(checkout, args.data, kept_dir, wait_kept=False))
            else:  # nothing is kept there: every start is a first start
                report("start = restart", measure(checkout, args.data, kept_dir, wait_kept=False))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        print(f"  load average: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
