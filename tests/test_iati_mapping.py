"""IATI loader: one test per mapping rule and per 1.0x/2.0x difference, on
small hand-written fragments where the right answer is obvious."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graph.core.errors import LoadError
from loaders import load
from loaders.iati import iter_activities, load_iati

TODAY = dt.date(2026, 1, 1)


def write(tmp_path: Path, activities: str, *, root: str = '<iati-activities version="2.03">',
          end: str = "</iati-activities>", name: str = "f.xml") -> Path:
    path = tmp_path / name
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n{root}\n{activities}\n{end}\n', encoding="utf-8")
    return path


def act2(ident: str, body: str = "", attrs: str = "") -> str:
    return f'<iati-activity {attrs}><iati-identifier>{ident}</iati-identifier>{body}</iati-activity>'


def load_one(tmp_path: Path, body: str, **kw):
    return load_iati(write(tmp_path, act2("XM-TEST-1", body)), today=TODAY, **kw)


def project(result, ident="XM-TEST-1"):
    return result.graph.node(f"project:{ident}")


# ------------------------------------------------------------------ projects
def test_activity_becomes_project_keyed_by_trimmed_identifier(tmp_path):
    result = load_iati(write(tmp_path, act2("  XM-TEST-1 \n", "")), today=TODAY)
    assert list(result.graph.nodes("project")) == ["project:XM-TEST-1"]
    assert result.report.tables["iati-activity"].accepted == 1


def test_title_prefers_german_then_english_2x_narratives(tmp_path):
    body = ('<title><narrative xml:lang="en">Water supply</narrative>'
            '<narrative xml:lang="de">Wasserversorgung</narrative></title>')
    p = project(load_one(tmp_path, body))
    assert p["label"] == "Wasserversorgung" and p["label_en"] == "Water supply"


def test_title_1x_repeated_elements_with_text_and_activity_default_language(tmp_path):
    body = '<title>Wasserversorgung</title><title xml:lang="en">Water supply</title>'
    path = write(tmp_path, act2("XM-TEST-1", body, 'xml:lang="de" version="1.05"'))
    p = project(load_iati(path, today=TODAY))
    assert p["label"] == "Wasserversorgung" and p["label_en"] == "Water supply"


def test_title_without_german_or_english_takes_the_first_language(tmp_path):
    body = '<title><narrative xml:lang="FR">Approvisionnement</narrative><narrative xml:lang="es">Agua</narrative></title>'
    assert project(load_one(tmp_path, body))["label"] == "Approvisionnement"


def test_missing_title_shows_identifier_and_warns(tmp_path):
    result = load_one(tmp_path, "")
    assert project(result)["label"] == "XM-TEST-1"
    assert any("no title" in p.message and "XM-TEST-1" in p.message for p in result.report.warnings)


def test_description_collapses_whitespace_and_prefers_general_type(tmp_path):
    body = ('<description type="2"><narrative xml:lang="de">Ziele</narrative></description>'
            '<description type="1"><narrative xml:lang="de">Eine   lange\n   Beschreibung</narrative></description>')
    assert project(load_one(tmp_path, body))["description"] == "Eine lange Beschreibung"


@pytest.mark.parametrize("dates,start,end,planned", [
    # 2.0x numeric types: actual (2/4) wins over planned (1/3)
    ('<activity-date type="1" iso-date="2018-01-01"/><activity-date type="2" iso-date="2018-03-15"/>'
     '<activity-date type="3" iso-date="2020-12-31"/>', "2018-03-15", "2020-12-31", (None, True)),
    ('<activity-date type="1" iso-date="2018-01-01"/><activity-date type="4" iso-date="2021-06-30"/>',
     "2018-01-01", "2021-06-30", (True, None)),
])
def test_dates_2x_numeric_types_actual_before_planned(tmp_path, dates, start, end, planned):
    p = project(load_one(tmp_path, dates))
    assert (p["start"], p["end"]) == (start, end)
    assert (p.get("start_planned"), p.get("end_planned")) == planned


def test_dates_1x_text_types(tmp_path):
    body = ('<activity-date type="start-planned" iso-date="2011-01-01"/><activity-date type="start-actual" iso-date="2011-11-29"/>'
            '<activity-date type="end-planned" iso-date="2015-12-31"/>')
    path = write(tmp_path, act2("XM-TEST-1", body, 'version="1.05"'))
    p = project(load_iati(path, today=TODAY))
    assert (p["start"], p["end"], p["start_year"], p["end_year"]) == ("2011-11-29", "2015-12-31", 2011, 2015)


def test_malformed_date_is_a_warning_with_activity_and_line(tmp_path):
    result = load_one(tmp_path, '<activity-date type="2" iso-date="2018-13-45"/>\n<activity-date type="1" iso-date="2018-02-01"/>')
    assert project(result)["start"] == "2018-02-01"  # falls back to the planned date
    [problem] = [p for p in result.report.warnings if "date" in p.message]
    assert problem.value == "2018-13-45" and "XM-TEST-1" in problem.message and problem.row == 3
    assert result.report.ok


@pytest.mark.parametrize("code,status", [("1", "planned"), ("2", "active"), ("3", "completed"), ("4", "completed"),
                                         ("5", "unknown"), ("6", "unknown")])
def test_activity_status_codes(tmp_path, code, status):
    p = project(load_one(tmp_path, f'<activity-status code="{code}"/>'))
    assert p["status"] == status and p["iati_status"]


def test_activity_status_1x_text_without_code(tmp_path):
    path = write(tmp_path, act2("XM-TEST-1", "<activity-status>Implementation</activity-status>", 'version="1.04"'))
    assert project(load_iati(path, today=TODAY))["status"] == "active"


def test_unknown_status_code_warns_and_derives_from_dates(tmp_path):
    result = load_one(tmp_path, '<activity-status code="9"/><activity-date type="4" iso-date="2019-01-01"/>')
    assert project(result)["status"] == "completed" and project(result)["status_derived"] is True
    assert any(p.value == "9" for p in result.report.warnings)


def test_missing_identifier_and_duplicate_are_errors_not_fatal(tmp_path):
    path = write(tmp_path, act2("", "") + "\n" + act2("A-1") + "\n" + act2("A-1") + "\n" + act2("A-2"))
    result = load_iati(path, today=TODAY)
    t = result.report.tables["iati-activity"]
    assert (t.read, t.accepted, t.rejected) == (4, 2, 2)
    assert sorted(result.graph.nodes("project")) == ["project:A-1", "project:A-2"]
    assert [p.row for p in result.report.errors] == [3, 5]
    assert not result.report.ok


# -------------------------------------------------------------- organisations
def test_participating_org_2x_numeric_roles_map_to_participation_roles(tmp_path):
    body = "".join(f'<participating-org ref="GB-CHC-{i}" role="{i}" type="21"><narrative>Org {i}</narrative></participating-org>'
                   for i in (1, 2, 3, 4))
    g = load_one(tmp_path, body).graph
    roles = {u: (d["role"], d["iati_role"], d["iati_role_name"]) for u, _, d in g.edges("participates_in")}
    assert roles == {
        "institution:GB-CHC-1": ("funding", "1", "Funding"),
        "institution:GB-CHC-2": ("associated", "2", "Accountable"),
        "institution:GB-CHC-3": ("partner", "3", "Extending"),
        "institution:GB-CHC-4": ("implementing", "4", "Implementing"),
    }


def test_participating_org_1x_text_roles_and_text_names(tmp_path):
    body = ('<participating-org ref="DE" type="10" role="Funding">BMZ</participating-org>'
            '<participating-org role="Implementing">Andheri-Hilfe e. V.</participating-org>')
    path = write(tmp_path, act2("XM-TEST-1", body, 'version="1.05"'))
    g = load_iati(path, today=TODAY).graph
    roles = {u: d["role"] for u, _, d in g.edges("participates_in")}
    assert roles == {"institution:bmz": "funding", "institution:iati-andheri-hilfe": "implementing"}


def test_one_org_in_several_roles_gets_one_edge_per_role(tmp_path):
    body = "".join(f'<participating-org ref="GB-CHC-202918" role="{r}" type="21"><narrative>Oxfam GB</narrative></participating-org>'
                   for r in (1, 3, 4))
    g = load_one(tmp_path, body).graph
    assert sorted(d["role"] for _, _, d in g.edges("participates_in")) == ["funding", "implementing", "partner"]
    assert len(list(g.nodes("institution"))) == 1


def test_unknown_role_links_without_role_and_warns(tmp_path):
    result = load_one(tmp_path, '<participating-org ref="GB-CHC-1" role="7"><narrative>X Ltd</narrative></participating-org>')
    [(_, _, d)] = list(result.graph.edges("participates_in"))
    assert d.get("role") is None and d["iati_role"] == "7"
    assert any(p.column == "participating-org/@role" for p in result.report.warnings)


def test_reporting_org_without_role_is_associated(tmp_path):
    body = '<reporting-org ref="SE-0" type="10"><narrative>Sweden</narrative></reporting-org>'
    result = load_one(tmp_path, body)
    [(u, _, d)] = list(result.graph.edges("participates_in"))
    assert u == "institution:SE-0" and d["role"] == "associated" and d["iati_role"] == "reporting"
    assert project(result)["reporting_org"] == "institution:SE-0"
    assert result.graph.node(u)["iati_publisher"] is True


@pytest.mark.parametrize("type_code,sector,flag", [
    ("10", "public_administration", None), ("11", "public_administration", None), ("15", "public_administration", None),
    ("21", "civil_society", None), ("22", "civil_society", None), ("23", "civil_society", None),
    ("24", "civil_society", None), ("60", "civil_society", None), ("70", "business", None),
    ("71", "business", None), ("72", "business", None), ("73", "business", None), ("80", "science", None),
    ("30", "other", "public_private_partnership"), ("40", "other", "multilateral"),
])
def test_org_type_maps_to_sector(tmp_path, type_code, sector, flag):
    body = f'<participating-org ref="XM-X-1" role="4" type="{type_code}"><narrative>Some Name</narrative></participating-org>'
    node = load_one(tmp_path, body).graph.node("institution:XM-X-1")
    assert node["sector"] == sector and node.get("sector_flag") == flag and not node.get("sector_inferred")
    assert node["iati_org_type"] == type_code


@pytest.mark.parametrize("name,sector", [
    ("Lichtbrücke e. V.", "civil_society"), ("Kinderhilfswerk Stiftung Global-Care", "civil_society"),
    ("Muster gGmbH", "civil_society"), ("Muster GmbH", "business"), ("Beispiel AG", "business"),
    ("Universität Leipzig", "science"), ("Rockefeller University", "science"),
    ("Bundesministerium für Bildung", "public_administration"), ("Ministry of Planning", "public_administration"),
])
def test_missing_type_sector_inferred_from_name_and_marked(tmp_path, name, sector):
    body = f'<participating-org role="4"><narrative>{name}</narrative></participating-org>'
    [nid] = load_one(tmp_path, body).graph.nodes("institution")
    node = load_one(tmp_path, body).graph.node(nid)
    assert node["sector"] == sector and node["sector_inferred"] is True


def test_type_90_and_unknown_type_fall_back_to_name(tmp_path):
    body = ('<participating-org ref="XM-X-1" role="4" type="90"><narrative>Foo University</narrative></participating-org>'
            '<participating-org ref="XM-X-2" role="4" type="99"><narrative>Bar GmbH</narrative></participating-org>')
    result = load_one(tmp_path, body)
    assert result.graph.node("institution:XM-X-1")["sector"] == "science"
    assert result.graph.node("institution:XM-X-2")["sector_inferred"] is True
    assert [p.value for p in result.report.warnings if p.column == "participating-org/@type"] == ["99"]


def test_sector_is_the_majority_type_across_mentions(tmp_path):
    acts = "".join(act2(f"A-{i}", f'<participating-org ref="XM-DAC-5-52" role="4" type="{t}"><narrative>GIZ</narrative></participating-org>')
                   for i, t in enumerate(["15", "30", "15"]))
    node = load_iati(write(tmp_path, acts), today=TODAY).graph.node("institution:giz")
    assert node["sector"] == "implementing_agency"  # a known actor's sector beats the mentions
    acts = "".join(act2(f"A-{i}", f'<participating-org ref="GB-CHC-9" role="4" type="{t}"><narrative>X</narrative></participating-org>')
                   for i, t in enumerate(["21", "30", "21"]))
    assert load_iati(write(tmp_path, acts), today=TODAY).graph.node("institution:GB-CHC-9")["sector"] == "civil_society"


def test_empty_name_without_ref_and_placeholder_names_are_skipped_with_warning(tmp_path):
    body = ('<participating-org role="4">   </participating-org>'
            '<participating-org ref="10000" role="2"><narrative>PUBLIC SECTOR INSTITUTIONS</narrative></participating-org>'
            '<participating-org ref="" role="4"><narrative>USAID redacted this field in accordance with FATAA</narrative></participating-org>'
            '<participating-org ref="GB-CHC-1" role="4"><narrative>Real Org</narrative></participating-org>')
    result = load_one(tmp_path, body)
    assert list(result.graph.nodes("institution")) == ["institution:GB-CHC-1"]
    t = result.report.tables["iati-org"]
    assert (t.read, t.accepted, t.rejected) == (4, 1, 3)
    assert len([p for p in result.report.warnings if "skipped" in p.message]) == 3


def test_placeholder_refs_are_ignored_and_name_decides(tmp_path):
    acts = (act2("A-1", '<participating-org ref="N/A" role="1" type="10"><narrative>Burkina Faso</narrative></participating-org>')
            + act2("A-2", '<participating-org ref="" role="1" type="10"><narrative>Burkina  Faso</narrative></participating-org>')
            + act2("A-3", '<participating-org ref="BF" role="1" type="10"><narrative>burkina faso</narrative></participating-org>'))
    g = load_iati(write(tmp_path, acts), today=TODAY).graph
    assert list(g.nodes("institution")) == ["institution:iati-burkina-faso"]
    assert g.out_edges("institution:iati-burkina-faso", "located_in")[0][0] == "country:BFA"


def test_same_ref_is_one_node_whatever_the_name(tmp_path):
    acts = (act2("A-1", '<participating-org ref="XM-DAC-41122" role="1" type="40"><narrative>UNICEF</narrative></participating-org>')
            + act2("A-2", '<participating-org ref="41122" role="1" type="40"><narrative>United Nations Children\'s Fund</narrative></participating-org>')
            + act2("A-3", '<participating-org ref="" role="1" type="40"><narrative>UNICEF</narrative></participating-org>'))
    g = load_iati(write(tmp_path, acts), today=TODAY).graph
    assert list(g.nodes("institution")) == ["institution:XM-DAC-41122"]
    assert len(g.out_edges("institution:XM-DAC-41122", "participates_in")) == 3


def test_same_name_with_identifiers_of_different_countries_stays_apart(tmp_path):
    acts = (act2("A-1", '<participating-org ref="SE-2" role="1" type="10"><narrative>Ministry for Foreign Affairs</narrative></participating-org>')
            + act2("A-2", '<participating-org ref="FI-3" role="1" type="10"><narrative>Ministry for Foreign Affairs</narrative></participating-org>'))
    g = load_iati(write(tmp_path, acts), today=TODAY).graph
    assert sorted(g.nodes("institution")) == ["institution:FI-3", "institution:SE-2"]


def test_name_only_mention_gets_the_identifier_seen_later(tmp_path):
    acts = (act2("A-1", '<participating-org role="4"><narrative>Oxfam GB</narrative></participating-org>')
            + act2("A-2", '<participating-org ref="GB-CHC-202918" role="4" type="21"><narrative>Oxfam GB</narrative></participating-org>'))
    g = load_iati(write(tmp_path, acts), today=TODAY).graph
    [nid] = g.nodes("institution")
    assert g.node(nid)["iati_refs"] == ["GB-CHC-202918"] and g.node(nid)["sector"] == "civil_society"


def test_german_org_located_in_germany_and_in_its_land_when_named(tmp_path):
    body = ('<participating-org role="4"><narrative>Verein Beispiel e.V.</narrative></participating-org>'
            '<participating-org role="4"><narrative>Universität Hamburg</narrative></participating-org>'
            '<participating-org ref="DE-CR-RA000220-VR3810" role="4" type="22"><narrative>Welthungerhilfe</narrative></participating-org>'
            '<participating-org role="4"><narrative>Ministry of Planning</narrative></participating-org>')
    g = load_one(tmp_path, body).graph
    located = {u: v for u, v, _ in g.edges("located_in")}
    assert located["institution:iati-verein-beispiel"] == "country:DEU"
    assert located["institution:iati-universitaet-hamburg"] == "land:DE-HH"
    assert located["institution:DE-CR-RA000220-VR3810"] == "country:DEU"
    assert "institution:iati-ministry-of-planning" not in located
    assert g.node("institution:iati-universitaet-hamburg")["land"] == "DE-HH"


def test_foreign_org_located_by_its_identifier_country(tmp_path):
    g = load_one(tmp_path, '<participating-org ref="GB-CHC-1" role="4" type="21"><narrative>X</narrative></participating-org>').graph
    assert g.out_edges("institution:GB-CHC-1", "located_in")[0][0] == "country:GBR"


# ------------------------------------------------------------------ geography
def test_recipient_countries_with_percentages(tmp_path):
    body = ('<recipient-country code="BD" percentage="60"/><recipient-country code="np" percentage="40.5"/>'
            '<recipient-country code="KV" percentage="0"/>')
    result = load_one(tmp_path, body)
    edges = {v: d for _, v, d in result.graph.edges("implemented_in")}
    assert edges["country:BGD"]["percentage"] == 60 and edges["country:NPL"]["percentage"] == 40.5
    assert edges["country:XKX"]["percentage"] == 0  # KV (non-standard) read as XK, Kosovo
    assert result.graph.node("country:XKX")["label"] == "Kosovo"
    assert any(p.value == "KV" for p in result.report.warnings)


def test_single_country_without_percentage_counts_as_100(tmp_path):
    [(_, _, d)] = list(load_one(tmp_path, '<recipient-country code="BD"/>').graph.edges("implemented_in"))
    assert d["percentage"] == 100 and d["percentage_assumed"] is True


def test_invalid_percentage_warns_and_is_dropped(tmp_path):
    body = '<recipient-country code="BD" percentage="abc"/><recipient-country code="NP" percentage="150"/>'
    result = load_one(tmp_path, body)
    assert all("percentage" not in d for _, _, d in result.graph.edges("implemented_in"))
    assert sorted(p.value for p in result.report.warnings if "percentage" in p.message) == ["150", "abc"]


def test_region_is_a_project_attribute_never_spread_over_countries(tmp_path):
    body = '<recipient-country code="GN" percentage="100"/><recipient-region code="298" vocabulary="1" percentage="0"/>'
    result = load_one(tmp_path, body)
    assert project(result)["region"] == "Africa, regional" and project(result)["region_codes"] == ["298"]
    assert [v for _, v, _ in result.graph.edges("implemented_in")] == ["country:GIN"]


def test_region_code_in_recipient_country_becomes_region_unknown_code_skipped(tmp_path):
    body = '<recipient-country code="998"/><recipient-country code="XX"/>'
    result = load_one(tmp_path, body)
    assert list(result.graph.edges("implemented_in")) == []
    assert project(result)["region"] == "Developing countries, unspecified"
    t = result.report.tables["iati-country"]
    assert (t.read, t.accepted, t.rejected) == (2, 0, 2)


def test_percentages_not_adding_up_warn(tmp_path):
    result = load_one(tmp_path, '<recipient-country code="BD" percentage="50"/><recipient-country code="NP" percentage="20"/>')
    assert any("add up" in p.message for p in result.report.warnings)


# ---------------------------------------------------------------- sectors
def test_dac5_rolls_up_to_dac3_theme_with_codelist_name(tmp_path):
    body = '<sector vocabulary="1" code="12220" percentage="60"/><sector code="12250" percentage="40"/>'
    g = load_one(tmp_path, body).graph
    [(u, v, d)] = list(g.edges("addresses"))
    assert v == "theme:dac-122" and g.node(v)["label_en"] == "Basic Health"  # IATI SectorCategory name
    assert g.node(v)["label"] == "Basisgesundheit"  # German display name (loaders/data/iati/dac_categories_de.csv)
    assert d["percentage"] == 100 and d["iati_codes"] == ["12220", "12250"]


def test_1x_dac_vocabulary_strings(tmp_path):
    body = '<sector vocabulary="DAC" code="13030"/><sector vocabulary="DAC-3" code="151"/>'
    path = write(tmp_path, act2("XM-TEST-1", body, 'version="1.05"'))
    g = load_iati(path, today=TODAY).graph
    assert sorted(v for _, v, _ in g.edges("addresses")) == ["theme:dac-130", "theme:dac-151"]


def test_3_digit_code_under_dac5_vocabulary_is_read_as_category(tmp_path):
    result = load_one(tmp_path, '<sector vocabulary="DAC" code="720"/>')
    assert [v for _, v, _ in result.graph.edges("addresses")] == ["theme:dac-720"]
    assert any(p.value == "720" for p in result.report.warnings)


def test_unknown_and_withdrawn_dac_codes(tmp_path):
    result = load_one(tmp_path, '<sector code="99999"/><sector code="23030"/>')
    assert [v for _, v, _ in result.graph.edges("addresses")] == ["theme:dac-230"]  # 23030 is withdrawn, still mapped
    msgs = {p.value: p.message for p in result.report.warnings}
    assert "unknown" in msgs["99999"] and "withdrawn" in msgs["23030"]
    t = result.report.tables["iati-sector"]
    assert (t.read, t.accepted, t.rejected) == (2, 1, 1)


def test_other_vocabularies_keyed_by_vocabulary_and_own_codes_by_publisher(tmp_path):
    acts = (act2("A-1", '<reporting-org ref="XM-A-1"><narrative>A</narrative></reporting-org>'
                        '<sector vocabulary="7" code="3"/><sector vocabulary="99" code="1"><narrative>Health</narrative></sector>')
            + act2("A-2", '<reporting-org ref="XM-B-1"><narrative>B</narrative></reporting-org>'
                          '<sector vocabulary="10" code="3"/><sector vocabulary="99" code="1"><narrative>Roads</narrative></sector>'))
    g = load_iati(write(tmp_path, acts), today=TODAY).graph
    themes = sorted(g.nodes("theme"))
    assert themes == ["theme:iati-v10-3", "theme:iati-v7-3", "theme:iati-v99-xm-a-1-1", "theme:iati-v99-xm-b-1-1"]
    assert g.node("theme:iati-v7-3")["label"] == "SDG Goal: 3"
    assert g.node("theme:iati-v99-xm-b-1-1")["label"] == "Roads"


def test_transaction_sectors_used_when_activity_has_none(tmp_path):
    body = '<transaction><sector vocabulary="1" code="12220"/></transaction>'
    [(_, v, d)] = list(load_one(tmp_path, body).graph.edges("addresses"))
    assert v == "theme:dac-122" and d["from_transactions"] is True


# ------------------------------------------------------- versions, wrappers, XML
def test_datastore_wrapper_root_and_extra_namespace_version(tmp_path):
    root = ('<result xmlns:iati-extra="http://datastore.iatistandard.org/ns"><ok>True</ok>'
            '<iati-activities><query><total-count>1</total-count></query>')
    body = ('<iati-activity iati-extra:version="1.05"><iati-identifier>DE-1-1</iati-identifier>'
            '<participating-org role="Implementing">KfW</participating-org></iati-activity>')
    path = write(tmp_path, body, root=root, end="</iati-activities></result>")
    result = load_iati(path, today=TODAY)
    assert project(result, "DE-1-1")["iati_version"] == "1.05"
    assert "institution:kfw" in result.graph


def test_mixed_versions_decided_per_activity(tmp_path):
    acts = (act2("A-1", '<participating-org role="Funding">BMZ</participating-org>', 'version="1.03"')
            + act2("A-2", '<participating-org role="1"><narrative>BMZ</narrative></participating-org>')
            + act2("A-3", '<title><narrative>x</narrative></title>'))
    path = write(tmp_path, acts, root='<iati-activities>')
    g = load_iati(path, today=TODAY).graph
    assert [g.node(f"project:A-{i}")["iati_version"] for i in (1, 2, 3)] == ["1.03", "2 (detected)", "2 (detected)"]
    assert len(g.out_edges("institution:bmz", "participates_in")) == 2


def test_enclosing_iati_activities_version_is_the_default(tmp_path):
    path = write(tmp_path, act2("A-1"), root='<iati-activities version="2.02">')
    assert load_iati(path, today=TODAY).graph.node("project:A-1")["iati_version"] == "2.02"


def test_unknown_elements_attributes_and_namespaces_are_ignored(tmp_path):
    body = ('<x:extra xmlns:x="http://example.org/x" x:y="1">z</x:extra>'
            '<participating-org role="4" foo="bar" ref="GB-CHC-1"><narrative>A</narrative></participating-org>')
    result = load_one(tmp_path, body)
    assert result.report.ok and "institution:GB-CHC-1" in result.graph


def test_malformed_xml_is_a_load_error_with_line(tmp_path):
    path = tmp_path / "bad.xml"
    path.write_text('<iati-activities>\n<iati-activity>\n<iati-identifier>A</iati-identifier>\n<title>\n</iati-activity>\n</iati-activities>')
    with pytest.raises(LoadError, match=r"malformed XML at line 5"):
        load_iati(path)


def test_non_iati_xml_is_a_load_error(tmp_path):
    path = tmp_path / "other.xml"
    path.write_text("<catalog><book/></catalog>")
    with pytest.raises(LoadError, match="not an IATI activity file"):
        load(path)


def test_entities_are_not_expanded(tmp_path):
    path = tmp_path / "xxe.xml"
    path.write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                    '<iati-activities><iati-activity><iati-identifier>A</iati-identifier>'
                    '<title><narrative>&e;</narrative></title></iati-activity></iati-activities>')
    result = load_iati(path, today=TODAY)
    assert "root:" not in project(result, "A")["label"]


def test_streaming_frees_activities_after_reading(tmp_path):
    path = write(tmp_path, "\n".join(act2(f"A-{i}", "<title><narrative>t</narrative></title>") for i in range(50)))
    seen = 0
    for act in iter_activities(path):
        seen += 1
        assert act.titles == {"": "t"}
    assert seen == 50


def test_xml_path_is_a_registered_format(tmp_path):
    result = load(write(tmp_path, act2("A-1")))
    assert "project:A-1" in result.graph


def test_problems_of_one_kind_are_capped(tmp_path):
    acts = "".join(act2(f"A-{i}", '<recipient-country code="XX"/>') for i in range(7))
    result = load_iati(write(tmp_path, acts), today=TODAY, max_problems_per_kind=3)
    msgs = [p.message for p in result.report.warnings if "country" in p.message]
    assert len(msgs) == 4 and msgs[-1] == "4 more like this not listed: unknown country code skipped"


def test_progress_bar_on_request_and_silent_for_small_files(tmp_path, capsys):
    path = write(tmp_path, "\n".join(act2(f"A-{i}") for i in range(20)), name="progress.xml")
    assert sum(1 for _ in iter_activities(path)) == 20  # small file: no bar by default
    assert "progress.xml" not in capsys.readouterr().err
    assert sum(1 for _ in iter_activities(path, progress=True)) == 20
    assert "progress.xml" in capsys.readouterr().err  # tqdm writes its bar, named after the file, to stderr


def test_duplicate_errors_are_capped_across_identifiers(tmp_path):
    acts = "".join(act2(f"A-{i % 3}") for i in range(12))  # 3 identifiers, 9 duplicates
    result = load_iati(write(tmp_path, acts), today=TODAY, max_problems_per_kind=4)
    assert result.report.tables["iati-activity"].rejected == 9
    errors = [p.message for p in result.report.errors]
    assert len(errors) == 5 and errors[-1] == "5 more like this not listed: duplicate iati-identifier; rejected"
