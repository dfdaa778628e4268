"""One-time links for large downloads (dashboard/download_links.py): a
parked file is fetched once, by the user who asked for it, within its
lifetime, and is gone afterwards; nothing else in the spool is reachable."""

from __future__ import annotations

import json
import os
import time

import pytest

from dashboard import download_links
from dashboard.app import create_app
from dashboard.settings import Settings
from loaders import SAMPLE_PATH, load


@pytest.fixture(scope="module")
def application():
    return create_app(load(SAMPLE_PATH).graph, Settings(is_sample=True))


def _park(application, content: bytes = b"a;b\n1;2\n", name: str = "liste.csv") -> str:
    with application.server.test_request_context("/"):
        return download_links.park(content, name, "text/csv")


def _token(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_a_parked_file_is_fetched_once_as_an_attachment(application):
    url = _park(application, b"x" * 300_000, "gross.csv")
    assert url.startswith(download_links.ROUTE)
    client = application.server.test_client()
    first = client.get(url)
    assert first.status_code == 200 and first.get_data() == b"x" * 300_000
    assert first.headers["Content-Disposition"] == "attachment; filename=gross.csv"
    assert first.headers["Cache-Control"] == "no-store" and first.mimetype == "text/csv"
    second = client.get(url)
    assert second.status_code == 404 and b"download" in second.get_data()
    spool = application.server.config[download_links.SPOOL_KEY]
    assert not any(spool.glob(_token(url) + "*")), "the file stays in the spool after its fetch"


def test_another_user_an_expired_link_and_made_up_tokens_get_nothing(application):
    client = application.server.test_client()
    spool = application.server.config[download_links.SPOOL_KEY]
    for change in ({"owner": "someone-else"}, {"created": time.time() - download_links.LIFETIME - 1}):
        url = _park(application)
        meta = spool / f"{_token(url)}.json"
        meta.write_text(json.dumps({**json.loads(meta.read_text()), **change}))
        assert client.get(url).status_code == 404, change
    for bad in ("short", "x" * 100, "a.json", "-" * 19, "..", "%2e%2e"):
        assert client.get(download_links.ROUTE + bad).status_code == 404, bad
    # a slash ends the route: Dash's page shell answers, never a file
    escaping = client.get(download_links.ROUTE + "..%2F..%2Fetc%2Fpasswd")
    assert "attachment" not in escaping.headers.get("Content-Disposition", "") and b"root:" not in escaping.get_data()
    assert oct(spool.stat().st_mode & 0o777) == "0o700"


def test_files_nobody_fetched_are_swept_when_the_next_one_is_parked(application):
    stale = _park(application)
    spool = application.server.config[download_links.SPOOL_KEY]
    old = time.time() - download_links.LIFETIME - 5
    for path in spool.glob(_token(stale) + "*"):
        os.utime(path, (old, old))
    fresh = _park(application)
    assert not any(spool.glob(_token(stale) + "*")) and any(spool.glob(_token(fresh) + "*"))


def test_the_inline_limit_is_configurable(monkeypatch):
    monkeypatch.delenv("PARTNERNETZ_INLINE_DOWNLOAD_KB", raising=False)
    assert download_links.inline_limit() == download_links.INLINE_LIMIT_KB * 1024
    monkeypatch.setenv("PARTNERNETZ_INLINE_DOWNLOAD_KB", "0")
    assert download_links.inline_limit() == 0
    monkeypatch.setenv("PARTNERNETZ_INLINE_DOWNLOAD_KB", "viel")
    assert download_links.inline_limit() == download_links.INLINE_LIMIT_KB * 1024


def test_spool_folders_of_killed_servers_are_removed_at_the_next_start(tmp_path):
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)  # a process that has exited
    orphan = tmp_path / f"{download_links.SPOOL_PREFIX}{dead_pid}-abc"
    orphan.mkdir()
    (orphan / "x.bin").write_bytes(b"left behind")
    mine = tmp_path / f"{download_links.SPOOL_PREFIX}{os.getpid()}-def"
    mine.mkdir()
    unrelated = tmp_path / f"{download_links.SPOOL_PREFIX}old-style"
    unrelated.mkdir()
    assert download_links.remove_orphaned_spools(tmp_path) == 1
    assert not orphan.exists() and mine.exists() and unrelated.exists()


def test_a_large_graph_download_is_rendered_into_the_spool_and_parked_without_a_copy(application, monkeypatch):
    """The whole graph leaves as a file written straight into the spool
    (``release(…, into=spool)``) and moved under its token: the same bytes as
    rendering it in memory, the audit record written, nothing else left over;
    a render that fails leaves nothing in the spool either."""
    from dashboard import downloads
    from loaders import egress

    monkeypatch.setenv("PARTNERNETZ_INLINE_DOWNLOAD_KB", "0")  # every file by link
    spool = application.server.config[download_links.SPOOL_KEY]
    records = []
    monkeypatch.setattr(downloads, "_audit", lambda settings: lambda **fields: records.append(fields) or fields)
    client = application.server.test_client()
    in_memory = egress.GraphPayload.render

    def refuse(*_args):
        raise AssertionError("the whole graph was rendered in memory")

    for fmt in ("gexf", "graphml", "csv"):
        before = set(spool.iterdir())
        with application.server.test_request_context("/"):
            payload = downloads.graph_payload(fmt, what="graph download", lang="de")
            monkeypatch.setattr(egress.GraphPayload, "render", refuse)
            answer = downloads.send(payload)
            monkeypatch.setattr(egress.GraphPayload, "render", in_memory)
            expected, name = payload.render(egress.decide(payload.contacts(), downloads.contact_rule()))
        assert answer["filename"] == name and records[-1]["fmt"] == fmt
        assert {p.name for p in set(spool.iterdir()) - before} == {f"{_token(answer['url'])}.bin",
                                                                    f"{_token(answer['url'])}.json"}
        fetched = client.get(answer["url"])
        assert fetched.status_code == 200 and len(fetched.get_data()) > 1000
        if fmt != "csv":  # (a zip's entries carry their time)
            assert fetched.get_data() == expected
    assert not [p for p in spool.iterdir() if p.name.startswith(".")]

    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("loaders.export.write_gexf", broken)
    with application.server.test_request_context("/"), pytest.raises(OSError, match="disk full"):
        downloads.send(downloads.graph_payload("gexf", what="graph download", lang="de"))
    assert not [p for p in spool.iterdir() if p.name.startswith(".")]
