"""Import previews: modes, the manifest rule, merged institutions, rejected rows, bad uploads, exports."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest

from graph.core.errors import LoadError
from loaders.workspace import (UploadError, export_bytes, load_workspace, make_preview, publish_preview,
                               stage_upload)
from tests.helpers import write_table


def _workbook(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


NEW_PROJECT = [["id", "title", "countries", "themes", "start", "source"],
               ["BLP-NEU", "Wasserpartnerschaft Neustadt", "TZA", "water", "2025", "https://example.org/neu"]]


def test_update_with_one_new_project_and_its_participation(sample_ws, tmp_path):
    book = _workbook(tmp_path / "neu.xlsx", {
        "projects": NEW_PROJECT,
        "participations": [["project", "institution", "role"], ["BLP-NEU", "hlft", "implementing"]],
    })
    preview = make_preview(sample_ws, book, mode="update")
    assert preview.ok, preview.blocked
    assert preview.report.ok, preview.report.to_text()
    assert {t: (c.read, c.accepted) for t, c in preview.report.tables.items()} == {"projects": (1, 1), "participations": (1, 1)}
    assert preview.counts == {"projects": {"added": 1, "changed": 0, "removed": 0},
                              "participations": {"added": 1, "changed": 0, "removed": 0}}
    publish_preview(sample_ws, preview.token, user="t", message="neu")
    _, result = load_workspace(sample_ws)
    assert "project:BLP-NEU" in result.graph.nx
    assert result.graph.nx.has_edge("institution:hlft", "project:BLP-NEU")


def test_replace_with_the_same_data_changes_nothing_and_removes_what_is_missing(sample_ws, tmp_path):
    preview = make_preview(sample_ws, "data/sample.xlsx", mode="replace")
    assert preview.changes == [] and "nothing to publish" in preview.blocked
    folder = tmp_path / "fewer"
    folder.mkdir()
    for f in Path("data/sample").glob("*.csv"):
        lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
        if f.stem == "themes":  # a table left out entirely stays as it is
            continue
        if f.stem == "events":
            lines = lines[:-1]  # the last event is gone
        (folder / f.name).write_text("".join(lines), encoding="utf-8")
    preview = make_preview(sample_ws, folder, mode="replace")
    assert "themes" not in preview.scope
    removed = {(c.table, c.key) for c in preview.changes if c.op == "delete"}
    assert ("events", "e09") in removed or len([k for t, k in removed if t == "events"]) == 1
    assert all(t in ("events", "attendance") for t, _ in removed)


def test_replace_from_a_partial_export_keeps_unconsented_contacts(sample_ws, tmp_path):
    unconsented = {k for k, r in sample_ws.rows("contacts").items() if r["consent"] != "true"}
    assert unconsented
    plain = export_bytes(sample_ws, fmt="csv")
    assert plain.manifest.partial
    with zipfile.ZipFile(io.BytesIO(plain.content)) as zf:
        assert json.loads(zf.read("manifest.json"))["omitted"] == ["contacts_without_consent"]
    folder = stage_upload([("export.zip", plain.content)], tmp_path)
    preview = make_preview(sample_ws, folder, mode="replace")
    assert preview.changes == []
    assert preview.kept["contacts"] == len(unconsented)
    # the same files without the manifest: replacing would remove them (and the preview says so)
    (folder / "manifest.json").unlink()
    preview = make_preview(sample_ws, folder, mode="replace")
    assert {c.key for c in preview.changes if c.table == "contacts" and c.op == "delete"} == unconsented


def test_full_export_round_trips_exactly(sample_ws, tmp_path):
    for fmt in ("xlsx", "csv"):
        full = export_bytes(sample_ws, fmt=fmt, full=True)
        assert not full.manifest.partial and len(full.contact_ids) == 46
        target = tmp_path / fmt
        target.mkdir()
        path = stage_upload([(full.filename, full.content)], target)
        assert make_preview(sample_ws, path, mode="replace").changes == [], fmt


def test_an_institution_under_another_id_is_merged_by_name(sample_ws, tmp_path):
    hlft = sample_ws.rows("institutions", ["hlft"])["hlft"]
    folder = tmp_path / "other-id"
    write_table(folder, "institutions", [["id", "name", "city", "source"], ["hlft-2", hlft["name"], "Darmstadt", "https://example.org"]])
    preview = make_preview(sample_ws, folder, mode="update")
    assert preview.merges == [{"from": "hlft-2", "into": "hlft", "by": preview.merges[0]["by"], "name": hlft["name"]}]
    assert preview.merges[0]["by"].startswith(("name:", "known:"))
    assert all(c.key == "hlft" for c in preview.changes if c.table == "institutions")


def test_rejected_rows_do_not_delete_their_records_in_replace_mode(sample_ws, tmp_path):
    folder = tmp_path / "bad-row"
    folder.mkdir()
    for f in Path("data/sample").glob("*.csv"):
        (folder / f.name).write_bytes(f.read_bytes())
    text = (folder / "projects.csv").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    header = lines[0].rstrip("\r\n").split(",")
    assert "title" in header
    # empty the required title of BLP-01 (an optional value like the phase no longer rejects a row):
    # the row is rejected, the project must stay
    import csv
    rows = list(csv.reader(io.StringIO(text)))
    i = rows[0].index("title")
    for r in rows[1:]:
        if r[0] == "BLP-01":
            r[i] = ""
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    (folder / "projects.csv").write_text(buf.getvalue(), encoding="utf-8")
    preview = make_preview(sample_ws, folder, mode="replace")
    assert not preview.report.ok
    assert ("projects", "BLP-01") not in {(c.table, c.key) for c in preview.changes if c.op == "delete"}
    assert preview.kept.get("projects") == 1


@pytest.mark.parametrize("files, message", [
    ([("a.txt", b"hello")], "unknown file type"),
    ([("a.xlsx", b"not a workbook")], "not an .xlsx workbook"),
    ([("a.zip", b"PK\x03\x04garbage")], "not a readable ZIP"),
    ([("a.zip", b"")], "not a readable ZIP"),
    ([("a.xlsx", b"PK" + b"x" * 2000)], "upload limit"),
    ([("a.csv", b"id\n1"), ("b.xlsx", b"PK")], "not a mix"),
])
def test_bad_uploads_are_refused_with_a_clear_message(tmp_path, files, message):
    with pytest.raises(UploadError, match=message):
        stage_upload(files, tmp_path, limit=1000)


def test_zip_without_csv_and_corrupt_workbook(sample_ws, tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "nothing")
    with pytest.raises(UploadError, match="no .csv file"):
        stage_upload([("x.zip", buf.getvalue())], tmp_path)
    broken = stage_upload([("broken.xlsx", b"PK\x03\x04" + b"\0" * 100)], tmp_path)
    with pytest.raises(LoadError):
        make_preview(sample_ws, broken)
    assert sample_ws.head() == 1


def test_all_rows_rejected_cannot_be_published(sample_ws, tmp_path):
    before = sample_ws.state()
    folder = tmp_path / "all-bad"
    write_table(folder, "projects", [["id", "title"], ["X1", ""], ["X2", ""]])
    preview = make_preview(sample_ws, folder, mode="update")
    assert not preview.ok and "none of the 2 rows" in preview.blocked
    assert preview.report.tables["projects"].rejected == 2
    empty = tmp_path / "empty"
    write_table(empty, "projects", [["id", "title"]])
    assert "no data rows" in make_preview(sample_ws, empty, mode="update").blocked
    assert preview.token is None and sample_ws.head() == 1 and sample_ws.state() == before  # nothing changed
