"""Who is asking, and what may they do: the access seam of the dashboard and the API.

Roles are ordered ``reader < planner < editor < admin``. Editing needs
``editor``; personal fields and notes on contacts need ``planner``.

Minimal version until users and roles (issue 16) land: the local user and a
user who passed HTTP Basic or the reverse proxy are ``admin``; API clients
authenticate with a bearer token listed in ``PARTNERNETZ_API_TOKENS``
(comma-separated ``name:role:token``; tokens are compared in constant time).

>>> Identity("anna", "editor").at_least("planner"), Identity("rolf", "reader").at_least("editor")
(True, False)
>>> authenticate_bearer("s3cret", env={ENV_TOKENS: "crm:editor:s3cret"})
Identity(name='crm', role='editor')
>>> authenticate_bearer("wrong", env={ENV_TOKENS: "crm:editor:s3cret"}) is None
True
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass
from typing import Mapping

import flask

from dashboard.auth import current_user
from graph.core.errors import PartnernetzError

__all__ = ["ROLES", "Identity", "AccessDenied", "current_identity", "require_role", "has_role", "contact_rule_for",
           "authenticate_bearer", "ENV_TOKENS", "use_identity"]

ROLES = ("reader", "planner", "editor", "admin")
ENV_TOKENS = "PARTNERNETZ_API_TOKENS"
_IDENTITY_KEY = "partnernetz_identity"


class AccessDenied(PartnernetzError):
    """The current identity's role is below what the action needs."""

    def __init__(self, identity: "Identity", needed: str):
        super().__init__(f"role '{needed}' needed; {identity.name} has role '{identity.role}'")
        self.identity, self.needed = identity, needed


@dataclass(frozen=True)
class Identity:
    name: str
    role: str

    def at_least(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def use_identity(identity: Identity) -> None:
    """Make ``identity`` the current one for this request (the API after a bearer token)."""
    flask.g.setdefault(_IDENTITY_KEY, identity)


def current_identity() -> Identity:
    """The identity of the current request: a bearer token's, else the logged-in or local user as admin."""
    if flask.has_request_context():
        found = flask.g.get(_IDENTITY_KEY)
        if found is not None:
            return found
    return Identity(current_user(), "admin")


def require_role(min_role: str) -> Identity:
    """The current identity, or :class:`AccessDenied` when its role is below ``min_role``."""
    identity = current_identity()
    if not identity.at_least(min_role):
        raise AccessDenied(identity, min_role)
    return identity


def has_role(min_role: str) -> bool:
    """Whether the current identity's role is at least ``min_role``."""
    return current_identity().at_least(min_role)


def contact_rule_for(identity: Identity | None = None) -> str:
    """The contact rule (:data:`loaders.egress.RULES`) for ``identity`` (default: the requesting one):
    ``masked`` (contacts with consent, with their personal fields; planners and up) or ``none``."""
    identity = identity or current_identity()
    return "masked" if identity.at_least("planner") else "none"


def authenticate_bearer(token: str, env: Mapping[str, str] | None = None) -> Identity | None:
    """The identity a bearer ``token`` belongs to, or None."""
    env = os.environ if env is None else env
    found = None
    for entry in env.get(ENV_TOKENS, "").split(","):
        name, _, rest = entry.strip().partition(":")
        role, _, secret = rest.partition(":")
        if not (name and role in ROLES and secret):
            continue
        if hmac.compare_digest(secret.encode("utf-8"), token.encode("utf-8")) and found is None:
            found = Identity(name, role)
    return found
