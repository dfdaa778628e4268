"""Guest lists that become events, kept in the workspace file.

A planner saves the Kontakte guest list for an event — an existing event, or
a new one created in the same step through the editing path (one version,
kind ``edit``). Each guest then carries an invitation status
(:mod:`graph.followup.invitations`). Afterwards the registration or
attendance list is imported (:mod:`loaders.attendance_list`), its rows
matched to contacts with the dedupe rules (:mod:`graph.people.attendance`);
rows without a match wait for review (pick a contact, create a new person,
or ignore). Confirming the import writes, in **one version**, the new persons
and the ``attendance`` rows (the network's attendance edges) and, in the same
transaction, the guests' new statuses.

Tables (created on first use, so older workspaces gain them):

* ``guestlists`` (id, name, owner, created, event, settings, version):
  ``event`` the event's node id, ``settings`` the builder's settings (size,
  quotas, filters) as JSON, ``version`` the workspace version it was saved on;
* ``guestlist_guests`` (guestlist, contact, position, status, added, changed):
  one guest (contact node id); ``added`` is ``list`` or ``import`` (came
  without being on the list);
* ``invitation_events`` (seq, time, user, guestlist, contact, from_status,
  to_status, source): every status change, append-only (triggers refuse
  UPDATE and DELETE) — query it by time with :meth:`GuestLists.events_since`;
* ``guestlist_imports`` (id, guestlist, time, user, file, kind, rows,
  problems, read, rejected, state, version): an imported list and its review
  state (``open``, ``confirmed``, ``discarded``). Once confirmed or discarded,
  the names and e-mail addresses the file carried are dropped from it (only
  row numbers, matched contact ids and decisions stay).

Every write is one SQLite transaction.

>>> import tempfile, pathlib
>>> from loaders.workspace.location import create_workspace
>>> ws = create_workspace(pathlib.Path(tempfile.mkdtemp()) / "ws.sqlite", sample=True, user="t")
>>> gl = GuestLists(ws)
>>> gid, _version = gl.save("Netzwerktreffen", owner="anna", guests=["contact:c004", "contact:c006"], event="event:e05",
...                         user="anna")
>>> gl.set_status(gid, "contact:c004", "accepted", user="anna").value
'accepted'
>>> [(e.contact, e.from_status, e.to_status) for e in gl.events_since("2000-01-01")]
[('contact:c004', None, 'invited'), ('contact:c006', None, 'invited'), ('contact:c004', 'invited', 'accepted')]
"""

from __future__ import annotations

import datetime as _dt
import json
import sqlite3
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from graph.core.errors import PartnernetzError
from graph.core.text import slugify
from graph.followup.invitations import Invitation, InvitationError, LIST_KINDS, move_guest, status_counts, status_of_list
from graph.people.attendance import ContactRecord, match_rows
from graph.people.guestlist import Quota
from loaders.attendance_list import read_list
from loaders.report import Problem
from loaders.workspace.diff import Change
from loaders.workspace.editing import FieldProblem, EditError, validate_row
from loaders.workspace.keys import normalise_row, row_key
from loaders.workspace.store import ConflictError, WorkspaceFile

__all__ = ["GuestLists", "GuestListError", "GuestListRecord", "Guest", "InvitationEvent", "ImportRow", "ListImport",
           "ConfirmResult", "RESOLUTIONS"]

#: What a reviewer can decide for a row: the matched (or picked) contact, a new person, or ignore it.
RESOLUTIONS = ("contact", "new", "ignore")

_DDL = [
    "CREATE TABLE IF NOT EXISTS guestlists (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, "
    "owner TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, event TEXT NOT NULL, settings TEXT NOT NULL DEFAULT '{}', "
    "version INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS guestlist_guests (guestlist INTEGER NOT NULL REFERENCES guestlists(id), "
    "contact TEXT NOT NULL, position INTEGER NOT NULL, status TEXT NOT NULL, added TEXT NOT NULL DEFAULT 'list', "
    "changed TEXT NOT NULL, PRIMARY KEY (guestlist, contact))",
    "CREATE TABLE IF NOT EXISTS invitation_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, "
    "user TEXT NOT NULL, guestlist INTEGER NOT NULL, contact TEXT NOT NULL, from_status TEXT, to_status TEXT NOT NULL, "
    "source TEXT NOT NULL DEFAULT '')",
    "CREATE INDEX IF NOT EXISTS invitation_events_time ON invitation_events (time)",
    "CREATE TRIGGER IF NOT EXISTS invitation_events_no_update BEFORE UPDATE ON invitation_events "
    "BEGIN SELECT RAISE(ABORT, 'invitation_events is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS invitation_events_no_delete BEFORE DELETE ON invitation_events "
    "BEGIN SELECT RAISE(ABORT, 'invitation_events is append-only'); END",
    "CREATE TABLE IF NOT EXISTS guestlist_imports (id INTEGER PRIMARY KEY AUTOINCREMENT, guestlist INTEGER NOT NULL "
    "REFERENCES guestlists(id), time TEXT NOT NULL, user TEXT NOT NULL, file TEXT NOT NULL, kind TEXT NOT NULL, "
    "rows TEXT NOT NULL, problems TEXT NOT NULL, read INTEGER NOT NULL, rejected INTEGER NOT NULL, "
    "state TEXT NOT NULL DEFAULT 'open', version INTEGER)",
]

_MAX_GUESTS = 5000


class GuestListError(PartnernetzError):
    """A guest-list operation is impossible (unknown list, guest, event, unresolved rows …)."""


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _contact_id(value: str) -> str:
    """``contact:c001`` for ``c001`` or ``contact:c001``."""
    value = str(value or "").strip()
    return value if value.startswith("contact:") else f"contact:{value}"


def _event_id(value: str) -> str:
    value = str(value or "").strip()
    return value if value.startswith("event:") else f"event:{value}"


@dataclass(frozen=True)
class GuestListRecord:
    id: int
    name: str
    owner: str
    created: str
    event: str
    settings: dict[str, Any]
    version: int

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "owner": self.owner, "created": self.created, "event": self.event,
                "settings": self.settings, "version": self.version}


@dataclass(frozen=True)
class Guest:
    guestlist: int
    contact: str
    position: int
    status: Invitation
    added: str
    changed: str

    def to_dict(self) -> dict[str, Any]:
        return {"contact": self.contact, "position": self.position, "status": self.status.value, "added": self.added,
                "changed": self.changed}


@dataclass(frozen=True)
class InvitationEvent:
    """One status change of one guest (``from_status`` None: put on the list)."""

    seq: int
    time: str
    user: str
    guestlist: int
    contact: str
    from_status: str | None
    to_status: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "time": self.time, "user": self.user, "guestlist": self.guestlist,
                "contact": self.contact, "from": self.from_status, "to": self.to_status, "source": self.source}


@dataclass(frozen=True)
class ImportRow:
    """One usable row of an imported list and what becomes of it.

    ``match`` is the contact the dedupe rules found (``how``: email, name);
    ``suggestion`` a person of the same name elsewhere; ``resolution`` the
    reviewer's decision (``contact`` with ``contact``, ``new`` with
    ``institution``, ``ignore``), None while open.
    """

    number: int
    name: str
    email: str
    institution: str
    role: str
    status: str
    match: str | None
    how: str | None
    suggestion: str | None = None
    resolution: str | None = None
    contact: str | None = None
    new_institution: str | None = None

    @property
    def decided(self) -> bool:
        return self.match is not None or self.resolution is not None

    @property
    def person(self) -> str | None:
        """The contact this row stands for once decided (None: ignored or new and not yet created)."""
        if self.resolution == "ignore":
            return None
        if self.resolution == "contact":
            return self.contact
        if self.resolution == "new":
            return None
        return self.match

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "name": self.name, "email": self.email, "institution": self.institution,
                "role": self.role, "status": self.status, "match": self.match, "how": self.how,
                "suggestion": self.suggestion, "resolution": self.resolution, "contact": self.contact,
                "new_institution": self.new_institution}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "ImportRow":
        return cls(int(d["number"]), d.get("name") or "", d.get("email") or "", d.get("institution") or "",
                   d.get("role") or "", d.get("status") or "", d.get("match"), d.get("how"), d.get("suggestion"),
                   d.get("resolution"), d.get("contact"), d.get("new_institution"))


@dataclass(frozen=True)
class ListImport:
    id: int
    guestlist: int
    time: str
    user: str
    file: str
    kind: str
    rows: tuple[ImportRow, ...]
    problems: tuple[Problem, ...]
    read: int
    rejected: int
    state: str
    version: int | None

    @property
    def open_rows(self) -> list[ImportRow]:
        """Rows still waiting for a decision."""
        return [r for r in self.rows if not r.decided]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "guestlist": self.guestlist, "time": self.time, "user": self.user, "file": self.file,
                "kind": self.kind, "state": self.state, "version": self.version, "read": self.read,
                "rejected": self.rejected, "matched": sum(1 for r in self.rows if r.match),
                "open": len(self.open_rows), "rows": [r.to_dict() for r in self.rows],
                "problems": [{"level": p.level, "file": p.file, "row": p.row, "column": p.column, "value": p.value,
                              "message": p.message} for p in self.problems]}


@dataclass(frozen=True)
class ConfirmResult:
    """What a confirmed import changed."""

    version: int | None
    attendance: tuple[str, ...]       # attendance keys written
    new_contacts: tuple[str, ...]     # contact keys created
    moved: tuple[tuple[str, str, str], ...]   # (contact, from, to)
    added: tuple[str, ...]            # contacts added to the list (came without being on it)
    kept: tuple[tuple[str, str], ...] # (contact, why) rows that changed nothing (already attended, …)
    ignored: int

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "attendance": list(self.attendance), "new_contacts": list(self.new_contacts),
                "moved": [{"contact": c, "from": f, "to": t} for c, f, t in self.moved], "added": list(self.added),
                "kept": [{"contact": c, "why": w} for c, w in self.kept], "ignored": self.ignored}


class GuestLists:
    """Guest lists, invitation statuses and imported lists of one workspace."""

    def __init__(self, ws: WorkspaceFile):
        self.ws = ws
        with ws.connect() as con:
            for statement in _DDL:
                con.execute(statement)

    # ------------------------------------------------------------ saving
    def _new_event_row(self, con: sqlite3.Connection, values: Mapping[str, Any]) -> dict[str, str]:
        """An events row for a new event (id made from the title when not given), validated like an edit."""
        values = {k: v for k, v in values.items() if v not in (None, "")}
        if not str(values.get("title", "")).strip():
            raise EditError([FieldProblem("title", None, "required value is missing: a new event needs a title",
                                          "required")])
        if not values.get("id"):
            base = ("ev-" + "-".join(filter(None, (str(values.get("date", ""))[:10],
                                                    slugify(str(values["title"]))[:40])))).strip("-")
            key, n = base, 2
            while con.execute('SELECT 1 FROM "events" WHERE _key = ?', (key,)).fetchone():
                key, n = f"{base}-{n}", n + 1
            values["id"] = key
        row, problems, _warnings = validate_row(self.ws, "events", values, con=con)
        if not problems and con.execute('SELECT 1 FROM "events" WHERE _key = ?', (row_key("events", row),)).fetchone():
            problems.append(FieldProblem("id", row["id"], f"duplicate id '{row['id']}' (an event with this id exists)",
                                         "duplicate"))
        if problems:
            raise EditError(problems)
        return row

    def save(self, name: str, *, owner: str, guests: Iterable[str], user: str, event: str | None = None,
             new_event: Mapping[str, Any] | None = None, settings: Mapping[str, Any] | None = None
             ) -> tuple[int, int | None]:
        """Save a guest list for ``event`` (an existing event's id) or for
        ``new_event`` (events columns: title, date, city, country, themes,
        kind), which is created in the same step as one workspace version.
        Every guest starts as *invited* (journaled). Returns ``(guest-list id,
        version of the new event or None)``."""
        name = (name or "").strip()
        if not name or len(name) > 200:
            raise GuestListError("the guest list needs a name (at most 200 characters)")
        guests = list(dict.fromkeys(_contact_id(g) for g in guests if g))
        if not guests:
            raise GuestListError("a guest list needs at least one guest")
        if len(guests) > _MAX_GUESTS:
            raise GuestListError(f"more than {_MAX_GUESTS} guests")
        if (event is None) == (new_event is None):
            raise GuestListError("name either an existing event or a new one")
        known = self.ws.rows("contacts", [g.partition(":")[2] for g in guests])
        unknown = [g for g in guests if g.partition(":")[2] not in known]
        if unknown:
            raise GuestListError(f"not in the current data: {', '.join(unknown[:10])}")
        _check_quotas((settings or {}).get("quotas"))
        settings_json = json.dumps(dict(settings or {}), ensure_ascii=False)
        if len(settings_json) > 20000:
            raise GuestListError("the guest list's settings are too long")
        now = _now()

        def write(con: sqlite3.Connection, event_id: str, version: int) -> int:
            cur = con.execute("INSERT INTO guestlists (name, owner, created, event, settings, version) "
                              "VALUES (?, ?, ?, ?, ?, ?)", (name, owner, now, event_id, settings_json, version))
            gid = int(cur.lastrowid)
            con.executemany("INSERT INTO guestlist_guests (guestlist, contact, position, status, added, changed) "
                            "VALUES (?, ?, ?, ?, 'list', ?)",
                            ((gid, g, n, Invitation.INVITED.value, now) for n, g in enumerate(guests, 1)))
            con.executemany("INSERT INTO invitation_events (time, user, guestlist, contact, from_status, to_status, "
                            "source) VALUES (?, ?, ?, ?, NULL, ?, 'saved')",
                            ((now, user, gid, g, Invitation.INVITED.value) for g in guests))
            return gid

        if event is not None:
            event_id = _event_id(event)
            if not self.ws.rows("events", [event_id.partition(":")[2]]):
                raise GuestListError(f"no event {event_id.partition(':')[2]!r} in the current data")
            with self.ws.connect() as con:
                con.execute("BEGIN IMMEDIATE")
                try:
                    gid = write(con, event_id, self.ws.head(con))
                    con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
            return gid, None
        for attempt in range(3):
            with self.ws.connect() as con:
                head = self.ws.head(con)
                row = self._new_event_row(con, new_event)
            key = row_key("events", row)
            made: list[int] = []
            try:
                version = self.ws.publish(
                    [Change("events", key, "insert", None, row)], base=head, user=user, kind="edit", source="edit",
                    message=f"Veranstaltung für Gästeliste »{name}« / event for guest list '{name}'",
                    also=lambda con: made.append(write(con, f"event:{key}", head + 1)))
            except ConflictError:
                if attempt == 2:
                    raise
                continue
            return made[0], version.id
        raise AssertionError("unreachable")

    # ------------------------------------------------------------ reading
    def guestlists(self) -> list[GuestListRecord]:
        with self.ws.connect() as con:
            rows = con.execute("SELECT id, name, owner, created, event, settings, version FROM guestlists "
                               "ORDER BY id").fetchall()
        return [GuestListRecord(r[0], r[1], r[2], r[3], r[4], json.loads(r[5] or "{}"), r[6]) for r in rows]

    def guestlist(self, gid: int) -> GuestListRecord:
        with self.ws.connect() as con:
            r = con.execute("SELECT id, name, owner, created, event, settings, version FROM guestlists WHERE id = ?",
                            (gid,)).fetchone()
        if r is None:
            raise GuestListError(f"no guest list {gid}")
        return GuestListRecord(r[0], r[1], r[2], r[3], r[4], json.loads(r[5] or "{}"), r[6])

    def guests(self, gid: int, con: sqlite3.Connection | None = None) -> list[Guest]:
        """The guests of one list in list order (those who came unlisted last)."""
        sql = ("SELECT guestlist, contact, position, status, added, changed FROM guestlist_guests WHERE guestlist = ? "
               "ORDER BY position")
        if con is None:
            with self.ws.connect() as own:
                rows = own.execute(sql, (gid,)).fetchall()
        else:
            rows = con.execute(sql, (gid,)).fetchall()
        return [Guest(r[0], r[1], r[2], Invitation(r[3]), r[4], r[5]) for r in rows]

    def counts(self, gid: int) -> dict[str, int]:
        """Guests per invitation status (every status, 0 when none)."""
        return status_counts(g.status for g in self.guests(gid))

    # ------------------------------------------------------------ statuses
    def _journal(self, con: sqlite3.Connection, gid: int, contact: str, before: str | None, after: str, user: str,
                 source: str, now: str) -> None:
        con.execute("INSERT INTO invitation_events (time, user, guestlist, contact, from_status, to_status, source) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", (now, user, gid, contact, before, after, source))

    def set_status(self, gid: int, contact: str, to: Invitation | str, *, user: str) -> Invitation:
        """Move one guest to ``to`` (the invitation rules decide), journaled, in one transaction.

        ``attended`` is set by confirming an attendance list (it writes the
        attendance edge too); here it is refused."""
        contact = _contact_id(contact)
        if str(getattr(to, "value", to)) == Invitation.ATTENDED.value:
            raise InvitationError("'attended' is set by importing and confirming the attendance list "
                                  "(that also records the attendance in the network)")
        self.guestlist(gid)
        with self.ws.connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                row = con.execute("SELECT status FROM guestlist_guests WHERE guestlist = ? AND contact = ?",
                                  (gid, contact)).fetchone()
                if row is None:
                    raise GuestListError(f"guest list {gid} has no guest {contact!r}")
                new = move_guest(row[0], to)
                now = _now()
                con.execute("UPDATE guestlist_guests SET status = ?, changed = ? WHERE guestlist = ? AND contact = ?",
                            (new.value, now, gid, contact))
                self._journal(con, gid, contact, row[0], new.value, user, "status", now)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return new

    def events_since(self, since: str | None = None, *, guestlist: int | None = None) -> list[InvitationEvent]:
        """Invitation moves in order, those at or after the ISO time ``since``
        (all without it), of one guest list or of all — for "what changed since"."""
        sql = ("SELECT seq, time, user, guestlist, contact, from_status, to_status, source FROM invitation_events "
               "WHERE 1 = 1")
        args: list[Any] = []
        if since:
            sql += " AND time >= ?"
            args.append(since)
        if guestlist is not None:
            sql += " AND guestlist = ?"
            args.append(guestlist)
        with self.ws.connect() as con:
            rows = con.execute(sql + " ORDER BY seq", args).fetchall()
        return [InvitationEvent(*r) for r in rows]

    # ------------------------------------------------------------ imports
    def _records(self) -> list[ContactRecord]:
        institutions = {k: r.get("name_de") or r.get("name") or k for k, r in self.ws.rows("institutions").items()}
        return [ContactRecord(k, r.get("name") or "", r.get("email") or None, r.get("institution") or "",
                              institutions.get(r.get("institution") or "", ""))
                for k, r in self.ws.rows("contacts").items()]

    def start_import(self, gid: int, data: bytes, filename: str, *, kind: str, user: str) -> ListImport:
        """Read a registration (``kind="registration"``) or attendance list,
        match its rows, and keep it for review. A file that cannot be read at
        all raises :class:`~graph.core.errors.LoadError` (nothing is kept)."""
        if kind not in LIST_KINDS:
            raise GuestListError(f"unknown list kind {kind!r} (one of: {', '.join(LIST_KINDS)})")
        self.guestlist(gid)
        lst = read_list(data, filename)
        matches = match_rows(self._records(), lst.rows)
        rows = [ImportRow(m.row.number, m.row.name, m.row.email or "", m.row.institution, m.row.role, m.row.status,
                          _contact_id(m.contact) if m.contact else None, m.how,
                          _contact_id(m.suggestion) if m.suggestion else None) for m in matches]
        problems = [{"level": p.level, "file": p.file, "row": p.row, "column": p.column, "value": p.value,
                     "message": p.message} for p in lst.problems]
        with self.ws.connect() as con:
            cur = con.execute("INSERT INTO guestlist_imports (guestlist, time, user, file, kind, rows, problems, read, "
                              "rejected, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')",
                              (gid, _now(), user, lst.file, kind, json.dumps([r.to_dict() for r in rows], ensure_ascii=False),
                               json.dumps(problems, ensure_ascii=False), lst.read, lst.rejected))
            iid = int(cur.lastrowid)
        return self.list_import(iid)

    def list_import(self, iid: int, con: sqlite3.Connection | None = None) -> ListImport:
        sql = ("SELECT id, guestlist, time, user, file, kind, rows, problems, read, rejected, state, version "
               "FROM guestlist_imports WHERE id = ?")
        if con is None:
            with self.ws.connect() as own:
                r = own.execute(sql, (iid,)).fetchone()
        else:
            r = con.execute(sql, (iid,)).fetchone()
        if r is None:
            raise GuestListError(f"no list import {iid}")
        rows = tuple(ImportRow.from_dict(d) for d in json.loads(r[6]))
        problems = tuple(Problem(p["level"], p["file"], p["row"], p["column"], p["value"], p["message"])
                         for p in json.loads(r[7]))
        return ListImport(r[0], r[1], r[2], r[3], r[4], r[5], rows, problems, r[8], r[9], r[10], r[11])

    def imports(self, gid: int) -> list[ListImport]:
        with self.ws.connect() as con:
            ids = [r[0] for r in con.execute("SELECT id FROM guestlist_imports WHERE guestlist = ? ORDER BY id", (gid,))]
            return [self.list_import(i, con) for i in ids]

    def resolve(self, iid: int, number: int, resolution: str, *, contact: str | None = None,
                institution: str | None = None) -> ImportRow:
        """Decide one row of an open import: ``contact`` (the given contact),
        ``new`` (a new person at ``institution``, an institution id), or
        ``ignore``. A row the rules matched can be re-decided too."""
        if resolution not in RESOLUTIONS:
            raise GuestListError(f"unknown decision {resolution!r} (one of: {', '.join(RESOLUTIONS)})")
        with self.ws.connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                imp = self.list_import(iid, con)
                if imp.state != "open":
                    raise GuestListError(f"list import {iid} is {imp.state} already")
                rows = list(imp.rows)
                at = next((k for k, r in enumerate(rows) if r.number == int(number)), None)
                if at is None:
                    raise GuestListError(f"list import {iid} has no row {number} (rows: "
                                         f"{', '.join(str(r.number) for r in rows[:20])})")
                row = rows[at]
                if resolution == "contact":
                    contact = _contact_id(contact or "")
                    if contact == "contact:" or not self.ws.rows("contacts", [contact.partition(":")[2]], con):
                        raise GuestListError(f"no contact {contact.partition(':')[2]!r} in the current data")
                    row = ImportRow(**{**row.to_dict(), "resolution": "contact", "contact": contact,
                                       "new_institution": None})
                elif resolution == "new":
                    key = (institution or "").removeprefix("institution:").strip()
                    if not key or not self.ws.rows("institutions", [key], con):
                        raise GuestListError(f"a new person needs an institution of the current data "
                                             f"(not {institution!r})")
                    if not row.name.strip():
                        raise GuestListError(f"row {number} has no name: a new person needs one")
                    row = ImportRow(**{**row.to_dict(), "resolution": "new", "contact": None, "new_institution": key})
                else:
                    row = ImportRow(**{**row.to_dict(), "resolution": "ignore", "contact": None, "new_institution": None})
                rows[at] = row
                con.execute("UPDATE guestlist_imports SET rows = ? WHERE id = ?",
                            (json.dumps([r.to_dict() for r in rows], ensure_ascii=False), iid))
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return row

    def discard(self, iid: int) -> None:
        """Drop an open import (its personal data with it)."""
        with self.ws.connect() as con:
            imp = self.list_import(iid, con)
            if imp.state != "open":
                raise GuestListError(f"list import {iid} is {imp.state} already")
            con.execute("UPDATE guestlist_imports SET state = 'discarded', rows = ? WHERE id = ?",
                        (json.dumps([_minimal(r) for r in imp.rows]), iid))

    def confirm(self, iid: int, *, user: str, same_person: Callable[[str], str] | None = None) -> ConfirmResult:
        """Apply an import once every row is decided.

        An attendance list writes one ``attendance`` row (role from the file,
        else participant) per person not yet recorded at the event, and the
        new persons, as one version (kind ``edit``); the guests move to
        *attended* (a person not on the list is added, as having come) in the
        same transaction. A registration list moves its guests to *accepted*
        (or the row's own status, e.g. abgesagt) and writes no version.

        ``same_person`` maps a contact node id to its merged person (the
        dedupe groups of the served graph), so a row matched to a duplicate
        record moves the guest listed under the other record.
        """
        same = same_person or (lambda c: c)
        for attempt in range(3):
            with self.ws.connect() as con:
                head = self.ws.head(con)
                imp = self.list_import(iid, con)
                plan = self._plan(con, imp, same, user)
            changes, result, apply = plan
            try:
                if changes:
                    version = self.ws.publish(changes, base=head, user=user, kind="edit", source="edit",
                                              message=f"Teilnahme aus {imp.file} / attendance from {imp.file}",
                                              also=lambda con: apply(con, head + 1))
                    return ConfirmResult(version.id, *result)
                with self.ws.connect() as con:
                    con.execute("BEGIN IMMEDIATE")
                    try:
                        if self.ws.head(con) != head:
                            raise ConflictError(head, self.ws.head(con))
                        apply(con, None)
                        con.execute("COMMIT")
                    except BaseException:
                        con.execute("ROLLBACK")
                        raise
                return ConfirmResult(None, *result)
            except ConflictError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _plan(self, con: sqlite3.Connection, imp: ListImport, same: Callable[[str], str], user: str):
        if imp.state != "open":
            raise GuestListError(f"list import {imp.id} is {imp.state} already")
        if imp.open_rows:
            raise GuestListError(f"{len(imp.open_rows)} row(s) still need a decision (rows "
                                 f"{', '.join(str(r.number) for r in imp.open_rows[:20])}): pick a contact, create a "
                                 "new person or ignore the row")
        record = self.guestlist(imp.guestlist)
        event_key = record.event.partition(":")[2]
        if imp.kind == "attendance" and not self.ws.rows("events", [event_key], con):
            raise GuestListError(f"the event {event_key!r} of this guest list is not in the current data any more")
        target = status_of_list(imp.kind)
        changes: list[Change] = []
        new_contacts: list[str] = []
        taken: set[str] = set()
        people: list[tuple[ImportRow, str]] = []  # (row, contact node id)
        ignored = 0
        for row in imp.rows:
            if row.resolution == "ignore":
                ignored += 1
                continue
            if row.resolution == "new":
                base = "c-" + (slugify(row.name)[:40] or "person")
                key, n = base, 2
                while key in taken or con.execute('SELECT 1 FROM "contacts" WHERE _key = ?', (key,)).fetchone():
                    key, n = f"{base}-{n}", n + 1
                taken.add(key)
                values = {"id": key, "name": row.name, "institution": row.new_institution, "email": row.email,
                          "source": f"Partnernetz: {imp.file}, row {row.number}"}
                crow, problems, _w = validate_row(self.ws, "contacts", values, con=con)
                if problems:
                    raise EditError([FieldProblem(p.column, p.value, f"row {row.number}: {p.message}", p.code)
                                     for p in problems])
                changes.append(Change("contacts", key, "insert", None, crow))
                new_contacts.append(key)
                people.append((row, f"contact:{key}"))
            else:
                people.append((row, row.person))
        attendance: list[str] = []
        if imp.kind == "attendance":
            existing = {r["contact"] for r in self._attendance_of(con, event_key)}
            for row, contact in people:
                ckey = contact.partition(":")[2]
                if ckey in existing:
                    continue
                existing.add(ckey)
                arow = normalise_row("attendance", {"event": event_key, "contact": ckey, "role": row.role or "participant",
                                                    "source": f"Partnernetz: {imp.file}, row {row.number}"})
                akey = row_key("attendance", arow)
                changes.append(Change("attendance", akey, "insert", None, arow))
                attendance.append(akey)
        guests = {g.contact: g for g in self.guests(imp.guestlist, con)}
        by_person = {same(c): c for c in guests}
        moved: list[tuple[str, str, str]] = []
        added: list[str] = []
        kept: list[tuple[str, str]] = []
        seen: set[str] = set()
        for row, contact in people:
            to = target
            if imp.kind == "registration" and row.status in (Invitation.ACCEPTED.value, Invitation.DECLINED.value):
                to = Invitation(row.status)
            listed = guests.get(contact) or guests.get(by_person.get(same(contact), ""))
            if listed is None:
                if contact in seen:
                    continue
                seen.add(contact)
                added.append(contact)
                moved.append((contact, "", to.value))
                continue
            if listed.contact in seen:
                continue
            seen.add(listed.contact)
            if listed.status == to:
                kept.append((listed.contact, f"already {to.value}"))
                continue
            try:
                move_guest(listed.status, to)
            except InvitationError:
                kept.append((listed.contact, f"{listed.status.value}: cannot become {to.value}"))
                continue
            moved.append((listed.contact, listed.status.value, to.value))
        now = _now()
        source = f"import:{imp.id}"

        def apply(c: sqlite3.Connection, version: int | None) -> None:
            position = c.execute("SELECT COALESCE(MAX(position), 0) FROM guestlist_guests WHERE guestlist = ?",
                                 (imp.guestlist,)).fetchone()[0]
            for contact, before, after in moved:
                if before == "":
                    position += 1
                    c.execute("INSERT INTO guestlist_guests (guestlist, contact, position, status, added, changed) "
                              "VALUES (?, ?, ?, ?, 'import', ?)", (imp.guestlist, contact, position, after, now))
                    self._journal(c, imp.guestlist, contact, None, after, user, source, now)
                else:
                    c.execute("UPDATE guestlist_guests SET status = ?, changed = ? WHERE guestlist = ? AND contact = ?",
                              (after, now, imp.guestlist, contact))
                    self._journal(c, imp.guestlist, contact, before, after, user, source, now)
            c.execute("UPDATE guestlist_imports SET state = 'confirmed', version = ?, rows = ? WHERE id = ?",
                      (version, json.dumps([_minimal(r) for r in imp.rows]), imp.id))

        result = (tuple(attendance), tuple(new_contacts), tuple((c, f, t) for c, f, t in moved if f),
                  tuple(added), tuple(kept), ignored)
        return changes, result, apply

    @staticmethod
    def _attendance_of(con: sqlite3.Connection, event_key: str) -> list[dict[str, str]]:
        return [{"contact": r[0]} for r in con.execute('SELECT "contact" FROM "attendance" WHERE "event" = ?',
                                                         (event_key,))]


def _check_quotas(quotas: Any) -> None:
    """The builder's quotas as kept in a list's settings: ``[{dimension, value, min, max}]``."""
    if quotas is None:
        return
    if not isinstance(quotas, list):
        raise GuestListError("settings.quotas must be a list of {dimension, value, min, max}")
    for n, q in enumerate(quotas, 1):
        if not isinstance(q, dict) or not isinstance(q.get("dimension"), str) or not isinstance(q.get("value"), str):
            raise GuestListError(f"settings.quotas[{n}]: needs a dimension and a value")
        bounds = [q.get("min"), q.get("max")]
        if any(b is not None and (not isinstance(b, int) or isinstance(b, bool) or b < 0) for b in bounds):
            raise GuestListError(f"settings.quotas[{n}]: min and max are whole numbers ≥ 0")
        try:
            Quota(q["dimension"], q["value"], min=q.get("min"), max=q.get("max"))
        except PartnernetzError as exc:
            raise GuestListError(f"settings.quotas[{n}]: {exc}") from None


def _minimal(row: ImportRow) -> dict[str, Any]:
    """What an import keeps once decided: no names or e-mail addresses from the file."""
    return {**row.to_dict(), "name": "", "email": "", "institution": ""}
