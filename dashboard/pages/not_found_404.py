"""The page Dash shows for an unknown address (Dash pages looks for a page
module named ``not_found_404``): German by default, English with ``?lang=en``,
naming the address and linking every page."""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from dashboard.first_page import visited_path
from dashboard.i18n import normalise_lang, t

PATH = "/404"
ORDER = 99
TITLE_KEY = "nf.title"

__all__ = ["PATH", "ORDER", "TITLE_KEY", "ID", "layout", "register_callbacks"]


class ID:
    BOX = "not-found"
    PATH = "not-found-path"


def layout(lang: str = "de", **_query: Any):
    from dashboard.shell import NAV_ITEMS  # the shell imports no page; a late import keeps it so

    lang = normalise_lang(lang)
    path = visited_path() or "/"  # the address that was not found
    return html.Div([
        html.H1(t("nf.title", lang)),
        html.P(t("nf.text", lang, path=str(path)[:200]), id=ID.PATH),
        html.P(t("nf.pages", lang)),
        html.Ul([html.Li(dcc.Link(t(key, lang), href=f"{p}?lang={lang}")) for p, key in NAV_ITEMS]),
    ], id=ID.BOX, className="not-found")


def register_callbacks(app: dash.Dash) -> None:  # noqa: ARG001 — a static page
    return None
