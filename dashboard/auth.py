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
from dataclasses import dataclass, field
from typing import Mapping

import flask
from werkzeug.security import check_password_hash, generate_password_hash

from dashboard.settings import LOOPBACK_HOSTS
from graph.core.errors import PartnernetzError
from graph.people.roles import Role, RoleError

__all__ = ["ENV_USER", "ENV_HASH", "ENV_HEADER", "ENV_PROXIES", "ENV_GROUP_HEADER", "ENV_GROUP_ROLES", "ENV_DEFAULT_ROLE",
           "AuthConfig", "AuthConfigError", "UnsafeBinding", "install_auth", "require_safe_binding", "hash_password",
           "current_user", "is_loopback", "basic_credentials"]

ENV_USER = "PARTNERNETZ_USER"
ENV_HASH = "PARTNERNETZ_PASSWORD_HASH"
ENV_HEADER = "PARTNERNETZ_AUTH_HEADER"
ENV_PROXIES = "PARTNERNETZ_TRUSTED_PROXIES"
ENV_GROUP_HEADER = "PARTNERNETZ_GROUP_HEADER"   # e.g. X-Forwarded-Groups
ENV_GROUP_ROLES = "PARTNERNETZ_GROUP_ROLES"     # e.g. "pn-admins=admin,pn-planung=planner"
ENV_DEFAULT_ROLE = "PARTNERNETZ_PROXY_DEFAULT_ROLE"  # role of a proxy user in no mapped group and no account (reader)

_DUMMY_HASH = generate_password_hash("partnernetz-dummy-password")  # equalises timing for unknown users
_IDENTITY_KEY = "partnernetz_identity"  # set by dashboard.access for every request


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
    group_header: str = ""
    group_roles: Mapping[str, Role] = field(default_factory=dict)
    default_role: Role = Role.READER

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "AuthConfig | None":
        """The configuration in ``env`` (``os.environ``), or ``None`` when none
        is set. Raises :class:`AuthConfigError` for half a configuration."""
        user, hashed, header = env.get(ENV_USER, ""), env.get(ENV_HASH, ""), env.get(ENV_HEADER, "")
        if header:
            if user or hashed:
                raise AuthConfigError(f"set either {ENV_HEADER} (reverse proxy) or {ENV_USER}/{ENV_HASH}, not both")
            proxies = tuple(p.strip() for p in env.get(ENV_PROXIES, "127.0.0.1,::1").split(",") if p.strip())
            groups: dict[str, Role] = {}
            for item in env.get(ENV_GROUP_ROLES, "").split(","):
                if not item.strip():
                    continue
                group, sep, role = item.rpartition("=")
                try:
                    if not sep or not group.strip():
                        raise RoleError(item)
                    groups[group.strip()] = Role.parse(role)
                except RoleError:
                    raise AuthConfigError(f"{ENV_GROUP_ROLES}: {item.strip()!r} is not GROUP=ROLE "
                                          f"(roles: reader, planner, editor, admin)") from None
            try:
                default = Role.parse(env.get(ENV_DEFAULT_ROLE, "reader"))
            except RoleError as exc:
                raise AuthConfigError(f"{ENV_DEFAULT_ROLE}: {exc}") from None
            return cls(mode="proxy", header=header, trusted_proxies=proxies, group_header=env.get(ENV_GROUP_HEADER, ""),
                       group_roles=groups, default_role=default)
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


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def install_auth(server: flask.Flask, auth: AuthConfig) -> None:
    """Require ``auth`` on every request to ``server`` (through the access
    seam, :func:`dashboard.access.install_access`, which the app installs)."""
    config = server.config.get("PARTNERNETZ_ACCESS")
    if config is None:
        raise AuthConfigError("the app has no access seam installed (build it with dashboard.app.create_app)")
    config.auth = auth
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
    identity = flask.g.get(_IDENTITY_KEY) if flask.has_request_context() else None
    return identity.name if identity is not None else fallback


def is_loopback(host: str) -> bool:
    return host.strip().lower().strip("[]") in LOOPBACK_HOSTS


def require_safe_binding(host: str, *, has_contacts: bool, auth: AuthConfig | None, users: int = 0) -> None:
    """Raise :class:`UnsafeBinding` when contacts would be served on a
    non-loopback ``host`` without authentication (``auth`` from the
    environment, or ``users`` accounts that can log in)."""
    if has_contacts and auth is None and not users and not is_loopback(host):
        raise UnsafeBinding(
            f"refusing to serve contact data (personal data) on {host} without authentication. "
            f"Add a user (`python app.py user add NAME --role admin`), set {ENV_USER} and {ENV_HASH} (hash from `python app.py hash-password`) or "
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
