"""IATI loader on the real files in tests/data/iati/ (see SOURCES.md there).

Every expected number below was counted independently of the loader, in a
shell, with the commands given next to it: ``grep`` on the file, or a few
lines of *stdlib* ``xml.etree.ElementTree`` (not lxml, not loaders/) such as

    python -c "import xml.etree.ElementTree as ET; acts=list(ET.parse(F).getroot().iter('iati-activity')); print(...)"

(written below as ``ET: <expression>`` with ``acts`` and ``name(e)`` =
whitespace-collapsed text). Where a number rests on a judgement (which
spellings are the same organisation), the derivation is spelled out.
"""

from __future__ import annotations

import json

import pytest

import app
from loaders import load
from loaders.iati import load_iati
from tests.helpers import ROOT, write_table

DATA = ROOT / "tests" / "data" / "iati"
BMZ = DATA / "bmz_DE-1_bangladesh_2016-01_iati105.xml"
DPORTAL = DATA / "dportal_multipublisher_sample_2020-03_iati20x.xml"


@pytest.fixture(scope="module")
def bmz():
    return load_iati(BMZ)


@pytest.fixture(scope="module")
def dportal():
    return load_iati(DPORTAL)


def projects_of(g, nid):
    return {v for v, _ in g.out_edges(nid, "participates_in")}


def test_files_are_the_documented_copies():
    import hashlib

    # sha256 values from tests/data/iati/SOURCES.md (byte-for-byte copies of the sources)
    assert hashlib.sha256(BMZ.read_bytes()).hexdigest() == "6b156f6559b53ffece0d2a36b8edb125bb464a8e3975b8d3def9fd04a49bc8d1"
    assert hashlib.sha256(DPORTAL.read_bytes()).hexdigest() == "8ada889af3071d45c10cdca67325ef3c073dd078dc342e178b818d8fc4a11ce1"


# ----------------------------------------------------------------- BMZ 1.05
def test_bmz_activity_count_and_versions(bmz):
    # grep -c '<iati-activity ' bmz…xml  -> 54 ; all iati-extra:version="1.05" (grep -c 'iati-extra:version="1.05"' -> 54)
    g = bmz.graph
    assert bmz.report.tables["iati-activity"].read == 54
    assert bmz.report.tables["iati-activity"].accepted == 54
    assert len(list(g.nodes("project"))) == 54
    assert {g.node(p)["iati_version"] for p in g.nodes("project")} == {"1.05"}


def test_bmz_organisation_mentions_in_the_report(bmz):
    # grep -o '<reporting-org' | wc -l -> 54 ; grep -o '<participating-org' | wc -l -> 139 ; 3 of them have an
    # empty or whitespace-only name and no ref (ET: sum(1 for a in acts for p in a.findall('participating-org') if not name(p)))
    t = bmz.report.tables["iati-org"]
    assert (t.read, t.accepted, t.rejected) == (54 + 139, 54 + 139 - 3, 3)
    skipped = [p for p in bmz.report.warnings if "without name or identifier" in p.message]
    assert len(skipped) == 3 and all(p.row and p.message.startswith("activity DE-1-") for p in skipped)


def test_bmz_institutions_resolved_to_one_node_per_organisation(bmz):
    # ET: len(Counter(name(p) for a in acts for p in a.findall('participating-org'))) -> 31 distinct names:
    # '' (empty), 'BMZ' (the 54 Funding orgs, ref="DE") and 29 distinct implementer spellings.
    # Same organisation, different spelling (by eye):
    #   'Ministry of Health and Family Welfare' = 'MINISTRY OF HEALTH AND FAMILY WELFARE (MOHFW)'
    #   'INFRASTRUCTURE DEVELOPMENT COMPANY LIMITED' = 'INFRASTRUCTURE DEVELOPMENT COMPANY LTD.'
    # -> 29 - 2 = 27 implementers + BMZ (also the reporting-org DE-1) = 28 institutions.
    g = bmz.graph
    assert len(list(g.nodes("institution"))) == 28


def test_bmz_spellings_of_the_same_organisation_are_one_node(bmz):
    g = bmz.graph
    # grep -c 'KREDITANSTALT FUER WIEDERAUFBAU (KFW)' -> 18, one per activity
    assert len(projects_of(g, "institution:kfw")) == 18
    assert g.node("institution:kfw")["land"] == "DE-HE"
    # grep -c 'Gesellschaft für internationale Zusammenarbeit (GIZ) GmbH' -> 13 (the file omits "Deutsche")
    assert len(projects_of(g, "institution:giz")) == 13
    assert g.node("institution:giz")["sector"] == "implementing_agency"
    # reporting-org ref DE-1 'BMZ' (54) and Funding participating-org ref="DE" 'BMZ' (54), same 54 activities
    assert len(projects_of(g, "institution:bmz")) == 54
    assert {d["role"] for _, d in g.out_edges("institution:bmz", "participates_in")} == {"funding"}
    # ET: activities naming 'health and family welfare' (either spelling) -> 5 ; 'INFRASTRUCTURE DEVELOPMENT' -> 3
    mohfw = [n for n in g.nodes("institution") if "health and family welfare" in g.node(n)["label"].lower()]
    infra = [n for n in g.nodes("institution") if g.node(n)["label"].upper().startswith("INFRASTRUCTURE DEVELOPMENT")]
    assert len(mohfw) == 1 and len(projects_of(g, mohfw[0])) == 5
    assert len(infra) == 1 and len(projects_of(g, infra[0])) == 3


def test_bmz_roles_from_1x_text(bmz):
    # grep -o 'role="Funding"' | wc -l -> 54 ; grep -o 'role="Implementing"' | wc -l -> 85 (3 of them nameless)
    roles = [d["role"] for _, _, d in bmz.graph.edges("participates_in")]
    assert roles.count("funding") == 54
    # 82 named implementing mentions; none repeats an organisation within one activity
    # (ET: max over activities of Counter(normalised implementer names) == 1)
    assert roles.count("implementing") == 82
    assert len(roles) == 54 + 82


def test_bmz_german_ngos_located_in_germany_with_inferred_sector(bmz):
    # grep -o 'role="Implementing">[^<]*\(e\. \?V\.\|Stiftung\)[^<]*<' | sort -u -> these 10 names
    ngos = ["Andheri-Hilfe e. V.", "Christoffel-Blindenmission Deutschland e. V.", "Deutsches Rotes Kreuz e.V.",
            "German Doctors e.V. (alt: Ärzte für die Dritte Welt)", "Global Team Hilfsbund e.V.",
            "Hoffnungszeichen / Sign of Hope e.V.", "Internationaler Ländlicher Entwicklungsdienst e.V. (ILD)",
            "Kinderhilfswerk Stiftung Global-Care", "Lichtbrücke e. V.", "Mati e.V."]
    g = bmz.graph
    by_label = {g.node(n)["label"]: n for n in g.nodes("institution")}
    for name in ngos:
        nid = by_label[name]
        attrs = g.node(nid)
        assert attrs["sector"] == "civil_society" and attrs["sector_inferred"] is True, name
        assert attrs["country"] == "DEU" and [v for v, _ in g.out_edges(nid, "located_in")] == ["country:DEU"], name
    # Bangladeshi ministries are not German
    assert g.node(by_label["Ministry of Planning"]).get("country") is None


def test_bmz_country_and_sectors(bmz):
    g = bmz.graph
    # grep -o '<recipient-country[^>]*code="BD"' | wc -l -> 54; no percentage in the file: one country = 100 %
    edges = list(g.edges("implemented_in"))
    assert len(edges) == 54 and {v for _, v, _ in edges} == {"country:BGD"}
    assert all(d["percentage"] == 100 for _, _, d in edges)
    # grep -o '<sector vocabulary="DAC" code="[0-9]*"' | grep -o '[0-9]\{5\}' | sort -u | wc -l -> 22 codes,
    # | cut -c1-3 | sort -u -> 111 112 121 122 130 140 151 160 230 236 240 250 311 410 430 (15 categories)
    themes = sorted(g.nodes("theme"))
    assert themes == [f"theme:dac-{c}" for c in
                      "111 112 121 122 130 140 151 160 230 236 240 250 311 410 430".split()]
    assert g.node("theme:dac-130")["label_en"] == "Population Policies/Programmes & Reproductive Health"
    assert len(list(g.edges("addresses"))) == 54


def test_bmz_dates_and_titles(bmz):
    g = bmz.graph
    p = g.node("project:DE-1-201121672")
    # the file: start-actual 2011-11-29, end-planned 2015-12-31, title de + en, activity-status code 2
    assert (p["start"], p["end"], p["status"]) == ("2011-11-29", "2015-12-31", "active")
    assert p["label"] == "Bewältigung der demografischen Herausforderungen in Bangladesch"
    assert p["label_en"] == "Addressing Bangladesh's Demographic Challenges ABDC"
    assert p["source"] == "bmz_DE-1_bangladesh_2016-01_iati105.xml, activity DE-1-201121672, line 9"
    # ET: sum(1 for a in acts if a.find('activity-date') is not None) -> 52
    assert sum(1 for n in g.nodes("project") if g.node(n).get("start")) == 52
    # ET: Counter(a.find('activity-status').get('code')) -> {'2': 47, '1': 4, '3': 3}
    statuses = [g.node(n)["status"] for n in g.nodes("project")]
    assert (statuses.count("active"), statuses.count("planned"), statuses.count("completed")) == (47, 4, 3)


# --------------------------------------------------------- d-portal 2.0x/1.0x
def test_dportal_counts_and_mixed_versions(dportal):
    g = dportal.graph
    # grep -c '<iati-activity ' -> 100 ; ET: Counter(a.get('version')) -> 2.03: 48, 2.02: 43, 2.01: 6, 1.04: 1, 1.03: 2
    assert len(list(g.nodes("project"))) == 100
    versions = [g.node(p)["iati_version"] for p in g.nodes("project")]
    assert {v: versions.count(v) for v in set(versions)} == {"2.03": 48, "2.02": 43, "2.01": 6, "1.04": 1, "1.03": 2}


def test_dportal_report_tables(dportal):
    t = dportal.report.tables
    assert (t["iati-activity"].read, t["iati-activity"].rejected) == (100, 0)
    # grep -o '<reporting-org' -> 100 ; grep -o '<participating-org' -> 379
    assert t["iati-org"].read == 479
    # ET: sum(len(a.findall('recipient-country'))) -> 88 (activity level; 85 more sit in transactions);
    # grep -o '<recipient-country[^>]*code="\(298\|998\|XX\)"' -> 298 x3, 998 x2, XX x1 = 6 not countries
    assert (t["iati-country"].read, t["iati-country"].accepted, t["iati-country"].rejected) == (88, 82, 6)
    # ET: sum(len(a.findall('recipient-region'))) -> 24, plus the 5 region codes from recipient-country;
    # grep -o '<recipient-region[^>]*code=""' -> 1 without code
    assert (t["iati-region"].read, t["iati-region"].rejected) == (29, 1)
    # ET: 131 activity-level sectors + 218 transaction sectors of the 33 activities that have no activity-level sector
    assert t["iati-sector"].read == 131 + 218
    for table in t.values():
        assert table.read == table.accepted + table.rejected
    assert dportal.report.ok  # bad data is reported as warnings; nothing is fatal


def test_dportal_countries(dportal):
    g = dportal.graph
    # ET: sorted({c.get('code') for a in acts for c in a.findall('recipient-country')}) -> 19 codes, minus 298, 998, XX
    expected = {"BF", "BI", "CD", "CG", "CI", "GH", "GN", "LR", "ML", "MR", "NO", "RW", "SL", "SN", "SS", "UG"}
    targets = {v for _, v, _ in g.edges("implemented_in")}
    assert {g.node(v)["iso2"] for v in targets} == expected
    # ET: activities with at least one recipient-country other than 298/998/XX -> 75
    assert len({u for u, _, _ in g.edges("implemented_in")}) == 75


def test_dportal_regions_are_attributes(dportal):
    g = dportal.graph
    # ET: sum(1 for a in acts if any(r.get('code') for r in a.findall('recipient-region'))) -> 23 (24 have the
    # element, one only with code=""); the 5 ES activities with 298/998 in recipient-country are among the 23
    with_region = [p for p in g.nodes("project") if g.node(p).get("region")]
    assert len(with_region) == 23
    guinea = [p for p in with_region if "Africa, regional" in g.node(p)["region"]]
    assert guinea and all(kind == "country" for p in guinea for v, _ in g.out_edges(p, "implemented_in")
                          for kind in [v.split(":")[0]])


def test_dportal_dac_themes(dportal):
    # ET over activity sectors, else transaction sectors: vocab 1/''/None/DAC -> code[:3]; vocab 2/DAC-3 -> code:
    # 120 121 122 130 151 152 160 430 510 720 740 910 998 ; '120' is not a DAC category (warned, skipped)
    g = dportal.graph
    dac = sorted(n for n in g.nodes("theme") if n.startswith("theme:dac-"))
    assert dac == [f"theme:dac-{c}" for c in "121 122 130 151 152 160 430 510 720 740 910 998".split()]
    assert any(p.value == "720" and "3-digit" in p.message for p in dportal.report.warnings)
    assert sum(1 for p in dportal.report.warnings if p.value == "120") == 3


def test_dportal_org_types_map_to_sectors(dportal):
    g = dportal.graph
    expect = {
        "institution:XM-DAC-41122": ("other", "multilateral"),   # UNICEF, type 40
        "institution:GB-CHC-202918": ("civil_society", None),    # Oxfam GB, type 21
        "institution:DAC-1601": ("civil_society", None),         # Gates Foundation, type 60
        "institution:GB-COH-02394229": ("business", None),       # Palladium, type 70
        "institution:iati-karolinska-institutet": ("science", None),  # type 80, ref 51000 (a category)
        "institution:US-GOV-1": ("public_administration", None),  # USAID, type 10
    }
    for nid, (sector, flag) in expect.items():
        assert (g.node(nid)["sector"], g.node(nid).get("sector_flag")) == (sector, flag), nid
    ppp = [n for n in g.nodes("institution") if g.node(n).get("sector_flag") == "public_private_partnership"]
    assert "institution:iati-consolidated-funds-from-natcoms" in ppp  # type 30


def test_dportal_placeholders_never_become_institutions(dportal):
    g = dportal.graph
    labels = {g.node(n)["label"].casefold() for n in g.nodes("institution")}
    for name in ("public sector institutions", "international ngo", "donor government", "recipient government",
                 "name withheld", "information redacted", "other", "government"):
        assert name not in labels
    assert not any(l.startswith("usaid redacted") for l in labels)
    refs = {r for n in g.nodes("institution") for r in g.node(n).get("iati_refs", [])}
    assert not refs & {"10000", "21000", "11000", "12000", "XM-DAC-11000", "N/A", "AU", "DE", "FSF"}


def test_dportal_unicef_spellings_are_one_node(dportal):
    g = dportal.graph
    # ET: activities with reporting-org ref XM-DAC-41122 or a participating-org with ref XM-DAC-41122 / 41122 or
    # the name 'UNICEF' -> 16
    assert len(projects_of(g, "institution:XM-DAC-41122")) == 16
    assert not [n for n in g.nodes("institution") if g.node(n)["label"] in ("UNICEF",) and n != "institution:XM-DAC-41122"]


def test_dportal_germany_as_funder_is_located_in_germany(dportal):
    g = dportal.graph
    # grep -o '<participating-org[^>]*><narrative[^>]*>Germany<' | wc -l -> 3 (UNICEF activities, ref="")
    assert len(projects_of(g, "institution:iati-germany")) == 3
    assert [v for v, _ in g.out_edges("institution:iati-germany", "located_in")] == ["country:DEU"]


def test_dportal_problems_name_activity_and_line(dportal):
    warnings = dportal.report.warnings
    assert warnings and all(p.message.startswith("activity ") for p in warnings if p.row is not None)
    # the d-portal file holds one activity per line, line 2 onwards (grep -n '<iati-activity ' | head -1 -> 2:)
    spain = [p for p in warnings if p.value == "998"]
    assert len(spain) == 2 and all(p.row and p.row >= 2 for p in spain)


# ---------------------------------------------------------- both files, CLI
def test_both_files_load_together_and_share_no_projects():
    result = load(BMZ, DPORTAL)
    assert len(list(result.graph.nodes("project"))) == 154
    assert result.report.merged["nodes"]["project"] == 0


def test_check_cli_on_real_file_exit_0_and_json(capsys):
    assert app.main(["check", str(BMZ), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is True and out["tables"]["iati-activity"]["read"] == 54


def test_check_cli_malformed_xml_exit_2(tmp_path, capsys):
    broken = tmp_path / "broken.xml"
    broken.write_bytes(BMZ.read_bytes()[:5000])  # cut off mid-file
    assert app.main(["check", str(broken)]) == 2
    assert "malformed XML at line" in capsys.readouterr().err


def test_check_cli_duplicate_activity_exit_1(tmp_path, capsys):
    text = DPORTAL.read_text(encoding="utf-8").splitlines()
    dup = tmp_path / "dup.xml"
    dup.write_text("\n".join(text[:3] + [text[2]] + text[3:]), encoding="utf-8")  # activity on line 3 twice
    assert app.main(["check", str(dup)]) == 1
    assert "duplicate iati-identifier" in capsys.readouterr().out


def test_merge_with_tabular_dataset_unifies_same_organisations(tmp_path):
    folder = tmp_path / "blp"
    write_table(folder, "institutions", [
        ["id", "name", "sector", "land", "source"],
        ["kfw-ffm", "KfW Entwicklungsbank", "implementing_agency", "Hessen", "https://example.org/kfw"],
        ["netz", "NETZ Partnerschaft für Entwicklung und Gerechtigkeit e.V.", "civil_society", "Hessen",
         "https://example.org/netz"],
        ["andheri", "Andheri Hilfe eV", "civil_society", "Nordrhein-Westfalen", "https://example.org/a"],
        ["uni-x", "Universität X", "science", "Sachsen", "https://example.org/x"],
    ])
    write_table(folder, "projects", [["id", "title", "countries", "source"],
                                     ["P1", "Projekt", "BGD", "https://example.org/p1"]])
    write_table(folder, "participations", [["project", "institution", "role"], ["P1", "netz", "lead"]])
    tab, iati = load(folder), load(BMZ)
    both = load(folder, BMZ)
    g = both.graph
    merges = {m["from"]: (m["into"], m["by"]) for m in both.report.merges}
    assert merges["institution:kfw"] == ("institution:kfw-ffm", "known:kfw")
    assert merges["institution:iati-netz-partnerschaft-fuer-entwicklung-und-gerechtigkeit"][0] == "institution:netz"
    assert merges["institution:iati-andheri-hilfe"][0] == "institution:andheri"
    # the merged node keeps the spreadsheet's facts and gains the IATI projects
    netz = g.node("institution:netz")
    assert netz["land"] == "DE-HE" and netz["sector"] == "civil_society" and "sector_inferred" not in netz
    assert len(projects_of(g, "institution:netz")) == 1 + 5
    assert [v for v, _ in g.out_edges("institution:andheri", "located_in")] == ["land:DE-NW"]  # DEU edge superseded
    assert "https://example.org/netz" in netz["source"] and "bmz_DE-1" in netz["source"]
    # report arithmetic: per kind, sum of the datasets' counts - merged = merged graph's count
    for kind, n in both.report.nodes.items():
        assert tab.report.nodes[kind] + iati.report.nodes[kind] - both.report.merged["nodes"][kind] == n, kind
    for kind, n in both.report.edges.items():
        assert tab.report.edges[kind] + iati.report.edges[kind] - both.report.merged["edges"][kind] == n, kind
    assert both.report.merged["nodes"]["institution"] == 3
    assert both.report.merged["nodes"]["country"] == 1  # BGD is in both (the spreadsheet has no DEU node)
