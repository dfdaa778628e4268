"""Saved views in the workspace: owner, private or shared, rename and delete by the owner only,
every change journaled append-only, nothing lost when the file is reopened."""

from __future__ import annotations

import sqlite3

import pytest

from loaders.workspace import WorkspaceFile
from loaders.workspace.followup import FollowUp, FollowUpError, NotFound, NotYours


def test_private_views_are_invisible_to_others_and_shared_ones_visible_to_all(sample_ws):
    fu = FollowUp(sample_ws)
    private = fu.save_view("Meine Karte", owner="anna", page="/", state="?focus=country%3ATZA&lang=de")
    shared = fu.save_view("Team: Wasser", owner="anna", page="/matchmaking", state="target=country%3ATZA",
                          description="für die Sitzung", shared=True)
    assert fu.view(private, user="anna").href == "/?focus=country%3ATZA&lang=de"
    with pytest.raises(NotFound):
        fu.view(private, user="ben")
    seen = fu.view(shared, user="ben")
    assert (seen.owner, seen.description, seen.href) == ("anna", "für die Sitzung", "/matchmaking?target=country%3ATZA")
    assert [v.id for v in fu.views("ben")[1]] == [shared] and fu.views("ben")[0] == []
    assert {v.id for v in fu.views("anna")[0]} == {private, shared}


def test_only_the_owner_renames_shares_and_deletes(sample_ws):
    fu = FollowUp(sample_ws)
    vid = fu.save_view("Alt", owner="anna", page="/analysen", state="tab=coverage", shared=True)
    with pytest.raises(NotYours, match="only its owner"):
        fu.rename_view(vid, "Bens Name", user="ben")
    with pytest.raises(NotYours):
        fu.delete_view(vid, user="ben")
    renamed = fu.rename_view(vid, "  Neu  ", user="anna")
    assert renamed.name == "Neu" and fu.view(vid, user="ben").name == "Neu"
    fu.update_view(vid, user="anna", shared=False)
    with pytest.raises(NotFound):
        fu.view(vid, user="ben")
    with pytest.raises(FollowUpError, match="must not be empty"):
        fu.rename_view(vid, "   ", user="anna")
    fu.delete_view(vid, user="anna")
    with pytest.raises(NotFound):
        fu.view(vid, user="anna")


def test_every_change_is_journaled_and_the_journal_is_append_only(sample_ws):
    fu = FollowUp(sample_ws)
    vid = fu.save_view("Karte", owner="anna", page="/kontakte", state="land=DE-HE")
    fu.rename_view(vid, "Hessen", user="anna")
    fu.update_view(vid, user="anna", shared=True, description="Kontakte in Hessen")
    fu.delete_view(vid, user="anna")
    events = fu.view_events(vid)
    assert [(e["action"], e["user"]) for e in events] == [("create", "anna"), ("update", "anna"),
                                                         ("update", "anna"), ("delete", "anna")]
    assert events[1]["data"] == {"name": {"before": "Karte", "after": "Hessen"}}
    assert events[3]["data"]["name"] == "Hessen" and events[3]["data"]["state"] == "land=DE-HE"
    with sample_ws.connect() as con:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("DELETE FROM saved_view_events")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("UPDATE saved_view_events SET user = 'mallory'")


def test_views_survive_reopening_the_file_and_bad_input_is_refused(sample_ws):
    fu = FollowUp(sample_ws)
    vid = fu.save_view("Bleibt", owner="anna", page="/", state="?layout=concentric", shared=True)
    again = FollowUp(WorkspaceFile(sample_ws.path))
    assert again.view(vid, user="ben").state == "layout=concentric"
    with pytest.raises(FollowUpError, match="cannot be saved"):
        fu.save_view("x", owner="anna", page="/protokoll")
    with pytest.raises(FollowUpError, match="longer than"):
        fu.save_view("x" * 201, owner="anna", page="/")
    with pytest.raises(FollowUpError, match="owner must not be empty"):
        fu.save_view("x", owner=" ", page="/")
    assert len(fu.view_events()) == 1  # refused saves leave no trace
