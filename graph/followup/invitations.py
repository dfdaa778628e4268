"""Invitations: where a guest of a saved guest list stands.

::

    invited ──▶ accepted ──▶ attended
       │  ╲         ▲ │        ▲
       │   ╲        │ ▼        │
       │    ──▶ declined ──────┘
       └───────────────────────┘ (came without replying)

A guest who declined may still accept (or simply come); an accepted guest
may cancel (declined). ``attended`` is final: it is set when the attendance
list is confirmed and stands for an attendance edge in the network. Moving a
guest back to ``invited`` is allowed from ``accepted`` and ``declined`` only
(a reply recorded by mistake).

Stored values are English; the labels (eingeladen, zugesagt, abgesagt,
teilgenommen) live in the label table (:mod:`graph.core.labels`).

>>> move_guest(Invitation.INVITED, "accepted")
<Invitation.ACCEPTED: 'accepted'>
>>> [s.value for s in allowed_moves("declined")]
['invited', 'accepted', 'attended']
>>> move_guest("attended", "declined")
Traceback (most recent call last):
...
graph.followup.invitations.InvitationError: a guest cannot move from 'attended' to 'declined' (allowed: none)
"""

from __future__ import annotations

from collections import Counter
from enum import Enum
from typing import Iterable

from graph.core.errors import PartnernetzError

__all__ = ["Invitation", "InvitationError", "allowed_moves", "move_guest", "status_counts", "LIST_KINDS",
           "status_of_list"]


class InvitationError(PartnernetzError):
    """A status move the invitation rules do not allow, or an unknown status."""


class Invitation(str, Enum):
    """A guest's invitation status (stored value; labels in the label table)."""

    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ATTENDED = "attended"


_MOVES: dict[Invitation, frozenset[Invitation]] = {
    Invitation.INVITED: frozenset({Invitation.ACCEPTED, Invitation.DECLINED, Invitation.ATTENDED}),
    Invitation.ACCEPTED: frozenset({Invitation.INVITED, Invitation.DECLINED, Invitation.ATTENDED}),
    Invitation.DECLINED: frozenset({Invitation.INVITED, Invitation.ACCEPTED, Invitation.ATTENDED}),
    Invitation.ATTENDED: frozenset(),
}

#: Kinds of list a planner imports afterwards, and the status a matched row gives its guest.
LIST_KINDS = ("registration", "attendance")


def status_of_list(kind: str) -> Invitation:
    """The status a row of a ``registration`` list (zugesagt) or an
    ``attendance`` list (teilgenommen) gives its guest."""
    if kind not in LIST_KINDS:
        raise InvitationError(f"unknown list kind {kind!r} (one of: {', '.join(LIST_KINDS)})")
    return Invitation.ACCEPTED if kind == "registration" else Invitation.ATTENDED


def _status(value: Invitation | str) -> Invitation:
    try:
        return Invitation(value)
    except ValueError:
        raise InvitationError(f"unknown invitation status {value!r} "
                              f"(one of: {', '.join(s.value for s in Invitation)})") from None


def allowed_moves(status: Invitation | str) -> list[Invitation]:
    """The statuses a guest in ``status`` may move to, in list order."""
    targets = _MOVES[_status(status)]
    return [s for s in Invitation if s in targets]


def move_guest(status: Invitation | str, to: Invitation | str) -> Invitation:
    """The new status, or :class:`InvitationError` for a move the rules do not
    allow. Staying in the same status is no move and is refused too (nothing
    to record)."""
    status, to = _status(status), _status(to)
    if to not in _MOVES[status]:
        allowed = ", ".join(s.value for s in allowed_moves(status)) or "none"
        raise InvitationError(f"a guest cannot move from {status.value!r} to {to.value!r} (allowed: {allowed})")
    return to


def status_counts(statuses: Iterable[Invitation | str]) -> dict[str, int]:
    """Guests per status, every status present (0 when none), in list order.

    >>> status_counts(["invited", "attended", "attended"])
    {'invited': 1, 'accepted': 0, 'declined': 0, 'attended': 2}
    """
    counted = Counter(_status(s) for s in statuses)
    return {s.value: counted.get(s, 0) for s in Invitation}
