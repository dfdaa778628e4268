"""Duplicate candidates with evidence; a reviewed merge moves every relation, is one version and can be undone."""

from __future__ import annotations

import pytest

from loaders.workspace import load_workspace
from loaders.workspace.editing import EditError, undo_last
from loaders.workspace.merging import duplicate_candidates, merge_records


def test_candidates_with_evidence(sample_ws):
    inst = {(c.a, c.b): c.evidence for c in duplicate_candidates(sample_ws)}
    assert inst[("nds-mu", "nds-umweltministerium")] == [("same_ministry", "umwelt (DE-NI)")]
    assert ("nds-mk", "nds-umweltministerium") not in inst  # education and environment: two ministries
    people = {(c.a, c.b): dict(c.evidence) for c in duplicate_candidates(sample_ws, "contacts")}
    assert people[("c010", "c011")]["same_email"] == "katrin.albers@example.org"
    assert "name_variant" in people[("c001", "c002")]


def test_merge_moves_relations_and_undo_restores(sample_ws):
    rows = sample_ws.rows("participations")
    other_links = {k for k, r in rows.items() if r["institution"] == "nds-umweltministerium"}
    assert other_links
    other_name = sample_ws.rows("institutions", ["nds-umweltministerium"])["nds-umweltministerium"]["name"]
    result = merge_records(sample_ws, "institutions", "nds-mu", "nds-umweltministerium",
                           {"sector_detail": "state ministry (visited)"}, user="anna")
    assert result.version.source == "merge:institutions:nds-umweltministerium->nds-mu"
    assert "nds-umweltministerium" not in sample_ws.rows("institutions")
    assert sample_ws.rows("institutions", ["nds-mu"])["nds-mu"]["sector_detail"] == "state ministry (visited)"
    assert sample_ws.rows("institutions", ["nds-mu"])["nds-mu"]["name"] != other_name
    assert not any(r["institution"] == "nds-umweltministerium" for r in sample_ws.rows("participations").values())
    assert not any(r["institution"] == "nds-umweltministerium" for r in sample_ws.rows("contacts").values())
    _v, loaded = load_workspace(sample_ws)
    assert loaded.report.ok and "institution:nds-umweltministerium" not in loaded.graph.nx
    undo_last(sample_ws, user="anna")
    assert set(sample_ws.rows("participations")) == set(rows)
    assert "nds-umweltministerium" in sample_ws.rows("institutions")


def test_merging_a_record_with_itself_or_a_missing_one_is_refused(sample_ws):
    with pytest.raises(EditError):
        merge_records(sample_ws, "institutions", "hlft", "hlft", user="a")
    with pytest.raises(EditError) as exc:
        merge_records(sample_ws, "institutions", "hlft", "nope", user="a")
    assert exc.value.status == 404
