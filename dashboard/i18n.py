"""German/English labels. German is the default; every page registers its
own strings with :func:`register` so pages do not edit one shared file.

>>> register({"demo.hello": ("Hallo", "Hello")})
>>> t("demo.hello", "en")
'Hello'
>>> t("demo.hello")
'Hallo'
"""

from __future__ import annotations

from graph.core.labels import ATTENDANCE_ROLE, COFINANCE, EDGE_KIND, LABELS, NODE_KIND, PHASE, ROLE, SECTOR, STATUS

__all__ = ["LANGS", "DEFAULT_LANG", "register", "t", "normalise_lang", "missing_keys"]

LANGS = ("de", "en")
DEFAULT_LANG = "de"
_STRINGS: dict[str, tuple[str, str]] = {}


def register(strings: dict[str, tuple[str, str]]) -> None:
    """Add ``{key: (german, english)}``."""
    _STRINGS.update(strings)


def normalise_lang(lang: object) -> str:
    """``"en"`` for English, German otherwise (also for garbage input)."""
    return "en" if str(lang or "").lower().startswith("en") else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG, **fmt: object) -> str:
    """The label ``key`` in ``lang``; the key itself when unknown (visible in tests)."""
    pair = _STRINGS.get(key)
    if pair is None:
        return key
    text = pair[1] if normalise_lang(lang) == "en" else pair[0]
    return text.format(**fmt) if fmt else text


def missing_keys(keys: list[str]) -> list[str]:
    return [k for k in keys if k not in _STRINGS]


register({
    "app.title": ("Partnernetz", "Partnernetz"),
    "app.subtitle": ("Bund-Länder-Programm (BLP)", "Federal–Länder Programme (BLP)"),
    "app.sample_banner": (
        "Beispieldaten: öffentlich belegte Projekte, Institutionen und Partnerschaften des BLP; Kontakte und Veranstaltungen sind erfunden.",
        "Sample data: publicly documented BLP projects, institutions and partnerships; contacts and events are invented.",
    ),
    "app.language": ("Sprache", "Language"),
    "nav.network": ("Netzwerk", "Network"),
    "nav.matchmaking": ("Matchmaking", "Matchmaking"),
    "nav.contacts": ("Kontakte & Veranstaltungen", "Contacts & events"),
    "nav.analytics": ("Analysen", "Analytics"),
    "nav.data": ("Daten", "Data"),
    "page.coming": ("Diese Ansicht wird gerade gebaut.", "This view is being built."),
    "table.institutions": ("Institutionen", "Institutions"),
    "table.projects": ("Projekte", "Projects"),
    "table.participations": ("Beteiligungen", "Participations"),
    "table.cofinancing": ("Kofinanzierung", "Co-financing"),
    "table.partnerships": ("Partnerschaften", "Partnerships"),
    "table.themes": ("Themen", "Themes"),
    "table.programmes": ("TZ-Programme", "TC programmes"),
    "table.contacts": ("Kontakte", "Contacts"),
    "table.events": ("Veranstaltungen", "Events"),
    "table.attendance": ("Teilnahmen", "Attendance"),
    "table.iati-activity": ("IATI-Aktivitäten", "IATI activities"),
    "table.iati-org": ("IATI-Organisationsnennungen", "IATI organisation mentions"),
    "table.iati-country": ("IATI-Empfängerländer", "IATI recipient countries"),
    "table.iati-region": ("IATI-Empfängerregionen", "IATI recipient regions"),
    "table.iati-sector": ("IATI-Sektoren", "IATI sectors"),
})

#: Domain labels come from the one table (:mod:`graph.core.labels`), under these key prefixes.
DOMAIN_PREFIXES = {"kind": NODE_KIND, "edge": EDGE_KIND, "sector": SECTOR, "status": STATUS, "kind.cofin": COFINANCE,
                   "an.phase": PHASE, "role": ROLE, "attendance": ATTENDANCE_ROLE}
register({f"{prefix}.{key}": (entry.de, entry.en)
          for prefix, field in DOMAIN_PREFIXES.items() for key, entry in LABELS[field].items()})
