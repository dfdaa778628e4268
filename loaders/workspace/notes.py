"""Notes on any record of a workspace (text, author, date).

Notes are not part of the canonical tables (imports and exports leave them
alone); they live in the workspace's ``notes`` table, are searchable
(:func:`search_notes`, also through the API) and are listed with the
record's history in the details panel (author, date, the version current then). Notes on contacts are
personal data: the dashboard shows them only to planners and up, never for
a masked person, and erasure deletes them.

>>> import tempfile, pathlib
>>> from loaders.workspace.store import WorkspaceFile
>>> from loaders.workspace.editing import create_record
>>> ws = WorkspaceFile.create(pathlib.Path(tempfile.mkdtemp()) / "ws.sqlite")
>>> _ = create_record(ws, "institutions", {"id": "hlft", "name": "HLfT"}, user="anna")
>>> add_note(ws, "institutions", "hlft", "Kontakt über das Netzwerktreffen 2024", user="anna").author
'anna'
>>> [n.text for n in search_notes(ws, "netzwerktreffen")]
['Kontakt über das Netzwerktreffen 2024']
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from loaders.schema import TABLES
from loaders.workspace.editing import EditError, FieldProblem
from loaders.workspace.store import WorkspaceFile

__all__ = ["Note", "add_note", "notes_for", "search_notes", "delete_note", "MAX_NOTE_CHARS"]

MAX_NOTE_CHARS = 5000


@dataclass(frozen=True)
class Note:
    id: int
    table: str
    key: str
    text: str
    author: str
    time: str
    version: int

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "table": self.table, "key": self.key, "text": self.text, "author": self.author,
                "time": self.time, "version": self.version}


_SELECT = "SELECT id, tbl, key, text, author, time, version FROM notes"


def add_note(ws: WorkspaceFile, table: str, key: str, text: str, *, user: str) -> Note:
    """Add a note to the record ``table``/``key`` (which must exist)."""
    text = (text or "").strip()
    problems = []
    if table not in TABLES:
        problems.append(FieldProblem(None, table, f"unknown table '{table}'", "unknown_table"))
    if not text:
        problems.append(FieldProblem("text", None, "required value 'text' is empty", "required"))
    elif len(text) > MAX_NOTE_CHARS:
        problems.append(FieldProblem("text", None, f"a note of {len(text):,} characters; at most {MAX_NOTE_CHARS:,}", "invalid"))
    if problems:
        raise EditError(problems)
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    with ws.connect() as con:
        con.execute("BEGIN IMMEDIATE")
        try:
            if not ws.rows(table, [key], con=con):
                raise EditError([FieldProblem(None, key, f"no {table} record '{key}'", "not_found")], status=404)
            head = ws.head(con)
            cursor = con.execute("INSERT INTO notes (tbl, key, text, author, time, version) VALUES (?, ?, ?, ?, ?, ?)",
                                 (table, key, text, user, now, head))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return Note(cursor.lastrowid, table, key, text, user, now, head)


def notes_for(ws: WorkspaceFile, table: str, key: str) -> list[Note]:
    """The record's notes, newest first."""
    with ws.connect() as con:
        rows = con.execute(_SELECT + " WHERE tbl = ? AND key = ? AND deleted = 0 ORDER BY id DESC", (table, key)).fetchall()
    return [Note(*r) for r in rows]


def search_notes(ws: WorkspaceFile, text: str, *, limit: int = 50) -> list[Note]:
    """Notes containing ``text`` (case-insensitive), newest first."""
    with ws.connect() as con:
        rows = con.execute(_SELECT + " WHERE deleted = 0 AND instr(lower(text), lower(?)) > 0 ORDER BY id DESC LIMIT ?",
                           (text, limit)).fetchall()
    return [Note(*r) for r in rows]


def delete_note(ws: WorkspaceFile, note_id: int, *, user: str) -> None:
    """Remove a note (its text is overwritten, so nothing of it stays readable)."""
    with ws.connect() as con:
        con.execute("BEGIN IMMEDIATE")
        changed = con.execute("UPDATE notes SET deleted = 1, text = '' WHERE id = ? AND deleted = 0", (note_id,)).rowcount
        con.execute("COMMIT")
    if not changed:
        raise EditError([FieldProblem(None, str(note_id), f"no note {note_id}", "not_found")], status=404)
