"""The workspace: the programme's data in one SQLite file, with versions,
a row-level change journal, import previews, history and revert.

It lives in ``loaders/`` because it reads and writes a file outside the
graph; :mod:`graph` stays pure. One job per module:

* :mod:`~loaders.workspace.store` — the SQLite file (tables, versions, journal, publish in one transaction)
* :mod:`~loaders.workspace.keys` — row keys and normalised rows
* :mod:`~loaders.workspace.diff` — row- and field-level differences
* :mod:`~loaders.workspace.upload` — uploaded files → a dataset path
* :mod:`~loaders.workspace.manifest` — what a (partial) export holds
* :mod:`~loaders.workspace.preview` — import preview (replace/update) and publish
* :mod:`~loaders.workspace.history` — earlier versions, diffs, revert
* :mod:`~loaders.workspace.exporting` — any version as .xlsx or CSV ZIP
* :mod:`~loaders.workspace.building` — the graph the app serves from a version
* :mod:`~loaders.workspace.location` — where the default workspace lives, first-run creation
"""

from loaders.workspace.building import load_workspace
from loaders.workspace.diff import Change, diff_states, summarise
from loaders.workspace.exporting import WorkspacePayload, export_bytes, export_version
from loaders.workspace.history import diff_versions, revert, state_at
from loaders.workspace.location import default_path, open_or_create, resolve_path
from loaders.workspace.manifest import Manifest, read_manifest
from loaders.workspace.preview import MODES, Preview, make_preview, publish_preview
from loaders.workspace.store import ConflictError, Version, WorkspaceError, WorkspaceFile
from loaders.workspace.upload import DEFAULT_LIMIT, UploadError, stage_upload

__all__ = [
    "WorkspaceFile", "WorkspaceError", "ConflictError", "Version", "Change", "diff_states", "summarise",
    "make_preview", "publish_preview", "Preview", "MODES", "state_at", "diff_versions", "revert",
    "export_bytes", "export_version", "WorkspacePayload", "load_workspace", "Manifest", "read_manifest",
    "stage_upload", "UploadError", "DEFAULT_LIMIT", "default_path", "resolve_path", "open_or_create",
]
