"""Run the bad-input corpus (``tests/corpus.py``): for every case the counts
per table, the problems reported (naming row, column and value), and the
invariants that hold for any input: ``read == accepted + rejected`` for every
table, every rejected row named by an error, no personal data of unconsented
contacts in the report, and every export valid for what was accepted."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from graph.core.errors import LoadError
from loaders import load
from loaders.export import write_csv_tables, write_gexf, write_graphml, write_xlsx_tables
from tests.corpus import CASES, Case


def test_the_corpus_is_large_enough():
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))
    assert len(CASES) >= 60
    kinds = {("xlsx" if "xlsx" in n else "IATI" if "IATI" in n else "csv") for n in names}
    assert kinds == {"csv", "xlsx", "IATI"}


def _matches(problem, level, row, column, text) -> bool:
    return (problem.level == level and (row is None or problem.row == row)
            and (column is None or problem.column == column)
            and (text in problem.message or text in (problem.value or "")))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(tmp_path, case: Case):
    path = case.build(tmp_path)
    if case.raises:
        with pytest.raises(LoadError, match=case.raises):
            load(path)
        return
    result = load(path)
    report = result.report
    for name, count in report.tables.items():
        assert count.read == count.accepted + count.rejected, name
    for name, want in case.counts.items():
        count = report.tables.get(name)
        got = (count.read, count.accepted, count.rejected) if count else None
        assert got == want, f"{name}: {got} != {want}\n{report.to_text()}"
    for level, row, column, text in case.problems:
        assert any(_matches(p, level, row, column, text) for p in report.problems), \
            f"no {level} at row {row}, column {column} with {text!r}:\n{report.to_text()}"
    if not any(level == "error" for level, *_ in case.problems):
        assert report.ok, report.to_text()
    for p in report.problems:
        assert p.file, p
    if not str(path).endswith(".xml"):  # tabular: every rejected row is named by an error
        rejected_rows = {(p.file, p.row) for p in report.errors if p.row and p.row > 1}
        assert len(rejected_rows) >= sum(c.rejected for c in report.tables.values()) - _shadowed(report)
    shown = report.to_text() + repr(report.to_dict())
    for secret in case.hidden:
        assert secret not in shown
    if case.check:
        case.check(result)
    _assert_exports_valid(result.graph, tmp_path / "out")


def _shadowed(report) -> int:
    return sum(int(p.message.split(" row(s) of ")[0].rsplit(" ", 1)[-1]) for p in report.errors
               if "row(s) of" in p.message)


def _assert_exports_valid(graph, out: Path) -> None:
    out.mkdir()
    for writer, name in ((write_graphml, "g.graphml"), (write_gexf, "g.gexf")):
        etree.parse(str(writer(graph, out / name)))  # well-formed XML
    for path in write_csv_tables(graph, out / "csv"):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.reader(fh):
                assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row
    xlsx = write_xlsx_tables(graph, out / "t.xlsx")
    with zipfile.ZipFile(xlsx) as zf:
        for member in zf.namelist():
            if member.endswith(".xml"):
                etree.fromstring(zf.read(member))


def test_nasty_values_load_and_round_trip_exactly_through_canonical_csv_and_xlsx(tmp_path):
    from graph.core.tables import graph_to_tables
    from tests.corpus import NASTY_VALUES, nasty_dataset

    first = load(nasty_dataset(tmp_path / "nasty"))
    assert first.report.ok, first.report.to_text()
    assert first.report.tables["institutions"].accepted >= len(NASTY_VALUES)
    labels = {first.graph.node(f"institution:nasty-{i}")["label"] for i in range(len(NASTY_VALUES))}
    assert '=HYPERLINK("http://example.invalid/x","klick")' in labels and {"=schon neutralisiert", "'@doppelt"} <= labels
    assert "Stadtwerke" in labels and not any("\x0b" in label or "\x00" in label for label in labels)
    tables = graph_to_tables(first.graph)
    write_csv_tables(first.graph, tmp_path / "csv")
    for path in (tmp_path / "csv").glob("*.csv"):  # neutralised on disk
        assert "\n=HYPERLINK" not in path.read_text(encoding="utf-8").replace(",=", "\n=")
    again = load(tmp_path / "csv")
    assert again.report.ok, again.report.to_text()
    assert graph_to_tables(again.graph) == tables
    write_xlsx_tables(first.graph, tmp_path / "t.xlsx")
    from_xlsx = load(tmp_path / "t.xlsx")
    # exact, but for the 200 KB cell, which Excel cannot hold: cut at 32,767 characters with a marker
    fits = lambda rows: [r for r in rows if r["id"] != "nasty-16"]  # noqa: E731  (the 200 KB value)
    assert fits(graph_to_tables(from_xlsx.graph)["institutions"]) == fits(tables["institutions"])
    assert len(fits(tables["institutions"])) == len(tables["institutions"]) - 1


def test_with_contacts_hidden_the_report_shows_no_contact_finding_whatever_the_tables_are_called(tmp_path):
    from app import _report_without_contacts
    from tests.corpus import csv_folder

    folder = csv_folder({"Ansprechpersonen.csv": "ID,Name,Institution,E-Mail,Einwilligung\nc1,Erika Geheim,u1,erika(at)x,ja\n",
                         "events.csv": "id,title\ne1,T\n", "Teilnahmen.csv": "Veranstaltung,Kontakt\ne1,c9\n"})(tmp_path)
    report = load(folder).report
    # the finding is there, pointing at the contact's id only (consented or not, no value of the row)
    assert any(p.column == "email" and p.value is None for p in report.problems)
    assert "erika" not in "\n".join(str(p) for p in report.problems).lower()
    hidden = _report_without_contacts(report)
    text = "\n".join(str(p) for p in hidden.problems)
    assert "erika" not in text.lower() and "c9" not in text
