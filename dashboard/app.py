"""The Dash application factory.

>>> from loaders import load
>>> app = create_app(load().graph)      # doctest: +SKIP
>>> app.run(host="127.0.0.1", port=8050)  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import gc
import importlib
import threading
import time
from pathlib import Path
from typing import Any

import dash
from dash.development.base_component import Component

from dashboard import shell
from dashboard.access import AccessConfig, access_config, install_access
from dashboard.headers import install_security_headers
from dashboard.login import install_login
from dashboard.download_links import install_download_links
from dashboard.context import CONFIG_KEY, AppContext, current
from dashboard.settings import Settings
from graph.core.model import PartnerGraph
from loaders.audit import AuditSink

__all__ = ["create_app", "warm_up", "warm_up_order", "PAGE_MODULES", "WHOLE_GRAPH_PAGES", "WARM_UP_FIRST"]

#: Page modules; each defines PATH, ORDER, TITLE_KEY, layout(lang=..., **query)
#: and register_callbacks(app), and may define warm_up() to precompute its
#: per-dataset indexes (run by :func:`warm_up` in the background).
PAGE_MODULES = (
    "dashboard.pages.network",
    "dashboard.pages.matchmaking",
    "dashboard.pages.contacts",
    "dashboard.pages.analytics",
    "dashboard.pages.data",
    "dashboard.pages.help",
    "dashboard.pages.not_found_404",
    "dashboard.pages.audit_log",
    "dashboard.pages.pipeline",
)

#: Pages that work on the whole graph (the store's snapshot). Without a
#: snapshot (``--neo4j-snapshot off``) they show :func:`shell.snapshot_off_notice`
#: instead; their warm-up runs only under the snapshot mode ``warm``.
WHOLE_GRAPH_PAGES = (
    "dashboard.pages.matchmaking",
    "dashboard.pages.contacts",
    "dashboard.pages.analytics",
    "dashboard.pages.data",
    "dashboard.pages.pipeline",
)

#: Pages warmed up first, in this order: the start page (the first request after a start needs
#: it), then the one whose indexes cost most to read or build (Kontakte: the contact index, ~3
#: times the others together), so that a visitor is least likely to wait for them; the cheap
#: ones a request reads at once by itself. The other pages follow in :data:`PAGE_MODULES` order.
WARM_UP_FIRST = ("dashboard.pages.network", "dashboard.pages.contacts")

#: The JSON API, registered on every app (dashboard/api).
API_MODULE = "dashboard.api"

ASSETS = Path(__file__).resolve().parent / "assets"


def _json_engine() -> None:
    """Dash writes every callback answer through plotly's JSON; plotly takes
    orjson when it is installed, but for Dash components its orjson path
    first copies the whole tree in Python: a 270 KB network view took 39 ms
    instead of 12 ms with the standard library's encoder. So plotly keeps the
    latter, and the answers go through :func:`dashboard.answer_json.answer_json`
    (orjson calling back only for components; plotly's encoder as fallback)."""
    import dash._callback
    import plotly.io.json

    from dashboard.answer_json import answer_json

    plotly.io.json.config.default_engine = "json"
    dash._callback.to_json = answer_json  # type: ignore[attr-defined]  # every callback answer
    # and Dash's components built and written without their per-property overhead
    if Component.to_plotly_json is not component_json:
        Component.to_plotly_json = component_json  # type: ignore[method-assign]
    if Component.__init__ is not component_init:
        _DASH_INIT.append(Component.__init__)
        Component.__init__ = component_init  # type: ignore[method-assign]


def component_json(self: Any) -> dict[str, Any]:
    """A Dash component as JSON: the properties it was given, its type and
    namespace — what ``Component.to_plotly_json`` returns, read from the
    instance's own attributes instead of asking ``hasattr`` for each of the
    ~20–40 property names a component *could* have (half the time of writing
    a callback answer of hundreds of components, e.g. the matchmaking cards).
    Subclasses with their own ``to_plotly_json`` keep theirs."""
    names, wild = _props_of(self)
    return {"props": {k: v for k, v in self.__dict__.items() if k in names or k.startswith(wild)},
            "type": self._type, "namespace": self._namespace}


def component_init(self: Any, **kwargs: Any) -> None:
    """``Component.__init__`` without its per-property cost for valid input.

    Dash's own formats an error message (with its version) for every
    property of every component it builds, in case the property is wrong —
    most of the time of building a page of hundreds of components. Here the
    properties are checked first; a property Dash would refuse or inspect (an
    unknown name, a component outside ``children``, an ``id``) hands the
    whole call to Dash's ``__init__``, so its checks and messages are
    unchanged; anything else is set as Dash sets it."""
    self._validate_deprecation()
    names, wild = _props_of(self)
    base = self._base_nodes
    for k, v in kwargs.items():
        if k == "id" or not (k in names or k.startswith(wild)) or (k not in base and isinstance(v, Component)):
            _DASH_INIT[0](self, **kwargs)
            return
    for k, v in kwargs.items():
        setattr(self, k, v)


def _props_of(component: Any) -> tuple[frozenset[str], tuple[str, ...]]:
    """Property names and wildcard prefixes of ``component``'s class (read once per class)."""
    kind = type(component)
    known = _PROP_NAMES.get(kind)
    if known is None:
        known = _PROP_NAMES[kind] = (frozenset(component._prop_names), tuple(component._valid_wildcard_attributes))
    return known


#: Dash's own ``Component.__init__`` (see :func:`component_init`).
_DASH_INIT: list[Any] = []
#: Property names and wildcard prefixes per component class (see :func:`component_json`).
_PROP_NAMES: dict[type, tuple[frozenset[str], tuple[str, ...]]] = {}


def create_app(graph: PartnerGraph, settings: Settings | None = None, *, report: Any = None,
               store: Any = None, access: AccessConfig | None = None) -> dash.Dash:
    """Build the dashboard for ``graph``; nothing is held in module globals.

    ``store`` (a :class:`graph.store.GraphStore`) answers the explorer's
    questions; default: a :class:`graph.store.MemoryStore` over ``graph``.
    ``access`` says how users are identified (:mod:`dashboard.access`);
    default: no accounts, the single local admin (audit only to the JSON-lines file).
    """
    settings = settings or Settings()
    _json_engine()
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(ASSETS),
        title="Partnernetz",
        suppress_callback_exceptions=True,
        serve_locally=True,
        update_title=None,
    )
    app.server.config[CONFIG_KEY] = AppContext(
        graph=graph, report=report if report is not None else graph.meta.get("report"), settings=settings,
        store=store,
    )
    for name in PAGE_MODULES:
        module = importlib.import_module(name)
        page_layout = _needs_snapshot(module.layout) if name in WHOLE_GRAPH_PAGES else module.layout
        dash.register_page(name, path=module.PATH, order=module.ORDER, name=module.TITLE_KEY,
                           title=shell.tab_title(module.TITLE_KEY, settings.default_lang),
                           layout=_localised(page_layout))
        module.register_callbacks(app)
    app.layout = shell.shell_layout
    _layout_as_answers(app)
    shell.register_callbacks(app)
    if access is None:
        access = AccessConfig(audit=AuditSink(settings.audit_log), no_contacts=settings.no_contacts)
    install_access(app.server, access)
    install_login(app.server)
    install_download_links(app.server)  # large files leave as one-time links (dashboard/download_links.py)
    install_security_headers(app)
    # the JSON API /api/v1/ on the same server (imported by name like the pages: it uses live data, which uses them)
    importlib.import_module(API_MODULE).install_api(app.server)
    return app


def _layout_as_answers(app: dash.Dash) -> None:
    """``/_dash-layout`` written like the callback answers (orjson, see
    :func:`_json_engine`): the first layout holds the visited page
    (:mod:`dashboard.first_page`), on Netzwerk a view of up to 1,500 elements."""
    import flask

    from dashboard.answer_json import answer_json

    def serve_layout() -> flask.Response:
        return flask.Response(answer_json(app.get_layout()), mimetype="application/json")

    app.server.view_functions[app.config.routes_pathname_prefix + "_dash-layout"] = serve_layout


def _localised(page_layout: Any) -> Any:
    """``page_layout`` with the library widgets' own texts (the dropdowns'
    search box, "select all", "no options") in the page's language."""

    @functools.wraps(page_layout)
    def layout(lang: str = "de", **query: Any) -> Any:
        return shell.localise_widgets(page_layout(lang=lang, **query), lang)

    return layout


def _needs_snapshot(page_layout: Any) -> Any:
    """``page_layout``, or the notice that the page needs a whole-graph snapshot when the store has none."""

    @functools.wraps(page_layout)
    def layout(lang: str = "de", **query: Any) -> Any:
        if not current().has_snapshot:
            return shell.snapshot_off_notice(lang)
        return page_layout(lang=lang, **query)

    return layout


def warm_up_order() -> list[str]:
    """The page modules in the order :func:`warm_up` prepares them.

    >>> warm_up_order()[:3]
    ['dashboard.pages.network', 'dashboard.pages.contacts', 'dashboard.pages.matchmaking']
    >>> sorted(warm_up_order()) == sorted(PAGE_MODULES)
    True
    """
    return [*WARM_UP_FIRST, *(name for name in PAGE_MODULES if name not in WARM_UP_FIRST)]


def warm_up(app: dash.Dash) -> threading.Thread:
    """Precompute every page's per-dataset indexes in one background thread,
    so the first visitor of a page on a large dataset does not wait for them
    (whole-graph pages only when the store's snapshot mode is ``warm``).
    Afterwards the long-lived objects are frozen out of garbage collection.
    Requests arriving meanwhile wait for the same computation
    (:meth:`AppContext.cached` is thread-safe) instead of repeating it."""

    def run() -> None:
        began = time.monotonic()
        with app.server.app_context():
            ctx = app.server.config[CONFIG_KEY]
            whole = getattr(ctx.store, "snapshot_mode", "warm") == "warm"
            # the readers' contact-free view too, when people sign in (so the first reader does not wait)
            rules = ("masked", "none") if access_config(app.server).login_required else ("masked",)
            for rule in rules:
                with ctx.as_rule(rule):
                    for name in warm_up_order():
                        if name in WHOLE_GRAPH_PAGES and not whole:
                            continue  # lazy: the snapshot is pulled on first use; off: never
                        hook = getattr(importlib.import_module(name), "warm_up", None)
                        if hook is not None:
                            hook()
            ctx.warm_up_seconds = time.monotonic() - began
        # The graph and the indexes live as long as the app: move them out of
        # the garbage collector's generations, so a request's collection no
        # longer walks millions of long-lived objects (tens of ms per request
        # at 100k nodes).
        gc.collect()
        gc.freeze()

    thread = threading.Thread(target=run, name="partnernetz-warm-up", daemon=True)
    thread.start()
    return thread
