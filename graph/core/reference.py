"""Built-in reference data: the 16 Länder and the world's countries.

Länder carry ISO 3166-2 codes and are resolved from codes, official and
English names, common short forms and ASCII spellings; countries carry
ISO 3166-1 alpha-3 codes with German and English names from pycountry and are
resolved from alpha-2/alpha-3 codes and German or English names.

>>> resolve_land("Baden-Wuerttemberg").code
'DE-BW'
>>> resolve_country("Ruanda").alpha3
'RWA'
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import lru_cache

import pycountry

from graph.core.text import fold

__all__ = [
    "Land",
    "Country",
    "LAENDER",
    "all_countries",
    "resolve_land",
    "resolve_country",
    "country_by_alpha3",
    "land_by_code",
]

PYCOUNTRY_SOURCE = "ISO 3166 via pycountry " + getattr(pycountry, "__version__", "")


@dataclass(frozen=True)
class Land:
    """A German federal state."""

    code: str  # ISO 3166-2, e.g. DE-BW
    name_de: str
    name_en: str
    aliases: tuple[str, ...] = ()

    @property
    def short(self) -> str:
        return self.code.split("-")[1]


@dataclass(frozen=True)
class Country:
    """A country by ISO 3166-1."""

    alpha3: str
    alpha2: str
    name_de: str
    name_en: str


LAENDER: tuple[Land, ...] = (
    Land("DE-BW", "Baden-Württemberg", "Baden-Württemberg", ("BaWü",)),
    Land("DE-BY", "Bayern", "Bavaria", ("Freistaat Bayern",)),
    Land("DE-BE", "Berlin", "Berlin", ()),
    Land("DE-BB", "Brandenburg", "Brandenburg", ()),
    Land("DE-HB", "Bremen", "Bremen", ("Freie Hansestadt Bremen",)),
    Land("DE-HH", "Hamburg", "Hamburg", ("Freie und Hansestadt Hamburg",)),
    Land("DE-HE", "Hessen", "Hesse", ()),
    Land("DE-MV", "Mecklenburg-Vorpommern", "Mecklenburg-Western Pomerania", ("Mecklenburg-Vorpommern", "MeckPomm")),
    Land("DE-NI", "Niedersachsen", "Lower Saxony", ("NDS",)),
    Land("DE-NW", "Nordrhein-Westfalen", "North Rhine-Westphalia", ("NRW",)),
    Land("DE-RP", "Rheinland-Pfalz", "Rhineland-Palatinate", ("RLP",)),
    Land("DE-SL", "Saarland", "Saarland", ()),
    Land("DE-SN", "Sachsen", "Saxony", ("Freistaat Sachsen",)),
    Land("DE-ST", "Sachsen-Anhalt", "Saxony-Anhalt", ("LSA",)),
    Land("DE-SH", "Schleswig-Holstein", "Schleswig-Holstein", ()),
    Land("DE-TH", "Thüringen", "Thuringia", ("Freistaat Thüringen",)),
)


@lru_cache(maxsize=1)
def _land_index() -> dict[str, Land]:
    index: dict[str, Land] = {}
    for land in LAENDER:
        for name in (land.code, land.short, land.name_de, land.name_en, *land.aliases):
            index[fold(name)] = land
    return index


def resolve_land(value: str) -> Land | None:
    """Return the Land a user wrote, or ``None`` when nothing matches."""
    return _land_index().get(fold(value))


def land_by_code(code: str) -> Land:
    """Return the Land with ISO 3166-2 ``code`` (``KeyError`` if none)."""
    for land in LAENDER:
        if land.code == code:
            return land
    raise KeyError(code)


# German short names where pycountry's German translation is the long form
# ("Tansania, Vereinigte Republik") or an unusual one.
_GERMAN_SHORT = {
    "TZA": "Tansania",
    "BOL": "Bolivien",
    "VEN": "Venezuela",
    "IRN": "Iran",
    "KOR": "Südkorea",
    "PRK": "Nordkorea",
    "COD": "Demokratische Republik Kongo",
    "MDA": "Moldau",
    "SYR": "Syrien",
    "LAO": "Laos",
    "PSE": "Palästinensische Gebiete",
    "VNM": "Vietnam",
    "RUS": "Russland",
    "TWN": "Taiwan",
}
# Extra names people use that pycountry does not carry.
_EXTRA_ALIASES = {
    "TZA": ("Tanzania",),
    "COD": ("DR Kongo", "Kongo-Kinshasa", "DRC"),
    "COG": ("Kongo-Brazzaville",),
    "CIV": ("Elfenbeinküste", "Ivory Coast"),
    "GBR": ("Großbritannien", "UK", "England"),
    "USA": ("Vereinigte Staaten", "US"),
    "PSE": ("Palästina", "Palestine"),
    "CZE": ("Tschechien",),
    "MMR": ("Burma",),
    "SWZ": ("Swasiland", "Swaziland"),
    "CPV": ("Kap Verde", "Cape Verde"),
    "MKD": ("Nordmazedonien",),
}


@lru_cache(maxsize=1)
def all_countries() -> tuple[Country, ...]:
    """Every ISO 3166-1 country with German and English display names."""
    german = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["de"], fallback=True)
    result = []
    for c in pycountry.countries:
        name_en = getattr(c, "common_name", None) or c.name
        name_de = _GERMAN_SHORT.get(c.alpha_3) or german.gettext(c.name)
        result.append(Country(c.alpha_3, c.alpha_2, name_de, name_en))
    return tuple(result)


@lru_cache(maxsize=1)
def _country_index() -> dict[str, Country]:
    german = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["de"], fallback=True)
    index: dict[str, Country] = {}
    for country in all_countries():
        c = pycountry.countries.get(alpha_3=country.alpha3)
        names = {country.name_de, country.name_en, c.name, german.gettext(c.name)}
        for attr in ("official_name", "common_name"):
            if getattr(c, attr, None):
                names.add(getattr(c, attr))
                names.add(german.gettext(getattr(c, attr)))
        names.update(_EXTRA_ALIASES.get(country.alpha3, ()))
        for name in names:
            index.setdefault(fold(name), country)
        # codes win over names
    for country in all_countries():
        index[fold(country.alpha3)] = country
        index[fold(country.alpha2)] = country
    return index


def resolve_country(value: str) -> Country | None:
    """Return the country a user wrote (ISO2/ISO3, German or English name), or ``None``."""
    return _country_index().get(fold(value))


def country_by_alpha3(code: str) -> Country:
    """Return the country with ISO alpha-3 ``code`` (``KeyError`` if none)."""
    country = resolve_country(code)
    if country is None or country.alpha3 != code.upper():
        raise KeyError(code)
    return country
