"""Accounts, roles, API tokens, sessions and the append-only audit table in the
workspace, and the ``python app.py user …`` commands."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys

import pytest

from graph.people.roles import Role, RoleError, contact_rule, may, stricter_rule
from loaders.workspace.accounts import AccountError, AccountStore
from loaders.workspace.audit_trail import AuditTrail
from tests.helpers import ROOT

PASSWORD = "korrekt-pferd-batterie"


@pytest.fixture
def db(tmp_path):
    return tmp_path / "ws.sqlite"


def test_roles_are_ordered_and_map_to_contact_rules():
    assert Role.READER < Role.PLANNER < Role.EDITOR < Role.ADMIN
    assert [contact_rule(r) for r in Role] == ["none", "masked", "masked", "masked"]
    assert not may("reader", "view_contacts") and may("planner", "export_contacts")
    assert not may("planner", "publish") and may("editor", "publish") and not may("editor", "manage_users")
    assert Role.parse("Redakteurin") is Role.EDITOR and Role.parse(4) is Role.ADMIN
    with pytest.raises(RoleError):
        Role.parse("superuser")
    assert stricter_rule("masked", "none") == "none"


def test_passwords_are_argon2_hashed_once_and_checked(db):
    accounts = AccountStore(db)
    accounts.add("anna", PASSWORD, "planner", display="Anna A.")
    with sqlite3.connect(db) as con:
        stored = con.execute("SELECT pw_hash FROM accounts WHERE name='anna'").fetchone()[0]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert accounts.verify_password("anna", PASSWORD).role is Role.PLANNER
    assert accounts.verify_password("anna", PASSWORD + "x") is None
    assert accounts.verify_password("nobody", PASSWORD) is None
    with pytest.raises(AccountError, match="too short"):
        accounts.add("bob", "short", "reader")
    with pytest.raises(AccountError, match="exists already"):
        accounts.add("anna", PASSWORD, "reader")
    with pytest.raises(AccountError, match="invalid user name"):
        accounts.add("a,b", PASSWORD, "reader")


def test_disabling_ends_sessions_and_tokens(db):
    accounts = AccountStore(db)
    accounts.add("anna", PASSWORD, "editor")
    token = accounts.new_token("anna")
    session = accounts.new_session("anna", "127.0.0.1")
    assert accounts.account_for_token(token).name == "anna"
    assert accounts.account_for_session(session, idle_seconds=60).name == "anna"
    with sqlite3.connect(db) as con:  # stored hashed only
        assert token not in json.dumps(con.execute("SELECT * FROM api_tokens").fetchall())
        assert session not in json.dumps(con.execute("SELECT * FROM sessions").fetchall())
    accounts.set_disabled("anna")
    assert accounts.account_for_token(token) is None
    assert accounts.account_for_session(session, idle_seconds=60) is None
    assert accounts.verify_password("anna", PASSWORD) is None
    assert accounts.account_for_token("pn_forged") is None


def test_idle_sessions_expire(db):
    accounts = AccountStore(db)
    accounts.add("anna", PASSWORD, "reader")
    session = accounts.new_session("anna")
    old = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=31)).isoformat(timespec="milliseconds")
    with sqlite3.connect(db) as con:
        con.execute("UPDATE sessions SET last_seen = ?", (old,))
    assert accounts.account_for_session(session, idle_seconds=30 * 60) is None
    assert accounts.account_for_session(session, idle_seconds=3600) is None  # the expired session was ended


def test_audit_table_is_append_only(db):
    trail = AuditTrail(db)
    trail.record("login", user="anna", address="10.0.0.1")
    trail.record("egress", user="anna", what="guest list", fmt="csv", contact_ids=["contact:c1"])
    with sqlite3.connect(db) as con:
        for stmt in ("UPDATE audit SET user = 'eve'", "DELETE FROM audit"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                con.execute(stmt)
    assert [e["kind"] for e in trail.query()] == ["egress", "login"]
    assert trail.query(kind="egress")[0]["contact_ids"] == ["contact:c1"]
    assert trail.count("login", since=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1), address="10.0.0.1") == 1


def _user(*args, stdin="", workspace):
    return subprocess.run([sys.executable, str(ROOT / "app.py"), "user", *args, "--workspace", str(workspace)],
                          cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=120)


def test_user_cli(tmp_path):
    ws = tmp_path / "ws.sqlite"
    add = _user("add", "anna", "--role", "planer", "--stdin", stdin=PASSWORD + "\n", workspace=ws)
    assert add.returncode == 0, add.stderr
    assert PASSWORD not in add.stdout + add.stderr
    assert _user("role", "anna", "editor", workspace=ws).returncode == 0
    token = _user("token", "anna", workspace=ws)
    assert token.returncode == 0 and token.stdout.strip().startswith("pn_")
    assert _user("role", "anna", "king", workspace=ws).returncode == 1
    assert _user("passwd", "nobody", "--stdin", stdin=PASSWORD + "\n", workspace=ws).returncode == 1
    assert _user("disable", "anna", workspace=ws).returncode == 0
    listed = json.loads(_user("list", "--json", workspace=ws).stdout)
    assert listed == [dict(listed[0], name="anna", role="editor", disabled=True)]
    kinds = [e["kind"] for e in AuditTrail(ws).query()]
    assert kinds == ["user_disable", "token_issue", "role_change", "user_add"]
    assert AccountStore(ws).account_for_token(token.stdout.strip()) is None


def test_a_failed_neo4j_push_is_audited(tmp_path, monkeypatch):
    """A push that fails part-way may have written contacts: recorded, with ok=False."""
    import app
    from graph.core.errors import StoreError
    from loaders import SAMPLE_PATH
    from loaders.audit import read_audit

    class HalfWay:
        uri = "bolt://test:7687"

        def push_status(self):
            return None  # no earlier push

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def ping(self):
            pass

        def push(self, graph, progress=None):
            raise StoreError("connection lost after 3 batches")

    workspace = tmp_path / "ws.sqlite"
    AuditTrail(workspace)
    monkeypatch.setenv("PARTNERNETZ_WORKSPACE", str(workspace))
    monkeypatch.setattr(app, "_open_store", lambda args, **kw: HalfWay())
    log = tmp_path / "audit.jsonl"
    code = app.main(["neo4j", "push", str(SAMPLE_PATH), "--uri", "bolt://test:7687", "--no-progress",
                     "--audit-log", str(log)])
    assert code == app.EXIT_STORE
    entry = AuditTrail(workspace).query(kind="egress_failed")[0]
    assert entry["ok"] is False and entry["rows"] > 0 and "connection lost" in entry["detail"]["error"]
    assert read_audit(log)[-1]["ok"] is False


def test_binding_beyond_loopback_needs_a_user_or_auth():
    from dashboard.auth import UnsafeBinding, require_safe_binding

    with pytest.raises(UnsafeBinding, match="user add"):
        require_safe_binding("0.0.0.0", has_contacts=True, auth=None, users=0)
    require_safe_binding("0.0.0.0", has_contacts=True, auth=None, users=1)
    require_safe_binding("127.0.0.1", has_contacts=True, auth=None, users=0)  # the single local admin


def test_serve_refuses_a_missing_accounts_file(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "app.py"), "serve", "--data", str(ROOT / "data" / "sample"),
                           "--accounts", str(tmp_path / "nope.sqlite"), "--port", "18433"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3 and "no accounts file" in proc.stderr
