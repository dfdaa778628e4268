"""The workspace file: publish, journal reconstruction of every version, diff between versions, revert, concurrency."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from loaders.workspace import (ConflictError, WorkspaceError, WorkspaceFile, diff_versions, load_workspace,
                               make_preview, publish_preview, revert, state_at)
from loaders.workspace.diff import Change, diff_states, summarise
from loaders.workspace.location import create_workspace
from tests.helpers import write_table


def _edit(ws: WorkspaceFile, table: str, key: str, **fields) -> int:
    row = ws.rows(table, [key])[key]
    after = {**row, **fields}
    return ws.publish([Change(table, key, "update", row, after)], base=ws.head(), user="t", message=f"edit {key}",
                      kind="edit").id


def test_create_is_version_zero_and_empty(tmp_path):
    ws = WorkspaceFile.create(tmp_path / "w.sqlite")
    assert ws.head() == 0 and ws.versions() == []
    assert all(n == 0 for n in ws.row_counts().values())
    with pytest.raises(WorkspaceError, match="exists already"):
        WorkspaceFile.create(tmp_path / "w.sqlite")


def test_not_a_workspace_is_refused(tmp_path):
    (tmp_path / "x.sqlite").write_bytes(b"hello, not a database" * 100)
    with pytest.raises(WorkspaceError, match="not a Partnernetz workspace"):
        WorkspaceFile(tmp_path / "x.sqlite")
    sqlite3.connect(tmp_path / "y.sqlite").execute("CREATE TABLE t (a)").connection.close()
    with pytest.raises(WorkspaceError, match="not a Partnernetz workspace"):
        WorkspaceFile(tmp_path / "y.sqlite")
    with pytest.raises(WorkspaceError, match="no workspace file"):
        WorkspaceFile(tmp_path / "missing.sqlite")


def test_sample_workspace_serves_the_same_graph_as_the_csv(sample_ws, sample_graph):
    version, result = load_workspace(sample_ws)
    assert version == 1 and result.report.ok
    assert result.graph.counts_by_kind() == sample_graph.counts_by_kind()
    assert result.graph.edge_counts_by_kind() == sample_graph.edge_counts_by_kind()
    assert set(result.graph.nx.nodes) == set(sample_graph.nx.nodes)


@pytest.mark.parametrize("bulk", [False, True], ids=["row-journal", "bulk-first-import"])
def test_every_version_is_reconstructed_from_the_journal(tmp_path, monkeypatch, bulk):
    """Also when the first import is journalled as one snapshot entry per table."""
    if bulk:
        monkeypatch.setattr(WorkspaceFile, "bulk_rows", 10)
    sample_ws = create_workspace(tmp_path / "ws.sqlite", sample=True, user="test")
    with sqlite3.connect(sample_ws.path) as con:
        ops = dict(con.execute("SELECT op, count(*) FROM journal WHERE version = 1 GROUP BY op").fetchall())
    if bulk:  # the big tables are one entry each, the small ones (themes: 9 rows) row by row
        assert ops["snapshot"] >= 3 and ops["insert"] < 50, ops
    else:
        assert "snapshot" not in ops and ops["insert"] > 300, ops
    states = {1: sample_ws.state()}
    _edit(sample_ws, "projects", "BLP-01", title="Neu 1")
    states[2] = sample_ws.state()
    row = sample_ws.rows("themes", ["water"])["water"]
    sample_ws.publish([Change("themes", "water", "delete", row, None),
                       Change("themes", "new", "insert", None, {**row, "id": "new", "name_de": "Neu"})],
                      base=2, user="t", message="swap", kind="edit")
    states[3] = sample_ws.state()
    _edit(sample_ws, "projects", "BLP-01", title="Neu 2", status="completed")
    states[4] = sample_ws.state()
    revert(sample_ws, 2, user="t")
    states[5] = sample_ws.state()
    assert states[5] == states[2]
    for n, state in states.items():
        assert state_at(sample_ws, n) == state, n
    assert all(not rows for rows in state_at(sample_ws, 0).values())
    # the diff between any two versions turns one state into the other
    for a in states:
        for b in states:
            changes = diff_versions(sample_ws, a, b)
            assert changes == diff_states(states[a], states[b]), (a, b)


def test_a_bulk_first_import_reverts_to_empty_and_old_files_keep_the_row_journal(tmp_path, monkeypatch, mini):
    monkeypatch.setattr(WorkspaceFile, "bulk_rows", 1)
    ws = WorkspaceFile.create(tmp_path / "ws.sqlite")
    publish_preview(ws, make_preview(ws, mini).token, user="t", message="first")
    filled = ws.state()
    assert {op for _v, _t, _k, op, _b, _a in ws.journal(0)} == {"snapshot"}
    assert ws.version(1).counts["projects"]["added"] == len(filled["projects"]) > 0
    assert [c.op for c in diff_versions(ws, 0, 1)] == ["insert"] * sum(map(len, filled.values()))
    revert(ws, 0, user="t")
    assert all(not rows for rows in ws.state().values())
    assert state_at(ws, 1) == filled and diff_versions(ws, 2, 1) == diff_versions(ws, 0, 1)
    # a file whose journal predates snapshots (op limited to insert/update/delete) keeps one entry per row
    old = tmp_path / "old.sqlite"
    WorkspaceFile.create(old)
    with sqlite3.connect(old) as con:
        con.execute("PRAGMA writable_schema=ON")
        con.execute("UPDATE sqlite_master SET sql = replace(sql, ',''snapshot''', '') WHERE name = 'journal'")
    old_ws = WorkspaceFile(old)
    publish_preview(old_ws, make_preview(old_ws, mini).token, user="t", message="first")
    assert {op for _v, _t, _k, op, _b, _a in old_ws.journal(0)} == {"insert"}
    assert state_at(old_ws, 1) == filled


def test_field_level_diff_and_counts(sample_ws):
    _edit(sample_ws, "projects", "BLP-01", title="Geändert", status="completed")
    [change] = diff_versions(sample_ws, 1, 2)
    assert change.op == "update" and change.key == "BLP-01"
    assert {c for c, _, _ in change.fields()} == {"title", "status"}
    assert dict((c, a) for c, _, a in change.fields())["title"] == "Geändert"
    assert sample_ws.version(2).counts == {"projects": {"added": 0, "changed": 1, "removed": 0, "rows": 24}}


def test_revert_is_a_new_version_and_leaves_history_alone(sample_ws):
    _edit(sample_ws, "projects", "BLP-01", title="Geändert")
    v = revert(sample_ws, 1, user="anna")
    assert (v.id, v.kind, v.parent, v.user) == (3, "revert", 2, "anna")
    assert sample_ws.rows("projects", ["BLP-01"])["BLP-01"]["title"] != "Geändert"
    assert state_at(sample_ws, 2)["projects"]["BLP-01"]["title"] == "Geändert"
    with pytest.raises(WorkspaceError, match="nothing to revert"):
        revert(sample_ws, 3, user="anna")
    with pytest.raises(WorkspaceError, match="no version 9"):
        revert(sample_ws, 9, user="anna")


def test_publish_against_an_old_head_is_refused(sample_ws, tmp_path):
    folder = tmp_path / "one"
    write_table(folder, "projects", [["id", "title", "source"], ["NEW-1", "Neues Projekt", "https://example.org"]])
    first = make_preview(sample_ws, folder, mode="update")
    second = make_preview(sample_ws, folder, mode="update")
    assert first.base == second.base == 1
    publish_preview(sample_ws, first.token, user="a", message="first")
    with pytest.raises(ConflictError, match="against version 1, but version 2"):
        publish_preview(sample_ws, second.token, user="b", message="second")
    assert sample_ws.head() == 2
    with pytest.raises(WorkspaceError, match="expired or was published"):
        publish_preview(sample_ws, first.token, user="a", message="again")


def test_a_failed_publish_changes_nothing(sample_ws):
    before = sample_ws.state()
    bad = [Change("projects", "BLP-01", "update", {}, {"title": "x"}), Change("projects", "BLP-02", "insert", None, {"id": "BLP-02"})]
    with pytest.raises(sqlite3.IntegrityError):  # BLP-02 exists: the whole version is rolled back
        sample_ws.publish(bad, base=1, user="t", message="m", kind="edit")
    assert sample_ws.head() == 1 and sample_ws.state() == before
    with pytest.raises(WorkspaceError, match="nothing to publish"):
        sample_ws.publish([], base=1, user="t", message="m", kind="edit")


def test_summarise_counts_per_table():
    changes = [Change("projects", "a", "insert", None, {}), Change("projects", "b", "delete", {}, None),
               Change("themes", "c", "update", {"x": "1"}, {"x": "2"})]
    assert summarise(changes) == {"themes": {"added": 0, "changed": 1, "removed": 0},
                                  "projects": {"added": 1, "changed": 0, "removed": 1}}
