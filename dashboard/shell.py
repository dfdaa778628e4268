"""The app shell: header with the programme's name, navigation, language
switch, sample-data banner, and the page container."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard import first_page, ids
from dashboard.access import current_identity
from dashboard.context import current
from dashboard.i18n import lang_from_search, normalise_lang, t, with_lang
from dashboard.viewstate import network_href
from graph.core.errors import PartnernetzError
from graph.people.roles import Role

__all__ = ["NAV_ITEMS", "shell_layout", "store_banner_text", "snapshot_off_notice", "nav_children", "with_lang", "lang_from_search", "register_callbacks"]

#: (path, label key) of every page, in menu order.
NAV_ITEMS = (
    ("/", "nav.network"),
    ("/matchmaking", "nav.matchmaking"),
    ("/kontakte", "nav.contacts"),
    ("/analysen", "nav.analytics"),
    ("/pipeline", "nav.pipeline"),
    ("/daten", "nav.data"),
    ("/protokoll", "nav.audit"),
    ("/hilfe", "nav.help"),
)

#: Shorter menu labels for narrow screens (the full label is the link's title).
SHORT_LABELS = {"nav.contacts": "nav.contacts_short"}

#: Tab title of each page: ``{path: title key}`` (unknown paths: the 404 title).
PAGE_TITLES = {path: key for path, key in NAV_ITEMS}
NOT_FOUND_TITLE = "nf.title"


def tab_title(key: str, lang: str) -> str:
    """The browser tab's title of the page named by ``key``.

    >>> tab_title("nav.analytics", "en")
    'Analytics – Partnernetz'
    """
    return t("app.tab_title", lang, page=t(key, lang))


def tab_titles() -> dict[str, dict[str, str]]:
    """``{path: {lang: title}}`` of every page plus ``"*"`` for unknown paths
    (the shell's clientside callback sets ``document.title`` from it)."""
    table = {path: {lang: tab_title(key, lang) for lang in ("de", "en")} for path, key in PAGE_TITLES.items()}
    table["*"] = {lang: tab_title(NOT_FOUND_TITLE, lang) for lang in ("de", "en")}
    return table


def dropdown_labels(lang: str) -> dict[str, str]:
    """dcc.Dropdown's own texts in ``lang`` (its ``labels`` property)."""
    names = ("select_all", "deselect_all", "selected_count", "search", "clear_search", "clear_selection",
             "no_options_found")
    return {name: t(f"dd.{name}", lang) for name in names}


def localise_widgets(component: object, lang: str) -> object:
    """Give every dcc.Dropdown in ``component`` its texts in ``lang`` (unless
    it sets its own); returns ``component``. Walks the tree once per page build."""
    labels = dropdown_labels(normalise_lang(lang))
    stack = [component]
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)):
            stack.extend(node)
            continue
        if isinstance(node, dcc.Dropdown) and getattr(node, "labels", None) is None:
            node.labels = labels
        children = getattr(node, "children", None)
        if children is not None and not isinstance(children, str):
            stack.append(children)
    return component


#: Navigation entries shown only from a role on (the pages refuse lower roles themselves).
NAV_MIN_ROLE = {"/kontakte": Role.PLANNER, "/protokoll": Role.ADMIN}


def nav_children(pathname: str | None, search: str | None) -> list:
    lang = lang_from_search(search)
    pathname = pathname or "/"
    links = []
    role = current_identity().role
    for path, key in NAV_ITEMS:
        if role < NAV_MIN_ROLE.get(path, Role.READER):
            continue
        active = pathname == path or (path != "/" and pathname.startswith(path))
        label = t(key, lang)
        short = SHORT_LABELS.get(key)
        text = [html.Span(label, className="nav-full"), html.Span(t(short, lang), className="nav-short")] if short else label
        links.append(dcc.Link(text, href=f"{path}?lang={lang}", title=label,
                              className="nav-link active" if active else "nav-link"))
    other = "en" if lang == "de" else "de"
    switch = html.Div([
        html.Span(t("app.language", lang) + ":", className="lang-label"),
        dcc.Link("DE", href=f"{pathname}{with_lang(search, 'de')}", id=ids.LANG_DE,
                 className="lang-link active" if lang == "de" else "lang-link"),
        dcc.Link("EN", href=f"{pathname}{with_lang(search, 'en')}", id=ids.LANG_EN,
                 className="lang-link active" if lang == "en" else "lang-link"),
    ], className="lang-switch", id=ids.LANG_SWITCH, title=other)
    return [html.Nav(links, className="nav-links"), switch, user_box(lang)]


def user_box(lang: str) -> html.Div:
    """Who is signed in, with which role, and the sign-out button (a plain
    form POST to /logout, so it works without the Dash renderer)."""
    identity = current_identity()
    if identity.via == "local":  # no accounts: say so (the full explanation on hover)
        return html.Div(html.Span(t("login.local_short", lang), title=t("login.local_admin", lang),
                                  className="user-name local-admin", id=ids.LOCAL_ADMIN_BANNER),
                        className="user-box", id=ids.USER_BOX)
    children: list = [html.Span(t("login.signed_in_as", lang, name=identity.display or identity.name,
                                  role=t(f"role.{identity.role.key}", lang)), className="user-name")]
    if identity.via == "session":
        children.append(html.Form(html.Button(t("login.logout", lang), type="submit", id=ids.LOGOUT,
                                              className="logout-button"),
                                  method="post", action=f"/logout?lang={lang}", className="logout-form"))
    return html.Div(children, className="user-box", id=ids.USER_BOX)


def _with_code(text: str) -> list:
    """``text`` with its `backticked` parts as code (options stay on one line)."""
    return [html.Code(part) if i % 2 else part for i, part in enumerate(text.split("`")) if part]


def snapshot_off_notice(lang: str = "de") -> html.Div:
    """What a whole-graph page shows when the store never copies the whole graph.

    >>> snapshot_off_notice("en").children[0].children
    'This page needs the whole graph'
    """
    lang = normalise_lang(lang)
    return html.Div([
        html.H1(t("app.snapshot_off_title", lang)),
        html.P(_with_code(t("app.snapshot_off", lang))),
        html.P(_with_code(t("app.snapshot_off_how", lang))),
        html.P([t("app.snapshot_off_network", lang), " ",
                dcc.Link(t("nav.network", lang), href=network_href(lang))]),
    ], className="notice snapshot-off", id=ids.SNAPSHOT_OFF)


def store_banner_text(ctx, lang: str) -> str | None:
    """The banner telling that the store fell back, why, and which data are
    shown (the last snapshot from Neo4j with its time, or the local dataset);
    None while all is well."""
    if not ctx.store_notice:
        return None
    showing = getattr(ctx.store, "showing", None) or {"source": "local", "taken_at": None}
    if showing["source"] == "snapshot" and showing.get("taken_at"):
        taken = str(showing["taken_at"]).replace("T", " ").removesuffix("+00:00")[:16]
        shown = t("app.store_shown_snapshot", lang, taken=taken)
    else:
        shown = t("app.store_shown_local", lang, data=ctx.settings.data_label)
    every = getattr(ctx.store, "retry_interval", None) if getattr(ctx.store, "primary", None) is not None else None
    retry = t("app.store_retry", lang, every=f"{every:g}") if every else ""
    return t("app.store_banner", lang, cause=ctx.store_notice, shown=shown, retry=retry)


def push_banner_text(ctx, lang: str) -> str | None:
    """The warning that the last push to Neo4j did not complete (the data
    are mixed); None when it completed, or without a Neo4j store."""
    primary = getattr(ctx.store, "primary", None)
    if primary is None or ctx.store_notice or not hasattr(primary, "push_status"):
        return None
    try:
        status = primary.push_status()
    except PartnernetzError:  # an unreachable store shows its own banner on the next request
        return None
    if status is None or not status.interrupted:
        return None
    started = str(status.started_at or "?").replace("T", " ").removesuffix("+00:00")[:16]
    return t("app.push_interrupted", lang, started=started)


def _banner(lang: str) -> list | None:
    ctx = current()
    banners = []
    text = store_banner_text(ctx, lang)
    if text:
        banners.append(html.Div(text, className="banner banner-store", id=ids.STORE_BANNER))
    pushed = push_banner_text(ctx, lang)
    if pushed:
        banners.append(html.Div(pushed, className="banner banner-store", id=ids.PUSH_BANNER))
    if ctx.settings.is_sample:
        banners.append(html.Div(t("app.sample_banner", lang), className="banner"))
    return banners or None


def shell_layout() -> html.Div:
    """Evaluated per page load (so the banner reflects the app's data), with
    the page the browser asked for already in it (:mod:`dashboard.first_page`)."""
    start = first_page.requested_start()
    search = start.search if start else f"?lang={current().settings.default_lang}"
    lang = lang_from_search(search)
    return html.Div([
        dcc.Location(id=ids.URL, refresh=False, **first_page.location_props(start)),
        dcc.Store(id=ids.TITLES, data=tab_titles()),
        html.Div(id=ids.TITLE_SINK, hidden=True),
        html.Header([
            html.Div([
                html.Span(t("app.title", lang), className="brand-name"),
                html.Span(t("app.subtitle", lang), className="brand-sub", id=ids.BRAND_SUB),
            ], className="brand"),
            html.Div(nav_children(start.pathname if start else "/", search), id=ids.NAV, className="nav"),
        ], className="header"),
        html.Div(_banner(lang), id=ids.BANNER),
        html.Main(first_page.page_container(start), id=ids.PAGE, className="page"),
    ], className="app")


def register_callbacks(app: dash.Dash) -> None:
    # Each tab gets its page's title in the URL's language. Dash pages sets the
    # registered (German) title on every navigation from the same store; ours runs
    # after it (next task), so the language wins.
    app.clientside_callback(
        """
        function(pagesData, pathname, search, titles) {
            var lang = /[?&]lang=en/i.test(search || "") ? "en" : "de";
            var path = pathname || "/";
            var entry = titles[path] || titles[path.replace(/\\/+$/, "")] || titles["*"];
            setTimeout(function () { document.title = entry[lang]; }, 0);
            return "";
        }
        """,
        dash.Output(ids.TITLE_SINK, "children"),
        dash.Input("_pages_store", "data"),
        dash.Input(ids.URL, "pathname"),
        dash.Input(ids.URL, "search"),
        dash.State(ids.TITLES, "data"),
    )

    @app.callback(
        dash.Output(ids.NAV, "children"),
        dash.Output(ids.BANNER, "children"),
        dash.Output(ids.BRAND_SUB, "children"),
        dash.Input(ids.URL, "pathname"),
        dash.Input(ids.URL, "search"),
    )
    def _update_shell(pathname, search):
        lang = lang_from_search(search)
        return nav_children(pathname, search), _banner(lang), t("app.subtitle", lang)
