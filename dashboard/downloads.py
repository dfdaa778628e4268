"""Every download of the dashboard leaves through here (and so through the
gate :func:`loaders.egress.release`): the requesting user's contact rule is
applied, the audit record written, then the bytes are handed to
``dcc.Download`` — or, over :func:`dashboard.download_links.inline_limit`,
parked for a one-time link the browser fetches as a plain file download
(a whole-dataset export would otherwise be a callback answer of hundreds of
MB). Pages put :func:`dashboard.download_links.target` where a download
goes.

A page builds a *payload* (what it wants to send, see :mod:`loaders.egress`)
and returns ``send(payload)`` from its download callback; a test walks the
app's callback map and fails for a download callback that does not.

The contact rule of a request is :func:`contact_rule`: the requesting
user's role's rule (:func:`dashboard.access.contact_rule`: ``none`` for a
reader, ``masked`` — contacts with consent only — for planners and up),
and ``none`` whenever the server runs with ``--no-contacts``. The record
goes to the app's audit sink (the workspace's audit table and the JSON-lines
file) with the requesting user's name, role and address.
"""

from __future__ import annotations

from typing import Any

from dash import dcc

from dashboard import access, download_links
from dashboard.context import current
from loaders import egress

__all__ = ["contact_rule", "send", "release", "refused", "graph_payload", "target", "register_target"]

#: Where a page's download goes (layout) and its wiring (once per app): see :mod:`dashboard.download_links`.
target, register_target = download_links.target, download_links.register_target


def contact_rule(*, full_backup: bool = False) -> str:
    """The contact rule of the current request (see :data:`loaders.egress.RULES`).

    ``full_backup``: the workspace's full backup (every contact, also those
    without consent), for admins only; ``none`` still wins with
    ``--no-contacts`` and for readers.
    """
    settings = current().settings
    rule = access.contact_rule()
    if full_backup and rule != "none" and access.has_role("admin"):
        rule = "all"
    return egress.rule_for(no_contacts=settings.no_contacts, user_rule=rule)


def _audit(settings) -> Any:
    """Where the gate records: the app's sink (workspace audit table + file)
    with the requester's address and role, or the file alone."""
    sink = access.access_config().audit
    if sink is None:
        return settings.audit_log
    identity = access.current_identity()

    def record(**fields: Any) -> Any:
        return sink(address=access.client_address(), role=identity.role.key, **fields)

    return record


def graph_payload(fmt: str, **options: Any) -> egress.GraphPayload:
    """The served graph as a download payload (Daten, Analysen); the graph
    without the contacts a rule withholds is built once per dataset and
    rule, and shared by both pages."""
    ctx = current()

    def memo(decision: egress.Decision, compute):
        return ctx.cached(f"downloads.graph.{decision.rule}", compute)

    return egress.GraphPayload(ctx.graph, fmt, memo=memo, **options)


def release(payload: Any, *, rule: str | None = None, **context: Any) -> egress.Released:
    """Pass ``payload`` through the gate for the current user; the record
    names the dataset. Raises :class:`graph.people.privacy.PrivacyError`
    for a strict payload holding a contact that may not leave."""
    ctx = current()
    context.setdefault("dataset", (ctx.graph.meta.get("snapshot") or {}).get("source", ctx.settings.data_label))
    return egress.release(payload, user=access.current_identity().name, audit=_audit(ctx.settings),
                          rule=rule if rule is not None else contact_rule(), **context)


def send(payload: Any, *, rule: str | None = None, mime: str | None = None, **context: Any) -> dict[str, Any]:
    """:func:`release`, then the value for a download target's ``data``: the
    file itself, or (over the inline limit) ``{"url", "filename"}`` of its
    one-time link.

    A strict payload the gate refuses (a person who may not leave) sends
    nothing: :class:`~graph.people.privacy.PrivacyError` is raised for the
    callback to tell the user (see :func:`refused`)."""
    released = release(payload, rule=rule, into=download_links.spool(), **context)
    limit = download_links.inline_limit()
    content = released.content
    if released.file is not None:  # a whole graph, rendered into the spool: parked as it is when large
        if released.file.stat().st_size > limit:
            return {"url": download_links.park_file(released.file, released.filename, mime),
                    "filename": released.filename}
        content = released.file.read_bytes()
        released.file.unlink(missing_ok=True)
    elif len(content) > limit:
        return {"url": download_links.park(content, released.filename, mime), "filename": released.filename}
    return dcc.send_bytes(content, released.filename, **({"type": mime} if mime else {}))


def refused(lang: str, element_id: str):
    """The notice shown when the gate refused a download."""
    from dash import html

    from dashboard.i18n import t

    return html.Div(t("download.refused", lang), className="status error", id=element_id)
