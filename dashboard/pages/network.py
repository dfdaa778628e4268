"""Page 'Netzwerk' (start page): the network explorer.

Search with suggestions, filters, a cytoscape view (aggregated overview at
the start and whenever a view would exceed the element cap), a details panel
with neighbours grouped by relation and actions, a path finder, legend,
layouts and exports.

The whole view state lives in the URL (see :mod:`dashboard.viewstate`): the
layout is rebuilt from the query string, every action is either a link to
the next state or a thin callback writing the next state's query string, so
back/forward and copied links just work. Callbacks only parse input, call
``graph``/``dashboard.elements`` and build output.
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any, Mapping

import dash
import dash_cytoscape as cyto
from dash import ALL, MATCH, dcc, html

from dashboard import downloads, editor_panel, ids, saved_views
from dashboard.components import page_header
from dashboard.context import current
from dashboard import white_spots
from dashboard.svg_picture import svg_picture
from dashboard.elements import (apply_metrics, csv_tables, explorer_elements, kinds_in, label_font, legend_entries,
                                merge_duplicates, stylesheet, tooltip_lines, wire_elements)
from dashboard.domain_labels import domain_label
from dashboard.i18n import LANG_STATE, lang_from_search, normalise_lang, t
from dashboard.viewstate import (COLOUR_METRICS, LAYOUTS, SIZE_METRICS, network_href, parse_query, parse_search, to_filter,
                                 to_search, updated, updated_search)
from graph.core.errors import StoreError
from graph.core.kinds import EdgeKind, NodeKind, ProjectStatus, Sector
from graph.core.model import PartnerGraph
from graph.explore import MAX_ELEMENTS, build_indexes, describe_path
from graph.view import ExplorerView, explorer_view
from graph.explore.search import search_index_size
from graph.core.text import fold
from graph.explore import FilterOptions, filter_options
from graph.analysis.node_metrics import node_metrics
from graph.people.dedupe import find_duplicates
from graph.store import GraphStore, MemoryStore
from graph.view import local_graph, view_graph
from graph.people.privacy import PrivacyError, has_consent
from loaders import egress

PATH = "/"
ORDER = 1
TITLE_KEY = "nav.network"

__all__ = ["PATH", "ORDER", "TITLE_KEY", "ID", "layout", "register_callbacks", "details_panel",
           "path_panel", "status_message", "highlight_notice", "compute_view", "view_csv", "view_payload", "image_payload", "decode_image", "picture_elements", "suggestion_list",
           "download_name", "filter_choices", "page_graph", "CONTROLS", "control_changes"]


class ID:
    STATE = "network-state"
    CYTO = "network-cyto"
    VIEW = "network-view"  # the view's elements, on their way to the picture and to cytoscape (assets/preview.js)
    PREVIEW = "network-preview"  # the picture of a large view drawn before cytoscape takes it
    NEIGHBOURS = "network-neighbours"  # the details panel's neighbour lists, filled after the page
    NEIGHBOURS_OF = "network-neighbours-of"  # whose: {"node": id}
    STATUS = "network-status"
    DETAILS = "network-details"
    PATHS = "network-paths"
    LEGEND = "network-legend"
    KINDS = "network-filter-kinds"
    LAND = "network-filter-land"
    COUNTRY = "network-filter-country"
    THEME = "network-filter-theme"
    SECTOR = "network-filter-sector"
    STATUS_FILTER = "network-filter-status"
    YEAR_FROM = "network-filter-from"
    YEAR_TO = "network-filter-to"
    LAYOUT = "network-layout"
    BY = "network-by"
    K = "network-path-k"
    MAXLEN = "network-path-maxlen"
    LOOSE = "network-path-loose"
    PNG = "network-export-png"
    SVG = "network-export-svg"
    CSV_NODES = "network-export-nodes"
    CSV_EDGES = "network-export-edges"
    DOWNLOAD = "network-download"
    IMAGE = "network-export-image"  # the picture the browser drew, on its way to the server's gate
    EXPORT_NOTICE = "network-export-notice"
    EXPORT_REFUSED = "network-export-refused"
    RESET = "network-reset"
    LOD_NOTICE = "network-lod-notice"
    HIGHLIGHT_NOTICE = "network-highlight-notice"
    HIGHLIGHT_CLEAR = "network-highlight-clear"
    ACT_EXPAND = "network-act-expand"
    ACT_COLLAPSE = "network-act-collapse"
    ACT_FOCUS1 = "network-act-focus1"
    ACT_FOCUS2 = "network-act-focus2"
    ACT_PATH = "network-act-path"
    ACT_PATH_TO = "network-act-path-to"
    PATH_NONE = "network-path-none"
    SPOT_PANEL = "network-spot-panel"
    URL_NOTICE = "network-url-notice"
    TOOLTIP = "network-tooltip"
    TOOLTIP_SINK = "network-tooltip-sink"
    TOOLTIP_DATA = "network-tooltip-data"
    SIZE = "network-size"
    COLOUR = "network-colour"
    METRIC_NOTE = "network-metric-note"
    MERGED_NOTE = "network-merged-note"
    # pattern-matching ids (role: "search", "from", "to")
    QUERY = "network-query"
    SUGGESTIONS = "network-suggestions"
    EDIT = editor_panel.ID  # the editing block under the details
    VIEWS = saved_views.ids("network")  # the start page's saved views

    @staticmethod
    def query_label_for(role: str) -> str:
        """What the label of the picker ``role`` names (``network-query-<role>``)."""
        return f"{ID.QUERY}-{role}"


def query_id(role: str) -> dict[str, str]:
    return {"type": ID.QUERY, "role": role}


def suggestions_id(role: str) -> dict[str, str]:
    return {"type": ID.SUGGESTIONS, "role": role}


#: Attributes shown in the details panel, in this order. E-mail and consent
#: are personal data and stay on the Kontakte page.
DETAIL_ATTRS = ("sector", "sector_detail", "land", "country", "city", "region", "start", "end", "phase", "status",
                "event_kind", "date", "end_date", "role", "languages", "website", "iati_identifier",
                "iati_identifier_unverified", "description")


# --------------------------------------------------------------------- view
def compute_view(store: GraphStore | PartnerGraph, state: dict[str, Any]) -> ExplorerView:
    """The explorer view of ``state``, composed of ``store``'s answers (thin:
    all logic is in :func:`graph.view.explorer_view`; a graph is asked
    through a ``MemoryStore``)."""
    if len(state["path"]) >= 2:
        # a path replaces the view: only the connections are drawn, not on top of an unrelated picture
        return explorer_view(store, path=state["path"], k=state["k"], max_length=state["maxlen"],
                             strict_paths=not state["loose"], by=state["by"], max_elements=MAX_ELEMENTS)
    return explorer_view(
        store, focus=state["focus"], radius=state["radius"], expand=state["expand"], collapse=state["collapse"],
        highlight=state["highlight"], path=state["path"], flt=to_filter(state), k=state["k"],
        max_length=state["maxlen"], strict_paths=not state["loose"], by=state["by"], max_elements=MAX_ELEMENTS)


def _href(state: dict[str, Any], **changes: Any) -> str:
    return "/" + updated_search(state, **changes)


def status_message(view: ExplorerView, lang: str) -> list:
    """What the user is looking at, in words (the level-of-detail notice)."""
    parts: list = []
    if view.overview is not None:
        ov = view.overview
        if view.reason == "too_large":
            by = t(f"network.by.{ov.by}", lang)
            parts.append(html.Div(t("network.status_too_large", lang, total=f"{view.total:,}".replace(",", "."),
                                    max=f"{MAX_ELEMENTS:,}".replace(",", "."), projects=ov.projects, by=by),
                                  className="notice warn", id=ID.LOD_NOTICE))
        else:
            key = "network.status_start" if ov.by == "country" else "network.status_start_theme"
            parts.append(html.Div(t(key, lang), className="notice"))
    else:
        sub = view.subgraph
        parts.append(html.Span(t("network.status_view", lang, nodes=len(sub.nodes), edges=len(sub.edges)),
                               className="muted"))
        if sub.truncated:
            parts.append(html.Div(t("network.status_cut", lang, shown=sub.size, total=sub.total, max=MAX_ELEMENTS),
                                  className="notice warn", id=ID.LOD_NOTICE))
    if view.unknown:
        parts.append(html.Div(t("network.status_unknown", lang, ids=", ".join(view.unknown)), className="notice warn"))
    return parts


#: Highlighted nodes named in the notice; the rest are counted.
HIGHLIGHT_NAMES = 5
#: cytoscape's layout of every view: the server placed the nodes; fitted with 30 px around them.
VIEW_LAYOUT = {"name": "preset", "fit": True, "padding": 30, "animate": False}
MIN_ZOOM, MAX_ZOOM = 0.1, 2


def highlight_notice(g: PartnerGraph, state: dict[str, Any], lang: str) -> html.Div | None:
    """Why nodes are ringed: links from matchmaking or analytics arrive with
    ``highlight=``. Names the first highlighted nodes and offers a link to
    the same view without the highlight (``None`` without highlight).

    >>> from dashboard.viewstate import parse_query
    >>> g = PartnerGraph()
    >>> _ = g.add_node("theme", "water", label="Wasser", label_en="Water", illustrative=True)
    >>> highlight_notice(g, parse_query({"highlight": "theme:water"}), "en").children[0].children
    'Highlighted from the link (1): Water'
    """
    ids = [h for h in state["highlight"] if h in g]
    if not ids:
        return None
    def short(nid: str) -> str:  # projects by their id (titles are long), other names shortened
        text = nid.split(":", 1)[1] if nid.startswith("project:") else g.label(nid, lang)
        return text if len(text) <= 80 else text[:79].rstrip() + "…"

    names = ", ".join(short(h) for h in ids[:HIGHLIGHT_NAMES]) + (" …" if len(ids) > HIGHLIGHT_NAMES else "")
    return html.Div([
        html.Span(t("network.highlighted", lang, n=len(ids), names=names)),
        dcc.Link(t("network.highlight_clear", lang), href=_href(state, highlight=[]), id=ID.HIGHLIGHT_CLEAR,
                 className="button small secondary"),
    ], className="notice highlight-notice", id=ID.HIGHLIGHT_NOTICE)


def _attr_value(g: PartnerGraph, name: str, value: Any, lang: str) -> Any:
    if name == "sector":
        return domain_label("sector", value, lang)
    if name == "status":
        return domain_label("status", value, lang)
    if name == "land" and f"land:{value}" in g:
        return g.label(f"land:{value}", lang)
    if name == "country" and f"country:{value}" in g:
        return g.label(f"country:{value}", lang)
    if name == "website":
        return _link(str(value))
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _link(url: str) -> Any:
    """A link only for http(s) URLs; anything else is shown as text."""
    url = url.strip()
    if url.lower().startswith(("http://", "https://")):
        return html.A(url, href=url, target="_blank", rel="noopener noreferrer", className="source-link")
    return html.Span(url)


#: Neighbours listed per relation in the details panel: a hub has thousands
#: (a country ~10,000 projects: 4 MB of links per response). Each listed one
#: costs ~350 bytes, so 20 keep the page around a 1,500-element view small;
#: the rest are a click away (focus or expand the node, or search).
NEIGHBOURS_SHOWN = 20
#: Up to this many neighbours a node's lists are part of the page; a busier
#: node's (a hub's thousands, ranked) arrive in a second answer.
INLINE_NEIGHBOURS = 40


def details_panel(g: PartnerGraph, nid: str | None, state: dict[str, Any], lang: str, *,
                  store: GraphStore | None = None, neighbours: bool = True) -> html.Div:
    """Attributes, source links, actions and neighbours of ``nid``.

    ``neighbours=False``: the neighbour lists come in a second answer (the
    page's: :func:`neighbour_lists` fills :data:`ID.NEIGHBOURS`), so the page
    with its picture arrives first; a hub's lists cost more than the rest of
    the page on the server and ~100 components in the browser."""
    if not nid or nid not in g:
        return html.Div([html.H2(t("network.details", lang)), html.P(t("network.details_empty", lang), className="muted")])
    attrs = g.node(nid)
    kind = attrs["kind"]
    rows = [html.Tr([html.Th(t("attr.kind", lang)), html.Td(domain_label("kind", kind, lang))])]
    for name in DETAIL_ATTRS:
        if attrs.get(name) not in (None, "", []):
            rows.append(html.Tr([html.Th(t(f"attr.{name}", lang)), html.Td(_attr_value(g, name, attrs[name], lang))]))
    rows.append(html.Tr([html.Th(t("attr.id", lang)), html.Td(html.Code(nid))]))
    sources = [s for s in str(attrs.get("source") or "").split(" ; ") if s.strip()]
    source_block = html.Div([
        html.Strong(t("network.source", lang) + ": "),
        html.Ul([html.Li(_link(s)) for s in sources], className="source-list") if sources else None,
        html.Span(t("network.illustrative", lang), className="tag") if attrs.get("illustrative") else None,
    ], className="details-source")

    expanded = nid in state["expand"]
    path_from = state["path"][0] if state["path"] else None
    actions = [
        dcc.Link(t("network.expand", lang), id=ID.ACT_EXPAND, className="button small",
                 href=_href(state, selected=nid, expand=state["expand"] + [nid],
                            collapse=[c for c in state["collapse"] if c != nid])),
        dcc.Link(t("network.collapse", lang), id=ID.ACT_COLLAPSE, className="button small secondary",
                 href=_href(state, selected=nid, expand=[e for e in state["expand"] if e != nid],
                            collapse=state["collapse"] if expanded else state["collapse"] + [nid])),
        dcc.Link(t("network.focus1", lang), id=ID.ACT_FOCUS1, className="button small",
                 href=_href(state, selected=nid, focus=nid, radius=1, expand=[], collapse=[])),
        dcc.Link(t("network.focus2", lang), id=ID.ACT_FOCUS2, className="button small",
                 href=_href(state, selected=nid, focus=nid, radius=2, expand=[], collapse=[])),
        dcc.Link(t("network.path_from_here", lang), id=ID.ACT_PATH, className="button small secondary",
                 href=_href(state, selected=nid, path=[nid])),
    ]
    if path_from and path_from != nid:
        actions.append(dcc.Link(t("network.path_to_here", lang), id=ID.ACT_PATH_TO, className="button small secondary",
                                href=_href(state, selected=nid, path=[path_from, nid])))

    if neighbours:
        lists: Any = neighbour_lists(store or MemoryStore(g), nid, state, lang)
    else:
        lists = [dcc.Store(id=ID.NEIGHBOURS_OF, data={"node": nid}),
                 html.P(t("network.neighbours_loading", lang), className="muted")]
    return html.Div([
        html.H2(g.label(nid, lang), className="details-title"),
        html.Table(html.Tbody(rows), className="details-attrs"),
        source_block,
        html.Div(actions, className="action-row"),
        html.H3(t("network.neighbours", lang)),
        html.Div(lists, id=ID.NEIGHBOURS, className="nb-groups"),
    ])


def _few_neighbours(store: GraphStore, nid: str | None) -> bool:
    """Whether ``nid``'s neighbour lists go into the page itself: a node with
    at most :data:`INLINE_NEIGHBOURS` neighbours (most institutions and
    projects) costs nothing to list, and one answer is one round trip less
    for a busy server; a busier one's lists come in a second answer, after
    the page and its picture."""
    return nid is None or store.neighbour_count(nid) <= INLINE_NEIGHBOURS


def neighbour_lists(store: GraphStore, nid: str, state: dict[str, Any], lang: str) -> list[Any]:
    """The neighbours of ``nid`` per relation: the first :data:`NEIGHBOURS_SHOWN`
    of each by name, with how many there are."""
    groups = store.neighbour_groups(nid, lang=lang, limit=NEIGHBOURS_SHOWN)
    nb_blocks = []
    for key, (total, first) in groups.items():
        edge_kind, _, direction = key.partition(":")
        entries = []
        for n in first:
            extra = n.edge.get("role") or n.edge.get("contribution") or n.edge.get("type")
            entries.append(html.Li([
                dcc.Link(n.label, href=_href(state, selected=n.node_id), className="nb-link",
                         title=domain_label("kind", n.kind, lang)),
                html.Span(f" · {extra}", className="muted") if extra else None,
                html.Span([" ", html.Span(t("network.inferred", lang), className="tag", title=t("network.inferred_hint", lang))],
                          className="inferred") if n.edge.get("inferred") else None,
            ]))
        more = total - len(entries)
        nb_blocks.append(html.Details([
            html.Summary(f"{t(f'rel.{edge_kind}.{direction}', lang)} ({total})"),
            html.Ul(entries, className="nb-list"),
            html.P(t("network.neighbours_more", lang, n=f"{more:,}".replace(",", "." if lang == "de" else ",")),
                   className="muted nb-more") if more > 0 else None,
        ], open=total <= 12, className="nb-group", **{"data-relation": key}))
    return nb_blocks or [html.P(t("network.no_neighbours", lang), className="muted")]


def _picker(role: str, label: str, placeholder: str, current_label: str | None, clear_href: str | None, lang: str) -> html.Div:
    chosen = None
    if current_label:
        chosen = html.Div([html.Span(current_label, className="picked"),
                           dcc.Link("×", href=clear_href, className="clear", title=t("network.clear", lang))
                           if clear_href else None], className="picked-row")
    return html.Div([
        html.Label(label, htmlFor=ID.query_label_for(role), className="field-label"),
        chosen,
        dcc.Input(id=query_id(role), type="search", placeholder=placeholder, debounce=False, autoComplete="off",
                  className="search-input", value=""),
        html.Div(id=suggestions_id(role), className="suggestions"),
    ], className=f"picker picker-{role}")


def path_panel(g: PartnerGraph, view: ExplorerView, state: dict[str, Any], lang: str) -> html.Div:
    """The path finder: endpoints, options and the paths found, step by step."""
    path = [p for p in state["path"] if p in g]
    src = path[0] if path else None
    dst = path[1] if len(path) > 1 else None
    pickers = html.Div([
        _picker("from", t("network.path_from", lang), t("network.path_pick", lang),
                g.label(src, lang) if src else None, _href(state, path=[]) if src else None, lang),
        _picker("to", t("network.path_to", lang), t("network.path_pick", lang),
                g.label(dst, lang) if dst else None, _href(state, path=[src] if src else []) if dst else None, lang),
    ], className="pickers")
    options = html.Div([
        html.Label([t("network.path_k", lang),
                    dcc.Dropdown(id=ID.K, options=[{"label": str(i), "value": i} for i in range(1, 6)],
                                 value=state["k"], clearable=False, searchable=False, className="small-select")]),
        html.Label([t("network.path_maxlen", lang),
                    dcc.Dropdown(id=ID.MAXLEN, options=[{"label": str(i), "value": i} for i in range(2, 11)],
                                 value=state["maxlen"], clearable=False, searchable=False, className="small-select")]),
        dcc.Checklist(id=ID.LOOSE, options=[{"label": t("network.path_loose", lang), "value": "loose"}],
                      value=["loose"] if state["loose"] else [], className="checklist"),
    ], className="path-options")
    results: list = []
    if src and dst:
        if not view.paths:
            results.append(html.P(t("network.path_none", lang, n=state["maxlen"]), className="muted", id=ID.PATH_NONE))
        for i, p in enumerate(view.paths, start=1):
            steps = describe_path(g, p, lang=lang)
            items = []
            for step in steps:
                kind_label = domain_label("kind", step.kind, lang)
                if step.relation is None:
                    items.append(html.Li([html.Strong(step.label), html.Span(f" ({kind_label})", className="muted")]))
                else:
                    verb = t(f"verb.{step.relation}.{'out' if step.forward else 'in'}", lang)
                    items.append(html.Li([html.Span(f"{verb} → ", className="verb"), html.Strong(step.label),
                                          html.Span(f" ({kind_label})", className="muted")]))
            results.append(html.Div([html.H4(t("network.path_title", lang, i=i, n=len(p) - 1)),
                                     html.Ol(items, className="path-steps")], className="path-result"))
        results.append(dcc.Link(t("network.path_clear", lang), href=_href(state, path=[]), className="button small secondary"))
    elif not src:
        results.append(html.P(t("network.path_hint", lang), className="muted"))
    return html.Div([html.H2(t("network.paths", lang)), pickers, options, html.Div(results, id=ID.PATHS)],
                    className="panel path-panel")


def _legend(kinds_present: set[str], lang: str) -> html.Div:
    entries = legend_entries(kinds_present or None)

    def row(group: str, key: str, shape: str, colour: str) -> html.Li:
        return html.Li([html.Span(className=f"swatch shape-{shape}", style={"backgroundColor": colour}),
                        html.Span(domain_label(group, key.partition(".")[2], lang))])

    blocks = [html.H3(t("network.legend", lang)), html.Ul([row("kind", *e) for e in entries["kinds"]], className="legend")]
    if entries["sectors"]:
        blocks += [html.H4(t("network.legend_sectors", lang)),
                   html.Ul([row("sector", *e) for e in entries["sectors"]], className="legend")]
    blocks += [html.H4(t("network.legend_marks", lang)), html.Ul([
        html.Li([html.Span(className="swatch ring ring-focus"), html.Span(t("network.legend_focus", lang))]),
        html.Li([html.Span(className="swatch ring ring-chosen"), html.Span(t("network.legend_chosen", lang))]),
        html.Li([html.Span(className="swatch ring ring-highlight"), html.Span(t("network.legend_highlight", lang))]),
        html.Li([html.Span(className="swatch line-dashed"), html.Span(t("network.legend_partnership", lang))]),
    ], className="legend")]
    return html.Div(blocks, id=ID.LEGEND, className="panel legend-panel")


def _options(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"label": label, "value": value} for value, label in pairs]


def filter_choices(options: FilterOptions | PartnerGraph, lang: str) -> dict[str, list[tuple[str, str]]]:
    """``(value, label)`` choices of the filters, from the store's
    :class:`~graph.store.FilterOptions` (a graph is read with
    :func:`graph.explore.filter_options`): Länder, countries and themes sorted
    by label; sectors and statuses present in the data, in their fixed order.

    >>> from graph.core.model import PartnerGraph
    >>> filter_choices(PartnerGraph(), "en")["lands"][:2]
    [('DE-BW', 'Baden-Württemberg'), ('DE-BY', 'Bavaria')]
    """
    if isinstance(options, PartnerGraph):
        options = filter_options(options)

    def named(rows: tuple[tuple[str, str, str | None], ...]) -> list[tuple[str, str]]:
        pairs = [(nid.split(":", 1)[1], (label_en if lang == "en" and label_en else label)) for nid, label, label_en in rows]
        return sorted(pairs, key=lambda p: fold(p[1]))

    return {"lands": named(options.lands), "countries": named(options.countries), "themes": named(options.themes),
            "sectors": [(s.value, domain_label("sector", s.value, lang)) for s in Sector if s.value in options.sectors],
            "statuses": [(s.value, domain_label("status", s.value, lang)) for s in ProjectStatus if s.value in options.statuses]}


def _with_chosen(pairs: list[tuple[str, str]], chosen: list[str], label: Any = str) -> list[tuple[str, str]]:
    """``pairs`` plus the values of the view state not among them (a link
    may name a value the data do not hold (yet); it stays visible)."""
    known = {v for v, _ in pairs}
    return pairs + [(v, label(v)) for v in chosen if v not in known]


def _filters(store: GraphStore | PartnerGraph, state: dict[str, Any], lang: str) -> html.Div:
    any_ = t("network.any", lang)
    options = (MemoryStore(store) if isinstance(store, PartnerGraph) else store).filter_options()
    choices = filter_choices(options, lang)
    countries, themes, lands = choices["countries"], choices["themes"], choices["lands"]
    sectors = _with_chosen(choices["sectors"], state["sector"], lambda v: domain_label("sector", v, lang))
    statuses = _with_chosen(choices["statuses"], state["status"], lambda v: domain_label("status", v, lang))
    first, last = options.years or (None, None)

    def multi(id_: str, label_key: str, options: list[dict[str, str]], value: list[str]) -> html.Div:
        return html.Div([html.Label(t(label_key, lang), htmlFor=id_, className="field-label"),
                         dcc.Dropdown(id=id_, options=options, value=value, multi=True, placeholder=any_)],
                        className="field")

    return html.Div([
        multi(ID.KINDS, "network.kinds", _options([(k.value, domain_label("kind", k.value, lang)) for k in NodeKind]), state["kinds"]),
        multi(ID.LAND, "network.land", _options(_with_chosen(lands, state["land"])), state["land"]),
        multi(ID.COUNTRY, "network.country", _options(_with_chosen(countries, state["country"])), state["country"]),
        multi(ID.THEME, "network.theme", _options(_with_chosen(themes, state["theme"])), state["theme"]),
        multi(ID.SECTOR, "network.sector", _options(sectors), state["sector"]),
        multi(ID.STATUS_FILTER, "network.status", _options(statuses), state["status"]),
        html.Div([
            html.Span(t("network.years", lang), className="field-label"),
            html.Div([
                dcc.Input(id=ID.YEAR_FROM, type="number", min=1990, max=2040, step=1, value=state["from"],
                          placeholder=str(first) if first else t("network.from", lang), debounce=True,
                          className="year-input"),
                html.Span("–"),
                dcc.Input(id=ID.YEAR_TO, type="number", min=1990, max=2040, step=1, value=state["to"],
                          placeholder=str(last) if last else t("network.to", lang), debounce=True,
                          className="year-input"),
            ], className="year-row"),
        ], className="field"),
        dcc.Link(t("network.reset", lang), href=network_href(lang), id=ID.RESET, className="button small secondary"),
    ], className="panel filter-panel")


def page_graph(store: GraphStore, state: dict[str, Any], view: ExplorerView) -> PartnerGraph:
    """A small graph of what the panels around the picture name, all asked
    of ``store``: the selected, focused, highlighted and path nodes, the Land
    and country a shown node refers to, and the edges joining consecutive
    path steps (with their kinds). Never a whole-graph copy."""
    ids = [state["selected"], state["focus"], *state["highlight"], *state["path"][:2],
           *(n for p in view.paths for n in p)]
    pairs = {(a, b) for p in view.paths for a, b in zip(p, p[1:])}
    g = local_graph(store, [n for n in dict.fromkeys(ids) if n], pairs=sorted(pairs))
    refs = []
    for nid in (state["selected"], state["focus"]):
        if nid in g:
            attrs = g.nx.nodes[nid]
            refs += [f"land:{attrs['land']}"] if attrs.get("land") else []
            refs += [f"country:{attrs['country']}"] if attrs.get("country") else []
    for nid, attrs in store.node_attrs([r for r in refs if r not in g]).items():
        g.put_node(nid, **attrs)
    return g


#: Filter fields of the URL whose values must name something in the data.
_CHECKED_FIELDS = ("land", "country", "theme", "kinds", "sector", "status")


def drop_unknown_values(store: GraphStore | PartnerGraph, query: dict[str, Any],
                        state: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``state`` without filter values the data do not know, and those values
    as ``field=value`` for a notice (``?land=XX`` no longer gives a silent,
    empty view). Kinds, sectors and statuses the URL parser dropped are named too.

    >>> g = PartnerGraph()
    >>> state = parse_query({"land": "XX,DE-HE", "sector": "bogus"})
    >>> new, unknown = drop_unknown_values(g, {"land": "XX,DE-HE", "sector": "bogus"}, state)
    >>> new["land"], unknown
    (['DE-HE'], ['land=XX', 'sector=bogus'])
    """
    options = (MemoryStore(store) if isinstance(store, PartnerGraph) else store).filter_options()
    known = {"land": {nid.split(":", 1)[1] for nid, *_ in options.lands},
             "country": {nid.split(":", 1)[1] for nid, *_ in options.countries},
             "theme": {nid.split(":", 1)[1] for nid, *_ in options.themes}}
    unknown: list[str] = []
    changes: dict[str, list[str]] = {}
    for field in _CHECKED_FIELDS:
        raw = [v.strip() for item in (query.get(field) if isinstance(query.get(field), (list, tuple)) else [query.get(field)])
               if item for v in str(item).split(",") if v.strip()]
        kept = [v for v in state[field] if field not in known or v in known[field]]
        unknown += [f"{field}={v}" for v in dict.fromkeys(raw) if v not in kept]
        if kept != state[field]:
            changes[field] = kept
    return (updated(state, **changes) if changes else state), unknown[:12]


def _local_graph() -> PartnerGraph | None:
    """The in-memory graph the explorer answers from (embedded mode); None in
    query mode, where the explorer never touches a whole graph."""
    store = current().store
    return store.graph if isinstance(store, MemoryStore) else None


def _metrics():
    """Per-node metrics of the whole graph, once per dataset (None in query mode)."""
    graph = _local_graph()
    if graph is None:
        return None
    return current().cached("network.node_metrics", lambda: node_metrics(graph))


def _duplicates() -> dict[str, str]:
    """Contact record → the primary record of its duplicate group (as on Kontakte), once per dataset."""
    graph = _local_graph()
    if graph is None:
        return {}
    return current().cached("network.duplicates", lambda: {m: grp.primary for grp in find_duplicates(graph)
                                                            for m in grp.members if m != grp.primary})


def _merge_persons(elements: list[dict[str, Any]], lang: str) -> tuple[list[dict[str, Any]], int]:
    """Fold duplicate person records in view into one node each; how many were folded."""
    alias = _duplicates()
    ids_in_view = {e["data"]["id"] for e in elements if "source" not in e["data"]}
    folded = [n for n in ids_in_view if n in alias]
    if not folded:
        return elements, 0
    counts: dict[str, int] = {}
    for member, primary in alias.items():
        counts[primary] = counts.get(primary, 1) + 1
    notes = {p: t("network.tooltip_merged", lang, n=n) for p, n in counts.items()}
    return merge_duplicates(elements, alias, notes), len(folded)


def picture_elements(g: PartnerGraph, view: ExplorerView, state: dict[str, Any],
                     selected: str | None) -> tuple[list[dict[str, Any]], int]:
    """The cytoscape elements of ``view`` as the page draws them (and its SVG
    export shows them): positions for the state's layout, duplicate persons
    folded into one node, size and colour by the chosen metric; ``g`` holds
    what the store answered about the view's nodes. Also how many person
    records were folded."""
    elements = explorer_elements(g, view, lang=state["lang"], layout=state["layout"], focus=state["focus"],
                                 selected=selected, highlight=state["highlight"])
    elements, merged = _merge_persons(elements, state["lang"])
    metrics = _metrics() if state["size"] != "none" or state["colour"] != "kind" else None  # seconds at 100k: only when asked
    if metrics is not None:
        elements = apply_metrics(elements, metrics.values, metrics.top, size=state["size"], colour=state["colour"])
    return elements, merged


def _metric_panel(state: dict[str, Any], available: bool, lang: str) -> html.Div:
    """Node size and colour by a precomputed metric (disabled without a whole-graph snapshot)."""

    def choice(cid: str, label_key: str, metrics: tuple[str, ...], value: str) -> html.Div:
        return html.Div([
            html.Label(t(label_key, lang), htmlFor=cid, className="field-label"),
            dcc.Dropdown(id=cid, options=[{"label": t(f"network.metric.{m}", lang), "value": m} for m in metrics],
                         value=value, clearable=False, searchable=False, disabled=not available,
                         className="metric-select"),
        ], className="field")

    return html.Div([choice(ID.SIZE, "network.size", SIZE_METRICS, state["size"]),
                     choice(ID.COLOUR, "network.colour", COLOUR_METRICS, state["colour"])],
                    className="panel metric-panel")


def layout(lang: str = "de", **query: Any):
    """The page for the view state in the query string."""
    lang = normalise_lang(lang)
    state = parse_query({**query, "lang": lang})
    store = current().store
    state, unknown = drop_unknown_values(store, query, state)
    spot = white_spots.explanation(state["spot"], lang) if state["spot"] else None
    if spot is not None:
        state = {**state, "highlight": white_spots.spot_ids(spot)}
    view = compute_view(store, state)
    g = page_graph(store, state, view)  # what the panels name, from the store (never a whole-graph copy)
    selected = state["selected"] if state["selected"] in g else None
    # links from other pages set only ``focus``: show that node's details
    # until the user selects another one
    shown = selected or (state["focus"] if state["focus"] in g else None)
    # the picture is drawn from what the store answered (nodes and their attributes)
    elements, merged = picture_elements(view_graph(store, view, with_edges=False), view, state, selected)
    has_metrics = _local_graph() is not None  # the metrics themselves are computed when a view asks for them
    search_box = html.Div([
        html.Label(t("network.search", lang), htmlFor=ID.query_label_for("search"), className="field-label"),
        dcc.Input(id=query_id("search"), type="search", placeholder=t("network.search_ph", lang), debounce=0.25,
                  autoComplete="off", className="search-input main-search", value=""),
        html.Div(id=suggestions_id("search"), className="suggestions"),
    ], className="picker picker-search")
    toolbar = html.Div([
        search_box,
        html.Div([html.Span(t("network.layout", lang), className="field-label"),
                  dcc.RadioItems(id=ID.LAYOUT, options=[{"label": t(f"layout.{n}", lang), "value": n} for n in LAYOUTS],
                                 value=state["layout"], inline=True, className="radio")], className="field"),
        html.Div([html.Span(t("network.by", lang), className="field-label"),
                  dcc.RadioItems(id=ID.BY, options=[{"label": t(f"network.by.{b}", lang), "value": b} for b in ("country", "theme")],
                                 value=state["by"], inline=True, className="radio")], className="field"),

        html.Div([html.Span(t("network.export", lang), className="field-label"),
                  html.Div([html.Button("PNG", id=ID.PNG, className="button small secondary"),
                            html.Button("SVG", id=ID.SVG, className="button small secondary"),
                            html.Button(t("network.csv_nodes", lang), id=ID.CSV_NODES, className="button small secondary"),
                            html.Button(t("network.csv_edges", lang), id=ID.CSV_EDGES, className="button small secondary"),
                            downloads.target(ID.DOWNLOAD), dcc.Store(id=ID.IMAGE)], className="button-row"),
                  html.Div(id=ID.EXPORT_NOTICE)], className="field"),
    ], className="network-toolbar")
    notices = [*status_message(view, lang)]
    if unknown:
        notices.append(html.Div(t("network.url_unknown", lang, items=", ".join(unknown)), className="notice warn",
                                id=ID.URL_NOTICE))
    if len(state["path"]) >= 2:
        notices.append(html.Div(t("network.path_view", lang), className="notice"))
    if spot is None:
        notices.append(highlight_notice(g, state, lang))
    if merged:
        notices.append(html.Div(t("network.merged_note", lang, n=merged), className="muted", id=ID.MERGED_NOTE))
    if state["size"] != "none" or state["colour"] != "kind":
        notices.append(html.Div(t("network.metric_off", lang) if not has_metrics else t(
            "network.metric_note", lang, size=t(f"network.metric.{state['size']}", lang),
            colour=t(f"network.metric.{state['colour']}", lang)), className="muted", id=ID.METRIC_NOTE))
    canvas = html.Div([
        html.Div(notices, id=ID.STATUS, className="network-status"),
        html.Div([
            # the elements reach cytoscape through the view store: a large view is drawn as a
            # picture first (assets/preview.js), then handed to cytoscape
            cyto.Cytoscape(id=ID.CYTO, elements=[], stylesheet=stylesheet(label_font(elements)),
                           layout=VIEW_LAYOUT, minZoom=MIN_ZOOM, maxZoom=MAX_ZOOM, boxSelectionEnabled=False,
                           className="network-cyto", style={"width": "100%", "height": "660px"}),
            html.Canvas(id=ID.PREVIEW, className="network-preview", hidden=True),
            dcc.Store(id=ID.VIEW, data=wire_elements(elements)),
            html.Div(id=ID.TOOLTIP, className="network-tooltip", hidden=True, role="tooltip"),
        ], className="network-cyto-wrap"),
        html.Div(id=ID.TOOLTIP_SINK, hidden=True),
        dcc.Store(id=ID.TOOLTIP_DATA),
    ], className="network-canvas")
    side = [html.Div([details_panel(g, shown, state, lang, store=store, neighbours=_few_neighbours(store, shown)),
                      editor_panel.edit_section(shown, lang, query.get("rev"))],
                     id=ID.DETAILS, className="panel details-panel"),
            path_panel(g, view, state, lang)]
    if len(state["path"]) >= 2:
        side.reverse()  # the path's steps beside the picture, above the details
    if spot is not None:
        side.insert(0, white_spots.spot_panel(spot, lang, ID.SPOT_PANEL))
    return html.Div([
        dcc.Store(id=ID.STATE, data=state),
        page_header(TITLE_KEY, lang, t("network.intro", lang)),
        toolbar,
        html.Div([
            html.Div([saved_views.views_section(ID.VIEWS, lang),
                      html.Details([html.Summary(t("network.filters", lang)), _filters(store, state, lang)],
                                   open=True, className="fold-narrow fold-panel filter-fold"),
                      _metric_panel(state, has_metrics, lang),
                      _legend(kinds_in(elements), lang)], className="network-left"),
            canvas,
            html.Div(side, className="network-right"),
        ], className="network-grid"),
    ], className="network-page", **{"data-view": to_search(state)})


# ---------------------------------------------------------------- callbacks
def _pick_target(role: str, nid: str, state: dict[str, Any]) -> dict[str, Any]:
    """Next state after picking ``nid`` in the picker ``role``."""
    if role == "from":
        return updated(state, path=[nid] + state["path"][1:2])
    if role == "to":
        src = state["path"][:1]
        return updated(state, path=src + [nid]) if src else updated(state, path=[nid])
    return updated(state, selected=nid, focus=nid, expand=[], collapse=[])


def suggestion_list(store: GraphStore | PartnerGraph, text: str, role: str, state: dict[str, Any]) -> list:
    """Links for the best search hits of ``text`` (each leads to the next state).

    ``store`` answers the search (a graph is wrapped in a ``MemoryStore``)."""
    if not (text or "").strip():
        return []
    lang = state["lang"]
    if isinstance(store, PartnerGraph):
        store = MemoryStore(store)
    hits = store.search(text, limit=8, lang=lang)
    if not hits:
        return [html.Div(t("network.no_hits", lang), className="muted suggestion-empty")]
    return [html.Div(dcc.Link([html.Span(h.label, className="hit-label"),
                               html.Span(domain_label("kind", h.kind, lang), className="hit-kind")],
                              href="/" + to_search(_pick_target(role, h.node_id, state)), className="suggestion"),
                     **{"data-node": h.node_id})
            for h in hits]




def warm_up() -> None:
    """Build the per-dataset indexes before the first request needs them:
    of the store (with Neo4j: its names, filter facts and options, start
    overview) and of an in-memory graph behind it (the fallback's too).
    Never asks for the store's snapshot (the explorer does not need one)."""
    store = current().store
    _duplicates()  # every picture folds duplicate persons
    stores = [store, *([store.fallback] if isinstance(getattr(store, "fallback", None), MemoryStore) else [])]
    for one in stores:  # what the first view and the search need first
        graph = one.graph if isinstance(one, MemoryStore) else None
        if graph is not None:
            build_indexes(graph)
            search_index_size(graph)
        try:
            prepare = getattr(one, "prepare", None)  # a Neo4j store's per-version tables
            if prepare is not None:
                prepare()
            one.filter_options()
            one.search("warm-up", limit=1)
            explorer_view(one)
        except StoreError:
            pass  # reported when a request asks the store; the other pages still warm up
    _metrics()  # size/colour by a metric: computed once per dataset, never per request


#: The view-state field each filter and option control writes, and its component.
CONTROLS = {"kinds": ID.KINDS, "land": ID.LAND, "country": ID.COUNTRY, "theme": ID.THEME, "sector": ID.SECTOR,
            "status": ID.STATUS_FILTER, "from": ID.YEAR_FROM, "to": ID.YEAR_TO, "layout": ID.LAYOUT, "by": ID.BY,
            "k": ID.K, "maxlen": ID.MAXLEN, "loose": ID.LOOSE, "size": ID.SIZE, "colour": ID.COLOUR}


def control_changes(values: dict[str, Any]) -> dict[str, Any]:
    """View-state changes from the controls' values (keyed as :data:`CONTROLS`):
    a cleared multi-select is an empty list, the "loose" checklist a flag;
    :func:`dashboard.viewstate.updated` validates the rest.

    >>> control_changes({"kinds": None, "land": ["DE-NI"], "loose": ["loose"], "k": 3})
    {'kinds': [], 'land': ['DE-NI'], 'loose': True, 'k': 3}
    """
    lists = ("kinds", "land", "country", "theme", "sector", "status")
    return {field: (value or [] if field in lists else bool(value) if field == "loose" else value)
            for field, value in values.items()}


def register_callbacks(app: dash.Dash) -> None:
    downloads.register_target(app, ID.DOWNLOAD)
    saved_views.register_callbacks(app, ID.VIEWS, PATH, start_page=True)
    editor_panel.register_callbacks(app)
    # Hover tooltip: full name, kind and place of the node under the pointer,
    # asked of the server (the elements carry only id and label), shown beside
    # the pointer (keys.js keeps the last pointer position and hides the
    # tooltip when the pointer moves away).
    @app.callback(dash.Output(ID.TOOLTIP_DATA, "data"), dash.Input(ID.CYTO, "mouseoverNodeData"), LANG_STATE,
                  prevent_initial_call=True)
    def _tooltip(node, search):
        if not isinstance(node, dict) or not isinstance(node.get("id"), str):
            raise dash.exceptions.PreventUpdate
        nid = node["id"]
        lines = tooltip_lines(local_graph(current().store, [nid]), nid, lang_from_search(search)) or [node.get("label") or nid]
        return {"lines": lines + ([node["merged"]] if isinstance(node.get("merged"), str) else []), "id": nid}

    @app.callback(dash.Output(ID.NEIGHBOURS, "children"), dash.Input(ID.NEIGHBOURS_OF, "data"),
                  dash.State(ID.STATE, "data"))
    def _neighbours(whose, state):
        nid = whose.get("node") if isinstance(whose, dict) else None
        if not isinstance(nid, str):
            raise dash.exceptions.PreventUpdate
        state = parse_query(state or {})
        try:
            return neighbour_lists(current().store, nid, state, state["lang"])
        except KeyError:  # the node went away with a new version meanwhile
            return html.P(t("network.no_neighbours", state["lang"]), className="muted")
        except StoreError:
            return html.P(t("network.neighbours_unavailable", state["lang"]), className="notice warn")

    # a view's elements: drawn as a picture at once when large, then handed to cytoscape (the
    # output is never written: Dash calls a callback on a new page only when an output is on it)
    app.clientside_callback(
        "function (elements, sheet) { return window.partnernetzPreview.show(%s, %s, elements, sheet, %s); }"
        % (json.dumps(ID.CYTO), json.dumps(ID.PREVIEW),
           json.dumps({"layout": VIEW_LAYOUT, "minZoom": MIN_ZOOM, "maxZoom": MAX_ZOOM})),
        dash.Output(ID.PREVIEW, "title"),
        dash.Input(ID.VIEW, "data"),
        dash.State(ID.CYTO, "stylesheet"),
    )

    app.clientside_callback(
        """
        function(data) {
            var tip = document.getElementById("%s");
            if (!tip || !data || !data.lines) { return ""; }
            var lines = data.lines;
            tip.textContent = "";
            lines.filter(Boolean).forEach(function (text, i) {
                var div = document.createElement("div");
                div.textContent = text;
                if (i === 0) { div.className = "tip-name"; }
                tip.appendChild(div);
            });
            var pos = window.partnernetzPointer || {x: 0, y: 0};
            var wrap = tip.parentElement.getBoundingClientRect();
            var left = Math.min(pos.x - wrap.left + 14, Math.max(0, wrap.width - 260));
            tip.style.left = Math.max(0, left) + "px";
            tip.style.top = Math.max(0, pos.y - wrap.top + 14) + "px";
            tip.hidden = false;
            window.partnernetzTip = {x: pos.x, y: pos.y};
            return "";
        }
        """ % ID.TOOLTIP,
        dash.Output(ID.TOOLTIP_SINK, "children"),
        dash.Input(ID.TOOLTIP_DATA, "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        dash.Output(suggestions_id(MATCH), "children"),
        dash.Input(query_id(MATCH), "value"),
        dash.State(ID.STATE, "data"),
        prevent_initial_call=True,
    )
    def _suggest(text, state):
        role = dash.ctx.triggered_id["role"]
        return suggestion_list(current().store, text or "", role, parse_query(state or {}))

    @app.callback(
        dash.Output(ids.PAGES_LOCATION, "search", allow_duplicate=True),
        dash.Input(query_id(ALL), "n_submit"),
        dash.State(query_id(ALL), "value"),
        # Not State(ID.STATE): a callback whose only input is an ALL pattern
        # also fires when the page is left (no match), and a missing State
        # component is a console error. The URL is the same state.
        dash.State(ids.PAGES_LOCATION, "search"),
        prevent_initial_call=True,
    )
    def _submit(_n, values, search_string):
        trig = dash.ctx.triggered_id
        if not trig or not dash.ctx.triggered[0]["value"]:
            raise dash.exceptions.PreventUpdate
        roles = [s["id"]["role"] for s in dash.ctx.states_list[0]]
        text = dict(zip(roles, values)).get(trig["role"]) or ""
        hits = current().store.search(text, limit=1)
        if not hits:
            raise dash.exceptions.PreventUpdate
        return to_search(_pick_target(trig["role"], hits[0].node_id, parse_search(search_string)))

    @app.callback(
        dash.Output(ids.PAGES_LOCATION, "search", allow_duplicate=True),
        dash.Input(ID.CYTO, "tapNodeData"),
        dash.State(ID.STATE, "data"),
        prevent_initial_call=True,
    )
    def _tap(node, state):
        if not node or not node.get("id"):
            raise dash.exceptions.PreventUpdate
        return to_search(updated(parse_query(state or {}), selected=node["id"]))

    @app.callback(
        dash.Output(ids.PAGES_LOCATION, "search", allow_duplicate=True),
        inputs={"controls": {field: dash.Input(cid, "value") for field, cid in CONTROLS.items()},
                "state": dash.State(ID.STATE, "data")},
        prevent_initial_call=True,
    )
    def _controls(controls, state):
        old = parse_query(state or {})
        new = updated(old, **control_changes(controls))
        if new == old:
            raise dash.exceptions.PreventUpdate
        return to_search(new)

    # PNG: the browser draws the picture (cytoscape.js), the server sends it; SVG: the browser sends
    # its node positions, the server draws and sends it. Either way the picture of a view showing
    # contact names passes the gate and is recorded like the view's CSV
    app.clientside_callback(
        _DRAW_IMAGE_JS.replace("__SVG__", ID.SVG).replace("__CYTO__", ID.CYTO).replace("__MAX__", str(MAX_POSITIONS)),
        dash.Output(ID.IMAGE, "data"),
        dash.Input(ID.PNG, "n_clicks"),
        dash.Input(ID.SVG, "n_clicks"),
        prevent_initial_call=True,
    )

    @app.callback(
        dash.Output(ID.DOWNLOAD, "data", allow_duplicate=True),
        dash.Output(ID.EXPORT_NOTICE, "children"),
        dash.Input(ID.IMAGE, "data"),
        dash.State(ID.STATE, "data"),
        prevent_initial_call=True,
    )
    def _image(image, state):
        decoded = decode_image(image)
        if decoded is None:
            raise dash.exceptions.PreventUpdate
        drawn, fmt = decoded
        state = parse_query(state or {})
        try:
            return downloads.send(image_payload(current().store, state, drawn, fmt)), None
        except PrivacyError:  # a person shown by name who may not leave: the picture stays here
            return dash.no_update, downloads.refused(state["lang"], ID.EXPORT_REFUSED)

    @app.callback(
        dash.Output(ID.DOWNLOAD, "data"),
        dash.Input(ID.CSV_NODES, "n_clicks"),
        dash.Input(ID.CSV_EDGES, "n_clicks"),
        dash.State(ID.STATE, "data"),
        prevent_initial_call=True,
    )
    def _csv(_nodes, _edges, state):
        which = "edges" if dash.ctx.triggered_id == ID.CSV_EDGES else "nodes"
        return downloads.send(view_payload(current().store, parse_query(state or {}), which), mime="text/csv")


#: PNG: the picture cytoscape.js draws in the browser (base64 data URI). SVG: the server draws it
#: (:mod:`dashboard.svg_picture`), the browser sends only where its nodes are (the user may have moved them).
_DRAW_IMAGE_JS = """
function(png, svg) {
    const nu = window.dash_clientside.no_update;
    const trig = (window.dash_clientside.callback_context.triggered[0] || {}).prop_id || "";
    const fmt = trig.startsWith("__SVG__.") ? "svg" : "png";
    const box = document.getElementById("__CYTO__");
    let cy = null;
    if (box) {  // cytoscape.js registers its instance on its container
        const holder = [box, ...box.querySelectorAll("div")].find(d => d._cyreg && d._cyreg.cy);
        cy = holder ? holder._cyreg.cy : null;
    }
    cy = cy || window.cy;
    if (!cy) { return nu; }
    if (fmt === "svg") {
        const positions = {};
        cy.nodes().slice(0, __MAX__).forEach(n => {
            const p = n.position();
            positions[n.id()] = [Math.round(p.x * 10) / 10, Math.round(p.y * 10) / 10];
        });
        return {fmt: "svg", positions: positions, at: Date.now()};
    }
    return {fmt: "png", data: cy.png({full: true, bg: "#ffffff", scale: 2, output: "base64uri"}), at: Date.now()};
}
"""

#: The largest picture accepted from the browser (bytes after decoding).
MAX_IMAGE_BYTES = 40 * 1024 * 1024
#: The most node positions accepted from the browser (a drawn view holds at most MAX_ELEMENTS elements).
MAX_POSITIONS = 4 * MAX_ELEMENTS
#: The longest node id accepted with a position, and the farthest coordinate.
MAX_ID_CHARS, MAX_COORD = 500, 1e7


def decode_image(image: Any) -> tuple[bytes, str] | tuple[dict[str, tuple[float, float]], str] | None:
    """What the browser sent for a picture, checked (it is untrusted input):
    ``(png bytes, "png")`` for a PNG data URI, ``({node id: (x, y)}, "svg")``
    for the node positions of an SVG export; None for anything else (too
    large, not a PNG, positions that are not at most :data:`MAX_POSITIONS`
    string ids with two finite numbers each).

    >>> decode_image({"fmt": "svg", "positions": {"land:DE-HE": [1, 2.5]}})
    ({'land:DE-HE': (1.0, 2.5)}, 'svg')
    >>> decode_image({"fmt": "svg", "positions": {"a": [1, float("nan")]}}) is None
    True
    """
    import base64
    import binascii

    if not isinstance(image, dict):
        return None
    if image.get("fmt") == "svg":
        positions = _positions(image.get("positions"))
        return None if positions is None else (positions, "svg")
    if image.get("fmt") != "png" or not isinstance(image.get("data"), str):
        return None
    data = image["data"]
    prefix = "data:image/png;base64,"
    if not data.startswith(prefix):
        return None
    try:
        content = base64.b64decode(data[len(prefix):], validate=True)
    except (binascii.Error, ValueError):
        return None
    if not content.startswith(b"\x89PNG\r\n\x1a\n") or len(content) > MAX_IMAGE_BYTES:
        return None
    return content, "png"


def _positions(raw: Any) -> dict[str, tuple[float, float]] | None:
    """``raw`` as ``{node id: (x, y)}`` if it is exactly that (see :func:`decode_image`), else None."""
    if not isinstance(raw, dict) or len(raw) > MAX_POSITIONS:
        return None
    out: dict[str, tuple[float, float]] = {}
    for nid, xy in raw.items():
        if not isinstance(nid, str) or not 0 < len(nid) <= MAX_ID_CHARS or not isinstance(xy, (list, tuple)) \
                or len(xy) != 2 or not all(type(v) in (int, float) and math.isfinite(v) and abs(v) <= MAX_COORD
                                           for v in xy):
            return None
        out[nid] = (float(xy[0]), float(xy[1]))
    return out


def image_payload(store: GraphStore | PartnerGraph, state: dict[str, Any], drawn: bytes | Mapping[str, tuple[float, float]],
                  fmt: str) -> egress.StaticPayload:
    """The picture of the view of ``state`` for the gate: it names the
    contacts the view shows with their name (masked contacts show none).

    ``drawn``: the PNG the browser drew, or for ``fmt="svg"`` the node
    positions it shows: the server draws the SVG of the view itself, from the
    same elements as the page (:func:`picture_elements`), so what leaves is
    what the view holds, never a document written by the browser."""
    if isinstance(store, PartnerGraph):
        store = MemoryStore(store)
    view = compute_view(store, state)
    shown = view.subgraph.nodes if view.subgraph is not None else ()
    g = view_graph(store, view) if shown or fmt == "svg" else None
    named = egress.contacts_named(g, shown) if g is not None and shown else {}
    if fmt == "svg":
        if g is None or not isinstance(drawn, Mapping):
            raise TypeError("an SVG picture needs the view's graph and the node positions")
        elements, _ = picture_elements(g, view, state, state["selected"])
        content = svg_picture(elements, positions=drawn).encode("utf-8")
    else:
        if not isinstance(drawn, bytes):
            raise TypeError("a PNG picture needs the bytes the browser drew")
        content = drawn
    return egress.StaticPayload(content, download_name("image", state["lang"], ext=fmt), fmt, "network view image",
                                named)


@dataclasses.dataclass
class ViewTablePayload:
    """The nodes or edges CSV of one view, for the gate: contacts the rule
    withholds (without consent: masked) are left out as rows and with their edges."""

    graph: PartnerGraph
    view: ExplorerView
    which: str
    lang: str
    fmt: str = "csv"
    strict: bool = False

    @property
    def what(self) -> str:
        return f"network view {self.which}"

    def contacts(self) -> dict[str, bool]:
        """The contacts the table names: its rows (nodes) or its edges' ends (edges)."""
        sub = self.view.subgraph
        if sub is None:
            return {}
        named = sub.nodes if self.which == "nodes" else {end for u, v, _ in sub.edges for end in (u, v)}
        return {n: has_consent(self.graph.nx.nodes[n]) for n in named if n.startswith("contact:")}

    def render(self, decision: egress.Decision) -> tuple[bytes, str]:
        view = self.view
        if view.subgraph is not None and decision.withheld:
            sub = view.subgraph
            view = dataclasses.replace(view, subgraph=dataclasses.replace(
                sub, nodes=tuple(n for n in sub.nodes if n not in decision.withheld),
                edges=tuple(e for e in sub.edges if e[0] not in decision.withheld and e[1] not in decision.withheld)))
        nodes_csv, edges_csv = csv_tables(self.graph, view, lang=self.lang)
        return (edges_csv if self.which == "edges" else nodes_csv).encode("utf-8"), download_name(self.which, self.lang)


def view_payload(store: GraphStore | PartnerGraph, state: dict[str, Any], which: str) -> ViewTablePayload:
    """The nodes or edges CSV of the view of ``state`` as a payload for the gate.

    Composed from ``store``'s answers only (a graph is asked through a
    ``MemoryStore``): the view, then its nodes' and edges' attributes
    (:func:`graph.view.view_graph` with edge attributes), so a node written
    to Neo4j after start-up is exported like any other.
    """
    if isinstance(store, PartnerGraph):
        store = MemoryStore(store)
    view = compute_view(store, state)
    g = view_graph(store, view, edge_attrs=True)
    if view.subgraph is not None:  # only what the store could describe (data may change between two questions)
        sub = view.subgraph
        edges = tuple(e for e in sub.edges if g.nx.has_edge(*e))
        view = dataclasses.replace(view, subgraph=dataclasses.replace(
            sub, nodes=tuple(n for n in sub.nodes if n in g.nx), edges=edges))
    return ViewTablePayload(g, view, which, state["lang"])


def view_csv(store: GraphStore | PartnerGraph, state: dict[str, Any], which: str, *, audit_log: Any,
             user: str = "local", rule: str = egress.DEFAULT_RULE) -> tuple[str, str]:
    """The nodes or edges CSV of the view of ``state`` through the gate:
    ``(content, filename)``; recorded in ``audit_log`` (ids only). Contacts
    without consent are not rows of it and not recorded."""
    released = egress.release(view_payload(store, state, which), user=user, audit=audit_log, rule=rule)
    return released.content.decode("utf-8"), released.filename


#: Download file names per language (German default).
_FILE_NAMES = {"nodes": ("partnernetz-knoten", "partnernetz-nodes"), "edges": ("partnernetz-kanten", "partnernetz-edges"),
               "image": ("partnernetz-netzwerk", "partnernetz-network")}


def download_name(which: str, lang: str, ext: str = "csv") -> str:
    """``partnernetz-knoten.csv`` in German, ``partnernetz-nodes.csv`` in English.

    >>> download_name("edges", "en")
    'partnernetz-edges.csv'
    """
    de, en = _FILE_NAMES[which]
    return f"{en if lang == 'en' else de}.{ext}" if ext else (en if lang == "en" else de)

