"""Contact exports: formula neutralising, CSV with BOM and separator, Excel,
vCard, privacy (masked never exported) and the audit log."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from graph.people.contacts import build_contact_index
from graph.people.privacy import PrivacyError
from loaders.audit import audit_export, read_audit
from loaders.contact_export import contact_rows, export_contacts, neutralise, to_csv, to_vcard, to_xlsx
from tests.contact_graphs import contact_graph


@pytest.mark.parametrize("dangerous", ["=1+2", "+49 30 1234", "-2+3", "@SUM(A1:A2)", "\tcmd", "\rcmd",
                                       "=HYPERLINK(\"http://evil\",\"x\")"])
def test_cells_starting_with_a_formula_character_are_neutralised(dangerous):
    assert neutralise(dangerous) == "'" + dangerous


@pytest.mark.parametrize("harmless", ["a=b", "Müller = Mueller", "x+y", "mail@example.org", "Nord-Süd", "", " =1"])
def test_cells_merely_containing_formula_characters_stay(harmless):
    assert neutralise(harmless) == harmless


def test_non_text_values_are_untouched():
    assert neutralise(-5) == -5 and neutralise(None) is None


def evil_rows():
    return [{"name": "=cmd|' /C calc'!A0", "institution": "Uni a=b", "role": "@boss", "email": "x@example.org",
             "note": "-1", "sector": "+x", "land": "\tHessen", "languages": "de", "themes": "Wasser"}]


def test_csv_has_bom_separator_and_neutralised_cells():
    data = to_csv(evil_rows(), delimiter=";")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Name", "Institution", "Sektor"]
    assert rows[1][0] == "'=cmd|' /C calc'!A0" and rows[1][1] == "Uni a=b"
    assert rows[1][2] == "'+x" and rows[1][3] == "'\tHessen" and rows[1][4] == "'@boss" and rows[1][9] == "'-1"
    comma = to_csv(evil_rows(), delimiter=",", lang="en").decode("utf-8-sig")
    assert comma.splitlines()[0].startswith("Name,Institution,Sector")


def test_xlsx_cells_are_text_not_formulas():
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx(evil_rows())))
    ws = wb.active
    assert ws["A2"].value == "'=cmd|' /C calc'!A0" and ws["A2"].data_type == "s"
    assert ws["B2"].value == "Uni a=b"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_vcard_escapes_values():
    card = to_vcard([{"name": "Anna Adler", "institution": "Uni; Hamburg, Campus", "role": "Prof", "email": "a@example.org"}]).decode()
    assert "BEGIN:VCARD" in card and "FN:Anna Adler" in card and "N:Adler;Anna;;;" in card
    assert "ORG:Uni\\; Hamburg\\, Campus" in card and "EMAIL;TYPE=INTERNET:a@example.org" in card


def test_export_of_a_person_list_with_umlauts_and_merge_note():
    idx = build_contact_index(contact_graph())
    content, name, n = export_contacts(idx, ["contact:anna", "contact:juerg2"], "csv")
    assert name == "gaesteliste.csv" and n == 2
    assert export_contacts(idx, ["contact:anna"], "xlsx", lang="en")[1] == "guest-list.xlsx"
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert [r["Name"] for r in rows] == ["Anna Adler", "Jürgen Müller"]
    assert rows[1]["Hinweis"].startswith("Zusammengeführt aus 2 Einträgen")
    assert rows[0]["E-Mail"] == "anna@example.org" and rows[0]["Land"] == "Hamburg"


def test_masked_people_are_never_exported():
    idx = build_contact_index(contact_graph())
    with pytest.raises(PrivacyError):
        contact_rows(idx, ["contact:anna", "contact:dirk"])
    for fmt in ("xlsx", "csv", "vcf"):
        with pytest.raises(PrivacyError):
            export_contacts(idx, ["contact:dirk"], fmt)


def test_audit_log_appends_one_json_line_per_export(tmp_path):
    log = tmp_path / "logs" / "audit.jsonl"
    audit_export(log, user="anna", what="guest list", fmt="xlsx", contact_ids=["contact:a", "contact:b"])
    audit_export(log, user="bernd", what="guest list", fmt="csv", contact_ids=["contact:a"])
    entries = read_audit(log)
    assert [(e["user"], e["format"], e["rows"]) for e in entries] == [("anna", "xlsx", 2), ("bernd", "csv", 1)]
    assert entries[0]["action"] == "export" and entries[0]["time"].endswith("+00:00")
    assert read_audit(tmp_path / "missing.jsonl") == []


@pytest.mark.parametrize("name, languages, n_value", [
    ("Rosa Quispe Huamaní", "es, qu", "N:Quispe Huamaní;Rosa;;;"),
    ("Müller, Anna; Dr.", "de", "N:Müller;Anna;;Dr.;"),
    ("Prof. Dr. Hans-Peter von der Heide", "de", "N:von der Heide;Hans-Peter;;Prof. Dr.;"),
    ("Anna Maria Schmidt", "de", "N:Schmidt;Anna;Maria;;"),
    ("Selma Nangolo-Shikongo", "en", "N:Nangolo-Shikongo;Selma;;;"),
    ("Madonna", "", "N:;Madonna;;;"),  # a single name is a given name
])
def test_vcard_splits_names_with_a_real_name_parser(name, languages, n_value):
    card = to_vcard([{"name": name, "languages": languages}]).decode()
    assert n_value in card.splitlines(), card


def test_exports_carry_the_partner_country_experience(sample):
    from graph.people.contacts import build_contact_index
    index = build_contact_index(sample.graph)
    rosa = next(p for p in index.persons.values() if p.name == "Rosa Quispe Huamaní")
    rows = contact_rows(index, [rosa.id], "de")
    assert "Peru" in rows[0]["partner_countries"]
    data = to_csv(rows, delimiter=";").decode("utf-8-sig")
    header, line = list(csv.reader(io.StringIO(data), delimiter=";"))
    assert "Partnerland-Erfahrung" in header and "Peru" in line[header.index("Partnerland-Erfahrung")]
    card = to_vcard(rows).decode()
    assert "N:Quispe Huamaní;Rosa;;;" in card
