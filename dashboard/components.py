"""Small layout pieces shared by pages."""

from __future__ import annotations

from dash import html

from dashboard.i18n import t

__all__ = ["page_header", "placeholder", "key_figures"]


def page_header(title_key: str, lang: str, intro: str | None = None) -> html.Div:
    children = [html.H1(t(title_key, lang))]
    if intro:
        children.append(html.P(intro, className="intro"))
    return html.Div(children, className="page-header")


def placeholder(title_key: str, lang: str) -> html.Div:
    return html.Div([page_header(title_key, lang), html.P(t("page.coming", lang), className="muted")])


def key_figures(items: list[tuple[str, int | str]]) -> html.Div:
    """A row of labelled numbers."""
    return html.Div([
        html.Div([html.Div(str(value), className="figure-value"), html.Div(label, className="figure-label")],
                 className="figure") for label, value in items
    ], className="figures")
