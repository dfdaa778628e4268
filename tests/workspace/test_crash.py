"""Crash safety: a publishing process killed with SIGKILL at random moments
leaves the workspace at version N or N+1, never in between, and the app
starts on it."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from loaders.synthetic import generate
from loaders.workspace import WorkspaceFile, load_workspace, make_preview, publish_preview
from loaders.workspace.location import create_workspace
from tests.helpers import ROOT

CHILD = """
import sys
from loaders.workspace import WorkspaceFile, publish_preview
ws = WorkspaceFile(sys.argv[1])
print("go", flush=True)
publish_preview(ws, sys.argv[2], user="crash", message="killed?")
print("done", flush=True)
"""


def _counts(path: Path) -> tuple[int, dict[str, int], int]:
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        head = con.execute("SELECT coalesce(max(id), 0) FROM versions").fetchone()[0]
        rows = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in ("institutions", "projects", "participations")}
        journal = con.execute("SELECT count(*) FROM journal WHERE version = ?", (head,)).fetchone()[0]
        return head, rows, journal
    finally:
        con.close()


def _publish_child(path: Path, token: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", CHILD, str(path), token], cwd=ROOT, stdout=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_kill_9_during_publish_leaves_version_n_or_n_plus_1(tmp_path):
    data = tmp_path / "synthetic"
    generate(data, nodes=2000, seed=3)
    base = tmp_path / "base.sqlite"
    ws = create_workspace(base, sample=True, user="test")
    token = make_preview(ws, data, mode="replace").token
    before = _counts(base)
    # one undisturbed run: the state after, and how long a publish takes
    done = tmp_path / "done.sqlite"
    shutil.copy(base, done)
    child = _publish_child(done, token)
    assert child.stdout.readline().strip() == "go"
    started = time.monotonic()
    assert child.stdout.readline().strip() == "done"
    duration = time.monotonic() - started
    child.wait()
    after = _counts(done)
    assert after[0] == before[0] + 1 and after[1] != before[1]

    seen = {before[0]: 0, after[0]: 0}
    rng = random.Random(15)
    for attempt in range(22):
        target = tmp_path / f"kill-{attempt}.sqlite"
        shutil.copy(base, target)
        child = _publish_child(target, token)
        assert child.stdout.readline().strip() == "go"
        time.sleep(rng.uniform(0, duration * 1.1))  # a random moment of the publish (the point of this test)
        child.send_signal(signal.SIGKILL)
        child.wait()
        state = _counts(target)
        assert state in (before, after), f"attempt {attempt}: {state} is neither version {before[0]} nor {after[0]}"
        seen[state[0]] += 1
        WorkspaceFile(target)  # opens (the WAL is recovered)
    print(f"kill -9 during publish, {sum(seen.values())} times (publish takes {duration:.2f} s): "
          f"{seen[before[0]]} × version {before[0]}, {seen[after[0]]} × version {after[0]}")
    # the app starts on a killed workspace: graph built, report clean
    version, result = load_workspace(WorkspaceFile(target))
    assert version in (before[0], after[0]) and result.report.ok
