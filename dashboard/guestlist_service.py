"""Guest lists from the dashboard and the API: one path for both.

Role rules (contacts are personal data, :mod:`graph.people.roles`):

* a guest list's name, event and counts per status hold no person: every
  role sees them;
* the guests, the quota check (persons counted per group), an imported
  list's rows and the invitation journal: planners and up (readers' served
  graph has no contacts at all); a person without consent is shown masked;
* saving a list, moving a status, importing and reviewing a list: planners
  and up — saving with a **new event**, and confirming a list that writes
  the network (attendance edges, new persons), change the data: editors.

A write that creates a version is recorded in the audit trail and made live
in this process before answering (:func:`dashboard.edit_service.go_live`).
"""

from __future__ import annotations

from typing import Any, Callable

from dashboard.access import audit_event, require_role
from dashboard.context import current
from dashboard.domain_labels import domain_label
from dashboard.edit_service import go_live, require_workspace, workspace
from graph.core.errors import PartnernetzError
from graph.core.labels import SECTOR, label
from graph.people.attendance import QuotaCheck, quota_against_attendance
from graph.people.contacts import ContactIndex, build_contact_index
from graph.people.guestlist import Quota, value_label
from graph.people.privacy import MASKED_LABEL
from loaders.workspace.guestlists import ConfirmResult, Guest, GuestListRecord, GuestLists

__all__ = ["store", "require_store", "contact_index", "same_person", "guest_view", "quota_checks", "save",
           "confirm", "confirm_role", "quotas_of", "event_label", "current_graph", "quota_dicts"]


def store() -> GuestLists | None:
    """The served workspace's guest lists (None when files are served read-only)."""
    ws = workspace()
    return GuestLists(ws) if ws is not None else None


def require_store() -> GuestLists:
    return GuestLists(require_workspace())


def contact_index() -> ContactIndex:
    """The served graph's contact index (the same cache entry as the Kontakte page)."""
    ctx = current()
    return ctx.cached("contacts.index", lambda: build_contact_index(ctx.graph))


def current_graph():
    """The served graph."""
    return current().graph


def same_person() -> Callable[[str], str]:
    """Contact node id → its merged person (the dedupe groups of the served graph)."""
    index = contact_index()
    return lambda c: index.record_to_person.get(c, c)


def event_label(event: str, lang: str = "de") -> str:
    """``2026-11-03 – Title`` of an event node, or its key when it is not served (yet)."""
    graph = current().graph
    if event in graph.nx:
        attrs = graph.nx.nodes[event]
        date = attrs.get("date")
        return f"{date} – {graph.label(event, lang)}" if date else graph.label(event, lang)
    return event.partition(":")[2] or event


def guest_view(index: ContactIndex, guest: Guest, lang: str) -> dict[str, Any]:
    """One guest as a planner may see them: a person without consent (or not
    served) shows as masked, with institution only."""
    person = index.persons.get(index.record_to_person.get(guest.contact, guest.contact))
    masked = person is None or person.masked
    return {"contact": guest.contact, "name": MASKED_LABEL if masked else person.name,
            "institution": "; ".join(person.institution_labels) if person else "",
            "sector": "; ".join(label(SECTOR, s, lang) for s in person.sectors) if person else "",
            "land": "; ".join(index.label(f"land:{c}", lang) for c in person.laender) if person else "",
            "status": guest.status.value, "status_label": domain_label("invitation_status", guest.status.value, lang),
            "added": guest.added, "masked": masked}


def quotas_of(record: GuestListRecord) -> list[Quota]:
    """The per-group rules the list was built with (kept in its settings)."""
    out = []
    for q in record.settings.get("quotas") or []:
        try:
            out.append(Quota(q["dimension"], q["value"], min=q.get("min"), max=q.get("max")))
        except (KeyError, TypeError, PartnernetzError):  # a hand-made setting that is no quota: not checked
            continue
    return out


def quota_checks(index: ContactIndex, record: GuestListRecord, guests: list[Guest]) -> list[QuotaCheck]:
    """The list's quotas counted on the invited guests and on those who came."""
    invited = [g.contact for g in guests if g.added == "list"]
    attended = [g.contact for g in guests if g.status.value == "attended"]
    return quota_against_attendance(index, invited, attended, quotas_of(record))


def quota_dicts(index: ContactIndex, checks: list[QuotaCheck], lang: str) -> list[dict[str, Any]]:
    return [{"dimension": q.dimension, "value": q.value, "label": value_label(index, q.dimension, q.value, lang),
             "min": q.min, "max": q.max, "invited": q.invited, "attended": q.attended,
             "met_invited": q.met_invited, "met_attended": q.met_attended} for q in checks]


def save(name: str, guests: list[str], *, event: str | None = None, new_event: dict[str, Any] | None = None,
         settings: dict[str, Any] | None = None) -> tuple[int, int | None, bool]:
    """Save a guest list as the requesting user; ``(id, version, live)``."""
    identity = require_role("editor" if new_event is not None else "planner")
    gl = require_store()
    gid, version = gl.save(name, owner=identity.name, guests=guests, user=identity.name, event=event,
                           new_event=new_event, settings=settings)
    live = False
    if version is not None:
        audit_event("edit", what=f"events (guest list {gid})", version=version, source="edit")
        live = go_live(version)
    return gid, version, live


def confirm_role(gl: GuestLists, iid: int) -> str:
    """The least role that may confirm an import: editor when it writes the network."""
    imp = gl.list_import(iid)
    writes = imp.kind == "attendance" or any(r.resolution == "new" for r in imp.rows)
    return "editor" if writes else "planner"


def confirm(gl: GuestLists, iid: int) -> tuple[ConfirmResult, bool]:
    """Confirm an import as the requesting user; ``(result, live)``."""
    identity = require_role(confirm_role(gl, iid))
    result = gl.confirm(iid, user=identity.name, same_person=same_person())
    live = False
    if result.version is not None:
        audit_event("edit", what=f"attendance (list import {iid})", version=result.version, source="edit")
        live = go_live(result.version)
    return result, live
