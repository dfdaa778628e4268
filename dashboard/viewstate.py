"""The Netzwerk page's view state and its URL form.

The whole view (selected node, focus and radius, expansions, highlights,
path, filters, layout, language) is one plain dict, kept in a ``dcc.Store``
and mirrored in the query string, so a copied link reproduces the view and
back/forward navigate between views. Contract (see HELPERS.md)::

    /?focus=<id>&radius=1|2&expand=<id>,<id>&highlight=<id>,<id>&path=<id>,<id>
     &kinds=<kind>,<kind>&land=<DE-XX>&country=<ISO3>&theme=<key>&sector=<s>
     &status=<s>&from=<year>&to=<year>&layout=<name>&lang=de|en

plus ``selected`` (node shown in the details panel), ``collapse``, ``by``
(overview grouping), ``k``/``maxlen`` (path alternatives and length limit),
``loose=1`` (paths may use theme links and Germany), ``spot=<ISO3>,<theme>``
(a white-spot cell: its country, theme and reasons, explained), ``size`` and
``colour`` (node size/colour by degree, betweenness, PageRank or community).

>>> state = parse_query({"focus": "country:TZA", "radius": "2", "land": "DE-NI,DE-HB"})
>>> state["focus"], state["radius"], state["land"]
('country:TZA', 2, ['DE-NI', 'DE-HB'])
>>> to_search(state)
'?focus=country%3ATZA&radius=2&land=DE-NI%2CDE-HB&lang=de'
"""

from __future__ import annotations

import functools

from typing import Any, Mapping
from urllib.parse import parse_qs, quote_plus

from dashboard.i18n import DEFAULT_LANG, normalise_lang
from graph.core.kinds import CofinanceKind, NodeKind, ProjectStatus, Sector
from graph.explore import GraphFilter

__all__ = ["LAYOUTS", "DEFAULTS", "LIST_FIELDS", "parse_query", "parse_search", "to_search", "to_filter", "updated",
           "updated_search", "network_href", "MAX_LIST", "parse_matchmaking", "matchmaking_search", "matchmaking_href",
           "MM_DEFAULTS", "MM_TOPS", "parse_contacts", "contacts_search", "CONTACT_DEFAULTS",
           "page_href", "ANALYTICS_TABS", "parse_analytics", "analytics_search", "analytics_href"]

LAYOUTS = ("cose", "concentric", "breadthfirst")
OVERVIEW_BY = ("country", "theme")
#: Node size and colour by a precomputed metric (``none``/``kind``: the default look).
SIZE_METRICS = ("none", "degree", "betweenness", "pagerank")
COLOUR_METRICS = ("kind", "degree", "betweenness", "pagerank", "community")

#: Defaults; a field at its default is left out of the URL.
DEFAULTS: dict[str, Any] = {
    "selected": None, "focus": None, "radius": 1, "expand": [], "collapse": [], "highlight": [],
    "path": [], "kinds": [], "land": [], "country": [], "theme": [], "sector": [], "status": [],
    "from": None, "to": None, "layout": "cose", "by": "country", "k": 3, "maxlen": 6, "loose": False,
    "spot": [], "size": "none", "colour": "kind", "lang": "de",
}
#: Most values a list field keeps (a longer list in a URL is cut).
MAX_LIST = 50
LIST_FIELDS = ("expand", "collapse", "highlight", "path", "kinds", "land", "country", "theme", "sector", "status", "spot")
#: URL order of the fields (stable, so equal states give equal URLs).
ORDER = ("selected", "focus", "radius", "expand", "collapse", "highlight", "path", "k", "maxlen", "loose",
         "kinds", "land", "country", "theme", "sector", "status", "from", "to", "layout", "by", "spot", "size",
         "colour", "lang")

_VOCAB = {
    "kinds": set(NodeKind.values()),
    "sector": set(Sector.values()) | {"unknown"},
    "status": set(ProjectStatus.values()),
}


def _values(raw: Any) -> list[str]:
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    out: list[str] = []
    for item in items:
        if item is None:
            continue
        out += [p.strip() for p in str(item).split(",") if p.strip()]
    return list(dict.fromkeys(out))


def _int(raw: Any, lo: int, hi: int) -> int | None:
    try:
        value = int(str(_values(raw)[-1]))
    except (ValueError, IndexError):
        return None
    return value if lo <= value <= hi else None


def _list_field(name: str):
    def parse(query: Mapping[str, Any]) -> list[str]:
        if name not in query:
            return list(DEFAULTS[name])
        vals = _values(query[name])
        if name in _VOCAB:
            vals = [v for v in vals if v in _VOCAB[name]]
        return vals[:2] if name in ("path", "spot") else vals[:MAX_LIST]
    return parse


def _id_field(name: str):
    def parse(query: Mapping[str, Any]) -> str | None:
        vals = _values(query.get(name))
        return vals[0] if vals else None
    return parse


def _choice(name: str, allowed: tuple[str, ...]):
    def parse(query: Mapping[str, Any]) -> str:
        value = (_values(query.get(name)) or [DEFAULTS[name]])[0]
        return value if value in allowed else DEFAULTS[name]
    return parse


#: One parser per field: each field is read from the query on its own.
_FIELDS: dict[str, Any] = {
    **{name: _list_field(name) for name in LIST_FIELDS},
    "selected": _id_field("selected"),
    "focus": _id_field("focus"),
    "radius": lambda q: _int(q.get("radius"), 1, 2) or 1,
    "k": lambda q: _int(q.get("k"), 1, 5) or DEFAULTS["k"],
    "maxlen": lambda q: _int(q.get("maxlen"), 1, 10) or DEFAULTS["maxlen"],
    "from": lambda q: _int(q.get("from"), 1900, 2100),
    "to": lambda q: _int(q.get("to"), 1900, 2100),
    "layout": _choice("layout", LAYOUTS),
    "by": _choice("by", OVERVIEW_BY),
    "size": _choice("size", SIZE_METRICS),
    "colour": _choice("colour", COLOUR_METRICS),
    "loose": lambda q: (_values(q.get("loose")) or ["0"])[0] in ("1", "true", "yes"),
    "lang": lambda q: normalise_lang((_values(q.get("lang")) or [DEFAULT_LANG])[0]),
}


def parse_query(query: Mapping[str, Any]) -> dict[str, Any]:
    """A complete, validated state from query parameters (strings or lists,
    as Dash pages or ``parse_qs`` give them). Garbage falls back to defaults."""
    return {name: _FIELDS[name](query) for name in DEFAULTS}


def parse_search(search: str | None) -> dict[str, Any]:
    """State from a URL search string (``?focus=…``)."""
    return parse_query(parse_qs((search or "").lstrip("?")))


def to_search(state: Mapping[str, Any]) -> str:
    """The query string of ``state``: defaults left out, lists comma-joined,
    ``lang`` always present (the shell reads it)."""
    return _encode(parse_query(_as_query(state)))


def updated_search(state: Mapping[str, Any], **changes: Any) -> str:
    """``to_search(updated(state, **changes))`` for a complete, validated
    ``state`` (from :func:`parse_query`): only the changed fields are
    validated — every field is parsed on its own, so this is the same answer
    — and the unchanged ones are encoded once per state (the details panel
    builds hundreds of such links for a hub).

    >>> updated_search(parse_query({}), focus="country:TZA")
    '?focus=country%3ATZA&lang=de'
    >>> updated_search(parse_query({"radius": "2"}), radius="7", layout="concentric")
    '?layout=concentric&lang=de'
    """
    if set(state) != set(DEFAULTS):  # not a complete state: validate all of it
        return _encode(updated(state, **changes))
    query = _as_query(changes)
    pieces = _pieces(state)
    changed = {name: _piece(name, _FIELDS[name](query)) for name in changes if name in DEFAULTS}
    return "?" + "&".join(p for p in (changed.get(n, pieces[n]) if n in changed else pieces[n] for n in ORDER) if p)


def _piece(name: str, value: Any) -> str:
    """``name=value`` as in the query string ('' for a default)."""
    if name != "lang" and value == DEFAULTS[name]:
        return ""
    if isinstance(value, list):
        text = ",".join(value)
    elif isinstance(value, bool):
        text = "1"
    else:
        text = str(value)
    return f"{name}={quote_plus(text)}"  # as urlencode() writes it


#: Encoded fields of the last few states (keyed by their content).
_PIECES: dict[tuple, dict[str, str]] = {}


def _pieces(state: Mapping[str, Any]) -> dict[str, str]:
    key = tuple((n, tuple(v) if isinstance(v, list) else v) for n, v in sorted(state.items()))
    found = _PIECES.get(key)
    if found is None:
        if len(_PIECES) > 32:
            _PIECES.clear()
        found = _PIECES[key] = {name: _piece(name, state[name]) for name in ORDER}
    return found


def _encode(full: Mapping[str, Any]) -> str:
    """The query string of a complete, validated state."""
    return "?" + "&".join(p for p in (_piece(name, full[name]) for name in ORDER) if p)


def _as_query(state: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in state.items():
        if v is None or v == [] or v is False:
            continue
        out[k] = "1" if v is True else v if isinstance(v, list) else str(v)
    return out


def network_href(lang: str = DEFAULT_LANG, **fields: Any) -> str:
    """A link into the network page showing the view state ``fields`` (every
    page links into the network this way, so links follow the URL contract).
    Field values are validated like the URL's (lists may be comma-joined
    strings; a list field holds at most 50 values).

    >>> network_href("en", focus="institution:a", highlight=["theme:water", "project:P"])
    '/?focus=institution%3Aa&highlight=theme%3Awater%2Cproject%3AP&lang=en'
    >>> network_href("de", country="BDI", theme="governance")
    '/?country=BDI&theme=governance&lang=de'
    >>> network_href("xx")
    '/?lang=de'
    """
    # only the given fields are validated and encoded (every field is parsed on its own), so this
    # is to_search({**fields, "lang": …}) without parsing ~20 default fields per link — the
    # matchmaking cards and details panels write dozens of links per answer
    return "/" + updated_search(_default_state(), **fields, lang=normalise_lang(lang))


@functools.lru_cache(maxsize=1)
def _default_state() -> dict[str, Any]:
    return parse_query({})


def updated(state: Mapping[str, Any], **changes: Any) -> dict[str, Any]:
    """A copy of ``state`` with ``changes`` applied (and validated)."""
    return parse_query(_as_query({**state, **changes}))


def to_filter(state: Mapping[str, Any]) -> GraphFilter:
    """The graph filter of ``state``."""
    return GraphFilter.of(kinds=state.get("kinds"), lands=state.get("land"), countries=state.get("country"),
                          themes=state.get("theme"), sectors=state.get("sector"), statuses=state.get("status"),
                          year_from=state.get("from"), year_to=state.get("to"))


# --------------------------------------------------------------------------- Matchmaking and Kontakte
# The same idea for the two form pages: their whole state is in the query
# string, a field at its default left out, so Back, reload and a shared link
# restore the view. The page writes the URL (history.pushState, see
# dashboard/urlsync.py) without reloading; the layout reads it back.

#: Matchmaking: ``/matchmaking?target=<id>&mode=institution|land&themes=<id>,…&land=DE-XX,…&sector=<s>,…
#: &top=10|20|50&diversity=0&require=theme,country&w=theme:3,land:1&whynot=<id>&lang=de|en``
MM_MODES = ("institution", "land")
MM_TOPS = (10, 20, 50)
MM_REQUIRE = ("theme", "country")
MM_DEFAULTS: dict[str, Any] = {"target": None, "mode": "institution", "themes": [], "land": [], "sector": [],
                               "top": 10, "diversity": True, "require": [], "w": {}, "whynot": None, "lang": "de"}
_MM_ORDER = ("target", "mode", "themes", "land", "sector", "top", "diversity", "require", "w", "whynot", "lang")
_WEIGHT_RANGE = (0.0, 5.0)


def _weights(raw: Any, known: tuple[str, ...]) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in _values(raw):
        name, _, value = part.partition(":")
        try:
            number = round(float(value.replace(",", ".")) * 2) / 2  # slider steps of 0.5
        except ValueError:
            continue
        if name in known and _WEIGHT_RANGE[0] <= number <= _WEIGHT_RANGE[1]:
            out[name] = number
    return out


def parse_matchmaking(query: Mapping[str, Any], factors: tuple[str, ...] = ()) -> dict[str, Any]:
    """The Matchmaking page's state from query parameters; garbage falls back
    to defaults (node ids are checked against the graph by the page).

    >>> s = parse_matchmaking({"target": "country:TZA", "themes": "theme:water", "top": "20", "diversity": "0",
    ...                        "require": "theme,x", "w": "theme:4,land:1,bogus:3,network:9"}, ("theme", "land", "network"))
    >>> s["target"], s["themes"], s["top"], s["diversity"], s["require"], s["w"]
    ('country:TZA', ['theme:water'], 20, False, ['theme'], {'theme': 4.0, 'land': 1.0})
    """
    q = query
    first = lambda name: (_values(q.get(name)) or [None])[0]  # noqa: E731
    top = _int(q.get("top"), 1, 1000)
    land = [v.removeprefix("land:") for v in _values(q.get("land"))]
    return {
        "target": first("target"),
        "mode": first("mode") if first("mode") in MM_MODES else "institution",
        "themes": _values(q.get("themes"))[:MAX_LIST],
        "land": [v for v in land if v.startswith("DE-")][:16],
        "sector": [v for v in _values(q.get("sector")) if v in _VOCAB["sector"]],
        "top": top if top in MM_TOPS else MM_DEFAULTS["top"],
        "diversity": (first("diversity") or "1") not in ("0", "false", "no", "off"),
        "require": [v for v in MM_REQUIRE if v in _values(q.get("require"))],
        "w": _weights(q.get("w"), factors),
        "whynot": first("whynot"),
        "lang": normalise_lang(first("lang") or DEFAULT_LANG),
    }


def _encode_state(full: Mapping[str, Any], order: tuple[str, ...], defaults: Mapping[str, Any],
                  encoders: Mapping[str, Any] | None = None) -> str:
    """The query string of a form page's parsed state: fields in ``order``,
    those at their default left out (``lang`` always kept), lists
    comma-joined, ``encoders`` for fields with a form of their own.

    >>> _encode_state({"a": ["x", "y"], "b": 1, "lang": "de"}, ("a", "b", "lang"), {"a": [], "b": 1, "lang": "de"})
    '?a=x%2Cy&lang=de'
    """
    parts = []
    for name in order:
        value = full[name]
        if name != "lang" and value == defaults[name]:
            continue
        encode = (encoders or {}).get(name)
        text = encode(value) if encode else ",".join(value) if isinstance(value, list) else str(value)
        parts.append(f"{name}={quote_plus(text)}")
    return "?" + "&".join(parts)


def matchmaking_search(state: Mapping[str, Any], factors: tuple[str, ...] = ()) -> str:
    """The query string of a Matchmaking state (defaults left out, ``lang`` always).

    >>> matchmaking_search({"target": "country:TZA", "themes": ["theme:water"], "w": {"theme": 4}, "lang": "en"}, ("theme",))
    '?target=country%3ATZA&themes=theme%3Awater&w=theme%3A4&lang=en'
    """
    full = parse_matchmaking(_mm_query(state), factors)
    return _encode_state(full, _MM_ORDER, MM_DEFAULTS,
                         {"w": lambda w: ",".join(f"{k}:{v:g}" for k, v in w.items()),
                          "diversity": lambda _off: "0"})  # only written when off


def _mm_query(state: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in state.items():
        if v is None:
            continue
        if k == "w" and isinstance(v, Mapping):
            out[k] = [f"{f}:{x}" for f, x in v.items()]
        elif k == "diversity":
            out[k] = "1" if v else "0"
        else:
            out[k] = v if isinstance(v, list) else str(v)
    return out


def matchmaking_href(lang: str = DEFAULT_LANG, **fields: Any) -> str:
    """A link into Matchmaking (e.g. from a white spot: a country and a theme).

    >>> matchmaking_href("de", target="country:NAM", themes=["theme:water"])
    '/matchmaking?target=country%3ANAM&themes=theme%3Awater&lang=de'
    """
    return "/matchmaking" + matchmaking_search({**fields, "lang": normalise_lang(lang)})


#: Kontakte: finder filters and the guest-list settings.
#: ``/kontakte?theme=…&country=…&land=…&sector=…&institution=…&language=…&event=…&role=…&q=…
#: &attendance=never|not_recent&months=12&size=10&prefer=0&prefer_months=12
#: &quota=land:*:max4,sector:business:min2&include=<id>,…&exclude=<id>,…&sep=comma&built=1
#: &show=<event id>&history=<person or institution id>&lang=de|en``
CONTACT_LISTS = ("theme", "country", "land", "sector", "institution", "language", "event", "include", "exclude")
CONTACT_DEFAULTS: dict[str, Any] = {**{name: [] for name in CONTACT_LISTS}, "role": "", "q": "", "attendance": "any",
                                    "months": 12, "size": 10, "prefer": True, "prefer_months": 12, "quota": [],
                                    "sep": ";", "built": False, "show": None, "history": None, "lang": "de"}
_CONTACT_ORDER = ("theme", "country", "land", "sector", "institution", "language", "event", "role", "q",
                  "attendance", "months", "size", "prefer", "prefer_months", "quota", "include", "exclude", "sep",
                  "built", "show", "history", "lang")
QUOTA_DIMENSIONS = ("sector", "land", "institution")


def _quota_items(raw: Any) -> list[dict[str, Any]]:
    """``dim:value:min2:max4`` items (value ``*`` = every group) → quota dicts."""
    out = []
    for part in _values(raw)[:MAX_LIST]:
        pieces = part.split(":")
        if len(pieces) < 3 or pieces[0] not in QUOTA_DIMENSIONS:
            continue
        dim = pieces[0]
        # values may hold a colon themselves (land:DE-HE, institution:x): bounds are the trailing min/max pieces
        bounds = {}
        while pieces and (pieces[-1][:3] in ("min", "max")) and pieces[-1][3:].isdigit():
            bounds.setdefault(pieces[-1][:3], int(pieces[-1][3:]))
            pieces = pieces[:-1]
        value = ":".join(pieces[1:])
        if not value or not bounds:
            continue
        if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
            continue
        out.append({"dimension": dim, "value": value, "min": bounds.get("min"), "max": bounds.get("max")})
    return out


def parse_contacts(query: Mapping[str, Any]) -> dict[str, Any]:
    """The Kontakte page's state from query parameters (values checked against
    the contact index by the page).

    >>> s = parse_contacts({"land": "DE-HE", "size": "12", "prefer": "0", "quota": "land:*:max4,sector:business:min2:max1"})
    >>> s["land"], s["size"], s["prefer"], s["quota"]
    (['DE-HE'], 12, False, [{'dimension': 'land', 'value': '*', 'min': None, 'max': 4}])
    """
    q = query
    first = lambda name: (_values(q.get(name)) or [None])[0]  # noqa: E731
    text = lambda name: str(q.get(name) if not isinstance(q.get(name), list) else q.get(name)[-1] or "")[:200]  # noqa: E731
    out: dict[str, Any] = {name: _values(q.get(name))[:MAX_LIST] for name in CONTACT_LISTS}
    out["role"] = text("role") if q.get("role") else ""
    out["q"] = text("q") if q.get("q") else ""
    out["attendance"] = first("attendance") if first("attendance") in ("any", "never", "not_recent") else "any"
    months = _int(q.get("months"), 0, 1200)
    out["months"] = 12 if months is None else months
    size = _int(q.get("size"), 0, 10000)
    out["size"] = 10 if size is None else size
    out["prefer"] = (first("prefer") or "1") not in ("0", "false", "no", "off")
    pm = _int(q.get("prefer_months"), 0, 1200)
    out["prefer_months"] = 12 if pm is None else pm
    out["quota"] = _quota_items(q.get("quota"))
    out["sep"] = "," if first("sep") == "comma" or q.get("sep") in (",", [","]) else ";"
    out["built"] = (first("built") or "0") in ("1", "true", "yes")
    out["show"] = first("show")  # the event shown in the event history
    out["history"] = first("history")  # the person or institution whose events are listed
    out["lang"] = normalise_lang(first("lang") or DEFAULT_LANG)
    return out


def _quota_text(item: Mapping[str, Any]) -> str:
    bounds = [f"{k}{item[k]}" for k in ("min", "max") if item.get(k) is not None]
    return ":".join([item["dimension"], item["value"], *bounds])


def contacts_search(state: Mapping[str, Any]) -> str:
    """The query string of a Kontakte state (defaults left out, ``lang`` always).

    >>> contacts_search({"land": ["DE-HE"], "quota": [{"dimension": "land", "value": "*", "max": 4}], "lang": "de"})
    '?land=DE-HE&quota=land%3A%2A%3Amax4&lang=de'
    """
    query: dict[str, Any] = {}
    for k, v in state.items():
        if v is None or v == "" or v == []:
            continue
        if k == "quota":
            query[k] = [_quota_text(item) for item in v]
        elif k in ("prefer", "built"):
            query[k] = "1" if v else "0"
        elif k == "sep":
            query[k] = "comma" if v == "," else ";"
        else:
            query[k] = v if isinstance(v, list) else str(v)
    full = parse_contacts(query)
    # prefer, built and sep are written only away from their defaults: off, on and ","
    return _encode_state(full, _CONTACT_ORDER, CONTACT_DEFAULTS,
                         {"quota": lambda quotas: ",".join(_quota_text(item) for item in quotas),
                          "prefer": lambda _off: "0", "built": lambda _on: "1", "sep": lambda _comma: "comma"})


# --------------------------------------------------------------------------- other pages' links (issue 20)
def page_href(path: str, lang: str = DEFAULT_LANG, **params: Any) -> str:
    """A link to the page at ``path`` with query ``params`` (``None``, empty
    lists and ``False`` left out, lists comma-joined) and ``lang`` last.

    >>> page_href("/kontakte", "en", theme="water", country=["TZA", "NAM"])
    '/kontakte?theme=water&country=TZA%2CNAM&lang=en'
    >>> page_href("/hilfe", "xx", group=None)
    '/hilfe?lang=de'
    """
    pieces = [f"{name}={quote_plus(','.join(v) if isinstance(v, (list, tuple)) else '1' if v is True else str(v))}"
              for name, v in params.items() if v not in (None, "", [], (), False)]
    return f"{path}?" + "&".join([*pieces, f"lang={normalise_lang(lang)}"])


#: Sections (tabs) of the Analysen page, in page order.
ANALYTICS_TABS = ("overview", "groups", "coverage", "flows", "maps", "time", "export")
#: Land × partner-country measures the page offers (kept in the URL as ``measure``).
ANALYTICS_MEASURES = ("projects", "institutions", "cofinancing", "amount_eur", "partnerships")
ANALYTICS_PHASES = ("pilot", "II", "III")
ANALYTICS_FLOW_MEASURES = ("count", "amount_eur")
#: Defaults of the Analysen page's state; a field at its default is left out of the URL.
#: ``kinds``: co-financing kinds of the Sankey (empty: all); ``yfrom``/``yto``: its years.
ANALYTICS_DEFAULTS: dict[str, Any] = {"tab": "overview", "measure": "projects", "a": "pilot", "b": "II",
                                      "kinds": [], "yfrom": None, "yto": None, "flow": "count", "lang": "de"}


def parse_analytics(query: Mapping[str, Any]) -> dict[str, Any]:
    """The Analysen page's state from its query (garbage falls back to defaults).

    >>> parse_analytics({"tab": "coverage", "measure": "bogus", "b": "III", "kinds": "money,xx"})["kinds"]
    ['money']
    >>> parse_analytics({"tab": "coverage", "measure": "bogus", "b": "III"})["measure"]
    'projects'
    """
    allowed = {"tab": ANALYTICS_TABS, "measure": ANALYTICS_MEASURES, "a": ANALYTICS_PHASES, "b": ANALYTICS_PHASES,
               "flow": ANALYTICS_FLOW_MEASURES}
    out: dict[str, Any] = {}
    for name, default in ANALYTICS_DEFAULTS.items():
        if name == "kinds":
            kinds = set(CofinanceKind.values())
            out[name] = [v for v in _values(query.get(name)) if v in kinds]
        elif name in ("yfrom", "yto"):
            out[name] = _int(query.get(name), 1900, 2100)
        elif name == "lang":
            out[name] = normalise_lang((_values(query.get(name)) or [default])[0])
        else:
            value = (_values(query.get(name)) or [default])[0]
            out[name] = value if value in allowed[name] else default
    return out


def analytics_search(state: Mapping[str, Any]) -> str:
    """The query string of an Analysen state (defaults left out, ``lang`` kept).

    >>> analytics_search({"tab": "maps", "measure": "projects", "lang": "en"})
    '?tab=maps&lang=en'
    """
    return _encode_state(parse_analytics(_as_query(state)), tuple(ANALYTICS_DEFAULTS), ANALYTICS_DEFAULTS)


def analytics_href(lang: str = DEFAULT_LANG, **fields: Any) -> str:
    """A link into the Analysen page.

    >>> analytics_href("de", tab="coverage")
    '/analysen?tab=coverage&lang=de'
    """
    return "/analysen" + analytics_search({**fields, "lang": normalise_lang(lang)})
