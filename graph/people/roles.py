"""Roles: who may see and change what.

Four roles, each including the one before it:

==========  ====================================================================
``reader``  the network, matchmaking and analytics — no personal data anywhere:
            contacts are not counted, shown, searched, walked through or exported
``planner`` contacts (those with consent), guest lists and their exports
``editor``  changes the data and publishes new versions
``admin``   manages users and reads the audit log
==========  ====================================================================

Each role maps to a *contact rule*, the rule the store applies to contact
nodes for that user (see :data:`CONTACT_RULES`): ``none`` — no contact
exists; ``masked`` — contacts with consent are shown, the others only as
institution and role (:func:`graph.people.privacy.mask_unconsented`);
``all`` — unmasked (never served; only a full backup by the data owner).

>>> Role.parse("Planer") is Role.PLANNER, Role.READER < Role.EDITOR
(True, True)
>>> contact_rule(Role.READER), contact_rule(Role.ADMIN)
('none', 'masked')
>>> may(Role.PLANNER, "export_contacts"), may(Role.PLANNER, "publish")
(True, False)
"""

from __future__ import annotations

import enum

from graph.core.errors import PartnernetzError

__all__ = ["Role", "RoleError", "CONTACT_RULES", "ACTIONS", "contact_rule", "may", "min_role", "stricter_rule"]


class RoleError(PartnernetzError):
    """An unknown role name."""


class Role(enum.IntEnum):
    """A user's role; a larger value includes every smaller one."""

    READER = 1
    PLANNER = 2
    EDITOR = 3
    ADMIN = 4

    @property
    def key(self) -> str:
        """The stored name (``"reader"`` …)."""
        return self.name.lower()

    def __str__(self) -> str:
        return self.key

    @classmethod
    def parse(cls, value: "Role | str | int") -> "Role":
        """A role from its English or German name (any case) or its number."""
        if isinstance(value, Role):
            return value
        if isinstance(value, int):
            try:
                return cls(value)
            except ValueError:
                raise RoleError(f"unknown role {value!r} (roles: {', '.join(r.key for r in cls)})") from None
        text = str(value).strip().lower()
        found = _ALIASES.get(text)
        if found is None:
            raise RoleError(f"unknown role {value!r} (roles: {', '.join(r.key for r in cls)})")
        return found


_ALIASES = {
    "reader": Role.READER, "leser": Role.READER, "leserin": Role.READER, "analyst": Role.READER,
    "planner": Role.PLANNER, "planer": Role.PLANNER, "planerin": Role.PLANNER,
    "editor": Role.EDITOR, "redakteur": Role.EDITOR, "redakteurin": Role.EDITOR, "bearbeiter": Role.EDITOR,
    "admin": Role.ADMIN, "administrator": Role.ADMIN, "administratorin": Role.ADMIN,
}

#: The contact rules a store can apply, least to most revealing.
CONTACT_RULES = ("none", "masked", "all")

#: What each action needs at least.
ACTIONS: dict[str, Role] = {
    "view_network": Role.READER,        # network, matchmaking, analytics, data overview
    "view_contacts": Role.PLANNER,      # contacts page, contacts in any view or search
    "export_contacts": Role.PLANNER,    # guest lists, downloads holding contacts
    "edit": Role.EDITOR,                # change rows
    "publish": Role.EDITOR,             # upload, publish, revert a workspace version
    "manage_users": Role.ADMIN,         # accounts, roles, tokens
    "read_audit": Role.ADMIN,           # the Protokoll page and its export
}


def min_role(action: str) -> Role:
    """The least role allowed to do ``action`` (a key of :data:`ACTIONS`)."""
    try:
        return ACTIONS[action]
    except KeyError:
        raise RoleError(f"unknown action {action!r}") from None


def may(role: Role | str, action: str) -> bool:
    """Whether ``role`` may do ``action``."""
    return Role.parse(role) >= min_role(action)


def contact_rule(role: Role | str) -> str:
    """The contact rule for ``role``: ``none`` for readers, else ``masked``
    (``all`` is never given to a dashboard user: unconsented contacts stay masked)."""
    return "masked" if may(role, "view_contacts") else "none"


def stricter_rule(a: str, b: str) -> str:
    """The more restrictive of two contact rules (e.g. the user's rule and
    the server's ``--no-contacts``).

    >>> stricter_rule("masked", "none"), stricter_rule("all", "masked")
    ('none', 'masked')
    """
    for rule in (a, b):
        if rule not in CONTACT_RULES:
            raise RoleError(f"unknown contact rule {rule!r} (rules: {', '.join(CONTACT_RULES)})")
    return CONTACT_RULES[min(CONTACT_RULES.index(a), CONTACT_RULES.index(b))]
