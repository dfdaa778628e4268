"""Editing single records: the loader's validation, one version per save, undo, history."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from loaders.workspace import load_workspace
from loaders.workspace.editing import (
    EditError, create_record, create_records, delete_record, delete_records, record_history, undo_last, update_record,
    validate_row,
)


def _codes(exc: EditError) -> dict:
    return {p.column: p.code for p in exc.problems}


def test_update_is_one_version_with_user_message_and_journal(sample_ws):
    before = sample_ws.head()
    result = update_record(sample_ws, "institutions", "hlft", {"sector": "Wissenschaft"}, user="anna", message="Sektor")
    v = result.version
    assert (v.id, v.kind, v.user, v.message, v.source) == (before + 1, "edit", "anna", "Sektor", "edit")
    assert result.row["sector"] == "Wissenschaft"  # stored as typed; the loader reads the German label
    entries = sample_ws.journal(before)
    assert [(t, k, op) for _v, t, k, op, _b, _a in entries] == [("institutions", "hlft", "update")]
    _version, loaded = load_workspace(sample_ws)
    assert loaded.graph.node("institution:hlft")["sector"] == "science"


def test_validation_uses_the_loader_messages(sample_ws):
    with pytest.raises(EditError) as exc:
        create_record(sample_ws, "projects", {"id": "BLP-NEW", "title": "", "countries": "Atlantis",
                                              "programme": "no-such", "phase": "IV"}, user="anna")
    codes = _codes(exc.value)
    assert codes == {"title": "required", "countries": "invalid", "programme": "unknown_ref", "phase": "invalid"}
    messages = {p.column: p.message for p in exc.value.problems}
    assert messages["title"] == "required value 'title' is empty"
    assert "unknown programmes id 'no-such'" in messages["programme"]
    assert "'IV' is not a known phase" in messages["phase"]
    assert sample_ws.head() == 1  # nothing saved


def test_optional_bad_values_are_refused_not_dropped(sample_ws):
    with pytest.raises(EditError) as exc:
        update_record(sample_ws, "contacts", "c001", {"email": "kein-at-zeichen"}, user="anna")
    assert _codes(exc.value) == {"email": "invalid"}
    _row, problems, warnings = validate_row(sample_ws, "events", {"id": "e9", "title": "T", "date": "ca. 2018"})
    assert not problems and warnings[0].message.startswith("read as 2018")


def test_unknown_column_and_table(sample_ws):
    with pytest.raises(EditError) as exc:
        update_record(sample_ws, "institutions", "hlft", {"colour": "red"}, user="a")
    assert exc.value.problems[0].code == "unknown_column"
    with pytest.raises(EditError) as exc:
        update_record(sample_ws, "nope", "x", {}, user="a")
    assert exc.value.status == 404


def test_create_duplicate_and_id_change_refused(sample_ws):
    with pytest.raises(EditError) as exc:
        create_record(sample_ws, "institutions", {"id": "hlft", "name": "X"}, user="a")
    assert _codes(exc.value) == {"id": "duplicate"}
    with pytest.raises(EditError) as exc:
        update_record(sample_ws, "institutions", "hlft", {"id": "hlft2"}, user="a")
    assert _codes(exc.value) == {"id": "key_change"}


def test_link_row_key_change_replaces_the_row(sample_ws):
    update_record(sample_ws, "participations", "BLP-01|fta-eth|partner", {"role": "lead"}, user="a")
    rows = sample_ws.rows("participations")
    assert "BLP-01|fta-eth|lead" in rows and "BLP-01|fta-eth|partner" not in rows


def test_delete_refuses_referenced_records_unless_cascade(sample_ws):
    with pytest.raises(EditError) as exc:
        delete_record(sample_ws, "institutions", "hlft", user="a")
    assert exc.value.problems[0].code == "referenced" and "participations" in exc.value.problems[0].message
    result = delete_record(sample_ws, "institutions", "hlft", user="a", cascade=True)
    tables = {c.table for c in result.changes}
    assert {"institutions", "participations", "contacts"} <= tables
    _v, loaded = load_workspace(sample_ws)
    assert "institution:hlft" not in loaded.graph.nx and loaded.report.ok


def test_undo_is_a_new_version_and_per_user(sample_ws):
    update_record(sample_ws, "projects", "BLP-01", {"phase": "III"}, user="anna")
    update_record(sample_ws, "projects", "BLP-02", {"phase": "III"}, user="ben")
    undo = undo_last(sample_ws, user="anna")
    assert undo.version.source == "undo:2" and undo.version.id == 4
    assert sample_ws.rows("projects", ["BLP-01"])["BLP-01"]["phase"] == "II"
    assert sample_ws.rows("projects", ["BLP-02"])["BLP-02"]["phase"] == "III"  # ben's change stays
    with pytest.raises(EditError) as exc:
        undo_last(sample_ws, user="anna")
    assert exc.value.problems[0].code == "nothing_to_undo"


def test_undo_refused_when_the_row_changed_again(sample_ws):
    update_record(sample_ws, "projects", "BLP-01", {"phase": "III"}, user="anna")
    update_record(sample_ws, "projects", "BLP-01", {"phase": "pilot"}, user="ben")
    with pytest.raises(EditError) as exc:
        undo_last(sample_ws, user="anna")
    assert exc.value.problems[0].code == "conflict"


def test_history_of_a_record_and_its_relations(sample_ws):
    update_record(sample_ws, "institutions", "hlft", {"city": "Darmstadt"}, user="anna", message="umgezogen")
    create_record(sample_ws, "participations", {"project": "BLP-02", "institution": "hlft", "role": "partner"}, user="ben")
    history = record_history(sample_ws, "institutions", "hlft")
    assert [(h.version, h.table, h.op, h.user) for h in history[:2]] == [(3, "participations", "insert", "ben"),
                                                                          (2, "institutions", "update", "anna")]
    assert ("city", "Groß-Gerau", "Darmstadt") in history[1].fields and history[1].message == "umgezogen"


def test_expired_consent_masks(sample_ws):
    update_record(sample_ws, "contacts", "c001", {"consent_expires": "2020-01-01", "consent_purposes": "events"}, user="a")
    _v, loaded = load_workspace(sample_ws)
    node = loaded.graph.node("contact:c001")
    assert node["consent"] is False and node["consent_expired"] is True
    with pytest.raises(EditError) as exc:
        update_record(sample_ws, "contacts", "c001", {"consent_purposes": "spam"}, user="a")
    assert _codes(exc.value) == {"consent_purposes": "invalid"}


def test_old_workspace_files_get_new_columns(tmp_path, sample_ws):
    con = sqlite3.connect(sample_ws.path)
    con.execute('ALTER TABLE contacts DROP COLUMN "consent_expires"')
    con.execute("DROP TABLE notes")
    con.commit()
    con.close()
    from loaders.workspace import WorkspaceFile
    ws = WorkspaceFile(sample_ws.path)
    assert ws.rows("contacts", ["c001"])["c001"]["consent_expires"] == ""


def test_batch_create_is_all_or_nothing(sample_ws):
    with pytest.raises(EditError) as exc:
        create_records(sample_ws, "themes", [{"id": "t1", "name_de": "Eins"}, {"id": "t2", "name_de": ""}], user="a")
    assert exc.value.problems[0].message == "row 2: required value 'name_de' is empty"
    assert "t1" not in sample_ws.rows("themes")
    result = create_records(sample_ws, "themes", [{"id": "t1", "name_de": "Eins"}, {"id": "t2", "name_de": "Zwei"}], user="a")
    assert len(result.changes) == 2 and result.version.id == 2
    delete_records(sample_ws, "themes", ["t1", "t2"], user="a")
    assert "t1" not in sample_ws.rows("themes")
    with pytest.raises(EditError) as exc:
        delete_records(sample_ws, "institutions", ["hlft"], user="a")
    assert exc.value.problems[0].code == "referenced"
