"""The app shell: header with the programme's name, navigation, language
switch, sample-data banner, and the page container."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

import dash
from dash import dcc, html

from dashboard import ids
from dashboard.context import current
from dashboard.i18n import normalise_lang, register, t

__all__ = ["NAV_ITEMS", "shell_layout", "store_banner_text", "snapshot_off_notice", "nav_children", "with_lang", "lang_from_search", "register_callbacks"]

#: (path, label key) of every page, in menu order.
NAV_ITEMS = (
    ("/", "nav.network"),
    ("/matchmaking", "nav.matchmaking"),
    ("/kontakte", "nav.contacts"),
    ("/analysen", "nav.analytics"),
    ("/daten", "nav.data"),
)


def lang_from_search(search: str | None) -> str:
    """The ``lang`` query parameter of a URL search string."""
    values = parse_qs((search or "").lstrip("?")).get("lang", [])
    return normalise_lang(values[0] if values else None)


def with_lang(search: str | None, lang: str) -> str:
    """Return ``search`` with its ``lang`` parameter set to ``lang``."""
    params = parse_qs((search or "").lstrip("?"))
    params["lang"] = [lang]
    return "?" + urlencode(params, doseq=True)


def nav_children(pathname: str | None, search: str | None) -> list:
    lang = lang_from_search(search)
    pathname = pathname or "/"
    links = []
    for path, key in NAV_ITEMS:
        active = pathname == path or (path != "/" and pathname.startswith(path))
        links.append(dcc.Link(t(key, lang), href=f"{path}?lang={lang}",
                              className="nav-link active" if active else "nav-link"))
    other = "en" if lang == "de" else "de"
    switch = html.Div([
        html.Span(t("app.language", lang) + ":", className="lang-label"),
        dcc.Link("DE", href=f"{pathname}{with_lang(search, 'de')}", id="lang-de",
                 className="lang-link active" if lang == "de" else "lang-link"),
        dcc.Link("EN", href=f"{pathname}{with_lang(search, 'en')}", id="lang-en",
                 className="lang-link active" if lang == "en" else "lang-link"),
    ], className="lang-switch", id=ids.LANG_SWITCH, title=other)
    return [html.Nav(links, className="nav-links"), switch]


register({
    "app.store_banner": (
        "Neo4j nicht erreichbar ({cause}). Angezeigt: {shown}.{retry}",
        "Neo4j unavailable ({cause}). Showing: {shown}.{retry}",
    ),
    "app.store_shown_snapshot": ("letzter Stand aus Neo4j von {taken} UTC",
                                 "the last data pulled from Neo4j, as of {taken} UTC"),
    "app.store_shown_local": ("lokaler Datensatz ({data})", "the local dataset ({data})"),
    "app.store_retry": (" Neuer Versuch höchstens alle {every} s.", " Retrying at most every {every} s."),
})


register({
    "app.snapshot_off_title": ("Diese Seite braucht den ganzen Graphen", "This page needs the whole graph"),
    "app.snapshot_off": (
        "Der Server beantwortet Fragen direkt aus Neo4j und holt den ganzen Graphen nie in den Speicher "
        "(gestartet mit `--neo4j-snapshot off`). Matchmaking, Kontakte, Analysen und Daten rechnen aber über "
        "den ganzen Graphen und brauchen dafür eine Momentaufnahme.",
        "The server answers questions directly from Neo4j and never copies the whole graph into memory "
        "(started with `--neo4j-snapshot off`). Matchmaking, Contacts, Analytics and Data work on the whole "
        "graph and need a snapshot of it.",
    ),
    "app.snapshot_off_how": (
        "Zum Aktivieren den Server mit `--neo4j-snapshot lazy` (Momentaufnahme beim ersten Aufruf) oder "
        "`--neo4j-snapshot warm` (beim Start, im Hintergrund) neu starten oder `NEO4J_SNAPSHOT=lazy` setzen.",
        "To enable it, restart the server with `--neo4j-snapshot lazy` (snapshot on first use) or "
        "`--neo4j-snapshot warm` (at start-up, in the background), or set `NEO4J_SNAPSHOT=lazy`.",
    ),
    "app.snapshot_off_network": ("Die Netzwerk-Seite funktioniert ohne Momentaufnahme:",
                                 "The Network page works without a snapshot:"),
})


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
                dcc.Link(t("nav.network", lang), href=f"/?lang={lang}")]),
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


def _banner(lang: str) -> list | None:
    ctx = current()
    banners = []
    text = store_banner_text(ctx, lang)
    if text:
        banners.append(html.Div(text, className="banner banner-store", id=ids.STORE_BANNER))
    if ctx.settings.is_sample:
        banners.append(html.Div(t("app.sample_banner", lang), className="banner"))
    return banners or None


def shell_layout() -> html.Div:
    """Evaluated per page load (so the banner reflects the app's data)."""
    lang = current().settings.default_lang
    return html.Div([
        dcc.Location(id=ids.URL, refresh=False),
        html.Header([
            html.Div([
                html.Span(t("app.title", lang), className="brand-name"),
                html.Span(t("app.subtitle", lang), className="brand-sub", id="brand-sub"),
            ], className="brand"),
            html.Div(nav_children("/", f"?lang={lang}"), id=ids.NAV, className="nav"),
        ], className="header"),
        html.Div(_banner(lang), id=ids.BANNER),
        html.Main(dash.page_container, id=ids.PAGE, className="page"),
    ], className="app")


def register_callbacks(app: dash.Dash) -> None:
    @app.callback(
        dash.Output(ids.NAV, "children"),
        dash.Output(ids.BANNER, "children"),
        dash.Output("brand-sub", "children"),
        dash.Input(ids.URL, "pathname"),
        dash.Input(ids.URL, "search"),
    )
    def _update_shell(pathname, search):
        lang = lang_from_search(search)
        return nav_children(pathname, search), _banner(lang), t("app.subtitle", lang)
