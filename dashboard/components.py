"""Small layout pieces shared by pages."""

from __future__ import annotations

from dash import html

from dashboard.i18n import t

__all__ = ["page_header", "placeholder", "key_figures"]


def page_header(title_key: str, lang: str, intro: str | None = None) -> html.Div:
    children = [html.H1(t(title_key, lang))]
    if intro:
        children.append(html.P(intro, className="intro"))
    return html.Div(children, className="page-header")


def placeholder(title_key: str, lang: str) -> html.Div:
    return html.Div([page_header(title_key, lang), html.P(t("page.coming", lang), className="muted")])


def key_figures(items: list[tuple[str, int | str]]) -> html.Div:
    """A row of labelled numbers."""
    return html.Div([
        html.Div([html.Div(str(value), className="figure-value"), html.Div(label, className="figure-label")],
                 className="figure") for label, value in items
    ], className="figures")


#: AG Grid's own texts (paging, filters, empty grid) in German; English is its default.
_GRID_TEXT_DE = {
    "page": "Seite", "of": "von", "to": "bis", "more": "mehr",
    "firstPage": "Erste Seite", "lastPage": "Letzte Seite", "nextPage": "Nächste Seite", "previousPage": "Vorherige Seite",
    "pageSizeSelectorLabel": "Zeilen pro Seite:", "noRowsToShow": "Keine Einträge", "loadingOoo": "Wird geladen …",
    "filterOoo": "Filtern …", "searchOoo": "Suchen …", "selectAll": "(Alle auswählen)",
    "equals": "gleich", "notEqual": "ungleich", "contains": "enthält", "notContains": "enthält nicht",
    "startsWith": "beginnt mit", "endsWith": "endet mit", "blank": "leer", "notBlank": "nicht leer",
    "lessThan": "kleiner als", "greaterThan": "größer als", "lessThanOrEqual": "kleiner oder gleich",
    "greaterThanOrEqual": "größer oder gleich", "inRange": "zwischen", "inRangeStart": "von", "inRangeEnd": "bis",
    "andCondition": "UND", "orCondition": "ODER", "applyFilter": "Anwenden", "resetFilter": "Zurücksetzen",
    "clearFilter": "Leeren", "cancelFilter": "Abbrechen",
}


def grid_options(lang: str, **options: object) -> dict:
    """``dashGridOptions`` for a dash-ag-grid table, with AG Grid's own texts in ``lang``.

    >>> grid_options("de", pagination=True)["localeText"]["noRowsToShow"]
    'Keine Einträge'
    >>> "localeText" in grid_options("en")
    False
    """
    out = dict(options)
    if lang != "en":
        out["localeText"] = _GRID_TEXT_DE
    return out
