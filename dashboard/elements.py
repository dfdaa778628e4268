"""Pure builders for the Netzwerk page's cytoscape graph: elements of a
detailed view or of the aggregated overview, node positions for the three
layouts, the stylesheet, the legend, and CSV tables of the current view.

Nothing here touches Dash callbacks or the request; everything is unit-tested
without a browser. Labels go into cytoscape's ``data`` and are drawn on a
canvas as plain text, never interpreted as HTML.

>>> from graph.core.model import PartnerGraph
>>> from graph.explore import induced_subgraph
>>> g = PartnerGraph()
>>> els = view_elements(g, induced_subgraph(g, ["land:DE-HE"]), lang="en")
>>> els[0]["data"]["label"], els[0]["classes"]
('Hesse', 'kind-land')
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import math
import random
import re
import threading
from collections import Counter, OrderedDict, defaultdict, deque
from typing import Any, Iterable, Mapping

import igraph as ig
import numpy as np

from dashboard.domain_labels import domain_label
from graph.core.kinds import kind_of
from graph.core.reference import country_by_alpha3, land_by_code
from graph.core.model import PartnerGraph
from graph.explore import Overview, Subgraph
from graph.view import ExplorerView
from loaders.spreadsheet import neutralise

__all__ = [
    "keep_layouts",
    "separate",
    "separation_rounds",
    "label_box",
    "KIND_ORDER",
    "KIND_STYLE",
    "SECTOR_COLOURS",
    "short_label",
    "view_elements",
    "overview_elements",
    "explorer_elements",
    "positions",
    "stylesheet",
    "legend_entries",
    "csv_tables",
    "safe_cell",
    "kinds_in",
    "apply_metrics",
    "merge_duplicates",
    "METRIC_SCALE",
    "COMMUNITY_COLOURS",
    "label_font",
    "fit_font",
]

#: Inner to outer ring / top to bottom order of kinds.
KIND_ORDER = ("land", "country", "programme", "theme", "project", "institution", "contact", "event")

#: kind → (cytoscape shape, fill colour)
KIND_STYLE: dict[str, tuple[str, str]] = {
    "land": ("round-rectangle", "#12355b"),
    "country": ("hexagon", "#2f7d4f"),
    "institution": ("ellipse", "#7f8c99"),
    "project": ("diamond", "#c25e00"),
    "theme": ("octagon", "#7b3f99"),
    "programme": ("star", "#8a6d00"),
    "contact": ("ellipse", "#b0bcc8"),
    "event": ("triangle", "#c2185b"),
}

#: institution sector → fill colour (Okabe–Ito, distinguishable for colour-blind readers)
SECTOR_COLOURS: dict[str, str] = {
    "science": "#0072B2",
    "civil_society": "#009E73",
    "business": "#E69F00",
    "public_administration": "#CC79A7",
    "implementing_agency": "#D55E00",
    "other": "#56B4E9",
    "unknown": "#999999",
}

LABEL_CHARS = 28


def short_label(text: str, limit: int = LABEL_CHARS) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis.

    >>> short_label("Bundesministerium für wirtschaftliche Zusammenarbeit", 20)
    'Bundesministerium f…'
    """
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _place(attrs: Mapping[str, Any], lang: str) -> str:
    """Where a node is: its city and its Land, or its country abroad (names
    from the reference tables, so a picture drawn from a store's partial
    answer names places like one drawn from the whole graph)."""
    parts = [str(attrs["city"])] if attrs.get("city") else []
    land, country = attrs.get("land"), attrs.get("country")
    if land:
        try:
            found = land_by_code(str(land))
            parts.append(found.name_en if lang == "en" else found.name_de)
        except KeyError:
            parts.append(str(land))
    elif country:
        try:
            found = country_by_alpha3(str(country))
            parts.append(found.name_en if lang == "en" else found.name_de)
        except KeyError:
            parts.append(str(country))
    return ", ".join(dict.fromkeys(parts))


def _node_data(g: PartnerGraph, nid: str, lang: str) -> tuple[dict[str, Any], list[str]]:
    attrs = g.nx.nodes[nid]
    kind = attrs["kind"]
    name = g.label(nid, lang)
    # full name, kind and place travel with the node for the hover tooltip
    data = {"id": nid, "label": short_label(name), "name": name, "kind": kind,
            "kindLabel": domain_label("kind", kind, lang), "place": _place(attrs, lang)}
    classes = [f"kind-{kind}"]
    if kind == "institution":
        sector = attrs.get("sector") or "unknown"
        data["sector"] = sector
        classes.append(f"sector-{sector}")
    return data, classes


def tooltip_lines(g: PartnerGraph, nid: str, lang: str = "de") -> list[str]:
    """The hover tooltip of node ``nid`` of ``g``: its full name, then its kind
    and place (asked of the server on hover, so the view's elements need not
    carry them: ~100 bytes less per node).

    >>> g = PartnerGraph()
    >>> _ = g.add_node("institution", "u", label="Universität Hamburg, Institut für Wasserbau", land="DE-HH",
    ...                city="Hamburg", illustrative=True)
    >>> tooltip_lines(g, "institution:u", "en")
    ['Universität Hamburg, Institut für Wasserbau', 'Institution · Hamburg']
    """
    if nid not in g.nx:
        return []
    data, _ = _node_data(g, nid, lang)
    return [data["name"], " · ".join(x for x in (data["kindLabel"], data["place"]) if x)]


def view_elements(g: PartnerGraph, sub: Subgraph, *, lang: str = "de",
                  positions: Mapping[str, tuple[float, float]] | None = None,
                  focus: str | None = None, selected: str | None = None,
                  highlight: Iterable[str] = (), path_nodes: Iterable[str] = (),
                  path_edges: Iterable[frozenset[str]] = (), small: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Cytoscape elements of a detailed view.

    Node classes: ``kind-<kind>``, ``sector-<sector>`` (institutions),
    ``focus``, ``chosen`` (selected), ``highlight``, ``path``,
    ``small-label`` (label at the size the layout made room for, see
    :func:`small_labels`); with a path,
    everything off the path is ``faded``. Edge classes: ``edge-<kind>``,
    ``path``/``faded``.
    """
    highlight, pnodes, pedges, small = set(highlight), set(path_nodes), set(path_edges), set(small)
    out: list[dict[str, Any]] = []
    for nid in sub.nodes:
        data, classes = _node_data(g, nid, lang)
        for flag, on in (("focus", nid == focus), ("chosen", nid == selected), ("small-label", nid in small),
                         ("highlight", nid in highlight), ("path", nid in pnodes),
                         ("faded", bool(pnodes) and nid not in pnodes and nid not in highlight)):
            if on:
                classes.append(flag)
        el: dict[str, Any] = {"data": data, "classes": " ".join(classes)}
        if positions and nid in positions:
            x, y = positions[nid]
            el["position"] = {"x": round(x, 1), "y": round(y, 1)}
        out.append(el)
    for u, v, key in sub.edges:
        kind = key.partition(":")[0]  # an edge's key is its kind, or ``kind:discriminator``
        on_path = frozenset((u, v)) in pedges
        classes = [f"edge-{kind}"] + (["path"] if on_path else ["faded"] if pnodes else [])
        out.append({"data": {"id": f"{u}|{v}|{key}", "source": u, "target": v, "kind": kind},
                    "classes": " ".join(classes)})
    return out


#: Overview label size and force-layout spread: the overview is fitted to the
#: canvas, so a tighter layout with larger labels reads better at 1400 px.
OVERVIEW_FONT, OVERVIEW_SPREAD = 15, 0.7


def _overview_label(name: str, projects: int) -> tuple[str, float]:
    """Label and size of an overview node."""
    label = f"{short_label(name, 22)} · {projects}" if projects else short_label(name, 22)
    return label, round(22 + 9 * math.sqrt(projects), 1)


def overview_elements(g: PartnerGraph, ov: Overview, *, lang: str = "de",
                      positions: Mapping[str, tuple[float, float]] | None = None,
                      selected: str | None = None) -> list[dict[str, Any]]:
    """Cytoscape elements of the aggregated overview: node size grows with
    the number of projects, edge width with the projects linking two nodes;
    partnerships without projects are dashed."""
    out: list[dict[str, Any]] = []
    for n in ov.nodes:
        name = g.label(n.node_id, lang)
        label, size = _overview_label(name, n.projects)
        classes = f"kind-{n.kind} agg" + (" chosen" if n.node_id == selected else "")
        el: dict[str, Any] = {"data": {"id": n.node_id, "label": label, "name": name, "kind": n.kind,
                                       "projects": n.projects, "institutions": n.institutions, "size": size},
                              "classes": classes}
        if positions and n.node_id in positions:
            x, y = positions[n.node_id]
            el["position"] = {"x": round(x, 1), "y": round(y, 1)}
        out.append(el)
    for e in ov.edges:
        width = round(1.5 + 2.5 * math.sqrt(e.projects), 1) if e.projects else 1.5
        classes = "agg-edge" + (" partnership" if e.partnership else "") + ("" if e.projects else " no-projects")
        out.append({"data": {"id": f"{e.source}|{e.target}", "source": e.source, "target": e.target,
                             "projects": e.projects, "partnership": e.partnership, "width": width},
                    "classes": classes})
    return out


def explorer_elements(g: PartnerGraph, view: ExplorerView, *, lang: str = "de", layout: str = "cose",
                      focus: str | None = None, selected: str | None = None,
                      highlight: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Elements (with positions for ``layout``) of whatever ``view`` holds."""
    if view.overview is not None:
        ov = view.overview
        nodes = [n.node_id for n in ov.nodes]
        edges = [(e.source, e.target) for e in ov.edges]
        boxes = {n.node_id: label_box(*_overview_label(g.label(n.node_id, lang), n.projects), font_size=OVERVIEW_FONT)
                 for n in ov.nodes}
        pos = positions(nodes, edges, layout, weights={(e.source, e.target): e.projects + 1 for e in ov.edges},
                        spacing=1.0 if layout == "cose" else 1.8, spread=OVERVIEW_SPREAD, boxes=boxes)
        return overview_elements(g, ov, lang=lang, positions=pos, selected=selected)
    sub = view.subgraph
    assert sub is not None
    # roots depend on the focus and path only, so selecting a node never moves the picture
    in_view = set(sub.nodes)
    roots = [n for n in (focus, *(p[0] for p in view.paths)) if n and n in in_view]
    big = {"land": 30.0, "country": 30.0, "contact": 14.0}
    labels = {n: short_label(g.label(n, lang)) for n in sub.nodes}

    def boxes_at(font: float) -> dict[str, tuple[float, float]]:
        return {n: label_box(labels[n], 34.0 if n == focus else big.get(kind_of(n), 22.0), font) for n in sub.nodes}

    nodes, edges = list(sub.nodes), [(u, v) for u, v, _ in sub.edges]
    pos = positions(nodes, edges, layout, roots=roots, boxes=boxes_at(11.0))
    if layout == "breadthfirst":
        # the fitted view's labels grow with the picture (label_font): lay out again with boxes at
        # the size the labels will have, until that size no longer grows (a few rounds; at most 3×)
        font = 11.0
        for _ in range(8):
            need = fit_font(pos.values())
            if need <= font:
                break
            font = min(33.0, round(need * 1.05, 1))
            pos = positions(nodes, edges, layout, roots=roots, boxes=boxes_at(font))
    small = small_labels(nodes, edges, pos, keep={focus, selected, *highlight, *view.path_nodes}) \
        if layout == "cose" else set()
    return view_elements(g, sub, lang=lang, positions=pos, focus=focus, selected=selected, highlight=highlight,
                         path_nodes=view.path_nodes, path_edges=view.path_edges, small=small)


# -------------------------------------------------------------------- layout
def _kind_rank(nid: str) -> int:
    try:
        return KIND_ORDER.index(kind_of(nid).value)
    except ValueError:
        return len(KIND_ORDER)


def positions(nodes: list[str], edges: list[tuple[str, str]], layout: str = "cose", *,
              roots: Iterable[str] = (), weights: Mapping[tuple[str, str], float] | None = None,
              seed: int = 7, spacing: float = 1.0, spread: float = 1.0,
              boxes: Mapping[str, tuple[float, float]] | None = None) -> dict[str, tuple[float, float]]:
    """Deterministic node positions (pixels) for ``layout``:

    * ``cose`` — force-directed (igraph Fruchterman–Reingold, fixed seed);
    * ``concentric`` — the first root (focus) in the centre, then one ring per
      kind, Länder inside (:data:`KIND_ORDER`);
    * ``breadthfirst`` — hierarchical layers by distance from ``roots``
      (or from the first kind present in :data:`KIND_ORDER`).

    The same view always gets the same picture, so a copied URL looks the same.
    ``spacing`` scales the distances (the overview's big nodes need more room).
    ``boxes`` (node id → width, height of node and label, see :func:`label_box`):
    the force layout moves nodes apart until these do not overlap.
    ``spread`` scales the force layout before that separation (below 1: a
    tighter picture that still keeps labels apart, so the fitted view zooms
    in further).

    >>> pos = positions(["land:DE-HE", "country:TZA"], [("land:DE-HE", "country:TZA")], "concentric")
    >>> pos["land:DE-HE"]
    (0.0, 0.0)
    """
    nodes = list(dict.fromkeys(nodes))
    if not nodes:
        return {}
    edges, roots = list(edges), list(roots)
    key = hashlib.blake2b(repr((nodes, edges, layout, roots, sorted((weights or {}).items()), seed, spacing, spread,
                                sorted((boxes or {}).items()))).encode(), digest_size=20).digest()
    with _POSITIONS_LOCK:
        hit = _POSITIONS.get(key)
        if hit is not None:
            _POSITIONS.move_to_end(key)
            return dict(hit)
    shared = _KEPT[0]
    pos = shared.get(key, nodes) if shared is not None else None
    if pos is None:
        pos = _positions(nodes, edges, layout, roots, weights, seed, spacing, spread, boxes)
        if shared is not None:
            shared.put(key, nodes, pos)
    with _POSITIONS_LOCK:
        _POSITIONS[key] = pos
        while len(_POSITIONS) > POSITIONS_CACHE:
            _POSITIONS.popitem(last=False)
    return dict(pos)


#: Laid-out views kept (most recently used, per process): back/forward, a
#: repeated link or a click that changes only the selection or the details
#: panel is free. The layouts are pure functions of their input, so a digest
#: of the input is the key (a 1,500-element view's positions take ~60 KB).
POSITIONS_CACHE = 256
_POSITIONS: "OrderedDict[bytes, dict[str, tuple[float, float]]]" = OrderedDict()
_POSITIONS_LOCK = threading.Lock()
#: Where laid-out views are kept for every serving process and the next start
#: (a ``loaders.kept_layouts.KeptLayouts``; None: only this process's cache).
_KEPT: list[Any] = [None]


def keep_layouts(store: Any) -> None:
    """Read and keep laid-out views in ``store`` (``get(key, nodes)`` /
    ``put(key, nodes, positions)``, e.g. :class:`loaders.kept_layouts.KeptLayouts`),
    or in this process only (None): serve sets it before forking its workers,
    so a view one worker laid out is read by the others."""
    _KEPT[0] = store


def _positions(nodes: list[str], edges: list[tuple[str, str]], layout: str, roots: list[str],
               weights: Mapping[tuple[str, str], float] | None, seed: int, spacing: float, spread: float,
               boxes: Mapping[str, tuple[float, float]] | None) -> dict[str, tuple[float, float]]:
    """:func:`positions` without the cache."""
    if layout == "concentric":
        pos = _concentric(nodes, next(iter(roots), None))
    elif layout == "breadthfirst":
        pos = _layered(nodes, edges, list(roots), boxes or {})
    else:
        pos = _force(nodes, edges, weights or {}, seed, boxes or {}, spread)
    if spacing != 1.0:
        pos = {n: (round(x * spacing, 1) + 0.0, round(y * spacing, 1) + 0.0) for n, (x, y) in pos.items()}
    return pos


#: igraph's layouts draw from one process-wide random number generator; the
#: force layout reseeds it under this lock so the same view always gets the
#: same picture (a copied URL looks the same), whatever ran before.
_LAYOUT_LOCK = threading.Lock()


def _iterations(n: int) -> int:
    """Force-layout iterations for a component of ``n`` nodes: enough to
    untangle small views, fewer for big ones (the cost grows with n²·iterations
    and a big view is read by its clusters, not by single nodes; 90 instead of
    150 iterations at 250–399 nodes looked the same and saved ~15 ms per view,
    and so did they at 100–249 nodes, the crowded core of most radius-2 views
    at 300k: 10 instead of 15 ms per view)."""
    return 300 if n < 100 else 90 if n < 400 else 60


def _spring(nodes: list[str], edges: list[tuple[str, str, float]], seed: int) -> np.ndarray:
    """Fruchterman–Reingold positions (igraph, compiled) of one connected
    component, scaled to about [-1, 1]; deterministic for the same input."""
    index = {n: i for i, n in enumerate(nodes)}
    graph = ig.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v, _ in edges])
    start = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(len(nodes), 2))
    with _LAYOUT_LOCK:
        ig.set_random_number_generator(random.Random(seed))
        try:
            coords = graph.layout_fruchterman_reingold(
                seed=start.tolist(), niter=_iterations(len(nodes)), weights=[w for _, _, w in edges],
                grid="nogrid" if len(nodes) < 1000 else "grid").coords
        finally:
            ig.set_random_number_generator(random)
    xy = np.asarray(coords, dtype=float)
    xy -= (xy.max(axis=0) + xy.min(axis=0)) / 2
    extent = float(np.abs(xy).max())
    return xy / extent if extent > 0 else xy


def _components(nodes: list[str], edges: list[tuple[str, str]], weights: Mapping[tuple[str, str], float]
                ) -> tuple[dict[tuple[str, str], float], dict[int, list[str]], dict[int, list[tuple[str, str, float]]]]:
    """The simple undirected graph of ``edges`` (pair → weight; the last
    weight of a repeated pair wins) and its connected components (igraph,
    compiled): component number → members, component number → ``(u, v,
    weight)`` edges. The numbering and the order inside carry no meaning
    (callers sort).

    >>> simple, members, comp_edges = _components(["a", "b", "c", "d"], [("b", "a"), ("a", "b"), ("c", "c")], {})
    >>> sorted(sorted(m) for m in members.values()), sorted(comp_edges.values())
    ([['a', 'b'], ['c'], ['d']], [[('a', 'b', 1.0)]])
    """
    simple: dict[tuple[str, str], float] = {}
    for u, v in edges:
        if u != v:
            simple[(u, v) if u < v else (v, u)] = float(weights.get((u, v), 1.0))
    index = {n: i for i, n in enumerate(dict.fromkeys([*nodes, *(n for pair in simple for n in pair)]))}
    membership = ig.Graph(n=len(index), edges=[(index[u], index[v]) for u, v in simple]).connected_components().membership
    members: dict[int, list[str]] = defaultdict(list)
    for n, comp in zip(index, membership):
        members[comp].append(n)
    comp_edges: dict[int, list[tuple[str, str, float]]] = defaultdict(list)
    for (u, v), w in simple.items():
        comp_edges[membership[index[u]]].append((u, v, w))
    return simple, members, comp_edges


def small_labels(nodes: list[str], edges: list[tuple[str, str]], pos: Mapping[str, tuple[float, float]], *,
                 keep: Iterable[str | None] = ()) -> set[str]:
    """Nodes of a force-laid view whose labels keep the size the layout made
    room for (class ``small-label``) instead of growing with the fitted view
    (:func:`label_font`): the leaves of every disc (:func:`disc_leaves`),
    and — when the labels would grow by :data:`CROWDED_FONT_GROWTH` or more,
    i.e. run into each other — every node but those a reader orients by:
    ``keep`` (focus, selection, highlights, path), Länder, partner countries
    and hubs (≥ :data:`LEAF_DISC_MIN` edges in the view). At the fitted zoom
    those show as dots; zoomed in, their labels read without overlap.

    >>> ring = [f"institution:i{k:03d}" for k in range(150)]
    >>> edges = [(n, "land:DE-NI") for n in ring] + [(ring[k], ring[k + 1]) for k in range(149)]
    >>> far = {n: (float(k * 40), 0.0) for k, n in enumerate(ring)} | {"land:DE-NI": (0.0, 0.0)}
    >>> small = small_labels(ring + ["land:DE-NI"], edges, far, keep=["institution:i007"])
    >>> len(small), "land:DE-NI" in small, "institution:i007" in small
    (149, False, False)
    """
    nodes = list(dict.fromkeys(nodes))
    if len(nodes) < CROWDED_NODES:
        return set()
    small = disc_leaves(nodes, edges)
    if fit_font(pos.values()) < CROWDED_FONT_GROWTH * DISC_FONT:
        return small
    degree: Counter[str] = Counter()
    for u, v in edges:
        degree[u] += 1
        degree[v] += 1
    kept = set(keep)
    return small | {n for n in nodes if n not in kept and degree[n] < LEAF_DISC_MIN
                    and n.partition(":")[0] not in ("land", "country")}


def disc_leaves(nodes: list[str], edges: list[tuple[str, str]]) -> set[str]:
    """The nodes the force layout draws in a hub's disc (:func:`_leaf_discs`).
    Their labels keep the base size (:func:`small_labels`): a fitted view of
    hundreds of leaves shows them as dots, zoomed in their rows read without
    overlap (grown labels would run into each other).

    >>> sorted(disc_leaves(["h"] + [f"l{i:03d}" for i in range(120)], [(f"l{i:03d}", "h") for i in range(120)]))[:2]
    ['l000', 'l001']
    """
    if len(nodes) < CROWDED_NODES:
        return set()
    _, members, comp_edges = _components(list(dict.fromkeys(nodes)), edges, {})
    out: set[str] = set()
    for root, comp in members.items():
        if len(comp) >= CROWDED_NODES:
            for leaves in _leaf_discs(sorted(comp), sorted(comp_edges[root])).values():
                out.update(leaves)
    return out


def _force(nodes: list[str], edges: list[tuple[str, str]], weights: Mapping[tuple[str, str], float],
           seed: int, boxes: Mapping[str, tuple[float, float]], spread: float = 1.0) -> dict[str, tuple[float, float]]:
    """Force-directed layout per connected component (igraph's compiled
    Fruchterman–Reingold from a seeded start, so it is deterministic); the
    largest component comes first, the others are packed in rows below it so
    small islands do not force a tiny zoom."""
    simple, members, comp_edges = _components(nodes, edges, weights)
    comps = sorted(((sorted(c), r) for r, c in members.items()), key=lambda c: (-len(c[0]), c[0][0]))
    placed: list[tuple[dict[str, tuple[float, float]], float, float]] = []
    for comp, comp_root in comps:
        n = len(comp)
        if n == 1:
            local = {comp[0]: (0.0, 0.0)}
        elif n == 2:
            local = separate({comp[0]: (-45.0, 0.0), comp[1]: (45.0, 0.0)}, boxes=boxes)
        else:
            sub_edges = sorted(comp_edges[comp_root])
            discs = _leaf_discs(comp, sub_edges) if n >= CROWDED_NODES else {}
            if discs:
                local = _hubs_with_discs(comp, sub_edges, discs, seed, boxes, spread)
            else:
                scale = (70.0 * math.sqrt(n) + 40.0) * spread
                raw = _spring(comp, sub_edges, seed)
                crowded = n >= CROWDED_NODES
                local = separate({nid: (float(x) * scale, float(y) * scale) for nid, (x, y) in zip(comp, raw)},
                                 boxes=boxes, inflate=CROWDED_INFLATE if crowded else 1.0,
                                 relax=1.0 if crowded else 0.5)
        xs = [p[0] for p in local.values()]
        ys = [p[1] for p in local.values()]
        x0, y0 = min(xs), min(ys)
        local = {nid: (x - x0, y - y0) for nid, (x, y) in local.items()}
        placed.append((local, max(xs) - x0, max(ys) - y0))
    if 1 < len(placed) <= NESTLE_MAX_ISLANDS and len(nodes) <= NESTLE_MAX_NODES:
        return _nestle_islands(placed, boxes)
    # Many islands: the largest component gets the first row to itself; the
    # smaller islands follow in rows below it, no wider than it (or 500 px),
    # so they neither widen the picture nor shrink the fitted zoom.
    width_limit = max(500.0, placed[0][1])
    out: dict[str, tuple[float, float]] = {}
    x = y = row_h = 0.0
    gap = 90.0
    for i, (local, w, h) in enumerate(placed):
        if x > 0 and (i == 1 or x + w > width_limit):
            x, y, row_h = 0.0, y + row_h + gap, 0.0
        for nid, (px, py) in local.items():
            out[nid] = (round(px + x, 1), round(py + y, 1))
        x += w + gap
        row_h = max(row_h, h)
    return out


#: A node with at least this many leaves (neighbours linked to nothing else
#: in the view) in a crowded component gets them as a disc around it.
LEAF_DISC_MIN = 12
#: Label size of a disc's leaves (layout units): the size their rows are laid
#: out for, whatever size the view's other labels grow to (:func:`label_font`);
#: also of every ``small-label`` node (:func:`small_labels`).
DISC_FONT = 11.0
#: A crowded view whose labels would grow by this factor or more to read at
#: the fitted zoom keeps most of them at :data:`DISC_FONT` (:func:`small_labels`).
CROWDED_FONT_GROWTH = 1.5
#: Gaps between the labels of a disc's rows (pixels at zoom 1): beside each
#: other, and between rows.
DISC_GAP_X, DISC_GAP_Y = 16.0, 6.0
#: Space between a disc and its neighbours (pixels at zoom 1).
DISC_GAP = 60.0


def _leaf_discs(comp: list[str], edges: list[tuple[str, str, float]]) -> dict[str, list[str]]:
    """Hub → its leaves, for hubs with at least :data:`LEAF_DISC_MIN` leaves.

    A leaf has one neighbour in the component. An expanded country or theme
    at 100k brings hundreds of projects that hang only on it; a force layout
    spends its time (quadratic in the nodes) to spread them into a disc
    around their hub, which :func:`_hubs_with_discs` draws directly.

    >>> edges = [("hub", f"leaf{i:02d}", 1.0) for i in range(12)] + [("hub", "x", 1.0), ("x", "y", 1.0)]
    >>> discs = _leaf_discs(["hub", "x", "y"] + [f"leaf{i:02d}" for i in range(12)], edges)
    >>> list(discs), len(discs["hub"])
    (['hub'], 12)
    """
    neighbours: dict[str, list[str]] = defaultdict(list)
    for u, v, _ in edges:
        neighbours[u].append(v)
        neighbours[v].append(u)
    by_hub: dict[str, list[str]] = defaultdict(list)
    for nid in comp:
        near = neighbours.get(nid, ())
        if len(near) == 1 and len(neighbours[near[0]]) > 1:
            by_hub[near[0]].append(nid)
    return {hub: leaves for hub, leaves in by_hub.items() if len(leaves) >= LEAF_DISC_MIN}


def _hubs_with_discs(comp: list[str], edges: list[tuple[str, str, float]], discs: Mapping[str, list[str]],
                     seed: int, boxes: Mapping[str, tuple[float, float]], spread: float) -> dict[str, tuple[float, float]]:
    """A crowded component drawn as its core (force layout of every node but
    the hubs' disc leaves) with each hub's leaves in rows filling a disc
    around it (:func:`_disc_rows`): the picture a force layout converges to, at a fraction of its cost
    (an expanded country of 711 nodes: a force layout of 30 nodes instead of
    711). The core is stretched until no two discs cover each other, core
    nodes inside a disc move to its rim, and a last :func:`separate` moves
    labels that still touch."""
    in_disc = {leaf for leaves in discs.values() for leaf in leaves}
    core = [nid for nid in comp if nid not in in_disc]
    default = (MIN_DX, MIN_DY)
    rows = {hub: _disc_rows([boxes.get(leaf, default) for leaf in leaves], boxes.get(hub, default))
            for hub, leaves in discs.items()}
    radius = {hub: r for hub, (r, _) in rows.items()}
    if len(core) >= 3:
        scale = (70.0 * math.sqrt(len(core)) + 40.0) * spread * (CROWDED_INFLATE if len(core) >= CROWDED_NODES else 1.0)
        raw = _spring(core, [e for e in edges if e[0] not in in_disc and e[1] not in in_disc], seed)
        placed = {nid: (float(x) * scale, float(y) * scale) for nid, (x, y) in zip(core, raw)}
    else:
        placed = {nid: (90.0 * k, 0.0) for k, nid in enumerate(core)}
    # stretch the core until no two discs cover each other (few hubs: few pairs) ...
    hubs = sorted(radius)
    stretch = 1.0
    for k, a in enumerate(hubs):
        for b in hubs[k + 1:]:
            d = math.hypot(placed[a][0] - placed[b][0], placed[a][1] - placed[b][1])
            stretch = max(stretch, (radius[a] + radius[b] + DISC_GAP) / max(d, 1.0))
    placed = {nid: (x * stretch, y * stretch) for nid, (x, y) in placed.items()}
    # ... and move the other core nodes that sit inside a disc out to its rim
    for nid in core:
        if nid in radius:
            continue
        x, y = placed[nid]
        for hub in hubs:
            hx, hy = placed[hub]
            d = math.hypot(x - hx, y - hy)
            rim = radius[hub] + max(boxes.get(nid, default)) / 2 + DISC_GAP
            if d < rim:
                ux, uy = ((x - hx) / d, (y - hy) / d) if d > 1e-9 else (0.0, -1.0)
                x, y = hx + ux * rim, hy + uy * rim
        placed[nid] = (x, y)
    for hub, leaves in discs.items():
        hx, hy = placed[hub]
        for leaf, (dx, dy) in zip(leaves, rows[hub][1]):
            placed[leaf] = (hx + dx, hy + dy)
    return separate(placed, boxes=boxes, relax=1.0)



def _disc_rows(leaf_boxes: list[tuple[float, float]], hub_box: tuple[float, float]) -> tuple[float, list[tuple[float, float]]]:
    """Radius and offsets (from the hub) of leaves laid in rows that fill a
    circle around the hub, each label beside the next: no two boxes overlap
    by construction, so nothing is left for :func:`separate` to untangle.
    The circle grows from the leaves' total area until they all fit.

    >>> r, offsets = _disc_rows([(60.0, 30.0)] * 40, (30.0, 30.0))
    >>> len(offsets), all(abs(dx) + 30 <= r + 1e-9 and abs(dy) + 15 <= r + 1e-9 for dx, dy in offsets)
    (40, True)
    """
    height = max(h for _, h in leaf_boxes) + DISC_GAP_Y
    area = sum((w + DISC_GAP_X) * height for w, _ in leaf_boxes)
    radius = max(math.sqrt(area / math.pi), max(hub_box) + height)
    hole = hub_box[0] / 2 + DISC_GAP_X  # the hub's own place in the middle row
    while True:
        offsets: list[tuple[float, float]] = []
        k, band = 0, int(radius // height)
        for row in range(-band, band + 1):
            y = row * height
            edge = abs(y) + height / 2  # the row's edge farther from the centre is the narrower one
            if edge > radius:
                continue
            half = math.sqrt(radius * radius - edge * edge)
            segments = [(-half, -hole), (hole, half)] if abs(y) < (hub_box[1] + height) / 2 else [(-half, half)]
            for lo, hi in segments:
                start, x = k, lo
                while k < len(leaf_boxes) and x + leaf_boxes[k][0] <= hi:
                    x += leaf_boxes[k][0] + DISC_GAP_X
                    k += 1
                shift = (hi - (x - DISC_GAP_X)) / 2 if k > start else 0.0  # centre the row in its segment
                x = lo + shift
                for w, _ in leaf_boxes[start:k]:
                    offsets.append((x + w / 2, y))
                    x += w + DISC_GAP_X
        if k == len(leaf_boxes):
            return radius, offsets
        radius *= 1.08


#: Up to this many components and nodes (the overview of Länder and partner
#: countries), the islands are nestled into the free space around the largest
#: one (:func:`_nestle_islands`); beyond, they go in rows below it.
NESTLE_MAX_ISLANDS, NESTLE_MAX_NODES = 16, 200
#: Aspect ratio (width / height) of the canvas the overview is fitted to (the
#: Netzwerk graph panel is about 700 × 660 px at 1400 px).
CANVAS_ASPECT = 1.1


def _nestle_islands(placed: list[tuple[dict[str, tuple[float, float]], float, float]],
                    boxes: Mapping[str, tuple[float, float]], *, gap: float = 30.0,
                    step: float = 15.0) -> dict[str, tuple[float, float]]:
    """Place the largest component, then each smaller island (turned by 0, 90,
    180 or 270 degrees) where it fits the canvas best: in a free corner of the
    picture if there is room (its node boxes at least ``gap`` from every placed
    box), else where the picture grows least for a canvas of
    :data:`CANVAS_ASPECT`. A few islands (a Land linked only to its own partner
    countries) then no longer add rows below the main picture and shrink the
    fitted zoom. Deterministic; a vectorised grid search over offsets (a few
    ms for the overview).
    """
    def rects(local: Mapping[str, tuple[float, float]]) -> np.ndarray:
        return np.array([(x - bw / 2, y - bh / 2, x + bw / 2, y + bh / 2)
                         for nid, (x, y) in sorted(local.items()) for bw, bh in [boxes.get(nid, (MIN_DX, MIN_DY))]],
                        dtype=float)

    def best_offset(own: np.ndarray, taken: np.ndarray) -> tuple[tuple[bool, float, float], float, float]:
        # occupancy rasters (cells of ``step`` px, conservative: a free cell is truly free) of the
        # placed boxes grown by the gap and of the island; their correlation counts the clashes of
        # every offset of the island's corner on the grid (FFT: a few ms)
        own = own - np.r_[own[:, :2].min(axis=0), own[:, :2].min(axis=0)]
        size = own[:, 2:].max(axis=0)
        lo, hi = taken[:, :2].min(axis=0), taken[:, 2:].max(axis=0)
        origin = lo - size - gap
        shape = np.ceil((hi + gap - origin) / step).astype(int) + 1
        occupied = np.zeros(shape[::-1])
        for x0, y0, x1, y1 in taken:
            i0, j0 = np.floor((np.array([x0, y0]) - gap - origin) / step).astype(int)
            i1, j1 = np.ceil((np.array([x1, y1]) + gap - origin) / step).astype(int)
            occupied[max(j0, 0):j1, max(i0, 0):i1] = 1.0
        mask = np.zeros(np.ceil(size[::-1] / step).astype(int) + 1)
        for x0, y0, x1, y1 in own:
            mask[int(y0 // step):int(np.ceil(y1 / step)), int(x0 // step):int(np.ceil(x1 / step))] = 1.0
        clash = convolve_valid(occupied, mask[::-1, ::-1]) > 0.5  # (rows = y, cols = x)
        jy, ix = np.mgrid[0:clash.shape[0], 0:clash.shape[1]]
        cx, cy = origin[0] + ix.ravel() * step, origin[1] + jy.ravel() * step
        clash = clash.ravel()
        w = np.maximum(hi[0], cx + size[0]) - np.minimum(lo[0], cx)
        h = np.maximum(hi[1], cy + size[1]) - np.minimum(lo[1], cy)
        zoom = np.round(np.minimum(CANVAS_ASPECT / w, 1.0 / h), 9)
        centre = (lo + hi) / 2
        dist = np.hypot(cx + size[0] / 2 - centre[0], cy + size[1] / 2 - centre[1])
        i = int(np.lexsort((dist, -zoom, clash))[0])  # free first, then the best zoom, then central
        return (bool(clash[i]), -float(zoom[i]), float(dist[i])), float(cx[i]), float(cy[i])

    out = dict(placed[0][0])
    taken = rects(out)
    turns = (lambda x, y: (x, y), lambda x, y: (-y, x), lambda x, y: (-x, -y), lambda x, y: (y, -x))
    for local, _, _ in placed[1:]:
        options = []
        for turn in turns:
            variant = {nid: turn(x, y) for nid, (x, y) in local.items()}
            if turn is not turns[0]:  # turned boxes (wider than tall) may touch: part them again
                variant = separate(variant, boxes=boxes)
            own = rects(variant)
            score, dx, dy = best_offset(own, taken)  # where the island's top-left corner goes
            dx, dy = dx - own[:, 0].min(), dy - own[:, 1].min()
            options.append((score, variant, dx, dy))
        _, variant, dx, dy = min(options, key=lambda o: o[0])
        moved_local = {nid: (x + dx, y + dy) for nid, (x, y) in variant.items()}
        out.update(moved_local)
        taken = np.vstack([taken, rects(moved_local)])
    x0 = min(x for x, _ in out.values())
    y0 = min(y for _, y in out.values())
    return {nid: (round(float(x - x0), 1), round(float(y - y0), 1)) for nid, (x, y) in out.items()}


#: Default box a node needs in the force layout (pixels at zoom 1): its label
#: sits below it and is wider than tall.
MIN_DX, MIN_DY = 84.0, 34.0


def convolve_valid(a: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """2-D convolution of ``a`` with a smaller ``kernel``, only where the kernel
    fits entirely (``scipy.signal.fftconvolve(..., mode="valid")``), by FFT with
    numpy alone: importing ``scipy.signal`` costs about a second at every start.

    >>> a = np.arange(12.0).reshape(3, 4); k = np.array([[1.0, 0.0], [0.0, 2.0]])
    >>> np.round(convolve_valid(a, k), 6).tolist()
    [[5.0, 8.0, 11.0], [17.0, 20.0, 23.0]]
    """
    shape = (a.shape[0] + kernel.shape[0] - 1, a.shape[1] + kernel.shape[1] - 1)
    full = np.fft.irfft2(np.fft.rfft2(a, shape) * np.fft.rfft2(kernel, shape), shape)
    return full[kernel.shape[0] - 1:a.shape[0], kernel.shape[1] - 1:a.shape[1]]


def label_box(label: str, size: float = 22.0, font_size: float = 11.0) -> tuple[float, float]:
    """Width and height of a node with its label below it (rough text metrics).

    >>> label_box("Hessen")
    (45.6, 39.0)
    """
    return (round(max(size, 0.6 * font_size * len(label)) + 6, 1), round(size + font_size + 6, 1))


#: Work budget of :func:`separate` in node-rounds: small views get up to 300
#: rounds (they converge), big ones fewer — a crowded view of hundreds of
#: nodes keeps some overlaps even after 300 rounds, and each round costs
#: time in proportion to its size (the few overlaps that 300 rounds would
#: remove are not worth doubling the request time). 45,000 since the
#: candidate pairs come from a sweep (rounds at half the cost): on the 60
#: crowded components of 60 radius-2 views at 300k, 709 overlapping pairs are
#: left in all (1,904 with 30,000 rounds over a k-d tree), at 17 ms per view
#: instead of 28.
SEPARATE_BUDGET = 45_000


def separation_rounds(n: int) -> int:
    """Rounds :func:`separate` spends on ``n`` nodes by default.

    >>> separation_rounds(50), separation_rounds(500), separation_rounds(1500)
    (300, 90, 40)
    """
    return max(40, min(300, SEPARATE_BUDGET // max(n, 1)))


#: Components of this many nodes and more are crowded: a hub's neighbours sit
#: on top of each other, and pushing pairs apart by half their overlap does not
#: settle within the round budget (measured on 28 expanded views of 100–715
#: nodes at 100k: all kept overlaps, 6,244 pairs in all, 37 ms each). Spread
#: first by :data:`CROWDED_INFLATE` and pushed by the whole overlap, they
#: settle: 138 pairs left in 5 views, 15 ms each; the picture is ~25 % wider.
CROWDED_NODES = 100
CROWDED_INFLATE = 1.3


def close_pairs(x: np.ndarray, y: np.ndarray, reach_x: float, reach_y: float) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs ``(i, j)`` of points closer than ``reach_x`` in x and
    ``reach_y`` in y, each pair once, by one sweep along the axis on which the
    points spread wider (relative to the reach): sorted along it, each point's
    candidates are the next points up to the reach, and the other axis filters
    them. For the few hundred points of a view this costs about half of
    building and querying a k-d tree (which :func:`separate` did in every
    round), and the pairs come in a fixed order.

    >>> i, j = close_pairs(np.array([0.0, 5.0, 50.0, 52.0]), np.array([0.0, 1.0, 0.0, 30.0]), 10.0, 10.0)
    >>> sorted(zip(i.tolist(), j.tolist()))
    [(0, 1)]
    """
    if len(x) < 2:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    if (y.max() - y.min()) * reach_x > (x.max() - x.min()) * reach_y:  # sweep along y: fewer candidates per point
        return _sweep(y, x, reach_y, reach_x)
    return _sweep(x, y, reach_x, reach_y)


def _sweep(a: np.ndarray, b: np.ndarray, reach_a: float, reach_b: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`close_pairs` along ``a``."""
    order = np.argsort(a, kind="stable")
    along = a[order]
    ahead = np.searchsorted(along, along + reach_a, side="left") - np.arange(1, len(a) + 1)
    total = int(ahead.sum())
    if total <= 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    first = np.repeat(np.arange(len(a)), ahead)
    # the k-th candidate of a point is the k-th point after it in the sorted order
    second = np.arange(total) - np.repeat(np.cumsum(ahead) - ahead, ahead) + first + 1
    i, j = order[first], order[second]
    near = np.abs(b[j] - b[i]) < reach_b
    return i[near], j[near]


def separate(pos: Mapping[str, tuple[float, float]], *, boxes: Mapping[str, tuple[float, float]] | None = None,
             rounds: int | None = None, inflate: float = 1.0, relax: float = 0.5) -> dict[str, tuple[float, float]]:
    """Move nodes apart until their boxes (node plus label, ``boxes[id] =
    (width, height)``, default ``(MIN_DX, MIN_DY)``) no longer overlap: a
    spring layout leaves a hub's neighbours on top of each other and their
    labels unreadable. Each overlapping pair is pushed apart along the axis
    where the overlap is smaller. Deterministic; candidate pairs come from a
    sweep (:func:`close_pairs`), so a few thousand nodes stay cheap. At most
    ``rounds`` rounds (default :func:`separation_rounds`). ``inflate`` first
    spreads the picture from its centre; each pair moves apart by ``relax``
    times its overlap (half by default: both ends move, so together the whole
    overlap).

    >>> out = separate({"a": (0.0, 0.0), "b": (10.0, 0.0)})
    >>> (ax, ay), (bx, by) = out["a"], out["b"]
    >>> abs(bx - ax) >= MIN_DX or abs(by - ay) >= MIN_DY
    True
    """
    names = sorted(pos)
    if len(names) < 2:
        return {n: (float(pos[n][0]), float(pos[n][1])) for n in names}
    xy = np.array([pos[n] for n in names], dtype=float)
    if inflate != 1.0:
        centre = xy.mean(axis=0)
        xy = centre + (xy - centre) * inflate
    half = np.array([(boxes or {}).get(n, (MIN_DX, MIN_DY)) for n in names], dtype=float) / 2
    reach_x, reach_y = 2 * half.max(axis=0)
    x, y, half_w, half_h, n = xy[:, 0].copy(), xy[:, 1].copy(), half[:, 0], half[:, 1], len(names)
    for _ in range(separation_rounds(n) if rounds is None else rounds):
        i, j = close_pairs(x, y, reach_x, reach_y)
        dx, dy = x[j] - x[i], y[j] - y[i]
        over_x, over_y = half_w[i] + half_w[j] - np.abs(dx), half_h[i] + half_h[j] - np.abs(dy)
        hit = np.flatnonzero((over_x > 0) & (over_y > 0))  # both axes overlap: the boxes do
        if not hit.size:
            break
        i, j, dx, dy, over_x, over_y = i[hit], j[hit], dx[hit], dy[hit], over_x[hit], over_y[hit]
        along_y = over_y < over_x  # push along the cheaper axis
        sign = np.sign(np.where(along_y, dy, dx))
        level = sign == 0
        if level.any():  # coincident: a deterministic side
            sign[level] = np.where((i[level] % 2) == 0, 1.0, -1.0)
        push = sign * (np.where(along_y, over_y, over_x) * relax + 0.5)
        # every pair's push, summed per node (all i-sides, then all j-sides)
        ends, push_x, push_y = np.concatenate((i, j)), np.where(along_y, 0.0, push), np.where(along_y, push, 0.0)
        x += np.bincount(ends, np.concatenate((-push_x, push_x)), minlength=n)
        y += np.bincount(ends, np.concatenate((-push_y, push_y)), minlength=n)
    return {name: (float(a), float(b)) for name, a, b in zip(names, x, y)}


def _concentric(nodes: list[str], centre: str | None = None) -> dict[str, tuple[float, float]]:
    rings: dict[int, list[str]] = defaultdict(list)
    for nid in sorted(nodes):
        if nid != centre:
            rings[_kind_rank(nid)].append(nid)
    out: dict[str, tuple[float, float]] = {}
    radius = 0.0
    centre_taken = False
    if centre is not None and centre in nodes:
        out[centre] = (0.0, 0.0)
        centre_taken = True
    for rank in sorted(rings):
        ring = rings[rank]
        if not centre_taken and len(ring) == 1:
            radius, centre_taken = 0.0, True   # a lone innermost node sits in the centre
        else:
            # each ring wide enough for its nodes (~42 px apart) and outside the previous one
            radius = max(radius + 75.0, len(ring) * 42.0 / (2 * math.pi))
            centre_taken = True
        for j, nid in enumerate(ring):
            angle = 2 * math.pi * j / len(ring) - math.pi / 2
            out[nid] = (round(radius * math.cos(angle), 1) + 0.0, round(radius * math.sin(angle), 1) + 0.0)
    return out


#: Gaps between the label boxes of the hierarchical layout (pixels at zoom 1):
#: beside each other in a row, and between rows.
LAYER_GAP_X, LAYER_GAP_Y = 14.0, 16.0


def _layered(nodes: list[str], edges: list[tuple[str, str]], roots: list[str],
             boxes: Mapping[str, tuple[float, float]] | None = None) -> dict[str, tuple[float, float]]:
    """Layers by distance from ``roots``; within a layer nodes sit in rows
    spaced by their label boxes (``boxes``, default :data:`MIN_DX` ×
    :data:`MIN_DY`), so no two labels overlap; a row wraps at about the
    picture's height (the canvas is roughly square) and wrapped rows are
    staggered so edges do not run along them."""
    boxes = boxes or {}
    present = set(nodes)
    adj: dict[str, set[str]] = defaultdict(set)
    for u, v in edges:
        if u in present and v in present:
            adj[u].add(v)
            adj[v].add(u)
    roots = [r for r in roots if r in present][:1]
    if not roots:
        first = min(_kind_rank(n) for n in nodes)
        roots = sorted(n for n in nodes if _kind_rank(n) == first)
    depth = {r: 0 for r in roots}
    queue = deque(roots)
    while queue:
        cur = queue.popleft()
        for nb in sorted(adj[cur]):
            if nb not in depth:
                depth[nb] = depth[cur] + 1
                queue.append(nb)
    last = max(depth.values(), default=0)
    for nid in nodes:
        depth.setdefault(nid, last + 1)  # unreachable: one layer at the bottom
    layers: dict[int, list[str]] = defaultdict(list)
    for nid in nodes:
        layers[depth[nid]].append(nid)

    def box(nid: str) -> tuple[float, float]:
        w, h = boxes.get(nid, (MIN_DX, MIN_DY))
        return w + LAYER_GAP_X, h + LAYER_GAP_Y

    # rows about as wide as the whole picture is tall: the area of all boxes, as a square
    area = sum(w * h for w, h in map(box, nodes))
    row_limit = max(6 * 110.0, math.sqrt(area) * 1.3, max(box(n)[0] for n in nodes))
    rows: list[tuple[int, list[str]]] = []  # (layer, members)
    for d in sorted(layers):
        row: list[str] = []
        width = 0.0
        for nid in sorted(layers[d], key=lambda n: (_kind_rank(n), n)):
            w = box(nid)[0]
            if row and width + w > row_limit:
                rows.append((d, row))
                row, width = [], 0.0
            row.append(nid)
            width += w
        rows.append((d, row))
    out: dict[str, tuple[float, float]] = {}
    y = 0.0
    prev_layer, wrapped = None, 0
    for d, row in rows:
        wrapped = wrapped + 1 if d == prev_layer else 0
        if prev_layer is not None and d != prev_layer:
            y += 34.0  # a little more room between layers than between a layer's rows
        prev_layer = d
        widths = [box(n)[0] for n in row]
        total = sum(widths)
        x = -total / 2 + (min(widths) / 2 if wrapped % 2 else 0.0)  # stagger wrapped rows
        height = max(box(n)[1] for n in row)
        for nid, w in zip(row, widths):
            out[nid] = (round(x + w / 2, 1) + 0.0, round(y, 1) + 0.0)
            x += w
        y += max(height, 46.0)
    return out


# ---------------------------------------------------------------- stylesheet
def stylesheet(font_size: float = 11) -> list[dict[str, Any]]:
    """Cytoscape styles: shape and colour by kind, institutions coloured by
    sector, emphasis for focus/selection/highlight/path, aggregated sizes,
    metric size/colour; labels ``font_size`` (see :func:`label_font`)."""
    styles: list[dict[str, Any]] = [
        {"selector": "node", "style": {
            "label": "data(label)", "font-size": font_size, "color": "#1f2933", "text-valign": "bottom",
            "text-margin-y": 3, "text-background-color": "#ffffff", "text-background-opacity": 0.75,
            "text-background-padding": 1, "min-zoomed-font-size": 7, "width": 22, "height": 22,
            "border-width": 1, "border-color": "#ffffff"}},
        {"selector": "edge", "style": {
            "width": 1.2, "line-color": "#b8c4d0", "curve-style": "bezier", "target-arrow-shape": "triangle",
            "target-arrow-color": "#b8c4d0", "arrow-scale": 0.6, "opacity": 0.85}},
    ]
    for kind, (shape, colour) in KIND_STYLE.items():
        styles.append({"selector": f".kind-{kind}", "style": {"shape": shape, "background-color": colour}})
    for sector, colour in SECTOR_COLOURS.items():
        styles.append({"selector": f".sector-{sector}", "style": {"background-color": colour}})
    styles += [
        {"selector": ".kind-land, .kind-country", "style": {"width": 30, "height": 30, "font-weight": "bold"}},
        {"selector": ".kind-contact", "style": {"width": 14, "height": 14}},
        {"selector": ".edge-partners_with", "style": {"line-style": "dashed", "line-color": "#2f7d4f",
                                                       "target-arrow-color": "#2f7d4f"}},
        {"selector": ".edge-works_on, .edge-about", "style": {"line-color": "#d9cce3", "target-arrow-color": "#d9cce3"}},
        {"selector": ".agg", "style": {"width": "data(size)", "height": "data(size)", "font-size": OVERVIEW_FONT}},
        {"selector": ".small-label", "style": {"font-size": DISC_FONT}},
        {"selector": ".agg-edge", "style": {"width": "data(width)", "line-color": "#8fa7bf",
                                            "target-arrow-shape": "none", "opacity": 0.7}},
        {"selector": ".agg-edge.partnership", "style": {"line-style": "dashed", "line-color": "#2f7d4f"}},
        {"selector": ".agg-edge.no-projects", "style": {"opacity": 0.55}},
        {"selector": ".faded", "style": {"opacity": 0.25}},
        {"selector": ".highlight", "style": {"border-width": 4, "border-color": "#f2b705", "opacity": 1}},
        {"selector": ".focus", "style": {"border-width": 4, "border-color": "#1f2933", "width": 34, "height": 34}},
        {"selector": ".chosen", "style": {"border-width": 4, "border-color": "#e02020", "font-weight": "bold"}},
        {"selector": "node.path", "style": {"border-width": 4, "border-color": "#e02020", "opacity": 1}},
        {"selector": "edge.path", "style": {"width": 4, "line-color": "#e02020", "target-arrow-color": "#e02020",
                                            "opacity": 1, "z-index": 10}},
        {"selector": "node:selected", "style": {"border-width": 4, "border-color": "#e02020"}},
        {"selector": "node.metric-size", "style": {"width": "data(msize)", "height": "data(msize)"}},
        {"selector": "node.metric-colour", "style": {"background-color": "data(mcolour)"}},
    ]
    return styles


def legend_entries(kinds_present: Iterable[str] | None = None) -> dict[str, list[tuple[str, str, str]]]:
    """Legend rows as ``(key, shape, colour)``: ``kinds`` (label key
    ``kind.<kind>``) and ``sectors`` (``sector.<sector>``)."""
    present = set(kinds_present) if kinds_present is not None else set(KIND_ORDER)
    kinds = [(f"kind.{k}", KIND_STYLE[k][0], KIND_STYLE[k][1]) for k in KIND_ORDER if k in present]
    sectors = [(f"sector.{s}", "ellipse", c) for s, c in SECTOR_COLOURS.items()] if "institution" in present else []
    return {"kinds": kinds, "sectors": sectors}


# ----------------------------------------------------------------------- CSV


def safe_cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula (``'`` prefix).

    >>> safe_cell("=HYPERLINK(1)"), safe_cell(3)
    ("'=HYPERLINK(1)", '3')
    """
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set, frozenset)):
        value = ";".join(str(v) for v in value)
    text = str(value)
    return neutralise(text)


def _csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return buf.getvalue()


NODE_COLUMNS = ["id", "label", "kind", "sector", "land", "country", "city", "status", "start", "end", "source"]
EDGE_COLUMNS = ["source", "target", "kind", "role", "contribution", "type", "since"]


def csv_tables(g: PartnerGraph, view: ExplorerView, *, lang: str = "de") -> tuple[str, str]:
    """``(nodes_csv, edges_csv)`` of what ``view`` shows."""
    if view.overview is not None:
        ov = view.overview
        nodes = _csv(["id", "label", "kind", "projects", "institutions"],
                     ([n.node_id, g.label(n.node_id, lang), n.kind, n.projects, n.institutions] for n in ov.nodes))
        edges = _csv(["source", "target", "projects", "partnership"],
                     ([e.source, e.target, e.projects, "yes" if e.partnership else "no"] for e in ov.edges))
        return nodes, edges
    sub = view.subgraph
    assert sub is not None
    nodes = _csv(NODE_COLUMNS, (
        [nid, g.label(nid, lang)] + [g.nx.nodes[nid].get(c) for c in NODE_COLUMNS[2:]] for nid in sub.nodes))
    edges = _csv(EDGE_COLUMNS, (
        [u, v] + [g.nx.edges[u, v, key].get(c) for c in EDGE_COLUMNS[2:]] for u, v, key in sub.edges))
    return nodes, edges


def kinds_in(elements: Iterable[Mapping[str, Any]]) -> set[str]:
    """Node kinds present among ``elements`` (for the legend)."""
    return {el["data"]["kind"] for el in elements if "source" not in el["data"] and "kind" in el["data"]}



# -------------------------------------------------------------------- metrics, duplicates, labels
#: Sequential colours (light → dark) for a metric's value.
METRIC_SCALE = ("#fde725", "#90d743", "#35b779", "#21918c", "#31688e", "#443983", "#440154")
#: Categorical colours of communities (Okabe–Ito plus greys); beyond them: grey.
COMMUNITY_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000",
                     "#7f8c99", "#b0bcc8")
METRIC_MIN_SIZE, METRIC_MAX_SIZE = 14.0, 54.0


def _share(value: float, top: float) -> float:
    """``value`` on [0, 1] by square root (a few hubs would otherwise flatten everyone else)."""
    return math.sqrt(max(value, 0.0) / top) if top > 0 else 0.0


def apply_metrics(elements: list[dict[str, Any]], values: Mapping[str, Mapping[str, float]],
                  top: Mapping[str, float], *, size: str = "none", colour: str = "kind") -> list[dict[str, Any]]:
    """Size and/or colour the nodes of ``elements`` by a precomputed metric
    (``values[metric][node id]``, ``top[metric]`` its maximum): size from
    :data:`METRIC_MIN_SIZE` to :data:`METRIC_MAX_SIZE`, colour on
    :data:`METRIC_SCALE`, communities in :data:`COMMUNITY_COLOURS`. Edges
    and aggregated nodes stay as they are.

    >>> els = [{"data": {"id": "a"}, "classes": "kind-land"}, {"data": {"id": "b"}, "classes": "kind-land"}]
    >>> out = apply_metrics(els, {"degree": {"a": 4.0, "b": 1.0}}, {"degree": 4.0}, size="degree")
    >>> out[0]["data"]["msize"], out[1]["data"]["msize"], "metric-size" in out[0]["classes"]
    (54.0, 34.0, True)
    """
    for el in elements:
        data = el.get("data", {})
        if "source" in data or "agg" in el.get("classes", ""):
            continue
        nid = data.get("id")
        extra = []
        if size in values and nid in values[size]:
            data["msize"] = round(METRIC_MIN_SIZE + (METRIC_MAX_SIZE - METRIC_MIN_SIZE) * _share(values[size][nid], top[size]), 1)
            extra.append("metric-size")
        if colour == "community" and nid in values.get("community", {}):
            group = int(values["community"][nid])
            data["mcolour"] = COMMUNITY_COLOURS[group] if group < len(COMMUNITY_COLOURS) else "#d0d7de"
            extra.append("metric-colour")
        elif colour in values and nid in values[colour]:
            step = _share(values[colour][nid], top[colour]) * (len(METRIC_SCALE) - 1)
            data["mcolour"] = METRIC_SCALE[int(round(step))]
            extra.append("metric-colour")
        if extra:
            el["classes"] = " ".join([el.get("classes", ""), *extra]).strip()
    return elements


def merge_duplicates(elements: list[dict[str, Any]], alias: Mapping[str, str],
                     merged_note: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """One node per person: duplicate contact records (``alias``: record →
    the group's primary record, as on the Kontakte page) are folded into the
    primary — edges re-pointed, repeated edges and self-loops dropped; a
    duplicate whose primary is not in view takes the primary's id.

    >>> els = [{"data": {"id": "c1"}}, {"data": {"id": "c2"}}, {"data": {"id": "i"}},
    ...        {"data": {"id": "c1|i|0", "source": "c1", "target": "i", "kind": "works_at"}},
    ...        {"data": {"id": "c2|i|0", "source": "c2", "target": "i", "kind": "works_at"}}]
    >>> [e["data"]["id"] for e in merge_duplicates(els, {"c2": "c1"})]
    ['c1', 'i', 'c1|i|0']
    """
    if not alias:
        return elements
    present = {e["data"]["id"] for e in elements if "source" not in e["data"]}
    out: list[dict[str, Any]] = []
    seen_nodes: set[str] = set()
    seen_edges: set[tuple[str, str, str]] = set()
    for el in elements:
        data = el["data"]
        if "source" in data:
            continue
        nid = alias.get(data["id"], data["id"])
        if nid in seen_nodes or (nid != data["id"] and nid in present):
            continue
        if nid != data["id"]:
            el = {**el, "data": {**data, "id": nid}}
        if merged_note and nid in merged_note:
            el["data"]["merged"] = merged_note[nid]
        seen_nodes.add(nid)
        out.append(el)
    for el in elements:
        data = el["data"]
        if "source" not in data:
            continue
        u, v = alias.get(data["source"], data["source"]), alias.get(data["target"], data["target"])
        key = (u, v, str(data.get("kind", "")))
        if u == v or key in seen_edges or u not in seen_nodes or v not in seen_nodes:
            continue
        seen_edges.add(key)
        out.append({**el, "data": {**data, "source": u, "target": v}} if (u, v) != (data["source"], data["target"]) else el)
    return out


def label_font(elements: list[dict[str, Any]], canvas_width: float = 760.0, screen_px: float = 11.0) -> float:
    """Label size (in layout units) that reads as about ``screen_px`` on screen
    once the view is fitted to a canvas ``canvas_width`` wide: a large
    expanded view is zoomed out, so its labels grow with it (at most 3×).

    >>> label_font([{"data": {"id": "a"}, "position": {"x": 0, "y": 0}},
    ...             {"data": {"id": "b"}, "position": {"x": 3000, "y": 0}}])
    33.0
    """
    return fit_font([(e["position"]["x"], e["position"]["y"]) for e in elements if "position" in e],
                    canvas_width, screen_px)


def fit_font(points: Iterable[tuple[float, float]], canvas_width: float = 760.0, screen_px: float = 11.0) -> float:
    """:func:`label_font` of a picture with nodes at ``points``.

    >>> fit_font([(0, 0), (640, 0)]), fit_font([(0, 0), (1400, 0)])
    (11.0, 22.0)
    """
    pts = list(points)
    if len(pts) < 2:
        return screen_px
    xs, ys = [x for x, _ in pts], [y for _, y in pts]
    extent = max(max(xs) - min(xs), (max(ys) - min(ys)) * 1.3) + 120.0
    zoom = min(1.0, canvas_width / extent)
    return round(min(3 * screen_px, max(screen_px, screen_px / zoom)), 1)
#: Element data the browser reads (the stylesheet's ``data(...)``, the tapped
#: node's ``id``); everything else stays on the server.
WIRE_NODE_DATA = ("id", "label", "size", "msize", "mcolour", "merged")
WIRE_EDGE_DATA = ("source", "target", "width")


@functools.lru_cache(maxsize=1)
def _styled_classes() -> frozenset[str]:
    """Every class name a selector of :func:`stylesheet` reads."""
    return frozenset(re.findall(r"\.([A-Za-z0-9_-]+)", " ".join(s["selector"] for s in stylesheet())))


def wire_elements(elements: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``elements`` as sent to the browser: only the data it reads, edges
    with short ids (``e0``, ``e1`` … unique within the view) — about half the
    bytes of the full elements, which the server keeps for legends and exports.

    Edge classes no style reads are left out.

    >>> wire_elements([{"data": {"id": "a", "label": "A", "name": "A", "kind": "land"}, "classes": "kind-land"},
    ...                {"data": {"id": "a|b|x", "source": "a", "target": "b", "kind": "x"}, "classes": "edge-x"},
    ...                {"data": {"id": "a|b|p", "source": "a", "target": "b"}, "classes": "edge-partners_with path"}])
    [{'data': {'id': 'a', 'label': 'A'}, 'classes': 'kind-land'}, {'data': {'source': 'a', 'target': 'b', 'id': 'e0'}}, {'data': {'source': 'a', 'target': 'b', 'id': 'e1'}, 'classes': 'edge-partners_with path'}]
    """
    out: list[dict[str, Any]] = []
    edges = 0
    read = _styled_classes()
    styled_of: dict[str, str] = {}  # a view's edges share a handful of class strings
    for el in elements:
        data = el["data"]
        if "source" in data:
            slim = {k: data[k] for k in WIRE_EDGE_DATA if k in data}
            slim["id"] = f"e{edges}"
            edges += 1
            # an edge's classes travel only when a style reads them (most
            # kinds are drawn alike: ~30 bytes saved per edge)
            classes = str(el.get("classes", ""))
            styled = styled_of.get(classes)
            if styled is None:
                styled = styled_of[classes] = " ".join(c for c in classes.split() if c in read)
            wire = {k: v for k, v in el.items() if k != "classes" and k != "data"}
            wire["data"] = slim
            if styled:
                wire["classes"] = styled
            out.append(wire)
            continue
        out.append({**el, "data": {k: data[k] for k in WIRE_NODE_DATA if k in data}})
    return out
