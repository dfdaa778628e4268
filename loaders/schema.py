"""The canonical tabular format: tables, columns, types and allowed values.

This module is the single source of truth for the format. ``data/README.md``
embeds :func:`schema_markdown` and a test fails when the two drift apart.
Regenerate with ``python -m loaders.schema > /tmp/schema.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from graph.core.kinds import AttendanceRole, CofinanceKind, EventKind, Phase, ProjectStatus, Role, Sector

__all__ = ["ColumnType", "Column", "Table", "TABLES", "TABLE_ORDER", "table", "schema_markdown"]


class ColumnType(str, Enum):
    ID = "id"
    TEXT = "text"
    ENUM = "enum"
    LAND = "land"
    COUNTRY = "country"
    COUNTRIES = "countries"
    REF = "ref"
    THEMES = "themes"
    DATE = "date"
    YEAR = "year"
    NUMBER = "number"
    BOOL = "bool"
    EMAIL = "email"
    URL = "url"
    LIST = "list"


_TYPE_DOC = {
    ColumnType.ID: "identifier, unique in the table",
    ColumnType.TEXT: "text",
    ColumnType.ENUM: "one of the allowed values, or its German/English label or a common form (see `loaders/vocabulary.py`)",
    ColumnType.LAND: "German Land: ISO 3166-2 code, German or English name, short form (`DE-BW`, `Baden-Württemberg`, `Baden-Wuerttemberg`, `BW`)",
    ColumnType.COUNTRY: "country: ISO alpha-3/alpha-2 code, German or English name (`RWA`, `RW`, `Ruanda`, `Rwanda`)",
    ColumnType.COUNTRIES: "one or more countries, `;`-separated",
    ColumnType.REF: "id of a row in another table",
    ColumnType.THEMES: "theme ids or names, `;`-separated",
    ColumnType.DATE: "date: `2019-10-31`, `31.10.2019`, `2019-10`, `10/2019`, `Okt 2019`, `Q3 2019`, `2019`, `ca. 2018`, `2019/20`, an Excel date or serial number, or a range `2016–2017`",
    ColumnType.YEAR: "year (`1982`, `seit 1982`), or a date from which the year is taken",
    ColumnType.NUMBER: "number (`140000`, `140.000`, `1.234,56`, `140.000 €`); finite, 0 to 10¹²",
    ColumnType.BOOL: "`true`/`false` (also `ja`/`nein`, `yes`/`no`, `1`/`0`, `x`, `ja, schriftlich`)",
    ColumnType.EMAIL: "e-mail address",
    ColumnType.URL: "URL (several separated by ` ; `)",
    ColumnType.LIST: "values separated by `;`",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = False
    description: str = ""
    example: str = ""
    allowed: tuple[str, ...] = ()
    ref: str | None = None  # table referenced by REF columns
    vocabulary: str | None = None  # ENUM columns: the vocabulary of loaders.vocabulary whose labels are accepted

    @property
    def multi(self) -> bool:
        return self.type in (ColumnType.COUNTRIES, ColumnType.THEMES, ColumnType.LIST)


@dataclass(frozen=True)
class Table:
    name: str
    required: bool
    description: str
    columns: tuple[Column, ...]

    @property
    def key(self) -> str | None:
        """Name of the id column, if the table has one."""
        for c in self.columns:
            if c.type is ColumnType.ID:
                return c.name
        return None

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


_VOCABULARIES = {Sector: "sector", Role: "role", CofinanceKind: "cofinance_kind", ProjectStatus: "status",
                 Phase: "phase", EventKind: "event_kind", AttendanceRole: "attendance_role"}


def _enum(name: str, values: type[Enum], description: str, example: str, required: bool = False) -> Column:
    return Column(name, ColumnType.ENUM, required, description, example, tuple(v.value for v in values),
                  vocabulary=_VOCABULARIES[values])


_SOURCE = Column("source", ColumnType.URL, False, "where the facts come from (URL or document); the file and row are used when empty", "https://bund-laender-programm.de/de/group/21/home")
_ILLUSTRATIVE = Column("illustrative", ColumnType.BOOL, False, "true for invented example rows (never real people)", "true")
_INFERRED = Column("inferred", ColumnType.BOOL, False, "true when the link is inferred from the sources rather than stated in them (shown as such)", "true")

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("institutions", True, "Universities, NGOs, companies, chambers, administrations and implementing agencies.", (
            Column("id", ColumnType.ID, True, "short unique id", "hlft"),
            Column("name", ColumnType.TEXT, True, "name as the institution writes it", "Hessische Landesstelle für Technologieausbildung (HLfT)"),
            _enum("sector", Sector, "sector; empty when the source does not say", "public_administration"),
            Column("sector_detail", ColumnType.TEXT, False, "finer type in words", "vocational training centre"),
            Column("land", ColumnType.LAND, False, "Land of a German institution", "Hessen"),
            Column("country", ColumnType.COUNTRY, False, "country (for German institutions `DEU` or empty)", "DEU"),
            Column("city", ColumnType.TEXT, False, "city", "Groß-Gerau"),
            Column("themes", ColumnType.THEMES, False, "themes the institution works on", "vocational_training"),
            Column("website", ColumnType.URL, False, "home page", "https://hlft.hessen.de/"),
            _SOURCE,
            _ILLUSTRATIVE,
        )),
        Table("projects", True, "Cooperation projects of the programme.", (
            Column("id", ColumnType.ID, True, "project id", "BLP-01"),
            Column("title", ColumnType.TEXT, True, "title as the source names it", "Förderung junger Talente im Wassersektor in Tansania"),
            Column("countries", ColumnType.COUNTRIES, False, "partner countries", "TZA"),
            Column("region", ColumnType.TEXT, False, "sub-national region in the partner country", "Eastern Cape"),
            Column("themes", ColumnType.THEMES, False, "themes", "water;vocational_training"),
            Column("start", ColumnType.DATE, False, "start (a range also fills `end`)", "2019-06"),
            Column("end", ColumnType.DATE, False, "end", "2022"),
            _enum("phase", Phase, "programme phase: pilot 2015–2019, II 2019–2023, III 2023–2027", "II"),
            _enum("status", ProjectStatus, "status; derived from the dates when empty", "completed"),
            Column("programme", ColumnType.REF, False, "linked federal TZ programme", "provet-nam", ref="programmes"),
            Column("description", ColumnType.TEXT, False, "short description", "Fortbildung für Nachwuchskräfte."),
            _SOURCE,
            _ILLUSTRATIVE,
        )),
        Table("participations", False, "Which institution takes part in which project, in which role.", (
            Column("project", ColumnType.REF, True, "project id", "BLP-01", ref="projects"),
            Column("institution", ColumnType.REF, True, "institution id", "hlft", ref="institutions"),
            _enum("role", Role, "role in the project", "implementing"),
            _INFERRED,
            _SOURCE,
            _ILLUSTRATIVE,
        )),
        Table("cofinancing", False, "What a Land contributes to a project.", (
            Column("project", ColumnType.REF, True, "project id", "BLP-10", ref="projects"),
            Column("land", ColumnType.LAND, True, "contributing Land", "Sachsen"),
            _enum("kind", CofinanceKind, "kind of contribution", "money"),
            Column("amount_eur", ColumnType.NUMBER, False, "amount in euros", "140000"),
            Column("note", ColumnType.TEXT, False, "remark", "Art der Beteiligung nicht angegeben"),
            _INFERRED,
            _SOURCE,
            _ILLUSTRATIVE,
        )),
        Table("partnerships", False, "Long-standing partnerships of a Land with a country or region.", (
            Column("land", ColumnType.LAND, True, "Land", "Rheinland-Pfalz"),
            Column("country", ColumnType.COUNTRIES, True, "partner country (several: one edge each)", "Ruanda"),
            Column("region", ColumnType.TEXT, False, "partner region", "Eastern Cape"),
            Column("type", ColumnType.TEXT, False, "kind of partnership", "Länderpartnerschaft"),
            Column("since", ColumnType.YEAR, False, "start year", "1982"),
            Column("since_note", ColumnType.TEXT, False, "start as worded when not a plain year", "Mitte der 1980er Jahre"),
            Column("agreements", ColumnType.LIST, False, "dated agreements, each `YYYY[-MM[-DD]] title`", "1982-06-07 Briefwechsel;2002-05-03 Vereinbarung"),
            _SOURCE,
            _ILLUSTRATIVE,
        )),
        Table("themes", False, "Themes with German and English names (values of `themes` columns refer to them).", (
            Column("id", ColumnType.ID, True, "theme id", "water"),
            Column("name_de", ColumnType.TEXT, True, "German name", "Wasser"),
            Column("name_en", ColumnType.TEXT, False, "English name", "Water"),
            _SOURCE,
            _ILLUSTRATIVE,
        )),
        Table("programmes", False, "Federal technical-cooperation (TZ) programmes projects are linked to.", (
            Column("id", ColumnType.ID, True, "programme id", "provet-nam"),
            Column("name", ColumnType.TEXT, True, "name", "ProVET Namibia"),
            Column("country", ColumnType.COUNTRY, False, "country", "NAM"),
            Column("iati_identifier", ColumnType.TEXT, False, "IATI activity identifier, only where confirmed in an IATI file", "DE-1-201121672"),
            Column("iati_identifier_unverified", ColumnType.TEXT, False, "candidate IATI identifier not (yet) confirmed in an IATI file; shown as unverified", "DE-1-202222354"),
            _SOURCE,
            _ILLUSTRATIVE,
        )),
        Table("contacts", False, "People at institutions. Personal data: only with consent.", (
            Column("id", ColumnType.ID, True, "contact id", "c001"),
            Column("name", ColumnType.TEXT, True, "full name", "Jana Beispiel"),
            Column("institution", ColumnType.REF, True, "institution id", "hlft", ref="institutions"),
            Column("role", ColumnType.TEXT, False, "job title or function", "Referentin"),
            Column("email", ColumnType.EMAIL, False, "e-mail", "jana.beispiel@example.org"),
            Column("languages", ColumnType.LIST, False, "ISO 639-1 languages", "de;en"),
            Column("themes", ColumnType.THEMES, False, "themes", "water"),
            Column("consent", ColumnType.BOOL, False, "consent to be shown and exported; empty = no", "true"),
            Column("consent_date", ColumnType.DATE, False, "when consent was given (or withdrawn)", "2024-03-01"),
            Column("consent_purposes", ColumnType.LIST, False, "purposes consented to: `events`, `matchmaking`, `sharing` (with the Länder)", "events;matchmaking"),
            Column("consent_source", ColumnType.TEXT, False, "how consent was obtained", "Anmeldeformular Netzwerktreffen 2024"),
            Column("consent_expires", ColumnType.DATE, False, "consent expires on this date; afterwards the contact is masked until renewed", "2026-03-01"),
            _ILLUSTRATIVE,
            _SOURCE,
        )),
        Table("events", False, "Networking formats: trainings, conferences, workshops, labs.", (
            Column("id", ColumnType.ID, True, "event id", "e01"),
            Column("title", ColumnType.TEXT, True, "title", "Gemeinsam in der EZ – Netzwerktreffen"),
            _enum("kind", EventKind, "format", "network_meeting"),
            Column("date", ColumnType.DATE, False, "date (a range gives start and end)", "2023-05-11"),
            Column("country", ColumnType.COUNTRY, False, "country", "DEU"),
            Column("city", ColumnType.TEXT, False, "city", "Bonn"),
            Column("themes", ColumnType.THEMES, False, "themes", "governance"),
            _ILLUSTRATIVE,
            _SOURCE,
        )),
        Table("attendance", False, "Who attended which event.", (
            Column("event", ColumnType.REF, True, "event id", "e01", ref="events"),
            Column("contact", ColumnType.REF, True, "contact id", "c001", ref="contacts"),
            _enum("role", AttendanceRole, "role at the event", "participant"),
            _ILLUSTRATIVE,
            _SOURCE,
        )),
    )
}

#: Load order: referenced tables before the tables that refer to them.
TABLE_ORDER = ("themes", "programmes", "institutions", "projects", "participations",
               "cofinancing", "partnerships", "contacts", "events", "attendance")
assert set(TABLE_ORDER) == set(TABLES)


def table(name: str) -> Table:
    return TABLES[name]


def schema_markdown() -> str:
    """Render the schema as Markdown (embedded in ``data/README.md``)."""
    out = []
    for name in TABLE_ORDER:
        t = TABLES[name]
        out.append(f"### `{t.name}` ({'required' if t.required else 'optional'})\n")
        out.append(t.description + "\n")
        out.append("| column | type | required | allowed values / format | example | meaning |")
        out.append("|---|---|---|---|---|---|")
        for c in t.columns:
            if c.allowed:
                allowed = ", ".join(f"`{a}`" for a in c.allowed)
            elif c.ref:
                allowed = f"an `id` of `{c.ref}`"
            else:
                allowed = _TYPE_DOC[c.type]
            out.append(f"| `{c.name}` | {c.type.value} | {'yes' if c.required else 'no'} | {allowed} | `{c.example}` | {c.description} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(schema_markdown())
