"""The canonical CSV tables are written row by row (loaders/export.py
``write_csv_tables`` over ``graph.core.tables.table_rows``): the same files
as writing the materialised tables, for the sample and a synthetic network,
in a fraction of the memory the materialised tables take."""

from __future__ import annotations

import csv
import tracemalloc
from pathlib import Path

from graph.core.tables import graph_to_tables
from loaders import load
from loaders.export import write_csv_tables
from loaders.schema import TABLES
from loaders.spreadsheet import neutralise_canonical
from loaders.synthetic import generate


def _materialised(g, out: Path) -> list[Path]:
    """The plain way: every table as a list of dicts, empty columns left out."""
    out.mkdir()
    written = []
    for name, rows in graph_to_tables(g).items():
        columns = [c for c in TABLES[name].column_names if any(str(r.get(c, "")) != "" for r in rows)] \
            or list(TABLES[name].column_names)
        path = out / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows({k: neutralise_canonical(v) for k, v in r.items()} for r in rows)
        written.append(path)
    return written


def _same(g, tmp_path):
    streamed = write_csv_tables(g, tmp_path / "streamed")
    plain = _materialised(g, tmp_path / "plain")
    assert [p.name for p in streamed] == [p.name for p in plain]
    for a, b in zip(streamed, plain):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert sorted(p.name for p in (tmp_path / "streamed").iterdir()) == sorted(p.name for p in streamed)


def test_the_sample_is_the_same_files(sample_graph, tmp_path):
    _same(sample_graph, tmp_path)


def test_a_synthetic_network_is_the_same_files(tmp_path):
    generate(tmp_path / "data", nodes=1500, seed=4)
    _same(load(tmp_path / "data").graph, tmp_path)


def test_rows_are_not_held_while_writing(tmp_path):
    generate(tmp_path / "data", nodes=4000, seed=5)
    g = load(tmp_path / "data").graph
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        write_csv_tables(g, tmp_path / "streamed")
        streamed = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        tables = graph_to_tables(g)
        held = tracemalloc.get_traced_memory()[1] - base
        del tables
    finally:
        tracemalloc.stop()
    assert streamed * 10 < held, (streamed, held)


def test_a_view_without_some_nodes_writes_what_a_copy_without_them_writes(tmp_path):
    """A download may not carry some contacts: it writes a view of the graph
    without them (``PartnerGraph.without``), read through the plain rows and
    a node test — the same files as a real copy without those nodes."""
    generate(tmp_path / "data", nodes=1500, seed=12)
    g = load(tmp_path / "data").graph
    contacts = [n for n in g.nx if n.startswith("contact:")]
    hidden = set(contacts[::3]) | {next(n for n in g.nx if n.startswith("institution:"))}
    view = g.without(hidden).without({contacts[1]})  # a view of a view
    copy = g.fork()
    for nid in hidden | {contacts[1]}:
        copy.remove_node(nid)
    seen = write_csv_tables(view, tmp_path / "view")
    plain = write_csv_tables(copy, tmp_path / "copy")
    assert [p.name for p in seen] == [p.name for p in plain]
    for a, b in zip(seen, plain):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert contacts[1].split(":", 1)[1] not in (tmp_path / "view" / "contacts.csv").read_text()
