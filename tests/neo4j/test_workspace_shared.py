"""Query mode and the workspace: a publish pushes the version to Neo4j and
records it there, so several app instances see one history (FalkorDB test
server by default, Neo4j with NEO4J_TEST_URI)."""

from __future__ import annotations

import os
import threading

import pytest

from graph.core.errors import StoreError
from loaders.workspace import make_preview, publish_preview, revert
from loaders.workspace.location import create_workspace
from loaders.workspace.shared_history import (RECORD_LABEL, publish_to_store, record_version, shared_versions,
                                              summary_line)
from tests.helpers import write_table

pytestmark = pytest.mark.neo4j


@pytest.fixture
def clean_peer(peer):
    """The server without earlier version records (a real Neo4j keeps nodes without the Partnernetz label)."""
    peer.run(f"MATCH (n:{RECORD_LABEL}) DETACH DELETE n")
    peer.run("MATCH (n:PartnernetzHistory) DETACH DELETE n")
    return peer


def _new_project(ws, tmp_path, pid: str, title: str):
    folder = tmp_path / pid
    write_table(folder, "projects", [["id", "title", "countries", "themes", "start", "source"],
                                     [pid, title, "TZA", "water", "2025", "https://example.org"]])
    write_table(folder, "participations", [["project", "institution", "role"], [pid, "hlft", "implementing"]])
    preview = make_preview(ws, folder, mode="update")
    return publish_preview(ws, preview.token, user="anna", message=f"neu: {title}")


def test_two_instances_publish_into_one_neo4j_and_see_one_history(clean_peer, tmp_path):
    peer = clean_peer
    a = create_workspace(tmp_path / "a.sqlite", sample=True, user="a")
    b = create_workspace(tmp_path / "b.sqlite", sample=True, user="b")
    store_a, store_b = peer.store(), peer.store()  # two app instances, each with its own store
    log = tmp_path / "audit.jsonl"

    assert publish_to_store(store_a, a, a.version(1), audit_log=log) == 1
    v2 = _new_project(b, tmp_path, "BLP-SHARED", "Gemeinsam gesehenes Projekt")
    assert publish_to_store(store_b, b, v2, audit_log=log) == 2

    pulled = store_a.pull().graph  # instance A reads what B published
    assert "project:BLP-SHARED" in pulled.nx
    assert pulled.node("project:BLP-SHARED")["label"] == "Gemeinsam gesehenes Projekt"

    for store in (store_a, store_b, peer.store()):  # every instance lists the same history
        history = shared_versions(store)
        assert [h.seq for h in history] == [2, 1]
        newest = history[0]
        assert (newest.user, newest.message, newest.kind, newest.workspace_version) == (
            "anna", "neu: Gemeinsam gesehenes Projekt", "import", 2)
        assert newest.instance.endswith("b.sqlite") and history[1].instance.endswith("a.sqlite")
        assert newest.counts["projects"]["added"] == 1 and newest.summary == summary_line(v2.counts)
        assert "projects +1 ~0 −0" in newest.summary and newest.time == v2.time

    # a revert in B is pushed too: the project is gone for everyone
    v3 = revert(b, 1, user="anna")
    assert publish_to_store(store_b, b, v3, audit_log=log) == 3
    assert "project:BLP-SHARED" not in store_a.pull().graph.nx
    assert [h.kind for h in shared_versions(store_a)] == ["revert", "import", "import"]
    # every push passed the egress gate: started and completed, with the contacts written
    from loaders.audit import read_audit

    records = read_audit(log)
    assert [r["outcome"] for r in records] == ["started", "completed"] * 3
    assert all(r["fmt" if "fmt" in r else "format"] == "neo4j" and r["rows"] > 0 for r in records)
    # the records are not part of the pushed graph: a pull never reads them
    assert not [n for n in store_a.pull().graph.nx if "Version" in n]


def test_records_from_concurrent_publishes_get_distinct_numbers(clean_peer, tmp_path):
    ws = create_workspace(tmp_path / "ws.sqlite", sample=True, user="t")
    version = ws.version(1)
    seqs: list[int] = []
    threads = [threading.Thread(target=lambda: seqs.append(record_version(clean_peer.store(), version, instance="x")))
               for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(seqs) == [1, 2, 3, 4]


def test_an_unreachable_server_is_a_clear_error(tmp_path):
    import neo4j

    from graph.store.neo4j import Neo4jStore

    driver = neo4j.GraphDatabase.driver("bolt://127.0.0.1:9", connection_timeout=1, max_transaction_retry_time=0)
    try:
        store = Neo4jStore(driver, uri="bolt://127.0.0.1:9")
        with pytest.raises(StoreError, match="shared version history could not be read"):
            shared_versions(store)
    finally:
        driver.close()


def test_cli_import_and_revert_push_and_the_shared_history_lists_them(clean_peer, tmp_path, capsys, monkeypatch):
    import json

    import app
    from tests.neo4j.test_cli import _absorb

    peer = clean_peer
    if peer.user:
        monkeypatch.setenv("NEO4J_USER", peer.user)
        monkeypatch.setenv("NEO4J_PASSWORD", peer.password or "")
    neo = ["--neo4j-uri", peer.uri, "--neo4j-dialect", peer.dialect] + (
        ["--neo4j-database", peer.database] if peer.database else [])
    ws = str(tmp_path / "ws.sqlite")
    log = tmp_path / "audit.jsonl"
    assert app.main(["workspace", "init", "--workspace", ws]) == 0
    folder = tmp_path / "neu"
    write_table(folder, "projects", [["id", "title", "source"], ["BLP-CLI", "Per Kommandozeile", "https://example.org"]])
    try:
        assert app.main(["workspace", "import", str(folder), "--workspace", ws, "--mode", "update",
                         "--message", "per CLI", "--audit-log", str(log), *neo]) == 0
        _absorb(peer)
        assert "pushed to Neo4j; shared history number 1" in capsys.readouterr().out
        assert peer.run("MATCH (n:Partnernetz {id: 'project:BLP-CLI'}) RETURN n.label AS t") == [{"t": "Per Kommandozeile"}]
        assert json.loads(log.read_text().splitlines()[-1])["format"] == "neo4j"  # contacts left the workspace
        assert app.main(["workspace", "revert", "1", "--workspace", ws, *neo]) == 0
        _absorb(peer)
        assert peer.run("MATCH (n:Partnernetz {id: 'project:BLP-CLI'}) RETURN count(n) AS n") == [{"n": 0}]
        capsys.readouterr()
        assert app.main(["workspace", "versions", "--shared", "--json", "--workspace", ws, *neo]) == 0
        _absorb(peer)
        listed = json.loads(capsys.readouterr().out)["versions"]
        assert [(v["seq"], v["kind"], v["workspace_version"]) for v in listed] == [(2, "revert", 3), (1, "import", 2)]
        assert listed[1]["message"] == "per CLI" and listed[1]["summary"].startswith("projects +1")
    finally:
        _absorb(peer)
