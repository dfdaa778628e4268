"""After the event: match the rows of a registration or attendance list to
contact records, and check the guest list's quotas against who actually came.

Matching uses the rules of :mod:`graph.people.dedupe`, so a row is the same
person as a record exactly when two records would be:

* the same e-mail address (case-insensitive) — ``how = "email"``;
* a spelling variant of the name (:func:`~graph.people.dedupe.name_key`) at
  the same institution (named by id or by its name, case and umlauts folded)
  — ``how = "name"``.

A row whose name fits exactly one person but whose institution is missing or
different is *not* matched: it is offered for review with that person as the
suggestion (a namesake at another institution is a different person by the
dedupe rules). Every other row is unmatched and goes to review, too —
nothing is dropped.

>>> records = [ContactRecord("c1", "Jürgen Müller", "jm@example.org", "hlft", "HLfT"),
...            ContactRecord("c2", "Anna Schmidt", None, "uni", "Uni A")]
>>> rows = [ListRow(2, "J. Unknown", "JM@example.org", ""), ListRow(3, "Juergen Mueller", "", "hlft"),
...         ListRow(4, "Schmidt, Anna", "", "Uni B"), ListRow(5, "Nobody", "", "")]
>>> [(m.row.number, m.contact, m.how, m.suggestion) for m in match_rows(records, rows)]
[(2, 'c1', 'email', None), (3, 'c1', 'name', None), (4, None, None, 'c2'), (5, None, None, None)]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from graph.core.text import fold
from graph.people.contacts import ContactIndex
from graph.people.dedupe import email_key, name_key
from graph.people.guestlist import Quota, expand_quotas, groups_of

__all__ = ["ContactRecord", "ListRow", "RowMatch", "match_rows", "QuotaCheck", "quota_against_attendance"]


@dataclass(frozen=True)
class ContactRecord:
    """A contact record as the matcher needs it (key without ``contact:``)."""

    id: str
    name: str
    email: str | None
    institution: str
    institution_label: str = ""


@dataclass(frozen=True)
class ListRow:
    """One row of an imported list: ``number`` is the row as Excel shows it."""

    number: int
    name: str
    email: str | None = None
    institution: str = ""
    role: str = ""       # attendance role value (organiser, speaker, participant) or ""
    status: str = ""     # invitation status value the row states (e.g. a registration list's "abgesagt") or ""


@dataclass(frozen=True)
class RowMatch:
    """The outcome for one row: ``contact`` (record key) and ``how`` when
    matched; otherwise ``suggestion``, a record with the same name elsewhere."""

    row: ListRow
    contact: str | None
    how: str | None
    suggestion: str | None = None

    @property
    def matched(self) -> bool:
        return self.contact is not None


def match_rows(records: Iterable[ContactRecord], rows: Sequence[ListRow]) -> list[RowMatch]:
    """Match every row (in order) to a contact record; see the module text.

    Linear in records plus rows (hash keys). Among several records for one
    key the smallest id wins (the dedupe's primary record).
    """
    by_email: dict[str, str] = {}
    by_name_inst: dict[tuple[str, str], str] = {}
    by_name: dict[str, set[str]] = {}
    institution_keys: dict[str, str] = {}  # folded id or label -> institution id
    for r in sorted(records, key=lambda r: r.id):
        mail = email_key(r.email)
        if mail:
            by_email.setdefault(mail, r.id)
        key = name_key(r.name or "")
        if key:
            by_name_inst.setdefault((key, r.institution), r.id)
            by_name.setdefault(key, set()).add(r.id)
        if r.institution:
            institution_keys.setdefault(fold(r.institution), r.institution)
            if r.institution_label:
                institution_keys.setdefault(fold(r.institution_label), r.institution)
    out = []
    for row in rows:
        mail = email_key(row.email)
        if mail and mail in by_email:
            out.append(RowMatch(row, by_email[mail], "email"))
            continue
        key = name_key(row.name or "")
        inst = institution_keys.get(fold(row.institution)) if row.institution else None
        if key and inst and (key, inst) in by_name_inst:
            out.append(RowMatch(row, by_name_inst[(key, inst)], "name"))
            continue
        same_name = sorted(by_name.get(key, ())) if key else []
        out.append(RowMatch(row, None, None, same_name[0] if len(same_name) == 1 else None))
    return out


@dataclass(frozen=True)
class QuotaCheck:
    """One quota group: the rule and how many invited guests and attendees it counts."""

    dimension: str
    value: str
    min: int | None
    max: int | None
    invited: int
    attended: int

    def met(self, count: int) -> bool:
        return (self.min is None or count >= self.min) and (self.max is None or count <= self.max)

    @property
    def met_invited(self) -> bool:
        return self.met(self.invited)

    @property
    def met_attended(self) -> bool:
        return self.met(self.attended)


def quota_against_attendance(index: ContactIndex, invited: Iterable[str], attended: Iterable[str],
                             quotas: Iterable[Quota]) -> list[QuotaCheck]:
    """Every quota of the guest list (per-group rules expanded over the
    invited and the attendees) counted on the invited guests and on those who
    actually came. Ids are person or contact-record ids; a record counts for
    its merged person once.

    >>> from graph.core.model import PartnerGraph
    >>> from graph.people.contacts import build_contact_index
    >>> g = PartnerGraph(with_laender=False)
    >>> for key, sector in [("u", "science"), ("f", "business")]:
    ...     _ = g.add_node("institution", key, label=key.upper(), sector=sector, illustrative=True)
    >>> for key, inst in [("c1", "u"), ("c2", "u"), ("c3", "f")]:
    ...     c = g.add_node("contact", key, label=key, consent=True, illustrative=True)
    ...     _ = g.add_edge(c, f"institution:{inst}", "works_at", illustrative=True)
    >>> idx = build_contact_index(g)
    >>> rows = quota_against_attendance(idx, ["contact:c1", "contact:c2", "contact:c3"], ["contact:c1"],
    ...                                 [Quota("sector", "business", min=1)])
    >>> [(q.value, q.invited, q.attended, q.met_invited, q.met_attended) for q in rows]
    [('business', 1, 0, True, False)]
    """
    def persons(ids: Iterable[str]) -> list[str]:
        seen: dict[str, None] = {}
        for i in ids:
            pid = index.record_to_person.get(i, i)
            if pid in index.persons:
                seen.setdefault(pid)
        return list(seen)

    invited_p, attended_p = persons(invited), persons(attended)
    everyone = list(dict.fromkeys(invited_p + attended_p))
    out = []
    for q in expand_quotas(index, everyone, quotas):
        def count(ids: list[str]) -> int:
            return sum(1 for p in ids if q.value in groups_of(index.persons[p], q.dimension))
        out.append(QuotaCheck(q.dimension, q.value, q.min, q.max, count(invited_p), count(attended_p)))
    return out
