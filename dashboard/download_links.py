"""Large downloads leave as a one-time link instead of inside a callback answer.

``dcc.Download`` carries a file base64-encoded inside the JSON answer of a
callback: fine for a chart, not for the whole-dataset export of a large
network (hundreds of MB — a third more as base64, held twice by the browser
tab). A file over :func:`inline_limit` bytes is therefore *parked*: written
to the app's private spool folder (mode 0700, created before any worker is
forked, so every ``--workers`` process finds it) under a random token, and
the callback answers with a link ``/_partnernetz/download/<token>`` that the
browser fetches as an ordinary file download (see :func:`target`).

A link is good for one fetch, by the user who asked for the file, within
:data:`LIFETIME` seconds; the file is gone afterwards (also when nobody
fetches it: each park sweeps the expired ones). The bytes were released
through the egress gate and audited before they were parked
(:mod:`dashboard.downloads`), so the link adds no second path out.

>>> parked_name("abc")  # tokens are plain url-safe strings, never paths
'abc.bin'
"""

from __future__ import annotations

import atexit
import json
import os
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import dash
import flask
from dash import dcc, html

from dashboard import access
from loaders.leftovers import writer_gone

__all__ = ["install_download_links", "park", "inline_limit", "target", "register_target", "ROUTE", "LIFETIME",
           "parked_name", "file_id", "remove_orphaned_spools"]

#: Where the browser fetches a parked file.
ROUTE = "/_partnernetz/download/"
#: Seconds a parked file waits for its one fetch.
LIFETIME = 600.0
#: Files up to this size travel inside the callback answer (``PARTNERNETZ_INLINE_DOWNLOAD_KB`` overrides).
INLINE_LIMIT_KB = 256
SPOOL_KEY = "PARTNERNETZ_DOWNLOAD_SPOOL"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def inline_limit() -> int:
    """Bytes up to which a file goes inside the callback answer."""
    raw = os.environ.get("PARTNERNETZ_INLINE_DOWNLOAD_KB", "").strip()
    try:
        return max(0, int(raw)) * 1024 if raw else INLINE_LIMIT_KB * 1024
    except ValueError:
        return INLINE_LIMIT_KB * 1024


def parked_name(token: str) -> str:
    return f"{token}.bin"


#: Spool folders are named after the process that made them: ``partnernetz-downloads-<pid>-<random>``.
SPOOL_PREFIX = "partnernetz-downloads-"


def remove_orphaned_spools(parent: Path) -> int:
    """Remove the spool folders in ``parent`` whose process is gone (a server
    that was killed never ran its exit handler); return how many."""
    removed = 0
    for folder in parent.glob(SPOOL_PREFIX + "*"):
        if writer_gone(folder, SPOOL_PREFIX) and folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def install_download_links(server: flask.Flask) -> Path:
    """Create the spool folder of ``server`` and its fetch route; return the folder.
    Spool folders left by killed servers are removed first."""
    creator = os.getpid()
    parent = Path(tempfile.gettempdir())
    remove_orphaned_spools(parent)
    spool = Path(tempfile.mkdtemp(prefix=f"{SPOOL_PREFIX}{creator}-", dir=parent))
    atexit.register(lambda: os.getpid() == creator and shutil.rmtree(spool, ignore_errors=True))
    server.config[SPOOL_KEY] = spool

    @server.route(ROUTE + "<token>")
    def _fetch_parked(token: str):  # behind the same login as every page (dashboard.access)
        return _fetch(spool, token)

    return spool


def spool() -> Path:
    """This server's spool folder: files rendered into it can be parked without a copy."""
    return flask.current_app.config[SPOOL_KEY]


def park(content: bytes, filename: str, mime: str | None) -> str:
    """Write ``content`` to the spool for the current user; return the link's path."""
    partial = spool() / f".{secrets.token_urlsafe(12)}.part"
    partial.write_bytes(content)
    return park_file(partial, filename, mime)


def park_file(path: Path, filename: str, mime: str | None) -> str:
    """Park the file ``path`` (in the spool folder: it is moved, not copied)
    for the current user; return the link's path."""
    folder = spool()
    _sweep(folder)
    token = secrets.token_urlsafe(24)
    meta = {"filename": filename, "mime": mime or "application/octet-stream",
            "owner": access.current_identity().name, "created": time.time()}
    (folder / f"{token}.json").write_text(json.dumps(meta))
    os.replace(path, folder / parked_name(token))  # the file appears complete or not at all
    return dash.get_relative_path(ROUTE + token)


def _sweep(spool: Path) -> None:
    """Remove parked files older than :data:`LIFETIME` (nobody fetched them);
    folders (a download being rendered) are left to their writer."""
    cutoff = time.time() - LIFETIME
    for path in spool.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:  # another worker swept it
            pass


def _fetch(spool: Path, token: str) -> flask.Response:
    gone = flask.Response("404 – Download abgelaufen oder unbekannt / download expired or unknown\n",
                          status=404, mimetype="text/plain")
    if not _TOKEN.match(token):
        return gone
    meta_path, data_path = spool / f"{token}.json", spool / parked_name(token)
    try:
        meta = json.loads(meta_path.read_text())
        if meta.get("owner") != access.current_identity().name or time.time() - meta["created"] > LIFETIME:
            return gone
        handle = data_path.open("rb")
    except (OSError, ValueError, KeyError):
        return gone
    for path in (meta_path, data_path):  # one fetch: gone for everyone once opened (the open handle still reads)
        path.unlink(missing_ok=True)
    response = flask.send_file(handle, mimetype=meta["mime"], as_attachment=True, download_name=meta["filename"],
                               max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


# ------------------------------------------------------------------ the page side

#: Passes an inline file on to the ``dcc.Download``; follows a link as a plain download.
_DELIVER = """
function(data) {
    var noUpdate = window.dash_clientside.no_update;
    if (!data) { return noUpdate; }
    if (data.url) {
        var link = document.createElement('a');
        link.href = data.url;
        link.download = data.filename || '';
        link.style.display = 'none';
        document.body.appendChild(link);
        link.click();
        link.remove();
        return noUpdate;
    }
    return data;
}
"""


def file_id(target_id: str) -> str:
    """The id of the ``dcc.Download`` beside the target ``target_id``."""
    return f"{target_id}-file"


def target(target_id: str) -> Any:
    """The layout part a download callback writes to (``Output(target_id, "data")``):
    a store that takes the answer of :func:`dashboard.downloads.send` and a
    ``dcc.Download`` that saves an inline file (:func:`register_target` wires them)."""
    return html.Div([dcc.Store(id=target_id), dcc.Download(id=file_id(target_id))], hidden=True)


def register_target(app: dash.Dash, target_id: str) -> None:
    """Wire the parts of :func:`target` (once per app and ``target_id``)."""
    app.clientside_callback(_DELIVER, dash.Output(file_id(target_id), "data"), dash.Input(target_id, "data"),
                            prevent_initial_call=True)
