"""Security headers on every response, and the Content-Security-Policy.

Every response gets ``X-Content-Type-Options: nosniff``,
``X-Frame-Options: DENY``, ``Referrer-Policy: same-origin`` and a CSP:

========================  ==================================================
``default-src 'self'``    everything from this server only
``script-src 'self'``     Dash's bundles, plus the SHA-256 hashes of the
                          inline scripts Dash writes into its page (the
                          renderer start-up and clientside callbacks,
                          :meth:`dash.Dash.csp_hashes`) — no other inline
                          script, no ``eval``
``style-src 'self'        Dash components and Plotly set ``style``
'unsafe-inline'``         attributes and inject ``<style>`` elements at run
                          time; a CSP cannot allow those by hash, so inline
                          styles are allowed (styles cannot run code)
``img-src 'self' data:    Plotly's and Cytoscape's PNG/SVG exports are built
blob:``                   as ``data:``/``blob:`` URLs in the browser
``font-src 'self' data:`` fonts bundled by Plotly
``connect-src 'self'``    callbacks go to this server only
``object-src 'none'``,    no plugins, no ``<base>`` tricks, forms post only
``base-uri 'self'``,      here, and no page may frame this one
``form-action 'self'``,
``frame-ancestors 'none'``
========================  ==================================================

Checked in a real browser (tests/browser/test_login.py): every page renders
with no CSP violation in the console.
"""

from __future__ import annotations

from typing import Any

import flask

__all__ = ["install_security_headers", "content_security_policy", "STATIC_HEADERS"]

STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def content_security_policy(script_hashes: list[str] | tuple[str, ...] = ()) -> str:
    """The policy string, with Dash's inline-script hashes.

    >>> "frame-ancestors 'none'" in content_security_policy()
    True
    """
    scripts = " ".join(["'self'", *script_hashes])
    return "; ".join([
        "default-src 'self'",
        f"script-src {scripts}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def install_security_headers(app: Any) -> None:
    """Add the headers to every response of the Dash ``app``'s server. The
    inline-script hashes are taken on the first response, after every
    callback (also clientside ones added after :func:`create_app`) exists."""
    server: flask.Flask = app.server
    policy: list[str] = []

    @server.after_request
    def _security_headers(response: flask.Response) -> flask.Response:
        if not policy:
            policy.append(content_security_policy(app.csp_hashes()))
        for name, value in STATIC_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", policy[0])
        if flask.request.path.startswith(("/_dash-update-component", "/login", "/logout", "/_partnernetz")):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
