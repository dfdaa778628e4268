"""Browser-test helpers: a real server on a free loopback port and Debian's
Chromium driven by Playwright. Screenshots go to ``test-artifacts/``.

Chromium is required, not optional: `.ci/run` installs it, and a missing
browser fails the run instead of skipping it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("PARTNERNETZ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = ROOT / "test-artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServedApp:
    """``python app.py serve …`` in a subprocess; always stopped."""

    def __init__(self, *args: str, env: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        log = ARTIFACTS / f"server-{self.port}.log"
        ARTIFACTS.mkdir(exist_ok=True)
        self._log = log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "serve", "--port", str(self.port), *args],
            cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
            start_new_session=True,
        )
        self.log_path = log

    def wait(self, timeout: float = 60) -> "ServedApp":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log_path.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as resp:
                    if resp.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not answer within {timeout}s:\n{self.log_path.read_text()}")

    def wait_live(self, version: int, timeout: float = 60) -> None:
        """Wait until the server serves workspace ``version`` (it notices a new head on its own)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with urllib.request.urlopen(self.url + "/_partnernetz/live", timeout=10) as resp:
                if json.loads(resp.read())["live"] >= version:
                    return
            time.sleep(0.1)  # poll interval of the condition, not a fixed wait
        raise AssertionError(f"version {version} not live within {timeout} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def wait_for_dash(page) -> None:
    """Wait until Dash has rendered the page (its heading is in the page
    container: after in-app navigation the page comes in a callback's answer,
    which on a busy machine can be far behind) and no callback is pending."""
    page.wait_for_selector("#react-entry-point", state="attached")
    page.wait_for_selector("#page-content h1", state="attached", timeout=30000)
    page.wait_for_function(
        "() => !document.querySelector('[data-dash-is-loading=\"true\"]')", timeout=20000)
    page.wait_for_load_state("networkidle")


def wait_for_drawings(page, timeout: float = 20000) -> None:
    """Wait until every plotly chart has drawn its SVG and every cytoscape
    view its canvas (they render after Dash has placed them), and the
    Netzwerk view is in cytoscape, its first picture hidden (assets/preview.js)."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('.dash-graph')].every(g => g.querySelector('.main-svg'))
                 && [...document.querySelectorAll('.network-cyto')].every(c => c.querySelector('canvas'))
                 && [...document.querySelectorAll('#network-cyto')].every(c => {
                      const root = c.closest('.network-page');
                      return !root || c.dataset.shown === root.dataset.view; })
                 && [...document.querySelectorAll('#network-preview')].every(p => p.hidden)""",
        timeout=timeout)


def wait_for_no_overflow(page, timeout: float = 10000) -> int:
    """Wait until the page is no wider than the window (charts re-flow after a
    resize); return the overflow in px (0 when it fits, else what is left at the timeout)."""
    script = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    try:
        page.wait_for_function(f"() => ({script})() <= 1", timeout=timeout)
    except Exception:  # noqa: BLE001 — playwright's TimeoutError; the caller asserts on the figure
        pass
    return page.evaluate(script)
