"""A saved edit goes live by updating the served graph (loaders.workspace.live_update),
and the updated graph is the one a full rebuild gives: nodes, edges, attributes,
search and matchmaking answers, the load report's counts."""

from __future__ import annotations

import random

import pytest

from graph.analysis.matchmaking import project_target, rank
from graph.core.delta import CannotApply, RecordingGraph, RowChange, apply_changes
from graph.core.model import PartnerGraph
from graph.explore.search import search
from graph.people.dedupe import find_duplicates
from graph.people.privacy import mask_unconsented
from loaders.workspace import live_update, load_workspace, revert
from loaders.workspace.consent import erase_person, record_consent, withdraw_consent
from loaders.workspace.editing import (EditError, create_record, delete_record, undo_last, update_record)
from loaders.workspace.merging import merge_records
from loaders.workspace.store import WorkspaceError


def served(ws):
    """``(version, graph, report)`` as ``serve --workspace`` serves them (contacts masked)."""
    version, result = load_workspace(ws)
    mask_unconsented(result.graph)
    return version, result.graph, result.report


def snapshot(g: PartnerGraph):
    return ({n: dict(d) for n, d in g.nx.nodes(data=True)},
            {(u, v, k): dict(d) for u, v, k, d in g.nx.edges(keys=True, data=True)})


def assert_same(updated: PartnerGraph, rebuilt: PartnerGraph, what: str) -> None:
    (un, ue), (rn, re) = snapshot(updated), snapshot(rebuilt)
    assert set(un) == set(rn), f"{what}: nodes differ: {sorted(set(un) ^ set(rn))[:10]}"
    differing = [n for n in un if un[n] != rn[n]]
    assert not differing, f"{what}: node attributes differ: {[(n, un[n], rn[n]) for n in differing[:3]]}"
    assert set(ue) == set(re), f"{what}: edges differ: {sorted(set(ue) ^ set(re))[:10]}"
    differing = [e for e in ue if ue[e] != re[e]]
    assert not differing, f"{what}: edge attributes differ: {[(e, ue[e], re[e]) for e in differing[:3]]}"


def _answers(g: PartnerGraph):
    hits = {q: [(h.node_id, h.label, round(h.score, 6)) for h in search(g, q, limit=15)]
            for q in ("wasser", "uni", "hessen", "ministerium", "energie", "ruanda")}
    ranked = {}
    for p in sorted(g.nodes("project"))[:4]:
        r = rank(g, project_target(g, p))
        ranked[p] = [(c.node, round(c.score, 6), tuple(e.text("de") for e in c.evidence)) for c in r.candidates[:10]]
    return hits, ranked


# ------------------------------------------------------------------ random edits
def _rows(ws, table):
    return ws.rows(table)


def _edit(ws, rng: random.Random, n: int) -> str:
    """One random edit of ``ws`` (any table, merge, consent, erasure, undo, revert); what was done."""
    action = rng.choice(["create", "update", "update", "delete", "merge", "withdraw", "consent", "erase", "undo",
                         "revert"])
    user = rng.choice(["anna", "ben"])
    if action == "create":
        table = rng.choice(["institutions", "projects", "participations", "contacts", "events", "attendance",
                            "programmes", "cofinancing", "themes"])
        inst = rng.choice(sorted(_rows(ws, "institutions")))
        proj = rng.choice(sorted(_rows(ws, "projects")))
        values = {
            "institutions": {"id": f"neu-{n}", "name": f"Neue Hochschule {n}", "sector": "science", "land": "DE-HE",
                             "themes": rng.choice(["water", "energy;governance", ""]), "source": "https://example.org"},
            "projects": {"id": f"P-{n}", "title": f"Projekt {n} Wasser", "countries": rng.choice(["RWA", "ETH;TZA", "KEN"]),
                         "themes": "water", "start": "2024", "source": "https://example.org"},
            "participations": {"project": proj, "institution": inst, "role": rng.choice(["partner", "lead", "funding"]),
                               "source": "https://example.org"},
            "contacts": {"id": f"c-{n}", "name": f"Person Nummer{n}", "institution": inst, "email": f"p{n}@example.org",
                         "consent": rng.choice(["true", "false"]), "source": "https://example.org"},
            "events": {"id": f"e-{n}", "title": f"Treffen {n}", "date": "2024-05-01", "country": "RWA",
                       "source": "https://example.org"},
            "attendance": {"event": rng.choice(sorted(_rows(ws, "events")) or ["none"]),
                           "contact": rng.choice(sorted(_rows(ws, "contacts")) or ["none"]), "source": "https://example.org"},
            "programmes": {"id": f"prog-{n}", "name": f"Programm {n}", "country": "RWA", "source": "https://example.org"},
            "cofinancing": {"project": proj, "land": rng.choice(["DE-HE", "DE-BY", "DE-NW"]), "kind": "funding",
                            "source": "https://example.org"},
            "themes": {"id": f"theme-{n}", "name_de": f"Thema {n}"},
        }[table]
        create_record(ws, table, values, user=user)
        return f"create {table}"
    if action == "update":
        table, changes = rng.choice([
            ("projects", lambda r: {"region": f"Region {n}", "themes": rng.choice(["water", "energy", "water;governance"]),
                                    "countries": rng.choice(["RWA", "ETH;KEN", r["countries"]])}),
            ("institutions", lambda r: {"sector": rng.choice(["science", "business", "civil_society"]),
                                        "land": rng.choice(["DE-HE", "DE-BY", ""]), "country": rng.choice(["", "DEU"])}),
            ("institutions", lambda r: {"name": r["name"] + " (neu)", "themes": rng.choice(["water", "energy", ""])}),
            ("contacts", lambda r: {"role": f"Rolle {n}", "institution": rng.choice(sorted(_rows(ws, "institutions")))}),
            ("events", lambda r: {"title": r["title"] + " II", "country": rng.choice(["", "ETH"])}),
            ("participations", lambda r: {"inferred": rng.choice(["true", ""])}),
            ("programmes", lambda r: {"name": r["name"] + " II"}),
            ("themes", lambda r: {"name_en": f"Theme {n}"}),
        ])
        rows = _rows(ws, table)
        if not rows:
            return "nothing"
        key = rng.choice(sorted(rows))
        update_record(ws, table, key, changes(rows[key]), user=user)
        return f"update {table} {key}"
    if action == "delete":
        table = rng.choice(["participations", "attendance", "contacts", "projects", "institutions", "events",
                            "cofinancing", "programmes"])
        rows = _rows(ws, table)
        if not rows:
            return "nothing"
        key = rng.choice(sorted(rows))
        delete_record(ws, table, key, user=user, cascade=True)
        return f"delete {table} {key}"
    if action == "merge":
        a, b = rng.sample(sorted(_rows(ws, "institutions")), 2)
        merge_records(ws, "institutions", a, b, user=user)
        return f"merge {a} {b}"
    if action in ("withdraw", "consent", "erase"):
        rows = _rows(ws, "contacts")
        if not rows:
            return "nothing"
        key = rng.choice(sorted(rows))
        if action == "withdraw":
            withdraw_consent(ws, key, user=user)
        elif action == "consent":
            record_consent(ws, key, purposes=["events"], source="Formular", expires="2030-01-01", user=user)
        else:
            erase_person(ws, key, user=user)
        return f"{action} {key}"
    if action == "undo":
        undo_last(ws, user=user)
        return "undo"
    head = ws.head()
    target = rng.randint(max(1, head - 3), head)
    revert(ws, target, user=user)
    return f"revert {target}"


@pytest.mark.parametrize("seed", range(4))
def test_random_edits_incremental_equals_rebuild(sample_ws, seed):
    rng = random.Random(seed)
    version, graph, report = served(sample_ws)
    applied = fallbacks = 0
    done = []
    for n in range(18):
        for _ in range(rng.choice([1, 1, 1, 2])):  # sometimes two versions arrive between two looks
            try:
                done.append(_edit(sample_ws, rng, n))
            except WorkspaceError as exc:  # e.g. nothing to undo or revert, a merge of records that cannot merge
                done.append(f"refused: {exc}")
        if sample_ws.head() == version:
            continue
        up = live_update.update_graph(sample_ws, version, graph, report)
        head, rebuilt, rebuilt_report = served(sample_ws)
        if up is None:
            fallbacks += 1
            version, graph, report = head, rebuilt, rebuilt_report
            continue
        applied += 1
        what = f"seed {seed}, after {done}"
        assert up.version == head
        assert_same(up.graph, rebuilt, what)
        assert _answers(up.graph) == _answers(rebuilt), what
        assert up.report.tables == rebuilt_report.tables, what
        assert (up.report.nodes, up.report.edges) == (rebuilt_report.nodes, rebuilt_report.edges), what
        assert sorted(map(repr, up.report.problems)) == sorted(map(repr, rebuilt_report.problems)), what
        assert up.graph.meta["workspace_version"] == head
        version, graph, report = up.version, up.graph, up.report
    assert applied >= 6, (applied, fallbacks, done)


def test_served_graph_is_untouched_by_the_update(sample_ws):
    version, graph, report = served(sample_ws)
    before = snapshot(graph)
    generation = graph.generation
    update_record(sample_ws, "projects", "BLP-01", {"region": "Anderswo", "themes": "water"}, user="anna")
    up = live_update.update_graph(sample_ws, version, graph, report)
    assert up is not None and up.graph is not graph
    assert up.graph.node("project:BLP-01")["region"] == "Anderswo"
    assert snapshot(graph) == before and graph.generation == generation  # the old version keeps serving, caches intact


def test_withdrawn_consent_is_masked_by_the_update(sample_ws):
    version, graph, report = served(sample_ws)
    twice = {m for group in find_duplicates(graph) for m in group.members}
    consented = next(n for n in sorted(graph.nodes("contact")) if graph.node(n).get("consent") is True and n not in twice)
    key = consented.partition(":")[2]
    name = graph.node(consented)["label"]
    withdraw_consent(sample_ws, key, user="anna")
    up = live_update.update_graph(sample_ws, version, graph, report)
    assert up is not None, live_update.LAST_FALLBACK
    node = up.graph.node(consented)
    assert node.get("masked") is True and node["label"] != name and "email" not in node
    assert not search(up.graph, name, kinds=["contact"])  # not findable by name any more


def test_big_changes_and_theme_changes_are_rebuilt(sample_ws):
    version, graph, report = served(sample_ws)
    update_record(sample_ws, "themes", "water", {"name_en": "Water!"}, user="anna")
    assert live_update.update_graph(sample_ws, version, graph, report) is None
    assert "themes" in live_update.LAST_FALLBACK
    version, graph, report = served(sample_ws)
    for i in range(4):
        update_record(sample_ws, "projects", "BLP-01", {"region": f"R{i}"}, user="anna")
    assert live_update.update_graph(sample_ws, version, graph, report, max_rows=3) is None
    assert "more than 3" in live_update.LAST_FALLBACK
    assert live_update.update_graph(sample_ws, version, graph, report, max_rows=4) is not None


def test_an_unknown_theme_cannot_be_applied():
    g = PartnerGraph()
    rec = RecordingGraph()
    rec.add_node("institution", "x", label="X", source="s")
    rec.add_node("theme", "neu", label="Neu", source="s")  # a theme the record would create
    with pytest.raises(CannotApply):
        apply_changes(g, [RowChange("institutions", "x", None, rec.take())])


def test_a_node_others_refer_to_cannot_be_deleted_alone():
    g = PartnerGraph()
    i = g.add_node("institution", "x", label="X", source="s")
    p = g.add_node("project", "p", label="P", source="s")
    g.add_edge(i, p, "participates_in", source="s")
    rec = RecordingGraph()
    rec.add_node("institution", "x", label="X", source="s")
    with pytest.raises(CannotApply):
        apply_changes(g, [RowChange("institutions", "x", rec.take(), None)])
    assert i in g  # untouched


def test_a_person_recorded_twice_is_rebuilt_and_masked_in_both_records(sample_ws):
    version, graph, report = served(sample_ws)
    group = next(g for g in find_duplicates(graph) if all(graph.node(m).get("consent") is True for m in g.members))
    withdraw_consent(sample_ws, group.members[0].partition(":")[2], user="anna")
    assert live_update.update_graph(sample_ws, version, graph, report) is None
    assert "same person" in live_update.LAST_FALLBACK
    _, rebuilt, _ = served(sample_ws)
    assert all(rebuilt.node(m).get("masked") for m in group.members)
