"""Browser test: every page in German and English, at a wide and a narrow
laptop size. No console errors; no i18n key shows through as text; in English
no German UI word is left in headings, buttons, labels, table headers or the
nav (data such as institution names and project titles stay German, so only
UI chrome is checked). Screenshots: test-artifacts/screenshots/qa-*.png."""

from __future__ import annotations

import re

import pytest

from dashboard.domain_labels import domain_keys
from dashboard.messages import MESSAGES
from tests.browser.browser_helpers import screenshot, wait_for_dash, wait_for_drawings, wait_for_no_overflow

pytestmark = pytest.mark.browser

PAGES = [("/", "netzwerk"), ("/matchmaking", "matchmaking"), ("/kontakte", "kontakte"),
         ("/analysen", "analysen"), ("/daten", "daten")]
VIEWPORTS = [(1400, 900), (1024, 768)]

#: UI chrome: the only places checked for German words in English mode (a
#: dropdown's button shows its chosen value — data — so only its placeholder counts).
CHROME = ("h1, h2, h3, h4, button:not(.dash-dropdown), label, th, nav a, summary, .field-label, .figure-label, "
          ".nav-link, .lang-label, .ag-header-cell-text, .mm-export-label, .mm-weight-label, "
          ".an-control label, .Select-placeholder, .dash-dropdown-placeholder, input[placeholder]")

#: German UI words that never occur in a correct English label. Words shared
#: by both languages ("Land", "Status", "Details", "Matchmaking") are absent.
GERMAN_UI_WORDS = {
    "und", "oder", "der", "die", "das", "den", "dem", "des", "mit", "für", "nach", "von", "bis",
    "ein", "eine", "keine", "alle", "nur", "zum", "zur", "im", "auf", "aus", "pro", "je",
    "suche", "suchen", "anzeigen", "zeigen", "herunterladen", "zurücksetzen", "übernehmen",
    "auswählen", "auswahl", "hinzufügen", "entfernen", "löschen", "filtern", "öffnen",
    "netzwerk", "daten", "analysen", "sprache", "kontakte", "veranstaltungen", "veranstaltung",
    "projekte", "projekt", "institutionen", "partnerland", "partnerländer", "themen",
    "thema", "sektor", "sektoren", "rolle", "rollen", "sprachen", "zeitraum", "jahr", "jahre",
    "gewichte", "gewichtung", "kandidaten", "ergebnisse", "ergebnis", "nachbarn", "pfad",
    "quelle", "quellen", "fehler", "warnungen", "gästeliste", "teilnahmen", "teilnehmende",
    "einwilligung", "umkreis", "ansicht", "legende", "kennzahlen", "anzahl", "beteiligungen",
    "kofinanzierung", "partnerschaften", "zeitraum", "stichtag", "umfang", "ebene",
}

_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]+")


def _registered_keys() -> list[str]:
    return sorted({*MESSAGES, *domain_keys()})


def _key_pattern(keys: list[str]) -> re.Pattern:
    """Registered keys, and anything else that looks like a key of a known
    namespace (``t()`` returns unknown keys verbatim)."""
    prefixes = sorted({k.split(".")[0] for k in keys})
    known = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
    loose = r"(?:%s)\.[a-z][a-z0-9_]*(?:[.-][a-z0-9_]+)*" % "|".join(map(re.escape, prefixes))
    return re.compile(r"(?<![\w.@/-])(?:%s|%s)(?![\w@/-])" % (known, loose))


def _chrome_texts(page) -> list[str]:
    return page.locator(CHROME).evaluate_all(
        """els => els.filter(e => e.offsetParent !== null || e.getClientRects().length)
                     .map(e => e.tagName === 'INPUT' ? e.placeholder : e.innerText)
                     .filter(t => t && t.trim())""")


def german_words(texts: list[str]) -> dict[str, list[str]]:
    """``{text: [german words in it]}`` for the texts that have any."""
    found = {}
    for text in texts:
        words = [w for w in _WORD.findall(text) if w.lower() in GERMAN_UI_WORDS]
        if words:
            found[text] = words
    return found


def test_german_word_check_flags_german_and_passes_english():
    assert german_words(["Suche nach Institutionen", "Search institutions", "Land"]) == {
        "Suche nach Institutionen": ["Suche", "nach", "Institutionen"]}


def test_key_pattern_finds_registered_and_unregistered_keys():
    pattern = _key_pattern(["nav.data", "mm.title"])
    assert pattern.findall("Daten nav.data | mm.unknown_key") == ["nav.data", "mm.unknown_key"]
    assert pattern.findall("info@mm.de https://x.org/nav.data Matchmaking") == []


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("path,name", PAGES)
def test_page_is_translated_and_screenshotted(served_app, page, path, name, lang):
    keys = _registered_keys()
    pattern = _key_pattern(keys)
    page.goto(f"{served_app.url}{path}?lang={lang}")
    wait_for_dash(page)
    wait_for_drawings(page)  # late renders (cytoscape layout, plotly)
    wait_for_dash(page)

    text = page.inner_text("body")
    assert pattern.findall(text) == [], f"i18n keys visible on {path} ({lang})"
    if lang == "en":
        assert german_words(_chrome_texts(page)) == {}, f"German UI words on {path} in English"
        assert page.locator(".nav-link.active").inner_text() != t_de_nav(path)

    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        # nothing pokes out sideways: no horizontal scrollbar on the page
        overflow = wait_for_no_overflow(page)
        wait_for_drawings(page)
        screenshot(page, f"qa-{name}-{lang}-{width}")
        assert overflow <= 1, f"{path} ({lang}) is {overflow}px wider than a {width}px window"
    assert page.errors == []


def t_de_nav(path: str) -> str:
    from dashboard.i18n import t
    from dashboard.shell import NAV_ITEMS

    key = dict(NAV_ITEMS)[path]
    return t(key, "de") if t(key, "de") != t(key, "en") else "\0"
