"""The one label table (graph.core.labels): complete, unambiguous as input,
and the labels the pages, exports and evidence texts show come from it."""

from __future__ import annotations

import pytest

from graph.core import kinds
from graph.core.labels import (ATTENDANCE_ROLE, COFINANCE, EDGE_KIND, EVENT_KIND, FIELDS, LABELS, NODE_KIND, PHASE,
                               ROLE, SECTOR, STATUS, aliases, label, resolve)
from graph.core.text import fold

VOCABULARIES = {NODE_KIND: kinds.NodeKind, EDGE_KIND: kinds.EdgeKind, SECTOR: kinds.Sector, ROLE: kinds.Role,
                COFINANCE: kinds.CofinanceKind, STATUS: kinds.ProjectStatus, PHASE: kinds.Phase,
                EVENT_KIND: kinds.EventKind, ATTENDANCE_ROLE: kinds.AttendanceRole}


def _values(field: str) -> set[str]:
    from graph.core.labels import INVITATION_STATUS, PIPELINE_REASON, PIPELINE_STATUS
    from graph.followup.invitations import Invitation
    from graph.followup.pipeline import REASONS, Status

    followup = {PIPELINE_STATUS: {s.value for s in Status}, PIPELINE_REASON: set(REASONS),
                INVITATION_STATUS: {s.value for s in Invitation}}
    return followup[field] if field in followup else set(VOCABULARIES[field].values())


def test_every_value_of_every_vocabulary_has_both_labels():
    from graph.core.labels import INVITATION_STATUS, PIPELINE_REASON, PIPELINE_STATUS

    assert set(FIELDS) == set(VOCABULARIES) | {PIPELINE_STATUS, PIPELINE_REASON, INVITATION_STATUS}
    for field in FIELDS:
        assert _values(field) <= set(LABELS[field]), field
        assert set(LABELS[field]) - _values(field) <= {"unknown"}, field
    for field in FIELDS:
        for key, entry in LABELS[field].items():
            assert entry.de.strip() and entry.en.strip(), (field, key)


@pytest.mark.parametrize("field", FIELDS)
def test_no_spelling_means_two_values(field):
    seen: dict[str, str] = {}
    for key, entry in LABELS[field].items():
        for name in {key, entry.de, entry.en, entry.text("de", inline=True), entry.text("en", inline=True),
                     *entry.aliases}:
            assert seen.setdefault(fold(name), key) == key, (field, name, seen[fold(name)], key)


@pytest.mark.parametrize("field", FIELDS)
def test_every_label_reads_back_as_its_key_in_both_languages(field):
    table = aliases(field)
    for key, entry in LABELS[field].items():
        for name in (key, entry.de, entry.en, entry.de.upper(), f"  {entry.en.lower()} "):
            assert resolve(field, name) == key
        assert table[entry.de] == table[entry.en] == table[fold(entry.de)] == key


def test_missing_and_unlisted_values():
    assert label(SECTOR, "") == "Unbekannt" and label(SECTOR, None, "en") == "Unknown"
    assert label(ROLE, "") == ""  # roles have no "unknown": nothing to show
    assert label(SECTOR, "astrology") == "astrology"


def test_the_pages_domain_labels_come_from_the_table():
    from dashboard.domain_labels import domain_label
    groups = {"kind": NODE_KIND, "edge": EDGE_KIND, "sector": SECTOR, "status": STATUS, "cofinancing": COFINANCE,
              "phase": PHASE}
    for lang in ("de", "en"):
        for group, field in groups.items():
            for key in LABELS[field]:
                assert domain_label(group, key, lang) == label(field, key, lang)


def test_no_other_module_spells_out_a_sector_label():
    """The sector names exist once: in the table (the dashboard and graph/ ask it)."""
    from tests.helpers import ROOT
    offenders = []
    for path in [*(ROOT / "graph").rglob("*.py"), *(ROOT / "dashboard").rglob("*.py"), *(ROOT / "loaders").rglob("*.py")]:
        if path.name == "labels.py":
            continue
        text = path.read_text()
        if "Zivilgesellschaft" in text or "Durchführungsorganisation" in text:
            offenders.append(path.relative_to(ROOT).as_posix())
    assert offenders == []
