"""The loader memoises parsing of recurring values (Länder, countries, dates,
theme names) for speed: it must not change what is reported or built."""

from __future__ import annotations

from loaders import load
from tests.helpers import write_table


def test_repeated_invalid_values_are_reported_on_every_row(tmp_path):
    folder = tmp_path / "d"
    write_table(folder, "institutions", [
        ["id", "name", "land", "source"],
        ["a", "A", "Atlantis", "https://example.org"],
        ["b", "B", "Atlantis", "https://example.org"],
        ["c", "C", "Hessen", "https://example.org"],
        ["d", "D", "hessen", "https://example.org"],
    ])
    write_table(folder, "projects", [
        ["id", "title", "countries", "start", "source"],
        ["P1", "Eins", "Narnia", "2019", "https://example.org"],
        ["P2", "Zwei", "Narnia", "2019", "https://example.org"],
        ["P3", "Drei", "RWA", "2019", "https://example.org"],
        ["P4", "Vier", "Ruanda", "2019", "https://example.org"],
    ])
    report = load(folder).report
    assert report.ok  # unknown optional Land/country: warnings, the rows load
    rows = sorted((p.file.rsplit("/", 1)[-1], p.row) for p in report.warnings if p.value in ("Atlantis", "Narnia"))
    assert rows == [("institutions.csv", 2), ("institutions.csv", 3), ("projects.csv", 2), ("projects.csv", 3)]
    g = load(folder).graph
    assert g.node("institution:c")["land"] == g.node("institution:d")["land"] == "DE-HE"
    assert g.neighbours("project:P3") == g.neighbours("project:P4") == {"country:RWA"}
