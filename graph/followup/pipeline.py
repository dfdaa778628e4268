"""The shortlist pipeline: statuses, allowed moves, due steps, outcomes.

A shortlist keeps a Matchmaking result as it was (target, settings, each
candidate with its score, factors and explanation). Each candidate then
moves through the pipeline::

    proposed ──▶ asked ──▶ accepted
        │          ├────▶ declined   (reason required)
        │          └────▶ deferred   (reason required) ──▶ asked
        └──▶ declined / deferred

A move to ``declined`` or ``deferred`` needs a reason from
:data:`REASONS`; ``other`` needs a free text as well.

>>> c = PipelineItem(shortlist=1, node="inst:a", rank=1, score=0.8)
>>> c = move(c, Status.ASKED, owner="anna", next_step="Anruf", due="2026-12-20")
>>> c.status, c.owner, c.is_open
(<Status.ASKED: 'asked'>, 'anna', True)
>>> move(c, Status.DECLINED).status
Traceback (most recent call last):
...
graph.followup.pipeline.PipelineError: a move to 'declined' needs a reason (one of: capacity, fit, funding, timing, other)
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, Iterable, Mapping, Sequence

from graph.core.errors import PartnernetzError

__all__ = ["Status", "REASONS", "PipelineError", "PipelineItem", "move", "allowed_moves",
           "open_items", "is_overdue", "acceptance_by_rank", "acceptance_by_factor", "RankOutcome"]


class PipelineError(PartnernetzError):
    """A pipeline move that is not allowed or lacks what it needs."""


class Status(str, Enum):
    """Where a candidate stands. Values are stored; labels live in the label table."""

    PROPOSED = "proposed"
    ASKED = "asked"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    DEFERRED = "deferred"


#: Reasons for a decline or a deferral (stored value; labels in the label table).
REASONS = ("capacity", "fit", "funding", "timing", "other")

_MOVES: dict[Status, frozenset[Status]] = {
    Status.PROPOSED: frozenset({Status.ASKED, Status.DECLINED, Status.DEFERRED}),
    Status.ASKED: frozenset({Status.ACCEPTED, Status.DECLINED, Status.DEFERRED}),
    Status.DEFERRED: frozenset({Status.ASKED, Status.DECLINED, Status.PROPOSED}),
    Status.DECLINED: frozenset({Status.PROPOSED}),  # reopened
    Status.ACCEPTED: frozenset(),
}
_NEEDS_REASON = frozenset({Status.DECLINED, Status.DEFERRED})
_CLOSED = frozenset({Status.ACCEPTED, Status.DECLINED})


def allowed_moves(status: Status | str) -> list[Status]:
    """The statuses a candidate in ``status`` may move to, in pipeline order."""
    targets = _MOVES[Status(status)]
    return [s for s in Status if s in targets]


def _date(value: str | _dt.date | None) -> _dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise PipelineError(f"due date {value!r} is not a date (YYYY-MM-DD)") from exc


@dataclass(frozen=True)
class PipelineItem:
    """One candidate of one shortlist, with its follow-up state.

    ``score``, ``factors`` and ``explanation`` are the Matchmaking result as
    it was when the shortlist was saved; they never change afterwards.
    """

    shortlist: int
    node: str
    rank: int
    score: float
    factors: Mapping[str, float] = field(default_factory=dict)
    explanation: str = ""
    label: str = ""
    land: str | None = None
    sector: str | None = None
    country: str | None = None
    status: Status = Status.PROPOSED
    reason: str | None = None
    reason_text: str = ""
    owner: str = ""
    next_step: str = ""
    due: _dt.date | None = None
    notes: str = ""
    participation: str | None = None  # set once an accepted candidate became a participation

    @property
    def is_open(self) -> bool:
        """Still waiting for an outcome (proposed, asked or deferred)."""
        return self.status not in _CLOSED

    @property
    def needs_action(self) -> bool:
        """Open, or accepted but not yet entered as a participation."""
        return self.is_open or (self.status == Status.ACCEPTED and not self.participation)

    def to_dict(self) -> dict[str, Any]:
        return {"shortlist": self.shortlist, "node": self.node, "rank": self.rank, "score": self.score,
                "factors": dict(self.factors), "explanation": self.explanation, "label": self.label,
                "land": self.land, "sector": self.sector, "country": self.country,
                "status": self.status.value, "reason": self.reason, "reason_text": self.reason_text,
                "owner": self.owner, "next_step": self.next_step,
                "due": self.due.isoformat() if self.due else None, "notes": self.notes,
                "participation": self.participation}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "PipelineItem":
        return cls(shortlist=int(data["shortlist"]), node=str(data["node"]), rank=int(data["rank"]),
                   score=float(data["score"]), factors=dict(data.get("factors") or {}),
                   explanation=data.get("explanation") or "", label=data.get("label") or "",
                   land=data.get("land"), sector=data.get("sector"), country=data.get("country"),
                   status=Status(data.get("status") or Status.PROPOSED), reason=data.get("reason"),
                   reason_text=data.get("reason_text") or "", owner=data.get("owner") or "",
                   next_step=data.get("next_step") or "", due=_date(data.get("due")),
                   notes=data.get("notes") or "", participation=data.get("participation"))


def move(item: PipelineItem, to: Status | str, *, reason: str | None = None, reason_text: str = "",
         owner: str | None = None, next_step: str | None = None, due: str | _dt.date | None = None,
         notes: str | None = None) -> PipelineItem:
    """``item`` moved to status ``to``; owner, next step, due date and notes
    change only where given. Raises :class:`PipelineError` for a move the
    pipeline does not allow or a decline/deferral without a reason."""
    try:
        to = Status(to)
    except ValueError as exc:
        raise PipelineError(f"unknown status {to!r} (one of: {', '.join(s.value for s in Status)})") from exc
    if to != item.status and to not in _MOVES[item.status]:
        raise PipelineError(f"a candidate cannot move from {item.status.value!r} to {to.value!r} "
                            f"(allowed: {', '.join(s.value for s in allowed_moves(item.status)) or 'none'})")
    if to in _NEEDS_REASON:
        if reason not in REASONS:
            raise PipelineError(f"a move to {to.value!r} needs a reason (one of: {', '.join(REASONS)})")
        if reason == "other" and not reason_text.strip():
            raise PipelineError("the reason 'other' needs a text")
    else:
        reason, reason_text = None, ""
    return replace(item, status=to, reason=reason, reason_text=reason_text.strip(),
                   owner=item.owner if owner is None else owner.strip(),
                   next_step=item.next_step if next_step is None else next_step.strip(),
                   due=item.due if due is None else _date(due),
                   notes=item.notes if notes is None else notes)


def is_overdue(item: PipelineItem, today: _dt.date) -> bool:
    """An open candidate whose next step was due before ``today``."""
    return item.is_open and item.due is not None and item.due < today


def open_items(items: Iterable[PipelineItem], today: _dt.date, *, owner: str | None = None,
               status: str | None = None, land: str | None = None, country: str | None = None,
               due_before: _dt.date | None = None) -> list[PipelineItem]:
    """Candidates that still need a step (open ones, and accepted ones not yet
    entered as a participation) across shortlists, filtered; overdue steps
    first (oldest due first), then those with a due date, then the rest by
    shortlist and rank."""
    out = [i for i in items if i.needs_action
           and (not owner or i.owner == owner)
           and (not status or i.status.value == status)
           and (not land or i.land == land)
           and (not country or i.country == country)
           and (due_before is None or (i.due is not None and i.due <= due_before))]

    def key(i: PipelineItem) -> tuple:
        overdue = is_overdue(i, today)
        return (0 if overdue else 1 if i.due else 2, i.due or _dt.date.max, i.shortlist, i.rank)

    return sorted(out, key=key)


@dataclass(frozen=True)
class RankOutcome:
    """Outcomes of the candidates in one group (a rank band or a factor band)."""

    group: str
    decided: int      # accepted + declined
    accepted: int
    open: int

    @property
    def acceptance(self) -> float | None:
        """Accepted share of the decided candidates (``None`` without any)."""
        return self.accepted / self.decided if self.decided else None


def _outcome(group: str, items: Sequence[PipelineItem]) -> RankOutcome:
    accepted = sum(i.status == Status.ACCEPTED for i in items)
    declined = sum(i.status == Status.DECLINED for i in items)
    return RankOutcome(group, accepted + declined, accepted, sum(i.is_open for i in items))


def acceptance_by_rank(items: Iterable[PipelineItem], bands: Sequence[int] = (1, 3, 5, 10)) -> list[RankOutcome]:
    """Acceptance rate by the rank a candidate had on its shortlist
    (bands ``1``, ``2–3``, ``4–5``, ``6–10``, ``>10`` for the default bands)."""
    items = list(items)
    out, low = [], 1
    for high in bands:
        name = str(high) if high == low else f"{low}–{high}"
        out.append(_outcome(name, [i for i in items if low <= i.rank <= high]))
        low = high + 1
    out.append(_outcome(f">{bands[-1]}", [i for i in items if i.rank > bands[-1]]))
    return out


def acceptance_by_factor(items: Iterable[PipelineItem], factors: Sequence[str],
                         threshold: float = 0.5) -> list[tuple[str, RankOutcome, RankOutcome]]:
    """For each factor: outcomes of candidates whose factor value was high
    (≥ ``threshold``) against those where it was low — does a factor that
    weighs in the ranking go with acceptance in reality?"""
    items = list(items)
    rows = []
    for f in factors:
        high = [i for i in items if float(i.factors.get(f, 0.0)) >= threshold]
        low = [i for i in items if float(i.factors.get(f, 0.0)) < threshold]
        rows.append((f, _outcome("high", high), _outcome("low", low)))
    return rows
