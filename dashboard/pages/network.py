"""Page 'Netzwerk' (start page). The explorer issue builds the interactive view."""

from __future__ import annotations

import dash
from dash import html

from dashboard.components import key_figures, page_header
from dashboard.context import current
from dashboard.i18n import normalise_lang, t
from graph.kinds import NodeKind

PATH = "/"
ORDER = 1
TITLE_KEY = "nav.network"


def layout(lang: str = "de", **_query: str):
    lang = normalise_lang(lang)
    counts = current().graph.counts_by_kind()
    figures = [(t(f"kind.{k.value}", lang), counts[k.value]) for k in NodeKind]
    return html.Div([page_header(TITLE_KEY, lang), key_figures(figures), html.P(t("page.coming", lang), className="muted")])


def register_callbacks(app: dash.Dash) -> None:
    """No callbacks yet."""
