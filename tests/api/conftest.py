"""An app serving a fresh sample workspace (live swap installed), with API tokens per role."""

from __future__ import annotations

import pytest

from dashboard.access import ENV_TOKENS, ROLES
from dashboard.app import create_app
from dashboard.live import LiveData, install_live_data
from dashboard.settings import Settings
from graph.people.privacy import mask_unconsented
from loaders.workspace import WorkspaceFile, load_workspace
from loaders.workspace.live_update import updater
from loaders.workspace.location import create_workspace
from loaders.workspace.store import read_head

TOKENS = {role: f"token-{role}-0123456789" for role in ROLES}


def serve_workspace(ws: WorkspaceFile, *, audit_log: str = "", live_wait: float = 30.0, live: bool = True,
                    incremental: bool = True):
    """A Dash app serving ``ws`` like ``app.py serve --workspace`` (masking, live swap: row changes
    applied to the served graph, ``incremental=False``: every version rebuilt)."""
    version, result = load_workspace(ws)
    mask_unconsented(result.graph)
    settings = Settings(workspace=str(ws.path), is_sample=False, audit_log=audit_log or str(ws.path.parent / "audit.jsonl"),
                        extra={"edit_live_wait": live_wait})
    app = create_app(result.graph, settings, report=result.report)

    def newest():
        v, r = load_workspace(WorkspaceFile(ws.path))
        mask_unconsented(r.graph)
        return v, r.graph, r.report

    if not live:  # edits are saved but this app keeps serving the version it started with
        return app
    install_live_data(app, LiveData(app, version=version, head=lambda: read_head(ws.path), load=newest,
                                    path=str(ws.path), update=updater(ws.path) if incremental else None))
    return app


@pytest.fixture
def api_ws(tmp_path):
    return create_workspace(tmp_path / "ws.sqlite", sample=True, user="test")


@pytest.fixture
def api_app(api_ws, monkeypatch):
    monkeypatch.setenv(ENV_TOKENS, ",".join(f"{role}-client:{role}:{token}" for role, token in TOKENS.items()))
    return serve_workspace(api_ws)


@pytest.fixture
def client(api_app):
    return api_app.server.test_client()


def auth(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[role]}"}
