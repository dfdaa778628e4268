"""Page 'matchmaking' (placeholder until its issue fills it)."""

from __future__ import annotations

import dash

from dashboard.components import placeholder
from dashboard.i18n import normalise_lang

PATH = "/matchmaking"
ORDER = 2
TITLE_KEY = "nav.matchmaking"


def layout(lang: str = "de", **_query: str):
    return placeholder(TITLE_KEY, normalise_lang(lang))


def register_callbacks(app: dash.Dash) -> None:
    """No callbacks yet."""
