"""Large downloads leave as one-time links, in Chromium: with the inline
limit at 0 every file is parked, the callback answers only with its link,
the browser saves the file from it (the same bytes, valid for the format),
each download writes one audit line, and the link is dead afterwards."""

from __future__ import annotations

import io
import json
import time
import zipfile

import openpyxl
import pytest

from loaders.audit import read_audit
from loaders.workspace.location import create_workspace
from tests.browser.browser_helpers import ServedApp, wait_for_dash

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def linked_app(tmp_path_factory):
    ws = create_workspace(tmp_path_factory.mktemp("ws") / "ws.sqlite", sample=True, user="test")
    audit = tmp_path_factory.mktemp("audit") / "audit.jsonl"
    app = ServedApp("--workspace", str(ws.path), "--audit-log", str(audit),
                    env={"PARTNERNETZ_INLINE_DOWNLOAD_KB": "0"}).wait(timeout=120)
    app.audit = audit
    yield app
    app.stop()


def _audit_lines(app) -> int:
    return len(read_audit(app.audit)) if app.audit.exists() else 0


def _download_via_link(page, button: str, target: str):
    """Click ``button``; return (the saved file's bytes, its name, the link
    the callback answered with into the download target ``target``)."""
    def answers_target(response) -> bool:
        return "_dash-update-component" in response.url and f"{target}.data" in (response.request.post_data or "")

    with page.expect_response(answers_target, timeout=120000) as answered:
        with page.expect_download(timeout=120000) as info:
            page.click(button)
    download = info.value
    content = open(download.path(), "rb").read()
    body = answered.value.body()
    assert len(body) < 2000 and b"base64" not in body, f"{button}: the file travelled inside the callback answer"
    link = json.loads(body)["response"][target]["data"]
    assert set(link) == {"url", "filename"}, link
    return content, download.suggested_filename, link


@pytest.mark.parametrize("button,target,check", [
    ("#data-btn-csv", "data-download", "zip"),
    ("#data-ws-dl-xlsx", "data-ws-download", "xlsx"),
])
def test_a_parked_download_arrives_once_and_is_audited(linked_app, page, button, target, check):
    page.goto(linked_app.url + "/daten")
    wait_for_dash(page)
    before = _audit_lines(linked_app)
    content, name, link = _download_via_link(page, button, target)
    assert name == link["filename"] and name.endswith("." + check)
    if check == "zip":
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            assert "projects.csv" in " ".join(zf.namelist()) and zf.testzip() is None
    else:
        assert "projects" in openpyxl.load_workbook(io.BytesIO(content)).sheetnames
    deadline = time.monotonic() + 30
    while _audit_lines(linked_app) < before + 1:  # the record is written before the link is sent
        assert time.monotonic() < deadline, "no audit line for the download"
        time.sleep(0.05)
    assert _audit_lines(linked_app) == before + 1
    again = page.request.get(linked_app.url + link["url"])
    assert again.status == 404, "a link is good for one fetch"
