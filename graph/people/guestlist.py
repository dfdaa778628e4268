"""The guest-list builder: propose a list of a target size that meets
min/max quotas per sector, Land and institution, must-include and
must-exclude lists, preferring people who have not attended recently.

The choice is a small integer programme (one 0/1 variable per candidate,
one row per quota) solved exactly with SciPy's HiGHS ``milp``. When no list
can satisfy every constraint, :class:`GuestListInfeasible` says which
constraint fails and by how much: first the plain shortages ("only 1
available"), otherwise the constraints an elastic version of the programme
has to stretch, with the smallest total stretch.

>>> from graph.core.model import PartnerGraph
>>> from graph.people.contacts import build_contact_index
>>> g = PartnerGraph(with_laender=False)
>>> for key, sector in [("u", "science"), ("f", "business")]:
...     _ = g.add_node("institution", key, label=key.upper(), sector=sector, illustrative=True)
>>> for key, inst in [("c1", "u"), ("c2", "u"), ("c3", "f")]:
...     c = g.add_node("contact", key, label=key, consent=True, illustrative=True)
...     g.add_edge(c, f"institution:{inst}", "works_at", illustrative=True)
>>> idx = build_contact_index(g)
>>> build_guest_list(idx, idx.persons, size=2, quotas=[Quota("sector", "business", min=1)]).members
('contact:c1', 'contact:c3')
>>> try:
...     build_guest_list(idx, idx.persons, size=3, quotas=[Quota("sector", "business", min=3)])
... except GuestListInfeasible as exc:
...     print(exc.problems[0].message(idx))
Wirtschaft: mindestens 3 verlangt, nur 1 verfügbar (es fehlen 2)
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping

from itertools import islice

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix

from graph.core.labels import SECTOR, label
from graph.people.contacts import ContactIndex, Person
from graph.core.errors import PartnernetzError

__all__ = ["DIMENSIONS", "EACH", "expand_quotas", "Quota", "QuotaProblem", "GuestList", "GuestListInfeasible",
           "build_guest_list", "CandidateRows", "check_guest_list", "preference_order", "groups_of"]

#: Quota dimensions and what they count.
DIMENSIONS = ("sector", "land", "institution")
_DIMENSION_LABELS = {"sector": ("Sektoren", "sectors"), "land": ("Länder", "Länder"),
                     "institution": ("Institutionen", "institutions")}
_EACH_LABELS = {"sector": ("je Sektor", "per sector"), "land": ("je Land", "per Land"),
                "institution": ("je Institution", "per institution")}


#: The value of a per-group rule: "höchstens 4 je Land" is ``Quota("land", EACH, max=4)``.
EACH = "*"


@dataclass(frozen=True)
class Quota:
    """At least ``min`` / at most ``max`` guests with ``value`` in ``dimension``.

    ``value`` is a sector value (``business``), a Land id (``land:DE-HE``), an
    institution id (``institution:hlft``) or :data:`EACH`: a rule for every
    group of the dimension at once ("mindestens 3 je Sektor"), expanded by
    :func:`expand_quotas` to one quota per group present among the
    candidates; a quota for one named group overrides the rule for that group.
    """

    dimension: str
    value: str
    min: int | None = None
    max: int | None = None

    def __post_init__(self) -> None:
        if self.dimension not in DIMENSIONS:
            raise PartnernetzError(f"unknown quota dimension {self.dimension!r}; use one of {', '.join(DIMENSIONS)}")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise PartnernetzError(f"quota {self.value}: min {self.min} is above max {self.max}")


_MESSAGES = {
    ("min", "available"): ("{label}: mindestens {req} verlangt, nur {avail} verfügbar (es fehlen {gap})",
                           "{label}: at least {req} required, only {avail} available ({gap} missing)"),
    ("min", "reachable"): ("{label}: mindestens {req} verlangt, mit den übrigen Vorgaben nur {avail} erreichbar (es fehlen {gap})",
                           "{label}: at least {req} required, only {avail} reachable with the other constraints ({gap} missing)"),
    ("min", "listed"): ("{label}: mindestens {req} verlangt, {avail} auf der Liste (es fehlen {gap})",
                        "{label}: at least {req} required, {avail} on the list ({gap} missing)"),
    ("max", "included"): ("{label}: höchstens {req} erlaubt, aber {avail} auf der Muss-Liste ({gap} zu viel)",
                          "{label}: at most {req} allowed, but {avail} on the must-include list ({gap} too many)"),
    ("max", "reachable"): ("{label}: höchstens {req} erlaubt, mit den übrigen Vorgaben {avail} nötig ({gap} zu viel)",
                           "{label}: at most {req} allowed, the other constraints need {avail} ({gap} too many)"),
    ("max", "listed"): ("{label}: höchstens {req} erlaubt, {avail} auf der Liste ({gap} zu viel)",
                        "{label}: at most {req} allowed, {avail} on the list ({gap} too many)"),
    ("size", "available"): ("Listengröße: {req} verlangt, nur {avail} verfügbar (es fehlen {gap})",
                            "List size: {req} required, only {avail} available ({gap} missing)"),
    ("size", "included"): ("Listengröße: {req} verlangt, aber {avail} auf der Muss-Liste ({gap} zu viel)",
                           "List size: {req} required, but {avail} on the must-include list ({gap} too many)"),
    ("size", "reachable"): ("Listengröße: {req} verlangt, mit den Quoten nur {avail} erreichbar (es fehlen {gap})",
                            "List size: {req} required, only {avail} reachable with the quotas ({gap} missing)"),
    ("size", "reachable_over"): ("Listengröße: {req} verlangt, die Mindestquoten brauchen {avail} ({gap} zu viel)",
                                 "List size: {req} required, the minimum quotas need {avail} ({gap} too many)"),
    ("size", "listed"): ("Listengröße: {req} verlangt, {avail} auf der Liste",
                         "List size: {req} required, {avail} on the list"),
    ("min_sum", "size"): ("Mindestquoten {label}: zusammen {req} verlangt, Listengröße nur {avail} ({gap} zu viel)",
                          "Minimum quotas {label}: {req} required together, list size only {avail} ({gap} too many)"),
    ("include", "consent"): ("{label}: ohne Einwilligung – kann nicht eingeladen werden",
                             "{label}: no consent – cannot be invited"),
    ("include", "excluded"): ("{label}: steht auf der Muss- und auf der Ausschlussliste",
                              "{label}: on both the must-include and the exclude list"),
}


@dataclass(frozen=True)
class QuotaProblem:
    """One constraint that cannot be met: ``required`` vs ``available``.

    ``constraint`` is ``min``, ``max``, ``size``, ``min_sum`` (the minimum
    quotas of one dimension add up to more than the list) or ``include``; ``context``
    tells what ``available`` counts (``available`` candidates, ``reachable``
    together with the other constraints, ``included`` on the must list,
    ``listed`` on the current list).
    """

    constraint: str
    dimension: str
    value: str
    required: int
    available: int
    context: str

    @property
    def gap(self) -> int:
        return abs(self.required - self.available)

    def message(self, index: ContactIndex, lang: str = "de") -> str:
        """The problem as one sentence, e.g. ``Wirtschaft: mindestens 3
        verlangt, nur 1 verfügbar (es fehlen 2)``."""
        template = _MESSAGES[(self.constraint, self.context)][1 if lang == "en" else 0]
        return template.format(label=value_label(index, self.dimension, self.value, lang),
                               req=self.required, avail=self.available, gap=self.gap)


class GuestListInfeasible(PartnernetzError):
    """No list meets every constraint; ``problems`` says which and by how much."""

    def __init__(self, problems: list[QuotaProblem], index: ContactIndex):
        self.problems = problems
        super().__init__("; ".join(p.message(index) for p in problems))

    def messages(self, index: ContactIndex, lang: str = "de") -> list[str]:
        return [p.message(index, lang) for p in self.problems]


@dataclass(frozen=True)
class GuestList:
    """A proposed list: ``members`` (person ids, in preference order) and the
    count of every quota group on it."""

    members: tuple[str, ...]
    counts: dict[tuple[str, str], int]


def value_label(index: ContactIndex, dimension: str, value: str, lang: str = "de") -> str:
    """Display name of a quota value (sector name, Land, institution, person)."""
    if value == EACH:
        return _EACH_LABELS[dimension][1 if lang == "en" else 0]
    if dimension == "sector":
        return label(SECTOR, value, lang)
    if dimension == "dimension":
        return _DIMENSION_LABELS.get(value, (value, value))[1 if lang == "en" else 0]
    if dimension == "person":
        p = index.persons.get(index.record_to_person.get(value, value))
        return p.name if p and not p.masked else value.partition(":")[2]
    return index.label(value, lang)


def expand_quotas(index: ContactIndex, person_ids: Iterable[str], quotas: Iterable[Quota]) -> list[Quota]:
    """Quotas with every per-group rule (value :data:`EACH`) replaced by one
    quota per group of its dimension present among ``person_ids``; a quota
    naming a group itself wins over the rule for that group.

    >>> from graph.core.model import PartnerGraph
    >>> from graph.people.contacts import build_contact_index
    >>> g = PartnerGraph(with_laender=False)
    >>> for key, sector in [("u", "science"), ("f", "business")]:
    ...     _ = g.add_node("institution", key, label=key.upper(), sector=sector, illustrative=True)
    ...     c = g.add_node("contact", key, label=key, consent=True, illustrative=True)
    ...     _ = g.add_edge(c, f"institution:{key}", "works_at", illustrative=True)
    >>> idx = build_contact_index(g)
    >>> [(q.value, q.max) for q in expand_quotas(idx, idx.persons, [Quota("sector", EACH, max=1)])]
    [('business', 1), ('science', 1)]
    """
    quotas = list(quotas)
    named = {(q.dimension, q.value) for q in quotas if q.value != EACH}
    out = [q for q in quotas if q.value != EACH]
    rules = [q for q in quotas if q.value == EACH]
    if not rules:
        return out
    ids = [index.record_to_person.get(p, p) for p in person_ids]
    for rule in rules:
        groups = sorted({g for p in ids if p in index.persons for g in groups_of(index.persons[p], rule.dimension)})
        out += [Quota(rule.dimension, g, min=rule.min, max=rule.max) for g in groups
                if (rule.dimension, g) not in named]
    return out


def groups_of(person: Person, dimension: str) -> tuple[str, ...]:
    """The values a person counts for in a quota dimension."""
    if dimension == "sector":
        return person.sectors
    if dimension == "land":
        return tuple(f"land:{c}" for c in person.laender)
    return person.institutions


def preference_order(index: ContactIndex, person_ids: Iterable[str], *, not_recent_months: int | None = 12,
                     relevance: Mapping[str, int] | None = None, today: _dt.date | None = None) -> list[str]:
    """Person ids best first: without attendance in the last
    ``not_recent_months`` first (never attended, then longest ago), then more
    relevant (``relevance``: e.g. number of matching reasons), then by name."""
    order = index.by_name
    rows = order.rows(set(person_ids))
    ranked = _ranked_rows(index, rows, not_recent_months=not_recent_months, relevance=relevance, today=today)
    ids = order.ids
    return [ids[r] for r in ranked.tolist()]


def _ranked_rows(index: ContactIndex, rows: np.ndarray, *, not_recent_months: int | None,
                 relevance: Mapping[str, int] | None, today: _dt.date | None) -> np.ndarray:
    """:func:`preference_order` over positions of ``index.by_name`` (distinct), as positions."""
    if len(rows) == 0:
        return rows
    today = today or _dt.date.today()
    now = today.year * 12 + today.month - 1
    # in numpy over the index's (name, id) order: the same order as sorting by
    # (recent, last month, -relevance, folded name, id), ~5× faster on thousands
    order = index.by_name
    last = order.last_month[rows]
    keys: list = [rows]
    if relevance:
        keys.append(-np.fromiter((relevance.get(order.ids[r], 0) for r in rows.tolist()), dtype=np.int64, count=len(rows)))
    if not_recent_months is not None:
        keys += [last, (last >= 0) & (now - last < not_recent_months)]
    return rows[np.lexsort(keys)]


@dataclass(frozen=True)
class CandidateRows:
    """Candidates given as positions in ``index.by_name`` (distinct, e.g. from
    :meth:`~graph.people.contacts.NameOrder.rows`): a pool of every person
    (110k at 300k nodes) is ranked in numpy without a Python object per person.
    Keep one per finder result and pass it to every build from that result."""

    rows: np.ndarray


def _persons_among(index: ContactIndex, ids: Iterable[str]) -> set[str]:
    """The distinct persons ``ids`` (person or contact record ids) name: as
    a set operation when they are all person ids already (the finder's pool of
    up to every person), else through :func:`_resolve`."""
    ids = list(ids)
    found = set(ids)
    return found if found <= index.persons.keys() else set(_resolve(index, ids))


def _resolve(index: ContactIndex, ids: Iterable[str]) -> list[str]:
    out, seen = [], set()
    for i in ids:
        pid = index.record_to_person.get(i, i)
        if pid in index.persons and pid not in seen:
            seen.add(pid)
            out.append(pid)
    return out


def _prune(index: ContactIndex, pool: list[str], include: list[str], size: int, quotas: list[Quota]) -> list[str]:
    """Keep, per quota signature (which quota groups a person counts for),
    only the ``size`` best-ranked persons plus the must-includes.

    Exact: swapping a chosen person for a better-ranked unchosen one with the
    same signature changes no quota count and improves the objective, so an
    optimal list never needs anyone ranked below ``size`` others of the same
    signature. Keeps the integer programme small on large graphs.
    """
    forced = set(include)
    taken: Counter = Counter()
    out = []
    for pid in pool:  # best first
        p = index.persons[pid]
        sig = tuple(q.value in groups_of(p, q.dimension) for q in quotas)
        if pid in forced or taken[sig] < size:
            out.append(pid)
            if pid not in forced:
                taken[sig] += 1
    return out


def _precheck(index, pool, include, size, quotas) -> list[QuotaProblem]:
    problems: list[QuotaProblem] = []
    if len(include) > size:
        problems.append(QuotaProblem("size", "size", "", size, len(include), "included"))
    if len(pool) < size:
        problems.append(QuotaProblem("size", "size", "", size, len(pool), "available"))
    for q in quotas:
        members = [p for p in pool if q.value in groups_of(index.persons[p], q.dimension)]
        if q.min is not None and len(members) < q.min:
            problems.append(QuotaProblem("min", q.dimension, q.value, q.min, len(members), "available"))
        forced = sum(1 for p in include if q.value in groups_of(index.persons[p], q.dimension))
        if q.max is not None and forced > q.max:
            problems.append(QuotaProblem("max", q.dimension, q.value, q.max, forced, "included"))
    for dim in DIMENSIONS:
        # exact only when nobody counts twice in this dimension (merged persons can)
        total = sum(q.min or 0 for q in quotas if q.dimension == dim)
        if total > size and all(len(groups_of(index.persons[p], dim)) <= 1 for p in pool):
            problems.append(QuotaProblem("min_sum", "dimension", dim, total, size, "size"))
    return problems


def _solve(index, pool, include, size, quotas, weights, *, elastic: bool):
    """Solve the programme; with ``elastic`` every constraint gets slack
    variables and the total slack is minimised (diagnosis)."""
    n = len(pool)
    pos = {p: k for k, p in enumerate(pool)}
    rows, lo, hi = [], [], []
    slack_of: list[tuple[str, Quota | None]] = []  # one entry per slack column
    for q in quotas:
        cols = [pos[p] for p in pool if q.value in groups_of(index.persons[p], q.dimension)]
        rows.append(cols)
        lo.append(q.min if q.min is not None else 0)
        hi.append(q.max if q.max is not None else np.inf)
    rows.append(list(range(n)))
    lo.append(size)
    hi.append(size)
    n_rows = len(rows)
    if elastic:
        # per row: +shortfall column (raises the count), -excess column (lowers it)
        slack_of = []
        for r in range(n_rows):
            tag = quotas[r] if r < len(quotas) else None
            slack_of += [("short", tag), ("over", tag)]
    n_cols = n + len(slack_of)
    data, ri, ci = [], [], []
    for r, cols in enumerate(rows):
        data += [1.0] * len(cols)
        ri += [r] * len(cols)
        ci += cols
        if elastic:
            data += [1.0, -1.0]
            ri += [r, r]
            ci += [n + 2 * r, n + 2 * r + 1]
    A = csr_matrix((data, (ri, ci)), shape=(n_rows, n_cols))
    lb = np.zeros(n_cols)
    ub = np.concatenate([np.ones(n), np.full(len(slack_of), np.inf)])
    for p in include:
        lb[pos[p]] = 1.0
    if elastic:
        c = np.concatenate([np.zeros(n), np.ones(len(slack_of))])
    else:
        c = -np.asarray(weights, dtype=float)
    integrality = np.concatenate([np.ones(n), np.ones(len(slack_of))])
    res = milp(c, constraints=LinearConstraint(A, np.array(lo, float), np.array(hi, float)),
               integrality=integrality, bounds=Bounds(lb, ub), options={"time_limit": 20})
    return res, slack_of


def build_guest_list(index: ContactIndex, candidates: Iterable[str] | CandidateRows, *, size: int,
                     quotas: Iterable[Quota] = (), include: Iterable[str] = (), exclude: Iterable[str] = (),
                     not_recent_months: int | None = 12, relevance: Mapping[str, int] | None = None,
                     today: _dt.date | None = None) -> GuestList:
    """Propose ``size`` guests from ``candidates`` (person or contact ids, or
    :class:`CandidateRows`).

    ``include`` persons are always on the list (they need not be candidates),
    ``exclude`` never; masked persons (no consent) are never proposed. Among
    the lists meeting every quota the one with the most preferred people is
    chosen (:func:`preference_order`). Raises :class:`GuestListInfeasible`.
    """
    quotas = list(quotas)
    include = _resolve(index, include)
    exclude = set(_resolve(index, exclude))
    if size < 0:
        raise PartnernetzError("the list size cannot be negative")
    problems = [QuotaProblem("include", "person", p, 1, 0, "consent") for p in include if index.persons[p].masked]
    problems += [QuotaProblem("include", "person", p, 1, 0, "excluded") for p in include if p in exclude]
    if problems:
        raise GuestListInfeasible(problems, index)
    order = index.by_name
    if isinstance(candidates, CandidateRows):
        rows = candidates.rows[~order.masked[candidates.rows]]
        if exclude:
            rows = rows[~np.isin(rows, order.rows(exclude))]
    else:
        rows = order.rows(_persons_among(index, candidates) - index.masked_ids - exclude)
    if include:
        rows = np.union1d(rows, order.rows(include))
    ranked = _ranked_rows(index, rows, not_recent_months=not_recent_months, relevance=relevance, today=today)
    if quotas:  # per-group rules become one quota per group present in the pool
        pool = [order.ids[r] for r in ranked.tolist()]
        quotas = expand_quotas(index, pool, quotas)
    if not quotas:
        problems = _precheck(index, ranked, include, size, [])  # sizes only: no person is looked at
        if problems:
            raise GuestListInfeasible(problems, index)
        # the best of the pool after the must-includes, in pool order (the pool may be every person)
        forced = set(include)
        ids = order.ids
        chosen = include + list(islice((p for p in map(ids.__getitem__, ranked.tolist()) if p not in forced),
                                       max(0, size - len(include))))
        return GuestList(members=tuple(chosen), counts=_counts(index, chosen, quotas))
    problems = _precheck(index, pool, include, size, quotas)
    if problems:
        raise GuestListInfeasible(problems, index)
    pool = _prune(index, pool, include, size, quotas)
    n = len(pool)
    weights = [n - k for k in range(n)]
    res, _ = _solve(index, pool, include, size, quotas, weights, elastic=False)
    if res.status == 2:  # infeasible: find which constraints must stretch, and by how much
        res, slack_of = _solve(index, pool, include, size, quotas, weights, elastic=True)
        if res.x is None:  # pragma: no cover - the elastic programme is always feasible
            raise PartnernetzError(f"guest-list solver failed: {res.message}")
        raise GuestListInfeasible(_slack_problems(index, pool, res.x, slack_of, size), index)
    if res.x is None:
        raise PartnernetzError(f"guest-list solver gave no list: {res.message}")
    chosen_set = {pool[k] for k in range(n) if res.x[k] > 0.5}
    ordered = tuple([p for p in include] + [p for p in pool if p in chosen_set and p not in include])
    return GuestList(members=ordered, counts=_counts(index, ordered, quotas))


def _slack_problems(index, pool, x, slack_of, size) -> list[QuotaProblem]:
    n = len(pool)
    problems = []
    chosen = [pool[k] for k in range(n) if x[k] > 0.5]
    for k, (direction, q) in enumerate(slack_of):
        amount = int(round(x[n + k]))
        if amount <= 0:
            continue
        if q is None:
            if direction == "short":
                problems.append(QuotaProblem("size", "size", "", size, size - amount, "reachable"))
            else:
                problems.append(QuotaProblem("size", "size", "", size, size + amount, "reachable_over"))
            continue
        count = sum(1 for p in chosen if q.value in groups_of(index.persons[p], q.dimension))
        if direction == "short":
            problems.append(QuotaProblem("min", q.dimension, q.value, q.min, count, "reachable"))
        else:
            problems.append(QuotaProblem("max", q.dimension, q.value, q.max, count, "reachable"))
    return problems


def _counts(index, members, quotas) -> dict[tuple[str, str], int]:
    counts: Counter = Counter()
    for p in members:
        for dim in DIMENSIONS:
            for v in groups_of(index.persons[p], dim):
                counts[(dim, v)] += 1
    return {(q.dimension, q.value): counts.get((q.dimension, q.value), 0) for q in quotas} | dict(counts)


def check_guest_list(index: ContactIndex, members: Iterable[str], *, size: int | None = None,
                     quotas: Iterable[Quota] = ()) -> list[QuotaProblem]:
    """Which constraints a (hand-edited) list breaks, e.g. after removing a
    person: ``[]`` when it meets them all."""
    members = _resolve(index, members)
    quotas = expand_quotas(index, members, quotas)
    problems = []
    if size is not None and len(members) != size:
        problems.append(QuotaProblem("size", "size", "", size, len(members), "listed"))
    for q in quotas:
        count = sum(1 for p in members if q.value in groups_of(index.persons[p], q.dimension))
        if q.min is not None and count < q.min:
            problems.append(QuotaProblem("min", q.dimension, q.value, q.min, count, "listed"))
        if q.max is not None and count > q.max:
            problems.append(QuotaProblem("max", q.dimension, q.value, q.max, count, "listed"))
    return problems
