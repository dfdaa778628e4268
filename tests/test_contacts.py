"""Contact finder, dedupe, masking and event history on a tiny named graph."""

from __future__ import annotations

import pytest

from graph.people.contacts import build_contact_index, describe_reasons, explain_matches, find_contacts, merge_note
from graph.people.dedupe import find_duplicates, name_key
from graph.core.errors import NodeNotFound
from graph.people.events import attendance_counts, event_attendees, events_of_institution, events_of_person
from graph.people.privacy import MASKED_LABEL, PrivacyError, has_contacts, mask_unconsented, require_exportable, without_contacts
from tests.contact_graphs import TODAY, contact_graph


@pytest.fixture
def idx():
    return build_contact_index(contact_graph())


def names(matches):
    return [m.person.name for m in matches]


# ------------------------------------------------------------------ filters
def _filter_combinations(graph):
    """Every single filter and pairs of them, over the values the graph has."""
    from graph.core.kinds import NodeKind

    values = {
        "themes": sorted(graph.nodes(NodeKind.THEME))[:4], "countries": sorted(graph.nodes(NodeKind.COUNTRY))[:4],
        "laender": sorted(graph.nodes(NodeKind.LAND))[:3], "institutions": sorted(graph.nodes(NodeKind.INSTITUTION))[:3],
        "sectors": ["university", "ngo", "company"], "languages": ["de", "en", "sw"],
        "attended": sorted(graph.nodes(NodeKind.EVENT))[:2],
    }
    singles = [{k: [v]} for k, vs in values.items() for v in vs]
    singles += [{"role": "leit"}, {"text": "an"}, {"never_attended": True}, {"not_attended_months": 12}, {}]
    return singles + [{**a, **b} for a in singles[::3] for b in singles[1::4] if a.keys().isdisjoint(b.keys())]


@pytest.mark.parametrize("source", ["tiny", "sample"])
def test_matches_without_reasons_are_the_same_persons_and_explain_gives_the_reasons(source, idx, sample_graph):
    """``explain=False`` finds the same persons in the same order; the reasons
    added afterwards for any slice are those of the full search."""
    index, graph = (idx, contact_graph()) if source == "tiny" else (build_contact_index(sample_graph), sample_graph)
    checked = 0
    for filters in _filter_combinations(graph):
        full = find_contacts(index, **filters, today=TODAY)
        lean = find_contacts(index, **filters, today=TODAY, explain=False)
        assert [m.person.id for m in lean] == [m.person.id for m in full], filters
        assert explain_matches(index, lean, **filters, today=TODAY) == full, filters
        assert explain_matches(index, lean[2:5], **filters, today=TODAY) == full[2:5], filters
        checked += bool(full)
    assert checked >= 10  # the combinations find somebody, not only empty lists


def test_theme_filter_finds_own_themes_and_masks_unconsented(idx):
    found = find_contacts(idx, themes=["theme:water"])
    assert names(found) == ["Anna Adler", "Carla Conrad", MASKED_LABEL]
    masked = found[-1].person
    assert masked.email is None and masked.languages == () and masked.institution_labels == ("Firma Hessen",)
    assert describe_reasons(found[0], idx) == ["Thema: Wasser"]


def test_country_experience_comes_through_the_institutions_projects(idx):
    found = find_contacts(idx, countries=["country:TZA"])
    # anna via project P-TZA, mail person via uni-hh too, ewa by her institution's seat
    assert names(found) == ["Anna Adler", "Ewa Eng", "Maria Maier"]
    assert describe_reasons(found[0], idx) == ["Partnerland: Tansania (Projekt P-TZA)"]
    assert describe_reasons(found[1], idx, "en") == ["Partner country: Tanzania (seat of the institution)"]


def test_filters_combine_with_and_values_with_or(idx):
    assert names(find_contacts(idx, laender=["land:DE-HE"], sectors=["business"])) == \
        ["Bernd Bauer", "Maria Maier", MASKED_LABEL]
    assert names(find_contacts(idx, sectors=["business", "civil_society"], themes=["theme:energy", "theme:governance"])) == \
        ["Bernd Bauer", "Ewa Eng"]
    assert names(find_contacts(idx, institutions=["institution:amt-he"], role="referent")) == ["Carla Conrad"]


def test_language_and_personal_filters_never_match_masked_people(idx):
    assert names(find_contacts(idx, languages=["sw"])) == ["Anna Adler", "Ewa Eng"]
    # Dirk (no consent) speaks English and attended e-new, but is not revealed by it
    assert names(find_contacts(idx, languages=["EN"])) == ["Bernd Bauer", "Ewa Eng"]
    assert names(find_contacts(idx, attended=["event:e-new"])) == ["Bernd Bauer"]
    assert names(find_contacts(idx, text="dorn")) == []
    # …but a role/institution text search may show him masked
    assert names(find_contacts(idx, text="ingenieur wasser")) == [MASKED_LABEL]


def test_attendance_filters(idx):
    found = find_contacts(idx, attended=["event:e-old"])
    assert names(found) == ["Anna Adler", "Jürgen Müller"]
    assert describe_reasons(found[0], idx) == ["Teilnahme: Altes Treffen (Vortrag)"]
    assert names(find_contacts(idx, never_attended=True)) == ["Carla Conrad", "Ewa Eng", "Maria Maier"]
    # e-new (2026-10) is within 12 months of TODAY, e-old (2020-01) is not
    recent_free = names(find_contacts(idx, not_attended_months=12, today=TODAY))
    assert "Bernd Bauer" not in recent_free and "Anna Adler" in recent_free and "Carla Conrad" in recent_free
    assert names(find_contacts(idx, not_attended_months=1, today=TODAY)) == names(find_contacts(idx, include_masked=False))


def test_free_text_is_case_umlaut_and_accent_insensitive(idx):
    assert names(find_contacts(idx, text="MUELLER")) == ["Jürgen Müller"]
    assert names(find_contacts(idx, text="hamburg")) == ["Anna Adler", "Maria Maier"]  # institution name
    assert describe_reasons(find_contacts(idx, text="adler")[0], idx) == ["Suchtext „adler“"]


def test_no_filter_lists_everyone_once(idx):
    found = find_contacts(idx)
    assert len(found) == 7  # 9 records, 2 pairs merged
    assert len({m.person.id for m in found}) == 7


# ------------------------------------------------------------------- dedupe
def test_name_key_equates_umlaut_and_ascii_spellings_only():
    assert name_key("Jürgen Müller") == name_key("Juergen Mueller") == name_key("Jurgen Muller") == name_key("MÜLLER, Jürgen")
    assert name_key("Jürgen Müller") != name_key("Jürgen Möller")


def test_duplicates_by_email_and_by_name_variant_at_the_same_institution():
    groups = find_duplicates(contact_graph())
    assert [(g.members, g.reasons) for g in groups] == [
        (("contact:juerg1", "contact:juerg2"), (("name", "institution:amt-he"),)),
        (("contact:mail1", "contact:mail2"), (("email", "maria@example.org"),)),
    ]


def test_same_name_at_different_institutions_is_not_merged():
    g = contact_graph()
    other = g.add_node("contact", "juerg3", label="Jürgen Müller", consent=True, illustrative=True)
    g.add_edge(other, "institution:uni-hh", "works_at", illustrative=True)
    assert all("contact:juerg3" not in grp.members for grp in find_duplicates(g))


def test_merged_person_carries_a_visible_note_and_both_institutions(idx):
    juergen = idx.person_of("contact:juerg2")
    assert juergen.id == "contact:juerg1" and juergen.record_ids == ("contact:juerg1", "contact:juerg2")
    assert merge_note(juergen, idx) == \
        "Zusammengeführt aus 2 Einträgen: juerg1 „Jürgen Müller“, juerg2 „Juergen Mueller“ – Namensvariante bei Amt Hessen"
    maria = idx.person_of("contact:mail2")
    assert maria.institutions == ("institution:uni-hh", "institution:firma-he")
    assert maria.sectors == ("business", "science")
    assert merge_note(maria, idx, "en").endswith("– same e-mail")
    assert merge_note(idx.person_of("contact:anna"), idx) == ""


def test_sample_merges_the_two_juergen_muellers_and_the_double_email(sample_graph):
    groups = {g.members for g in find_duplicates(sample_graph)}
    assert ("contact:c001", "contact:c002") in groups  # Jürgen Müller / Juergen Mueller at hlft
    assert ("contact:c010", "contact:c011") in groups  # Katrin Albers, same e-mail


# ------------------------------------------------------------------ privacy
def test_mask_unconsented_strips_personal_fields_and_keeps_institution_and_role():
    g = contact_graph()
    generation = g.generation
    assert mask_unconsented(g) == 1
    dirk = g.node("contact:dirk")
    assert dirk["label"] == MASKED_LABEL and dirk["role"] == "Ingenieur Wasser"
    assert not {"email", "languages"} & dirk.keys()
    assert [v for v, _ in g.out_edges("contact:dirk", "works_at")] == ["institution:firma-he"]
    assert g.node("contact:anna")["label"] == "Anna Adler"
    assert g.generation != generation


def test_withdrawn_consent_in_one_duplicate_record_masks_the_person():
    g = contact_graph()
    g.set_node_attrs("contact:mail2", consent=False)
    assert mask_unconsented(g) == 3  # dirk, mail1, mail2
    assert g.node("contact:mail1")["label"] == MASKED_LABEL


def test_without_contacts_drops_every_contact_and_keeps_events():
    g = without_contacts(contact_graph())
    assert not has_contacts(g)
    assert "event:e-old" in g and "institution:uni-hh" in g
    assert g.edge_counts_by_kind()["attended"] == 0


def test_whole_graph_downloads_leave_out_unconsented_contacts(tmp_path):
    from graph.people.privacy import exportable_graph
    from loaders.export import write_csv_tables

    g = contact_graph()
    out = exportable_graph(g)
    assert "contact:dirk" not in out and "contact:anna" in out and "contact:dirk" in g
    text = next(p for p in write_csv_tables(out, tmp_path) if p.name == "contacts.csv").read_text(encoding="utf-8")
    assert "Dirk" not in text and "Anna Adler" in text


def test_only_consented_contacts_are_exportable():
    g = contact_graph()
    assert require_exportable(g, ["contact:anna"]) == ["contact:anna"]
    with pytest.raises(PrivacyError):
        require_exportable(g, ["contact:anna", "contact:dirk"])


# ------------------------------------------------------------ event history
def test_event_attendees_per_event_person_and_institution(idx):
    rows = [(a.person.name, a.role) for a in event_attendees(idx, "event:e-old")]
    assert rows == [("Anna Adler", "speaker"), ("Jürgen Müller", "participant")]
    assert [a.event.id for a in events_of_person(idx, "contact:juerg2")] == ["event:e-old"]
    assert [(a.event.id, a.person.name) for a in events_of_institution(idx, "institution:firma-he")] == \
        [("event:e-new", "Bernd Bauer"), ("event:e-new", MASKED_LABEL)]
    with pytest.raises(NodeNotFound):
        event_attendees(idx, "event:nope")


def test_attendance_counts_per_land_and_sector(idx):
    assert attendance_counts(idx, "event:e-new") == {
        "land": {"DE-HE": 2}, "sector": {"business": 2}, "role": {"participant": 2}}
    assert attendance_counts(idx, "event:e-old") == {
        "land": {"DE-HH": 1, "DE-HE": 1}, "sector": {"science": 1, "public_administration": 1},
        "role": {"speaker": 1, "participant": 1}}


def test_contact_modules_stay_free_of_dash_pandas_and_neo4j():
    import subprocess
    import sys

    code = ("import sys, graph.people.contacts, graph.people.dedupe, graph.people.guestlist, graph.people.events, graph.people.privacy;"
            "bad=[m for m in ('dash','pandas','neo4j') if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
