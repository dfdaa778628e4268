"""The Daten page's workspace section: view builders (no browser) and the notices."""

from __future__ import annotations

from dashboard.app import create_app
from dashboard.pages import workspace_panel as wp
from dashboard.settings import Settings
from loaders.workspace import Change, WorkspaceFile, load_workspace, make_preview
from tests.helpers import write_table


def _text(component) -> str:
    """All strings of a Dash component tree."""
    if component is None:
        return ""
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return " ".join(_text(c) for c in component)
    children = getattr(component, "children", None)
    return _text(children)


def test_change_rows_one_per_changed_field_and_capped():
    changes = [Change("projects", "P1", "update", {"id": "P1", "title": "a", "status": "x"}, {"id": "P1", "title": "b", "status": "y"}),
               Change("institutions", "i", "insert", None, {"id": "i", "name": "Neue Institution"}),
               Change("themes", "t", "delete", {"id": "t", "name_de": "Thema"}, None)]
    rows = wp.change_rows(changes, "de")
    assert [(r["op"], r["key"], r["column"], r["before"], r["after"]) for r in rows] == [
        ("~ geändert", "P1", "title", "a", "b"), ("~ geändert", "P1", "status", "x", "y"),
        ("+ neu", "i", "", "", "Neue Institution"), ("− entfernt", "t", "", "id: t; name_de: Thema", "")]
    assert len(wp.change_rows(changes * 10, "en", limit=7)) == 7
    assert wp.change_rows(changes, "en")[0]["op"] == "~ changed"


def test_version_rows_and_preview_view(sample_ws, tmp_path):
    [row] = wp.version_rows(sample_ws.versions(), "de")
    assert row["id"] == 1 and row["kind"] == "Import" and "Projekte +24 ~0 −0" in row["summary"]
    folder = tmp_path / "same"
    write_table(folder, "projects", [["id", "title"], ["X", ""]])  # a required value missing
    preview = make_preview(sample_ws, folder, mode="update")
    assert preview.blocked_code == "all_rejected" and preview.token is None
    text = _text(wp.preview_view(preview, "de"))
    assert "Keine der 1 Zeilen konnte übernommen werden" in text and "Ergänzen" in text


def test_section_in_read_only_and_workspace_mode(sample_ws):
    _, result = load_workspace(sample_ws)
    readonly = create_app(result.graph, Settings(is_sample=False))
    with readonly.server.test_request_context("/daten"):
        assert "nur gelesen" in _text(wp.section("de"))
    served = create_app(result.graph, Settings(is_sample=False, workspace=str(sample_ws.path)))
    with served.server.test_request_context("/daten"):
        section = wp.section("en")
        assert "Edit the data: workspace" in _text(section)
    sample_ws.path.unlink()  # the file disappears while serving: the page says so instead of failing
    with served.server.test_request_context("/daten"):
        assert "no workspace file" in _text(wp.section("en"))


def test_query_mode_says_the_workspace_is_embedded_only(sample_ws):
    from graph.store import MemoryStore

    _, result = load_workspace(sample_ws)

    class QueryStore(MemoryStore):  # what the Daten page looks at: a store answering from a primary database
        primary = object()

    app = create_app(result.graph, Settings(is_sample=False), store=QueryStore(result.graph))
    with app.server.test_request_context("/daten"):
        text = _text(wp.section("de"))
    assert "brauchen einen Arbeitsbereich" in text and "--workspace" in text
    app = create_app(result.graph, Settings(is_sample=False, workspace=str(sample_ws.path)),
                     store=QueryStore(result.graph))
    with app.server.test_request_context("/daten"):
        text = _text(wp.section("de"))
    # the panel works; it says what goes to Neo4j and what is embedded-only, and a broken shared history is an error line
    assert "gemeinsamen Verlauf" in text and "Nur in dieser Instanz" in text
    assert "Gemeinsamer Verlauf in Neo4j" in text and "could not be read" in text


def test_full_backup_only_when_allowed_audited_and_the_plain_download_is_partial(sample_ws, tmp_path, monkeypatch):
    import io
    import json
    import zipfile

    from dashboard import auth

    audit = tmp_path / "audit.jsonl"
    settings = Settings(is_sample=False, workspace=str(sample_ws.path), audit_log=str(audit))
    unconsented = {k for k, r in sample_ws.rows("contacts").items() if r["consent"] != "true"}
    assert unconsented  # the sample has contacts without consent

    def contact_ids(content: bytes) -> set[str]:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            text = zf.read("contacts.csv").decode("utf-8-sig")
            manifest = json.loads(zf.read("manifest.json"))
        ids = {line.split(",")[0] for line in text.splitlines()[1:]}
        return ids, manifest

    full = wp.download_version(sample_ws, 1, fmt="csv", full=True, settings=settings, user="anna")
    ids, manifest = contact_ids(full.content)
    assert unconsented <= ids and not manifest["partial"]
    plain = wp.download_version(sample_ws, 1, fmt="csv", full=False, settings=settings, user="anna")
    ids, manifest = contact_ids(plain.content)
    assert not unconsented & ids and manifest["partial"] and manifest["omitted"]
    log = [json.loads(line) for line in audit.read_text().splitlines()]
    assert [e["what"] for e in log] == ["workspace version 1 full backup", "workspace version 1"]
    assert log[0]["user"] == "anna" and set(log[0]["contact_ids"]) >= {f"contact:{k}" for k in unconsented}

    # someone not allowed to see personal data asks for the full backup: gets the partial one
    monkeypatch.setattr(wp, "may_see_personal_data", lambda settings: False)
    forged = wp.download_version(sample_ws, 1, fmt="xlsx", full=True, settings=settings, user="bob")
    assert forged.manifest.partial and "full backup" not in audit.read_text().splitlines()[-1]
    served = create_app(load_workspace(sample_ws)[1].graph, settings)
    with served.server.test_request_context("/daten"):
        assert wp.ID.FULL not in str(wp.section("de"))  # no full-backup toggle for them
    monkeypatch.undo()
    with served.server.test_request_context("/daten"):
        assert wp.ID.FULL in str(wp.section("de"))
