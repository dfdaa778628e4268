"""Shortlists, the pipeline, saved views: domain rules and their workspace storage."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import replace

import pytest

from graph.followup.pipeline import (PipelineError, PipelineItem, Status, acceptance_by_factor, acceptance_by_rank,
                                     allowed_moves, is_overdue, move, open_items)
from loaders.workspace.followup import FollowUp, FollowUpError

TODAY = dt.date(2026, 12, 5)


def item(node="institution:a", rank=1, **kw):
    return PipelineItem(shortlist=1, node=node, rank=rank, score=0.5, **kw)


def test_moves_follow_the_pipeline_and_closed_candidates_stay_closed():
    assert allowed_moves(Status.PROPOSED) == [Status.ASKED, Status.DECLINED, Status.DEFERRED]
    assert allowed_moves(Status.ACCEPTED) == []
    asked = move(item(), Status.ASKED, owner="anna", next_step="Anruf", due="2026-12-01")
    accepted = move(asked, Status.ACCEPTED)
    assert accepted.status == Status.ACCEPTED and not accepted.is_open
    assert accepted.owner == "anna" and accepted.next_step == "Anruf"  # kept when not given
    with pytest.raises(PipelineError, match="cannot move from 'accepted'"):
        move(accepted, Status.ASKED)
    with pytest.raises(PipelineError, match="cannot move from 'proposed' to 'accepted'"):
        move(item(), Status.ACCEPTED)


def test_a_decline_needs_a_reason_and_other_needs_a_text():
    with pytest.raises(PipelineError, match="needs a reason"):
        move(item(), Status.DECLINED)
    with pytest.raises(PipelineError, match="needs a text"):
        move(item(), Status.DECLINED, reason="other", reason_text="  ")
    declined = move(item(), Status.DECLINED, reason="capacity")
    assert (declined.reason, declined.is_open) == ("capacity", False)
    reopened = move(declined, Status.PROPOSED)
    assert reopened.reason is None and reopened.is_open
    with pytest.raises(PipelineError, match="not a date"):
        move(item(), Status.ASKED, due="nächste Woche")


def test_open_items_put_overdue_steps_first_and_filter():
    a = move(item("institution:a", 1, land="DE-HE"), Status.ASKED, owner="anna", due="2026-12-10")
    b = move(item("institution:b", 2, land="DE-BY"), Status.ASKED, owner="ben", due="2026-11-20")
    c = item("institution:c", 3, land="DE-HE")
    d = move(move(item("institution:d", 4), Status.ASKED), Status.ACCEPTED)
    assert [i.node for i in open_items([d], TODAY)] == ["institution:d"]  # accepted, not yet a participation
    d = replace(d, participation="BLP-01|d|partner")
    ordered = open_items([a, b, c, d], TODAY)
    assert [i.node for i in ordered] == ["institution:b", "institution:a", "institution:c"]
    assert is_overdue(b, TODAY) and not is_overdue(a, TODAY) and not is_overdue(d, TODAY)
    assert [i.node for i in open_items([a, b, c, d], TODAY, owner="anna")] == ["institution:a"]
    assert [i.node for i in open_items([a, b, c, d], TODAY, land="DE-HE")] == ["institution:a", "institution:c"]
    assert [i.node for i in open_items([a, b, c], TODAY, due_before=dt.date(2026, 11, 30))] == ["institution:b"]


def test_acceptance_by_rank_and_by_factor():
    def decided(node, rank, status, theme):
        i = item(node, rank, factors={"theme": theme})
        i = move(i, Status.ASKED)
        return move(i, status, reason="fit") if status == Status.DECLINED else move(i, status)
    items = [decided("a", 1, Status.ACCEPTED, 1.0), decided("b", 2, Status.ACCEPTED, 0.9),
             decided("c", 3, Status.DECLINED, 0.1), decided("d", 7, Status.DECLINED, 0.0), item("e", 8)]
    by_rank = {o.group: o for o in acceptance_by_rank(items)}
    assert (by_rank["1"].accepted, by_rank["1"].acceptance) == (1, 1.0)
    assert by_rank["2–3"].acceptance == 0.5
    assert (by_rank["6–10"].decided, by_rank["6–10"].open, by_rank["6–10"].acceptance) == (1, 1, 0.0)
    assert by_rank[">10"].acceptance is None
    (factor, high, low), = acceptance_by_factor(items, ["theme"])
    assert (factor, high.acceptance, low.acceptance) == ("theme", 1.0, 0.0)


@pytest.fixture()
def workspace(sample_ws):
    return sample_ws


def test_shortlist_pipeline_is_stored_and_journaled(workspace):
    fu = FollowUp(workspace)
    sid = fu.save_shortlist("Tunesien Verwaltung", owner="anna", target={"node": "project:BLP-01"},
                            settings={"top": 2}, items=[item("institution:hlft", 1, explanation="Thema Wasser"),
                                                        item("institution:hmwevl", 2)])
    assert [s.name for s in fu.shortlists()] == ["Tunesien Verwaltung"]
    assert fu.shortlist(sid).version == workspace.head()
    fu.move(sid, "institution:hlft", "asked", user="anna", owner="anna", next_step="Mail", due="2026-12-01")
    fu.move(sid, "institution:hmwevl", "declined", user="ben", reason="timing", reason_text="erst 2028")
    again = FollowUp(workspace)  # a second process sees the same state
    by = {i.node: i for i in again.items(sid)}
    assert by["institution:hlft"].status == Status.ASKED and by["institution:hlft"].explanation == "Thema Wasser"
    assert (by["institution:hmwevl"].reason, by["institution:hmwevl"].reason_text) == ("timing", "erst 2028")
    events = again.events()
    assert [(e.user, e.from_status, e.to_status) for e in events] == [("anna", "proposed", "asked"),
                                                                        ("ben", "proposed", "declined")]
    with sqlite3.connect(workspace.path) as con, pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("DELETE FROM pipeline_events")
    with pytest.raises(PipelineError):
        fu.move(sid, "institution:hlft", "proposed-ish", user="anna")  # type: ignore[arg-type]
    with pytest.raises(FollowUpError, match="no candidate"):
        fu.move(sid, "institution:none", "asked", user="anna")
    with pytest.raises(FollowUpError, match="must not be empty"):
        fu.save_shortlist("  ", owner="anna", target={}, settings={}, items=[item()])


def test_an_accepted_candidate_becomes_a_participation_in_one_version(workspace):
    fu = FollowUp(workspace)
    inst = next(iter(workspace.rows("institutions")))
    node = f"institution:{inst}"
    sid = fu.save_shortlist("x", owner="anna", target={"node": "project:BLP-05"}, settings={}, items=[item(node)])
    with pytest.raises(PipelineError, match="only an accepted"):
        fu.to_participation(sid, node, project="BLP-05", user="anna")
    fu.move(sid, node, "asked", user="anna")
    fu.move(sid, node, "accepted", user="anna")
    head = workspace.head()
    version, key = fu.to_participation(sid, node, project="BLP-05", role="partner", user="anna")
    assert version == head + 1 and workspace.version(version).kind == "edit"
    assert key in workspace.rows("participations", [key])
    journal = workspace.journal(head)
    assert [(j[1], j[2], j[3]) for j in journal] == [("participations", key, "insert")]
    assert fu.item(sid, node).participation == key
    with pytest.raises(FollowUpError, match="already"):
        fu.to_participation(sid, node, project="BLP-05", user="anna")


def test_saved_views_private_and_shared(workspace):
    fu = FollowUp(workspace)
    mine = fu.save_view("Wasser Tansania", owner="anna", page="/matchmaking", state="?target=country:TZ",
                        description="für die Sitzung")
    fu.save_view("Team-Sicht", owner="ben", page="/analysen", state="tab=white", shared=True)
    fu.save_view("Bens privat", owner="ben", page="/", state="")
    own, shared = fu.views("anna")
    assert [v.name for v in own] == ["Wasser Tansania"] and own[0].href == "/matchmaking?target=country:TZ"
    assert [v.name for v in shared] == ["Team-Sicht"]
    with pytest.raises(FollowUpError, match="no view"):  # a private view of another is not named as existing
        fu.delete_view(mine, user="ben")
    fu.delete_view(mine, user="anna")
    assert fu.views("anna")[0] == []
    with pytest.raises(FollowUpError, match="cannot be saved"):
        fu.save_view("x", owner="anna", page="/admin")
