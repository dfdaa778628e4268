/* Partnernetz – the first picture of a large Netzwerk view, drawn at once.
 *
 * cytoscape.js needs about half a second on a small machine to take a view
 * of 1,500 elements (styles, label sizes, edge routes) before it draws
 * anything. The server has already placed every node, so this script draws
 * the view's elements straight onto a plain canvas laid over cytoscape's
 * container – same positions, same stylesheet rules (later rules win, as in
 * cytoscape), same fitted viewport – and hands the elements to cytoscape one
 * frame later. Once cytoscape has drawn them, the picture is hidden. The
 * picture never takes pointer events: cytoscape answers clicks and hovers as
 * soon as it holds the elements.
 *
 * Small views go to cytoscape directly (it draws them in a few milliseconds).
 * The server-side twin of these drawing rules is dashboard/svg_picture.py.
 */
(function () {
  "use strict";

  /** Views with fewer elements are drawn by cytoscape alone. */
  var PREVIEW_MIN = 200;
  /** cytoscape.js defaults the page's stylesheet does not set. */
  var FONT_FAMILY = "Helvetica Neue, Helvetica, sans-serif";
  var PARALLEL_STEP = 40;      // control-point-step-size
  var LABEL_SLACK = 2;         // cytoscape widens label bounds by this ("browser inaccuracies")
  var WIDEST_CHAR = 1.2;       // no character of a label is wider than this many font sizes
  var SELECTOR = /^(node|edge)?((?:\.[\w-]+)*)(:[\w-]+)?$/;
  var DATA = /^data\((\w+)\)$/;

  function num(value, fallback) {
    var v = typeof value === "number" ? value : parseFloat(value);
    return isFinite(v) ? v : fallback;
  }

  /** The stylesheet's selectors as (element type, classes) alternatives;
   *  state selectors (":selected") never match a picture. */
  function parseRules(sheet) {
    return (sheet || []).map(function (rule) {
      var alternatives = [];
      String(rule.selector || "").split(",").forEach(function (part) {
        var m = SELECTOR.exec(part.trim());
        if (m && !m[3]) {
          alternatives.push({type: m[1] || null, classes: m[2].split(".").filter(Boolean)});
        }
      });
      return {alternatives: alternatives, style: rule.style || {}};
    });
  }

  /** The style of element ``el``: every matching rule in order, later ones
   *  winning; ``data(x)`` read from the element (left unset without ``x``).
   *  The rules an element matches depend only on its type and classes: they
   *  are found once per class list (``matched``) – a view has a few dozen. */
  function styleOf(rules, el, isEdge, matched) {
    var data = el.data || {};
    var type = isEdge ? "edge" : "node", list = type + " " + (el.classes || "");
    var hits = matched[list];
    if (!hits) {
      var classes = {};
      String(el.classes || "").split(/\s+/).forEach(function (c) { if (c) { classes[c] = true; } });
      hits = matched[list] = rules.filter(function (rule) {
        return rule.alternatives.some(function (alt) {
          return (alt.type === null || alt.type === type) && alt.classes.every(function (c) { return classes[c]; });
        });
      });
    }
    var style = {};
    for (var r = 0; r < hits.length; r++) {
      var props = hits[r].style;
      for (var key in props) {
        var value = props[key];
        var m = typeof value === "string" ? DATA.exec(value) : null;
        if (!m) { style[key] = value; } else if (data[m[1]] !== undefined && data[m[1]] !== null) { style[key] = data[m[1]]; }
      }
    }
    return style;
  }

  // ------------------------------------------------------------ shapes
  function rawNgon(sides) {  // cytoscape's regular polygon, flat side down when even
    var step = 2 * Math.PI / sides, start = Math.PI / 2 + (sides % 2 === 0 ? step / 2 : 0), pts = [];
    for (var i = 0; i < sides; i++) { pts.push([Math.cos(start + i * step), -Math.sin(start + i * step)]); }
    return pts;
  }
  function ngon(sides) { return stretch(rawNgon(sides)); }
  function star() {  // five outer points, five inner ones between them
    var outer = rawNgon(5), inner = 0.5 * (3 - Math.sqrt(5)), pts = [];
    for (var i = 0; i < 5; i++) {
      var b = Math.PI / 2 + 2 * Math.PI * i / 5 + Math.PI / 5;
      pts.push(outer[i], [inner * Math.cos(b), -inner * Math.sin(b)]);
    }
    return stretch(pts);
  }
  function stretch(pts) {
    var xs = pts.map(function (p) { return p[0]; }), ys = pts.map(function (p) { return p[1]; });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs), y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    return pts.map(function (p) { return [2 * (p[0] - x0) / (x1 - x0) - 1, 2 * (p[1] - y0) / (y1 - y0) - 1]; });
  }
  var RECT = [[-1, -1], [1, -1], [1, 1], [-1, 1]];
  var POLYGONS = {
    triangle: ngon(3), diamond: [[0, -1], [1, 0], [0, 1], [-1, 0]], pentagon: ngon(5), hexagon: ngon(6),
    heptagon: ngon(7), octagon: ngon(8), star: star(), rectangle: RECT, "round-rectangle": RECT, roundrectangle: RECT
  };

  function bodyPath(ctx, shape, x, y, w, h) {
    ctx.beginPath();
    if (shape === "round-rectangle" || shape === "roundrectangle") {
      var r = Math.min(w / 4, h / 4, 8);
      if (ctx.roundRect) { ctx.roundRect(x - w / 2, y - h / 2, w, h, r); return; }
    }
    var poly = POLYGONS[shape];
    if (!poly) { ctx.ellipse(x, y, w / 2, h / 2, 0, 0, 2 * Math.PI); return; }
    poly.forEach(function (p, i) {
      var px = x + p[0] * w / 2, py = y + p[1] * h / 2;
      if (i === 0) { ctx.moveTo(px, py); } else { ctx.lineTo(px, py); }
    });
    ctx.closePath();
  }

  /** Distance from a node's centre to its outline in unit direction (dx, dy). */
  function reach(shape, w, h, dx, dy) {
    var a = w / 2, b = h / 2, poly = POLYGONS[shape];
    if (!poly) { return a > 0 && b > 0 ? 1 / Math.hypot(dx / a, dy / b) : 0; }
    var best = 0;
    for (var i = 0; i < poly.length; i++) {
      var p = poly[i], q = poly[(i + 1) % poly.length];
      var x1 = p[0] * a, y1 = p[1] * b, ex = q[0] * a - x1, ey = q[1] * b - y1;
      var det = -dx * ey + dy * ex;
      if (Math.abs(det) < 1e-12) { continue; }
      var t = (-x1 * ey + y1 * ex) / det, s = (dx * y1 - dy * x1) / det;
      if (t > 0 && s >= -1e-9 && s <= 1 + 1e-9) { best = Math.max(best, t); }
    }
    return best;
  }

  function font(style, size) {
    return (style["font-style"] || "normal") + " " + (style["font-weight"] || "normal") + " " + size + "px " +
      (style["font-family"] || FONT_FAMILY);
  }

  // ------------------------------------------------------------ the view
  /** Nodes and edges of ``elements`` with their styles, label sizes and the
   *  bounding box cytoscape fits (bodies with borders, labels, edge bends). */
  function scene(elements, sheet, measure) {
    var rules = parseRules(sheet), matched = {}, nodes = [], byId = {}, edges = [];
    var box = {x1: Infinity, y1: Infinity, x2: -Infinity, y2: -Infinity};
    function add(x1, y1, x2, y2) {
      box.x1 = Math.min(box.x1, x1); box.y1 = Math.min(box.y1, y1);
      box.x2 = Math.max(box.x2, x2); box.y2 = Math.max(box.y2, y2);
    }
    elements.forEach(function (el) {
      var data = el.data || {};
      if (data.source !== undefined) { edges.push({el: el, style: styleOf(rules, el, true, matched)}); return; }
      var style = styleOf(rules, el, false, matched), pos = el.position || {};
      var n = {id: String(data.id), x: num(pos.x, 0), y: num(pos.y, 0), style: style,
               w: num(style.width, 30), h: num(style.height, 30), shape: String(style.shape || "ellipse"),
               border: num(style["border-width"], 0), label: style.label == null ? "" : String(style.label)};
      add(n.x - (n.w + n.border) / 2, n.y - (n.h + n.border) / 2, n.x + (n.w + n.border) / 2, n.y + (n.h + n.border) / 2);
      if (n.label) {
        n.size = num(style["font-size"], 16);
        n.font = font(style, n.size);
        n.pad = num(style["text-background-padding"], 0) + LABEL_SLACK;
        n.ly = n.y + n.h / 2 + num(style["text-margin-y"], 0);  // valign bottom: the label's top
        add(n.x, n.ly - n.pad, n.x, n.ly + n.size + n.pad);
      }
      nodes.push(n);
      byId[n.id] = n;
    });
    // A label's width counts only where it could reach past the box: measuring text is the slow part
    // (the first time in a page), so only labels whose widest possible extent (WIDEST_CHAR per
    // character) reaches an edge are measured; the others stay inside whatever their width.
    var wide = nodes.filter(function (n) {
      var half = n.label ? n.label.length * n.size * WIDEST_CHAR / 2 + n.pad : 0;
      return n.label && (n.x - half < box.x1 || n.x + half > box.x2);
    });
    wide.forEach(function (n) {
      n.lw = Math.ceil(measure(n.font, n.label));
      add(n.x - n.lw / 2 - n.pad, n.ly, n.x + n.lw / 2 + n.pad, n.ly);
    });
    var pairs = {};
    edges = edges.filter(function (e) {
      var d = e.el.data;
      e.u = byId[String(d.source)]; e.v = byId[String(d.target)];
      if (!e.u || !e.v) { return false; }
      var key = e.u.id < e.v.id ? e.u.id + "\u0000" + e.v.id : e.v.id + "\u0000" + e.u.id;
      (pairs[key] = pairs[key] || []).push(e);
      return true;
    });
    Object.keys(pairs).forEach(function (key) {
      var group = pairs[key];
      group.forEach(function (e, i) {
        var offset = (i - (group.length - 1) / 2) * PARALLEL_STEP;
        e.offset = e.u.id <= e.v.id ? offset : -offset;
        if (e.offset) {  // the curve's bend counts in the bounds
          var dx = e.v.x - e.u.x, dy = e.v.y - e.u.y, len = Math.hypot(dx, dy) || 1;
          var mx = (e.u.x + e.v.x) / 2 - dy / len * e.offset / 2, my = (e.u.y + e.v.y) / 2 + dx / len * e.offset / 2;
          add(mx, my, mx, my);
        }
      });
    });
    edges.sort(function (a, b) { return num(a.style["z-index"], 0) - num(b.style["z-index"], 0); });
    // cytoscape widens every element's bounds by 1 for anti-aliasing
    return {nodes: nodes, edges: edges, box: {x1: box.x1 - 1, y1: box.y1 - 1, x2: box.x2 + 1, y2: box.y2 + 1}};
  }

  /** cytoscape's fit: zoom and pan that show ``box`` with ``padding`` around it. */
  function fit(box, width, height, padding, minZoom, maxZoom) {
    var bw = box.x2 - box.x1, bh = box.y2 - box.y1;
    if (!(bw > 0 && bh > 0 && width > 0 && height > 0)) { return {zoom: 1, pan: {x: 0, y: 0}}; }
    var zoom = Math.min((width - 2 * padding) / bw, (height - 2 * padding) / bh);
    zoom = Math.max(minZoom, Math.min(maxZoom, zoom));
    return {zoom: zoom, pan: {x: (width - zoom * (box.x1 + box.x2)) / 2, y: (height - zoom * (box.y1 + box.y2)) / 2}};
  }

  function drawEdge(ctx, e) {
    var s = e.style, u = e.u, v = e.v, width = num(s.width, 1);
    var dx = v.x - u.x, dy = v.y - u.y, len = Math.hypot(dx, dy);
    if (len < 1e-6) { return; }
    var nx = -dy / len, ny = dx / len;
    var cx = (u.x + v.x) / 2 + nx * e.offset, cy = (u.y + v.y) / 2 + ny * e.offset;
    function towards(n, ox, oy) {
      var ddx = ox - n.x, ddy = oy - n.y, l = Math.hypot(ddx, ddy) || 1, r = reach(n.shape, n.w, n.h, ddx / l, ddy / l);
      return [n.x + ddx / l * r, n.y + ddy / l * r];
    }
    var start = towards(u, cx, cy), tip = towards(v, cx, cy), end = tip;
    var ux = tip[0] - (e.offset ? cx : u.x), uy = tip[1] - (e.offset ? cy : u.y), ul = Math.hypot(ux, uy) || 1;
    ux /= ul; uy /= ul;
    ctx.globalAlpha = num(s.opacity, 1);
    var colour = String(s["line-color"] || "#999999");
    var arrow = s["target-arrow-shape"] && s["target-arrow-shape"] !== "none";
    if (arrow) {
      var size = Math.max(Math.pow(width * 13.37, 0.9), 29) * num(s["arrow-scale"], 1) * 0.3;
      end = [tip[0] - ux * size, tip[1] - uy * size];
      ctx.fillStyle = String(s["target-arrow-color"] || colour);
      ctx.beginPath();
      ctx.moveTo(tip[0], tip[1]);
      ctx.lineTo(end[0] - uy * size / 2, end[1] + ux * size / 2);
      ctx.lineTo(end[0] + uy * size / 2, end[1] - ux * size / 2);
      ctx.closePath();
      ctx.fill();
    }
    ctx.strokeStyle = colour;
    ctx.lineWidth = width;
    ctx.setLineDash(s["line-style"] === "dashed" ? [6, 3] : s["line-style"] === "dotted" ? [1, 2] : []);
    ctx.beginPath();
    ctx.moveTo(start[0], start[1]);
    if (e.offset) { ctx.quadraticCurveTo(cx, cy, end[0], end[1]); } else { ctx.lineTo(end[0], end[1]); }
    ctx.stroke();
  }

  function drawNode(ctx, n, zoom) {
    var s = n.style;
    ctx.globalAlpha = num(s.opacity, 1);
    bodyPath(ctx, n.shape, n.x, n.y, n.w, n.h);
    ctx.fillStyle = String(s["background-color"] || "#999999");
    ctx.fill();
    if (n.border > 0) {
      ctx.setLineDash([]);
      ctx.lineWidth = n.border;
      ctx.strokeStyle = String(s["border-color"] || "#000000");
      ctx.stroke();
    }
    // cytoscape compares with the zoom rounded up to a power of two
    var scale = Math.pow(2, Math.ceil(Math.log2(zoom * (window.devicePixelRatio || 1))));
    if (!n.label || n.size * scale < num(s["min-zoomed-font-size"], 0)) { return; }
    if (n.lw === undefined) { ctx.font = n.font; n.lw = Math.ceil(ctx.measureText(n.label).width); }
    var bgOpacity = num(s["text-background-opacity"], 0);
    if (bgOpacity > 0) {
      var pad = num(s["text-background-padding"], 0);
      ctx.globalAlpha = num(s.opacity, 1) * bgOpacity;
      ctx.fillStyle = String(s["text-background-color"] || "#ffffff");
      ctx.fillRect(n.x - n.lw / 2 - pad, n.ly - pad, n.lw + 2 * pad, n.size + 2 * pad);
      ctx.globalAlpha = num(s.opacity, 1);
    }
    ctx.font = n.font;
    ctx.fillStyle = String(s.color || "#000000");
    ctx.fillText(n.label, n.x, n.ly);
  }

  /** Draw ``elements`` styled by ``sheet`` on ``canvas``, sized and fitted
   *  like the cytoscape container ``box``; returns the viewport used. */
  function draw(canvas, box, elements, sheet, options) {
    options = options || {};
    var width = box.clientWidth, height = box.clientHeight, ratio = window.devicePixelRatio || 1;
    canvas.style.width = width + "px";
    canvas.style.height = height + "px";
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    var ctx = canvas.getContext("2d");
    var current = null;  // setting the font parses it: only when it changes
    var view = scene(elements, sheet, function (f, text) {
      if (f !== current) { ctx.font = f; current = f; }
      return ctx.measureText(text).width;
    });
    var vp = fit(view.box, width, height, num(options.padding, 30), num(options.minZoom, 1e-50), num(options.maxZoom, 1e50));
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.setTransform(ratio * vp.zoom, 0, 0, ratio * vp.zoom, ratio * vp.pan.x, ratio * vp.pan.y);
    ctx.lineCap = "butt";
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    view.edges.forEach(function (e) { drawEdge(ctx, e); });
    view.nodes.forEach(function (n) { drawNode(ctx, n, vp.zoom); });
    ctx.globalAlpha = 1;
    return vp;
  }

  // ------------------------------------------------------------ hand-over
  var shown = null;  // the latest view: an older hand-over stops when a newer one started

  function cyOf(box) {
    return box && box._cyreg ? box._cyreg.cy : null;
  }

  /** Call ``done`` once cytoscape (in ``box``) has drawn ``count`` elements. */
  function whenDrawn(box, count, token, done) {
    var started = performance.now();
    function check() {
      if (shown !== token) { return; }
      var cy = cyOf(box);
      if (cy && cy.elements().length === count) {
        var finished = false;
        var finish = function () { if (!finished) { finished = true; done(); } };
        cy.one("render", function () { requestAnimationFrame(finish); });
        setTimeout(finish, 1500);  // it drew before we listened
        return;
      }
      if (performance.now() - started > 20000) { done(); return; }
      requestAnimationFrame(check);
    }
    check();
  }

  /** Show a view: the picture first for large ones, then cytoscape.
   *  ``view``: cytoscape's ``layout`` and its ``minZoom`` / ``maxZoom``. */
  function show(cytoId, canvasId, elements, sheet, view) {
    view = view || {};
    var layout = view.layout || {name: "preset", fit: true};
    elements = Array.isArray(elements) ? elements : [];
    var box = document.getElementById(cytoId), canvas = document.getElementById(canvasId);
    var token = {};
    shown = token;
    var big = elements.length >= PREVIEW_MIN && box && canvas;
    if (big) {
      try {
        var vp = draw(canvas, box, elements, sheet, {padding: layout.padding, minZoom: view.minZoom, maxZoom: view.maxZoom});
        canvas.setAttribute("data-zoom", vp.zoom.toFixed(6));
        canvas.setAttribute("data-pan", vp.pan.x.toFixed(3) + "," + vp.pan.y.toFixed(3));
        canvas.setAttribute("data-drawn", String(elements.length));
        canvas.removeAttribute("data-painted");
        canvas.hidden = false;
      } catch (err) {
        big = false;
        canvas.hidden = true;
      }
    } else if (canvas) {
      canvas.hidden = true;
    }
    var handOver = function () {
      if (shown !== token) { return; }
      // a new layout object makes cytoscape fit the new elements (it re-runs a layout only when it changes)
      var fresh = Object.assign({}, layout, {view: Date.now()});
      window.dash_clientside.set_props(cytoId, {elements: elements, layout: fresh});
      // which view cytoscape holds: the page root's state (tests and benchmarks wait on it)
      var root = box && box.closest(".network-page");
      if (box) { box.setAttribute("data-shown", root ? root.getAttribute("data-view") || "" : ""); }
      if (big) {
        whenDrawn(box, elements.length, token, function () {
          if (shown === token) { canvas.hidden = true; }
        });
      }
    };
    if (big) {
      // after the frame with the picture was rendered: note when (benchmarks read it), then cytoscape
      requestAnimationFrame(function () {
        setTimeout(function () {
          if (shown === token) { canvas.setAttribute("data-painted", performance.now().toFixed(1)); }
          handOver();
        }, 0);
      });
    } else {
      handOver();
    }
    return window.dash_clientside.no_update;
  }

  window.partnernetzPreview = {show: show, draw: draw, scene: scene, fit: fit, PREVIEW_MIN: PREVIEW_MIN};
})();
