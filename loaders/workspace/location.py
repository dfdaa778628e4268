"""Where the workspace lives, and creating it on first run.

The default is ``workspace.sqlite`` in the user's data directory
(:func:`platformdirs.user_data_dir`), unless ``--workspace PATH`` or the
environment variable ``PARTNERNETZ_WORKSPACE`` names another file.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from loaders.workspace.store import WorkspaceFile

__all__ = ["ENV_VAR", "default_path", "resolve_path", "open_or_create", "create_workspace", "local_user"]

ENV_VAR = "PARTNERNETZ_WORKSPACE"


def default_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("partnernetz", appauthor=False)) / "workspace.sqlite"


def resolve_path(path: str | os.PathLike | None = None) -> Path:
    """``path``, else ``$PARTNERNETZ_WORKSPACE``, else :func:`default_path`."""
    if path:
        return Path(path).expanduser()
    env = os.environ.get(ENV_VAR)
    return Path(env).expanduser() if env else default_path()


def local_user() -> str:
    try:
        return "local:" + getpass.getuser()
    except (KeyError, OSError):
        return "local"


def create_workspace(path: str | os.PathLike, *, sample: bool = True, user: str | None = None) -> WorkspaceFile:
    """A new workspace at ``path``; with ``sample`` version 1 is the bundled sample."""
    from loaders import SAMPLE_PATH
    from loaders.workspace.preview import make_preview, publish_now

    ws = WorkspaceFile.create(path)
    if sample:
        preview = make_preview(ws, SAMPLE_PATH, mode="replace", source="data/sample", save=False)
        publish_now(ws, preview, user=user or local_user(), message="Beispieldaten / bundled sample")
    return ws


def open_or_create(path: str | os.PathLike | None = None) -> tuple[WorkspaceFile, bool]:
    """``(workspace, created)``: open the workspace, creating it from the sample when missing."""
    target = resolve_path(path)
    if target.exists():
        return WorkspaceFile(target), False
    return create_workspace(target, sample=True), True
