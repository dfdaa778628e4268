"""The white-spot cell view shared by the Analysen page (which links to it)
and the Netzwerk page (which shows it for ``?spot=<ISO3>,<theme key>``):
the country, the theme and the reason nodes in the picture, and beside it
the gap in words with links to the reasons and to Matchmaking.

The grid is computed once per dataset (the same cache entries as the
Analysen page)."""

from __future__ import annotations

from dash import dcc, html

from dashboard import analytics_figures as af
from dashboard.context import current
from dashboard.i18n import t
from dashboard.viewstate import analytics_href, matchmaking_href, network_href
from graph.analysis.matrices import WhiteSpotGrid, project_index, white_spots
from graph.core.kinds import key_of

__all__ = ["grid", "explanation", "spot_ids", "spot_panel"]


def grid() -> WhiteSpotGrid | None:
    """The dataset's white-spot grid (None when the store keeps no whole-graph snapshot)."""
    ctx = current()
    if not ctx.has_snapshot:
        return None
    g = ctx.graph
    index = ctx.cached("analytics.index", lambda: project_index(g))
    return ctx.cached("analytics.white_spots", lambda: white_spots(g, index=index))


def explanation(spot: list[str], lang: str) -> af.SpotExplanation | None:
    """The explanation of the cell named by ``spot`` (``[ISO3, theme key]``)."""
    found = grid()
    if found is None or len(spot) != 2:
        return None
    return af.white_spot_explanation(current().graph, found, spot[0], spot[1], lang)


def spot_ids(x: af.SpotExplanation | None) -> list[str]:
    """The nodes the picture shows for a cell: country, theme and reasons."""
    if x is None:
        return []
    return [n for n in (x.country, x.theme, *x.reasons) if n]


def spot_panel(x: af.SpotExplanation, lang: str, panel_id: str) -> html.Div:
    """The gap in words, the reason nodes as links, Matchmaking and the way back."""
    g = current().graph
    cname = g.label(x.country, lang) if x.country else "?"
    tname = g.label(x.theme, lang) if x.theme else "?"
    title = t("an.ws.title" if x.is_white_spot else "an.ws.title_covered", lang, country=cname, theme=tname)
    reasons = [html.Li(dcc.Link(af.project_name(g, r, lang, 90), href=network_href(lang, focus=r, selected=r)))
               for r in x.reasons]
    links = [dcc.Link(t("an.ws.back", lang), href=analytics_href(lang, tab="coverage"), className="button small secondary")]
    if x.country and x.theme:
        links.insert(0, dcc.Link(t("an.ws.to_matchmaking", lang, country=cname, theme=tname),
                                 href=matchmaking_href(lang, target=x.country, themes=[x.theme]),
                                 className="button small spot-matchmaking"))
    return html.Div([
        html.H2(title),
        *[html.P(s) for s in x.sentences],
        html.H3(t("an.ws.reasons_title", lang)) if reasons else None,
        html.Ul(reasons, className="spot-reasons") if reasons else None,
        html.Div(links, className="button-row"),
    ], id=panel_id, className="panel spot-panel", **{"data-spot": f"{key_of(x.country or '')},{key_of(x.theme or '')}"})
