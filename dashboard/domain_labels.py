"""Domain labels the pages show: node kinds, edge kinds, sectors, project
statuses, co-financing kinds, event kinds, programme phases and matchmaking
factors, in German and English.

These are names of the data, not UI strings, so they are kept apart from the
message catalogue (:mod:`dashboard.messages`). Every page asks
:func:`domain_label`; pointing that one function at the graph's label table
(``graph/core/labels.py``) makes every page use it. Until then the tables
below hold the labels the pages showed before (matchmaking factors already
come from :data:`graph.matchmaking.FACTOR_LABELS`).

>>> domain_label("sector", "science", "en")
'Science'
>>> domain_label("kind", "country")
'Partnerland'
>>> domain_label("sector", "nonsense", "en")  # unknown values show their key, as before
'sector.nonsense'
"""

from __future__ import annotations

import logging

from graph.matchmaking import FACTOR_LABELS

__all__ = ["DOMAIN_GROUPS", "domain_label", "domain_key", "domain_keys"]

log = logging.getLogger("partnernetz.i18n")

#: Group -> the key prefix the pages used for it (what an unknown value shows).
DOMAIN_GROUPS = {"kind": "kind.", "edge": "edge.", "sector": "sector.", "status": "status.",
                 "cofinancing": "kind.cofin.", "event_kind": "contacts.ekind.", "phase": "an.phase.",
                 "factor": "mm.factor."}

_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "kind": {
        "land": ("Land", "Land"),
        "country": ("Partnerland", "Partner country"),
        "institution": ("Institution", "Institution"),
        "project": ("Projekt", "Project"),
        "theme": ("Thema", "Theme"),
        "programme": ("TZ-Programm", "TC programme"),
        "contact": ("Kontakt", "Contact"),
        "event": ("Veranstaltung", "Event"),
    },
    "sector": {
        "science": ("Wissenschaft", "Science"),
        "civil_society": ("Zivilgesellschaft", "Civil society"),
        "business": ("Wirtschaft", "Business"),
        "public_administration": ("Öffentliche Verwaltung", "Public administration"),
        "implementing_agency": ("Durchführungsorganisation", "Implementing agency"),
        "other": ("Sonstige", "Other"),
        "unknown": ("Unbekannt", "Unknown"),
    },
    "edge": {
        "located_in": ("liegt in", "located in"),
        "participates_in": ("beteiligt an", "participates in"),
        "cofinances": ("kofinanziert", "co-finances"),
        "implemented_in": ("umgesetzt in", "implemented in"),
        "addresses": ("behandelt Thema", "addresses"),
        "works_on": ("arbeitet zu", "works on"),
        "linked_to": ("verknüpft mit TZ-Programm", "linked to TC programme"),
        "partners_with": ("Partnerschaft mit", "partners with"),
        "works_at": ("arbeitet bei", "works at"),
        "attended": ("nahm teil an", "attended"),
        "held_in": ("fand statt in", "held in"),
        "about": ("zum Thema", "about"),
    },
    "phase": {
        "pilot": ("Pilotphase 2015–2019", "Pilot phase 2015–2019"),
        "II": ("BLP II 2019–2023", "BLP II 2019–2023"),
        "III": ("BLP III 2023–2027", "BLP III 2023–2027"),
        "unknown": ("Phase unbekannt", "Phase unknown"),
    },
    "cofinancing": {
        "money": ("Geld", "Money"),
        "staff": ("Personal", "Staff"),
        "rooms": ("Räume", "Rooms"),
        "scholarships": ("Stipendien", "Scholarships"),
        "training_places": ("Ausbildungsplätze", "Training places"),
        "other": ("Sonstiges/unbekannt", "Other/unknown"),
    },
    "status": {
        "planned": ("geplant", "planned"),
        "active": ("laufend", "active"),
        "completed": ("abgeschlossen", "completed"),
        "unknown": ("unbekannt", "unknown"),
    },
    "event_kind": {
        "training": ("Training", "Training"),
        "conference": ("Konferenz", "Conference"),
        "workshop": ("Workshop", "Workshop"),
        "network_meeting": ("Netzwerktreffen", "Network meeting"),
        "lab": ("Lab", "Lab"),
        "other": ("Sonstige", "Other"),
    },
    "factor": FACTOR_LABELS,
}


def domain_key(group: str, value: object) -> str:
    """The catalogue-style key of a domain value (``"sector.science"``)."""
    return f"{DOMAIN_GROUPS[group]}{value}"


def domain_label(group: str, value: object, lang: str = "de") -> str:
    """The label of ``value`` in ``group`` (see :data:`DOMAIN_GROUPS`) in ``lang``.

    Values come from the data, so an unknown one never raises: it is logged
    and shown as its key (what the pages showed before).
    """
    pair = _LABELS[group].get(str(value))
    if pair is None:
        log.warning("no %s label for %r", group, value)
        return domain_key(group, value)
    return pair[1] if str(lang or "").lower().startswith("en") else pair[0]


def domain_keys() -> list[str]:
    """Every known domain value as its key (what tests look for in rendered pages)."""
    return [domain_key(group, value) for group, table in _LABELS.items() for value in table]
