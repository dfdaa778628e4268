"""The loader's column-wise fast path (loaders/fastpath.py) skips the per-row
parser only for rows it gives no finding, with the values it would give.

Checked row by row on the sample with cells replaced by hostile, malformed and
borderline values, and end to end: a load with the fast path switched off
gives the same report and graph.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from loaders import SAMPLE_PATH
from loaders import tabular
from loaders.reading import read_dataset
from loaders.report import LoadReport
from loaders.schema import TABLE_ORDER, TABLES
from graph.core.model import PartnerGraph

ODD = ["", " ", "x", "nope", "2019-13-45", "ca. 2019", "Q3 2020", "2019 bis 2018", "-5", "1e300", "1.234,50 €",
       "ja", "Nein (widerrufen)", "??", "a" * 1500, "b" * 250, "DE-HE", "Hessen", "Atlantis", "TZA;Atlantis",
       "TZA;KEN", "Ruanda (Partnerland)", "not-an-email", "x@y.z", "lead", "Leitung", "true", "BLP-01", "hlft",
       "water;Wasser", "unknown-theme", ";", 2019, 1.0, True, dt.date(2020, 5, 1)]


def _fuzzed(seed: int):
    """The sample's raw tables with about one cell in ten replaced."""
    rnd = random.Random(seed)
    raw = read_dataset(SAMPLE_PATH)
    for table in raw.values():
        columns = TABLES[table.name].column_names
        for _, cells in table.rows:
            for column in columns:
                if rnd.random() < 0.1:
                    cells[column] = rnd.choice(ODD)
                elif rnd.random() < 0.02:
                    cells.pop(column, None)
    return raw


@pytest.mark.parametrize("seed", range(5))
def test_fast_rows_are_the_rows_the_general_parser_passes_unchanged(seed):
    raw = _fuzzed(seed)
    ctx = tabular._Context(PartnerGraph(), LoadReport(source="x"))
    fast_rows = checked = 0
    for name in TABLE_ORDER:
        if name not in raw:
            continue
        table = TABLES[name]
        fast = tabular.parse_columns(table, tabular._column_plan(table), raw[name].rows, parsers=tabular._PARSERS,
                                     accepted=ctx.ids, label_limit=tabular.MAX_LABEL_CHARS,
                                     long_text=tabular.LONG_TEXT_COLUMNS, id_limit=tabular.MAX_ID_CHARS)
        for index, (number, cells) in enumerate(raw[name].rows):
            before = len(ctx.report.problems)
            values = tabular._parse_row(ctx, table, name, number, cells)
            quick = fast.values(index)
            if quick is not None:
                fast_rows += 1
                assert ctx.report.problems[before:] == [], (name, number, cells)
                assert quick == values, (name, number, cells)
            checked += 1
        tabular._load_table(ctx, table, raw[name])  # the accepted keys the next tables refer to
    assert 0 < fast_rows < checked  # both paths were taken


@pytest.mark.parametrize("seed", range(3))
def test_a_load_without_the_fast_path_gives_the_same_report_and_graph(seed, monkeypatch):
    fast = tabular.build_graph(_fuzzed(seed), source="x", today=dt.date(2026, 1, 1))

    class Slow:
        def __init__(self, rows):
            self.rows = rows

        def __iter__(self):
            return iter([None] * len(self.rows))

    monkeypatch.setattr(tabular, "parse_columns", lambda table, plan, rows, **_: Slow(rows))
    slow = tabular.build_graph(_fuzzed(seed), source="x", today=dt.date(2026, 1, 1))
    assert fast.report.to_dict() == slow.report.to_dict()
    assert len(fast.report.problems) > 20
    assert dict(fast.graph.nx.nodes(data=True)) == dict(slow.graph.nx.nodes(data=True))
    assert list(fast.graph.nx.edges(keys=True, data=True)) == list(slow.graph.nx.edges(keys=True, data=True))
