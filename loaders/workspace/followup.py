"""Follow-up state kept in the workspace file: shortlists with their
pipeline, the pipeline's own journal, and saved views.

Tables (created on first use, so older workspaces gain them):

* ``shortlists`` (id, name, owner, created, target, settings, shared,
  version): a saved Matchmaking result — ``target`` and ``settings`` as JSON,
  ``version`` the workspace version it was computed on;
* ``shortlist_items`` (shortlist, node, rank, item, changed): one candidate
  with its follow-up state (:class:`graph.followup.pipeline.PipelineItem` as
  JSON);
* ``pipeline_events`` (seq, time, user, shortlist, node, from_status,
  to_status, item): every pipeline move, append-only — the follow-up's
  journal (a trigger refuses UPDATE and DELETE);
* ``saved_views`` (id, name, owner, page, state, description, shared,
  created): a page's URL state under a name, private or shared;
* ``saved_view_events`` (seq, time, user, view, action, data): every
  create, update and delete of a saved view, append-only (a trigger refuses
  UPDATE and DELETE) — who saved, renamed, shared or deleted which view.

Every write is one SQLite transaction.

>>> import tempfile, pathlib, datetime
>>> from loaders.workspace.store import WorkspaceFile
>>> from graph.followup.pipeline import PipelineItem, Status
>>> ws = WorkspaceFile.create(pathlib.Path(tempfile.mkdtemp()) / "ws.sqlite")
>>> fu = FollowUp(ws)
>>> sid = fu.save_shortlist("Tunesien", owner="anna", target={"node": "project:BLP-01"}, settings={},
...                         items=[PipelineItem(0, "institution:a", 1, 0.8)])
>>> fu.move(sid, "institution:a", Status.ASKED, user="anna", owner="anna", due="2026-12-20").status
<Status.ASKED: 'asked'>
>>> [(e.from_status, e.to_status) for e in fu.events()]
[('proposed', 'asked')]
"""

from __future__ import annotations

import datetime as _dt
import json
import sqlite3
from dataclasses import dataclass, replace
from typing import Any, Iterable, Mapping

from graph.core.errors import PartnernetzError
from graph.followup.pipeline import PipelineError, PipelineItem, Status, move
from loaders.workspace.diff import Change
from loaders.workspace.keys import normalise_row, row_key
from loaders.workspace.store import WorkspaceFile

__all__ = ["FollowUp", "FollowUpError", "NotFound", "NotYours", "Shortlist", "PipelineEvent", "SavedView", "PAGES"]

#: Pages whose state can be saved as a view (URL paths).
PAGES = ("/", "/matchmaking", "/kontakte", "/analysen")

_DDL = [
    "CREATE TABLE IF NOT EXISTS shortlists (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, "
    "owner TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, target TEXT NOT NULL, settings TEXT NOT NULL, "
    "shared INTEGER NOT NULL DEFAULT 1, version INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS shortlist_items (shortlist INTEGER NOT NULL REFERENCES shortlists(id), "
    "node TEXT NOT NULL, rank INTEGER NOT NULL, item TEXT NOT NULL, changed TEXT NOT NULL, "
    "PRIMARY KEY (shortlist, node))",
    "CREATE TABLE IF NOT EXISTS pipeline_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, "
    "user TEXT NOT NULL, shortlist INTEGER NOT NULL, node TEXT NOT NULL, from_status TEXT, to_status TEXT NOT NULL, "
    "item TEXT NOT NULL)",
    "CREATE TRIGGER IF NOT EXISTS pipeline_events_no_update BEFORE UPDATE ON pipeline_events "
    "BEGIN SELECT RAISE(ABORT, 'pipeline_events is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS pipeline_events_no_delete BEFORE DELETE ON pipeline_events "
    "BEGIN SELECT RAISE(ABORT, 'pipeline_events is append-only'); END",
    "CREATE TABLE IF NOT EXISTS saved_views (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, "
    "owner TEXT NOT NULL, page TEXT NOT NULL, state TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '', "
    "shared INTEGER NOT NULL DEFAULT 0, created TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS saved_view_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, "
    "user TEXT NOT NULL, view INTEGER NOT NULL, action TEXT NOT NULL, data TEXT NOT NULL)",
    "CREATE TRIGGER IF NOT EXISTS saved_view_events_no_update BEFORE UPDATE ON saved_view_events "
    "BEGIN SELECT RAISE(ABORT, 'saved_view_events is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS saved_view_events_no_delete BEFORE DELETE ON saved_view_events "
    "BEGIN SELECT RAISE(ABORT, 'saved_view_events is append-only'); END",
]

_MAX_TEXT = 2000


class FollowUpError(PartnernetzError):
    """A follow-up operation is impossible (unknown shortlist, empty name …)."""


class NotFound(FollowUpError):
    """No such shortlist, candidate or view — or one the user may not see."""


class NotYours(FollowUpError):
    """A view the user may see (shared) but only its owner may change."""


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _text(value: str | None, what: str, *, required: bool = False, limit: int = _MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise FollowUpError(f"{what} must not be empty")
    if len(value) > limit:
        raise FollowUpError(f"{what} is longer than {limit} characters")
    return value


@dataclass(frozen=True)
class Shortlist:
    id: int
    name: str
    owner: str
    created: str
    target: dict[str, Any]
    settings: dict[str, Any]
    shared: bool
    version: int

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "owner": self.owner, "created": self.created,
                "target": self.target, "settings": self.settings, "shared": self.shared, "version": self.version}


@dataclass(frozen=True)
class PipelineEvent:
    seq: int
    time: str
    user: str
    shortlist: int
    node: str
    from_status: str | None
    to_status: str
    item: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "time": self.time, "user": self.user, "shortlist": self.shortlist,
                "node": self.node, "from": self.from_status, "to": self.to_status, "item": self.item}


@dataclass(frozen=True)
class SavedView:
    id: int
    name: str
    owner: str
    page: str
    state: str
    description: str
    shared: bool
    created: str

    @property
    def href(self) -> str:
        """The view's address inside the app (path plus query)."""
        return self.page + (("?" + self.state.lstrip("?")) if self.state else "")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "owner": self.owner, "page": self.page, "state": self.state,
                "description": self.description, "shared": self.shared, "created": self.created, "href": self.href}


class FollowUp:
    """Shortlists, pipeline and saved views of one workspace."""

    def __init__(self, ws: WorkspaceFile):
        self.ws = ws
        with ws.connect() as con:
            for statement in _DDL:
                con.execute(statement)

    # ------------------------------------------------------------ shortlists
    def save_shortlist(self, name: str, *, owner: str, target: Mapping[str, Any], settings: Mapping[str, Any],
                       items: Iterable[PipelineItem], shared: bool = True) -> int:
        """Save a Matchmaking result as a new shortlist; every candidate starts as *proposed*."""
        name = _text(name, "the shortlist's name", required=True, limit=200)
        items = list(items)
        if not items:
            raise FollowUpError("a shortlist needs at least one candidate")
        now = _now()
        with self.ws.connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                cur = con.execute("INSERT INTO shortlists (name, owner, created, target, settings, shared, version) "
                                  "VALUES (?, ?, ?, ?, ?, ?, ?)",
                                  (name, owner, now, json.dumps(dict(target), ensure_ascii=False),
                                   json.dumps(dict(settings), ensure_ascii=False), int(shared), self.ws.head(con)))
                sid = int(cur.lastrowid)
                con.executemany("INSERT INTO shortlist_items (shortlist, node, rank, item, changed) VALUES (?, ?, ?, ?, ?)",
                                ((sid, i.node, i.rank,
                                  json.dumps(replace(i, shortlist=sid, status=Status.PROPOSED).to_dict(), ensure_ascii=False),
                                  now) for i in items))
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return sid

    def shortlists(self) -> list[Shortlist]:
        with self.ws.connect() as con:
            rows = con.execute("SELECT id, name, owner, created, target, settings, shared, version FROM shortlists "
                               "ORDER BY id").fetchall()
        return [Shortlist(r[0], r[1], r[2], r[3], json.loads(r[4]), json.loads(r[5]), bool(r[6]), r[7]) for r in rows]

    def shortlist(self, sid: int) -> Shortlist:
        for s in self.shortlists():
            if s.id == sid:
                return s
        raise NotFound(f"no shortlist {sid}")

    def items(self, shortlist: int | None = None) -> list[PipelineItem]:
        """Every candidate (of one shortlist, or of all), by shortlist and rank."""
        sql = "SELECT item FROM shortlist_items"
        args: tuple = ()
        if shortlist is not None:
            sql, args = sql + " WHERE shortlist = ?", (shortlist,)
        with self.ws.connect() as con:
            rows = con.execute(sql + " ORDER BY shortlist, rank", args).fetchall()
        return [PipelineItem.from_dict(json.loads(r[0])) for r in rows]

    def item(self, shortlist: int, node: str, con: sqlite3.Connection | None = None) -> PipelineItem:
        def read(c: sqlite3.Connection):
            return c.execute("SELECT item FROM shortlist_items WHERE shortlist = ? AND node = ?",
                             (shortlist, node)).fetchone()
        if con is None:
            with self.ws.connect() as own:
                row = read(own)
        else:
            row = read(con)
        if row is None:
            raise NotFound(f"shortlist {shortlist} has no candidate {node!r}")
        return PipelineItem.from_dict(json.loads(row[0]))

    def _write(self, con: sqlite3.Connection, before: PipelineItem, after: PipelineItem, user: str) -> None:
        data = json.dumps(after.to_dict(), ensure_ascii=False)
        now = _now()
        con.execute("UPDATE shortlist_items SET item = ?, changed = ? WHERE shortlist = ? AND node = ?",
                    (data, now, after.shortlist, after.node))
        con.execute("INSERT INTO pipeline_events (time, user, shortlist, node, from_status, to_status, item) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (now, user, after.shortlist, after.node, before.status.value, after.status.value, data))

    def move(self, shortlist: int, node: str, to: Status | str, *, user: str, reason: str | None = None,
             reason_text: str = "", owner: str | None = None, next_step: str | None = None,
             due: str | None = None, notes: str | None = None) -> PipelineItem:
        """Move one candidate (and/or change its owner, next step, due date,
        notes) in one transaction, journaled in ``pipeline_events``."""
        reason_text = _text(reason_text, "the reason's text")
        next_step = None if next_step is None else _text(next_step, "the next step", limit=500)
        notes = None if notes is None else _text(notes, "the notes")
        owner = None if owner is None else _text(owner, "the owner", limit=100)
        with self.ws.connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                before = self.item(shortlist, node, con)
                after = move(before, to, reason=reason, reason_text=reason_text, owner=owner,
                             next_step=next_step, due=due or None, notes=notes)
                self._write(con, before, after, user)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return after

    def events(self, *, since: str | None = None) -> list[PipelineEvent]:
        """Pipeline moves in order (those at or after the ISO time ``since``)."""
        sql = "SELECT seq, time, user, shortlist, node, from_status, to_status, item FROM pipeline_events"
        args: tuple = ()
        if since:
            sql, args = sql + " WHERE time >= ?", (since,)
        with self.ws.connect() as con:
            rows = con.execute(sql + " ORDER BY seq", args).fetchall()
        return [PipelineEvent(r[0], r[1], r[2], r[3], r[4], r[5], r[6], json.loads(r[7])) for r in rows]

    def to_participation(self, shortlist: int, node: str, *, project: str, role: str = "partner", user: str,
                         message: str = "") -> tuple[int, str]:
        """Turn an accepted candidate into a participation of ``project``
        (canonical project id) in one workspace version (kind ``edit``),
        journaled like every edit; the candidate remembers the participation.

        Returns ``(version number, participation key)``.
        """
        item = self.item(shortlist, node)
        if item.status != Status.ACCEPTED:
            raise PipelineError("only an accepted candidate ('zugesagt') can become a participation")
        if item.participation:
            raise FollowUpError(f"this candidate is already participation {item.participation}")
        kind, _, institution = node.partition(":")
        if kind != "institution" or not institution:
            raise FollowUpError("only an institution can become a participation")
        projects = self.ws.rows("projects", [project])
        if not projects:
            raise FollowUpError(f"project {project!r} is not in the current data")
        if not self.ws.rows("institutions", [institution]):
            raise FollowUpError(f"institution {institution!r} is not in the current data")
        row = normalise_row("participations", {"project": project, "institution": institution, "role": role,
                                               "source": f"Partnernetz shortlist {shortlist}"})
        key = row_key("participations", row)
        if self.ws.rows("participations", [key]):
            raise FollowUpError(f"participation {key} exists already")
        done = replace(item, participation=key)

        def mark(con: sqlite3.Connection) -> None:
            self._write(con, item, done, user)

        version = self.ws.publish([Change("participations", key, "insert", None, row)], base=self.ws.head(),
                                  user=user, kind="edit", also=mark,
                                  message=message or f"participation from shortlist {shortlist}: {institution} in {project}")
        return version.id, key

    # ------------------------------------------------------------ saved views
    _VIEW_COLUMNS = "id, name, owner, page, state, description, shared, created"

    @staticmethod
    def _view(row) -> SavedView:
        return SavedView(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]), row[7])

    @staticmethod
    def _view_event(con: sqlite3.Connection, user: str, view: int, action: str, data: Mapping[str, Any]) -> None:
        con.execute("INSERT INTO saved_view_events (time, user, view, action, data) VALUES (?, ?, ?, ?, ?)",
                    (_now(), user, view, action, json.dumps(dict(data), ensure_ascii=False)))

    def save_view(self, name: str, *, owner: str, page: str, state: str = "", description: str = "",
                  shared: bool = False) -> int:
        """Save a page's URL state (``state``: its query string) under ``name``;
        private to ``owner`` unless ``shared``. Journaled in ``saved_view_events``."""
        name = _text(name, "the view's name", required=True, limit=200)
        if page not in PAGES:
            raise FollowUpError(f"page {page!r} cannot be saved as a view (one of: {', '.join(PAGES)})")
        state = _text(state, "the view's state", limit=4000).lstrip("?")
        description = _text(description, "the description")
        owner = _text(owner, "the owner", required=True, limit=100)
        with self.ws.connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                cur = con.execute("INSERT INTO saved_views (name, owner, page, state, description, shared, created) "
                                  "VALUES (?, ?, ?, ?, ?, ?, ?)",
                                  (name, owner, page, state, description, int(bool(shared)), _now()))
                vid = int(cur.lastrowid)
                self._view_event(con, owner, vid, "create", {"name": name, "page": page, "state": state,
                                                             "description": description, "shared": bool(shared)})
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return vid

    def views(self, user: str) -> tuple[list[SavedView], list[SavedView]]:
        """``(mine, shared by others)`` for ``user``."""
        with self.ws.connect() as con:
            rows = con.execute(f"SELECT {self._VIEW_COLUMNS} FROM saved_views "
                               "WHERE owner = ? OR shared = 1 ORDER BY name COLLATE NOCASE, id", (user,)).fetchall()
        views = [self._view(r) for r in rows]
        return [v for v in views if v.owner == user], [v for v in views if v.owner != user]

    def view(self, view_id: int, *, user: str) -> SavedView:
        """One view ``user`` may see (their own, or a shared one); :class:`NotFound` otherwise
        (a private view of someone else is not named as existing)."""
        with self.ws.connect() as con:
            row = con.execute(f"SELECT {self._VIEW_COLUMNS} FROM saved_views WHERE id = ? AND (owner = ? OR shared = 1)",
                              (view_id, user)).fetchone()
        if row is None:
            raise NotFound(f"no view {view_id}")
        return self._view(row)

    def _own_view(self, con: sqlite3.Connection, view_id: int, user: str) -> SavedView:
        row = con.execute(f"SELECT {self._VIEW_COLUMNS} FROM saved_views WHERE id = ? AND (owner = ? OR shared = 1)",
                          (view_id, user)).fetchone()
        if row is None:
            raise NotFound(f"no view {view_id}")
        view = self._view(row)
        if view.owner != user:
            raise NotYours(f"view {view_id} belongs to {view.owner}: only its owner may change it")
        return view

    def update_view(self, view_id: int, *, user: str, name: str | None = None, description: str | None = None,
                    shared: bool | None = None, state: str | None = None) -> SavedView:
        """Rename a view, change its description, sharing or state (its owner only); journaled."""
        changes: dict[str, Any] = {}
        if name is not None:
            changes["name"] = _text(name, "the view's name", required=True, limit=200)
        if description is not None:
            changes["description"] = _text(description, "the description")
        if shared is not None:
            changes["shared"] = bool(shared)
        if state is not None:
            changes["state"] = _text(state, "the view's state", limit=4000).lstrip("?")
        with self.ws.connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                before = self._own_view(con, view_id, user)
                if changes:
                    con.execute(f"UPDATE saved_views SET {', '.join(f'{k} = ?' for k in changes)} WHERE id = ?",
                                [*(int(v) if isinstance(v, bool) else v for v in changes.values()), view_id])
                    self._view_event(con, user, view_id, "update",
                                     {k: {"before": getattr(before, k), "after": v} for k, v in changes.items()})
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return replace(before, **changes)

    def rename_view(self, view_id: int, name: str, *, user: str) -> SavedView:
        return self.update_view(view_id, user=user, name=name)

    def delete_view(self, view_id: int, *, user: str) -> None:
        """Delete one of ``user``'s views; the journal keeps what it was."""
        with self.ws.connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                view = self._own_view(con, view_id, user)
                con.execute("DELETE FROM saved_views WHERE id = ?", (view_id,))
                self._view_event(con, user, view_id, "delete", {k: v for k, v in view.to_dict().items()
                                                               if k not in ("id", "href")})
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def view_events(self, view_id: int | None = None) -> list[dict[str, Any]]:
        """The saved views' journal (of one view, or all), oldest first."""
        sql, args = "SELECT seq, time, user, view, action, data FROM saved_view_events", ()
        if view_id is not None:
            sql, args = sql + " WHERE view = ?", (view_id,)
        with self.ws.connect() as con:
            rows = con.execute(sql + " ORDER BY seq", args).fetchall()
        return [{"seq": r[0], "time": r[1], "user": r[2], "view": r[3], "action": r[4], "data": json.loads(r[5])}
                for r in rows]
