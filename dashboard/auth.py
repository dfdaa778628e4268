"""Access control for a served dashboard that holds personal data.

Two modes, configured from the environment (never from the command line,
where passwords end up in shell history and ``ps``):

* **HTTP Basic**: ``PARTNERNETZ_USER`` and ``PARTNERNETZ_PASSWORD_HASH`` (a
  werkzeug hash such as ``scrypt:32768:8:1$…``; make one with
  ``python app.py hash-password``). The password is checked against the hash
  (salted scrypt/pbkdf2, constant-time comparison); the user name is compared
  with :func:`hmac.compare_digest`.
* **Trusted reverse proxy**: ``PARTNERNETZ_AUTH_HEADER`` names a header
  (e.g. ``X-Forwarded-User``) that an authenticating proxy sets; requests are
  accepted only from ``PARTNERNETZ_TRUSTED_PROXIES`` (comma-separated
  addresses, default ``127.0.0.1,::1``) and only with the header present.

Every request — pages, Dash callbacks, assets, downloads — passes a Flask
``before_request`` hook; without valid credentials the answer is ``401`` with
a fixed text body, so no data leaks. :func:`require_safe_binding` refuses to
serve contacts on a non-loopback address without authentication.

>>> from werkzeug.security import generate_password_hash
>>> cfg = AuthConfig.from_env({ENV_USER: "planer", ENV_HASH: generate_password_hash("geheim")})
>>> cfg.mode, cfg.verify_basic("planer", "geheim"), cfg.verify_basic("planer", "falsch")
('basic', True, False)
"""

from __future__ import annotations

import base64
import binascii
import getpass
import hmac
from dataclasses import dataclass
from typing import Mapping

import flask
from werkzeug.security import check_password_hash, generate_password_hash

from dashboard.settings import LOOPBACK_HOSTS
from graph.core.errors import PartnernetzError

__all__ = ["ENV_USER", "ENV_HASH", "ENV_HEADER", "ENV_PROXIES", "AuthConfig", "AuthConfigError", "UnsafeBinding",
           "install_auth", "require_safe_binding", "hash_password", "current_user", "is_loopback"]

ENV_USER = "PARTNERNETZ_USER"
ENV_HASH = "PARTNERNETZ_PASSWORD_HASH"
ENV_HEADER = "PARTNERNETZ_AUTH_HEADER"
ENV_PROXIES = "PARTNERNETZ_TRUSTED_PROXIES"

_REALM = "Partnernetz"
#: Paths whose requests may authenticate with a bearer token instead (the JSON API).
BEARER_PATHS = ("/api/v1/",)
_DUMMY_HASH = generate_password_hash("partnernetz-dummy-password")  # equalises timing for unknown users
_USER_KEY = "partnernetz_user"


class AuthConfigError(PartnernetzError):
    """The authentication settings are incomplete or malformed."""


class UnsafeBinding(PartnernetzError):
    """Refusing to serve personal data on a public interface without authentication."""


@dataclass(frozen=True)
class AuthConfig:
    mode: str  # "basic" or "proxy"
    user: str = ""
    password_hash: str = ""
    header: str = ""
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "AuthConfig | None":
        """The configuration in ``env`` (``os.environ``), or ``None`` when none
        is set. Raises :class:`AuthConfigError` for half a configuration."""
        user, hashed, header = env.get(ENV_USER, ""), env.get(ENV_HASH, ""), env.get(ENV_HEADER, "")
        if header:
            if user or hashed:
                raise AuthConfigError(f"set either {ENV_HEADER} (reverse proxy) or {ENV_USER}/{ENV_HASH}, not both")
            proxies = tuple(p.strip() for p in env.get(ENV_PROXIES, "127.0.0.1,::1").split(",") if p.strip())
            return cls(mode="proxy", header=header, trusted_proxies=proxies)
        if not user and not hashed:
            return None
        if not user or not hashed:
            missing = ENV_USER if not user else ENV_HASH
            raise AuthConfigError(f"authentication is half configured: {missing} is not set")
        if "$" not in hashed or ":" not in hashed.split("$", 1)[0]:
            raise AuthConfigError(f"{ENV_HASH} is not a password hash (make one with: python app.py hash-password)")
        return cls(mode="basic", user=user, password_hash=hashed)

    def verify_basic(self, user: str, password: str) -> bool:
        """Constant-time check of a user name and password."""
        user_ok = hmac.compare_digest(user.encode("utf-8"), self.user.encode("utf-8"))
        # always run the (slow, salted) hash check, so a wrong user name takes as long
        password_ok = check_password_hash(self.password_hash if user_ok else _DUMMY_HASH, password)
        return user_ok and password_ok

    def describe(self) -> str:
        return f"HTTP Basic (user {self.user})" if self.mode == "basic" else f"reverse proxy header {self.header}"


def hash_password(password: str) -> str:
    """A salted scrypt hash for ``PARTNERNETZ_PASSWORD_HASH``."""
    if not password:
        raise AuthConfigError("the password is empty")
    return generate_password_hash(password, method="scrypt")


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def _unauthorised() -> flask.Response:
    return flask.Response("401 – Anmeldung erforderlich / authentication required\n", status=401,
                          mimetype="text/plain",
                          headers={"WWW-Authenticate": f'Basic realm="{_REALM}", charset="UTF-8"',
                                   "Cache-Control": "no-store"})


def install_auth(server: flask.Flask, auth: AuthConfig) -> None:
    """Require ``auth`` on every request to ``server``."""

    @server.before_request
    def _require_login():
        if (flask.request.path.startswith(BEARER_PATHS)
                and flask.request.headers.get("Authorization", "")[:7].lower() == "bearer "):
            return None  # the API checks its bearer token itself (dashboard/api)
        if auth.mode == "proxy":
            user = flask.request.headers.get(auth.header, "").strip()
            if flask.request.remote_addr not in auth.trusted_proxies or not user:
                return _unauthorised()
        else:
            creds = _basic_credentials(flask.request.headers.get("Authorization"))
            if creds is None or not auth.verify_basic(*creds):
                return _unauthorised()
            user = creds[0]
        flask.g.setdefault(_USER_KEY, user)
        return None

    server.config["PARTNERNETZ_AUTH"] = auth.describe()


def _local_user() -> str:
    try:
        return "local:" + getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "local"


def current_user(default: str | None = None) -> str:
    """The authenticated user of the current request; without authentication
    ``local:<account running the server>`` (or ``default``)."""
    fallback = default if default is not None else _local_user()
    return flask.g.get(_USER_KEY, fallback) if flask.has_request_context() else fallback


def is_loopback(host: str) -> bool:
    return host.strip().lower().strip("[]") in LOOPBACK_HOSTS


def require_safe_binding(host: str, *, has_contacts: bool, auth: AuthConfig | None) -> None:
    """Raise :class:`UnsafeBinding` when contacts would be served on a
    non-loopback ``host`` without authentication."""
    if has_contacts and auth is None and not is_loopback(host):
        raise UnsafeBinding(
            f"refusing to serve contact data (personal data) on {host} without authentication. "
            f"Set {ENV_USER} and {ENV_HASH} (hash from `python app.py hash-password`) or "
            f"{ENV_HEADER} behind an authenticating reverse proxy, serve with --no-contacts, "
            f"or bind to 127.0.0.1 (see README, 'Security and privacy')")


def may_see_personal_data(settings) -> bool:
    """Whether the user of the current request may see personal data beyond
    the consented contacts: contacts without consent, their attendance and
    full backups that hold them.

    Today every user of an instance that serves contacts may (such an
    instance runs only on loopback or behind authentication, see
    :func:`require_safe_binding`); a role check plugs in here, as the one
    place callers ask. ``settings`` is the app's :class:`dashboard.settings.Settings`.
    """
    return not settings.no_contacts
