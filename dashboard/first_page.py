"""The first page of a visit, rendered into the app's first layout.

Without this, a visit takes two answers before the page shows: the shell
(``/_dash-layout``) with an empty ``dcc.Location``, and only after the
browser mounted that location and reported where it is, the routing
callback's answer with the page. The layout request names the page already:
its ``Referer`` is the address in the browser's bar (same origin; the app
sends ``Referrer-Policy: same-origin``). So the shell is built with the page
in it and with the locations' props equal to ``window.location`` – a
location whose props match the window reports nothing on mount, so Dash's
routing callback (``prevent_initial_call``) is not called, and the page's own
first callbacks go out with the shell's in one batch.

Without a usable ``Referer`` (another host, a stripped header) the shell is
the plain one and Dash routes as before.

>>> Start.parse("http://127.0.0.1:8050/kontakte?lang=en", "127.0.0.1:8050").search
'?lang=en'
>>> Start.parse("http://elsewhere.example/kontakte", "127.0.0.1:8050") is None
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import dash
import flask
from dash import dcc, html

__all__ = ["Start", "requested_start", "visited_path", "location_props", "page_container"]

#: Dash pages' own component ids (``dash.page_container``), which its routing callback writes to.
PAGES_LOCATION, PAGES_CONTENT, PAGES_STORE, PAGES_DUMMY = ("_pages_location", "_pages_content", "_pages_store",
                                                          "_pages_dummy")
NOT_FOUND_MODULE = "not_found_404"


@dataclass(frozen=True)
class Start:
    """Where the browser is: the page's path and query as ``window.location`` has them."""

    href: str
    pathname: str
    search: str  # "" or "?…", as window.location.search

    @classmethod
    def parse(cls, referrer: str | None, host: str) -> "Start | None":
        """The start named by ``referrer`` if it is an address on ``host``, else None."""
        if not referrer:
            return None
        try:
            parts = urlsplit(referrer)
        except ValueError:
            return None
        if parts.scheme not in ("http", "https") or parts.netloc != host or not parts.path.startswith("/"):
            return None
        href = parts._replace(fragment="").geturl()
        return cls(href=href, pathname=parts.path, search=f"?{parts.query}" if parts.query else "")


def requested_start() -> Start | None:
    """The start of the layout request being answered (None outside a request or without a referrer)."""
    if not flask.has_request_context():
        return None
    return Start.parse(flask.request.referrer, flask.request.host)


def visited_path() -> str | None:
    """The address being shown: Dash's router input inside its callback, else the first layout's start."""
    try:
        path = dash.ctx.inputs.get(f"{PAGES_LOCATION}.pathname")
    except Exception:  # noqa: BLE001 - not inside a callback
        path = None
    if path:
        return str(path)
    start = requested_start()
    return start.pathname if start else None


def location_props(start: Start | None) -> dict[str, str]:
    """The props that make a ``dcc.Location`` agree with the window from its first render on."""
    if start is None:
        return {}
    return {"pathname": start.pathname, "search": start.search, "href": start.href, "hash": ""}


def _query(search: str) -> dict[str, Any]:
    """The query as Dash pages passes it to a page layout: a key given once is a string, more often a list."""
    parsed = parse_qs(search[1:], keep_blank_values=True) if search.startswith("?") else {}
    return {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}


def _page(pathname: str) -> tuple[Any, Any]:
    """The registered page (layout, title) at ``pathname``; the 404 page where none is."""
    path = dash.get_app().strip_relative_path(pathname) or ""
    pages = dash.page_registry
    for page in pages.values():
        if page["path"].strip("/") == path.strip("/"):
            return page["layout"], page["title"]
    for module, page in pages.items():
        if module.split(".")[-1] == NOT_FOUND_MODULE:
            return page["layout"], page["title"]
    return html.H1("404"), dash.get_app().title


def page_container(start: Start | None) -> Any:
    """``dash.page_container``, holding the page at ``start`` already (the plain one for None)."""
    if start is None:
        return dash.page_container
    layout, title = _page(start.pathname)
    content = layout(**_query(start.search)) if callable(layout) else layout
    return html.Div([
        dcc.Location(id=PAGES_LOCATION, refresh="callback-nav", **location_props(start)),
        html.Div(content, id=PAGES_CONTENT, disable_n_clicks=True),
        dcc.Store(id=PAGES_STORE, data={"title": title() if callable(title) else title}),
        html.Div(id=PAGES_DUMMY, disable_n_clicks=True),
    ])
