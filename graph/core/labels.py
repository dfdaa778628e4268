"""The one table of domain labels: every controlled vocabulary of
:mod:`graph.core.kinds` (node kinds, edge kinds, sectors, participation
roles, co-financing kinds, project statuses, programme phases, event kinds,
attendance roles) in German and English.

Pages, exports and evidence texts show labels from here (the dashboard's
catalogue registers them as ``kind.<key>``, ``sector.<key>`` …); importers read
them back with :func:`aliases`, which accepts every label in both languages
and the key itself.

>>> label(SECTOR, "civil_society"), label(SECTOR, "civil_society", "en")
('Zivilgesellschaft', 'Civil society')
>>> label(SECTOR, "public_administration", inline=True)  # inside a sentence
'öffentliche Verwaltung'
>>> label(SECTOR, None), label(STATUS, "archived")  # no value; a value outside the table
('Unbekannt', 'archived')
>>> aliases(STATUS)["laufend"], resolve(STATUS, "Active"), aliases(SECTOR)["oeffentliche verwaltung"]
('active', 'active', 'public_administration')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping

from graph.core.kinds import (AttendanceRole, CofinanceKind, EdgeKind, EventKind, NodeKind, Phase, ProjectStatus,
                              Role, Sector)
from graph.core.text import fold

__all__ = [
    "Label", "LABELS", "FIELDS", "NODE_KIND", "EDGE_KIND", "SECTOR", "ROLE", "COFINANCE", "STATUS", "PHASE",
    "EVENT_KIND", "ATTENDANCE_ROLE", "PIPELINE_STATUS", "PIPELINE_REASON", "INVITATION_STATUS", "label", "labels", "aliases", "resolve",
]

NODE_KIND, EDGE_KIND, SECTOR, ROLE = "node_kind", "edge_kind", "sector", "role"
COFINANCE, STATUS, PHASE, EVENT_KIND, ATTENDANCE_ROLE = "cofinance", "status", "phase", "event_kind", "attendance_role"
#: Follow-up vocabularies (keys are the values of :mod:`graph.followup.pipeline`; a test keeps them equal).
PIPELINE_STATUS, PIPELINE_REASON = "pipeline_status", "pipeline_reason"
#: A guest's invitation status (keys are the values of :mod:`graph.followup.invitations`).
INVITATION_STATUS = "invitation_status"


@dataclass(frozen=True)
class Label:
    """A value's display names. ``de_inline``/``en_inline`` are the forms used
    inside a sentence (default: German as is, English with a lower-case
    first letter); ``aliases`` are further spellings an importer accepts."""

    de: str
    en: str
    de_inline: str | None = None
    en_inline: str | None = None
    aliases: tuple[str, ...] = ()

    def text(self, lang: str = "de", *, inline: bool = False) -> str:
        if lang == "en":
            return (self.en_inline or self.en[:1].lower() + self.en[1:]) if inline else self.en
        return (self.de_inline or self.de) if inline else self.de


#: field → value → :class:`Label`. ``unknown`` stands for a missing value
#: where the data allow one (an institution without sector, a project
#: without status or phase).
LABELS: dict[str, dict[str, Label]] = {
    NODE_KIND: {
        NodeKind.LAND: Label("Land", "Land", aliases=("Bundesland", "Länder")),
        NodeKind.COUNTRY: Label("Partnerland", "Partner country", aliases=("Staat",)),
        NodeKind.INSTITUTION: Label("Institution", "Institution", aliases=("Organisation", "organisation")),
        NodeKind.PROJECT: Label("Projekt", "Project"),
        NodeKind.THEME: Label("Thema", "Theme"),
        NodeKind.PROGRAMME: Label("TZ-Programm", "TC programme", aliases=("Programm", "programme")),
        NodeKind.CONTACT: Label("Kontakt", "Contact", aliases=("Person",)),
        NodeKind.EVENT: Label("Veranstaltung", "Event"),
    },
    EDGE_KIND: {
        EdgeKind.LOCATED_IN: Label("liegt in", "located in"),
        EdgeKind.PARTICIPATES_IN: Label("beteiligt an", "participates in"),
        EdgeKind.COFINANCES: Label("kofinanziert", "co-finances"),
        EdgeKind.IMPLEMENTED_IN: Label("umgesetzt in", "implemented in"),
        EdgeKind.ADDRESSES: Label("behandelt Thema", "addresses"),
        EdgeKind.WORKS_ON: Label("arbeitet zu", "works on"),
        EdgeKind.LINKED_TO: Label("verknüpft mit TZ-Programm", "linked to TC programme"),
        EdgeKind.PARTNERS_WITH: Label("Partnerschaft mit", "partners with"),
        EdgeKind.WORKS_AT: Label("arbeitet bei", "works at"),
        EdgeKind.ATTENDED: Label("nahm teil an", "attended"),
        EdgeKind.HELD_IN: Label("fand statt in", "held in"),
        EdgeKind.ABOUT: Label("zum Thema", "about"),
    },
    SECTOR: {
        Sector.SCIENCE: Label("Wissenschaft", "Science", aliases=("Hochschule", "Forschung", "academia")),
        Sector.CIVIL_SOCIETY: Label("Zivilgesellschaft", "Civil society", aliases=("NGO", "NRO")),
        Sector.BUSINESS: Label("Wirtschaft", "Business", aliases=("Privatwirtschaft", "private sector")),
        Sector.PUBLIC_ADMINISTRATION: Label("Öffentliche Verwaltung", "Public administration", "öffentliche Verwaltung",
                                            aliases=("Verwaltung", "Behörde", "government")),
        Sector.IMPLEMENTING_AGENCY: Label("Durchführungsorganisation", "Implementing agency"),
        Sector.OTHER: Label("Sonstige", "Other", "sonstige", aliases=("Sonstiges",)),
        "unknown": Label("Unbekannt", "Unknown"),
    },
    ROLE: {
        Role.LEAD: Label("Federführung", "Lead", aliases=("federführend", "Lead partner")),
        Role.PARTNER: Label("Partner", "Partner"),
        Role.IMPLEMENTING: Label("Durchführung", "Implementing", aliases=("durchführend", "Implementer")),
        Role.FUNDING: Label("Finanzierung", "Funding", aliases=("Geldgeber", "Funder")),
        Role.ASSOCIATED: Label("Assoziiert", "Associated", aliases=("assoziierter Partner", "associate")),
    },
    COFINANCE: {
        CofinanceKind.MONEY: Label("Geld", "Money", aliases=("Finanzmittel", "funds")),
        CofinanceKind.STAFF: Label("Personal", "Staff"),
        CofinanceKind.ROOMS: Label("Räume", "Rooms"),
        CofinanceKind.SCHOLARSHIPS: Label("Stipendien", "Scholarships"),
        CofinanceKind.TRAINING_PLACES: Label("Ausbildungsplätze", "Training places"),
        CofinanceKind.OTHER: Label("Sonstiges/unbekannt", "Other/unknown", aliases=("Sonstiges", "Other")),
    },
    STATUS: {
        ProjectStatus.PLANNED: Label("geplant", "planned"),
        ProjectStatus.ACTIVE: Label("laufend", "active", aliases=("aktiv", "ongoing")),
        ProjectStatus.COMPLETED: Label("abgeschlossen", "completed", aliases=("beendet", "closed", "finished")),
        ProjectStatus.UNKNOWN: Label("unbekannt", "unknown"),
    },
    PHASE: {
        Phase.PILOT: Label("Pilotphase 2015–2019", "Pilot phase 2015–2019", aliases=("Pilotphase", "Pilot", "BLP I")),
        Phase.II: Label("BLP II 2019–2023", "BLP II 2019–2023", aliases=("BLP II", "Phase II", "2")),
        Phase.III: Label("BLP III 2023–2027", "BLP III 2023–2027", aliases=("BLP III", "Phase III", "3")),
        "unknown": Label("Phase unbekannt", "Phase unknown"),
    },
    EVENT_KIND: {
        EventKind.TRAINING: Label("Schulung", "Training", aliases=("Fortbildung",)),
        EventKind.CONFERENCE: Label("Konferenz", "Conference", aliases=("Tagung",)),
        EventKind.WORKSHOP: Label("Workshop", "Workshop"),
        EventKind.NETWORK_MEETING: Label("Netzwerktreffen", "Network meeting"),
        EventKind.LAB: Label("Labor", "Lab"),
        EventKind.OTHER: Label("Sonstiges", "Other"),
    },
    ATTENDANCE_ROLE: {
        AttendanceRole.SPEAKER: Label("Vortrag", "Speaker", aliases=("Referent", "Referentin", "Vortragende")),
        AttendanceRole.PARTICIPANT: Label("Teilnahme", "Participant", aliases=("Teilnehmer", "Teilnehmerin")),
        AttendanceRole.ORGANISER: Label("Organisation", "Organiser", aliases=("Organizer", "Veranstalter")),
    },
    PIPELINE_STATUS: {
        "proposed": Label("vorgeschlagen", "proposed"),
        "asked": Label("angefragt", "asked"),
        "accepted": Label("zugesagt", "accepted"),
        "declined": Label("abgesagt", "declined"),
        "deferred": Label("zurückgestellt", "deferred"),
    },
    PIPELINE_REASON: {
        "capacity": Label("keine Kapazität", "no capacity"),
        "fit": Label("passt fachlich nicht", "no thematic fit"),
        "funding": Label("keine Finanzierung", "no funding"),
        "timing": Label("Zeitpunkt ungünstig", "bad timing"),
        "other": Label("anderer Grund", "other reason"),
    },
    INVITATION_STATUS: {
        "invited": Label("eingeladen", "invited", aliases=("Einladung",)),
        "accepted": Label("zugesagt", "accepted", aliases=("angemeldet", "registered", "Zusage")),
        "declined": Label("abgesagt", "declined", aliases=("Absage", "cancelled", "canceled")),
        "attended": Label("teilgenommen", "attended", aliases=("anwesend", "present", "Teilnahme")),
    },
}
# Enum members hash like their values: index by the plain strings.
LABELS = {f: {str(k): v for k, v in table.items()} for f, table in LABELS.items()}

#: The fields of the table.
FIELDS: tuple[str, ...] = tuple(LABELS)


def label(field: str, key: object, lang: str = "de", *, inline: bool = False) -> str:
    """Display name of ``key`` in ``field`` (``lang`` ``de`` or ``en``); an
    empty key means ``unknown`` where the field has it; a key outside the
    table is returned as given (data never disappear behind a missing label)."""
    table = LABELS[field]
    if key in (None, "") and "unknown" in table:
        key = "unknown"
    entry = table.get(str(key))
    return entry.text(lang, inline=inline) if entry is not None else str(key)


def labels(field: str, lang: str = "de") -> dict[str, str]:
    """``{key: display name}`` of a field in table order.

    >>> labels(STATUS, "en")["completed"]
    'completed'
    """
    return {key: entry.text(lang) for key, entry in LABELS[field].items()}


@lru_cache(maxsize=None)
def _aliases(field: str) -> Mapping[str, str]:
    out: dict[str, str] = {}
    for key, entry in LABELS[field].items():
        for name in (key, entry.de, entry.en, entry.text("de", inline=True), entry.text("en", inline=True),
                     *entry.aliases):
            out.setdefault(fold(name), key)
    return out


def aliases(field: str) -> dict[str, str]:
    """``{label or alias: key}`` of a field for reading input, in both
    languages: the key, the German and English labels (also their in-sentence
    forms) and the aliases, each also in :func:`~graph.core.text.fold`\\ ed form
    (so ``ÖFFENTLICHE VERWALTUNG`` and ``oeffentliche verwaltung`` both resolve).

    >>> aliases(ROLE)["Federführung"], aliases(COFINANCE)["training places"]
    ('lead', 'training_places')
    """
    out = dict(_aliases(field))
    for key, entry in LABELS[field].items():
        for name in (key, entry.de, entry.en, entry.text("de", inline=True), entry.text("en", inline=True),
                     *entry.aliases):
            out.setdefault(name, key)
    return out


def resolve(field: str, text: str) -> str | None:
    """The key a typed value means (any label or alias, either language, case
    and umlauts ignored), or None.

    >>> resolve(SECTOR, " Zivilgesellschaft "), resolve(PHASE, "blp ii"), resolve(STATUS, "irgendwas")
    ('civil_society', 'II', None)
    """
    return _aliases(field).get(fold(str(text)))
