"""Page 'Hilfe': what each page is for and, per user group (programme staff,
event planners, analysts), a worked example on the sample data whose links
open the described view."""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from dashboard.components import page_header
from dashboard.i18n import normalise_lang, t
from dashboard.viewstate import analytics_href, matchmaking_href, network_href, page_href

PATH = "/hilfe"
ORDER = 6
TITLE_KEY = "nav.help"

__all__ = ["PATH", "ORDER", "TITLE_KEY", "ID", "layout", "register_callbacks", "GROUPS"]


class ID:
    PAGES = "help-pages"
    STAFF = "help-staff"
    EVENTS = "help-events"
    ANALYSTS = "help-analysts"


#: User groups in page order: (message key stem, section id).
GROUPS = (("staff", ID.STAFF), ("events", ID.EVENTS), ("analysts", ID.ANALYSTS))


def _examples(group: str, lang: str) -> list[tuple[str, str | None]]:
    """``(message key, link or None)`` steps of a group's worked example on the sample."""
    if group == "staff":
        return [("ex1", matchmaking_href(lang, target="country:TZA", themes=["theme:water"])),
                ("ex2", None),
                ("ex3", network_href(lang, focus="institution:hlft"))]
    if group == "events":
        return [("ex1", page_href("/kontakte", lang, theme="water", country="TZA")), ("ex2", None)]
    return [("ex1", analytics_href(lang, tab="coverage")),
            ("ex2", network_href(lang, spot="BRA,health")),
            ("ex3", analytics_href(lang, tab="overview"))]


def _group(group: str, section_id: str, lang: str) -> html.Section:
    steps = []
    for key, href in _examples(group, lang):
        text = t(f"help.group.{group}.{key}", lang)
        steps.append(html.Li([text, " ", dcc.Link(href, href=href, className="help-link")] if href else text))
    return html.Section([
        html.H2(t(f"help.group.{group}", lang)),
        html.P(t(f"help.group.{group}.why", lang)),
        html.Ol(steps, className="help-steps"),
    ], id=section_id, className="card help-group")


def layout(lang: str = "de", **_query: Any):
    lang = normalise_lang(lang)
    pages = ("network", "matchmaking", "contacts", "analytics", "data")
    return html.Div([
        page_header(TITLE_KEY, lang, t("help.intro", lang)),
        html.Section([html.H2(t("help.pages", lang)),
                      html.Ul([html.Li(t(f"help.page.{p}", lang)) for p in pages])], id=ID.PAGES, className="card"),
        *[_group(group, sid, lang) for group, sid in GROUPS],
    ], className="help-page")


def register_callbacks(app: dash.Dash) -> None:  # noqa: ARG001 — a static page
    return None
