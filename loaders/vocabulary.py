"""What people write in spreadsheets, mapped onto the canonical format.

One place for every input alias: table (sheet/file) names, column names, and
the values of controlled vocabularies (sectors, roles, co-financing kinds,
statuses, phases, event kinds, attendance roles) in German and English as the
UI shows them, plus the common forms Länder staff write (``BLP II``,
``Phase 2``, ``laufend``, ``NGO``, ``Leitung``, ``Geld``) and loose spellings
of Länder (``NRW``, ``Bayern (Freistaat)``).

The base labels come from :func:`base_labels`, which reads the one label
table :mod:`graph.core.labels`; everything else here is derived from it plus
:data:`COMMON_FORMS`.

>>> resolve_value("phase", "BLP II"), resolve_value("status", "laufend")
('II', 'active')
>>> resolve_value("sector", "Wissenschaft"), resolve_value("role", "Leitung")
('science', 'lead')
>>> canonical_table("Institutionen "), canonical_column("projects", "Beginn")
('institutions', 'start')
>>> resolve_land_loose("Bayern (Freistaat)").code
'DE-BY'
"""

from __future__ import annotations

import re
from functools import lru_cache

from graph.core.reference import Land, resolve_land
from graph.core.text import fold

__all__ = [
    "base_labels",
    "COMMON_FORMS",
    "TABLE_ALIASES",
    "COLUMN_ALIASES",
    "resolve_value",
    "accepted_forms",
    "canonical_table",
    "canonical_column",
    "resolve_land_loose",
]


def base_labels() -> dict[str, dict[str, tuple[str, ...]]]:
    """``{vocabulary: {canonical value: (German label, English label, *aliases)}}``:
    the labels the UI shows, from the one label table :mod:`graph.core.labels`.

    Only values the canonical format allows are taken (the table's
    ``unknown`` stand-ins for a missing sector or phase are display-only).
    """
    from graph.core import labels as L
    from graph.core.kinds import AttendanceRole, CofinanceKind, EventKind, Phase, ProjectStatus, Role, Sector

    fields = {"sector": (L.SECTOR, Sector), "role": (L.ROLE, Role), "cofinance_kind": (L.COFINANCE, CofinanceKind),
              "status": (L.STATUS, ProjectStatus), "phase": (L.PHASE, Phase), "event_kind": (L.EVENT_KIND, EventKind),
              "attendance_role": (L.ATTENDANCE_ROLE, AttendanceRole)}
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for name, (field, enum) in fields.items():
        allowed = {m.value for m in enum}
        out[name] = {key: (lab.de, lab.en, *lab.aliases) for key, lab in L.LABELS[field].items() if key in allowed}
    return out


#: Further ways people write the canonical values (matched after :func:`graph.text.fold`).
COMMON_FORMS: dict[str, dict[str, tuple[str, ...]]] = {
    "sector": {
        "science": ("Hochschule", "Universität", "Uni", "University", "Forschung", "Research", "Forschungseinrichtung",
                    "Fachhochschule", "FH", "Academia", "Wissenschaft und Forschung"),
        "civil_society": ("NGO", "NRO", "Nichtregierungsorganisation", "Verein", "e.V.", "Stiftung", "CSO"),
        "business": ("Unternehmen", "Firma", "Privatwirtschaft", "Privatsektor", "Private sector", "Company",
                     "Kammer", "IHK", "HWK"),
        "public_administration": ("Verwaltung", "Behörde", "Ministerium", "Öffentliche Hand", "Öffentlicher Sektor",
                                  "Landesverwaltung", "Public sector", "Government", "Staatskanzlei"),
        "implementing_agency": ("Durchführer", "DO", "Implementing organisation"),
        "other": ("Sonstige", "Andere", "Anderes", "Sonstiges"),
    },
    "role": {
        "lead": ("Leitung", "Lead", "Koordination", "Koordinator", "Koordinatorin", "Federführend",
                 "Konsortialführer", "Projektleitung", "Lead partner", "Leadpartner"),
        "partner": ("Projektpartner", "Kooperationspartner", "Partnerin", "Partnerorganisation"),
        "implementing": ("Umsetzung", "Durchführend", "Implementierung", "Durchführende Organisation", "Umsetzer"),
        "funding": ("Finanzierung", "Geldgeber", "Mittelgeber", "Zuwendungsgeber", "Förderer", "Fördermittelgeber",
                    "Funder"),
        "associated": ("Assoziierter Partner", "Assoziiert", "Beteiligt", "Unterstützend", "Associated partner"),
    },
    "cofinance_kind": {
        "money": ("Geld", "Finanzmittel", "Finanziell", "Mittel", "Zuschuss", "Euro", "EUR", "Barmittel", "Cash"),
        "staff": ("Personalkosten", "Personaleinsatz", "Mitarbeitende", "Personnel"),
        "rooms": ("Räumlichkeiten", "Raum", "Premises"),
        "scholarships": ("Stipendium", "Scholarship"),
        "training_places": ("Ausbildungsplatz", "Praktikumsplätze", "Praktika"),
        "other": ("Sonstige", "Andere", "Sachmittel", "Sachleistung", "In kind"),
    },
    "status": {
        "planned": ("In Planung", "Geplant", "Planung", "Vorbereitung", "In Vorbereitung"),
        "active": ("Aktiv", "Läuft", "Laufend", "In Umsetzung", "Ongoing", "Running", "Current", "Implementation"),
        "completed": ("Beendet", "Abgeschlossen", "Fertig", "Erledigt", "Finished", "Closed", "Done", "Ended"),
        "unknown": ("k.A.", "keine Angabe", "n/a"),
    },
    "phase": {
        "pilot": ("Pilot", "Pilotphase", "Phase 1", "Phase I", "BLP I", "BLP 1", "1", "I", "Erste Phase", "1. Phase",
                  "2015-2019", "2015–2019"),
        "II": ("Phase 2", "Phase II", "BLP 2", "BLP II", "2", "Zweite Phase", "2. Phase", "2019-2023", "2019–2023"),
        "III": ("Phase 3", "Phase III", "BLP 3", "BLP III", "3", "Dritte Phase", "3. Phase", "2023-2027", "2023–2027"),
    },
    "event_kind": {
        "training": ("Fortbildung", "Weiterbildung", "Seminar", "Qualifizierung", "Schulung"),
        "conference": ("Tagung", "Kongress", "Fachkonferenz", "Konferenz"),
        "workshop": ("Werkstatt", "Arbeitstreffen"),
        "network_meeting": ("Vernetzungstreffen", "Netzwerktreffen", "Austauschtreffen", "Networking"),
        "lab": ("Labor", "Innovation Lab", "Innovationslabor"),
        "other": ("Sonstige", "Andere"),
    },
    "attendance_role": {
        "speaker": ("Redner", "Rednerin", "Referent", "Referentin", "Vortragende", "Vortragender", "Speakerin"),
        "participant": ("Teilnehmer", "Teilnehmerin", "Teilnehmende", "Gast", "Attendee"),
        "organiser": ("Organisator", "Organisatorin", "Veranstalter", "Veranstalterin", "Organizer", "Gastgeber"),
    },
}


#: Labels this module used before the shared table existed; still accepted as input.
_EARLIER_LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "role": {"lead": ("Federführung",), "partner": ("Partner",), "implementing": ("Durchführung",),
             "funding": ("Förderung",), "associated": ("Assoziiert",)},
    "cofinance_kind": {"money": ("Geldmittel",), "staff": ("Personal",), "rooms": ("Räume",),
                       "scholarships": ("Stipendien",), "training_places": ("Ausbildungsplätze",), "other": ("Sonstiges",)},
    "status": {"planned": ("geplant",), "active": ("laufend",), "completed": ("abgeschlossen",), "unknown": ("unbekannt",)},
    "phase": {"pilot": ("Pilotphase",), "II": ("BLP II",), "III": ("BLP III",)},
    "event_kind": {"training": ("Schulung",), "conference": ("Konferenz",), "workshop": ("Workshop",),
                   "network_meeting": ("Netzwerktreffen",), "lab": ("Lab",), "other": ("Sonstiges",)},
    "attendance_role": {"speaker": ("Vortrag",), "participant": ("Teilnahme",), "organiser": ("Organisation",)},
}


@lru_cache(maxsize=None)
def _value_index(vocabulary: str) -> dict[str, str]:
    index: dict[str, str] = {}
    labels = base_labels()[vocabulary]
    for value, (de, en, *more) in labels.items():  # canonical values, UI labels and the table's aliases first
        for form in (value, de, en, value.replace("_", " "), *more):
            index.setdefault(fold(form), value)
    for extra in (COMMON_FORMS, _EARLIER_LABELS):
        for value, forms in extra.get(vocabulary, {}).items():
            for form in forms:
                index.setdefault(fold(form), value)
    return index


_PARENTHESIS = re.compile(r"\s*\([^)]*\)\s*")


@lru_cache(maxsize=65536)
def resolve_value(vocabulary: str, text: str) -> str | None:
    """The canonical value of a vocabulary that ``text`` names, or ``None``.

    Case, umlaut spelling, punctuation and a trailing remark in parentheses
    (``Leitung (Land)``) do not matter.
    """
    index = _value_index(vocabulary)
    key = fold(text)
    if key in index:
        return index[key]
    without = fold(_PARENTHESIS.sub(" ", text))
    return index.get(without) if without else None


def accepted_forms(vocabulary: str) -> dict[str, list[str]]:
    """Per canonical value, the labels and common forms accepted (for docs and messages)."""
    out: dict[str, list[str]] = {}
    for value, (de, en, *_more) in base_labels()[vocabulary].items():
        forms = [de, en] + [f for f in COMMON_FORMS.get(vocabulary, {}).get(value, ()) if f not in (de, en)]
        out[value] = list(dict.fromkeys(forms))
    return out


# ------------------------------------------------------------ Länder, loosely
_LAND_NOISE = re.compile(r"\b(freistaat|land|bundesland|freie und hansestadt|freie hansestadt|hansestadt|state of)\b")


@lru_cache(maxsize=4096)
def resolve_land_loose(text: str) -> Land | None:
    """A Land as people write it: exact forms first, then without a remark in
    parentheses or words like ``Freistaat``/``Land`` (``Bayern (Freistaat)``,
    ``Land Hessen``, ``Freistaat Sachsen``)."""
    land = resolve_land(text)
    if land is not None:
        return land
    stripped = _PARENTHESIS.sub(" ", text).strip()
    if stripped and (land := resolve_land(stripped)) is not None:
        return land
    cleaned = _LAND_NOISE.sub(" ", fold(text)).strip()
    cleaned = re.sub(r"\s+", " ", cleaned)
    return resolve_land(cleaned) if cleaned else None


# ------------------------------------------------------------ table and column names
#: Sheet or file names accepted per canonical table (compared folded).
TABLE_ALIASES: dict[str, tuple[str, ...]] = {
    "institutions": ("Institutionen", "Institution", "Einrichtungen", "Organisationen", "Organisations", "Organizations"),
    "projects": ("Projekte", "Projekt", "Project"),
    "participations": ("Beteiligungen", "Beteiligung", "Projektbeteiligungen", "Participation"),
    "cofinancing": ("Kofinanzierung", "Kofinanzierungen", "Ko-Finanzierung", "Co-financing", "Cofinancings"),
    "partnerships": ("Partnerschaften", "Partnerschaft", "Länderpartnerschaften", "Partnership"),
    "themes": ("Themen", "Thema", "Theme", "Topics"),
    "programmes": ("Programme", "TZ-Programme", "Programm", "Programs", "TC programmes"),
    "contacts": ("Kontakte", "Kontakt", "Ansprechpersonen", "Contact", "Personen"),
    "events": ("Veranstaltungen", "Veranstaltung", "Event"),
    "attendance": ("Teilnahmen", "Teilnahme", "Teilnehmende", "Attendances"),
}

_COMMON_COLUMNS = {"source": ("Quelle", "Quellen", "Sources"), "illustrative": ("Beispiel", "Fiktiv", "Illustrativ")}

#: Column names accepted per table and canonical column (compared folded).
COLUMN_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "institutions": {"id": ("ID", "Kürzel", "Kennung"), "name": ("Name", "Bezeichnung", "Institution"),
                     "sector": ("Sektor", "Bereich", "Typ"), "sector_detail": ("Sektor Detail", "Art der Einrichtung", "Beschreibung"),
                     "land": ("Bundesland", "Land (DE)", "Bundesländer"), "country": ("Staat", "Country code"),
                     "city": ("Stadt", "Ort", "Sitz"), "themes": ("Themen", "Thema"), "website": ("Webseite", "Website", "Homepage", "URL")},
    "projects": {"id": ("ID", "Projekt-ID", "Projektnummer", "Kennung"), "title": ("Titel", "Projekttitel", "Name", "Projektname"),
                 "countries": ("Partnerland", "Partnerländer", "Land", "Länder", "Country", "Zielland"),
                 "region": ("Region", "Partnerregion"), "themes": ("Themen", "Thema"),
                 "start": ("Beginn", "Start", "Projektbeginn", "Von", "Laufzeit"), "end": ("Ende", "Projektende", "Bis"),
                 "phase": ("Phase", "BLP-Phase", "Programmphase"), "status": ("Status", "Stand"),
                 "programme": ("Programm", "TZ-Programm"), "description": ("Beschreibung", "Kurzbeschreibung")},
    "participations": {"project": ("Projekt", "Projekt-ID"), "institution": ("Institution", "Einrichtung", "Organisation"),
                       "role": ("Rolle", "Funktion")},
    "cofinancing": {"project": ("Projekt", "Projekt-ID"), "land": ("Bundesland", "Land"),
                    "kind": ("Art", "Art der Beteiligung", "Typ"), "amount_eur": ("Betrag", "Betrag (EUR)", "Betrag in EUR", "Summe", "Amount"),
                    "note": ("Bemerkung", "Anmerkung", "Hinweis", "Notiz")},
    "partnerships": {"land": ("Bundesland", "Land"), "country": ("Partnerland", "Staat", "Partnerländer"),
                     "region": ("Partnerregion", "Region"), "type": ("Art", "Typ"), "since": ("Seit", "Beginn", "Seit Jahr"),
                     "since_note": ("Seit (Hinweis)", "Beginn (Hinweis)")},
    "themes": {"id": ("ID", "Kürzel"), "name_de": ("Name", "Name (de)", "Deutsch", "Bezeichnung"),
               "name_en": ("Name (en)", "Englisch", "English")},
    "programmes": {"id": ("ID", "Kürzel"), "name": ("Name", "Bezeichnung", "Programm"), "country": ("Land", "Partnerland", "Staat")},
    "contacts": {"id": ("ID", "Kürzel"), "name": ("Name", "Vollständiger Name"), "institution": ("Institution", "Einrichtung", "Organisation"),
                 "role": ("Funktion", "Rolle", "Position"), "email": ("E-Mail", "Email", "Mail", "E-Mail-Adresse"),
                 "languages": ("Sprachen", "Sprache"), "themes": ("Themen", "Thema"),
                 "consent": ("Einwilligung", "Zustimmung", "Einverständnis")},
    "events": {"id": ("ID", "Kürzel"), "title": ("Titel", "Name", "Veranstaltung"), "kind": ("Art", "Format", "Typ"),
               "date": ("Datum", "Termin"), "country": ("Land", "Staat"), "city": ("Stadt", "Ort"), "themes": ("Themen", "Thema")},
    "attendance": {"event": ("Veranstaltung", "Veranstaltungs-ID"), "contact": ("Kontakt", "Person", "Kontakt-ID"),
                   "role": ("Rolle", "Funktion")},
}


@lru_cache(maxsize=None)
def _table_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for name, aliases in TABLE_ALIASES.items():
        for form in (name, *aliases):
            index.setdefault(fold(form), name)
    return index


def canonical_table(name: str) -> str | None:
    """The canonical table a sheet or file (stem) named ``name`` holds, or ``None``."""
    return _table_index().get(fold(name))


@lru_cache(maxsize=None)
def _column_index(table: str) -> dict[str, str]:
    from loaders.schema import TABLES

    index: dict[str, str] = {}
    for column in TABLES[table].column_names:  # canonical names always win
        index[fold(column)] = column
        index.setdefault(fold(column.replace("_", " ")), column)
    for column, aliases in {**_COMMON_COLUMNS, **COLUMN_ALIASES.get(table, {})}.items():
        if column in TABLES[table].column_names:
            for form in aliases:
                index.setdefault(fold(form), column)
    return index


def canonical_column(table: str, header: str) -> str | None:
    """The canonical column of ``table`` a header cell names, or ``None``."""
    return _column_index(table).get(fold(header))
