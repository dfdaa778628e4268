"""Consent and erasure (DSGVO): withdrawal masks, expiry masks, the due list, erasure leaves no trace in the file."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from loaders.workspace import load_workspace, state_at
from loaders.workspace.consent import (
    ERASED, consent_due, consent_due_csv, erase_person, record_consent, tombstones, withdraw_consent,
)
from loaders.workspace.editing import EditError, last_undoable, undo_last, update_record
from loaders.workspace.notes import add_note

NAME, EMAIL = "Jörg Schäfer", "joerg.schaefer@example.org"


def _file_bytes(ws) -> bytes:
    data = ws.path.read_bytes()
    for suffix in ("-wal", "-shm", "-journal"):
        extra = ws.path.with_name(ws.path.name + suffix)
        if extra.exists():
            data += extra.read_bytes()
    return data


def test_withdrawal_masks_once_built(sample_ws):
    withdraw_consent(sample_ws, "c003", user="anna", today=dt.date(2026, 1, 2))
    row = sample_ws.rows("contacts", ["c003"])["c003"]
    assert (row["consent"], row["consent_date"]) == ("false", "2026-01-02")
    from graph.people.privacy import mask_unconsented
    _v, loaded = load_workspace(sample_ws)
    mask_unconsented(loaded.graph)
    node = loaded.graph.node("contact:c003")
    assert node["label"] != NAME and "email" not in node


def test_consent_due_list(sample_ws):
    record_consent(sample_ws, "c003", purposes=["events"], source="Formular", expires="2026-01-10", user="a")
    record_consent(sample_ws, "c004", purposes=["events", "sharing"], source="E-Mail", expires="2026-02-20", user="a")
    record_consent(sample_ws, "c005", purposes=["matchmaking"], source="E-Mail", expires="2027-12-31", user="a")
    due = consent_due(sample_ws, within_days=60, today=dt.date(2026, 1, 15))
    assert [(d.id, d.status) for d in due] == [("c003", "expired"), ("c004", "expiring")]
    text = consent_due_csv(due)
    assert text.splitlines()[0] == "id,name,email,institution,consent_expires,status" and EMAIL in text
    with pytest.raises(EditError):
        record_consent(sample_ws, "c005", purposes=["spam"], source="x", user="a")


def test_erasure_leaves_no_trace_in_the_file(sample_ws):
    update_record(sample_ws, "contacts", "c003", {"role": "Leiter"}, user="anna", message=f"{NAME} befördert")
    update_record(sample_ws, "contacts", "c003", {"email": "j.schaefer@example.org"}, user="anna")
    add_note(sample_ws, "contacts", "c003", f"Telefonat mit {NAME}", user="anna")
    add_note(sample_ws, "institutions", "gkz-freiberg", f"Ansprechperson {NAME} ({EMAIL})", user="anna")
    assert NAME.encode() in _file_bytes(sample_ws)
    result = erase_person(sample_ws, "c003", user="dpo")
    assert result.version.source == "erase"
    data = _file_bytes(sample_ws)
    for secret in (NAME, EMAIL, "j.schaefer@example.org"):
        assert secret.encode("utf-8") not in data, secret
        assert secret.encode("utf-16-le") not in data, secret
    assert "c003" not in sample_ws.rows("contacts")
    assert [t["key"] for t in tombstones(sample_ws)] == ["c003"]
    assert state_at(sample_ws, 1)["contacts"]["c003"]["name"] == ERASED  # every version
    con = sqlite3.connect(sample_ws.path)
    assert con.execute("SELECT count(*) FROM attendance WHERE contact = 'c003'").fetchone()[0] == 0
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    _v, loaded = load_workspace(sample_ws)
    assert "contact:c003" not in loaded.graph.nx and loaded.report.ok
    assert last_undoable(sample_ws, "dpo") is None  # an erasure is not undone
    with pytest.raises(EditError):
        undo_last(sample_ws, user="anna")  # anna's edits of the erased person cannot come back


def test_erasing_an_unknown_person_is_refused(sample_ws):
    with pytest.raises(EditError) as exc:
        erase_person(sample_ws, "nobody", user="dpo")
    assert exc.value.status == 404


def test_a_revert_to_before_an_erasure_keeps_the_person_erased(sample_ws):
    from loaders.workspace import revert
    from loaders.workspace.history import RevertedVersion
    from loaders.workspace.store import WorkspaceError

    update_record(sample_ws, "projects", "BLP-01", {"region": "Vorher"}, user="anna")  # version 2
    update_record(sample_ws, "contacts", "c003", {"role": "Leiter"}, user="anna")  # version 3
    erase_person(sample_ws, "c003", user="dpo")  # version 4
    attended = [k for k, r in state_at(sample_ws, 1)["attendance"].items() if r["contact"] == "c003"]
    assert attended  # the sample has c003 at events: those rows stay gone too
    with pytest.raises(WorkspaceError, match="stay erased"):  # only the person differs: nothing to revert
        revert(sample_ws, 3, user="anna")
    version = revert(sample_ws, 1, user="anna")
    assert isinstance(version, RevertedVersion)
    assert set(version.kept_erased) == {"contacts/c003", *(f"attendance/{k}" for k in attended)}
    assert "erased persons stay erased: " in sample_ws.version(version.id).message
    assert "c003" not in sample_ws.rows("contacts")
    assert not [r for r in sample_ws.rows("attendance").values() if r["contact"] == "c003"]
    assert sample_ws.rows("projects", ["BLP-01"])["BLP-01"]["region"] == state_at(sample_ws, 1)["projects"]["BLP-01"]["region"]
    data = sample_ws.path.read_bytes()
    assert NAME.encode() not in data and ERASED.encode() not in b"".join(
        json.dumps(r, ensure_ascii=False).encode() for r in sample_ws.rows("contacts").values())
    _v, loaded = load_workspace(sample_ws)
    assert "contact:c003" not in loaded.graph.nx
