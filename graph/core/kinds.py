"""Node and edge kinds, controlled vocabularies and namespaced node ids.

Ids are ``"<kind>:<key>"``, e.g. ``land:DE-BW`` or ``country:RWA``; the kind
prefix makes an id unique across kinds and tells the kind without a lookup.

>>> node_id(NodeKind.COUNTRY, "RWA")
'country:RWA'
>>> kind_of("institution:hlft")
<NodeKind.INSTITUTION: 'institution'>
"""

from __future__ import annotations

from enum import Enum

__all__ = [
    "NodeKind",
    "EdgeKind",
    "Sector",
    "Role",
    "CofinanceKind",
    "ProjectStatus",
    "Phase",
    "EventKind",
    "AttendanceRole",
    "EDGE_ENDPOINTS",
    "node_id",
    "kind_of",
    "key_of",
]


class _StrEnum(str, Enum):
    def __str__(self) -> str:  # so f-strings give the plain value
        return self.value

    @classmethod
    def values(cls) -> list[str]:
        return [m.value for m in cls]


class NodeKind(_StrEnum):
    LAND = "land"
    COUNTRY = "country"
    INSTITUTION = "institution"
    PROJECT = "project"
    THEME = "theme"
    PROGRAMME = "programme"
    CONTACT = "contact"
    EVENT = "event"


class EdgeKind(_StrEnum):
    LOCATED_IN = "located_in"
    PARTICIPATES_IN = "participates_in"
    COFINANCES = "cofinances"
    IMPLEMENTED_IN = "implemented_in"
    ADDRESSES = "addresses"
    WORKS_ON = "works_on"
    LINKED_TO = "linked_to"
    PARTNERS_WITH = "partners_with"
    WORKS_AT = "works_at"
    ATTENDED = "attended"
    HELD_IN = "held_in"
    ABOUT = "about"


class Sector(_StrEnum):
    SCIENCE = "science"
    CIVIL_SOCIETY = "civil_society"
    BUSINESS = "business"
    PUBLIC_ADMINISTRATION = "public_administration"
    IMPLEMENTING_AGENCY = "implementing_agency"
    OTHER = "other"


class Role(_StrEnum):
    """Role of an institution in a project (``participates_in``)."""

    LEAD = "lead"
    PARTNER = "partner"
    IMPLEMENTING = "implementing"
    FUNDING = "funding"
    ASSOCIATED = "associated"


class CofinanceKind(_StrEnum):
    MONEY = "money"
    STAFF = "staff"
    ROOMS = "rooms"
    SCHOLARSHIPS = "scholarships"
    TRAINING_PLACES = "training_places"
    OTHER = "other"


class ProjectStatus(_StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    COMPLETED = "completed"
    UNKNOWN = "unknown"


class Phase(_StrEnum):
    """Programme phases: pilot 2015–2019, II 2019–2023, III 2023–2027."""

    PILOT = "pilot"
    II = "II"
    III = "III"


class EventKind(_StrEnum):
    TRAINING = "training"
    CONFERENCE = "conference"
    WORKSHOP = "workshop"
    NETWORK_MEETING = "network_meeting"
    LAB = "lab"
    OTHER = "other"


class AttendanceRole(_StrEnum):
    SPEAKER = "speaker"
    PARTICIPANT = "participant"
    ORGANISER = "organiser"


#: Allowed (source kinds, target kinds) of every edge kind.
EDGE_ENDPOINTS: dict[EdgeKind, tuple[frozenset[NodeKind], frozenset[NodeKind]]] = {
    EdgeKind.LOCATED_IN: (
        frozenset({NodeKind.INSTITUTION}),
        frozenset({NodeKind.LAND, NodeKind.COUNTRY}),
    ),
    EdgeKind.PARTICIPATES_IN: (frozenset({NodeKind.INSTITUTION}), frozenset({NodeKind.PROJECT})),
    EdgeKind.COFINANCES: (frozenset({NodeKind.LAND}), frozenset({NodeKind.PROJECT})),
    EdgeKind.IMPLEMENTED_IN: (
        frozenset({NodeKind.PROJECT, NodeKind.PROGRAMME}),
        frozenset({NodeKind.COUNTRY}),
    ),
    EdgeKind.ADDRESSES: (frozenset({NodeKind.PROJECT}), frozenset({NodeKind.THEME})),
    EdgeKind.WORKS_ON: (
        frozenset({NodeKind.INSTITUTION, NodeKind.CONTACT}),
        frozenset({NodeKind.THEME}),
    ),
    EdgeKind.LINKED_TO: (frozenset({NodeKind.PROJECT}), frozenset({NodeKind.PROGRAMME})),
    EdgeKind.PARTNERS_WITH: (frozenset({NodeKind.LAND}), frozenset({NodeKind.COUNTRY})),
    EdgeKind.WORKS_AT: (frozenset({NodeKind.CONTACT}), frozenset({NodeKind.INSTITUTION})),
    EdgeKind.ATTENDED: (frozenset({NodeKind.CONTACT}), frozenset({NodeKind.EVENT})),
    EdgeKind.HELD_IN: (frozenset({NodeKind.EVENT}), frozenset({NodeKind.COUNTRY})),
    EdgeKind.ABOUT: (frozenset({NodeKind.EVENT}), frozenset({NodeKind.THEME})),
}


# Lookup tables: constructing an Enum member costs about a microsecond, which adds
# up to seconds when a large dataset builds millions of ids. Members hash and
# compare like their string values, so one dict serves both spellings.
_NODE_KIND_VALUE: dict[str, str] = {k.value: k.value for k in NodeKind}
_NODE_KIND_BY_VALUE: dict[str, NodeKind] = {k.value: k for k in NodeKind}


def node_id(kind: NodeKind | str, key: str) -> str:
    """Return the namespaced id of the node of ``kind`` with ``key``."""
    try:
        return f"{_NODE_KIND_VALUE[kind]}:{key}"
    except (KeyError, TypeError):
        return f"{NodeKind(kind).value}:{key}"  # raises ValueError for an unknown kind


def kind_of(nid: str) -> NodeKind:
    """Return the kind encoded in a namespaced node id.

    Raises ``ValueError`` when the prefix is not a known kind.
    """
    prefix, sep, _ = nid.partition(":")
    if not sep:
        raise ValueError(f"not a namespaced node id: {nid!r}")
    try:
        return _NODE_KIND_BY_VALUE[prefix]
    except KeyError:
        return NodeKind(prefix)  # raises ValueError


def key_of(nid: str) -> str:
    """Return the key part of a namespaced node id (``land:DE-BW`` → ``DE-BW``)."""
    return nid.partition(":")[2]
