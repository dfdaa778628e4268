"""``python app.py workspace …`` end to end (in-process through app.main, JSON shapes as documented)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

import app
from tests.helpers import write_table


def run(capsys, *argv) -> tuple[int, str, str]:
    code = app.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def ws_path(tmp_path, capsys) -> str:
    path = str(tmp_path / "ws.sqlite")
    code, out, _ = run(capsys, "workspace", "init", "--workspace", path)
    assert code == 0 and "version 1" in out
    return path


def test_init_empty_and_refuses_an_existing_file(tmp_path, capsys, ws_path):
    code, out, _ = run(capsys, "workspace", "init", "--empty", "--workspace", str(tmp_path / "e.sqlite"))
    assert code == 0 and "version 0" in out
    code, _, err = run(capsys, "workspace", "init", "--workspace", ws_path)
    assert code == 1 and "exists already" in err


def test_workspace_from_the_environment(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PARTNERNETZ_WORKSPACE", str(tmp_path / "env.sqlite"))
    assert run(capsys, "workspace", "init", "--empty")[0] == 0
    assert (tmp_path / "env.sqlite").is_file()


def test_dry_run_json_import_versions_diff_revert_export(tmp_path, capsys, ws_path):
    folder = tmp_path / "neu"
    write_table(folder, "projects", [["id", "title", "source"], ["CLI-1", "Projekt von der Kommandozeile", "https://example.org"]])
    code, out, _ = run(capsys, "workspace", "import", str(folder), "--mode", "update", "--dry-run", "--json", "--workspace", ws_path)
    preview = json.loads(out)
    assert code == 0 and preview["ok"] and preview["base"] == 1 and preview["mode"] == "update"
    assert preview["counts"] == {"projects": {"added": 1, "changed": 0, "removed": 0}}
    assert preview["report"]["tables"]["projects"] == {"read": 1, "accepted": 1, "rejected": 0}
    assert preview["changes"][0]["after"]["title"] == "Projekt von der Kommandozeile"
    assert set(preview) >= {"blocked", "token", "source", "manifest", "scope", "kept", "merges"}
    code, out, _ = run(capsys, "workspace", "versions", "--json", "--workspace", ws_path)
    assert json.loads(out)["head"] == 1  # the dry run changed nothing

    code, out, _ = run(capsys, "workspace", "import", str(folder), "--mode", "update", "--message", "neu", "--workspace", ws_path)
    assert code == 0 and "version 2" in out
    code, out, _ = run(capsys, "workspace", "versions", "--json", "--workspace", ws_path)
    versions = json.loads(out)
    assert versions["head"] == 2
    assert versions["versions"][0] | {"time": None} == {
        "id": 2, "parent": 1, "time": None, "user": versions["versions"][0]["user"], "message": "neu", "kind": "import",
        "counts": {"projects": {"added": 1, "changed": 0, "removed": 0, "rows": 25}}, "source": str(folder)}
    code, out, _ = run(capsys, "workspace", "diff", "1", "2", "--json", "--workspace", ws_path)
    diff = json.loads(out)
    assert (diff["from"], diff["to"], diff["counts"]) == (1, 2, {"projects": {"added": 1, "changed": 0, "removed": 0}})
    code, out, _ = run(capsys, "workspace", "diff", "1", "2", "--workspace", ws_path)
    assert "+ projects CLI-1" in out

    code, out, _ = run(capsys, "workspace", "revert", "1", "--workspace", ws_path)
    assert code == 0 and "version 3" in out
    code, out, _ = run(capsys, "workspace", "revert", "1", "--workspace", ws_path)
    assert code == 1

    audit = tmp_path / "audit.jsonl"
    code, out, err = run(capsys, "workspace", "export", "--version", "2", "--format", "csv", "--out", str(tmp_path / "v2.zip"),
                         "--audit-log", str(audit), "--workspace", ws_path)
    assert code == 0 and "partial export" in err
    with zipfile.ZipFile(tmp_path / "v2.zip") as zf:
        assert "CLI-1" in zf.read("projects.csv").decode("utf-8-sig")
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["workspace_version"] == 2 and manifest["partial"] is True
    code, out, err = run(capsys, "workspace", "export", "--format", "xlsx", "--full", "--out", str(tmp_path / "full.xlsx"),
                         "--audit-log", str(audit), "--workspace", ws_path)
    assert code == 0 and (tmp_path / "full.xlsx").is_file()
    entries = [json.loads(line) for line in audit.read_text().splitlines()]
    assert entries[-1]["what"].endswith("(full backup)") and entries[-1]["rows"] == 46
    assert entries[0]["rows"] == 38  # the plain export: contacts with consent only
    # the exported zip imports back into the workspace (replace) without changes
    code, out, err = run(capsys, "workspace", "import", str(tmp_path / "v2.zip"), "--dry-run", "--json", "--workspace", ws_path)
    back = json.loads(out)
    assert code == 0 and back["counts"] == {"projects": {"added": 1, "changed": 0, "removed": 0}}
    assert back["kept"]["contacts"] == 8


def test_errors_have_exit_codes(tmp_path, capsys, ws_path):
    code, out, err = run(capsys, "workspace", "import", str(tmp_path / "missing"), "--dry-run", "--json", "--workspace", ws_path)
    assert code == 2 and json.loads(out)["ok"] is False and "no such file" in err
    bad = tmp_path / "bad"
    write_table(bad, "projects", [["id", "title"], ["X", ""]])  # a required value missing
    code, out, err = run(capsys, "workspace", "import", str(bad), "--mode", "update", "--workspace", ws_path)
    assert code == 1 and "not published" in err
    code, _, err = run(capsys, "workspace", "versions", "--workspace", str(tmp_path / "nope.sqlite"))
    assert code == 2 and "no workspace file" in err
    code, _, err = run(capsys, "workspace", "diff", "1", "7", "--workspace", ws_path)
    assert code == 1 and "no version 7" in err


def test_revert_keeps_an_erased_person_erased(ws_path, capsys):
    from loaders.workspace import WorkspaceFile
    from loaders.workspace.consent import erase_person

    from loaders.workspace.editing import update_record

    ws = WorkspaceFile(ws_path)
    erase_person(ws, "c003", user="dpo")  # version 2
    code, out, err = run(capsys, "workspace", "revert", "1", "--workspace", ws_path)
    assert code != 0 and "stay erased" in err  # the person is all that differs: nothing to revert
    update_record(ws, "projects", "BLP-01", {"region": "Neu"}, user="anna")  # version 3
    code, out, err = run(capsys, "workspace", "revert", "1", "--workspace", ws_path)
    assert code == 0, err
    assert "erased persons stay erased" in out and "contacts/c003" in out
    assert "c003" not in ws.rows("contacts")
