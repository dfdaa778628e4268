"""Accounts, API tokens and login sessions, kept in the workspace file.

Tables (created on first use, so older workspaces gain them):

* ``accounts`` (name, display, role, pw_hash, disabled, created, changed):
  passwords hashed with Argon2id (:mod:`argon2`), checked once per login —
  never per request;
* ``api_tokens`` (token_hash, name, label, created, last_used, revoked): API
  tokens for the JSON API, stored as SHA-256 of a 256-bit random token
  (a token is random, so a fast hash suffices; the plain token is shown once);
* ``sessions`` (token_hash, name, created, last_seen, address): login
  sessions; the cookie holds the random token, the file only its hash, so a
  copied workspace file opens no session. Every serving process shares them.

>>> import tempfile, pathlib
>>> accounts = AccountStore(pathlib.Path(tempfile.mkdtemp()) / "ws.sqlite")
>>> accounts.add("anna", "lange-geheime-phrase", "planner").role
<Role.PLANNER: 2>
>>> accounts.verify_password("anna", "lange-geheime-phrase").name, accounts.verify_password("anna", "falsch")
('anna', None)
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
import secrets
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from graph.core.errors import PartnernetzError
from graph.people.roles import Role

__all__ = ["Account", "AccountStore", "AccountError", "MIN_PASSWORD_LENGTH", "TOKEN_PREFIX", "valid_name"]

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "pn_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_HASHER = PasswordHasher()  # Argon2id, the library's current recommended parameters
_DUMMY_HASH = _HASHER.hash("partnernetz-dummy-password")  # equalises timing for unknown users

_DDL = [
    "CREATE TABLE IF NOT EXISTS accounts (name TEXT PRIMARY KEY, display TEXT NOT NULL DEFAULT '', "
    "role TEXT NOT NULL CHECK (role IN ('reader','planner','editor','admin')), pw_hash TEXT NOT NULL, "
    "disabled INTEGER NOT NULL DEFAULT 0, created TEXT NOT NULL, changed TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS api_tokens (token_hash TEXT PRIMARY KEY, name TEXT NOT NULL REFERENCES accounts(name), "
    "label TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, last_used TEXT, revoked INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS sessions (token_hash TEXT PRIMARY KEY, name TEXT NOT NULL REFERENCES accounts(name), "
    "created TEXT NOT NULL, last_seen TEXT NOT NULL, address TEXT NOT NULL DEFAULT '')",
]


class AccountError(PartnernetzError):
    """An account operation is impossible (unknown user, weak password …)."""


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


def _iso(t: _dt.datetime) -> str:
    return t.isoformat(timespec="milliseconds")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def valid_name(name: str) -> bool:
    """Account names: letters, digits and ``. _ @ -``, at most 64 characters."""
    return bool(_NAME.match(name or ""))


@dataclass(frozen=True)
class Account:
    name: str
    display: str
    role: Role
    disabled: bool
    created: str = ""
    changed: str = ""

    def to_dict(self) -> dict:
        return {"name": self.name, "display": self.display, "role": self.role.key, "disabled": self.disabled,
                "created": self.created, "changed": self.changed}


def _account(row) -> Account:
    return Account(row[0], row[1], Role.parse(row[2]), bool(row[3]), row[4], row[5])


_COLS = "name, display, role, disabled, created, changed"


class AccountStore:
    """The accounts of the workspace file at ``path`` (the tables are created when missing)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.parent.exists():
            raise AccountError(f"{self.path}: folder does not exist")
        with self.connect() as con:
            for stmt in _DDL:
                con.execute(stmt)

    def __repr__(self) -> str:
        return f"<AccountStore {self.path}>"

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        con = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=False)
        try:
            con.execute("PRAGMA foreign_keys=ON")
            yield con
        finally:
            con.close()

    # ------------------------------------------------------------ accounts
    def get(self, name: str) -> Account | None:
        with self.connect() as con:
            row = con.execute(f"SELECT {_COLS} FROM accounts WHERE name = ?", (name,)).fetchone()
        return _account(row) if row else None

    def require(self, name: str) -> Account:
        account = self.get(name)
        if account is None:
            raise AccountError(f"no user {name!r} (see `python app.py user list`)")
        return account

    def list(self) -> list[Account]:
        with self.connect() as con:
            return [_account(r) for r in con.execute(f"SELECT {_COLS} FROM accounts ORDER BY name")]

    def count_active(self) -> int:
        """Accounts that can log in (not disabled)."""
        with self.connect() as con:
            return con.execute("SELECT count(*) FROM accounts WHERE disabled = 0").fetchone()[0]

    @staticmethod
    def hash_password(password: str) -> str:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"the password is too short (at least {MIN_PASSWORD_LENGTH} characters)")
        return _HASHER.hash(password)

    def add(self, name: str, password: str, role: Role | str, *, display: str = "") -> Account:
        if not valid_name(name):
            raise AccountError(f"invalid user name {name!r}: letters, digits and . _ @ - only, at most 64 characters")
        role = Role.parse(role)
        hashed = self.hash_password(password)
        now = _iso(_now())
        with self.connect() as con:
            try:
                con.execute("INSERT INTO accounts (name, display, role, pw_hash, disabled, created, changed) "
                            "VALUES (?, ?, ?, ?, 0, ?, ?)", (name, display or name, role.key, hashed, now, now))
            except sqlite3.IntegrityError:
                raise AccountError(f"user {name!r} exists already") from None
        return self.require(name)

    def set_password(self, name: str, password: str) -> None:
        self.require(name)
        hashed = self.hash_password(password)
        with self.connect() as con:
            con.execute("BEGIN IMMEDIATE")
            con.execute("UPDATE accounts SET pw_hash = ?, changed = ? WHERE name = ?", (hashed, _iso(_now()), name))
            con.execute("DELETE FROM sessions WHERE name = ?", (name,))  # a new password ends every session
            con.execute("COMMIT")

    def set_role(self, name: str, role: Role | str) -> tuple[Role, Role]:
        """Change the role; returns ``(old, new)``. Sessions keep going with the new role."""
        old = self.require(name).role
        new = Role.parse(role)
        with self.connect() as con:
            con.execute("UPDATE accounts SET role = ?, changed = ? WHERE name = ?", (new.key, _iso(_now()), name))
        return old, new

    def set_disabled(self, name: str, disabled: bool = True) -> None:
        """Disable (or enable) an account; disabling ends its sessions and revokes its tokens."""
        self.require(name)
        with self.connect() as con:
            con.execute("BEGIN IMMEDIATE")
            con.execute("UPDATE accounts SET disabled = ?, changed = ? WHERE name = ?", (int(disabled), _iso(_now()), name))
            if disabled:
                con.execute("DELETE FROM sessions WHERE name = ?", (name,))
                con.execute("UPDATE api_tokens SET revoked = 1 WHERE name = ?", (name,))
            con.execute("COMMIT")

    def verify_password(self, name: str, password: str) -> Account | None:
        """The account when ``password`` is right and the account enabled, else None.
        Unknown names take as long as known ones (a dummy hash is checked)."""
        with self.connect() as con:
            row = con.execute(f"SELECT {_COLS}, pw_hash FROM accounts WHERE name = ?", (name,)).fetchone()
        hashed = row[6] if row else _DUMMY_HASH
        try:
            ok = _HASHER.verify(hashed, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if not ok or row is None or row[3]:
            return None
        if _HASHER.check_needs_rehash(hashed):  # parameters raised since: upgrade on this login
            with self.connect() as con:
                con.execute("UPDATE accounts SET pw_hash = ? WHERE name = ?", (_HASHER.hash(password), name))
        return _account(row[:6])

    # ------------------------------------------------------------ API tokens
    def new_token(self, name: str, label: str = "") -> str:
        """A new API token for ``name``; returned once, only its hash is stored."""
        if self.require(name).disabled:
            raise AccountError(f"user {name!r} is disabled")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.connect() as con:
            con.execute("INSERT INTO api_tokens (token_hash, name, label, created) VALUES (?, ?, ?, ?)",
                        (_digest(token), name, label, _iso(_now())))
        return token

    def account_for_token(self, token: str) -> Account | None:
        """The enabled account owning an unrevoked ``token``, else None."""
        if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        with self.connect() as con:
            row = con.execute(f"SELECT {', '.join('a.' + c.strip() for c in _COLS.split(','))}, t.last_used "
                              "FROM api_tokens t JOIN accounts a ON a.name = t.name "
                              "WHERE t.token_hash = ? AND t.revoked = 0 AND a.disabled = 0", (_digest(token),)).fetchone()
            if row is None:
                return None
            now = _now()
            if row[6] is None or row[6] < _iso(now - _dt.timedelta(minutes=5)):
                con.execute("UPDATE api_tokens SET last_used = ? WHERE token_hash = ?", (_iso(now), _digest(token)))
        return _account(row[:6])

    def revoke_tokens(self, name: str) -> int:
        with self.connect() as con:
            return con.execute("UPDATE api_tokens SET revoked = 1 WHERE name = ? AND revoked = 0", (name,)).rowcount

    # ------------------------------------------------------------ sessions
    def new_session(self, name: str, address: str = "") -> str:
        """Start a login session; returns the cookie token."""
        token = secrets.token_urlsafe(32)
        now = _iso(_now())
        with self.connect() as con:
            con.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)", (_digest(token), name, now, now, address))
        return token

    def account_for_session(self, token: str, *, idle_seconds: float, max_seconds: float = 12 * 3600) -> Account | None:
        """The enabled account of a live session, else None. A session idle for
        more than ``idle_seconds`` (or older than ``max_seconds``) is ended."""
        if not token or len(token) > 200:
            return None
        now = _now()
        key = _digest(token)
        with self.connect() as con:
            row = con.execute(f"SELECT {', '.join('a.' + c.strip() for c in _COLS.split(','))}, s.last_seen, s.created "
                              "FROM sessions s JOIN accounts a ON a.name = s.name "
                              "WHERE s.token_hash = ? AND a.disabled = 0", (key,)).fetchone()
            if row is None:
                return None
            if row[6] < _iso(now - _dt.timedelta(seconds=idle_seconds)) or row[7] < _iso(now - _dt.timedelta(seconds=max_seconds)):
                con.execute("DELETE FROM sessions WHERE token_hash = ?", (key,))
                return None
            if row[6] < _iso(now - _dt.timedelta(seconds=min(30.0, idle_seconds / 10))):
                con.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", (_iso(now), key))
        return _account(row[:6])

    def end_session(self, token: str) -> None:
        with self.connect() as con:
            con.execute("DELETE FROM sessions WHERE token_hash = ?", (_digest(token),))
