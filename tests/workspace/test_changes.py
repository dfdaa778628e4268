"""'What changed since': exactly the edits and pipeline moves after a version or a date, named,
with persons reduced to counts on request, and the meeting export safe against formulas."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest

from graph.followup.changes import SECTIONS, ended_by_date, summarise_changes
from graph.followup.pipeline import PipelineItem
from loaders.workspace.changes import ChangesError, changes_since, register_invitation_source, table_csv, table_xlsx
from loaders.workspace.editing import create_record, delete_record, update_record
from loaders.workspace.followup import FollowUp


def _edit_everything(ws):
    """One change of each kind after version 1."""
    create_record(ws, "institutions", {"id": "neu-inst", "name": "Neue Stiftung", "sector": "ngo"}, user="anna")
    create_record(ws, "projects", {"id": "BLP-99", "title": "Neues Projekt", "countries": "TZA"}, user="anna")
    create_record(ws, "participations", {"project": "BLP-99", "institution": "neu-inst", "role": "lead"}, user="anna")
    update_record(ws, "projects", "BLP-01", {"status": "completed"}, user="anna")
    delete_record(ws, "participations", "BLP-01|fta-eth|partner", user="anna")
    update_record(ws, "contacts", "c001", {"role": "Abteilungsleiter"}, user="anna")
    fu = FollowUp(ws)
    sid = fu.save_shortlist("Kandidaten", owner="anna", target={"node": "project:BLP-99"}, settings={},
                           items=[PipelineItem(0, "institution:hlft", 1, 0.9, label="HLfT")])
    fu.move(sid, "institution:hlft", "asked", user="anna")


def test_since_a_version_lists_exactly_the_changes_after_it(sample_ws):
    _edit_everything(sample_ws)
    since = changes_since(sample_ws, version=1)
    got = {s: [i.label for i in items] for s, items in since.report.sections.items() if items}
    assert got == {
        "projects_new": ["Neues Projekt"],
        "projects_ended": [sample_ws.rows("projects", ["BLP-01"])["BLP-01"]["title"]],
        "institutions_new": ["Neue Stiftung"],
        "participations_new": ["Neue Stiftung – Neues Projekt"],
        "participations_ended": [f"{sample_ws.rows('institutions', ['fta-eth'])['fta-eth']['name']} – "
                                 f"{sample_ws.rows('projects', ['BLP-01'])['BLP-01']['title']}"],
        "contacts_changed": ["Jürgen Müller"],
        "pipeline": ["HLfT"],
    }
    move = since.report.sections["pipeline"][0]
    assert (move.before, move.after, move.user, move.context) == ("proposed", "asked", "anna", "Kandidaten")
    assert since.report.sections["contacts_changed"][0].fields == ("role",)  # which field, never its values
    assert (since.base, since.head) == (1, sample_ws.head())
    # since the newest version: nothing but what came after it
    assert changes_since(sample_ws, version=sample_ws.head()).report.counts()["projects_new"] == 0


def test_counts_only_hides_persons_but_keeps_their_number(sample_ws):
    _edit_everything(sample_ws)
    report = changes_since(sample_ws, version=1).report.counts_only()
    assert report.counts()["contacts_changed"] == 1 and report.sections["contacts_changed"] == []
    assert "Jürgen" not in str(report.to_dict()) and report.to_dict()["hidden"] == [
        "contacts_changed", "contacts_new", "contacts_removed", "invitations"]


def test_since_a_date_starts_before_that_days_versions_and_counts_projects_run_out(sample_ws):
    _edit_everything(sample_ws)
    today = dt.date.fromisoformat(sample_ws.version(sample_ws.head()).time[:10])
    since = changes_since(sample_ws, date=today.isoformat(), today=today + dt.timedelta(days=1))
    assert since.base == 0  # every version of the file was saved today
    assert since.report.counts()["projects_new"] == len(sample_ws.rows("projects"))
    since = changes_since(sample_ws, date=(today + dt.timedelta(days=1)).isoformat())
    assert since.base == sample_ws.head() and since.report.total() == 0
    with pytest.raises(ChangesError, match="not a date"):
        changes_since(sample_ws, date="letzte Woche")
    with pytest.raises(ChangesError, match="either"):
        changes_since(sample_ws)


def test_ended_by_date_reads_years_months_and_days():
    projects = {"a": {"end": "2026"}, "b": {"end": "2026-02"}, "c": {"end": "2026-03-15"}, "d": {"end": ""},
                "e": {"end": "kaputt"}, "f": {"end": "2025-12"}}
    assert ended_by_date(projects, dt.date(2026, 1, 1), dt.date(2026, 3, 16)) == ["b", "c"]
    report = summarise_changes([], ended=[("b", {"title": "B", "end": "2026-02"})])
    assert [(i.label, i.after) for i in report.sections["projects_ended"]] == [("B", "2026-02")]
    assert list(report.counts()) == list(SECTIONS)


def test_invitation_moves_come_from_a_registered_source(sample_ws):
    calls = []

    def source(ws, since):
        calls.append(since)
        return [{"time": "2026-12-01T10:00:00+00:00", "user": "eva", "person": "c001", "label": "Jürgen Müller",
                 "from": "invited", "to": "accepted", "list": "Netzwerktreffen"}]

    register_invitation_source(source)
    try:
        report = changes_since(sample_ws, version=1).report
    finally:
        from loaders.workspace import changes
        changes._INVITATION_SOURCES.remove(source)
    assert calls == [sample_ws.version(1).time]
    assert [(i.label, i.after, i.context) for i in report.sections["invitations"]] == [
        ("Jürgen Müller", "accepted", "Netzwerktreffen")]
    assert report.counts_only().sections["invitations"] == []


def test_the_meeting_tables_neutralise_formulas():
    rows = [["=HYPERLINK(\"http://x\")", "+1", "ok"], ["@SUM(A1)", "-2", "a=b"]]
    text = table_csv(["Bereich", "Name", "Detail"], rows).decode("utf-8-sig")
    read = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert read[1] == ["'=HYPERLINK(\"http://x\")", "'+1", "ok"] and read[2] == ["'@SUM(A1)", "'-2", "a=b"]
    book = openpyxl.load_workbook(io.BytesIO(table_xlsx(["Bereich", "Name", "Detail"], rows, title="Änderungen")))
    sheet = book.active
    assert sheet["A2"].value == "'=HYPERLINK(\"http://x\")" and sheet["A2"].data_type == "s"
    assert sheet.title == "Änderungen"


def test_a_candidate_entered_as_participation_shows_as_that_step(sample_ws):
    fu = FollowUp(sample_ws)
    sid = fu.save_shortlist("Kandidaten", owner="anna", target={"node": "project:BLP-05"}, settings={},
                           items=[PipelineItem(0, "institution:hlft", 1, 0.9, label="HLfT")])
    fu.move(sid, "institution:hlft", "asked", user="anna")
    fu.move(sid, "institution:hlft", "asked", user="anna", next_step="Anruf")  # no move: not listed
    fu.move(sid, "institution:hlft", "accepted", user="anna")
    _version, key = fu.to_participation(sid, "institution:hlft", project="BLP-05", user="anna")
    report = changes_since(sample_ws, version=1).report
    assert [(i.before, i.after) for i in report.sections["pipeline"]] == [
        ("proposed", "asked"), ("asked", "accepted"), ("accepted", f"participation:{key}")]
    assert [i.key for i in report.sections["participations_new"]] == [key]
