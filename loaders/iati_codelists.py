"""IATI codelists as lookup tables (code → name, DAC-5 → DAC-3 roll-up).

The CSV files in ``loaders/data/iati/`` are converted from the official IATI
codelists (IATI Standard, http://iatistandard.org/, CC BY 4.0; see
``loaders/data/iati/SOURCES.md``). Every list is read once and cached.

>>> sector_category_of("13030")
'130'
>>> codelist("SectorCategory")["130"].name
'Population Policies/Programmes & Reproductive Health'
>>> organisation_type_name("40")
'Multilateral'
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "CODELIST_DIR",
    "CODELIST_SOURCE",
    "Code",
    "codelist",
    "sector_category_of",
    "organisation_type_name",
    "is_country_code",
    "is_region_code",
    "sector_category_name_de",
]

#: Folder of the bundled codelist CSVs.
CODELIST_DIR = Path(__file__).resolve().parent / "data" / "iati"

#: Provenance written onto nodes whose names come from a codelist.
CODELIST_SOURCE = "IATI Standard codelists (http://iatistandard.org/, CC BY 4.0)"

_NAMES = (
    "ActivityDateType", "ActivityStatus", "Country", "OrganisationRole", "OrganisationType",
    "Region", "Sector", "SectorCategory", "SectorVocabulary",
)


@dataclass(frozen=True)
class Code:
    """One codelist item."""

    code: str
    name: str
    category: str | None = None  # Sector: the DAC 3-digit category
    withdrawn: bool = False


@lru_cache(maxsize=None)
def codelist(name: str) -> dict[str, Code]:
    """Return the codelist ``name`` (e.g. ``"Sector"``) as ``{code: Code}``.

    Raises ``KeyError`` for a codelist that is not bundled.
    """
    if name not in _NAMES:
        raise KeyError(f"codelist {name!r} is not bundled (have: {', '.join(_NAMES)})")
    path = CODELIST_DIR / f"codelist_{name}.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return {
            row["code"].strip(): Code(
                code=row["code"].strip(),
                name=row["name"].strip(),
                category=(row.get("category") or "").strip() or None,
                withdrawn=(row.get("status") or "").strip() == "withdrawn",
            )
            for row in csv.DictReader(fh)
        }


def sector_category_of(code: str) -> str | None:
    """DAC 3-digit category of a DAC 5-digit purpose code, ``None`` if unknown."""
    item = codelist("Sector").get(code.strip())
    return item.category if item else None


def organisation_type_name(code: str) -> str | None:
    """Name of an IATI organisation type code (``"21"`` → ``"International NGO"``)."""
    item = codelist("OrganisationType").get(code.strip())
    return item.name if item else None


@lru_cache(maxsize=1)
def _category_names_de() -> dict[str, str]:
    with (CODELIST_DIR / "dac_categories_de.csv").open(encoding="utf-8", newline="") as fh:
        return {row["code"].strip(): row["name_de"].strip() for row in csv.DictReader(fh)}


def sector_category_name_de(code: str) -> str | None:
    """German display name of a DAC 3-digit category (our translation; ``None`` if none).

    >>> sector_category_name_de("140")
    'Wasserversorgung und Sanitärversorgung'
    """
    return _category_names_de().get(code.strip())


def is_country_code(code: str) -> bool:
    """True for a code of the IATI Country codelist (ISO 3166-1 alpha-2 plus ``XK``)."""
    return code.strip().upper() in codelist("Country")


def is_region_code(code: str) -> bool:
    """True for a DAC region code (``recipient-region`` vocabulary 1)."""
    return code.strip() in codelist("Region")
