"""The contact finder: which persons fit a theme, partner country, Land,
sector, institution, language, role, event attendance or free text — and why.

Everything a filter needs is precomputed once per graph generation in a
:class:`ContactIndex` (posting sets per theme, country, Land, sector,
institution, language and event; folded search text per person). A query
intersects sets and touches only the persons that remain, never the whole
graph. Duplicate records (:mod:`graph.people.dedupe`) are merged into one person
with a note.

Filter semantics: several values of one filter are alternatives (OR), different
filters must all hold (AND). Masked persons (no consent, :mod:`graph.people.privacy`)
are matched only on what they may show — institution, role and work themes;
filters on personal data (language, attendance, name or e-mail text) never
match them.

>>> from graph.core.model import PartnerGraph
>>> g = PartnerGraph()
>>> inst = g.add_node("institution", "uni", label="Uni A", sector="science", land="DE-HE", illustrative=True)
>>> g.add_edge(inst, "land:DE-HE", "located_in", illustrative=True)
>>> water = g.add_node("theme", "water", label="Wasser", illustrative=True)
>>> c = g.add_node("contact", "c1", label="Erika Muster", role="Professorin", languages=["de", "sw"],
...                consent=True, illustrative=True)
>>> g.add_edge(c, inst, "works_at", illustrative=True)
>>> g.add_edge(c, water, "works_on", illustrative=True)
>>> idx = build_contact_index(g)
>>> [m.person.name for m in find_contacts(idx, themes=["theme:water"], languages=["sw"])]
['Erika Muster']
>>> describe_reasons(find_contacts(idx, themes=["theme:water"])[0], idx)
['Thema: Wasser']
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, NamedTuple, Sequence

import numpy as np

from graph.people.dedupe import find_duplicates
from graph.core.kinds import EdgeKind, NodeKind
from graph.core.labels import ATTENDANCE_ROLE, SECTOR, label
from graph.core.model import PartnerGraph
from graph.people.privacy import MASKED_LABEL, has_consent
from graph.core.text import Substrings, fold

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def fast_fold(text: str) -> str:
    """:func:`graph.core.text.fold` with a fast path for ASCII text (same result).

    >>> fast_fold("Ole  BRINKHUS") == fold("Ole  BRINKHUS"), fast_fold("Jörg") == fold("Jörg")
    (True, True)
    """
    if text.isascii():
        return _NON_ALNUM.sub(" ", text.lower()).strip()
    return fold(text)

__all__ = [
    "Person",
    "Reason",
    "Match",
    "EventInfo",
    "ContactIndex",
    "build_contact_index",
    "find_contacts",
    "explain_matches",
    "describe_reasons",
    "merge_note",
    "month_number",
    "fast_fold",
]

def month_number(iso: str | None, *, latest: bool = True) -> int | None:
    """``year*12 + month - 1`` of an ISO date of any precision.

    A year alone counts as its last month (``latest=True``, so that "not in
    the last N months" never wrongly clears a person) or its first.

    >>> month_number("2020-02-18") - month_number("2019-11")
    3
    >>> month_number("2019") == month_number("2019-12")
    True
    """
    if not iso:
        return None
    parts = str(iso).split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 and parts[1] else (12 if latest else 1)
    except ValueError:
        return None
    return year * 12 + month - 1


@dataclass(frozen=True)
class EventInfo:
    id: str
    label: str
    date: str | None
    month: int | None
    kind: str | None


@dataclass(frozen=True)
class Person:
    """One person (possibly merged from several contact records)."""

    id: str
    record_ids: tuple[str, ...]
    name: str
    masked: bool
    role: str
    email: str | None
    languages: tuple[str, ...]
    institutions: tuple[str, ...]
    institution_labels: tuple[str, ...]
    sectors: tuple[str, ...]
    laender: tuple[str, ...]
    themes: tuple[str, ...]
    themes_from_institution: bool
    attendance: tuple[tuple[str, str], ...]  # (event id, attendance role), oldest first
    last_month: int | None  # month number of the latest attended event
    last_date: str | None
    merged_from: tuple[str, ...] = ()  # 'key „name“' of each merged record (for the note)
    merge_reasons: tuple[tuple[str, str], ...] = ()

    @property
    def institution(self) -> str:
        return self.institutions[0] if self.institutions else ""

    @property
    def merged(self) -> bool:
        return len(self.record_ids) > 1


@dataclass(frozen=True)
class Reason:
    """Why a person matches: ``field`` names the filter, ``value`` the node id
    or text that matched, ``via`` the node(s) it was reached through."""

    field: str
    value: str
    via: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    person: Person
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class NameOrder:
    """Persons sorted by (folded name, id): ``ids[k]``, ``position[id] = k``
    and ``last_month[k]`` (-1: never attended)."""

    ids: list[str]
    position: dict[str, int]
    last_month: Any
    masked: Any = None  # masked[k]: the person has no consent (never proposed)

    def rows(self, person_ids: Iterable[str]) -> np.ndarray:
        """The distinct positions of ``person_ids`` (person ids of the index), ascending.

        >>> NameOrder(["a", "b", "c"], {"a": 0, "b": 1, "c": 2}, None).rows(["c", "a", "c"]).tolist()
        [0, 2]
        """
        found = np.fromiter(map(self.position.__getitem__, person_ids), dtype=np.int64)
        return np.unique(found)


@dataclass
class ContactIndex:
    """Everything the finder and the guest-list builder need, built once."""

    generation: int
    persons: dict[str, Person]
    record_to_person: dict[str, str]
    labels: dict[str, tuple[str, str]]  # node id -> (German, English) label
    events: dict[str, EventInfo]
    by_theme: dict[str, set[str]] = field(default_factory=dict)
    by_country: dict[str, set[str]] = field(default_factory=dict)
    by_land: dict[str, set[str]] = field(default_factory=dict)
    by_sector: dict[str, set[str]] = field(default_factory=dict)
    by_institution: dict[str, set[str]] = field(default_factory=dict)
    by_language: dict[str, set[str]] = field(default_factory=dict)
    by_event: dict[str, set[str]] = field(default_factory=dict)
    country_via: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)  # (institution, country) -> projects
    inst_countries: dict[str, tuple[str, ...]] = field(default_factory=dict)  # institution -> partner countries
    event_attendees: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # event -> [(person, role)]
    rank: dict[str, int] = field(default_factory=dict)  # result order: unmasked by name, then masked
    role_fold: dict[str, str] = field(default_factory=dict)  # person -> folded role
    public_text: dict[str, str] = field(default_factory=dict)  # role + institutions, folded
    personal_text: dict[str, str] = field(default_factory=dict)  # name + e-mail, folded

    @functools.cached_property
    def masked_ids(self) -> frozenset[str]:
        """Persons without consent (never proposed, never offered by name)."""
        return frozenset(pid for pid, p in self.persons.items() if p.masked)

    @functools.cached_property
    def person_texts(self) -> Substrings:
        """The persons who may be offered by name (not masked), each with its
        folded personal and public text (apart: a query never spans both),
        for a person picker's substring search."""
        pids = [pid for pid, p in self.persons.items() if not p.masked]
        return Substrings(pids, [f"{self.personal_text.get(pid, '')}{Substrings.SEPARATOR}"
                                 f"{self.public_text.get(pid, '')}" for pid in pids])

    def institution_texts(self, lang: str) -> Substrings:
        """The institutions with their folded labels in ``lang``, for a picker's substring search."""
        found = self._institution_texts.get(lang)
        if found is None:
            insts = list(self.by_institution)
            found = self._institution_texts[lang] = Substrings(insts, [fold(self.label(i, lang)) for i in insts])
        return found

    @functools.cached_property
    def _institution_texts(self) -> dict[str, Substrings]:
        return {}

    @functools.cached_property
    def by_name(self) -> "NameOrder":
        """Persons in (folded name, id) order with their last attendance month,
        as arrays (the guest list's preference order sorts thousands at once)."""
        ids = sorted(self.persons, key=lambda pid: (self.persons[pid].name.casefold(), pid))
        last = np.array([-1 if self.persons[p].last_month is None else self.persons[p].last_month for p in ids],
                        dtype=np.int64)
        masked = np.fromiter((self.persons[p].masked for p in ids), dtype=bool, count=len(ids))
        return NameOrder(ids, {p: k for k, p in enumerate(ids)}, last, masked)

    def label(self, nid: str, lang: str = "de") -> str:
        de, en = self.labels.get(nid, (nid, nid))
        return en if lang == "en" and en else de

    def partner_countries(self, person: Person) -> list[str]:
        """Partner countries (``country:XXX``) a person's institutions have
        worked in (through their projects) or sit in, without repeats."""
        return list(dict.fromkeys(c for inst in person.institutions for c in self.inst_countries.get(inst, ())))

    def person_of(self, record_id: str) -> Person:
        """The (merged) person a contact record belongs to."""
        return self.persons[self.record_to_person[record_id]]

    def options(self, facet: str) -> list[str]:
        """Values present for ``facet`` (theme, country, land, sector,
        institution, language, event) — for filter drop-downs; sorted once
        per index (every Kontakte page asks for each of them)."""
        found = self._options.get(facet)
        if found is None:
            table = {"theme": self.by_theme, "country": self.by_country, "land": self.by_land,
                     "sector": self.by_sector, "institution": self.by_institution, "language": self.by_language,
                     "event": self.by_event}[facet]
            found = self._options[facet] = tuple(sorted(table))
        return list(found)

    @functools.cached_property
    def _options(self) -> dict[str, tuple[str, ...]]:
        return {}

    @functools.cached_property
    def events_newest_first(self) -> tuple[EventInfo, ...]:
        """Every event, newest first (by date, then id): sorted once per index."""
        return tuple(sorted(self.events.values(), key=lambda e: (e.date or "", e.id), reverse=True))


def _label_pair(graph: PartnerGraph, nid: str) -> tuple[str, str]:
    attrs = graph.nx.nodes[nid]
    de = attrs.get("label", nid)
    return de, attrs.get("label_en") or de


_WORKS_AT, _WORKS_ON, _ATTENDED = EdgeKind.WORKS_AT.value, EdgeKind.WORKS_ON.value, EdgeKind.ATTENDED.value
_PARTICIPATES, _IMPLEMENTED = EdgeKind.PARTICIPATES_IN.value, EdgeKind.IMPLEMENTED_IN.value


def build_contact_index(graph: PartnerGraph) -> ContactIndex:
    """Precompute the contact finder's index for ``graph`` (one pass over
    contacts, their institutions' projects and their events).

    Runs in time linear in the contacts, institutions, projects and
    attendances; cache the result per ``graph.generation``.
    """
    G = graph.nx
    succ = G._succ  # noqa: SLF001 - plain adjacency dicts: u -> v -> key -> attrs (fast path)
    labels: dict[str, tuple[str, str]] = {}
    events: dict[str, EventInfo] = {}
    for eid in graph.nodes(NodeKind.EVENT):
        a = G.nodes[eid]
        labels[eid] = _label_pair(graph, eid)
        events[eid] = EventInfo(eid, a.get("label", eid), a.get("date"), month_number(a.get("date")), a.get("event_kind"))

    # institution -> partner countries (through its projects, or its own seat abroad)
    inst_countries: dict[str, dict[str, tuple[str, ...]]] = {}
    inst_themes: dict[str, tuple[str, ...]] = {}

    def countries_of(inst: str) -> dict[str, tuple[str, ...]]:
        if inst not in inst_countries:
            found: dict[str, list[str]] = defaultdict(list)
            for proj, keyed in succ[inst].items():
                if not any(d["kind"] == _PARTICIPATES for d in keyed.values()):
                    continue
                for ctry, keyed2 in succ[proj].items():
                    if any(d2["kind"] == _IMPLEMENTED for d2 in keyed2.values()) and proj not in found[ctry]:
                        found[ctry].append(proj)
            country = G.nodes[inst].get("country")
            if country and country != "DEU":
                found.setdefault(f"country:{country}", [])
            inst_countries[inst] = {c: tuple(sorted(p)) for c, p in found.items()}
            for c in found:
                if c in G and c not in labels:
                    labels[c] = _label_pair(graph, c)
        return inst_countries[inst]

    def themes_of_institution(inst: str) -> tuple[str, ...]:
        if inst not in inst_themes:
            inst_themes[inst] = tuple(sorted(v for v, keyed in succ[inst].items()
                                             if any(d["kind"] == _WORKS_ON for d in keyed.values())))
        return inst_themes[inst]

    # group duplicate records into persons
    groups = {g.primary: g for g in find_duplicates(graph)}
    record_to_person: dict[str, str] = {}
    for g in groups.values():
        for m in g.members:
            record_to_person[m] = g.primary
    for cid in graph.nodes(NodeKind.CONTACT):
        record_to_person.setdefault(cid, cid)
    members_of: dict[str, list[str]] = defaultdict(list)
    for rec, pid in record_to_person.items():
        members_of[pid].append(rec)

    idx = ContactIndex(generation=graph.generation, persons={}, record_to_person=record_to_person,
                       labels=labels, events=events)
    memo: dict[str, str] = {}  # folded roles and institution names repeat a lot
    # one object per distinct (event, role) pair and role: half a million attendances share a few
    # thousand pairs (at 100k nodes ~110 MB less, and a kept index reads in half the time)
    pairs: dict[tuple[str, str], tuple[str, str]] = {}
    roles: dict[str, str] = {}
    for pid, records in members_of.items():
        records.sort()
        attrs = [G.nodes[r] for r in records]
        first = G.nodes[pid]
        masked = not all(has_consent(a) for a in attrs)
        institutions: list[str] = []
        themes: list[str] = []
        attendance: dict[str, str] = {}
        languages: list[str] = []
        for r, a in zip(records, attrs):
            for v, keyed in succ[r].items():
                for d in keyed.values():
                    kind = d["kind"]
                    if kind == _WORKS_AT and v not in institutions:
                        institutions.append(v)
                    elif kind == _WORKS_ON and v not in themes:
                        themes.append(v)
                    elif kind == _ATTENDED:
                        if v not in attendance:
                            role = d.get("role", "")
                            attendance[v] = roles.setdefault(role, role)
            for lang in a.get("languages") or ():
                code = str(lang).strip().lower()
                if code and code not in languages:
                    languages.append(code)
        from_inst = False
        if not themes:
            themes = sorted({t for i in institutions for t in themes_of_institution(i)})
            from_inst = bool(themes)
        if len(institutions) == 1:
            ia = G.nodes[institutions[0]]
            sectors = [ia.get("sector") or "unknown"]
            laender = [ia["land"]] if ia.get("land") else []
        else:
            sectors = sorted({G.nodes[i].get("sector") or "unknown" for i in institutions}) or ["unknown"]
            laender = sorted({G.nodes[i]["land"] for i in institutions if G.nodes[i].get("land")})
        for nid in institutions:
            if nid not in labels:
                labels[nid] = _label_pair(graph, nid)
        for nid in themes:
            if nid not in labels:
                labels[nid] = _label_pair(graph, nid)
        for code in laender:
            land_id = "land:" + code
            if land_id not in labels and land_id in G:
                labels[land_id] = _label_pair(graph, land_id)
        last_month = last_date = None
        if attendance:
            att = sorted(attendance.items(), key=lambda item: (events[item[0]].date or "", item[0]) if item[0] in events else ("", item[0]))
            att = [pairs.setdefault(pair, pair) for pair in att]
            months = [events[e].month for e, _ in att if e in events and events[e].month is not None]
            last_month = max(months) if months else None
            last_date = max((events[e].date for e, _ in att if e in events and events[e].date), default=None)
        else:
            att = []
        group = groups.get(pid)
        merged_from = tuple(f"{r.partition(':')[2]} „{G.nodes[r].get('label', r)}“" for r in records) if group else ()
        person = Person(
            id=pid, record_ids=tuple(records), name=MASKED_LABEL if masked else first.get("label", pid), masked=masked,
            role=first.get("role", "") or "", email=None if masked else first.get("email"),
            languages=() if masked else tuple(languages), institutions=tuple(institutions),
            institution_labels=tuple(labels[i][0] for i in institutions), sectors=tuple(sectors),
            laender=tuple(laender), themes=tuple(themes), themes_from_institution=from_inst,
            attendance=tuple(att), last_month=last_month, last_date=last_date,
            merged_from=() if masked else merged_from, merge_reasons=group.reasons if group and not masked else (),
        )
        idx.persons[pid] = person
        for t in themes:
            idx.by_theme.setdefault(t, set()).add(pid)
        for inst in institutions:
            idx.by_institution.setdefault(inst, set()).add(pid)
            for ctry, projects in countries_of(inst).items():
                idx.by_country.setdefault(ctry, set()).add(pid)
                idx.country_via[(inst, ctry)] = projects
            idx.inst_countries[inst] = tuple(sorted(countries_of(inst)))
        for e, r in att:
            idx.event_attendees.setdefault(e, []).append((pid, r))
        for s in sectors:
            idx.by_sector.setdefault(s, set()).add(pid)
        for code in laender:
            idx.by_land.setdefault(f"land:{code}", set()).add(pid)
        if not masked:
            for code in languages:
                idx.by_language.setdefault(code, set()).add(pid)
            for e, _ in att:
                idx.by_event.setdefault(e, set()).add(pid)
            idx.personal_text[pid] = " ".join(fast_fold(G.nodes[r].get("label", "")) for r in records) + " " + \
                " ".join(fast_fold(G.nodes[r].get("email", "") or "") for r in records)
        role_key = memo.get(person.role)
        if role_key is None:
            role_key = memo[person.role] = fast_fold(person.role)
        idx.role_fold[pid] = role_key
        inst_keys = []
        for name in person.institution_labels:
            if name not in memo:
                memo[name] = fast_fold(name)
            inst_keys.append(memo[name])
        idx.public_text[pid] = " ".join([role_key, *inst_keys])
    order = sorted(idx.persons.values(), key=lambda p: (p.masked, fast_fold(p.name) if not p.masked else "", p.id))
    idx.rank = {p.id: k for k, p in enumerate(order)}
    return idx


def _today_month(today: _dt.date | None) -> int:
    today = today or _dt.date.today()
    return today.year * 12 + today.month - 1


class _Query(NamedTuple):
    """The filters of one :func:`find_contacts` call, normalised once."""

    themes: list[str]
    countries: list[str]
    laender: list[str]
    sectors: list[str]
    institutions: list[str]
    languages: list[str]
    attended: list[str]
    role: str | None
    role_key: str
    text: str | None
    text_key: str
    never_attended: bool
    not_attended_months: int | None
    now: int

    @property
    def per_person(self) -> bool:
        """Whether a filter beyond the posting lists decides who matches
        (role, text, attendance): then every candidate is looked at."""
        return bool(self.role_key or self.text_key or self.never_attended or self.not_attended_months is not None)


def _query(themes=(), countries=(), laender=(), sectors=(), institutions=(), languages=(), role=None, attended=(),
           never_attended=False, not_attended_months=None, text=None, today=None) -> _Query:
    return _Query(list(themes), list(countries), list(laender), list(sectors), list(institutions),
                  [c.lower() for c in languages], list(attended), role, fast_fold(role) if role else "",
                  text, fast_fold(text) if text else "", bool(never_attended), not_attended_months,
                  _today_month(today))


def _reasons(index: ContactIndex, p: Person, q: _Query) -> tuple[Reason, ...] | None:
    """Why ``p`` matches ``q`` (a candidate from the posting lists), or None
    when a per-person filter (role, text, attendance) rules it out."""
    pid = p.id
    reasons: list[Reason] = []
    if q.institutions:
        reasons += [Reason("institution", i) for i in p.institutions if i in q.institutions]
    if q.themes:
        reasons += [Reason("theme_institution" if p.themes_from_institution else "theme", t)
                    for t in p.themes if t in q.themes]
    if q.countries:
        for c in q.countries:
            for inst in p.institutions:
                if (inst, c) in index.country_via:
                    reasons.append(Reason("country", c, index.country_via[(inst, c)]))
                    break
    if q.laender:
        reasons += [Reason("land", f"land:{code}") for code in p.laender if f"land:{code}" in q.laender]
    if q.sectors:
        reasons += [Reason("sector", s) for s in p.sectors if s in q.sectors]
    if q.languages:
        reasons += [Reason("language", c) for c in p.languages if c in q.languages]
    if q.attended:
        reasons += [Reason("attended", e, (r,)) for e, r in p.attendance if e in q.attended]
    if q.role_key:
        if q.role_key not in index.role_fold.get(pid, ""):
            return None
        reasons.append(Reason("role", p.role))
    if q.never_attended:
        if p.attendance:
            return None
        reasons.append(Reason("never_attended", ""))
    if q.not_attended_months is not None:
        if p.last_month is not None and q.now - p.last_month < q.not_attended_months:
            return None
        reasons.append(Reason("not_recent", p.last_date or "", (str(q.not_attended_months),)))
    if q.text_key:
        if q.text_key in index.public_text.get(pid, ""):
            reasons.append(Reason("text", q.text or ""))
        elif not p.masked and q.text_key in index.personal_text.get(pid, ""):
            reasons.append(Reason("text", q.text or ""))
        else:
            return None
    return tuple(reasons)


def find_contacts(
    index: ContactIndex,
    *,
    themes: Iterable[str] = (),
    countries: Iterable[str] = (),
    laender: Iterable[str] = (),
    sectors: Iterable[str] = (),
    institutions: Iterable[str] = (),
    languages: Iterable[str] = (),
    role: str | None = None,
    attended: Iterable[str] = (),
    never_attended: bool = False,
    not_attended_months: int | None = None,
    text: str | None = None,
    include_masked: bool = True,
    today: _dt.date | None = None,
    explain: bool = True,
) -> list[Match]:
    """Return the persons matching every given filter, each with the reasons.

    ``themes``, ``countries``, ``laender`` (``land:DE-HE``), ``institutions``
    and ``attended`` (events) take node ids; ``sectors`` sector values;
    ``languages`` codes (``de``, ``sw``); ``role`` and ``text`` are matched
    case-, umlaut- and accent-insensitively as substrings (``text`` in name,
    e-mail, role and institution). ``never_attended`` keeps persons with no
    attendance at all; ``not_attended_months=N`` those without attendance in
    the N months before ``today``. Results are sorted by name, masked last.

    ``explain=False`` leaves the reasons out (``Match.reasons == ()``) where
    they do not decide who matches: a page that shows 15 of 2,000 matches
    asks :func:`explain_matches` for those 15 only.

    >>> find_contacts(ContactIndex(0, {}, {}, {}, {}), text="x")
    []
    """
    q = _query(themes, countries, laender, sectors, institutions, languages, role, attended, never_attended,
               not_attended_months, text, today)
    personal_filter = bool(q.languages or q.attended or q.never_attended or q.not_attended_months is not None)

    candidates: set[str] | None = None

    def narrow(table: dict[str, set[str]], values: Sequence[str]) -> None:
        nonlocal candidates
        hit: set[str] = set()
        for v in values:
            hit |= table.get(v, set())
        candidates = hit if candidates is None else candidates & hit

    # most selective posting lists first keeps the intersections small
    for table, values in ((index.by_institution, q.institutions), (index.by_event, q.attended),
                          (index.by_theme, q.themes), (index.by_country, q.countries),
                          (index.by_language, q.languages), (index.by_land, q.laender), (index.by_sector, q.sectors)):
        if values:
            narrow(table, values)
    pool = index.persons.keys() if candidates is None else candidates
    persons = index.persons
    skip_masked = personal_filter or not include_masked
    ranked = map(persons.__getitem__, sorted(pool, key=index.rank.__getitem__))  # every person has a rank
    if not explain and not q.per_person:  # the posting lists decided: no reasons needed
        return [Match(p, ()) for p in ranked if not (skip_masked and p.masked)]
    out: list[Match] = []
    for p in ranked:
        if p.masked and skip_masked:
            continue
        reasons = _reasons(index, p, q)
        if reasons is not None:
            out.append(Match(p, reasons if explain else ()))
    return out


def explain_matches(index: ContactIndex, matches: Iterable[Match], **filters: Any) -> list[Match]:
    """``matches`` (found by :func:`find_contacts` with the same ``filters``,
    e.g. without reasons) with their reasons.

    >>> explain_matches(ContactIndex(0, {}, {}, {}, {}), [], themes=["theme:water"])
    []
    """
    filters.pop("explain", None)
    filters.pop("include_masked", None)
    q = _query(**filters)
    return [Match(m.person, _reasons(index, m.person, q) or ()) for m in matches]


_REASON_TEXT = {
    "institution": ("Institution: {v}", "Institution: {v}"),
    "theme": ("Thema: {v}", "Theme: {v}"),
    "theme_institution": ("Thema (der Institution): {v}", "Theme (of the institution): {v}"),
    "country": ("Partnerland: {v}", "Partner country: {v}"),
    "country_via": ("Partnerland: {v} (Projekt {via})", "Partner country: {v} (project {via})"),
    "country_seat": ("Partnerland: {v} (Sitz der Institution)", "Partner country: {v} (seat of the institution)"),
    "land": ("Land: {v}", "Land: {v}"),
    "sector": ("Sektor: {v}", "Sector: {v}"),
    "language": ("Sprache: {v}", "Language: {v}"),
    "attended": ("Teilnahme: {v} ({via})", "Attended: {v} ({via})"),
    "role": ("Funktion: {v}", "Role: {v}"),
    "never_attended": ("noch nie teilgenommen", "never attended"),
    "not_recent": ("letzte Teilnahme {v} (mindestens {via} Monate her)", "last attended {v} (at least {via} months ago)"),
    "not_recent_never": ("keine Teilnahme in den letzten {via} Monaten", "no attendance in the last {via} months"),
    "text": ("Suchtext „{v}“", "search text “{v}”"),
}

def describe_reasons(match: Match, index: ContactIndex, lang: str = "de") -> list[str]:
    """The reasons of a match as short sentences in ``lang``."""
    i = 1 if lang == "en" else 0
    out = []
    for r in match.reasons:
        key, v, via = r.field, r.value, ", ".join(r.via)
        if r.field in ("institution", "theme", "theme_institution", "land", "attended"):
            v = index.label(r.value, lang)
        if r.field == "country":
            v = index.label(r.value, lang)
            key = "country_via" if r.via else "country_seat"
            via = ", ".join(p.partition(":")[2] for p in r.via[:3]) + (" …" if len(r.via) > 3 else "")
        elif r.field == "sector":
            v = label(SECTOR, r.value, lang)
        elif r.field == "attended":
            via = label(ATTENDANCE_ROLE, r.via[0] if r.via else "", lang)
        elif r.field == "not_recent" and not r.value:
            key = "not_recent_never"
        out.append(_REASON_TEXT[key][i].format(v=v, via=via))
    return out


def merge_note(person: Person, index: ContactIndex, lang: str = "de") -> str:
    """The visible note on a merged person ("" when not merged).

    Names the merged records and why they were merged (same e-mail, or a
    name variant at the same institution).
    """
    if not person.merged_from:
        return ""
    why = []
    for kind, value in person.merge_reasons:
        if kind == "email":
            why.append(("gleiche E-Mail", "same e-mail")[lang == "en"])
        else:
            why.append((f"Namensvariante bei {index.label(value, lang)}",
                        f"name variant at {index.label(value, lang)}")[lang == "en"])
    head = ("Zusammengeführt aus {n} Einträgen", "Merged from {n} records")[lang == "en"].format(n=len(person.merged_from))
    return f"{head}: {', '.join(person.merged_from)} – {'; '.join(sorted(set(why)))}"
