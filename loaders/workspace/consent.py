"""Consent and erasure of contacts (DSGVO) in a workspace.

* :func:`withdraw_consent` / :func:`record_consent` — ordinary edits (one
  version each): a contact without valid consent is masked by the graph
  build (:func:`graph.people.privacy.mask_unconsented`) on every page as soon
  as the version is live; expired consent counts as none.
* :func:`consent_due` — contacts whose consent has expired or expires within
  N days (for re-consent mailings; :func:`consent_due_csv` writes them).
* :func:`erase_person` — the right to erasure: one transaction deletes the
  contact and its attendance from the current data and rewrites **every
  version's journal entry** of them so that no personal field remains
  (name, e-mail, languages, consent source; any other journal entry, version
  message, note or stored preview holding the name or e-mail is scrubbed
  too); a tombstone (table, key, time, user, version — nothing personal)
  records that it happened. Afterwards the file is checkpointed and
  ``VACUUM``-ed with ``secure_delete`` on, so freed pages keep no copy.

>>> import tempfile, pathlib
>>> from loaders.workspace.location import create_workspace
>>> ws = create_workspace(pathlib.Path(tempfile.mkdtemp()) / "ws.sqlite", sample=True, user="t")
>>> erase_person(ws, "c003", user="dpo").version.source
'erase'
>>> b"c003" in ws.path.read_bytes(), "Jörg Schäfer".encode() in ws.path.read_bytes()
(True, False)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any, Iterable

from loaders.spreadsheet import neutralise
from loaders.workspace.diff import Change, summarise
from loaders.workspace.editing import EditError, EditResult, FieldProblem, referencing_rows, update_record
from loaders.workspace.keys import columns
from loaders.workspace.store import Version, WorkspaceFile, _q

__all__ = ["PERSONAL_COLUMNS", "ERASED", "withdraw_consent", "record_consent", "consent_due", "consent_due_csv",
           "erase_person", "DueContact", "tombstones"]

#: Contact columns that identify a person: removed by erasure (and masked without consent).
PERSONAL_COLUMNS = ("name", "email", "languages", "consent_source")
#: What an erased person's name becomes in the journal.
ERASED = "[gelöscht / erased]"


def withdraw_consent(ws: WorkspaceFile, contact: str, *, user: str, message: str = "",
                     today: dt.date | None = None) -> EditResult:
    """Record that ``contact`` withdrew consent (today); masked everywhere once live."""
    day = (today or dt.date.today()).isoformat()
    return update_record(ws, "contacts", contact, {"consent": "false", "consent_date": day}, user=user,
                         message=message or "Einwilligung widerrufen / consent withdrawn")


def record_consent(ws: WorkspaceFile, contact: str, *, purposes: Iterable[str], source: str, expires: str = "",
                   user: str, given: str | None = None, message: str = "") -> EditResult:
    """Record (renewed) consent with its purposes, source and expiry."""
    return update_record(ws, "contacts", contact, {
        "consent": "true", "consent_date": given or dt.date.today().isoformat(),
        "consent_purposes": ";".join(purposes), "consent_source": source, "consent_expires": expires,
    }, user=user, message=message or "Einwilligung erfasst / consent recorded")


@dataclass(frozen=True)
class DueContact:
    id: str
    name: str
    email: str
    institution: str
    expires: str
    status: str  # "expired" or "expiring"


def consent_due(ws: WorkspaceFile, *, within_days: int = 30, today: dt.date | None = None) -> list[DueContact]:
    """Contacts with consent whose expiry date has passed or comes within ``within_days`` (soonest first)."""
    from loaders.values import parse_bool, parse_date

    today = today or dt.date.today()
    horizon = today + dt.timedelta(days=within_days)
    out = []
    for key, row in ws.rows("contacts").items():
        try:
            consented = bool(row["consent"]) and parse_bool(row["consent"])
            span = parse_date(row["consent_expires"]) if row["consent_expires"] else None
        except ValueError:
            continue
        if not consented or span is None:
            continue
        expires = (span.end or span.start)
        if len(expires) == 4:
            expires += "-12-31"
        elif len(expires) == 7:
            expires += "-28"
        if expires > horizon.isoformat():
            continue
        out.append(DueContact(key, row["name"], row["email"], row["institution"], row["consent_expires"],
                              "expired" if expires < today.isoformat() else "expiring"))
    return sorted(out, key=lambda d: (d.expires, d.id))


def consent_due_csv(due: list[DueContact]) -> str:
    """The due list as CSV (formula-safe cells) for a re-consent mailing."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "name", "email", "institution", "consent_expires", "status"])
    for d in due:
        writer.writerow([neutralise(x) for x in (d.id, d.name, d.email, d.institution, d.expires, d.status)])
    return buffer.getvalue()


def tombstones(ws: WorkspaceFile) -> list[dict[str, Any]]:
    with ws.connect() as con:
        return [dict(zip(("table", "key", "time", "user", "version"), r))
                for r in con.execute("SELECT tbl, key, time, user, version FROM tombstones ORDER BY time")]


def _redact(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {**row, **{c: "" for c in PERSONAL_COLUMNS if c in row}, **({"name": ERASED} if "name" in row else {})}


def _scrub(text: str, secrets: list[str]) -> str:
    for s in secrets:
        text = text.replace(s, ERASED)
    return text


def _json_secrets(secrets: list[str]) -> list[str]:
    """The secrets as they appear inside stored JSON (escaped forms too)."""
    out = set(secrets)
    for s in secrets:
        out.add(json.dumps(s)[1:-1])
        out.add(json.dumps(s, ensure_ascii=False)[1:-1])
    return sorted(out, key=len, reverse=True)


def erase_person(ws: WorkspaceFile, contact: str, *, user: str, message: str = "") -> EditResult:
    """Erase ``contact`` from the current data, every version, the journal and stored previews (one transaction), then VACUUM."""
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    with ws.connect() as con:
        con.execute("PRAGMA secure_delete=ON")
        con.execute("BEGIN IMMEDIATE")
        try:
            cols = columns("contacts")
            current = con.execute(f"SELECT {', '.join(map(_q, cols))} FROM contacts WHERE _key = ?", (contact,)).fetchone()
            history = con.execute("SELECT seq, before, after FROM journal WHERE tbl = 'contacts' AND key = ?",
                                  (contact,)).fetchall()
            if current is None and not history:
                raise EditError([FieldProblem(None, contact, f"no contacts record '{contact}'", "not_found")], status=404)
            secrets: set[str] = set()
            rows = [dict(zip(cols, current))] if current else []
            rows += [json.loads(x) for _seq, b, a in history for x in (b, a) if x]
            for row in rows:
                for c in ("name", "email"):
                    if (row.get(c) or "").strip() and len(row[c].strip()) >= 3 and row[c] != ERASED:
                        secrets.add(row[c].strip())
            secret_list = _json_secrets(sorted(secrets))
            # 1. the erasure itself: a new version deleting the contact and its attendance (already redacted)
            changes: list[Change] = []
            if current is not None:
                changes.append(Change("contacts", contact, "delete", _redact(dict(zip(cols, current))), None))
                for t, k, _column, required, row in referencing_rows(con, "contacts", contact):
                    changes.append(Change(t, k, "delete", row, None) if required else
                                   Change(t, k, "update", row, {**row, _column: ""}))
            head = ws.head(con)
            number = head + 1
            counts = summarise(changes) if changes else {}
            con.execute("INSERT INTO versions (id, parent, time, user, message, kind, counts, source) VALUES "
                        "(?, ?, ?, ?, ?, 'edit', ?, 'erase')",
                        (number, head or None, now, user, message or f"Löschung (DSGVO) / erasure: contacts {contact}",
                         json.dumps(counts)))
            WorkspaceFile._apply(con, changes)
            con.executemany("INSERT INTO journal (version, tbl, key, op, before, after) VALUES (?, ?, ?, ?, ?, ?)",
                            [(number, c.table, c.key, c.op,
                              json.dumps(c.before, ensure_ascii=False) if c.before is not None else None,
                              json.dumps(c.after, ensure_ascii=False) if c.after is not None else None) for c in changes])
            # 2. every earlier journal entry of the contact: personal fields removed
            for seq, before, after in history:
                con.execute("UPDATE journal SET before = ?, after = ? WHERE seq = ?",
                            (json.dumps(_redact(json.loads(before)), ensure_ascii=False) if before else None,
                             json.dumps(_redact(json.loads(after)), ensure_ascii=False) if after else None, seq))
            # 3. anything else that names the person: other journal rows, version messages, notes, previews
            for secret in secret_list:
                like = f"%{secret}%"
                for seq, before, after in con.execute("SELECT seq, before, after FROM journal WHERE before LIKE ? OR after LIKE ?",
                                                      (like, like)).fetchall():
                    con.execute("UPDATE journal SET before = ?, after = ? WHERE seq = ?",
                                (_scrub(before, secret_list) if before else None, _scrub(after, secret_list) if after else None, seq))
                for vid, text in con.execute("SELECT id, message FROM versions WHERE message LIKE ?", (like,)).fetchall():
                    con.execute("UPDATE versions SET message = ? WHERE id = ?", (_scrub(text, secret_list), vid))
                for nid, text in con.execute("SELECT id, text FROM notes WHERE text LIKE ?", (like,)).fetchall():
                    con.execute("UPDATE notes SET text = ? WHERE id = ?", (_scrub(text, secret_list), nid))
                con.execute("DELETE FROM previews WHERE payload LIKE ?", (like,))
            con.execute("DELETE FROM notes WHERE tbl = 'contacts' AND key = ?", (contact,))  # notes on a person are personal data
            con.execute("INSERT OR REPLACE INTO tombstones (tbl, key, time, user, version) VALUES ('contacts', ?, ?, ?, ?)",
                        (contact, now, user, number))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        # 4. no copy in freed pages or the write-ahead log
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.execute("VACUUM")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    version = ws.version(number)
    return EditResult(version, "contacts", contact, None, tuple(changes))
