"""Organisation identity: identifiers, normalised names, sectors and location.

Used by the IATI loader (one node per organisation across activities and
files) and by :mod:`loaders.merge` (the same institution in an IATI file and a
spreadsheet becomes one node). The rules:

- an IATI ``ref`` counts only when it is a real organisation identifier
  (``<agency>-<id>`` such as ``DE-CR-RA000220-VR3810`` or ``XM-DAC-41122``);
  empty refs, placeholders (``N/A``), bare country codes (``DE``) and DAC
  channel *categories* (``10000``, ``XM-DAC-11000``) are ignored; a bare DAC
  channel code of one organisation (``41122``) is read as ``XM-DAC-41122``;
- otherwise names are compared after :func:`normalise_name` (case, umlauts and
  accents, punctuation, parenthesised abbreviations, legal-form suffixes,
  ``-isation``/``-ization``);
- a small table of German federal actors (:data:`KNOWN_ORGANISATIONS`) maps
  their spellings, abbreviations and identifiers to one organisation.

>>> normalise_name("KREDITANSTALT FUER WIEDERAUFBAU (KFW)") == normalise_name("Kreditanstalt für Wiederaufbau")
True
>>> normalise_name("Lichtbrücke e. V.")
'lichtbruecke'
>>> classify_ref("41122").ref, classify_ref("DE").kind, classify_ref("10000").kind
('XM-DAC-41122', 'country', 'generic')
>>> infer_sector("Andheri-Hilfe e. V.")
'civil_society'
>>> german_location("Universität Hamburg").land
'DE-HH'
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from graph.core.reference import LAENDER, resolve_country
from graph.core.text import fold
from loaders.iati_codelists import is_country_code

__all__ = [
    "RefInfo",
    "KnownOrganisation",
    "GermanLocation",
    "KNOWN_ORGANISATIONS",
    "CITY_SOURCE",
    "normalise_name",
    "classify_ref",
    "is_placeholder_name",
    "sector_for_type",
    "infer_sector",
    "known_organisation",
    "german_location",
    "match_keys",
]

# ------------------------------------------------------------------ names
_PARENS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
# Legal-form tokens as they look after fold() ("e. V." -> "e v"), stripped from the end.
_LEGAL_SUFFIXES = (
    "e v", "ev", "ggmbh", "gmbh", "mbh", "ag", "kgaa", "kg", "ug", "gbr", "eg",
    "ltd", "limited", "inc", "incorporated", "llc", "plc", "corp", "co", "sa", "s a",
)
_LEADING = ("the ",)


@lru_cache(maxsize=65536)
def normalise_name(name: str) -> str:
    """Return the matching key of an organisation name.

    Case, umlauts (``ü``/``ue``) and accents, punctuation and whitespace do
    not matter; parenthesised parts (``(GIZ)``, ``(alt: …)``), a leading
    "The" and trailing legal forms (e.V., gGmbH, GmbH, AG, Ltd, Inc …) are
    dropped; British ``-isation`` is spelled ``-ization``.

    >>> normalise_name("  The  Catholic Organisation for Relief (CORDAID) ")
    'catholic organization for relief'
    """
    text = _PARENS.sub(" ", name or "")
    key = fold(text)
    key = re.sub(r"isation\b", "ization", key)
    key = re.sub(r"isations\b", "izations", key)
    for lead in _LEADING:
        if key.startswith(lead):
            key = key[len(lead):]
    changed = True
    while changed and key:
        changed = False
        for suffix in _LEGAL_SUFFIXES:
            if key == suffix:
                continue
            if key.endswith(" " + suffix):
                key = key[: -len(suffix) - 1].rstrip()
                changed = True
    return key


# Names that stand for a category or a redaction, never for one organisation.
_PLACEHOLDER_NAMES = frozenset(fold(n) for n in (
    "", "n/a", "na", "none", "null", "other", "others", "uncoded", "unknown", "not applicable",
    "name withheld", "information redacted", "redacted", "general funds", "anonymous",
    "public sector institutions", "public sector institution", "international ngo", "national ngo",
    "donor country-based ngo", "donor government", "recipient government", "government",
    "gouvernement du donneur", "private sector institution", "private sector institutions",
    "multilateral", "multilateral organisations", "ngos and civil society", "various",
))
_PLACEHOLDER_PREFIXES = ("usaid redacted this field",)


@lru_cache(maxsize=65536)
def is_placeholder_name(name: str) -> bool:
    """True for names that do not name one organisation ("Uncoded", "PUBLIC SECTOR INSTITUTIONS", redactions).

    >>> is_placeholder_name("PUBLIC SECTOR INSTITUTIONS"), is_placeholder_name("Oxfam GB")
    (True, False)
    """
    key = fold(name or "")
    return key in _PLACEHOLDER_NAMES or key.startswith(_PLACEHOLDER_PREFIXES)


# ------------------------------------------------------------------- refs
_REF_ID = re.compile(r"^[A-Za-z]{2,}(-[A-Za-z0-9_.:/]+)+$")
_PLACEHOLDER_REFS = frozenset({"n/a", "na", "none", "null", "unknown", "-", "0", "tbc", "tbd", "not applicable"})
_DAC_CATEGORY = re.compile(r"^(XM-DAC-)?\d{2}000$", re.IGNORECASE)


@dataclass(frozen=True)
class RefInfo:
    """How an IATI organisation ``ref`` is read.

    ``kind`` is ``"id"`` (a real organisation identifier, normalised in
    ``ref``), ``"empty"``, ``"placeholder"`` (``N/A``), ``"country"`` (a bare
    country code; ``country`` holds it), ``"generic"`` (a DAC channel
    category such as ``10000``) or ``"invalid"`` (e.g. contains spaces).
    """

    kind: str
    ref: str | None = None
    country: str | None = None  # ISO alpha-2 of the registration agency or of a bare country code


@lru_cache(maxsize=65536)
def classify_ref(raw: str | None) -> RefInfo:
    """Classify an IATI organisation reference (see :class:`RefInfo`).

    >>> classify_ref("GB-CHC-202918")
    RefInfo(kind='id', ref='GB-CHC-202918', country='GB')
    >>> classify_ref("N/A").kind, classify_ref("").kind, classify_ref("DK-CVR | x").kind
    ('placeholder', 'empty', 'invalid')
    """
    ref = (raw or "").strip()
    if not ref:
        return RefInfo("empty")
    if ref.casefold() in _PLACEHOLDER_REFS:
        return RefInfo("placeholder")
    if len(ref) == 2 and ref.isalpha():
        return RefInfo("country", country=ref.upper()) if is_country_code(ref) else RefInfo("placeholder")
    if _DAC_CATEGORY.match(ref):
        return RefInfo("generic")
    if ref.isdigit():
        # a DAC channel / donor code of one organisation: its IATI org-id is XM-DAC-<code>
        return RefInfo("id", ref=f"XM-DAC-{ref}")
    if any(ch.isspace() for ch in ref) or "|" in ref:
        return RefInfo("invalid")
    if not _REF_ID.match(ref):
        return RefInfo("invalid")
    prefix = ref.split("-", 1)[0].upper()
    country = prefix if len(prefix) == 2 and is_country_code(prefix) else None
    return RefInfo("id", ref=ref, country=country)


# ---------------------------------------------------------------- sectors
#: IATI OrganisationType → (our sector, flag). Flagged types do not fit one of our sectors.
_TYPE_SECTORS: dict[str, tuple[str, str | None]] = {
    "10": ("public_administration", None),
    "11": ("public_administration", None),
    "15": ("public_administration", None),
    "21": ("civil_society", None),
    "22": ("civil_society", None),
    "23": ("civil_society", None),
    "24": ("civil_society", None),
    "60": ("civil_society", None),
    "70": ("business", None),
    "71": ("business", None),
    "72": ("business", None),
    "73": ("business", None),
    "80": ("science", None),
    "30": ("other", "public_private_partnership"),
    "40": ("other", "multilateral"),
}


def sector_for_type(code: str | None) -> tuple[str, str | None] | None:
    """Our sector (and a flag for 30 PPP / 40 multilateral) for an IATI organisation type.

    ``None`` for 90 "Other", missing or unknown codes: infer from the name then.

    >>> sector_for_type("22"), sector_for_type("40"), sector_for_type("90")
    (('civil_society', None), ('other', 'multilateral'), None)
    """
    return _TYPE_SECTORS.get((code or "").strip())


# Checked in this order on the folded name; the first rule that matches wins.
_SECTOR_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("civil_society", re.compile(r"\bggmbh\b|gemeinnuetzig")),
    ("science", re.compile(r"universit|hochschule|\bcollege\b|institut|research|forschung|akademie|academy"
                           r"|\bschool of\b|\bfaculty\b")),
    ("public_administration", re.compile(
        r"ministeri|ministry|ministere|bundesamt|bundesanstalt|landesamt|staatskanzlei|senatskanzlei"
        r"|\bsenat\b|\bgovernment\b|\bgovt\b|\bgouvernement\b|\bgobierno\b|\bregierung\b|\bdepartment\b"
        r"|\bdept\b|\bmunicipal|\bdistrict\b|\bbehoerde|\bagency\b|\bfreistaat\b|\bland\b")),
    ("civil_society", re.compile(r"\be v$|\be v\b|\bev$|verein|stiftung|foundation|fondation|fundacion"
                                 r"|\bngo\b|red cross|red crescent|rotes kreuz|caritas|diakonie|hilfswerk"
                                 r"|\bcharity\b|\bcharitable\b")),
    ("business", re.compile(r"\bgmbh\b|\bmbh\b|\bag\b|\bltd\b|\blimited\b|\binc\b|\bcorporation\b|\bcorp\b"
                            r"|\bcompany\b|\bplc\b|\bllc\b|\bkg\b|\bkgaa\b")),
)


@lru_cache(maxsize=65536)
def infer_sector(name: str) -> str | None:
    """Guess our sector from an organisation name (legal form, key words); ``None`` if no rule fits.

    >>> infer_sector("Universität Hamburg"), infer_sector("Ministry of Planning"), infer_sector("Foo GmbH")
    ('science', 'public_administration', 'business')
    """
    key = fold(name or "")
    for sector, pattern in _SECTOR_RULES:
        if pattern.search(key):
            return sector
    if resolve_country(name or "") is not None:  # "Germany", "Sierra Leone": a government
        return "public_administration"
    return None


# ------------------------------------------------- known German organisations
@dataclass(frozen=True)
class KnownOrganisation:
    """A German federal actor that appears under many spellings."""

    key: str
    name: str
    name_en: str
    sector: str
    land: str | None
    city: str | None
    refs: tuple[str, ...]
    names: tuple[str, ...]
    source: str
    sector_detail: str = ""

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, self.name_en, *self.names)


# Seats are each organisation's registered seat as stated in its own imprint (source).
# Refs: DE-1, XM-DAC-5-7 and XM-DAC-5-52 are the publishers' IATI ids in the IATI Registry
# (see tests/data/iati/SOURCES.md); XM-DAC-5-2 is KfW's OECD CRS agency code (Germany = 5).
KNOWN_ORGANISATIONS: tuple[KnownOrganisation, ...] = (
    KnownOrganisation(
        "bmz", "Bundesministerium für wirtschaftliche Zusammenarbeit und Entwicklung (BMZ)",
        "Federal Ministry for Economic Cooperation and Development (BMZ)", "public_administration",
        "DE-NW", "Bonn", ("DE-1",),
        ("BMZ", "German Federal Ministry for Economic Cooperation and Development"),
        "https://www.bmz.de/de/service/impressum", "federal ministry"),
    KnownOrganisation(
        "auswaertiges-amt", "Auswärtiges Amt", "Federal Foreign Office", "public_administration",
        "DE-BE", "Berlin", ("XM-DAC-5-7",), ("German Federal Foreign Office", "AA"),
        "https://www.auswaertiges-amt.de/de/impressum", "federal ministry"),
    KnownOrganisation(
        "giz", "Deutsche Gesellschaft für Internationale Zusammenarbeit (GIZ) GmbH",
        "Deutsche Gesellschaft für Internationale Zusammenarbeit (GIZ)", "implementing_agency",
        None, "Bonn und Eschborn", ("XM-DAC-5-52",),
        ("GIZ", "Gesellschaft für internationale Zusammenarbeit", "German Agency for International Cooperation",
         "Deutsche Gesellschaft für Technische Zusammenarbeit", "GTZ"),
        "https://www.giz.de/de/impressum.html", "federal enterprise for international cooperation"),
    KnownOrganisation(
        "kfw", "KfW (Kreditanstalt für Wiederaufbau)", "KfW Development Bank", "implementing_agency",
        "DE-HE", "Frankfurt am Main", ("XM-DAC-5-2",),
        ("KfW", "KfW Entwicklungsbank", "KfW Bankengruppe", "KfW Development Bank", "Kreditanstalt für Wiederaufbau"),
        "https://www.kfw.de/KfW-Konzern/Impressum/", "federal development bank"),
    KnownOrganisation(
        "ptb", "Physikalisch-Technische Bundesanstalt (PTB)", "Physikalisch-Technische Bundesanstalt (PTB)",
        "public_administration", "DE-NI", "Braunschweig", (),
        ("PTB", "National Metrology Institute of Germany"),
        "https://www.ptb.de/cms/footer/impressum.html", "federal institute"),
    KnownOrganisation(
        "bgr", "Bundesanstalt für Geowissenschaften und Rohstoffe (BGR)",
        "Federal Institute for Geosciences and Natural Resources (BGR)", "public_administration",
        "DE-NI", "Hannover", (), ("BGR",),
        "https://www.bgr.bund.de/DE/Gemeinsames/Impressum/impressum_node.html", "federal institute"),
    KnownOrganisation(
        "deg", "DEG – Deutsche Investitions- und Entwicklungsgesellschaft mbH",
        "DEG – German Investment Corporation", "implementing_agency", "DE-NW", "Köln", (),
        ("DEG", "Deutsche Investitions- und Entwicklungsgesellschaft"),
        "https://www.deginvest.de/Impressum/", "development finance institution (KfW subsidiary)"),
    KnownOrganisation(
        "engagement-global", "Engagement Global gGmbH", "Engagement Global", "implementing_agency",
        "DE-NW", "Bonn", (), ("Engagement Global", "Engagement Global – Service für Entwicklungsinitiativen"),
        "https://www.engagement-global.de/impressum.html", "federal service for development initiatives"),
)


@lru_cache(maxsize=1)
def _known_index() -> tuple[dict[str, KnownOrganisation], dict[str, KnownOrganisation]]:
    by_name: dict[str, KnownOrganisation] = {}
    by_ref: dict[str, KnownOrganisation] = {}
    for org in KNOWN_ORGANISATIONS:
        for name in org.all_names:
            by_name[normalise_name(name)] = org
        for ref in org.refs:
            by_ref[ref.casefold()] = org
    return by_name, by_ref


@lru_cache(maxsize=65536)
def known_organisation(name: str | None = None, ref: str | None = None) -> KnownOrganisation | None:
    """The :data:`KNOWN_ORGANISATIONS` entry an identifier or a name stands for, if any.

    >>> known_organisation("Gesellschaft für internationale Zusammenarbeit (GIZ) GmbH").key
    'giz'
    >>> known_organisation(ref="DE-1").key
    'bmz'
    """
    by_name, by_ref = _known_index()
    if ref and ref.casefold() in by_ref:
        return by_ref[ref.casefold()]
    if name:
        return by_name.get(normalise_name(name))
    return None


# ---------------------------------------------------------------- location
CITY_SOURCE = ("Statistisches Bundesamt (Destatis), Gemeindeverzeichnis: "
               "https://www.destatis.de/DE/Themen/Laender-Regionen/Regionales/Gemeindeverzeichnis/_inhalt.html")

_GERMAN_MARKERS = re.compile(
    r"\be v$|\be v\b|\bev$|eingetragener verein|\bggmbh\b|\bgmbh\b|\bmbh\b|\bkgaa\b|stiftung"
    r"|\bdeutsche[rsnm]?\b|\bdeutschland\b|\bgerman\b|\bbundes\w+|\blandes\w+|\bfreistaat\b")


@dataclass(frozen=True)
class GermanLocation:
    """Whether an organisation is German and, where known, its Land and city."""

    german: bool
    land: str | None = None
    city: str | None = None
    evidence: str = ""


@lru_cache(maxsize=1)
def _place_patterns() -> tuple[tuple[re.Pattern[str], str, str | None], ...]:
    places: list[tuple[str, str, str | None]] = []
    path = Path(__file__).resolve().parent / "data" / "german_cities.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            places.append((fold(row["city"]), row["land"], row["city"]))
    for land in LAENDER:
        for name in (land.name_de, land.name_en, *land.aliases):
            if len(name) >= 5:
                places.append((fold(name), land.code, None))
    places.sort(key=lambda p: -len(p[0]))  # "frankfurt oder" before "frankfurt", "sachsen anhalt" before "sachsen"
    return tuple((re.compile(rf"\b{re.escape(key)}\b"), code, city) for key, code, city in places)


def german_location(name: str, *, ref: RefInfo | None = None,
                    known: KnownOrganisation | None = None) -> GermanLocation:
    """Decide whether an organisation is German and find its Land where the data allows.

    German when the identifier is German (``DE-…`` or the bare ``DE``), the
    organisation is a known German actor, its name has a German legal form
    (e.V., gGmbH, GmbH, Stiftung …) or German word marks (Deutsche …, Bundes…),
    names a German city or Land, or is Germany itself. The Land comes from a
    known actor's seat or a city/Land named in the name.

    >>> german_location("NETZ - Partnerschaft für Entwicklung und Gerechtigkeit e. V.")
    GermanLocation(german=True, land=None, city=None, evidence='legal form or name')
    >>> german_location("Ministry of Planning").german
    False
    """
    if known is not None:
        return GermanLocation(True, known.land, known.city, "known organisation")
    key = fold(name or "")
    for pattern, land, city in _place_patterns():
        if pattern.search(key):
            return GermanLocation(True, land, city, "city or Land in the name")
    if ref is not None and ref.country == "DE":
        return GermanLocation(True, evidence="identifier")
    if _GERMAN_MARKERS.search(key):
        return GermanLocation(True, evidence="legal form or name")
    country = resolve_country(name or "")
    if country is not None and country.alpha3 == "DEU":
        return GermanLocation(True, evidence="name is Germany")
    return GermanLocation(False)


# ------------------------------------------------------------------ merging
def match_keys(name: str, refs: tuple[str, ...] | list[str] = ()) -> set[str]:
    """Keys under which two institution records are the same organisation.

    ``ref:<id>`` per real identifier, ``known:<key>`` for a known German actor,
    ``name:<normalised name>`` otherwise.

    >>> sorted(match_keys("Kreditanstalt für Wiederaufbau"))
    ['known:kfw']
    >>> sorted(match_keys("Oxfam GB", ["GB-CHC-202918"]))
    ['name:oxfam gb', 'ref:gb-chc-202918']
    """
    keys: set[str] = set()
    known = None
    for ref in refs:
        info = classify_ref(ref)
        if info.kind == "id" and info.ref:
            keys.add("ref:" + info.ref.casefold())
            known = known or known_organisation(ref=info.ref)
    known = known or known_organisation(name=name)
    if known is not None:
        keys.add("known:" + known.key)
    else:
        norm = normalise_name(name)
        if norm:
            keys.add("name:" + norm)
    return keys
