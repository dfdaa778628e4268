"""Keep a form page's state in the address bar without reloading the page.

A page computes its query string on the server (``dashboard.viewstate``)
into a ``dcc.Store``; a clientside callback writes it with the History API:
``replaceState`` for the first value after the page was drawn (so opening
a page never adds a step to Back), ``pushState`` for a change by the user
(so Back returns to the previous view). No event is dispatched, so Dash's
locations do not re-render the page; Back and Forward do (``popstate``),
and the layout reads the state from the URL again.

The language switch links follow the page's state through
:func:`lang_hrefs`.
"""

from __future__ import annotations

import dash

from dashboard import ids
from dashboard.i18n import with_lang

__all__ = ["register_url_sync", "url_payload", "lang_hrefs", "LANG_HREF_OUTPUTS"]

_WRITE_URL = """
function(payload) {
    if (!payload || typeof payload.search !== 'string') { return; }
    var here = window.location.pathname;
    if (payload.path && payload.path !== here) { return; }  // the user has left the page meanwhile
    if (payload.search === window.location.search) { return; }
    var url = here + payload.search + window.location.hash;
    if (payload.initial) { window.history.replaceState(window.history.state, '', url); }
    else { window.history.pushState(window.history.state, '', url); }
}
"""

#: Outputs for the language links of the shell (see :func:`lang_hrefs`).
LANG_HREF_OUTPUTS = [dash.Output(ids.LANG_DE, "href", allow_duplicate=True),
                     dash.Output(ids.LANG_EN, "href", allow_duplicate=True)]


def url_payload(path: str, search: str) -> dict:
    """The store's value: the page's path, its query string and whether this
    is the first value after drawing the page (Dash's initial call)."""
    return {"path": path, "search": search, "initial": dash.ctx.triggered_id is None}


def lang_hrefs(path: str, search: str) -> list[str]:
    """The DE and EN links for the page's current state.

    >>> lang_hrefs("/kontakte", "?land=DE-HE&lang=de")
    ['/kontakte?land=DE-HE&lang=de', '/kontakte?land=DE-HE&lang=en']
    """
    return [f"{path}{with_lang(search, 'de')}", f"{path}{with_lang(search, 'en')}"]


def register_url_sync(app: dash.Dash, store_id: str) -> None:
    """Write the search string held in ``store_id`` to the address bar."""
    app.clientside_callback(_WRITE_URL, dash.Input(store_id, "data"))
