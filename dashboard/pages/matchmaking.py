"""Page 'Matchmaking': who should join a project, start work in a partner
country, or meet an institution — ranked, explained, exportable — and the
network's open opportunities.

The ranking comes from :mod:`graph.analysis.matchmaking` on an index built once per
dataset; callbacks parse the controls, call it and render the result. Every
candidate and every evidence item links into the network view
(``/?focus=<candidate>&highlight=<evidence ids>``).
"""

from __future__ import annotations

import csv
import io
import threading
from collections import OrderedDict
from typing import Any, Iterable

import dash
from dash import dcc, html

from dashboard import downloads, saved_views
from dashboard.access import current_identity, require_role
from dashboard.components import page_header
from dashboard.context import current
from dashboard.domain_labels import domain_label
from dashboard.i18n import LANG_STATE, format_decimal, lang_from_search, normalise_lang, t
from dashboard.urlsync import LANG_HREF_OUTPUTS, lang_hrefs, register_url_sync, url_payload
from dashboard.viewstate import MM_TOPS, matchmaking_search, network_href, parse_matchmaking
from dashboard.pages.followup_view import save_ranking
from graph.core.cache import cached
from graph.core.errors import PartnernetzError
from graph.core.kinds import NodeKind, kind_of
from graph.analysis.matchmaking import (
    DEFAULT_WEIGHTS, FACTOR_LABELS, FACTORS, SUBSTANTIVE, Candidate, Ranking, WhyNot, match_index, rank,
    rank_laender, resolve_target, why_not,
)
from graph.analysis.opportunities import OPPORTUNITY_KINDS, opportunities
from graph.core.reference import LAENDER
from graph.core.text import fold
from loaders.egress import StaticPayload, contacts_named
from loaders.spreadsheet import neutralise

PATH = "/matchmaking"
ORDER = 2
TITLE_KEY = "nav.matchmaking"

#: Options offered before the user types (the rest come from the search callback).
INITIAL_OPTIONS = 300
SEARCH_LIMIT = 50
TOP_CHOICES = MM_TOPS


class ID:
    SAVE_NAME = "matchmaking-save-name"
    SAVE_BTN = "matchmaking-save"
    SAVE_MSG = "matchmaking-save-message"
    TARGET = "matchmaking-target"
    THEMES = "matchmaking-themes"
    THEMES_ROW = "matchmaking-themes-row"
    FOLD = "matchmaking-fold"
    WHAT = "matchmaking-what"
    LAENDER = "matchmaking-laender"
    SECTORS = "matchmaking-sectors"
    TOP = "matchmaking-top"
    DIVERSITY = "matchmaking-diversity"
    REQUIRE = "matchmaking-require"
    WHYNOT = "matchmaking-whynot"
    WHYNOT_PANEL = "matchmaking-whynot-panel"
    URL_STATE = "matchmaking-url-state"
    VIEWS = saved_views.ids("matchmaking")  # "Ansicht speichern"
    WEIGHT = "matchmaking-weight-"  # + factor: see weight()
    RESET = "matchmaking-reset"
    RESULTS = "matchmaking-results"
    SUMMARY = "matchmaking-summary"
    BTN_CSV = "matchmaking-btn-csv"
    BTN_XLSX = "matchmaking-btn-xlsx"
    DOWNLOAD = "matchmaking-download"
    OPPORTUNITIES = "matchmaking-opportunities"

    @staticmethod
    def weight(factor: str) -> str:
        """The slider of one factor's weight."""
        return f"{ID.WEIGHT}{factor}"

    @staticmethod
    def weight_value(factor: str) -> str:
        """The shown value of one factor's weight."""
        return f"{ID.WEIGHT}{factor}-value"

    @staticmethod
    def weight_box(factor: str) -> str:
        """The box around one factor's slider."""
        return f"{ID.WEIGHT}{factor}-box"


SECTORS = ("science", "civil_society", "business", "public_administration", "implementing_agency", "other")


# --------------------------------------------------------------------------- pure helpers
def evidence_href(focus: str, evidence: Iterable[str] = (), lang: str = "de") -> str:
    """The network view focused on ``focus`` with its ``evidence`` highlighted (each once, without the focus).

    >>> evidence_href("institution:a", ["theme:water", "institution:a", "theme:water", "project:P"], "en")
    '/?focus=institution%3Aa&highlight=theme%3Awater%2Cproject%3AP&lang=en'
    """
    return network_href(lang, focus=focus, highlight=[h for h in dict.fromkeys(evidence) if h != focus])


def _option_label(graph, nid: str, lang: str) -> str:
    kind = kind_of(nid).value
    return f"{t(f'mm.kind.{kind}', lang)}: {graph.label(nid, lang)}"


def _searchable(graph, lang: str) -> list[tuple[str, str, str]]:
    """(id, label, folded label) of every possible target: projects, countries with activity, institutions."""
    out = []
    active_countries = {v for _, v, d in graph.nx.edges(data="kind") if d in ("implemented_in", "partners_with")}
    by_label = lambda nid: (fold(graph.label(nid, lang)), nid)  # noqa: E731 — locale-aware: Äthiopien with the A's
    out += sorted(graph.nodes(NodeKind.PROJECT))
    out += sorted((c for c in graph.nodes(NodeKind.COUNTRY) if c in active_countries), key=by_label)
    out += sorted(graph.nodes(NodeKind.INSTITUTION), key=by_label)
    return [(nid, lbl, fold(lbl + " " + nid)) for nid in out for lbl in [_option_label(graph, nid, lang)]]


def target_options(graph, lang: str, query: str | None = None, keep: str | None = None, *,
                   entries: list[tuple[str, str, str]] | None = None) -> list[dict[str, str]]:
    """Dropdown options: the first entries, or those matching ``query`` (folded); ``keep`` always included."""
    entries = entries if entries is not None else _searchable(graph, lang)
    if query:
        q = fold(query)
        hits = [e for e in entries if q in e[2]][:SEARCH_LIMIT]
    else:
        hits = entries[:INITIAL_OPTIONS]
    options = [{"label": lbl, "value": nid} for nid, lbl, _ in hits]
    if keep and keep in graph and all(o["value"] != keep for o in options):
        options.insert(0, {"label": _option_label(graph, keep, lang), "value": keep})
    return options


def weights_from(values: Iterable[float | None]) -> dict[str, float]:
    """Slider values (in FACTORS order) → weights; missing values fall back to the defaults."""
    return {f: (DEFAULT_WEIGHTS[f] if v is None else float(v)) for f, v in zip(FACTORS, values)}


#: Rankings kept per graph generation (most recently used): the results, the
#: "Warum nicht …?" pick, the exports and saving all rank the same settings,
#: and Back or reload repeats them.
RANKING_CACHE = 64
_RANKINGS_LOCK = threading.Lock()


def compute_ranking(graph, target_id: str | None, *, themes=None, weights=None, what="institution",
                    laender=None, sectors=None, top: int = 10, diversity: bool = True,
                    require=()) -> Ranking | None:
    """The ranking the page shows (``None`` without a target). ``require``
    holds ``"theme"`` and/or ``"country"`` ("Thema/Land erforderlich").
    Kept per target and settings (:data:`RANKING_CACHE`) until the graph changes."""
    if not target_id or target_id not in graph:
        return None
    key = (target_id, tuple(sorted(themes or ())), tuple(sorted((weights or {}).items())), what,
           tuple(sorted(laender or ())), tuple(sorted(sectors or ())), int(top), bool(diversity),
           tuple(sorted(require or ())))
    recent: OrderedDict = cached(graph, "matchmaking.rankings", OrderedDict)
    with _RANKINGS_LOCK:
        if key in recent:
            recent.move_to_end(key)
            return recent[key]
    ranking = _rank_for_page(graph, target_id, themes=themes, weights=weights, what=what, laender=laender,
                             sectors=sectors, top=top, diversity=diversity, require=require)
    with _RANKINGS_LOCK:
        recent[key] = ranking
        while len(recent) > RANKING_CACHE:
            recent.popitem(last=False)
    return ranking


def _rank_for_page(graph, target_id: str, *, themes, weights, what, laender, sectors, top, diversity,
                   require) -> Ranking:
    target = resolve_target(graph, target_id, themes or ())
    index = match_index(graph)
    opts = dict(weights=weights, top=top, laender=laender or None, sectors=sectors or None, index=index,
                require_theme="theme" in (require or ()), require_country="country" in (require or ()))
    if what == "land":
        return rank_laender(graph, target, **opts)
    return rank(graph, target, diversity=diversity, **opts)


def compute_why_not(graph, ranking: Ranking | None, node: str | None, *, what="institution", laender=None,
                    sectors=None, top: int = 10, require=()) -> WhyNot | None:
    """Where ``node`` stands against ``ranking`` (``None`` without both)."""
    if ranking is None or not node or node not in graph:
        return None
    kind = kind_of(node)
    if (what == "land") != (kind == NodeKind.LAND) or kind not in (NodeKind.LAND, NodeKind.INSTITUTION):
        return None
    return why_not(graph, ranking.target, node, ranking, mode=what, laender=laender or None, sectors=sectors or None,
                   top=top, require_theme="theme" in (require or ()), require_country="country" in (require or ()),
                   index=match_index(graph))


def _sector_label(sector: str | None, lang: str) -> str:
    return domain_label("sector", sector or 'unknown', lang)


def _factor_bars(c: Candidate, lang: str) -> html.Div:
    rows = []
    for f in FACTORS:
        value = c.factors[f]
        rows.append(html.Div([
            html.Span(domain_label("factor", f, lang), className="mm-factor-name"),
            html.Span(html.Span(className=f"mm-bar-fill mm-f-{f}", style={"width": f"{value * 100:.0f}%"}),
                      className="mm-bar", title=f"{value:.2f}"),
            html.Span(f"{value:.2f}", className="mm-factor-value"),
        ], className="mm-factor-row", **{"data-factor": f}))
    stacked = html.Div([html.Span(className=f"mm-stack-part mm-f-{f}", title=domain_label("factor", f, lang),
                                  style={"width": f"{c.contributions[f] * 100:.1f}%"})
                        for f in FACTORS if c.contributions[f] > 0], className="mm-stack")
    return html.Div([stacked, html.Div(rows, className="mm-factors")], className="mm-bars")


def candidate_card(graph, c: Candidate, n: int, lang: str) -> html.Li:
    """One ranked candidate: name linking to the network view, score, bars, evidence."""
    meta = []
    if c.land and kind_of(c.node) == NodeKind.INSTITUTION:
        meta.append(graph.label(c.land, lang))
    elif kind_of(c.node) == NodeKind.INSTITUTION and graph.node(c.node).get("country"):
        meta.append(graph.node(c.node)["country"])
    if kind_of(c.node) == NodeKind.INSTITUTION:
        meta.append(_sector_label(c.sector, lang))
    if c.deferred:
        meta.append(t("mm.deferred", lang))
    evidence = [html.Li([
        html.Span(ev.text(lang), className="mm-ev-text"), " ",
        html.A(t("mm.show_network", lang), href=evidence_href(c.node, ev.nodes, lang), className="mm-ev-link"),
    ], className=f"mm-ev mm-ev-{ev.factor}") for ev in c.evidence]
    return html.Li([
        html.Div([
            html.Span(f"{n}.", className="mm-rank"),
            html.A(graph.label(c.node, lang), href=evidence_href(c.node, c.evidence_nodes, lang),
                   className="mm-name", title=c.node),
            html.Span(" · ".join(meta), className="mm-meta"),
            html.Span(f"{c.score:.2f}", className="mm-score", title=t("mm.score", lang)),
        ], className="mm-head"),
        html.Div([_factor_bars(c, lang), html.Ul(evidence, className="mm-evidence")], className="mm-body"),
    ], className="mm-candidate", **{"data-node": c.node})


def result_children(graph, ranking: Ranking | None, lang: str, top: int | None = None) -> list:
    if ranking is None:
        return [html.P(t("mm.choose", lang), className="muted")]
    out: list = []
    left_out = t("mm.left_out", lang, k=ranking.without_reason) if ranking.without_reason else ""
    if not ranking.candidates:
        return [html.P(f"{t('mm.none', lang)} {left_out}".strip(), className="status mm-none")]
    if top is not None and ranking.total < top:
        few = t("mm.only_real_one", lang) if ranking.total == 1 else t("mm.only_real", lang, n=ranking.total)
        out.append(html.P(f"{few} {left_out}".strip(),
                          className="status mm-few"))
    out.append(html.Ol([candidate_card(graph, c, n, lang) for n, c in enumerate(ranking.candidates, 1)],
                       className="mm-list"))
    return out


def why_not_children(graph, ranking: Ranking | None, wn: WhyNot | None, lang: str, weights: dict[str, float]) -> list:
    """The "Warum nicht X?" answer: a sentence on where X stands, what would
    change its rank, and its factor scores against the listed candidates."""
    if ranking is None or wn is None:
        return [html.P(t("mm.wn.intro", lang), className="muted")]
    name = graph.label(wn.node, lang)
    args = dict(name=name, rank=wn.rank, score=format_decimal(wn.score, lang), top=len(ranking.candidates),
                cutoff=format_decimal(wn.cutoff or 0.0, lang), total=ranking.total)
    head = html.P(t(f"mm.wn.{wn.status}", lang, **args), className="mm-wn-status", **{"data-status": wn.status})
    changes = []
    for f, value in wn.needed.items():
        changes.append(html.Li(t("mm.wn.needed", lang, factor=domain_label("factor", f, lang),
                                 value=format_decimal(value, lang), current=format_decimal(wn.factors[f], lang))))
    for f, value in wn.weights.items():
        changes.append(html.Li(t("mm.wn.weight", lang, factor=domain_label("factor", f, lang),
                                 weight=f"{value:g}", current=f"{weights.get(f, DEFAULT_WEIGHTS[f]):g}")))
    remedy = {"land_filter": "mm.wn.fix_land", "sector_filter": "mm.wn.fix_sector", "no_theme": "mm.wn.fix_theme",
              "no_country": "mm.wn.fix_country", "no_reason": "mm.wn.fix_reason"}.get(wn.status)
    if remedy:
        changes.append(html.Li(t(remedy, lang)))
    parts = [head]
    if wn.status == "below":
        parts.append(html.H4(t("mm.wn.change", lang)))
        parts.append(html.Ul(changes, className="mm-wn-changes") if changes
                     else html.P(t("mm.wn.nothing", lang), className="muted"))
    elif changes:
        parts.append(html.Ul(changes, className="mm-wn-changes"))
    header = [html.Th(t("mm.col.rank", lang)), html.Th(t("mm.col.name", lang)), html.Th(t("mm.score", lang))]
    header += [html.Th(domain_label("factor", f, lang), className="mm-wn-f") for f in FACTORS]

    def row(node: str, rank_text: str, score: float, factors: dict[str, float], cls: str) -> html.Tr:
        return html.Tr([html.Td(rank_text), html.Td(graph.label(node, lang)), html.Td(format_decimal(score, lang))]
                       + [html.Td(format_decimal(factors[f], lang), className="mm-wn-f" + (" mm-wn-zero" if factors[f] == 0 else ""))
                          for f in FACTORS], className=cls, **{"data-node": node})

    rows = [row(wn.node, str(wn.rank) if wn.rank else "–", wn.score, wn.factors, "mm-wn-x")]
    rows += [row(c.node, str(n), c.score, c.factors, "") for n, c in enumerate(ranking.candidates, 1) if c.node != wn.node]
    parts.append(html.Div(html.Table([html.Thead(html.Tr(header)), html.Tbody(rows)], className="mm-wn-table"),
                          className="mm-wn-scroll"))
    if wn.evidence:
        parts.append(html.Ul([html.Li(ev.text(lang)) for ev in wn.evidence], className="mm-evidence"))
    return parts


def shortlist_rows(graph, ranking: Ranking, lang: str) -> list[dict[str, Any]]:
    """The shortlist as table rows (values neutralised against formula injection)."""
    target = ranking.target
    target_label = graph.label(target.node, lang) if target.node else ""
    rows = []
    for n, c in enumerate(ranking.candidates, 1):
        row: dict[str, Any] = {
            t("mm.col.rank", lang): n,
            t("mm.col.id", lang): c.node,
            t("mm.col.name", lang): graph.label(c.node, lang),
            t("mm.col.land", lang): graph.label(c.land, lang) if c.land else "",
            t("mm.col.sector", lang): _sector_label(c.sector, lang) if kind_of(c.node) == NodeKind.INSTITUTION else "",
            t("mm.score", lang): round(c.score, 4),
        }
        for f in FACTORS:
            row[domain_label("factor", f, lang)] = round(c.factors[f], 4)
        row[t("mm.col.explanation", lang)] = c.explanation(lang)
        row[t("mm.col.evidence_ids", lang)] = ", ".join(c.evidence_nodes)
        row[t("mm.col.target", lang)] = f"{target_label} ({target.node})"
        rows.append({k: neutralise(v) for k, v in row.items()})
    return rows


def shortlist_csv(rows: list[dict[str, Any]], decimal: str = ",") -> bytes:
    """UTF-8 CSV with BOM (opens correctly in Excel), ``;``-separated as German
    Excel expects, numbers with a decimal comma (``decimal=","``, so German
    Excel reads the scores as numbers, not text).

    >>> shortlist_csv([{"Rang": 1, "Punktzahl": 0.7273}]).decode("utf-8-sig").splitlines()
    ['Rang;Punktzahl', '1;0,7273']
    """
    buf = io.StringIO()
    if rows:
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (f"{v:.4f}".replace(".", decimal) if isinstance(v, float) else v)
                             for k, v in row.items()})
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def shortlist_xlsx(rows: list[dict[str, Any]], sheet: str = "Shortlist") -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if rows:
        header = list(rows[0])
        ws.append(header)
        for row in rows:
            ws.append([row[h] for h in header])
        ws.freeze_panes = "A2"
        for col, h in zip(ws.columns, header):
            width = max(len(str(h)), *(len(str(c.value or "")) for c in col))
            ws.column_dimensions[col[0].column_letter].width = min(80, max(8, width + 2))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def opportunity_section(graph, lang: str, limit: int = 8, ops=None) -> html.Div:
    ops = opportunities(graph) if ops is None else ops
    blocks = []
    for kind in OPPORTUNITY_KINDS:
        items = [o for o in ops if o.kind == kind]
        lis = [html.Li(html.A(o.text(lang), href=evidence_href(o.nodes[0], o.nodes[1:], lang)))
               for o in items[:limit]]
        if len(items) > limit:
            lis.append(html.Li(t("mm.opp.more", lang, n=len(items) - limit), className="muted"))
        blocks.append(html.Div([
            html.H3(f"{t(f'mm.opp.{kind}', lang)} ({len(items)})"),
            html.Ul(lis, className="mm-opp-list") if lis else html.P(t("mm.opp.none", lang), className="muted"),
        ], className="card mm-opp", **{"data-kind": kind}))
    return html.Div(blocks, className="mm-opps", id=ID.OPPORTUNITIES)


# --------------------------------------------------------------------------- layout
def _default_target(graph) -> str | None:
    projects = sorted(graph.nodes(NodeKind.PROJECT),
                      key=lambda p: -len(graph.in_edges(p, "participates_in")))
    return projects[0] if projects else None


def _weight_slider(f: str, lang: str, value: float) -> html.Div:
    return html.Div([
        html.Label([domain_label("factor", f, lang), ": ",
                    html.Span(f"{value:g}", id=ID.weight_value(f), className="mm-weight-value")],
                   htmlFor=ID.weight(f), className="mm-weight-label"),
        dcc.Slider(id=ID.weight(f), min=0, max=5, step=0.5, value=value,
                   marks={0: "0", 1: "1", 2: "2", 3: "3", 4: "4", 5: "5"}, updatemode="mouseup",
                   tooltip={"placement": "bottom", "always_visible": False}),
    ], className="mm-weight", id=ID.weight_box(f))


def _institution_choices(graph, lang: str) -> list[tuple[str, str, str]]:
    """(id, label, folded label) of every institution (the "Warum nicht?" picker)."""
    ids = sorted(graph.nodes(NodeKind.INSTITUTION), key=lambda n: (fold(graph.label(n, lang)), n))
    return [(nid, graph.label(nid, lang), fold(graph.label(nid, lang) + " " + nid)) for nid in ids]


def whynot_options(graph, lang: str, what: str, query: str | None = None, keep: str | None = None) -> list[dict[str, str]]:
    """Options of the "Warum nicht?" picker: institutions (or Länder in Länder mode), searched on the server."""
    if what == "land":
        return [{"label": graph.label(f"land:{land.code}", lang), "value": f"land:{land.code}"} for land in LAENDER]
    ctx = current()
    entries = ctx.cached(f"matchmaking.institutions.{lang}", lambda: _institution_choices(graph, lang))
    hits = [e for e in entries if fold(query) in e[2]][:SEARCH_LIMIT] if query else entries[:INITIAL_OPTIONS]
    options = [{"label": lbl, "value": nid} for nid, lbl, _ in hits]
    if keep and keep in graph and kind_of(keep) == NodeKind.INSTITUTION and all(o["value"] != keep for o in options):
        options.insert(0, {"label": graph.label(keep, lang), "value": keep})
    return options


def warm_up() -> None:
    """Build the match index, the target options and the opportunities at
    start-up (with ``serve --workers`` before the fork, so the workers share
    them instead of each building its own copy)."""
    ctx = current()
    graph = ctx.graph
    for lang in ("de", "en"):
        ctx.cached(f"matchmaking.options.{lang}", lambda: _searchable(graph, lang))
        _themes(lang)
    ctx.cached("matchmaking.index", lambda: match_index(graph))
    ctx.cached("matchmaking.default", lambda: _default_target(graph))
    ctx.cached("matchmaking.opportunities", lambda: opportunities(graph))


def _themes(lang: str) -> list[str]:
    """Theme ids sorted by name (found once per dataset: a scan of every node)."""
    ctx = current()
    graph = ctx.graph
    return ctx.cached(f"matchmaking.themes.{lang}",
                      lambda: sorted(graph.nodes(NodeKind.THEME), key=lambda x: fold(graph.label(x, lang))))


def layout(lang: str = "de", **query: str):
    lang = normalise_lang(lang)
    ctx = current()
    graph = ctx.graph
    state = parse_matchmaking(query, FACTORS)
    entries = ctx.cached(f"matchmaking.options.{lang}", lambda: _searchable(graph, lang))
    ctx.cached("matchmaking.index", lambda: match_index(graph))
    target = state["target"]
    value = target if target and target in graph and kind_of(target) in (NodeKind.PROJECT, NodeKind.COUNTRY,
                                                                        NodeKind.INSTITUTION) \
        else ctx.cached("matchmaking.default", lambda: _default_target(graph))
    themes = _themes(lang)
    chosen_themes = [x for x in state["themes"] if x in set(themes)]
    what = state["mode"]
    whynot = state["whynot"] if state["whynot"] in graph else None
    weights = {f: state["w"].get(f, DEFAULT_WEIGHTS[f]) for f in FACTORS}
    controls = html.Div([
        html.Div([
            html.Label(t("mm.target", lang), htmlFor=ID.TARGET),
            dcc.Dropdown(id=ID.TARGET, options=target_options(graph, lang, keep=value, entries=entries), value=value,
                         placeholder=t("mm.target_placeholder", lang), clearable=False, searchable=True),
        ], className="mm-control mm-target"),
        html.Div([
            html.Label(t("mm.themes", lang), htmlFor=ID.THEMES),
            dcc.Dropdown(id=ID.THEMES, options=[{"label": graph.label(x, lang), "value": x} for x in themes],
                         value=chosen_themes, multi=True),
        ], className="mm-control", id=ID.THEMES_ROW),
    ], className="mm-controls mm-controls-target card")
    filters = html.Div([
        html.Div([
            html.Label(t("mm.what", lang)),
            dcc.RadioItems(id=ID.WHAT, options=[{"label": t("mm.what_inst", lang), "value": "institution"},
                                               {"label": t("mm.what_land", lang), "value": "land"}],
                           value=what, inline=True, className="mm-radio"),
        ], className="mm-control"),
        html.Div([
            html.Label(t("mm.filter_land", lang), htmlFor=ID.LAENDER),
            dcc.Dropdown(id=ID.LAENDER, options=[{"label": graph.label(f"land:{land.code}", lang), "value": land.code}
                                                 for land in LAENDER],
                         value=[c for c in state["land"] if c in {land.code for land in LAENDER}], multi=True),
        ], className="mm-control"),
        html.Div([
            html.Label(t("mm.filter_sector", lang), htmlFor=ID.SECTORS),
            dcc.Dropdown(id=ID.SECTORS, options=[{"label": domain_label("sector", s, lang), "value": s} for s in SECTORS],
                         value=[x for x in state["sector"] if x in SECTORS], multi=True),
        ], className="mm-control"),
        html.Div([
            html.Label(t("mm.top", lang), htmlFor=ID.TOP),
            dcc.Dropdown(id=ID.TOP, options=[{"label": str(n), "value": n} for n in TOP_CHOICES], value=state["top"],
                         clearable=False, searchable=False),
        ], className="mm-control mm-small"),
        html.Div([
            dcc.Checklist(id=ID.REQUIRE, options=[{"label": t("mm.require_theme", lang), "value": "theme"},
                                                  {"label": t("mm.require_country", lang), "value": "country"}],
                          value=state["require"], className="mm-require"),
            dcc.Checklist(id=ID.DIVERSITY, options=[{"label": t("mm.diversity", lang), "value": "on"}],
                          value=["on"] if state["diversity"] else []),
        ], className="mm-control mm-check"),
    ], className="mm-controls card")
    weight_box = html.Div([
        html.Div([html.H2(t("mm.weights", lang)),
                  html.Button(t("mm.reset", lang), id=ID.RESET, className="button secondary mm-reset")],
                 className="mm-weights-head"),
        html.Div([_weight_slider(f, lang, weights[f]) for f in FACTORS], className="mm-weight-grid"),
    ], className="card mm-weights")
    export = html.Div([
        html.Span(t("mm.export", lang) + ":", className="mm-export-label"),
        html.Button(t("mm.csv", lang), id=ID.BTN_CSV, className="button"),
        html.Button(t("mm.xlsx", lang), id=ID.BTN_XLSX, className="button"),
        downloads.target(ID.DOWNLOAD),
    ], className="button-row mm-export")
    why = html.Div([
        html.H2(t("mm.wn.title", lang)),
        html.Div([
            html.Label(t("mm.wn.pick", lang), htmlFor=ID.WHYNOT),
            dcc.Dropdown(id=ID.WHYNOT, options=whynot_options(graph, lang, what, keep=whynot), value=whynot,
                         placeholder=t("mm.wn.placeholder", lang), searchable=True),
        ], className="mm-control"),
        dcc.Loading(html.Div(id=ID.WHYNOT_PANEL, className="mm-wn"), type="dot", delay_show=300),
    ], className="card mm-whynot")
    save = html.Div([
        html.Label(t("mm.save_label", lang), htmlFor=ID.SAVE_NAME, className="mm-export-label"),
        dcc.Input(id=ID.SAVE_NAME, type="text", maxLength=200, className="input mm-save-name",
                  placeholder=t("mm.save_placeholder", lang)),
        html.Button(t("mm.save", lang), id=ID.SAVE_BTN, className="button secondary"),
        html.Span(id=ID.SAVE_MSG, role="status", className="mm-save-msg"),
    ], className="button-row mm-save")
    return html.Div([
        page_header(TITLE_KEY, lang, t("mm.intro", lang)),
        saved_views.save_control(ID.VIEWS, lang),
        dcc.Store(id=ID.URL_STATE),
        controls,
        # mode, filters, options and weights fold away on narrow screens (keys.js: details.fold-narrow)
        html.Details([html.Summary(t("mm.filters", lang)), filters, weight_box], open=True,
                     className="fold-narrow fold-plain mm-fold", id=ID.FOLD),
        html.Div([html.H2(t("mm.results", lang)), html.Span(id=ID.SUMMARY, className="muted mm-summary"), export],
                 className="mm-results-head"),
        save,
        dcc.Loading(html.Div(id=ID.RESULTS, className="mm-results"), type="dot", delay_show=300),
        why,
        html.H2(t("mm.opps", lang)),
        opportunity_section(graph, lang, ops=ctx.cached("matchmaking.opportunities", lambda: opportunities(graph))),
    ], className="mm-page")


# --------------------------------------------------------------------------- callbacks
#: The ranking's controls: field -> component id (the weights per factor apart, see :meth:`ID.weight`).
RANKING_CONTROLS = {"target": ID.TARGET, "themes": ID.THEMES, "what": ID.WHAT, "laender": ID.LAENDER,
                    "sectors": ID.SECTORS, "top": ID.TOP, "diversity": ID.DIVERSITY, "require": ID.REQUIRE}


def _ranking_args(dependency: type = dash.Input) -> dict[str, dict[str, Any]]:
    """The ranking controls and factor weights as grouped callback arguments."""
    return {"controls": {name: dependency(cid, "value") for name, cid in RANKING_CONTROLS.items()},
            "weights": {f: dependency(ID.weight(f), "value") for f in FACTORS}}


def _themes_of(controls: dict[str, Any]) -> list[str]:
    target = controls["target"]
    return list(controls["themes"] or []) if target and kind_of(target) == NodeKind.COUNTRY else []


def _ranking_from(graph, controls: dict[str, Any], weights: dict[str, Any]) -> Ranking | None:
    """The ranking for the controls' values (keyed as :data:`RANKING_CONTROLS`) and the sliders' weights."""
    try:
        return compute_ranking(graph, controls["target"], themes=_themes_of(controls),
                               weights=weights_from(weights[f] for f in FACTORS),
                               what=controls["what"] or "institution", laender=controls["laender"],
                               sectors=controls["sectors"], top=int(controls["top"] or 10),
                               diversity=bool(controls["diversity"]), require=controls["require"] or ())
    except PartnernetzError:
        return None


def page_search(controls: dict[str, Any], weights: dict[str, Any], whynot: str | None, lang: str) -> str:
    """The URL query of the page's controls (see :func:`dashboard.viewstate.parse_matchmaking`)."""
    w = {f: float(v) for f, v in weights_from(weights[f] for f in FACTORS).items() if v != DEFAULT_WEIGHTS[f]}
    return matchmaking_search({
        "target": controls["target"], "mode": controls["what"], "themes": _themes_of(controls),
        "land": list(controls["laender"] or []), "sector": list(controls["sectors"] or []),
        "top": controls["top"], "diversity": bool(controls["diversity"]), "require": list(controls["require"] or []),
        "w": w, "whynot": whynot, "lang": lang}, FACTORS)


def register_callbacks(app: dash.Dash) -> None:
    downloads.register_target(app, ID.DOWNLOAD)
    saved_views.register_callbacks(app, ID.VIEWS, PATH)
    register_url_sync(app, ID.URL_STATE)

    @app.callback(dash.Output(ID.TARGET, "options"), dash.Input(ID.TARGET, "search_value"),
                  dash.State(ID.TARGET, "value"), LANG_STATE, prevent_initial_call=True)
    def _search(query, value, search):
        lang = lang_from_search(search)
        ctx = current()
        entries = ctx.cached(f"matchmaking.options.{lang}", lambda: _searchable(ctx.graph, lang))
        return target_options(ctx.graph, lang, query, keep=value, entries=entries)

    @app.callback(dash.Output(ID.WHYNOT, "options"), dash.Input(ID.WHYNOT, "search_value"),
                  dash.Input(ID.WHAT, "value"), dash.State(ID.WHYNOT, "value"), LANG_STATE,
                  prevent_initial_call=True)
    def _whynot_search(query, what, value, search):
        return whynot_options(current().graph, lang_from_search(search), what or "institution", query, keep=value)

    @app.callback(dash.Output(ID.THEMES_ROW, "className"), dash.Input(ID.TARGET, "value"))
    def _themes_visible(target):
        country = bool(target) and target.startswith("country:")
        return "mm-control" if country else "mm-control mm-disabled"

    @app.callback([dash.Output(ID.weight(f), "value") for f in FACTORS], dash.Input(ID.RESET, "n_clicks"),
                  prevent_initial_call=True)
    def _reset(_n):
        return [DEFAULT_WEIGHTS[f] for f in FACTORS]

    @app.callback([dash.Output(ID.weight_value(f), "children") for f in FACTORS],
                  [dash.Input(ID.weight(f), "value") for f in FACTORS])
    def _weight_values(*values):
        return [f"{w:g}" for w in weights_from(values).values()]

    @app.callback(dash.Output(ID.RESULTS, "children"), dash.Output(ID.SUMMARY, "children"),
                  dash.Output(ID.WHYNOT_PANEL, "children"), dash.Output(ID.URL_STATE, "data"),
                  inputs={**_ranking_args(), "whynot": dash.Input(ID.WHYNOT, "value"), "search": LANG_STATE})
    def _results(controls, weights, whynot, search):
        lang = lang_from_search(search)
        graph = current().graph
        ranking = _ranking_from(graph, controls, weights)
        summary = ""
        top = int(controls["top"] or 10)
        if ranking is not None and ranking.target.node:
            summary = t("mm.summary_one" if len(ranking.candidates) == 1 else "mm.summary", lang,
                        n=len(ranking.candidates), total=ranking.total,
                        target=graph.label(ranking.target.node, lang))
        what = controls["what"] or "institution"
        wn = None
        try:
            wn = compute_why_not(graph, ranking, whynot, what=what, laender=controls["laender"],
                                 sectors=controls["sectors"], top=top, require=controls["require"] or ())
        except PartnernetzError:
            wn = None
        panel = why_not_children(graph, ranking, wn, lang, weights_from(weights[f] for f in FACTORS))
        return (result_children(graph, ranking, lang, top), summary, panel,
                url_payload(PATH, page_search(controls, weights, whynot, lang)))

    @app.callback(*LANG_HREF_OUTPUTS, dash.Input(ID.URL_STATE, "data"), prevent_initial_call="initial_duplicate")
    def _lang_links(payload):
        if not payload or payload.get("path") != PATH:
            raise dash.exceptions.PreventUpdate
        return lang_hrefs(PATH, payload["search"])

    @app.callback(dash.Output(ID.DOWNLOAD, "data"),
                  inputs={"clicks": [dash.Input(ID.BTN_CSV, "n_clicks"), dash.Input(ID.BTN_XLSX, "n_clicks")],
                          **_ranking_args(dash.State), "search": LANG_STATE},
                  prevent_initial_call=True)
    def _download(clicks, controls, weights, search):
        lang = lang_from_search(search)
        graph = current().graph
        ranking = _ranking_from(graph, controls, weights)
        if ranking is None:
            raise dash.exceptions.PreventUpdate
        rows = shortlist_rows(graph, ranking, lang)
        stem = "matchmaking-" + (ranking.target.node or ("target" if lang == "en" else "ziel")).replace(":", "-")
        # candidates and evidence are institutions, Länder and projects; a contact among them would be recorded
        named = contacts_named(graph, [ranking.target.node or "", *(n for c in ranking.candidates
                                                                    for n in (c.node, *c.evidence_nodes))])
        if dash.ctx.triggered_id == ID.BTN_XLSX:
            return downloads.send(StaticPayload(shortlist_xlsx(rows), stem + ".xlsx", "xlsx", "matchmaking shortlist", named))
        csv_bytes = shortlist_csv(rows, decimal="," if lang == "de" else ".")
        return downloads.send(StaticPayload(csv_bytes, stem + ".csv", "csv", "matchmaking shortlist", named))

    @app.callback(dash.Output(ID.SAVE_MSG, "children"),
                  inputs={"clicks": dash.Input(ID.SAVE_BTN, "n_clicks"), "name": dash.State(ID.SAVE_NAME, "value"),
                          **_ranking_args(dash.State), "search": LANG_STATE},
                  prevent_initial_call=True)
    def _save_shortlist(clicks, name, controls, weights, search):
        require_role("editor")
        lang = lang_from_search(search)
        ctx = current()
        if not ctx.settings.workspace:
            return html.Span(t("mm.save_no_workspace", lang), className="error")
        graph = ctx.graph
        ranking = _ranking_from(graph, controls, weights)
        if ranking is None or not ranking.candidates:
            return html.Span(t("mm.save_empty", lang), className="error")
        try:
            sid = save_ranking(ctx.settings.workspace, graph, ranking, name=name or "", owner=current_identity().name,
                               settings={"controls": controls, "weights": weights}, lang=lang)
        except PartnernetzError as exc:
            return html.Span(t("pipe.error", lang, error=str(exc)), className="error")
        return html.Span([t("mm.saved", lang, n=len(ranking.candidates), name=(name or "").strip()), " ",
                          dcc.Link(t("mm.to_pipeline", lang), href=f"/pipeline?lang={lang}")], className="ok")
