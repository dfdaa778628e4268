"""Duplicate institutions and persons: candidates with evidence, and a reviewed merge.

* :func:`duplicate_candidates` — pairs of records that look like one, each
  with its evidence: the same e-mail, name variants (the contact finder's
  rules, :mod:`graph.people.dedupe`), the same website, the same normalised
  or known organisation name (:func:`loaders.organisations.match_keys`), the
  same ministry of one Land however it is written (:func:`ministry_subject`), or
  very similar names in the same Land (rapidfuzz).
* :func:`merge_records` — one version: the surviving record gets the values
  the user picked, every row referring to the other record is moved to the
  survivor (a link that would then exist twice is dropped), and the other
  record is deleted. Undo it like any change (:func:`~loaders.workspace.editing.undo_last`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Mapping

from graph.core.text import fold
from graph.people.dedupe import email_key, name_key
from loaders.organisations import match_keys, normalise_name
from loaders.schema import TABLES
from loaders.workspace.diff import Change
from loaders.workspace.editing import (
    EditError, EditResult, FieldProblem, _row, referencing_rows, save_changes, validate_row,
)
from loaders.workspace.keys import row_key
from loaders.workspace.store import WorkspaceFile

__all__ = ["MergeCandidate", "duplicate_candidates", "merge_records", "MERGEABLE", "MERGE_PREFIX"]

MERGEABLE = ("institutions", "contacts")
MERGE_PREFIX = "merge:"
#: Name similarity (rapidfuzz token-set ratio, 0–100) from which two institutions of one Land are candidates.
SIMILAR_NAME = 90


@dataclass
class MergeCandidate:
    table: str
    a: str
    b: str
    evidence: list[tuple[str, str]] = field(default_factory=list)  # (kind, detail)

    def to_dict(self) -> dict[str, Any]:
        return {"table": self.table, "a": self.a, "b": self.b,
                "evidence": [{"kind": k, "detail": d} for k, d in self.evidence]}


_COMPOUND_MINISTRY = re.compile(r"\b([a-z]+)ministerium\b")
_MINISTRY_FOR = re.compile(r"ministerium (?:fuer|fur) (?:die |den |das )?([a-z]+)")
_GENERIC_MINISTRY = frozenset({"staat", "staats", "bundes", "landes"})


def ministry_subject(name: str) -> str | None:
    """What a German ministry is for, however it is written (``Umweltministerium`` =
    ``Ministerium für Umwelt, Energie …``); None for other names.

    >>> ministry_subject("Nds. Umweltministerium") == ministry_subject("Niedersächsisches Ministerium für Umwelt, Energie")
    True
    >>> ministry_subject("Landwirtschaftsministerium") == ministry_subject("Ministerium für Landwirtschaft")
    True
    >>> ministry_subject("Sächsisches Staatsministerium für Wirtschaft"), ministry_subject("GIZ")
    ('wirtschaft', None)
    """
    folded = fold(name)
    m = _MINISTRY_FOR.search(folded) or _COMPOUND_MINISTRY.search(folded)
    if m is None or m.group(1) in _GENERIC_MINISTRY:
        return None
    return m.group(1).removesuffix("s")  # the linking s: Landwirtschafts-ministerium


def _website_key(url: str) -> str | None:
    url = (url or "").split(" ; ")[0].strip().lower()
    url = re.sub(r"^https?://", "", url)
    url = re.sub(r"^www\.", "", url).rstrip("/")
    return url or None


def _add(found: dict, table: str, a: str, b: str, kind: str, detail: str) -> None:
    if a == b:
        return
    a, b = sorted((a, b))
    cand = found.setdefault((a, b), MergeCandidate(table, a, b))
    if (kind, detail) not in cand.evidence:
        cand.evidence.append((kind, detail))


def _pairs(groups: Mapping[str, list[str]], limit: int = 20):
    for key, members in groups.items():
        members = members[:limit]  # a key shared by very many records is no evidence of one
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                yield key, a, b


def duplicate_candidates(ws: WorkspaceFile, table: str = "institutions") -> list[MergeCandidate]:
    """Candidate duplicate pairs of ``table`` (institutions or contacts), strongest evidence first."""
    if table not in MERGEABLE:
        raise EditError([FieldProblem(None, table, f"only {', '.join(MERGEABLE)} can be merged", "invalid")])
    rows = ws.rows(table)
    found: dict[tuple[str, str], MergeCandidate] = {}
    if table == "contacts":
        by_email, by_name = defaultdict(list), defaultdict(list)
        for key, r in rows.items():
            if e := email_key(r["email"]):
                by_email[e].append(key)
            by_name[(name_key(r["name"]), r["institution"])].append(key)
        for e, a, b in _pairs(by_email):
            _add(found, table, a, b, "same_email", e)
        for (n, inst), a, b in _pairs(by_name):
            _add(found, table, a, b, "name_variant", f"{rows[a]['name']} / {rows[b]['name']} ({inst})")
    else:
        by_key, by_site, by_block, by_ministry = defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(list)
        subjects = {key: ministry_subject(r["name"]) for key, r in rows.items()}
        for key, r in rows.items():
            if subjects[key] and r["land"]:
                by_ministry[(r["land"], subjects[key])].append(key)
            for k in match_keys(r["name"]):
                by_key[k].append(key)
            if site := _website_key(r["website"]):
                by_site[site].append(key)
            norm = normalise_name(r["name"])
            if norm:
                by_block[(r["land"], norm.split()[0])].append(key)
        for k, a, b in _pairs(by_key):
            kind = "known_organisation" if k.startswith("known:") else "normalised_name"
            _add(found, table, a, b, kind, k.split(":", 1)[1])
        for site, a, b in _pairs(by_site):
            _add(found, table, a, b, "same_website", site)
        for (land, subject), a, b in _pairs(by_ministry):
            _add(found, table, a, b, "same_ministry", f"{subject} ({land})")
        from rapidfuzz import fuzz

        for (land, _first), a, b in _pairs(by_block, limit=200):
            if not land or (subjects[a] and subjects[b] and subjects[a] != subjects[b]):
                continue  # two ministries of one Land for different things are not one
            score = fuzz.token_set_ratio(normalise_name(rows[a]["name"]), normalise_name(rows[b]["name"]))
            if score >= SIMILAR_NAME:
                _add(found, table, a, b, "similar_name", f"{score:.0f} %")
    strength = {"same_ministry": 2, "same_email": 3, "known_organisation": 3, "same_website": 2, "normalised_name": 2, "name_variant": 2,
                "similar_name": 1}
    return sorted(found.values(), key=lambda c: (-sum(strength[k] for k, _ in c.evidence), c.a, c.b))


def merge_records(ws: WorkspaceFile, table: str, survivor: str, other: str, values: Mapping[str, Any] | None = None,
                  *, user: str, message: str = "") -> EditResult:
    """Merge ``other`` into ``survivor`` in one version (see the module doc)."""
    if table not in MERGEABLE:
        raise EditError([FieldProblem(None, table, f"only {', '.join(MERGEABLE)} can be merged", "invalid")])
    if survivor == other:
        raise EditError([FieldProblem(None, other, "a record cannot be merged with itself", "invalid")])
    key_column = TABLES[table].key

    def plan(con):
        keep, gone = _row(con, table, survivor), _row(con, table, other)
        if keep is None or gone is None:
            missing = survivor if keep is None else other
            raise EditError([FieldProblem(None, missing, f"no {table} record '{missing}'", "not_found")], status=404)
        merged = {**keep, **{k: v for k, v in (values or {}).items() if k != key_column}}
        row, problems, _warnings = validate_row(ws, table, merged, con=con)
        if problems:
            raise EditError(problems)
        changes: list[Change] = []
        if row != keep:
            changes.append(Change(table, survivor, "update", keep, row))
        taken: set[tuple[str, str]] = set()
        for t, k, column, _required, ref_row in referencing_rows(con, table, other):
            moved = {**ref_row, column: survivor}
            if not TABLES[t].key:  # a link row: its key changes with the reference
                new_key = row_key(t, moved)
                if (t, new_key) in taken or _row(con, t, new_key) is not None:
                    changes.append(Change(t, k, "delete", ref_row, None))  # the survivor has this link already
                else:
                    changes += [Change(t, k, "delete", ref_row, None), Change(t, new_key, "insert", None, moved)]
                    taken.add((t, new_key))
            else:
                changes.append(Change(t, k, "update", ref_row, moved))
        changes.append(Change(table, other, "delete", gone, None))
        return changes, changes

    version, changes = save_changes(ws, plan, user=user, source=f"{MERGE_PREFIX}{table}:{other}->{survivor}",
                                    message=message or f"Zusammengeführt / merged: {table} {other} → {survivor}")
    with ws.connect() as con:  # notes follow the survivor (outside the journal: an undo leaves them there)
        con.execute("UPDATE notes SET key = ? WHERE tbl = ? AND key = ?", (survivor, table, other))
    return EditResult(version, table, survivor, ws.rows(table, [survivor]).get(survivor), tuple(changes))
