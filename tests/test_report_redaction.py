"""No load-report message shows a contact field beyond the contact's id:
on the Daten page, in the workspace's upload preview, and in ``check``
(text and JSON) — tested with an unconsented contact whose e-mail is
malformed (the finding quoted it raw) and a consented one with a bad
language."""

from __future__ import annotations

import json

import pytest

import app as cli
from dashboard.app import create_app
from dashboard.settings import Settings
from graph.people.privacy import mask_unconsented
from loaders import load
from loaders.workspace import make_preview
from loaders.workspace.location import create_workspace
from tests.helpers import MINI_INSTITUTIONS, MINI_PROJECTS, write_table

SECRETS = ("Hanna Heimlich", "hanna.heimlich(at)privat", "+49 170 1234567", "Otto Offen", "otto(at)offen", "Klingonisch")


@pytest.fixture
def dataset(tmp_path):
    folder = tmp_path / "data"
    write_table(folder, "institutions", MINI_INSTITUTIONS)
    write_table(folder, "projects", MINI_PROJECTS)
    write_table(folder, "contacts", [
        ["id", "name", "institution", "role", "email", "themes", "consent", "phone"],
        # no consent, malformed e-mail, a phone number in an unknown column
        ["c1", "Hanna Heimlich", "uni-a", "Referentin", "hanna.heimlich(at)privat", "de", "", "+49 170 1234567"],
        # consent, but a malformed e-mail and an unknown theme: still only the id in the report
        ["c2", "Otto Offen", "ngo-b", "Leiter", "otto(at)offen", "Klingonisch", "ja", ""],
        # a duplicate id: the error names the id (allowed) and nothing else of the row
        ["c2", "Otto Offen", "ngo-b", "Leiter", "", "", "ja", ""],
    ])
    return folder


def _problem_text(report) -> str:
    return "\n".join(str(p) for p in report.problems) + json.dumps(report.to_dict(), ensure_ascii=False)


def test_the_loader_keeps_the_finding_but_only_the_id(dataset):
    report = load(dataset).report
    text = _problem_text(report)
    for secret in SECRETS:
        assert secret not in text, secret
    contact_findings = [p for p in report.problems if p.file.endswith("contacts.csv") and p.row]
    assert {(p.row, p.column) for p in contact_findings} >= {(2, "email"), (3, "email"), (3, "themes"), (4, "id")}
    assert any(p.column == "id" and p.value == "c2" for p in contact_findings)  # the id stays


def test_daten_page_shows_no_contact_field(dataset):
    result = load(dataset)
    mask_unconsented(result.graph)
    application = create_app(result.graph, Settings(is_sample=False, data_paths=(str(dataset),)), report=result.report)
    from dashboard.pages import data as page

    with application.server.test_request_context("/daten"):
        rendered = json.dumps(page.layout(lang="de").to_plotly_json(), ensure_ascii=False, default=str)
    assert "does not look like an e-mail address" in rendered  # the finding is shown …
    for secret in SECRETS:
        assert secret not in rendered, secret  # … without the person's data


def test_workspace_preview_shows_no_contact_field(dataset, tmp_path):
    from dashboard.pages import workspace_panel as wp

    ws = create_workspace(tmp_path / "ws.sqlite", sample=True, user="t")
    preview = make_preview(ws, dataset, mode="update")
    rendered = json.dumps(wp.preview_view(preview, "de").to_plotly_json(), ensure_ascii=False, default=str)
    assert "c1" in rendered and "does not look like an e-mail address" in rendered
    for secret in SECRETS:
        assert secret not in _problem_text(preview.report), secret
        if secret != "Klingonisch":  # the new theme itself is listed among the changes: a theme, not a person
            assert secret not in rendered, secret


@pytest.mark.parametrize("as_json", [False, True])
def test_check_prints_no_contact_field(dataset, capsys, as_json):
    code = cli.main(["check", str(dataset), *(["--json"] if as_json else [])])
    out = capsys.readouterr().out
    assert code == cli.EXIT_ERRORS and "contacts.csv" in out  # the duplicate id is an error
    for secret in SECRETS:
        assert secret not in out, secret


def test_snapshot_problems_of_a_contact_name_only_its_id():
    from loaders.redaction import store_problem

    assert store_problem("node contact:c9: value 'Hanna Heimlich' has a bad type") == \
        "node contact:c9: skipped (details hidden: personal data)"
    assert "Hanna" not in store_problem("edge contact:c9 -works_at-> institution:u: bad role 'Hanna'")
    assert store_problem("edge project:p -in-> country:X: bad year 'x'").endswith("bad year 'x'")


def test_the_changes_grid_hides_contact_values():
    from dashboard.pages.workspace_panel import HIDDEN, change_rows
    from loaders.workspace import Change

    rows = change_rows([Change("contacts", "c1", "update", {"id": "c1", "email": "a@x.org"}, {"id": "c1", "email": "b@x.org"}),
                        Change("contacts", "c2", "delete", {"id": "c2", "name": "Hanna Heimlich"}, None),
                        Change("projects", "P1", "update", {"id": "P1", "title": "a"}, {"id": "P1", "title": "b"})], "de")
    text = json.dumps(rows, ensure_ascii=False)
    assert "a@x.org" not in text and "b@x.org" not in text and "Hanna" not in text
    assert rows[0]["column"] == "email" and rows[0]["before"] == HIDDEN and rows[1]["key"] == "c2"
    assert (rows[2]["before"], rows[2]["after"]) == ("a", "b")
