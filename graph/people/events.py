"""Event history: who attended an event in which role, which events a
person or an institution attended, and attendance counts per Land and
sector for an event.

Attendance is read from ``attended`` edges (contact → event, ``role``:
speaker, participant, organiser). Persons are the merged persons of a
:class:`~graph.people.contacts.ContactIndex`, so a duplicate record is not counted
twice.

>>> from graph.core.model import PartnerGraph
>>> from graph.people.contacts import build_contact_index
>>> g = PartnerGraph()
>>> i = g.add_node("institution", "u", label="Uni", sector="science", land="DE-HE", illustrative=True)
>>> e = g.add_node("event", "e1", label="Workshop", date="2024-05-02", illustrative=True)
>>> c = g.add_node("contact", "c1", label="Erika", consent=True, illustrative=True)
>>> g.add_edge(c, i, "works_at", illustrative=True)
>>> g.add_edge(c, e, "attended", role="speaker", illustrative=True)
>>> idx = build_contact_index(g)
>>> [(a.person.name, a.role) for a in event_attendees(idx, "event:e1")]
[('Erika', 'speaker')]
>>> attendance_counts(idx, "event:e1")["sector"]
{'science': 1}
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from graph.people.contacts import ContactIndex, EventInfo, Person
from graph.core.errors import NodeNotFound

__all__ = ["Attendance", "event_attendees", "events_of_person", "events_of_institution",
           "attendance_counts", "events_by_date", "ROLE_ORDER"]

#: Attendance roles, most prominent first.
ROLE_ORDER = ("organiser", "speaker", "participant")


@dataclass(frozen=True)
class Attendance:
    person: Person
    event: EventInfo
    role: str


def _role_rank(role: str) -> int:
    return ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER)


def events_by_date(index: ContactIndex) -> list[EventInfo]:
    """All events, newest first."""
    return list(index.events_newest_first)


def event_attendees(index: ContactIndex, event_id: str) -> list[Attendance]:
    """Who attended ``event_id``: organisers, speakers, participants, each by name.

    Masked persons are listed (as institution and role) — they attended.
    Raises ``NodeNotFound`` for an unknown event.
    """
    if event_id not in index.events:
        raise NodeNotFound(event_id)
    rows = index.event_attendees.get(event_id, [])
    out = [Attendance(index.persons[pid], index.events[event_id], role) for pid, role in rows]
    out.sort(key=lambda a: (_role_rank(a.role), a.person.masked, a.person.name.casefold()))
    return out


def events_of_person(index: ContactIndex, person_id: str) -> list[Attendance]:
    """The events a person (or contact record) attended, newest first."""
    pid = index.record_to_person.get(person_id, person_id)
    if pid not in index.persons:
        raise NodeNotFound(person_id)
    p = index.persons[pid]
    out = [Attendance(p, index.events[e], role) for e, role in p.attendance if e in index.events]
    return sorted(out, key=lambda a: (a.event.date or "", a.event.id), reverse=True)


def events_of_institution(index: ContactIndex, institution_id: str) -> list[Attendance]:
    """Every attendance by people of ``institution_id``, newest event first."""
    out = []
    for pid in index.by_institution.get(institution_id, ()):
        out += events_of_person(index, pid)
    out.sort(key=lambda a: (a.person.masked, a.person.name.casefold()))
    out.sort(key=lambda a: (a.event.date or "", a.event.id), reverse=True)  # stable: names stay sorted
    return out


def attendance_counts(index: ContactIndex, event_id: str) -> dict[str, dict[str, int]]:
    """Attendees of an event counted per Land (``DE-HE``; ``""`` for
    institutions abroad), per sector and per role."""
    land: Counter = Counter()
    sector: Counter = Counter()
    role: Counter = Counter()
    for a in event_attendees(index, event_id):
        for code in a.person.laender or ("",):
            land[code] += 1
        for s in a.person.sectors:
            sector[s] += 1
        role[a.role] += 1
    return {"land": dict(land.most_common()), "sector": dict(sector.most_common()), "role": dict(role.most_common())}
