"""A workspace with follow-up state, for page-rendering tests."""

from __future__ import annotations

from pathlib import Path

from graph.followup.pipeline import PipelineItem
from loaders.workspace import WorkspaceFile
from loaders.workspace.followup import FollowUp
from loaders.workspace.location import create_workspace


def workspace_with_shortlist(path: Path) -> WorkspaceFile:
    """The sample as a workspace, with one shortlist of three candidates:
    one asked (overdue), one declined, one accepted."""
    ws = create_workspace(path, sample=True, user="test")
    fu = FollowUp(ws)
    items = [PipelineItem(0, f"institution:{key}", n, 0.9 - n / 10, factors={"theme": 1.0 - n / 3},
                          explanation="Thema", label=key, land="land:DE-HE")
             for n, key in enumerate(("hlft", "hmwevl", "hkm"), 1)]
    sid = fu.save_shortlist("Beispiel", owner="test", target={"node": "project:BLP-01"}, settings={}, items=items)
    fu.move(sid, "institution:hlft", "asked", user="test", owner="anna", next_step="Anruf", due="2026-01-15")
    fu.move(sid, "institution:hmwevl", "declined", user="test", reason="capacity")
    fu.move(sid, "institution:hkm", "asked", user="test")
    fu.move(sid, "institution:hkm", "accepted", user="test")
    return ws
