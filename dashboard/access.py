"""The access seam: who is asking, with which role, and what they may see.

Every request — pages, Dash callbacks, downloads, API routes — passes one
Flask ``before_request`` hook (:func:`install_access`) that establishes the
requesting :class:`Identity` from, in this order:

1. ``Authorization: Bearer <token>`` — an API token (``python app.py user token NAME``);
2. trusted-proxy mode — the user header set by an authenticating reverse
   proxy, accepted only from configured proxy addresses, exactly once and
   without commas; the role comes from a group header mapping, else the
   account table, else ``reader``;
3. HTTP Basic from the environment (``PARTNERNETZ_USER``/``..._PASSWORD_HASH``,
   the older single-account mode; a verified credential is remembered for a
   few minutes, so the slow hash runs once per login, not per request);
4. the session cookie set by the login page (:mod:`dashboard.login`);
5. with no accounts and no authentication configured (only allowed on
   loopback): the single local admin, without login.

Anything else gets a redirect to ``/login`` (pages) or ``401`` (everything else).

The functions other modules use — keep these names and signatures stable:

``current_identity() -> Identity``
    the requesting user (``Identity(name, role, display, via)``);
``require_role(min_role) -> Identity``
    the identity, or raises :class:`AccessDenied` (HTTP 403) when its role is below ``min_role``;
``has_role(min_role) -> bool``
    the same as a test;
``contact_rule_for(identity=None) -> str``
    ``"none"`` | ``"masked"``: the contact rule the store applies for that
    identity (default: the requesting one), tightened by ``--no-contacts``;
``contact_rule() -> str``
    the rule of the current request (what :class:`dashboard.context.AppContext` serves);
``authenticate_bearer(token) -> Identity | None``
    the identity owning an API token (for API routes that read the header themselves);
``audit_egress(what, fmt, contact_ids, ok=True, **extra)``
    record personal data leaving the app (audit table + JSON lines);
``audit_event(kind, what="", **detail)``
    record a login, publish, edit … by the requesting user.

>>> Identity("anna", Role.PLANNER).may("export_contacts")
True
"""

from __future__ import annotations

import datetime as _dt
import getpass
import hashlib
import hmac
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping
from urllib.parse import quote, urlsplit

import flask
from werkzeug.exceptions import Forbidden

from dashboard.context import RULE_KEY, UNSEEN_RULE_KEY
from graph.people.roles import Role, contact_rule as _role_rule, may, stricter_rule

__all__ = ["Identity", "AccessConfig", "AccessDenied", "install_access", "current_identity", "require_role",
           "has_role", "contact_rule_for", "contact_rule", "authenticate_bearer", "audit_egress", "audit_event",
           "client_address", "access_config", "LoginThrottle", "SESSION_COOKIE", "ACCESS_KEY", "PUBLIC_PATHS",
           "ROLES", "ENV_TOKENS"]

#: Role names, lowest first.
ROLES = ("reader", "planner", "editor", "admin")
#: Extra API tokens from the environment, ``name:role:token`` comma-separated — for scripts and
#: test servers without accounts; accounts' tokens (``user token NAME``, stored hashed) come first.
ENV_TOKENS = "PARTNERNETZ_API_TOKENS"

ACCESS_KEY = "PARTNERNETZ_ACCESS"
SESSION_COOKIE = "pn_session"
_IDENTITY_KEY = "partnernetz_identity"
#: Reachable without login (the login page and its stylesheet).
PUBLIC_PATHS = frozenset({"/login", "/logout", "/assets/login.css"})
_STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class AccessDenied(Forbidden):
    """The requesting user's role does not allow this (HTTP 403)."""

    description = "403 – keine Berechtigung / not allowed"


@dataclass(frozen=True)
class Identity:
    """Who is asking: account ``name``, ``role``, ``display`` name and how
    they were identified (``via``: ``local``, ``session``, ``proxy``, ``token``, ``basic``)."""

    name: str
    role: Role
    display: str = ""
    via: str = "local"

    def may(self, action: str) -> bool:
        """Whether this identity may do ``action`` (see :data:`graph.people.roles.ACTIONS`)."""
        return may(self.role, action)

    def at_least(self, role: "Role | str") -> bool:
        """Whether this identity's role is ``role`` or higher."""
        return self.role >= Role.parse(role)


def _local_name() -> str:
    try:
        return "local:" + getpass.getuser()
    except (KeyError, OSError):
        return "local"


class LoginThrottle:
    """Failed logins per address and per user: more than ``limit`` within
    ``window`` seconds blocks further attempts (HTTP 429) until the window has
    passed. Counted in the audit table when there is one (shared by every
    serving process), else in this process."""

    def __init__(self, trail: Any = None, *, limit: int = 5, window: float = 60.0):
        self.trail, self.limit, self.window = trail, limit, window
        self._lock = threading.Lock()
        self._memory: dict[tuple[str, str], deque] = {}

    def blocked(self, user: str, address: str) -> bool:
        if self.trail is not None:
            since = _dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(seconds=self.window)
            return (self.trail.count("login_failed", since=since, address=address) >= self.limit
                    or (bool(user) and self.trail.count("login_failed", since=since, user=user) >= self.limit))
        now = time.monotonic()
        with self._lock:
            for key in (("address", address), ("user", user)):
                hits = self._memory.get(key)
                while hits and hits[0] < now - self.window:
                    hits.popleft()
            return (len(self._memory.get(("address", address), ())) >= self.limit
                    or (bool(user) and len(self._memory.get(("user", user), ())) >= self.limit))

    def failed(self, user: str, address: str) -> None:
        """Count one failure (with a trail, the caller's audit entry is the count)."""
        if self.trail is None:
            with self._lock:
                for key in (("address", address), ("user", user)):
                    self._memory.setdefault(key, deque()).append(time.monotonic())


@dataclass
class AccessConfig:
    """How a served app identifies its users.

    ``accounts``: a :class:`loaders.workspace.accounts.AccountStore` (login
    page, sessions, API tokens) or None; ``audit``: a
    :class:`loaders.audit.AuditSink`; ``auth``: a
    :class:`dashboard.auth.AuthConfig` from the environment (Basic or proxy)
    or None. With neither accounts holding a user nor ``auth``, the app
    serves the single local admin (only on loopback: :func:`dashboard.auth.require_safe_binding`).
    """

    accounts: Any = None
    audit: Any = None
    auth: Any = None
    idle_minutes: float = 30.0
    #: the role of the single local user when nobody logs in: admin on loopback; served beyond
    #: loopback without users or auth (only possible with --no-contacts) everyone is a reader,
    #: so nobody on the network can change data, publish or read the audit trail
    local_role: Role = Role.ADMIN
    no_contacts: bool = False
    throttle: LoginThrottle = field(default=None)  # type: ignore[assignment]
    _basic_ok: dict = field(default_factory=dict, repr=False)
    _users: tuple = field(default=(0.0, 0), repr=False)  # (checked at, active accounts), see login_required
    #: reverse proxies whose X-Forwarded-Host names this site (Origin check); env PARTNERNETZ_TRUSTED_PROXIES
    trusted_proxies: tuple[str, ...] = field(default_factory=lambda: tuple(
        p.strip() for p in os.environ.get("PARTNERNETZ_TRUSTED_PROXIES", "127.0.0.1,::1").split(",") if p.strip()))
    #: further ``host[:port]`` a browser may post from; env PARTNERNETZ_ALLOWED_ORIGINS (origins or hosts)
    allowed_hosts: tuple[str, ...] = field(default_factory=lambda: tuple(
        (urlsplit(o.strip()).netloc or o.strip()).lower()
        for o in os.environ.get("PARTNERNETZ_ALLOWED_ORIGINS", "").split(",") if o.strip()))

    def __post_init__(self) -> None:
        if self.throttle is None:
            self.throttle = LoginThrottle(getattr(self.audit, "trail", None))

    @property
    def login_required(self) -> bool:
        """Whether requests need credentials (a user exists or auth is configured)."""
        if self.auth is not None:
            return True
        if self.accounts is None:
            return False
        now = time.monotonic()
        checked, count = self._users
        if count == 0 or now - checked > 5.0:  # a user added while serving takes effect within 5 s
            count = self.accounts.count_active()
            self._users = (now, count)
        return count > 0

    @property
    def mode(self) -> str:
        """``proxy``, ``basic``, ``accounts`` or ``local`` (no login)."""
        if self.auth is not None:
            return self.auth.mode
        return "accounts" if self.login_required else "local"

    def describe(self) -> str:
        if self.auth is not None:
            return self.auth.describe()
        if self.mode == "accounts":
            return f"login (accounts in {self.accounts.path})"
        if self.local_role != Role.ADMIN:
            return f"none: everyone is a {self.local_role.key} (no users; add one with `python app.py user add`)"
        return "none: single local admin without login (loopback only; add a user with `python app.py user add`)"


def access_config(app: flask.Flask | None = None) -> AccessConfig:
    """The access configuration of ``app`` (default: the current one)."""
    app = app or flask.current_app
    return app.config.get(ACCESS_KEY) or AccessConfig()


def client_address() -> str:
    return flask.request.remote_addr or ""


# ------------------------------------------------------------------ the seam
def current_identity() -> Identity:
    """The identity of the current request. Outside a request (warm-up
    threads, the CLI) the local account with admin rights."""
    if flask.has_request_context():
        identity = flask.g.get(_IDENTITY_KEY)
        if identity is not None:
            return identity
        # the hook did not run (a test's request context): the local admin
        # only where no login is needed, else nobody
        if flask.has_app_context() and not access_config().login_required:
            return Identity(_local_name(), access_config().local_role, via="local")
        return Identity("anonymous", Role.READER, via="none")
    return Identity(_local_name(), Role.ADMIN)


def has_role(min_role: Role | str) -> bool:
    """Whether the requesting identity has at least ``min_role``."""
    return current_identity().role >= Role.parse(min_role)


def require_role(min_role: Role | str) -> Identity:
    """The requesting identity; raises :class:`AccessDenied` (403) and
    records a ``denied`` audit entry when its role is below ``min_role``.

    In a Dash callback the 403 reaches the browser as a failed callback, so a
    forged POST gets nothing."""
    identity = current_identity()
    wanted = Role.parse(min_role)
    if identity.role < wanted:
        audit_event("denied", what=flask.request.path if flask.has_request_context() else "", needed=wanted.key)
        raise AccessDenied()
    return identity


def contact_rule_for(identity: Identity | None = None) -> str:
    """The contact rule for ``identity`` (default: the requesting one):
    ``"none"`` for readers, ``"masked"`` for planners and up; always
    ``"none"`` when the server runs with ``--no-contacts``."""
    identity = identity or current_identity()
    rule = _role_rule(identity.role)
    if flask.has_app_context() and access_config().no_contacts:
        rule = stricter_rule(rule, "none")
    return rule


def contact_rule() -> str:
    """The contact rule of the current request (what the store serves it)."""
    return contact_rule_for(current_identity())


def authenticate_bearer(token: str, env: Mapping[str, str] | None = None) -> Identity | None:
    """The identity owning the API ``token`` (``Bearer`` value), or None when
    there is no such token, it was revoked, or its account is disabled.

    Accounts' tokens first; then :data:`ENV_TOKENS` (compared in constant time).
    """
    if not token:
        return None
    accounts = access_config().accounts if flask.has_app_context() else None
    if accounts is not None:
        account = accounts.account_for_token(token.strip())
        if account is not None:
            return Identity(account.name, account.role, account.display, via="token")
    env = os.environ if env is None else env
    found = None
    for entry in env.get(ENV_TOKENS, "").split(","):
        name, _, rest = entry.strip().partition(":")
        role, _, secret = rest.partition(":")
        if not (name and role in ROLES and secret):
            continue
        if hmac.compare_digest(secret.encode("utf-8"), token.strip().encode("utf-8")) and found is None:
            found = Identity(name, Role.parse(role), via="token")
    return found



def audit_egress(what: str, fmt: str, contact_ids: Iterable[str], *, ok: bool = True, **extra: Any) -> None:
    """Record personal data leaving the app (``contact_ids``: the contacts in
    it) by the requesting user; with ``ok=False`` an attempt that failed after
    data may have left (e.g. a partial push)."""
    sink = access_config().audit
    if sink is None:
        return
    identity = current_identity()
    sink.egress(user=identity.name, what=what, fmt=fmt, contact_ids=contact_ids,
                address=client_address() if flask.has_request_context() else "", ok=ok, role=identity.role.key, **extra)


def audit_event(kind: str, what: str = "", *, user: str | None = None, **detail: Any) -> None:
    """Record an event (``kind`` from :data:`loaders.workspace.audit_trail.KINDS`) by the requesting user."""
    sink = access_config().audit if flask.has_app_context() else None
    if sink is None:
        return
    sink.event(kind, user=user or current_identity().name, what=what,
               address=client_address() if flask.has_request_context() else "", **detail)


# ------------------------------------------------------------------ the hook
def _unauthorised(config: AccessConfig, message: str = "401 – Anmeldung erforderlich / authentication required\n"):
    headers = {"Cache-Control": "no-store"}
    if config.mode == "basic":
        headers["WWW-Authenticate"] = 'Basic realm="Partnernetz", charset="UTF-8"'
    return flask.Response(message, status=401, mimetype="text/plain", headers=headers)


def _refuse(status: int, message: str):
    return flask.Response(message + "\n", status=status, mimetype="text/plain", headers={"Cache-Control": "no-store"})


def _own_hosts(config: "AccessConfig") -> set[str]:
    """The host names this site is reached by: the request's ``Host``; behind a
    reverse proxy (a request from ``PARTNERNETZ_TRUSTED_PROXIES``, default
    loopback) also its ``X-Forwarded-Host``; plus ``PARTNERNETZ_ALLOWED_ORIGINS``."""
    request = flask.request
    hosts = {request.host.lower()}
    proxies = config.auth.trusted_proxies if config.auth is not None else config.trusted_proxies
    forwarded = request.headers.get("X-Forwarded-Host", "")
    if forwarded and request.remote_addr in proxies:
        hosts.update(h.strip().lower() for h in forwarded.split(",") if h.strip())
    hosts.update(config.allowed_hosts)
    return hosts


def _same_origin(config: "AccessConfig") -> bool:
    """A state-changing request must come from this site: its ``Origin`` (or,
    without one, its ``Referer``) names one of :func:`_own_hosts`; a browser's
    ``Sec-Fetch-Site: cross-site`` is refused too. Requests without any of
    these headers (scripts, API clients with a token) pass."""
    request = flask.request
    if request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
        return False
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if not origin:
        return True
    if origin == "null":
        return False
    parts = urlsplit(origin)
    return bool(parts.netloc) and parts.netloc.lower() in _own_hosts(config)


def _proxy_identity(config: AccessConfig) -> Identity | str:
    """The identity the trusted proxy asserts, or the reason for refusing it."""
    auth, request = config.auth, flask.request
    if request.remote_addr not in auth.trusted_proxies:
        return "request not from a trusted proxy"
    values = request.headers.getlist(auth.header)
    if len(values) != 1:
        return "user header missing or sent more than once"
    user = values[0].strip()
    if not user or "," in user or ";" in user or len(user) > 200 or any(ord(c) < 32 for c in user):
        return "user header malformed"
    role: Role | None = None
    display = user
    if auth.group_header:
        groups = request.headers.getlist(auth.group_header)
        if len(groups) > 1:
            return "group header sent more than once"
        if groups:
            mapped = [auth.group_roles[g.strip()] for g in groups[0].replace(";", ",").split(",")
                      if g.strip() in auth.group_roles]
            role = max(mapped) if mapped else None
    if role is None and config.accounts is not None:
        account = config.accounts.get(user)
        if account is not None:
            if account.disabled:
                return "account disabled"
            role, display = account.role, account.display
    return Identity(user, role or auth.default_role, display, via="proxy")


def _basic_identity(config: AccessConfig) -> Identity | None:
    from dashboard.auth import basic_credentials

    creds = basic_credentials(flask.request.headers.get("Authorization"))
    if creds is None:
        return None
    key = hashlib.sha256(b"\0".join(c.encode("utf-8") for c in creds)).digest()
    now = time.monotonic()
    expiry = config._basic_ok.get(key)
    if expiry is None or expiry < now:
        if config.throttle.blocked(creds[0], client_address()):
            return None
        if not config.auth.verify_basic(*creds):
            config.throttle.failed(creds[0], client_address())
            audit_event("login_failed", what="basic", user=creds[0])
            return None
        if len(config._basic_ok) > 1000:
            config._basic_ok.clear()
        config._basic_ok[key] = now + 300  # remembered for 5 minutes: hash once per "login", not per request
    return Identity(creds[0], Role.ADMIN, creds[0], via="basic")


def _identify(config: AccessConfig) -> Identity | str | None:
    request = flask.request
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        identity = authenticate_bearer(header[7:])
        return identity if identity is not None else "invalid API token"
    mode = config.mode
    if mode == "proxy":
        return _proxy_identity(config)
    if mode == "basic":
        return _basic_identity(config)
    if mode == "accounts":
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        account = config.accounts.account_for_session(token, idle_seconds=config.idle_minutes * 60)
        return None if account is None else Identity(account.name, account.role, account.display, via="session")
    return Identity(_local_name(), config.local_role, via="local")


def _wants_page() -> bool:
    """A page address (not Dash's endpoints, assets, the API): sent to the login page."""
    request = flask.request
    return request.method == "GET" and not request.path.startswith(
        ("/_dash", "/_partnernetz", "/_reload", "/_favicon", "/api/", "/assets/"))


def install_access(server: flask.Flask, config: AccessConfig) -> None:
    """Establish the identity of every request to ``server`` (see the module
    docstring) and set the contact rule the app's store applies to it."""
    server.config[ACCESS_KEY] = config
    server.config[UNSEEN_RULE_KEY] = lambda: "none" if config.login_required or config.no_contacts else "masked"

    @server.before_request
    def _establish_identity():
        request = flask.request
        if request.method in _STATE_CHANGING and not _same_origin(config):
            return _refuse(403, "403 – Anfrage von fremder Seite abgelehnt / cross-site request refused")
        if request.path in PUBLIC_PATHS:
            return None
        found = _identify(config)
        if isinstance(found, str) or found is None:
            if found is None and config.mode == "accounts" and _wants_page():
                target = request.full_path.rstrip("?") if request.query_string else request.path
                return flask.redirect("/login?next=" + quote(target, safe="/"), code=303)
            return _unauthorised(config)
        setattr(flask.g, _IDENTITY_KEY, found)
        setattr(flask.g, RULE_KEY, contact_rule_for(found))
        return None

