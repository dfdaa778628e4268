"""World regions of countries: UN M49 sub-regions, used to tell which
countries are "neighbouring" for country experience.

pycountry carries no regions, so this module ships the grouping itself.

Source: United Nations Statistics Division, *Standard country or area codes
for statistical use (M49)*, https://unstats.un.org/unsd/methodology/m49/overview/
(retrieved 2026). Sub-Saharan Africa and Latin America & the Caribbean are
split into M49's *intermediate* regions (Eastern/Middle/Southern/Western
Africa; Caribbean/Central/South America), everything else uses the
sub-region; the region names below are M49's, the codes in brackets its
numeric codes. Taiwan (TWN) is not listed separately by M49 and is placed in
Eastern Asia here.

>>> region_of("RWA")
'Eastern Africa'
>>> region_of("country:NAM")
'Southern Africa'
>>> "UGA" in neighbours("TZA") and "TZA" not in neighbours("TZA")
True
>>> region_of("XXX") is None
True
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["M49_SOURCE", "M49_REGIONS", "region_of", "neighbours", "region_label"]

M49_SOURCE = "UN Statistics Division, M49 standard: https://unstats.un.org/unsd/methodology/m49/overview/"

#: M49 region (English name) → ISO 3166-1 alpha-3 codes of its countries and areas.
M49_REGIONS: dict[str, tuple[str, ...]] = {
    # Africa (002)
    "Northern Africa": ("DZA", "EGY", "LBY", "MAR", "SDN", "TUN", "ESH"),  # 015
    "Eastern Africa": ("BDI", "COM", "DJI", "ERI", "ETH", "KEN", "MDG", "MWI", "MUS", "MYT", "MOZ", "REU",
                       "RWA", "SYC", "SOM", "SSD", "UGA", "TZA", "ZMB", "ZWE", "IOT", "ATF"),  # 014
    "Middle Africa": ("AGO", "CMR", "CAF", "TCD", "COG", "COD", "GNQ", "GAB", "STP"),  # 017
    "Southern Africa": ("BWA", "SWZ", "LSO", "NAM", "ZAF"),  # 018
    "Western Africa": ("BEN", "BFA", "CPV", "CIV", "GMB", "GHA", "GIN", "GNB", "LBR", "MLI", "MRT", "NER",
                       "NGA", "SHN", "SEN", "SLE", "TGO"),  # 011
    # Americas (019)
    "Caribbean": ("AIA", "ATG", "ABW", "BHS", "BRB", "BES", "VGB", "CYM", "CUB", "CUW", "DMA", "DOM", "GRD",
                  "GLP", "HTI", "JAM", "MTQ", "MSR", "PRI", "BLM", "KNA", "LCA", "MAF", "VCT", "SXM", "TTO",
                  "TCA", "VIR"),  # 029
    "Central America": ("BLZ", "CRI", "SLV", "GTM", "HND", "MEX", "NIC", "PAN"),  # 013
    "South America": ("ARG", "BOL", "BVT", "BRA", "CHL", "COL", "ECU", "FLK", "GUF", "GUY", "PRY", "PER",
                      "SGS", "SUR", "URY", "VEN"),  # 005
    "Northern America": ("BMU", "CAN", "GRL", "SPM", "USA"),  # 021
    # Asia (142)
    "Central Asia": ("KAZ", "KGZ", "TJK", "TKM", "UZB"),  # 143
    "Eastern Asia": ("CHN", "HKG", "MAC", "PRK", "JPN", "MNG", "KOR", "TWN"),  # 030
    "South-eastern Asia": ("BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "TLS", "VNM"),  # 035
    "Southern Asia": ("AFG", "BGD", "BTN", "IND", "IRN", "MDV", "NPL", "PAK", "LKA"),  # 034
    "Western Asia": ("ARM", "AZE", "BHR", "CYP", "GEO", "IRQ", "ISR", "JOR", "KWT", "LBN", "OMN", "QAT",
                     "SAU", "PSE", "SYR", "TUR", "ARE", "YEM"),  # 145
    # Europe (150)
    "Eastern Europe": ("BLR", "BGR", "CZE", "HUN", "POL", "MDA", "ROU", "RUS", "SVK", "UKR"),  # 151
    "Northern Europe": ("ALA", "DNK", "EST", "FRO", "FIN", "GGY", "ISL", "IRL", "IMN", "JEY", "LVA", "LTU",
                        "NOR", "SJM", "SWE", "GBR"),  # 154
    "Southern Europe": ("ALB", "AND", "BIH", "HRV", "GIB", "GRC", "VAT", "ITA", "MLT", "MNE", "MKD", "PRT",
                        "SMR", "SRB", "SVN", "ESP"),  # 039
    "Western Europe": ("AUT", "BEL", "FRA", "DEU", "LIE", "LUX", "MCO", "NLD", "CHE"),  # 155
    # Oceania (009)
    "Australia and New Zealand": ("AUS", "CXR", "CCK", "HMD", "NZL", "NFK"),  # 053
    "Melanesia": ("FJI", "NCL", "PNG", "SLB", "VUT"),  # 054
    "Micronesia": ("GUM", "KIR", "MHL", "FSM", "NRU", "MNP", "PLW", "UMI"),  # 057
    "Polynesia": ("ASM", "COK", "PYF", "NIU", "PCN", "WSM", "TKL", "TON", "TUV", "WLF"),  # 061
}

#: German names of the regions (our translation of the M49 English names).
_REGION_DE = {
    "Northern Africa": "Nordafrika", "Eastern Africa": "Ostafrika", "Middle Africa": "Zentralafrika",
    "Southern Africa": "Südliches Afrika", "Western Africa": "Westafrika", "Caribbean": "Karibik",
    "Central America": "Mittelamerika", "South America": "Südamerika", "Northern America": "Nordamerika",
    "Central Asia": "Zentralasien", "Eastern Asia": "Ostasien", "South-eastern Asia": "Südostasien",
    "Southern Asia": "Südasien", "Western Asia": "Westasien", "Eastern Europe": "Osteuropa",
    "Northern Europe": "Nordeuropa", "Southern Europe": "Südeuropa", "Western Europe": "Westeuropa",
    "Australia and New Zealand": "Australien und Neuseeland", "Melanesia": "Melanesien",
    "Micronesia": "Mikronesien", "Polynesia": "Polynesien",
}


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    return {code: region for region, codes in M49_REGIONS.items() for code in codes}


def _code(country: str) -> str:
    return country.partition(":")[2] if country.startswith("country:") else country


def region_of(country: str) -> str | None:
    """The M49 region of ``country`` (ISO3 or ``country:ISO3``), ``None`` if unknown."""
    return _index().get(_code(country).upper())


def neighbours(country: str) -> frozenset[str]:
    """The other countries (ISO3) of the same M49 region."""
    region = region_of(country)
    if region is None:
        return frozenset()
    code = _code(country).upper()
    return frozenset(c for c in M49_REGIONS[region] if c != code)


def region_label(region: str, lang: str = "de") -> str:
    """Display name of an M49 region in ``lang``."""
    return region if lang == "en" else _REGION_DE.get(region, region)
