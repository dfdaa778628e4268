"""Guest lists that become events: invitation rules, the list reader, matching,
review, confirmation as one version, the journal, and the quota check against
who came."""

from __future__ import annotations

import io
import sqlite3

import openpyxl
import pytest

from graph.core.errors import LoadError
from graph.followup.invitations import Invitation, InvitationError, allowed_moves, move_guest, status_counts
from graph.people.attendance import quota_against_attendance
from graph.people.contacts import build_contact_index
from graph.people.guestlist import EACH, Quota
from loaders.attendance_list import read_list
from loaders.workspace import WorkspaceFile, load_workspace
from loaders.workspace.editing import EditError
from loaders.workspace.guestlists import GuestListError, GuestLists

ATTENDANCE_CSV = ("Name;E-Mail;Organisation;Rolle\n"
                  "Annika Brömmel;ANNIKA.BROEMMEL@example.org;;Vortrag\n"  # by e-mail (case ignored)
                  "Juergen Mueller;;hlft;\n"                                # name variant at the same institution
                  "Erika Unbekannt;erika@example.net;Irgendwo;\n").encode()  # nobody: review


def xlsx_bytes(rows: list[list[object]], title: str = "Teilnehmende") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ rules
def test_invitation_moves():
    assert allowed_moves("invited") == [Invitation.ACCEPTED, Invitation.DECLINED, Invitation.ATTENDED]
    assert allowed_moves(Invitation.ATTENDED) == []
    assert move_guest("declined", "accepted") is Invitation.ACCEPTED
    with pytest.raises(InvitationError, match="from 'attended' to 'invited'"):
        move_guest("attended", "invited")
    with pytest.raises(InvitationError, match="from 'invited' to 'invited'"):
        move_guest("invited", "invited")
    with pytest.raises(InvitationError, match="unknown invitation status 'maybe'"):
        move_guest("invited", "maybe")
    assert status_counts([]) == {"invited": 0, "accepted": 0, "declined": 0, "attended": 0}


# ------------------------------------------------------------------ reader
def test_reader_names_file_sheet_row_column_and_value():
    data = xlsx_bytes([["Vorname", "Nachname", "E-Mail", "Rolle", "Status", "Bemerkung"],
                       ["Jürgen", "Müller", "jm@example.org", "Referent", "teilgenommen", "x"],
                       [None, None, None, None, None, "nur eine Bemerkung"],
                       ["Anna", "Schmidt", "kein-mail", "Chef", "vielleicht", None],
                       [None, None, None, None, None, None]])
    lst = read_list(data, "liste.xlsx")
    assert [(r.number, r.name, r.email, r.role, r.status) for r in lst.rows] == [
        (2, "Jürgen Müller", "jm@example.org", "speaker", "attended"), (4, "Anna Schmidt", None, "", "")]
    assert (lst.read, lst.rejected) == (3, 1)  # every row: read = kept + rejected
    error = lst.errors[0]
    assert (error.file, error.row, error.column, error.value) == ("liste.xlsx#Teilnehmende", 3, "name", "nur eine Bemerkung")
    warnings = {(w.row, w.column, w.value) for w in lst.warnings}
    assert {(1, "Bemerkung", "Bemerkung"), (4, "email", "kein-mail"), (4, "role", "Chef"),
            (4, "status", "vielleicht")} <= warnings


def test_reader_refuses_what_it_cannot_read_and_reports_a_missing_header():
    with pytest.raises(LoadError, match=r"liste.pdf: unknown format \.pdf"):
        read_list(b"%PDF", "liste.pdf")
    with pytest.raises(LoadError, match="kaputt.xlsx: not a readable .xlsx"):
        read_list(b"PK\x03\x04 nonsense", "kaputt.xlsx")
    lst = read_list("Datum,Ort\n2026-01-01,Bonn\n".encode("cp1252"), "falsch.csv")
    assert lst.rows == [] and "no header row naming a name or an e-mail column" in lst.errors[0].message
    lst = read_list("Name,E-Mail\n=HYPERLINK(\"x\"),a@b.de\n'=1+1,\n".encode(), "formeln.csv")
    assert [r.name for r in lst.rows] == ['=HYPERLINK("x")', "=1+1"]  # text as typed; escaped again on export


# ------------------------------------------------------------------ storage
def test_save_for_an_existing_event_survives_reopening(sample_ws):
    gl = GuestLists(sample_ws)
    gid, version = gl.save("Treffen", owner="anna", guests=["contact:c004", "c006", "contact:c004"], event="e07",
                           user="anna", settings={"size": 2, "quotas": [{"dimension": "land", "value": EACH, "max": 1}]})
    assert version is None and sample_ws.head() == 1  # no data changed
    again = GuestLists(WorkspaceFile(sample_ws.path))  # a restarted server
    record = again.guestlist(gid)
    assert (record.name, record.event, record.settings["size"]) == ("Treffen", "event:e07", 2)
    assert [(g.contact, g.status) for g in again.guests(gid)] == [("contact:c004", Invitation.INVITED),
                                                                  ("contact:c006", Invitation.INVITED)]
    with pytest.raises(GuestListError, match="no event 'nope'"):
        gl.save("X", owner="a", guests=["c004"], event="nope", user="a")
    with pytest.raises(GuestListError, match="not in the current data: contact:zz"):
        gl.save("X", owner="a", guests=["zz"], event="e07", user="a")
    assert len(gl.guestlists()) == 1


def test_save_with_a_new_event_is_one_edit_version(sample_ws):
    gl = GuestLists(sample_ws)
    gid, version = gl.save("Wasser", owner="anna", guests=["c004"], user="anna",
                           new_event={"title": "Wasser-Werkstatt", "date": "2026-11-03", "city": "Bonn",
                                      "country": "DEU", "themes": "water", "kind": "workshop"})
    assert version == 2 and sample_ws.version(2).kind == "edit" and sample_ws.version(2).user == "anna"
    key = gl.guestlist(gid).event.partition(":")[2]
    assert key == "ev-2026-11-03-wasser-werkstatt"
    assert sample_ws.rows("events", [key])[key]["city"] == "Bonn"
    with pytest.raises(EditError) as err:  # the loader's own check, naming the field and value
        gl.save("Kaputt", owner="anna", guests=["c004"], user="anna", new_event={"title": "X", "date": "nächsten Mai"})
    assert err.value.problems[0].column == "date" and err.value.problems[0].value == "nächsten Mai"
    assert sample_ws.head() == 2 and len(gl.guestlists()) == 1  # nothing half-saved


def test_status_moves_are_journaled_and_the_journal_is_append_only(sample_ws):
    gl = GuestLists(sample_ws)
    gid, _ = gl.save("Treffen", owner="anna", guests=["c004", "c006"], event="e07", user="anna")
    assert gl.set_status(gid, "c004", "accepted", user="ben") is Invitation.ACCEPTED
    gl.set_status(gid, "c004", "declined", user="ben")
    with pytest.raises(InvitationError, match="attendance list"):
        gl.set_status(gid, "c006", "attended", user="ben")
    with pytest.raises(GuestListError, match="no guest 'contact:c999'"):
        gl.set_status(gid, "c999", "accepted", user="ben")
    moves = [(e.contact, e.from_status, e.to_status, e.user) for e in gl.events_since(None, guestlist=gid)]
    assert moves[2:] == [("contact:c004", "invited", "accepted", "ben"), ("contact:c004", "accepted", "declined", "ben")]
    cut = gl.events_since()[2].time
    assert all(e.time >= cut for e in gl.events_since(cut))
    assert gl.events_since("2999-01-01") == []
    with sqlite3.connect(sample_ws.path) as con, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("UPDATE invitation_events SET to_status = 'attended'")
    with sqlite3.connect(sample_ws.path) as con, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("DELETE FROM invitation_events")


def test_attendance_import_review_and_confirm(sample_ws):
    gl = GuestLists(sample_ws)
    gid, _ = gl.save("Treffen", owner="anna", guests=["c004", "c006", "c002"], event="e07", user="anna")
    imp = gl.start_import(gid, ATTENDANCE_CSV, "teilnahme.csv", kind="attendance", user="anna")
    assert [(r.number, r.match, r.how) for r in imp.rows] == [(2, "contact:c004", "email"), (3, "contact:c001", "name"),
                                                              (4, None, None)]
    with pytest.raises(GuestListError, match=r"1 row\(s\) still need a decision \(rows 4\)"):
        gl.confirm(imp.id, user="anna")
    with pytest.raises(GuestListError, match="no contact 'nobody'"):
        gl.resolve(imp.id, 4, "contact", contact="nobody")
    gl.resolve(imp.id, 4, "contact", contact="c006")
    # reopened by a restarted server: the review state is in the file
    again = GuestLists(WorkspaceFile(sample_ws.path))
    index = build_contact_index(load_workspace(sample_ws)[1].graph)
    result = again.confirm(imp.id, user="anna", same_person=lambda c: index.record_to_person.get(c, c))
    assert result.version == 2 and sample_ws.version(2).kind == "edit"
    assert set(result.attendance) == {"e07|c004", "e07|c001", "e07|c006"}
    rows = sample_ws.rows("attendance", result.attendance)
    assert rows["e07|c004"]["role"] == "speaker" and rows["e07|c006"]["role"] == "participant"
    # c001 and c002 are one person (dedupe): the guest listed as c002 came
    statuses = {g.contact: g.status.value for g in again.guests(gid)}
    assert statuses == {"contact:c004": "attended", "contact:c006": "attended", "contact:c002": "attended"}
    assert again.list_import(imp.id).state == "confirmed"
    assert all(not r.name and not r.email for r in again.list_import(imp.id).rows)  # the file's personal data dropped
    graph = load_workspace(sample_ws)[1].graph
    assert graph.nx.has_edge("contact:c006", "event:e07")
    with pytest.raises(GuestListError, match="confirmed already"):
        again.confirm(imp.id, user="anna")


def test_new_person_and_ignored_rows_and_walk_ins(sample_ws):
    gl = GuestLists(sample_ws)
    gid, _ = gl.save("Treffen", owner="anna", guests=["c004"], event="e07", user="anna")
    data = xlsx_bytes([["Name", "E-Mail", "Institution"], ["Erika Neu", "erika@example.net", "Irgendwo"],
                       ["Tippfehler", "", ""], ["Annika Brömmel", "annika.broemmel@example.org", ""],
                       ["Jörg Schäfer", "joerg.schaefer@example.org", ""]])
    imp = gl.start_import(gid, data, "anwesenheit.xlsx", kind="attendance", user="anna")
    with pytest.raises(GuestListError, match="needs an institution"):
        gl.resolve(imp.id, 2, "new", institution="nirgends")
    gl.resolve(imp.id, 2, "new", institution="hlft")
    gl.resolve(imp.id, 3, "ignore")
    result = gl.confirm(imp.id, user="anna")
    (new,) = result.new_contacts
    contact = sample_ws.rows("contacts", [new])[new]
    assert (contact["name"], contact["institution"], contact["email"], contact["consent"]) == (
        "Erika Neu", "hlft", "erika@example.net", "")  # no consent recorded: shown masked
    assert result.ignored == 1 and set(result.added) == {f"contact:{new}", "contact:c003"}
    guests = {g.contact: (g.status.value, g.added) for g in gl.guests(gid)}
    assert guests["contact:c003"] == ("attended", "import") and guests["contact:c004"] == ("attended", "list")


def test_registration_list_sets_replies_without_a_version(sample_ws):
    gl = GuestLists(sample_ws)
    gid, _ = gl.save("Treffen", owner="anna", guests=["c004", "c006"], event="e07", user="anna")
    data = ("E-Mail,Status\nannika.broemmel@example.org,angemeldet\n"
            f"{sample_ws.rows('contacts', ['c006'])['c006']['email']},abgesagt\n").encode()
    imp = gl.start_import(gid, data, "anmeldungen.csv", kind="registration", user="anna")
    assert not imp.open_rows
    result = gl.confirm(imp.id, user="anna")
    assert result.version is None and sample_ws.head() == 1
    assert gl.counts(gid) == {"invited": 0, "accepted": 1, "declined": 1, "attended": 0}


def test_a_failure_while_confirming_leaves_everything_as_it_was(sample_ws, monkeypatch):
    gl = GuestLists(sample_ws)
    gid, _ = gl.save("Treffen", owner="anna", guests=["c004"], event="e07", user="anna")
    imp = gl.start_import(gid, ATTENDANCE_CSV, "teilnahme.csv", kind="attendance", user="anna")
    gl.resolve(imp.id, 4, "ignore")
    journal = len(gl.events_since())

    def broken(*args, **kwargs):
        raise RuntimeError("killed mid-write")

    monkeypatch.setattr(GuestLists, "_journal", broken)
    with pytest.raises(RuntimeError):
        gl.confirm(imp.id, user="anna")
    monkeypatch.undo()
    assert sample_ws.head() == 1 and "e07|c004" not in sample_ws.rows("attendance")
    assert gl.counts(gid)["attended"] == 0 and len(gl.events_since()) == journal
    assert gl.list_import(imp.id).state == "open"
    assert gl.confirm(imp.id, user="anna").version == 2  # and it can be done afterwards


def test_quota_check_against_who_came(sample_ws):
    index = build_contact_index(load_workspace(sample_ws)[1].graph)
    invited = ["contact:c004", "contact:c006", "contact:c001", "contact:c003"]
    sectors = {p: index.persons[index.record_to_person[p]].sectors for p in invited}
    some_sector = sectors["contact:c004"][0]
    rows = quota_against_attendance(index, invited, ["contact:c002"], [Quota("sector", some_sector, min=1),
                                                                       Quota("land", EACH, max=3)])
    first = rows[0]
    expected_invited = sum(1 for p in invited if some_sector in sectors[p])
    assert (first.value, first.invited) == (some_sector, expected_invited)
    came = 1 if some_sector in index.persons[index.record_to_person["contact:c002"]].sectors else 0
    assert first.attended == came and first.met_attended == (came >= 1)
    assert all(r.max == 3 for r in rows[1:]) and rows[1:]
