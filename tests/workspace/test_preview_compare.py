"""The preview's fast comparison paths give exactly what the plain definitions give.

* ``keyed_rows`` = ``row_key`` + ``normalise_row`` per row;
* ``_diff_stored`` (stored value tuples) = ``diff_table`` (row dicts), same changes in the same order;
* a whole preview of a generated dataset (replace with edits, a partial export, update) is the same
  as the one computed from plain dicts of the whole current state (the implementation before).
"""

from __future__ import annotations

import csv
import random
import shutil
from pathlib import Path

import pytest

from loaders.schema import TABLE_ORDER
from loaders.synthetic import generate
from loaders.workspace import WorkspaceFile, export_bytes, make_preview, stage_upload
from loaders.workspace import preview as preview_module
from loaders.workspace.diff import Change, diff_table
from loaders.workspace.keys import columns, keyed_rows, normalise_row, row_key
from loaders.workspace.preview import _diff_stored, _Stored, publish_now


def _random_row(rng: random.Random, table: str) -> dict:
    values = ["", "a", "b", "Wasser", 3, 2.0, 2.5, True, False, None, "Sachsen", "x y"]
    return {c: rng.choice(values) for c in columns(table) if rng.random() < 0.9}


@pytest.mark.parametrize("table", TABLE_ORDER)
def test_keyed_rows_is_row_key_of_the_normalised_row(table):
    rng = random.Random(table)
    rows = [_random_row(rng, table) for _ in range(300)]
    expected: dict[str, dict[str, str]] = {}
    for row in rows:
        clean = normalise_row(table, row)
        expected[row_key(table, clean)] = clean
    got = keyed_rows(table, rows)
    assert got == expected
    assert list(got) == list(expected)  # same key order (later duplicates keep the first place)


@pytest.mark.parametrize("deletes", [True, False])
@pytest.mark.parametrize("table", ["projects", "participations", "themes"])
def test_diff_of_stored_tuples_equals_diff_of_dicts(table, deletes):
    rng = random.Random(f"{table}{deletes}")
    cols = columns(table)
    old = {f"k{i}": normalise_row(table, _random_row(rng, table)) for i in range(400)}
    new = {}
    for key, row in old.items():
        fate = rng.random()
        if fate < 0.1:
            continue  # removed
        if fate < 0.2:
            row = {**row, cols[1]: row[cols[1]] + "!"}  # changed
        new[key] = dict(row)
    new.update({f"n{i}": normalise_row(table, _random_row(rng, table)) for i in range(30)})  # added
    new["k1"] = {**old["k1"], "extra": "x"} if "k1" in new else {c: "" for c in cols}  # other columns than the table's
    stored = _Stored(table, {k: tuple(r[c] for c in cols) for k, r in old.items()})
    assert _diff_stored(table, stored, new, deletes=deletes) == diff_table(table, old, new, deletes=deletes)
    assert _diff_stored(table, _Stored(table, {}), new, deletes=deletes) == diff_table(table, {}, new, deletes=deletes)
    assert dict(stored.items()) == old and len(stored) == len(old) and "k0" in stored and "zz" not in stored


def _plain_compare_replace(ws, con, manifest, new, scope, rejected):
    """The replace comparison as it was: every current table read as dicts, diffed by diff_table."""
    current = {t: ws.rows(t, con=con) for t in TABLE_ORDER}
    merges = preview_module._merge_institutions(new, current["institutions"])
    keep = preview_module._kept_rows(manifest, current, new)
    for table, keys in rejected.items():
        rows = {k: current.get(table, {})[k] for k in keys if k in current.get(table, {}) and k not in new[table]}
        if rows:
            keep.setdefault(table, {}).update(rows)
    changes: list[Change] = []
    for table in TABLE_ORDER:
        if table in scope:
            changes.extend(diff_table(table, current[table], {**new[table], **keep.get(table, {})}))
    for table in TABLE_ORDER:
        if table not in scope and new[table]:
            changes.extend(c for c in diff_table(table, current[table], new[table], deletes=False) if c.op == "insert")
    return changes, merges, {t: len(r) for t, r in keep.items()}


def _edit(folder: Path, table: str, edit) -> None:
    path = folder / f"{table}.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    edit(rows)
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


def _edits(rows: list[list[str]]) -> None:
    head = rows[0]
    rows[1][head.index("title")] += " (geändert)"
    rows[2][head.index("start")] = "kein Datum"  # rejected or warned: kept either way
    rows[3][head.index("title")] = ""  # rejected: its record is kept
    del rows[4]
    extra = list(rows[5])
    extra[head.index("id")] = "NEU-1"
    rows.append(extra)


def test_previews_of_generated_data_equal_the_plain_comparison(tmp_path, monkeypatch):
    data = tmp_path / "gen"
    generate(data, nodes=600, seed=3)
    ws = WorkspaceFile.create(tmp_path / "ws.sqlite")
    publish_now(ws, make_preview(ws, data, save=False), user="t", message="import")
    edited = tmp_path / "edited"
    shutil.copytree(data, edited)
    _edit(edited, "projects", _edits)
    _edit(edited, "participations", lambda rows: rows.pop(7))
    _edit(edited, "institutions", lambda rows: rows[3].__setitem__(0, rows[3][0] + "-neu"))  # new id, same name: merged
    (tmp_path / "exp").mkdir()
    exported = stage_upload([("export.zip", export_bytes(ws, fmt="csv").content)], tmp_path / "exp")  # partial
    cases = [(edited, "replace"), (edited, "update"), (exported, "replace"), (data, "replace")]
    fast = [make_preview(ws, path, mode=mode, save=False).to_dict() for path, mode in cases]
    monkeypatch.setattr(preview_module, "_compare_replace", _plain_compare_replace)
    plain = [make_preview(ws, path, mode=mode, save=False).to_dict() for path, mode in cases]
    assert fast == plain
    replace_edited, _, partial, same = fast
    # changed: the edited title and the start date dropped with a warning; the row without a title is
    # rejected and its record kept
    assert replace_edited["counts"]["projects"] == {"added": 1, "changed": 2, "removed": 1}
    assert replace_edited["kept"]["projects"] == 1
    assert replace_edited["merges"] and partial["kept"].get("contacts") and same["counts"] == {}
