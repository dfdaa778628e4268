"""Side by side with an earlier revision: the figures of ``--against REV``
measured in the same run as the working tree's.

A benchmark script that uses this measures in a child process of itself
(``--figures-json --root ROOT``), once in a detached ``git worktree`` of the
revision and once here, so both columns share the machine's load.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def side_args(argv: list[str]) -> list[str]:
    """The options both sides get: ``argv`` without ``--save`` and ``--against [REV]``.

    >>> side_args(["--nodes", "10", "--against", "HEAD~2", "--save", "--against=main"])
    ['--nodes', '10']
    """
    kept = [a for a in argv if a != "--save"]
    return [a for i, a in enumerate(kept) if not (a.startswith("--against") or (i and kept[i - 1] == "--against"))]


def run_side(script: str, root: Path, argv: list[str]) -> dict:
    """Figures of the checkout at ``root``, measured by ``script`` in a fresh process."""
    out = subprocess.run([sys.executable, str(Path(script).resolve()), "--figures-json", "--root", str(root), *argv],
                         cwd=root, capture_output=True, text=True)
    if out.returncode != 0:
        print(f"{root}: failed\n{out.stderr[-3000:]}", file=sys.stderr)
        return {}
    return json.loads(out.stdout.strip().splitlines()[-1])


def checkout(rev: str) -> Path | None:
    """A detached worktree of ``rev`` in the temporary folder (kept for the next run), or None."""
    sha = subprocess.run(["git", "rev-parse", "--short", rev], cwd=HERE, capture_output=True, text=True).stdout.strip()
    if not sha:
        print(f"--against {rev}: no such revision", file=sys.stderr)
        return None
    target = Path(tempfile.gettempdir()) / f"partnernetz-bench-{sha}"
    if not target.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(target), sha], cwd=HERE, check=True,
                       capture_output=True)
    return target


def previous_figures(script: str, against: str, argv: list[str], results: Path) -> tuple[dict, str]:
    """The other column and its label: ``against`` measured now, or the figures saved in ``results``."""
    if against:
        other = checkout(against)
        return (run_side(script, other, argv), against) if other is not None else ({}, "saved")
    if results.exists():
        return json.loads(results.read_text()).get("figures", {}), "saved"
    return {}, "saved"
