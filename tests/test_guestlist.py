"""Guest-list quotas: feasible proposals and infeasible ones with the exact message."""

from __future__ import annotations

import pytest

from graph.people.contacts import build_contact_index
from graph.core.errors import PartnernetzError
from graph.people.guestlist import GuestListInfeasible, Quota, build_guest_list, check_guest_list
from graph.core.model import PartnerGraph
from tests.contact_graphs import TODAY, contact_graph


def sector_graph(counts: dict[str, int], land: str = "DE-HE") -> PartnerGraph:
    """``counts[sector]`` persons per sector, one institution per sector."""
    g = PartnerGraph()
    for sector, n in counts.items():
        inst = g.add_node("institution", sector, label=sector.title(), sector=sector, land=land, illustrative=True)
        for k in range(n):
            c = g.add_node("contact", f"{sector}{k}", label=f"{sector.title()} {k}", consent=True, illustrative=True)
            g.add_edge(c, inst, "works_at", illustrative=True)
    return g


def messages(exc_info, idx, lang="de"):
    return exc_info.value.messages(idx, lang)


def test_sector_minimum_is_met():
    idx = build_contact_index(sector_graph({"science": 6, "business": 3}))
    gl = build_guest_list(idx, idx.persons, size=4, quotas=[Quota("sector", "business", min=3)])
    assert len(gl.members) == 4
    assert gl.counts[("sector", "business")] == 3 and gl.counts[("sector", "science")] == 1


def test_sector_minimum_not_available_says_exactly_how_many_are_missing():
    idx = build_contact_index(sector_graph({"science": 6, "business": 1}))
    with pytest.raises(GuestListInfeasible) as exc:
        build_guest_list(idx, idx.persons, size=5, quotas=[Quota("sector", "business", min=3)])
    assert messages(exc, idx) == ["Wirtschaft: mindestens 3 verlangt, nur 1 verfügbar (es fehlen 2)"]
    assert messages(exc, idx, "en") == ["Business: at least 3 required, only 1 available (2 missing)"]
    assert exc.value.problems[0].gap == 2


def test_maximum_caps_a_group():
    idx = build_contact_index(sector_graph({"science": 6, "business": 4}))
    gl = build_guest_list(idx, idx.persons, size=5, quotas=[Quota("sector", "science", max=1)])
    assert gl.counts[("sector", "science")] == 1 and gl.counts[("sector", "business")] == 4


def test_quotas_that_conflict_only_together_are_named_with_the_gap():
    # 4 places; business wants 3, but the business institution may send at most 1
    idx = build_contact_index(sector_graph({"science": 6, "business": 3}))
    with pytest.raises(GuestListInfeasible) as exc:
        build_guest_list(idx, idx.persons, size=4, quotas=[
            Quota("sector", "business", min=3), Quota("institution", "institution:business", max=1)])
    msgs = messages(exc, idx)
    assert len(msgs) == 1
    assert msgs[0] in (
        "Wirtschaft: mindestens 3 verlangt, mit den übrigen Vorgaben nur 1 erreichbar (es fehlen 2)",
        "Business: höchstens 1 erlaubt, mit den übrigen Vorgaben 3 nötig (2 zu viel)",
    )


def test_minimum_quotas_adding_up_beyond_the_list_size():
    idx = build_contact_index(sector_graph({"science": 6, "business": 6}))
    with pytest.raises(GuestListInfeasible) as exc:
        build_guest_list(idx, idx.persons, size=6, quotas=[
            Quota("sector", "science", min=5), Quota("sector", "business", min=3)])
    assert messages(exc, idx) == ["Mindestquoten Sektoren: zusammen 8 verlangt, Listengröße nur 6 (2 zu viel)"]


def test_too_few_candidates_for_the_size():
    idx = build_contact_index(sector_graph({"science": 2}))
    with pytest.raises(GuestListInfeasible) as exc:
        build_guest_list(idx, idx.persons, size=5)
    assert messages(exc, idx) == ["Listengröße: 5 verlangt, nur 2 verfügbar (es fehlen 3)"]


def test_land_quota_across_several_laender():
    g = sector_graph({"science": 3}, land="DE-HE")
    g2 = sector_graph({"business": 3}, land="DE-BY")
    g.add_nodes_from(g2)
    idx = build_contact_index(g)
    gl = build_guest_list(idx, idx.persons, size=4, quotas=[Quota("land", "land:DE-BY", min=1, max=1)])
    assert gl.counts[("land", "land:DE-BY")] == 1 and gl.counts[("land", "land:DE-HE")] == 3


def test_include_exclude_and_masked_people():
    idx = build_contact_index(contact_graph())
    gl = build_guest_list(idx, ["contact:anna", "contact:bernd", "contact:carla"], size=2,
                          include=["contact:ewa"], exclude=["contact:carla"], today=TODAY)
    assert gl.members[0] == "contact:ewa" and "contact:carla" not in gl.members
    # Dirk has no consent: never proposed, and asking for him explains why
    assert "contact:dirk" not in build_guest_list(idx, idx.persons, size=6, today=TODAY).members
    with pytest.raises(GuestListInfeasible) as exc:
        build_guest_list(idx, idx.persons, size=3, include=["contact:dirk"])
    assert messages(exc, idx) == ["dirk: ohne Einwilligung – kann nicht eingeladen werden"]
    with pytest.raises(GuestListInfeasible) as exc:
        build_guest_list(idx, idx.persons, size=3, include=["contact:anna"], exclude=["contact:anna"])
    assert messages(exc, idx) == ["Anna Adler: steht auf der Muss- und auf der Ausschlussliste"]


def test_maximum_broken_by_the_must_include_list():
    idx = build_contact_index(sector_graph({"science": 3, "business": 3}))
    with pytest.raises(GuestListInfeasible) as exc:
        build_guest_list(idx, idx.persons, size=3, include=["contact:business0", "contact:business1"],
                         quotas=[Quota("sector", "business", max=1)])
    assert messages(exc, idx) == ["Wirtschaft: höchstens 1 erlaubt, aber 2 auf der Muss-Liste (1 zu viel)"]


def test_people_who_attended_recently_come_last():
    idx = build_contact_index(contact_graph())
    # Bernd attended in 2026-10; with 4 of 6 consented persons he is left out
    gl = build_guest_list(idx, idx.persons, size=5, not_recent_months=12, today=TODAY)
    assert "contact:bernd" not in gl.members
    # never attended first, then longest ago
    assert gl.members[:3] == ("contact:carla", "contact:ewa", "contact:mail1")


def test_merged_duplicates_count_once():
    idx = build_contact_index(contact_graph())
    gl = build_guest_list(idx, ["contact:juerg1", "contact:juerg2", "contact:anna"], size=2, today=TODAY)
    assert sorted(gl.members) == ["contact:anna", "contact:juerg1"]


def test_check_after_manual_removal_names_the_broken_quota():
    idx = build_contact_index(sector_graph({"science": 6, "business": 3}))
    quotas = [Quota("sector", "business", min=3)]
    gl = build_guest_list(idx, idx.persons, size=4, quotas=quotas)
    assert check_guest_list(idx, gl.members, size=4, quotas=quotas) == []
    business = [m for m in gl.members if m.startswith("contact:business")]
    edited = [m for m in gl.members if m != business[0]]
    msgs = [p.message(idx) for p in check_guest_list(idx, edited, size=4, quotas=quotas)]
    assert msgs == ["Listengröße: 4 verlangt, 3 auf der Liste",
                    "Wirtschaft: mindestens 3 verlangt, 2 auf der Liste (es fehlen 1)"]


def test_invalid_quota_is_an_error():
    with pytest.raises(PartnernetzError):
        Quota("sector", "business", min=3, max=1)
    with pytest.raises(PartnernetzError):
        Quota("colour", "blue", min=1)


def test_sample_water_list_science_and_business():
    """The issue's example on the sample: water people, science and business
    both represented. Both water companies' contacts gave no consent, so
    business cannot be met — and the message says so."""
    from graph.people.contacts import find_contacts
    from loaders import SAMPLE_PATH, load

    idx = build_contact_index(load(SAMPLE_PATH).graph)
    pool = [m.person.id for m in find_contacts(idx, themes=["theme:water"])]
    with pytest.raises(GuestListInfeasible) as exc:
        build_guest_list(idx, pool, size=6, quotas=[Quota("sector", "science", min=1), Quota("sector", "business", min=1)])
    assert messages(exc, idx) == ["Wirtschaft: mindestens 1 verlangt, nur 0 verfügbar (es fehlen 1)"]
    gl = build_guest_list(idx, pool, size=6, today=TODAY, quotas=[
        Quota("sector", "science", min=2), Quota("land", "land:DE-HH", max=1)])
    assert len(gl.members) == 6 and gl.counts[("sector", "science")] >= 2 and gl.counts[("land", "land:DE-HH")] <= 1
    assert all(not idx.persons[m].masked for m in gl.members)


# ----------------------------------------------------------------- issue 20: per-group rules in one step
def _three_laender() -> PartnerGraph:
    g = sector_graph({"science": 6}, land="DE-HE")
    g.add_nodes_from(sector_graph({"business": 6}, land="DE-BY"))
    g.add_nodes_from(sector_graph({"civil_society": 2}, land="DE-NI"))
    return g


def test_at_most_n_per_land_in_one_rule():
    from graph.people.guestlist import EACH
    idx = build_contact_index(_three_laender())
    gl = build_guest_list(idx, idx.persons, size=10, quotas=[Quota("land", EACH, max=4)])
    assert len(gl.members) == 10
    assert [gl.counts[("land", f"land:{c}")] for c in ("DE-HE", "DE-BY", "DE-NI")] == [4, 4, 2]
    with pytest.raises(GuestListInfeasible) as exc:
        build_guest_list(idx, idx.persons, size=11, quotas=[Quota("land", EACH, max=4)])
    assert "Listengröße: 11 verlangt, mit den Quoten nur 10 erreichbar (es fehlen 1)" in messages(exc, idx)


def test_at_least_n_per_sector_names_the_short_group_and_a_named_quota_wins():
    from graph.people.guestlist import EACH, value_label
    idx = build_contact_index(_three_laender())
    with pytest.raises(GuestListInfeasible) as exc:
        build_guest_list(idx, idx.persons, size=9, quotas=[Quota("sector", EACH, min=3)])
    assert messages(exc, idx) == ["Zivilgesellschaft: mindestens 3 verlangt, nur 2 verfügbar (es fehlen 1)"]
    gl = build_guest_list(idx, idx.persons, size=9, quotas=[Quota("sector", EACH, min=3),
                                                          Quota("sector", "civil_society", min=2)])
    assert gl.counts[("sector", "science")] >= 3 and gl.counts[("sector", "business")] >= 3
    assert gl.counts[("sector", "civil_society")] == 2
    assert value_label(idx, "land", EACH, "de") == "je Land" and value_label(idx, "sector", EACH, "en") == "per sector"
    # a hand-edited list is checked against the rule per group
    problems = check_guest_list(idx, list(gl.members)[:5], quotas=[Quota("sector", EACH, max=2)])
    assert problems and all(p.constraint == "max" for p in problems)


def _plain_preference_order(index, person_ids, *, not_recent_months=12, relevance=None, today=None):
    """The rule of preference_order as one sort (the reference for the numpy version)."""
    import datetime as dt

    today = today or dt.date.today()
    now = today.year * 12 + today.month - 1
    relevance = relevance or {}

    def key(pid):
        p = index.persons[pid]
        recent = not_recent_months is not None and p.last_month is not None and now - p.last_month < not_recent_months
        last = p.last_month if p.last_month is not None else -1
        return (recent, last if not_recent_months is not None else 0, -relevance.get(pid, 0), p.name.casefold(), pid)

    return sorted(set(person_ids), key=key)


def test_preference_order_equals_the_plain_sort(tmp_path):
    """Never or longest-ago attendance first, then relevance, then name and id:
    the numpy order equals one plain sort, on a generated dataset's people
    (attendance, equal names) and on the small contact graph."""
    import datetime as dt
    import random

    from graph.people.guestlist import preference_order
    from loaders import load
    from loaders.synthetic import generate

    generate(tmp_path, nodes=3000, seed=11)
    rng = random.Random(3)
    for idx in (build_contact_index(load(tmp_path).graph), build_contact_index(contact_graph())):
        people = sorted(idx.persons)
        for _ in range(12):
            pool = rng.sample(people, rng.randint(0, len(people)))
            months = rng.choice([None, 0, 6, 12, 36])
            relevance = rng.choice([None, {p: rng.randint(0, 3) for p in pool}])
            today = rng.choice([None, TODAY, dt.date(2021, 6, 1)])
            assert preference_order(idx, pool, not_recent_months=months, relevance=relevance, today=today) == \
                _plain_preference_order(idx, pool, not_recent_months=months, relevance=relevance, today=today)


def test_a_list_without_quotas_is_the_best_of_the_pool_after_the_must_includes(tmp_path):
    """Without quotas the list is cut from the preference order by set
    operations (the pool may be every person): the same list as resolving
    each candidate, dropping masked and excluded people and taking the best,
    for person ids and contact record ids alike."""
    import random

    from graph.people.guestlist import _resolve, preference_order
    from loaders import load
    from loaders.synthetic import generate

    generate(tmp_path / "data", nodes=3000, seed=6)
    idx = build_contact_index(load(tmp_path / "data").graph)
    rng = random.Random(3)
    persons = sorted(idx.persons)
    records = sorted(idx.record_to_person)
    for _ in range(20):
        candidates = rng.sample(rng.choice([persons, records]), rng.randint(0, len(persons)))
        include = [p for p in rng.sample(persons, 2) if not idx.persons[p].masked]
        exclude = rng.sample(persons, 20)
        size = rng.randint(len(include), 40)
        want_pool = {p for p in _resolve(idx, candidates) if not idx.persons[p].masked and p not in exclude}
        want_pool -= set(include)
        order = preference_order(idx, want_pool | set(include), today=TODAY)
        want = include + [p for p in order if p not in include][: size - len(include)]
        try:
            got = build_guest_list(idx, candidates, size=size, include=include, exclude=exclude, today=TODAY)
        except GuestListInfeasible:
            assert len(want) < size or any(p in exclude for p in include)
            continue
        assert list(got.members) == want


def test_candidates_as_positions_give_the_same_list_as_person_ids(tmp_path):
    """The page hands the builder its finder result as positions in the
    index's name order (``CandidateRows``, kept per result): with or without
    quotas, includes and excludes, masked people in the pool, the same list —
    or the same problems — as the person ids."""
    import random

    from graph.people.guestlist import EACH, CandidateRows
    from loaders import load
    from loaders.synthetic import generate

    generate(tmp_path / "data", nodes=3000, seed=8)
    idx = build_contact_index(load(tmp_path / "data").graph)
    assert idx.masked_ids, "the pool should hold people without consent"
    rng = random.Random(5)
    persons = sorted(idx.persons)
    quota_sets = [[], [Quota("sector", EACH, min=1)], [Quota("sector", "science", min=3), Quota("land", EACH, max=4)]]
    for k in range(24):
        pool = rng.sample(persons, rng.randint(0, len(persons)))
        include = [p for p in rng.sample(persons, 2) if not idx.persons[p].masked]
        exclude = rng.sample(persons, 15)
        options = dict(size=rng.randint(len(include), 30), quotas=quota_sets[k % 3], include=include,
                       exclude=exclude, today=TODAY)
        outcomes = []
        for candidates in (pool, CandidateRows(idx.by_name.rows(pool))):
            try:
                outcomes.append(build_guest_list(idx, candidates, **options).members)
            except GuestListInfeasible as exc:
                outcomes.append(messages_of(exc, idx))
        assert outcomes[0] == outcomes[1], options


def messages_of(exc, idx):
    return exc.messages(idx, "de")
