"""Every messy-input rule of the canonical loader, one test each."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import MINI_INSTITUTIONS, MINI_PROJECTS, write_table
from graph.core.errors import LoadError
from loaders import load


def _problems(result, level=None):
    return [p for p in result.report.problems if level in (None, p.level)]


def _assert_arithmetic(report):
    for name, c in report.tables.items():
        assert c.read == c.accepted + c.rejected, name


def test_mini_dataset_loads_cleanly(mini):
    result = load(mini)
    assert result.report.ok, result.report.to_text()
    g = result.graph
    assert g.node("institution:uni-a")["sector"] == "science"
    assert "land:DE-HE" in g.neighbours("institution:uni-a")
    assert {"country:TZA", "country:RWA"} <= g.neighbours("project:P2")
    assert result.report.tables["participations"].accepted == 3


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_encodings_keep_umlauts(tmp_path, encoding):
    folder = tmp_path / encoding
    write_table(folder, "institutions", [["id", "name", "land"], ["x", "Universität Würzburg Größe", "Bayern"]], encoding=encoding)
    write_table(folder, "projects", [["id", "title"], ["P", "Förderung"]], encoding=encoding)
    result = load(folder)
    assert result.report.ok
    assert result.graph.node("institution:x")["label"] == "Universität Würzburg Größe"
    assert result.graph.node("project:P")["label"] == "Förderung"


def test_semicolon_delimiter_quoted_newlines_whitespace_and_trailing_rows(tmp_path):
    folder = tmp_path / "semi"
    folder.mkdir()
    (folder / "institutions.csv").write_text(
        ' ID ; Name ;LAND \n'
        'a;"Zeile eins\nZeile zwei";  Hessen  \n'
        'b;  Verein  ; BY\n'
        ';;\n'
        '\n',
        encoding="utf-8",
    )
    write_table(folder, "projects", [["id", "title"], ["P", "T"]])
    result = load(folder)
    assert result.report.ok, result.report.to_text()
    assert result.report.tables["institutions"].read == 2
    assert result.graph.node("institution:a")["label"] == "Zeile eins\nZeile zwei"
    assert result.graph.node("institution:b")["label"] == "Verein"
    assert result.graph.node("institution:b")["land"] == "DE-BY"


def test_row_numbers_count_quoted_newline_records_as_one_excel_row(tmp_path):
    folder = tmp_path / "rows"
    folder.mkdir()
    (folder / "institutions.csv").write_text(
        'id,name,land\na,"two\nlines",Hessen\nb,B,Atlantis\n', encoding="utf-8")
    write_table(folder, "projects", [["id", "title"], ["P", "T"]])
    result = load(folder)
    (warning,) = [w for w in _problems(result, "warning") if w.column == "land" and w.value]
    assert (warning.row, warning.column, warning.value) == (3, "land", "Atlantis")
    assert "Atlantis" in warning.message


@pytest.mark.parametrize("text,start,end", [
    ("2019-10-31", "2019-10-31", None),
    ("31.10.2019", "2019-10-31", None),
    ("2019", "2019", None),
    ("2016–2017", "2016", "2017"),
    ("2016-2017", "2016", "2017"),
])
def test_date_formats_in_projects(tmp_path, text, start, end):
    folder = tmp_path / "d"
    write_table(folder, "institutions", MINI_INSTITUTIONS)
    write_table(folder, "projects", [["id", "title", "start"], ["P", "T", text]])
    result = load(folder)
    assert result.report.ok
    node = result.graph.node("project:P")
    assert node["start"] == start
    assert node.get("end") == end
    assert node["start_year"] == int(start[:4])


def test_bad_optional_date_is_a_warning_naming_the_cell_and_the_row_loads(tmp_path):
    folder = tmp_path / "d"
    write_table(folder, "institutions", MINI_INSTITUTIONS)
    write_table(folder, "projects", [["id", "title", "start"], ["P", "T", "Frühjahr"], ["Q", "T", "2020"]])
    result = load(folder)
    assert result.report.ok
    (warning,) = [w for w in _problems(result, "warning") if w.column == "start"]
    assert (warning.row, warning.column, warning.value) == (2, "start", "Frühjahr")
    assert "loaded without it" in warning.message
    assert result.report.tables["projects"].rejected == 0
    assert "project:Q" in result.graph and result.graph.node("project:P").get("start") is None


@pytest.mark.parametrize("value", ["DE-BW", "Baden-Württemberg", "Baden-Wuerttemberg", "BW", "baden-württemberg"])
def test_land_spellings(tmp_path, value):
    folder = tmp_path / "l"
    write_table(folder, "institutions", [["id", "name", "land"], ["x", "X", value]])
    write_table(folder, "projects", [["id", "title"], ["P", "T"]])
    result = load(folder)
    assert result.report.ok
    assert result.graph.node("institution:x")["land"] == "DE-BW"


@pytest.mark.parametrize("value", ["RWA", "RW", "Ruanda", "Rwanda", "ruanda"])
def test_country_spellings(tmp_path, value):
    folder = tmp_path / "c"
    write_table(folder, "institutions", MINI_INSTITUTIONS)
    write_table(folder, "projects", [["id", "title", "countries"], ["P", "T", value]])
    result = load(folder)
    assert result.report.ok
    assert "country:RWA" in result.graph.neighbours("project:P")


def test_unknown_optional_land_and_country_are_warnings_naming_the_value(tmp_path):
    folder = tmp_path / "u"
    write_table(folder, "institutions", [["id", "name", "land", "country"], ["x", "X", "Preußen", ""], ["y", "Y", "", "Narnia"]])
    write_table(folder, "projects", [["id", "title"], ["P", "T"]])
    result = load(folder)
    assert result.report.ok and result.report.tables["institutions"].accepted == 2
    warnings = [w for w in _problems(result, "warning") if w.column in ("land", "country") and w.value]
    assert [(w.row, w.column, w.value) for w in warnings] == [(2, "land", "Preußen"), (3, "country", "Narnia")]
    assert all(w.value in w.message for w in warnings)


def test_unknown_required_land_is_an_error(tmp_path, mini):
    write_table(mini, "cofinancing", [["project", "land", "kind"], ["P1", "Preußen", "money"], ["P1", "Bayern (Freistaat)", "Geld"]])
    result = load(mini)
    (err,) = _problems(result, "error")
    assert (err.row, err.column, err.value) == (2, "land", "Preußen")
    assert result.report.tables["cofinancing"].accepted == 1


def test_multi_valued_cells(tmp_path):
    folder = tmp_path / "m"
    write_table(folder, "institutions", MINI_INSTITUTIONS)
    write_table(folder, "themes", [["id", "name_de", "name_en"], ["water", "Wasser", "Water"], ["energy", "Energie", "Energy"]])
    write_table(folder, "projects", [["id", "title", "countries", "themes"], ["P", "T", "RWA; Tansania ;KEN", "water;Energie"]])
    result = load(folder)
    assert result.report.ok, result.report.to_text()
    nbrs = result.graph.neighbours("project:P")
    assert {"country:RWA", "country:TZA", "country:KEN", "theme:water", "theme:energy"} <= nbrs


def test_duplicate_ids_second_row_rejected(tmp_path):
    folder = tmp_path / "dup"
    write_table(folder, "institutions", [["id", "name"], ["x", "Erste"], ["x", "Zweite"]])
    write_table(folder, "projects", [["id", "title"], ["P", "T"]])
    result = load(folder)
    (err,) = _problems(result, "error")
    assert (err.file.endswith("institutions.csv"), err.row, err.column, err.value) == (True, 3, "id", "x")
    assert result.graph.node("institution:x")["label"] == "Erste"
    _assert_arithmetic(result.report)


def test_references_to_missing_ids(tmp_path, mini):
    write_table(mini, "participations", [["project", "institution", "role"], ["P1", "uni-a", "lead"], ["P9", "uni-a", "partner"], ["P1", "ghost", "partner"]])
    result = load(mini)
    errors = _problems(result, "error")
    assert [(e.row, e.column, e.value) for e in errors] == [(3, "project", "P9"), (4, "institution", "ghost")]
    assert result.report.tables["participations"].rejected == 2


def test_reference_to_rejected_row_says_so(tmp_path, mini):
    write_table(mini, "projects", MINI_PROJECTS + [["P3", "", "Atlantis", "", "", "", ""]])
    write_table(mini, "participations", [["project", "institution", "role"], ["P3", "uni-a", "lead"]])
    result = load(mini)
    messages = [e.message for e in _problems(result, "error")]
    # the dependant names the root cause: the project's empty title
    assert any("rejected" in m and "row 4" in m and "title" in m for m in messages)


def test_missing_required_column_rejects_every_row_and_names_them(tmp_path):
    folder = tmp_path / "req"
    write_table(folder, "institutions", [["id", "land"], ["x", "Hessen"], ["y", "Bayern"]])
    write_table(folder, "projects", [["id", "title"], ["P", "T"]])
    result = load(folder)
    errors = [e for e in _problems(result, "error") if "institutions" in e.file]
    assert {(e.row, e.column) for e in errors} == {(1, "name"), (2, "name"), (3, "name")}
    assert result.report.tables["institutions"].rejected == 2
    _assert_arithmetic(result.report)


def test_unknown_column_is_a_warning_only(tmp_path, mini):
    write_table(mini, "institutions", [row + [extra] for row, extra in zip(MINI_INSTITUTIONS, ["Bemerkung", "a", "b", "c"])])
    result = load(mini)
    assert result.report.ok
    (warning,) = _problems(result, "warning")
    assert (warning.row, warning.column) == (1, "Bemerkung")


def test_empty_required_value_is_an_error(tmp_path):
    folder = tmp_path / "e"
    write_table(folder, "institutions", [["id", "name"], ["x", ""], ["", "Ohne Id"]])
    write_table(folder, "projects", [["id", "title"], ["P", "T"]])
    result = load(folder)
    assert [(e.row, e.column) for e in _problems(result, "error")] == [(2, "name"), (3, "id")]
    assert result.report.tables["institutions"].accepted == 0


def test_bad_enum_value_lists_the_allowed_ones(tmp_path, mini):
    write_table(mini, "participations", [["project", "institution", "role"], ["P1", "uni-a", "boss"]])
    result = load(mini)
    (warning,) = _problems(result, "warning")
    assert warning.value == "boss" and "lead" in warning.message and "partner" in warning.message
    assert result.report.tables["participations"].accepted == 1


def test_unknown_theme_is_added_with_a_warning(tmp_path, mini):
    write_table(mini, "projects", [["id", "title", "themes"], ["P1", "T", "Wasser;Tourismus"], ["P2", "U", "tourismus"]])
    result = load(mini)
    assert result.report.ok
    warnings = _problems(result, "warning")
    assert len(warnings) == 1 and warnings[0].value == "Tourismus"
    assert result.graph.neighbours("project:P1") >= {"theme:water", "theme:tourismus"}
    assert "theme:tourismus" in result.graph.neighbours("project:P2")


def test_every_rejected_row_is_named_in_problems(tmp_path, mini):
    write_table(mini, "participations", [["project", "institution", "role"], ["P1", "uni-a", "lead"], ["X", "uni-a", "?"], ["P2", "", "lead"]])
    result = load(mini)
    report = result.report
    _assert_arithmetic(report)
    rejected_rows = {e.row for e in report.errors if e.file.endswith("participations.csv")}
    assert len(rejected_rows) == report.tables["participations"].rejected == 2


def test_not_a_dataset_raises_load_error(tmp_path):
    with pytest.raises(LoadError, match="no such file"):
        load(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(LoadError, match="no table found"):
        load(tmp_path / "empty")
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    with pytest.raises(LoadError, match="unknown dataset format"):
        load(tmp_path / "x.pdf")


def test_missing_required_table_is_an_error(tmp_path):
    folder = tmp_path / "only-projects"
    write_table(folder, "projects", [["id", "title"], ["P", "T"]])
    result = load(folder)
    assert not result.report.ok
    assert any("institutions" in e.message for e in result.report.errors)


def test_numbers_and_booleans(tmp_path, mini):
    write_table(mini, "cofinancing", [["project", "land", "kind", "amount_eur"], ["P1", "Sachsen", "money", "140.000 €"], ["P2", "HE", "staff", "1.234,50"]])
    write_table(mini, "contacts", [["id", "name", "institution", "consent"], ["c1", "A", "uni-a", "ja"], ["c2", "B", "uni-a", "nein"], ["c3", "C", "uni-a", ""]])
    result = load(mini)
    assert result.report.ok
    amounts = sorted(d["amount_eur"] for _, _, d in result.graph.edges("cofinances"))
    assert amounts == [1234.5, 140000.0]
    g = result.graph
    assert [g.node(f"contact:{c}")["consent"] for c in ("c1", "c2", "c3")] == [True, False, False]
    assert any(w.column == "consent" and w.row == 4 for w in result.report.warnings)


def test_every_node_and_edge_has_provenance(sample_graph):
    for nid, data in sample_graph.nx.nodes(data=True):
        assert data.get("source") or data.get("illustrative") is True, nid
    for u, v, data in sample_graph.nx.edges(data=True):
        assert data.get("source") or data.get("illustrative") is True, (u, v)


def test_rows_without_source_get_file_and_row_as_provenance(mini):
    g = load(mini).graph
    src = next(d for u, v, d in g.edges("participates_in") if u == "institution:uni-a")["source"]
    assert src.endswith("participations.csv, row 2")


def test_xlsx_with_real_excel_cell_types(tmp_path):
    import datetime as dt

    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = " Institutions "
    ws.append([" ID ", "Name", "Land"])
    ws.append(["x", "Universität X", "NRW"])
    ws.append([None, None, None])
    ws2 = wb.create_sheet("projects")
    ws2.append(["id", "title", "start", "end", "countries"])
    ws2.append(["P", "Projekt", dt.datetime(2019, 10, 31), 2021, "Ruanda"])
    ws3 = wb.create_sheet("Notizen")  # not a table: a warning naming what was expected
    ws3.append(["irgendwas"])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    result = load(path)
    assert result.report.ok, result.report.to_text()
    node = result.graph.node("project:P")
    assert (node["start"], node["end"]) == ("2019-10-31", "2021")
    assert result.graph.node("institution:x")["land"] == "DE-NW"
    assert result.report.tables["institutions"].read == 1
    (unused,) = result.report.problems
    assert unused.level == "warning" and "Notizen" in unused.message and "Institutionen" in unused.message
