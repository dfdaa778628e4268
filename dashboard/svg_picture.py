"""The Netzwerk view as an SVG document, drawn on the server.

The page draws its picture with cytoscape.js; its SVG export used to call
``cy.svg()``, which lives only in dash-cytoscape's *extra* bundle (1.39 MB of
JavaScript instead of 0.5 MB, ~180 ms of every page load). Here the server
draws the same elements itself: it applies the page's own stylesheet
(:func:`dashboard.elements.stylesheet`, rule by rule, later rules winning as
in cytoscape) to each element and writes shapes, edges with arrows and labels.
The browser only says where the nodes are (the user may have dragged them).

The document is built with :mod:`xml.etree.ElementTree`, so every text is
escaped; characters XML cannot hold are dropped. It has no scripts and no
external references.

>>> import xml.etree.ElementTree as ET
>>> els = [{"data": {"id": "a", "label": "A & <b>"}, "classes": "kind-land", "position": {"x": 0, "y": 0}},
...        {"data": {"id": "b", "label": "B"}, "classes": "kind-country", "position": {"x": 120, "y": 0}},
...        {"data": {"id": "a|b|0", "source": "a", "target": "b"}, "classes": "edge-located_in"}]
>>> doc = svg_picture(els, positions={"b": (150.0, 40.0)})
>>> root = ET.fromstring(doc)
>>> [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
['A & <b>', 'B']
>>> "A &amp; &lt;b&gt;" in doc
True
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import Any, Iterable, Mapping

from dashboard.elements import label_font, stylesheet
from loaders.spreadsheet import xml_safe

__all__ = ["svg_picture"]

SVG_NS = "http://www.w3.org/2000/svg"
#: cytoscape.js's default label font.
FONT_FAMILY = "Helvetica Neue, Helvetica, Arial, sans-serif"
#: Room around the picture (as the page's fitted view: ``padding: 30``).
PADDING = 30.0
#: Distance between parallel edges' curves (cytoscape's ``control-point-step-size``).
PARALLEL_STEP = 40.0
#: Rough width of a label character per unit of font size (for the picture's bounds only).
CHAR_WIDTH = 0.6

_SELECTOR = re.compile(r"(node|edge)?((?:\.[\w-]+)*)(:[\w-]+)?")
_DATA = re.compile(r"data\((\w+)\)")


def svg_picture(elements: Iterable[Mapping[str, Any]], *,
                positions: Mapping[str, tuple[float, float]] | None = None,
                font_size: float | None = None) -> str:
    """An SVG document of cytoscape ``elements`` (node and edge dicts as the
    page draws them) styled like the page's canvas.

    ``positions`` (node id -> ``(x, y)``, e.g. from the browser) win over the
    elements' own ``position``; a node with neither sits at (0, 0), like
    cytoscape's preset layout. ``font_size`` defaults to the page's
    :func:`~dashboard.elements.label_font` of ``elements``. The view box holds
    every node and label with :data:`PADDING` around them, on white.
    """
    elements = list(elements)
    font = label_font(elements) if font_size is None else font_size
    rules = _rules(stylesheet(font))
    where = dict(positions or {})
    nodes, edges = [], []
    for el in elements:
        data = el.get("data") or {}
        style = _style(rules, el)
        if "source" in data:
            edges.append((data, style))
            continue
        nid = str(data.get("id", ""))
        if nid not in where:
            p = el.get("position") or {}
            where[nid] = (float(p.get("x", 0.0)), float(p.get("y", 0.0)))
        nodes.append((nid, data, style))
    sizes = {nid: (_num(s.get("width"), 22.0), _num(s.get("height"), 22.0), str(s.get("shape", "ellipse")))
             for nid, _, s in nodes}

    root = ET.Element("svg", {"xmlns": SVG_NS, "version": "1.1"})
    edge_layer = ET.SubElement(root, "g", {"class": "edges"})
    node_layer = ET.SubElement(root, "g", {"class": "nodes"})
    label_layer = ET.SubElement(root, "g", {"class": "labels", "font-family": FONT_FAMILY, "text-anchor": "middle"})
    bounds = _Bounds()

    pairs: dict[frozenset[str], list[int]] = defaultdict(list)
    for i, (data, _) in enumerate(edges):
        pairs[frozenset((str(data["source"]), str(data["target"])))].append(i)
    order = sorted(range(len(edges)), key=lambda i: _num(edges[i][1].get("z-index"), 0.0))  # stable: page order
    for i in order:
        data, style = edges[i]
        u, v = str(data["source"]), str(data["target"])
        if u not in sizes or v not in sizes:
            continue
        group = pairs[frozenset((u, v))]
        offset = (group.index(i) - (len(group) - 1) / 2) * PARALLEL_STEP
        if min(u, v) != u:  # one side of the pair for every edge between the same two nodes
            offset = -offset
        _edge(edge_layer, where[u], where[v], sizes[u], sizes[v], offset, style, bounds)

    for nid, data, style in nodes:
        x, y = where[nid]
        w, h, shape = sizes[nid]
        border = _num(style.get("border-width"), 0.0)
        g = ET.SubElement(node_layer, "g", {"class": "node", **_opacity(style)})
        title = data.get("name") or data.get("label")
        if title:
            ET.SubElement(g, "title").text = _text(title)
        ET.SubElement(g, *_shape(shape, x, y, w, h), **{
            "fill": _colour(style.get("background-color"), "#999999"),
            "stroke": _colour(style.get("border-color"), "#ffffff"), "stroke-width": _fmt(border)})
        bounds.add(x - w / 2 - border, y - h / 2 - border)
        bounds.add(x + w / 2 + border, y + h / 2 + border)
        label = _text(style.get("label") or "")
        if label:
            size = _num(style.get("font-size"), font)
            top = y + h / 2 + _num(style.get("text-margin-y"), 0.0)
            attrs = {"x": _fmt(x), "y": _fmt(top + 0.8 * size), "font-size": _fmt(size),
                     "fill": _colour(style.get("color"), "#000000"), **_opacity(style)}
            if style.get("font-weight") not in (None, "normal"):
                attrs["font-weight"] = str(style["font-weight"])
            if _num(style.get("text-background-opacity"), 0.0) > 0:  # cytoscape's label background, as a halo
                attrs.update({"stroke": _colour(style.get("text-background-color"), "#ffffff"),
                              "stroke-opacity": _alpha(style.get("text-background-opacity")),
                              "stroke-width": _fmt(max(2.0, size / 4)), "stroke-linejoin": "round",
                              "paint-order": "stroke"})
            ET.SubElement(label_layer, "text", attrs).text = label
            half = CHAR_WIDTH * size * len(label) / 2
            bounds.add(x - half, top)
            bounds.add(x + half, top + 1.25 * size)

    x0, y0, x1, y1 = bounds.box(PADDING)
    root.set("viewBox", " ".join(_fmt(v) for v in (x0, y0, x1 - x0, y1 - y0)))
    root.set("width", _fmt(x1 - x0))
    root.set("height", _fmt(y1 - y0))
    root.insert(0, ET.Element("rect", {"x": _fmt(x0), "y": _fmt(y0), "width": _fmt(x1 - x0),
                                       "height": _fmt(y1 - y0), "fill": "#ffffff"}))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


# ------------------------------------------------------------------ styles
def _rules(sheet: list[dict[str, Any]]) -> list[tuple[list[tuple[str | None, frozenset[str]]], dict[str, Any]]]:
    """The stylesheet's selectors parsed into ``(element type, classes)``
    alternatives; state selectors (``:selected``) never match a picture."""
    out = []
    for rule in sheet:
        alternatives = []
        for part in rule["selector"].split(","):
            m = _SELECTOR.fullmatch(part.strip())
            if m and not m.group(3):
                alternatives.append((m.group(1), frozenset(c for c in m.group(2).split(".") if c)))
        out.append((alternatives, rule["style"]))
    return out


def _style(rules: list, el: Mapping[str, Any]) -> dict[str, Any]:
    """The style of element ``el``: every matching rule in order, later ones
    winning; ``data(x)`` read from the element (left unset without ``x``)."""
    data = el.get("data") or {}
    kind = "edge" if "source" in data else "node"
    classes = frozenset(str(el.get("classes") or "").split())
    style: dict[str, Any] = {}
    for alternatives, props in rules:
        if any((t is None or t == kind) and need <= classes for t, need in alternatives):
            for key, value in props.items():
                m = _DATA.fullmatch(value) if isinstance(value, str) else None
                if m is None:
                    style[key] = value
                elif data.get(m.group(1)) is not None:
                    style[key] = data[m.group(1)]
    return style


# ------------------------------------------------------------------ shapes
def _ngon(sides: int) -> list[tuple[float, float]]:
    """cytoscape's regular polygon (flat side down when ``sides`` is even), unit size."""
    step = 2 * math.pi / sides
    start = math.pi / 2 + (step / 2 if sides % 2 == 0 else 0.0)
    return [(math.cos(start + i * step), -math.sin(start + i * step)) for i in range(sides)]


def _star() -> list[tuple[float, float]]:
    outer, inner = _ngon(5), 0.5 * (3 - math.sqrt(5))
    points = []
    for i in range(5):
        a = math.pi / 2 + 2 * math.pi * i / 5 + math.pi / 5
        points += [outer[i], (inner * math.cos(a), -inner * math.sin(a))]
    return points


def _fit(points: list[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    """``points`` stretched to the square from -1 to 1 (as cytoscape fits its polygons)."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return tuple((2 * (x - min(xs)) / (max(xs) - min(xs)) - 1, 2 * (y - min(ys)) / (max(ys) - min(ys)) - 1)
                 for x, y in points)


#: cytoscape node shapes drawn as polygons (unit coordinates, y down).
POLYGONS: dict[str, tuple[tuple[float, float], ...]] = {
    "triangle": _fit(_ngon(3)),
    "diamond": ((0.0, -1.0), (1.0, 0.0), (0.0, 1.0), (-1.0, 0.0)),
    "pentagon": _fit(_ngon(5)),
    "hexagon": _fit(_ngon(6)),
    "heptagon": _fit(_ngon(7)),
    "octagon": _fit(_ngon(8)),
    "star": _fit(_star()),
    "rectangle": ((-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)),
}
POLYGONS["round-rectangle"] = POLYGONS["roundrectangle"] = POLYGONS["rectangle"]  # for the edges' ends


def _shape(shape: str, x: float, y: float, w: float, h: float) -> tuple[str, dict[str, str]]:
    """Tag and attributes of a node's body (unknown shapes: ellipse)."""
    if shape in ("round-rectangle", "roundrectangle", "rectangle"):
        attrs = {"x": _fmt(x - w / 2), "y": _fmt(y - h / 2), "width": _fmt(w), "height": _fmt(h)}
        if shape != "rectangle":
            attrs["rx"] = _fmt(min(w / 4, h / 4, 8.0))  # cytoscape's corner radius
        return "rect", attrs
    if shape in POLYGONS:
        return "polygon", {"points": " ".join(f"{_fmt(x + px * w / 2)},{_fmt(y + py * h / 2)}"
                                              for px, py in POLYGONS[shape])}
    return "ellipse", {"cx": _fmt(x), "cy": _fmt(y), "rx": _fmt(w / 2), "ry": _fmt(h / 2)}


def _reach(shape: str, w: float, h: float, dx: float, dy: float) -> float:
    """How far a node's outline is from its centre in direction ``(dx, dy)``
    (a unit vector): where an edge meets the node."""
    a, b = w / 2, h / 2
    poly = POLYGONS.get(shape)
    if poly is None:  # ellipse
        return 1.0 / math.hypot(dx / a, dy / b) if a > 0 and b > 0 else 0.0
    best = 0.0
    for (x1, y1), (x2, y2) in zip(poly, poly[1:] + poly[:1]):
        x1, y1, x2, y2 = x1 * a, y1 * b, x2 * a, y2 * b
        ex, ey = x2 - x1, y2 - y1
        det = dx * -ey - dy * -ex
        if abs(det) < 1e-12:
            continue
        t = (x1 * -ey - y1 * -ex) / det  # along the ray
        s = (dx * y1 - dy * x1) / det  # along the side
        if t > 0 and -1e-9 <= s <= 1 + 1e-9:
            best = max(best, t)
    return best


# ------------------------------------------------------------------- edges
def _edge(layer: ET.Element, p: tuple[float, float], q: tuple[float, float],
          ps: tuple[float, float, str], qs: tuple[float, float, str], offset: float,
          style: Mapping[str, Any], bounds: "_Bounds") -> None:
    """One edge from ``p`` to ``q`` (node sizes ``ps``, ``qs``): a line, or a
    curve ``offset`` to the side for parallel edges; an arrow at ``q``."""
    width = _num(style.get("width"), 1.0)
    colour = _colour(style.get("line-color"), "#999999")
    g = ET.SubElement(layer, "g", {"class": "edge", **_opacity(style)})
    line = {"fill": "none", "stroke": colour, "stroke-width": _fmt(width)}
    if style.get("line-style") == "dashed":
        line["stroke-dasharray"] = "6 3"
    elif style.get("line-style") == "dotted":
        line["stroke-dasharray"] = "1 2"
    (px, py), (qx, qy) = p, q
    length = math.hypot(qx - px, qy - py)
    if length < 1e-6:  # a loop (or two nodes on one spot): a small loop above the node
        r = max(ps[1] / 2, 8.0)
        ET.SubElement(g, "path", d=f"M{_fmt(px - r / 2)},{_fmt(py - r)} c{_fmt(-r)},{_fmt(-2 * r)} "
                                   f"{_fmt(2 * r)},{_fmt(-2 * r)} {_fmt(r)},0", **line)
        bounds.add(px - 2 * r, py - 3 * r)
        return
    nx_, ny_ = -(qy - py) / length, (qx - px) / length  # the normal
    cx, cy = (px + qx) / 2 + nx_ * offset, (py + qy) / 2 + ny_ * offset  # control point
    # the ends sit on the nodes' outlines, in the direction of the control point (the other node on a line)
    start = _towards(p, (cx, cy), ps)
    tip = _towards(q, (cx, cy), qs)
    ux, uy = _unit(tip[0] - cx, tip[1] - cy) if offset else _unit(qx - px, qy - py)
    arrow = style.get("target-arrow-shape", "none") not in (None, "none")
    end = tip
    if arrow:
        size = max((width * 13.37) ** 0.9, 29.0) * _num(style.get("arrow-scale"), 1.0) * 0.3
        end = (tip[0] - ux * size, tip[1] - uy * size)
        base = [(end[0] + nx * size / 2, end[1] + ny * size / 2) for nx, ny in ((-uy, ux), (uy, -ux))]
        ET.SubElement(g, "polygon", points=" ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in (tip, *base)),
                      fill=_colour(style.get("target-arrow-color"), colour))
    if offset:
        d = f"M{_fmt(start[0])},{_fmt(start[1])} Q{_fmt(cx)},{_fmt(cy)} {_fmt(end[0])},{_fmt(end[1])}"
        bounds.add((px + qx) / 2 + nx_ * offset / 2, (py + qy) / 2 + ny_ * offset / 2)
    else:
        d = f"M{_fmt(start[0])},{_fmt(start[1])} L{_fmt(end[0])},{_fmt(end[1])}"
    ET.SubElement(g, "path", d=d, **line)


def _towards(centre: tuple[float, float], other: tuple[float, float], size: tuple[float, float, str]) -> tuple[float, float]:
    """The point of the outline of a node at ``centre`` facing ``other``."""
    ux, uy = _unit(other[0] - centre[0], other[1] - centre[1])
    reach = _reach(size[2], size[0], size[1], ux, uy)
    return centre[0] + ux * reach, centre[1] + uy * reach


def _unit(dx: float, dy: float) -> tuple[float, float]:
    n = math.hypot(dx, dy)
    return (dx / n, dy / n) if n > 1e-9 else (1.0, 0.0)


# ------------------------------------------------------------------ values
class _Bounds:
    """The smallest box around the points added."""

    def __init__(self) -> None:
        self.x0 = self.y0 = math.inf
        self.x1 = self.y1 = -math.inf

    def add(self, x: float, y: float) -> None:
        self.x0, self.y0, self.x1, self.y1 = min(self.x0, x), min(self.y0, y), max(self.x1, x), max(self.y1, y)

    def box(self, pad: float) -> tuple[float, float, float, float]:
        if self.x0 > self.x1:  # nothing drawn
            return 0.0, 0.0, 2 * pad, 2 * pad
        return self.x0 - pad, self.y0 - pad, self.x1 + pad, self.y1 + pad


def _opacity(style: Mapping[str, Any]) -> dict[str, str]:
    """The ``opacity`` attribute of an element's style (none when opaque)."""
    return {} if _num(style.get("opacity"), 1.0) >= 1 else {"opacity": _alpha(style["opacity"])}


def _alpha(value: Any) -> str:
    """An opacity from 0 to 1 with two decimals at most (``0.25``)."""
    return f"{min(max(_num(value, 1.0), 0.0), 1.0):.2f}".rstrip("0").rstrip(".")


def _num(value: Any, default: float) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return default
    return out if math.isfinite(out) else default


_COLOUR = re.compile(r"#[0-9A-Fa-f]{3}(?:[0-9A-Fa-f]{3})?")


def _colour(value: Any, default: str) -> str:
    """A ``#rgb``/``#rrggbb`` colour, else ``default`` (nothing else reaches an attribute)."""
    return value if isinstance(value, str) and _COLOUR.fullmatch(value) else default


def _text(value: Any) -> str:
    return " ".join(xml_safe(str(value)).split())


def _fmt(value: float) -> str:
    """A number with one decimal at most (``12``, ``12.5``)."""
    text = f"{value:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text
