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
from typing import Any

import dash
import dash_cytoscape as cyto
from dash import ALL, MATCH, dcc, html

from dashboard.auth import current_user
from dashboard.components import page_header
from dashboard.context import current
from dashboard.elements import csv_tables, explorer_elements, kinds_in, legend_entries, stylesheet
from dashboard.i18n import normalise_lang, register, t
from dashboard.viewstate import LAYOUTS, parse_query, parse_search, to_filter, to_search, updated, updated_search
from graph.errors import StoreError
from graph.kinds import EdgeKind, NodeKind, ProjectStatus, Sector
from graph.model import PartnerGraph
from graph.queries import (
    MAX_ELEMENTS,
    ExplorerView,
    build_indexes,
    describe_path,
    explorer_view,
)
from graph.search import search_index_size
from graph.text import fold
from graph.store import FilterOptions, GraphStore, MemoryStore, filter_options, local_graph, view_graph
from loaders.audit import audit_export

# SVG export needs the cytoscape-svg extension bundled with the extra layouts.
cyto.load_extra_layouts()

PATH = "/"
ORDER = 1
TITLE_KEY = "nav.network"

__all__ = ["PATH", "ORDER", "TITLE_KEY", "ID", "layout", "register_callbacks", "details_panel",
           "path_panel", "status_message", "highlight_notice", "compute_view", "view_csv", "suggestion_list",
           "download_name", "filter_choices", "page_graph"]


class ID:
    STATE = "network-state"
    CYTO = "network-cyto"
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
    RESET = "network-reset"
    # pattern-matching ids (role: "search", "from", "to")
    QUERY = "network-query"
    SUGGESTIONS = "network-suggestions"


def query_id(role: str) -> dict[str, str]:
    return {"type": ID.QUERY, "role": role}


def suggestions_id(role: str) -> dict[str, str]:
    return {"type": ID.SUGGESTIONS, "role": role}


register({
    "network.intro": ("Akteure suchen, Verbindungen erkunden, Wege zwischen zwei Akteuren finden.",
                      "Search actors, explore their connections, find how two actors are linked."),
    "network.search": ("Suche", "Search"),
    "network.search_ph": ("Institution, Projekt, Land, Partnerland, Thema …", "Institution, project, Land, country, theme …"),
    "network.no_hits": ("Keine Treffer.", "No matches."),
    "network.filters": ("Filter", "Filters"),
    "network.kinds": ("Knotenarten", "Node kinds"),
    "network.land": ("Land (Bundesland)", "Land (German state)"),
    "network.country": ("Partnerland", "Partner country"),
    "network.theme": ("Thema", "Theme"),
    "network.sector": ("Sektor", "Sector"),
    "network.status": ("Projektstatus", "Project status"),
    "network.years": ("Projektjahre", "Project years"),
    "network.from": ("von", "from"),
    "network.to": ("bis", "to"),
    "network.any": ("alle", "any"),
    "network.layout": ("Anordnung", "Layout"),
    "layout.cose": ("Kräftebasiert", "Force-directed"),
    "layout.concentric": ("Ringe nach Art", "Rings by kind"),
    "layout.breadthfirst": ("Hierarchisch", "Hierarchical"),
    "network.by": ("Übersicht nach", "Overview by"),
    "network.by.country": ("Partnerländern", "partner countries"),
    "network.by.theme": ("Themen", "themes"),
    "network.reset": ("Zur Übersicht", "Back to overview"),
    "network.legend": ("Legende", "Legend"),
    "network.legend_sectors": ("Institutionen nach Sektor", "Institutions by sector"),
    "network.legend_marks": ("Markierungen", "Marks"),
    "network.legend_focus": ("Fokus", "Focus"),
    "network.legend_chosen": ("Ausgewählt / Weg", "Selected / path"),
    "network.legend_highlight": ("Hervorgehoben", "Highlighted"),
    "network.legend_partnership": ("Länderpartnerschaft (gestrichelt)", "Land partnership (dashed)"),
    "network.export": ("Export", "Export"),
    "network.csv_nodes": ("Knoten (CSV)", "Nodes (CSV)"),
    "network.csv_edges": ("Kanten (CSV)", "Edges (CSV)"),
    "network.status_start": (
        "Übersicht: Länder und Partnerländer, verbunden durch gemeinsame Projekte (Zahl = Projekte; gestrichelt = "
        "Länderpartnerschaft). Suchen Sie einen Akteur oder klicken Sie auf einen Knoten.",
        "Overview: Länder and partner countries linked by shared projects (number = projects; dashed = Land "
        "partnership). Search for an actor or click a node."),
    "network.status_start_theme": (
        "Übersicht: Länder und Themen, verbunden durch gemeinsame Projekte (Zahl = Projekte).",
        "Overview: Länder and themes linked by shared projects (number = projects)."),
    "network.status_too_large": (
        "Diese Auswahl umfasst {total} Elemente – mehr als {max} lassen sich nicht lesbar zeichnen. Gezeigt wird "
        "deshalb eine Zusammenfassung der {projects} passenden Projekte nach Land und {by}. Grenzen Sie die Filter "
        "ein oder wählen Sie einen Knoten.",
        "This selection has {total} elements – more than {max} cannot be drawn legibly. Shown instead: a summary of "
        "the {projects} matching projects by Land and {by}. Narrow the filters or pick a node."),
    "network.status_view": ("{nodes} Knoten, {edges} Kanten", "{nodes} nodes, {edges} edges"),
    "network.status_cut": (
        "Ansicht gekürzt: {shown} von {total} Elementen (höchstens {max}); nahe und gut vernetzte Knoten zuerst.",
        "View cut: {shown} of {total} elements (at most {max}); near and well-connected nodes first."),
    "network.status_unknown": ("Nicht gefunden und ignoriert: {ids}", "Not found and ignored: {ids}"),
    "network.highlighted": ("Hervorgehoben aus dem Link ({n}): {names}",
                            "Highlighted from the link ({n}): {names}"),
    "network.highlight_clear": ("Hervorhebung aufheben", "Clear highlight"),
    "network.details": ("Details", "Details"),
    "network.details_empty": ("Klicken Sie auf einen Knoten oder wählen Sie einen Suchtreffer.",
                              "Click a node or pick a search result."),
    "network.source": ("Quelle", "Source"),
    "network.illustrative": ("Erfundener Beispieldatensatz", "Invented example record"),
    "network.inferred": ("abgeleitet", "inferred"),
    "network.inferred_hint": ("Aus den Quellen abgeleitet, dort nicht ausdrücklich genannt",
                              "Inferred from the sources, not stated there as such"),
    "network.neighbours": ("Verbindungen", "Connections"),
    "network.no_neighbours": ("Keine Verbindungen.", "No connections."),
    "network.expand": ("Erweitern", "Expand"),
    "network.collapse": ("Einklappen", "Collapse"),
    "network.focus1": ("Fokus (Radius 1)", "Focus (radius 1)"),
    "network.focus2": ("Fokus (Radius 2)", "Focus (radius 2)"),
    "network.path_from_here": ("Weg finden zu …", "Find path to …"),
    "network.path_to_here": ("Weg hierher", "Path to here"),
    "network.paths": ("Wie sind A und B verbunden?", "How are A and B connected?"),
    "network.path_from": ("Von", "From"),
    "network.path_to": ("Nach", "To"),
    "network.path_pick": ("Akteur suchen …", "Search an actor …"),
    "network.path_k": ("Alternativen", "Alternatives"),
    "network.path_maxlen": ("max. Schritte", "max. steps"),
    "network.path_loose": ("auch über gemeinsame Themen und „Deutschland“", "also via shared themes and “Germany”"),
    "network.path_none": ("Keine Verbindung mit höchstens {n} Schritten gefunden.", "No connection within {n} steps."),
    "network.path_title": ("Weg {i}: {n} Schritte", "Path {i}: {n} steps"),
    "network.path_clear": ("Weg löschen", "Clear path"),
    "network.path_hint": ("Wählen Sie Start und Ziel.", "Choose start and target."),
    "network.clear": ("entfernen", "remove"),
    "attr.sector": ("Sektor", "Sector"), "attr.sector_detail": ("Typ", "Type"), "attr.land": ("Land", "Land"),
    "attr.country": ("Staat", "Country"), "attr.city": ("Ort", "City"), "attr.website": ("Website", "Website"),
    "attr.start": ("Beginn", "Start"), "attr.end": ("Ende", "End"), "attr.phase": ("Phase", "Phase"),
    "attr.status": ("Status", "Status"), "attr.region": ("Region", "Region"),
    "attr.description": ("Beschreibung", "Description"), "attr.role": ("Funktion", "Role"),
    "attr.languages": ("Sprachen", "Languages"), "attr.event_kind": ("Format", "Format"),
    "attr.date": ("Datum", "Date"), "attr.end_date": ("bis", "until"), "attr.kind": ("Art", "Kind"),
    "attr.id": ("Kennung", "Id"),
    "attr.iati_identifier": ("IATI-Kennung", "IATI identifier"),
    "attr.iati_identifier_unverified": ("IATI-Kennung (Kandidat, unbestätigt)", "IATI identifier (candidate, unverified)"),
    "status.planned": ("geplant", "planned"), "status.active": ("laufend", "active"),
    "status.completed": ("abgeschlossen", "completed"), "status.unknown": ("unbekannt", "unknown"),
})

# Relation group titles (neighbours list) and verbs (path steps), per edge kind and direction.
_RELATIONS = {
    "located_in": (("Standort", "Location"), ("Institutionen mit Sitz hier", "Institutions located here"),
                   ("liegt in", "is located in"), ("ist Standort von", "is the location of")),
    "participates_in": (("Beteiligt an Projekten", "Takes part in projects"), ("Beteiligte Institutionen", "Participating institutions"),
                        ("ist beteiligt an", "takes part in"), ("hat als Beteiligte", "has as participant")),
    "cofinances": (("Kofinanziert Projekte", "Co-finances projects"), ("Kofinanziert von", "Co-financed by"),
                   ("kofinanziert", "co-finances"), ("wird kofinanziert von", "is co-financed by")),
    "implemented_in": (("Durchgeführt in", "Implemented in"), ("Projekte und Programme hier", "Projects and programmes here"),
                       ("läuft in", "runs in"), ("ist Einsatzland von", "hosts")),
    "addresses": (("Themen", "Themes"), ("Projekte zu diesem Thema", "Projects on this theme"),
                  ("behandelt", "addresses"), ("ist Thema von", "is a theme of")),
    "works_on": (("Arbeitet zu Themen", "Works on themes"), ("Institutionen und Kontakte zum Thema", "Institutions and contacts working on it"),
                 ("arbeitet zu", "works on"), ("wird bearbeitet von", "is worked on by")),
    "linked_to": (("Verknüpft mit Programm", "Linked to programme"), ("Verknüpfte Projekte", "Linked projects"),
                  ("gehört zu", "is linked to"), ("umfasst", "includes")),
    "partners_with": (("Partnerländer", "Partner countries"), ("Partnerschaften mit Ländern", "Partnerships with Länder"),
                      ("ist Partner von", "is a partner of"), ("ist Partner von", "is a partner of")),
    "works_at": (("Arbeitet bei", "Works at"), ("Kontakte", "Contacts"),
                 ("arbeitet bei", "works at"), ("beschäftigt", "employs")),
    "attended": (("Teilgenommen an", "Attended"), ("Teilnehmende", "Attendees"),
                 ("nahm teil an", "attended"), ("hatte als Gast", "was attended by")),
    "held_in": (("Veranstaltungsort", "Held in"), ("Veranstaltungen hier", "Events here"),
                ("fand statt in", "was held in"), ("war Ort von", "hosted")),
    "about": (("Themen", "Themes"), ("Veranstaltungen zum Thema", "Events on this theme"),
              ("behandelte", "was about"), ("war Thema von", "was the theme of")),
}
register({f"rel.{k}.out": v[0] for k, v in _RELATIONS.items()})
register({f"rel.{k}.in": v[1] for k, v in _RELATIONS.items()})
register({f"verb.{k}.out": v[2] for k, v in _RELATIONS.items()})
register({f"verb.{k}.in": v[3] for k, v in _RELATIONS.items()})
assert set(_RELATIONS) == set(EdgeKind.values())

#: Attributes shown in the details panel, in this order. E-mail and consent
#: are personal data and stay on the Kontakte page.
DETAIL_ATTRS = ("sector", "sector_detail", "land", "country", "city", "region", "start", "end", "phase", "status",
                "event_kind", "date", "end_date", "role", "languages", "website", "iati_identifier",
                "iati_identifier_unverified", "description")


# --------------------------------------------------------------------- view
def compute_view(store: GraphStore | PartnerGraph, state: dict[str, Any]) -> ExplorerView:
    """The explorer view of ``state``, composed of ``store``'s answers (thin:
    all logic is in :func:`graph.queries.explorer_view`; a graph is asked
    through a ``MemoryStore``)."""
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
                                  className="notice warn", id="network-lod-notice"))
        else:
            key = "network.status_start" if ov.by == "country" else "network.status_start_theme"
            parts.append(html.Div(t(key, lang), className="notice"))
    else:
        sub = view.subgraph
        parts.append(html.Span(t("network.status_view", lang, nodes=len(sub.nodes), edges=len(sub.edges)),
                               className="muted"))
        if sub.truncated:
            parts.append(html.Div(t("network.status_cut", lang, shown=sub.size, total=sub.total, max=MAX_ELEMENTS),
                                  className="notice warn", id="network-lod-notice"))
    if view.unknown:
        parts.append(html.Div(t("network.status_unknown", lang, ids=", ".join(view.unknown)), className="notice warn"))
    return parts


#: Highlighted nodes named in the notice; the rest are counted.
HIGHLIGHT_NAMES = 5


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
        dcc.Link(t("network.highlight_clear", lang), href=_href(state, highlight=[]), id="network-highlight-clear",
                 className="button small secondary"),
    ], className="notice highlight-notice", id="network-highlight-notice")


def _attr_value(g: PartnerGraph, name: str, value: Any, lang: str) -> Any:
    if name == "sector":
        return t(f"sector.{value}", lang)
    if name == "status":
        return t(f"status.{value}", lang)
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


def details_panel(g: PartnerGraph, nid: str | None, state: dict[str, Any], lang: str, *,
                  store: GraphStore | None = None) -> html.Div:
    """Attributes, source links, actions and neighbours of ``nid``."""
    if not nid or nid not in g:
        return html.Div([html.H2(t("network.details", lang)), html.P(t("network.details_empty", lang), className="muted")])
    attrs = g.node(nid)
    kind = attrs["kind"]
    rows = [html.Tr([html.Th(t("attr.kind", lang)), html.Td(t(f"kind.{kind}", lang))])]
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
        dcc.Link(t("network.expand", lang), id="network-act-expand", className="button small",
                 href=_href(state, selected=nid, expand=state["expand"] + [nid],
                            collapse=[c for c in state["collapse"] if c != nid])),
        dcc.Link(t("network.collapse", lang), id="network-act-collapse", className="button small secondary",
                 href=_href(state, selected=nid, expand=[e for e in state["expand"] if e != nid],
                            collapse=state["collapse"] if expanded else state["collapse"] + [nid])),
        dcc.Link(t("network.focus1", lang), id="network-act-focus1", className="button small",
                 href=_href(state, selected=nid, focus=nid, radius=1, expand=[], collapse=[])),
        dcc.Link(t("network.focus2", lang), id="network-act-focus2", className="button small",
                 href=_href(state, selected=nid, focus=nid, radius=2, expand=[], collapse=[])),
        dcc.Link(t("network.path_from_here", lang), id="network-act-path", className="button small secondary",
                 href=_href(state, selected=nid, path=[nid])),
    ]
    if path_from and path_from != nid:
        actions.append(dcc.Link(t("network.path_to_here", lang), id="network-act-path-to", className="button small secondary",
                                href=_href(state, selected=nid, path=[path_from, nid])))

    groups = (store or MemoryStore(g)).neighbours_by_relation(nid, lang=lang)
    nb_blocks = []
    for key, items in groups.items():
        edge_kind, _, direction = key.partition(":")
        entries = []
        for n in items:
            extra = n.edge.get("role") or n.edge.get("contribution") or n.edge.get("type")
            entries.append(html.Li([
                dcc.Link(n.label, href=_href(state, selected=n.node_id), className="nb-link",
                         title=t(f"kind.{n.kind}", lang)),
                html.Span(f" · {extra}", className="muted") if extra else None,
                html.Span([" ", html.Span(t("network.inferred", lang), className="tag", title=t("network.inferred_hint", lang))],
                          className="inferred") if n.edge.get("inferred") else None,
            ]))
        nb_blocks.append(html.Details([
            html.Summary(f"{t(f'rel.{edge_kind}.{direction}', lang)} ({len(items)})"),
            html.Ul(entries, className="nb-list"),
        ], open=len(items) <= 12, className="nb-group", **{"data-relation": key}))
    return html.Div([
        html.H2(g.label(nid, lang), className="details-title"),
        html.Table(html.Tbody(rows), className="details-attrs"),
        source_block,
        html.Div(actions, className="action-row"),
        html.H3(t("network.neighbours", lang)),
        html.Div(nb_blocks or html.P(t("network.no_neighbours", lang), className="muted"), className="nb-groups"),
    ])


def _picker(role: str, label: str, placeholder: str, current_label: str | None, clear_href: str | None, lang: str) -> html.Div:
    chosen = None
    if current_label:
        chosen = html.Div([html.Span(current_label, className="picked"),
                           dcc.Link("×", href=clear_href, className="clear", title=t("network.clear", lang))
                           if clear_href else None], className="picked-row")
    return html.Div([
        html.Label(label, htmlFor=f"network-query-{role}", className="field-label"),
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
            results.append(html.P(t("network.path_none", lang, n=state["maxlen"]), className="muted", id="network-path-none"))
        for i, p in enumerate(view.paths, start=1):
            steps = describe_path(g, p, lang=lang)
            items = []
            for step in steps:
                kind_label = t(f"kind.{step.kind}", lang)
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

    def row(key: str, shape: str, colour: str) -> html.Li:
        return html.Li([html.Span(className=f"swatch shape-{shape}", style={"backgroundColor": colour}),
                        html.Span(t(key, lang))])

    blocks = [html.H3(t("network.legend", lang)), html.Ul([row(*e) for e in entries["kinds"]], className="legend")]
    if entries["sectors"]:
        blocks += [html.H4(t("network.legend_sectors", lang)),
                   html.Ul([row(*e) for e in entries["sectors"]], className="legend")]
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
    :func:`graph.store.filter_options`): Länder, countries and themes sorted
    by label; sectors and statuses present in the data, in their fixed order.

    >>> from graph.model import PartnerGraph
    >>> filter_choices(PartnerGraph(), "en")["lands"][:2]
    [('DE-BW', 'Baden-Württemberg'), ('DE-BY', 'Bavaria')]
    """
    if isinstance(options, PartnerGraph):
        options = filter_options(options)

    def named(rows: tuple[tuple[str, str, str | None], ...]) -> list[tuple[str, str]]:
        pairs = [(nid.split(":", 1)[1], (label_en if lang == "en" and label_en else label)) for nid, label, label_en in rows]
        return sorted(pairs, key=lambda p: fold(p[1]))

    return {"lands": named(options.lands), "countries": named(options.countries), "themes": named(options.themes),
            "sectors": [(s.value, t(f"sector.{s.value}", lang)) for s in Sector if s.value in options.sectors],
            "statuses": [(s.value, t(f"status.{s.value}", lang)) for s in ProjectStatus if s.value in options.statuses]}


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
    sectors = _with_chosen(choices["sectors"], state["sector"], lambda v: t(f"sector.{v}", lang))
    statuses = _with_chosen(choices["statuses"], state["status"], lambda v: t(f"status.{v}", lang))
    first, last = options.years or (None, None)

    def multi(id_: str, label_key: str, options: list[dict[str, str]], value: list[str]) -> html.Div:
        return html.Div([html.Label(t(label_key, lang), htmlFor=id_, className="field-label"),
                         dcc.Dropdown(id=id_, options=options, value=value, multi=True, placeholder=any_)],
                        className="field")

    return html.Div([
        html.H2(t("network.filters", lang)),
        multi(ID.KINDS, "network.kinds", _options([(k.value, t(f"kind.{k.value}", lang)) for k in NodeKind]), state["kinds"]),
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
        dcc.Link(t("network.reset", lang), href=f"/?lang={lang}", id=ID.RESET, className="button small secondary"),
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
        g.nx.add_node(nid, **attrs)
    return g


def layout(lang: str = "de", **query: Any):
    """The page for the view state in the query string."""
    lang = normalise_lang(lang)
    state = parse_query({**query, "lang": lang})
    store = current().store
    view = compute_view(store, state)
    g = page_graph(store, state, view)  # what the panels name, from the store (never a whole-graph copy)
    selected = state["selected"] if state["selected"] in g else None
    # links from other pages set only ``focus``: show that node's details
    # until the user selects another one
    shown = selected or (state["focus"] if state["focus"] in g else None)
    # the picture is drawn from what the store answered (nodes and their attributes)
    elements = explorer_elements(view_graph(store, view), view, lang=lang, layout=state["layout"], focus=state["focus"],
                                 selected=selected, highlight=state["highlight"])
    search_box = html.Div([
        html.Label(t("network.search", lang), htmlFor="network-query-search", className="field-label"),
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
                            dcc.Download(id=ID.DOWNLOAD)], className="button-row")], className="field"),
    ], className="network-toolbar")
    canvas = html.Div([
        html.Div([*status_message(view, lang), highlight_notice(g, state, lang)], id=ID.STATUS,
                 className="network-status"),
        cyto.Cytoscape(id=ID.CYTO, elements=elements, stylesheet=stylesheet(),
                       layout={"name": "preset", "fit": True, "padding": 30, "animate": False},
                       minZoom=0.1, maxZoom=2, boxSelectionEnabled=False, className="network-cyto",
                       style={"width": "100%", "height": "660px"}),
    ], className="network-canvas")
    return html.Div([
        dcc.Store(id=ID.STATE, data=state),
        page_header(TITLE_KEY, lang, t("network.intro", lang)),
        toolbar,
        html.Div([
            html.Div([_filters(store, state, lang), _legend(kinds_in(elements), lang)], className="network-left"),
            canvas,
            html.Div([html.Div(details_panel(g, shown, state, lang, store=store), id=ID.DETAILS, className="panel details-panel"),
                      path_panel(g, view, state, lang)], className="network-right"),
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
                               html.Span(t(f"kind.{h.kind}", lang), className="hit-kind")],
                              href="/" + to_search(_pick_target(role, h.node_id, state)), className="suggestion"),
                     **{"data-node": h.node_id})
            for h in hits]


#: Dash pages' own location (refresh="callback-nav"): writing its search
#: pushes a history entry, tells the other locations and re-renders the page.
PAGES_LOCATION = "_pages_location"


def warm_up() -> None:
    """Build the per-dataset indexes before the first request needs them:
    of the store (with Neo4j: its names, filter facts and options, start
    overview) and of an in-memory graph behind it (the fallback's too).
    Never asks for the store's snapshot (the explorer does not need one)."""
    store = current().store
    stores = [store, *([store.fallback] if isinstance(getattr(store, "fallback", None), MemoryStore) else [])]
    for one in stores:
        graph = one.graph if isinstance(one, MemoryStore) else None
        if graph is not None:
            search_index_size(graph)
            build_indexes(graph)
        try:
            one.filter_options()
            one.search("warm-up", limit=1)
            explorer_view(one)
        except StoreError:
            pass  # reported when a request asks the store; the other pages still warm up


def register_callbacks(app: dash.Dash) -> None:
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
        dash.Output(PAGES_LOCATION, "search", allow_duplicate=True),
        dash.Input(query_id(ALL), "n_submit"),
        dash.State(query_id(ALL), "value"),
        # Not State(ID.STATE): a callback whose only input is an ALL pattern
        # also fires when the page is left (no match), and a missing State
        # component is a console error. The URL is the same state.
        dash.State(PAGES_LOCATION, "search"),
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
        dash.Output(PAGES_LOCATION, "search", allow_duplicate=True),
        dash.Input(ID.CYTO, "tapNodeData"),
        dash.State(ID.STATE, "data"),
        prevent_initial_call=True,
    )
    def _tap(node, state):
        if not node or not node.get("id"):
            raise dash.exceptions.PreventUpdate
        return to_search(updated(parse_query(state or {}), selected=node["id"]))

    @app.callback(
        dash.Output(PAGES_LOCATION, "search", allow_duplicate=True),
        dash.Input(ID.KINDS, "value"), dash.Input(ID.LAND, "value"), dash.Input(ID.COUNTRY, "value"),
        dash.Input(ID.THEME, "value"), dash.Input(ID.SECTOR, "value"), dash.Input(ID.STATUS_FILTER, "value"),
        dash.Input(ID.YEAR_FROM, "value"), dash.Input(ID.YEAR_TO, "value"), dash.Input(ID.LAYOUT, "value"),
        dash.Input(ID.BY, "value"), dash.Input(ID.K, "value"), dash.Input(ID.MAXLEN, "value"),
        dash.Input(ID.LOOSE, "value"),
        dash.State(ID.STATE, "data"),
        prevent_initial_call=True,
    )
    def _controls(kinds, land, country, theme, sector, status, year_from, year_to, layout_name, by, k, maxlen, loose, state):
        old = parse_query(state or {})
        new = updated(old, kinds=kinds or [], land=land or [], country=country or [], theme=theme or [],
                      sector=sector or [], status=status or [], **{"from": year_from, "to": year_to},
                      layout=layout_name, by=by, k=k, maxlen=maxlen, loose=bool(loose))
        if new == old:
            raise dash.exceptions.PreventUpdate
        return to_search(new)

    @app.callback(
        dash.Output(ID.CYTO, "generateImage"),
        dash.Input(ID.PNG, "n_clicks"),
        dash.Input(ID.SVG, "n_clicks"),
        dash.State(ID.STATE, "data"),
        prevent_initial_call=True,
    )
    def _image(_png, _svg, state):
        kind = "svg" if dash.ctx.triggered_id == ID.SVG else "png"
        lang = normalise_lang((state or {}).get("lang"))
        return {"type": kind, "action": "download", "filename": download_name("image", lang, ext=""),
                "options": {"full": True, "bg": "#ffffff", **({"scale": 2} if kind == "png" else {})}}

    @app.callback(
        dash.Output(ID.DOWNLOAD, "data"),
        dash.Input(ID.CSV_NODES, "n_clicks"),
        dash.Input(ID.CSV_EDGES, "n_clicks"),
        dash.State(ID.STATE, "data"),
        prevent_initial_call=True,
    )
    def _csv(_nodes, _edges, state):
        ctx = current()
        which = "edges" if dash.ctx.triggered_id == ID.CSV_EDGES else "nodes"
        content, filename = view_csv(ctx.store, parse_query(state or {}), which,
                                     audit_log=ctx.settings.audit_log, user=current_user())
        return {"content": content, "filename": filename, "type": "text/csv"}


def view_csv(store: GraphStore | PartnerGraph, state: dict[str, Any], which: str, *, audit_log: str | None,
             user: str = "local") -> tuple[str, str]:
    """The nodes or edges CSV of the view of ``state``: ``(content, filename)``.

    Composed from ``store``'s answers only (a graph is asked through a
    ``MemoryStore``): the view, then its nodes' and edges' attributes
    (:func:`graph.store.view_graph` with edge attributes), so a node written
    to Neo4j after start-up is exported like any other.

    A view listing contacts is an export of personal data: it is recorded in
    the audit log (ids only), like every other personal-data export.
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
    nodes_csv, edges_csv = csv_tables(g, view, lang=state["lang"])
    contacts = [n for n in (view.subgraph.nodes if view.subgraph else ()) if n.startswith("contact:")]
    if contacts and audit_log:
        audit_export(audit_log, user=user, what=f"network view {which}", fmt="csv", contact_ids=contacts)
    return (edges_csv if which == "edges" else nodes_csv), download_name(which, state["lang"])


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

