"""`python app.py neo4j push|pull`: the round trip through `check`, and the failure messages."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

import app
from loaders import SAMPLE_PATH
from tests.helpers import ROOT
from tests.neo4j.falkordb_server import bolt_handshake, start_falkordb

pytestmark = pytest.mark.neo4j


def _cli_args(peer) -> list[str]:
    args = ["--uri", peer.uri, "--dialect", peer.dialect, "--no-progress"]
    if peer.database:
        args += ["--database", peer.database]
    return args


def _absorb(peer) -> None:
    """After a driver was closed, a throw-away raw connection takes the descriptor
    FalkorDB mishandles (see tests/neo4j/conftest.py)."""
    if peer.falkor is not None:
        bolt_handshake(peer.falkor.bolt_port)


def test_push_pull_check_gives_the_counts_of_the_original(peer, tmp_path, capsys, monkeypatch, sample):
    if peer.falkor is None and os.environ.get("NEO4J_TEST_USER"):
        monkeypatch.setenv("NEO4J_USER", os.environ["NEO4J_TEST_USER"])
        monkeypatch.setenv("NEO4J_PASSWORD", os.environ.get("NEO4J_TEST_PASSWORD", ""))
    try:
        assert app.main(["neo4j", "push", str(SAMPLE_PATH), *_cli_args(peer), "--batch-size", "50",
                         "--audit-log", str(tmp_path / "audit.jsonl")]) == 0
    finally:
        _absorb(peer)
    out = capsys.readouterr().out
    assert "pushed 239 nodes and 792 relationships" in out and "rows/s" in out

    out_dir = tmp_path / "pulled"
    try:
        assert app.main(["neo4j", "pull", *_cli_args(peer), "--out", str(out_dir),
                         "--audit-log", str(tmp_path / "audit.jsonl")]) == 0
    finally:
        _absorb(peer)
    out = capsys.readouterr().out
    assert "pulled 239 nodes and 792 relationships" in out and "rows/s" in out

    assert app.main(["check", str(out_dir), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["nodes"] == sample.graph.counts_by_kind()
    assert report["edges"] == sample.graph.edge_counts_by_kind()


def _run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, str(ROOT / "app.py"), *args], capture_output=True, text=True,
                          timeout=120, env=full_env, cwd=ROOT)


def test_stopped_server_gives_one_clear_message_and_exit_code():
    server = start_falkordb()
    uri = server.uri
    server.stop()
    proc = _run_cli("neo4j", "push", str(SAMPLE_PATH), "--uri", uri, "--user", "neo4j", "--timeout", "3",
                    env={"NEO4J_PASSWORD": "s3cret-pw"})
    assert proc.returncode == app.EXIT_STORE
    assert uri in proc.stderr and "server not reachable" in proc.stderr and "Connection refused" in proc.stderr
    assert "Traceback" not in proc.stderr and "s3cret-pw" not in proc.stderr + proc.stdout
    assert len(proc.stderr.strip().splitlines()) == 1


def test_wrong_port_names_the_uri_and_the_cause():
    # A port where something listens but does not speak Bolt. (Not FalkorDB's
    # own Redis port: Bolt bytes sent there slow the server down afterwards.)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        uri = f"bolt://127.0.0.1:{listener.getsockname()[1]}"
        proc = _run_cli("neo4j", "pull", "--uri", uri, "--out", "unused", "--timeout", "1.5")
    assert proc.returncode == app.EXIT_STORE
    assert uri in proc.stderr and "no Bolt handshake answer within 1.5 s" in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_password_in_the_uri_is_never_printed():
    proc = _run_cli("neo4j", "pull", "--uri", "bolt://ann:hunter2@127.0.0.1:1", "--out", "unused", "--timeout", "2")
    assert proc.returncode == app.EXIT_STORE
    assert "hunter2" not in proc.stderr + proc.stdout and "bolt://ann@127.0.0.1:1" in proc.stderr


def test_missing_uri_and_bad_scheme(monkeypatch, capsys):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    assert app.main(["neo4j", "pull", "--out", "unused"]) == app.EXIT_STORE
    assert "no Neo4j URI" in capsys.readouterr().err
    monkeypatch.setenv("NEO4J_URI", "nonsense://x")
    assert app.main(["neo4j", "pull", "--out", "unused"]) == app.EXIT_STORE
    assert "nonsense://x: invalid connection settings" in capsys.readouterr().err


def test_settings_come_from_the_environment_when_options_are_missing(monkeypatch):
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:7687")
    monkeypatch.setenv("NEO4J_DATABASE", "partners")
    monkeypatch.setenv("NEO4J_DIALECT", "falkordb")
    args = app.build_parser().parse_args(["neo4j", "pull", "--out", "unused", "--batch-size", "9"])
    with app._open_store(args) as store:
        assert (store.uri, store.database, store.dialect.name, store.batch_size) == (
            "bolt://127.0.0.1:7687", "partners", "falkordb", 9)
    args = app.build_parser().parse_args(["neo4j", "pull", "--out", "unused", "--uri", "bolt://db:1",
                                          "--database", "other", "--dialect", "neo4j"])
    with app._open_store(args) as store:  # options win over the environment
        assert (store.uri, store.database, store.dialect.name) == ("bolt://db:1", "other", "neo4j")


def test_no_contacts_and_the_audit_log(peer, tmp_path, capsys, monkeypatch, sample):
    if peer.falkor is None and os.environ.get("NEO4J_TEST_USER"):
        monkeypatch.setenv("NEO4J_USER", os.environ["NEO4J_TEST_USER"])
        monkeypatch.setenv("NEO4J_PASSWORD", os.environ.get("NEO4J_TEST_PASSWORD", ""))
    log = tmp_path / "audit.jsonl"
    try:
        assert app.main(["neo4j", "push", str(SAMPLE_PATH), *_cli_args(peer), "--audit-log", str(log)]) == 0
        _absorb(peer)
        started, entry = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
        # recorded before the push starts, and its outcome after it
        assert (started["outcome"], entry["outcome"]) == ("started", "completed")
        assert entry["format"] == "neo4j" and entry["rows"] == 46 and entry["contact_ids"][0].startswith("contact:")
        assert started["contact_ids"] == entry["contact_ids"]
        assert peer.run("MATCH (n:Partnernetz:Contact) RETURN count(n) AS n") == [{"n": 46}]
        # --no-contacts: none written, and those pushed before are removed; recorded with none
        assert app.main(["neo4j", "push", str(SAMPLE_PATH), *_cli_args(peer), "--no-contacts",
                         "--audit-log", str(log)]) == 0
        assert "removed 46 stale nodes" in capsys.readouterr().out
        assert peer.run("MATCH (n:Partnernetz:Contact) RETURN count(n) AS n") == [{"n": 0}]
        later = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()][2:]
        assert [(e["outcome"], e["rows"], e["rule"]) for e in later] == [("started", 0, "none"), ("completed", 0, "none")]
    finally:
        _absorb(peer)


@pytest.mark.parametrize("stop", [KeyboardInterrupt, RuntimeError])
def test_a_push_stopped_after_writing_contacts_is_on_record(peer, tmp_path, monkeypatch, sample, stop):
    """Ctrl-C (or a crash) after every node, contacts included, was written
    and before the relationships: the log says the push started, with the
    contacts, and how it ended."""
    import contextlib

    if peer.falkor is None and os.environ.get("NEO4J_TEST_USER"):
        monkeypatch.setenv("NEO4J_USER", os.environ["NEO4J_TEST_USER"])
        monkeypatch.setenv("NEO4J_PASSWORD", os.environ.get("NEO4J_TEST_PASSWORD", ""))
    n_nodes = len(sample.graph.nx)

    class StopAfterNodes:
        total, written = 0, 0

        def update(self, n):
            self.written += n
            if self.written >= n_nodes:
                raise stop("stopped after the nodes")

    monkeypatch.setattr(app, "_progress_bar", lambda args, desc: contextlib.nullcontext(StopAfterNodes()))
    log = tmp_path / "audit.jsonl"
    try:
        with pytest.raises(stop):
            app.main(["neo4j", "push", str(SAMPLE_PATH), *_cli_args(peer), "--batch-size", "50", "--audit-log", str(log)])
        _absorb(peer)
        assert peer.run("MATCH (n:Partnernetz:Contact) RETURN count(n) AS n") == [{"n": 46}]  # contacts were written
        started, end = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
        assert (started["outcome"], end["outcome"]) == ("started", "interrupted" if stop is KeyboardInterrupt else "failed")
        assert started["rows"] == end["rows"] == 46 and started["format"] == "neo4j"
    finally:
        _absorb(peer)
