"""Laid-out views kept on disk (loaders/kept_layouts.py): read back by another
process, never across code versions, bounded, and a damaged file is a cache
miss, not an error."""

from __future__ import annotations

import multiprocessing

from dashboard import elements
from loaders.kept_layouts import KeptLayouts

NODES = ["land:DE-HE"] + [f"institution:i{i}" for i in range(30)]
EDGES = [(n, "land:DE-HE") for n in NODES[1:]]


def _lay_out(path: str, queue) -> None:
    elements.keep_layouts(KeptLayouts(path, salt=b"code"))
    elements._POSITIONS.clear()
    queue.put(elements.positions(NODES, EDGES, "cose"))


def test_another_process_reads_the_layout_instead_of_computing_it(tmp_path, monkeypatch):
    path = str(tmp_path / "layouts.sqlite")
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_lay_out, args=(path, queue))
    proc.start()
    first = queue.get(timeout=60)
    proc.join(timeout=60)
    store = KeptLayouts(path, salt=b"code")
    assert len(store) == 1
    elements.keep_layouts(store)
    try:
        elements._POSITIONS.clear()
        computed = []
        real = elements._positions
        monkeypatch.setattr(elements, "_positions", lambda *a: computed.append(1) or real(*a))
        assert elements.positions(NODES, EDGES, "cose") == first
        assert computed == []  # read, not laid out again
        elements._POSITIONS.clear()
        elements.keep_layouts(KeptLayouts(path, salt=b"other code"))
        assert elements.positions(NODES, EDGES, "cose") == first
        assert computed == [1]  # another code version lays out anew
    finally:
        elements.keep_layouts(None)
        elements._POSITIONS.clear()


def test_only_the_newest_layouts_stay(tmp_path):
    store = KeptLayouts(tmp_path / "layouts.sqlite", limit=3)
    for i in range(5):
        store.put(bytes([i]) * 20, ["a"], {"a": (float(i), 0.0)})
    assert store.trim() == 2 and len(store) == 3
    assert store.get(bytes([0]) * 20, ["a"]) is None and store.get(bytes([4]) * 20, ["a"]) == {"a": (4.0, 0.0)}
    assert store.get(bytes([4]) * 20, ["a", "b"]) is None  # another view's node list: not this layout


def test_a_damaged_file_is_started_again(tmp_path, capsys):
    path = tmp_path / "layouts.sqlite"
    path.write_bytes(b"not a database at all" * 100)
    store = KeptLayouts(path)
    assert store.get(b"k" * 20, ["a"]) is None
    store.put(b"k" * 20, ["a"], {"a": (1.0, 1.0)})
    assert store.get(b"k" * 20, ["a"]) == {"a": (1.0, 1.0)}
    assert (path.stat().st_mode & 0o777) == 0o600


def test_an_unwritable_place_is_a_miss_said_once(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    store = KeptLayouts(blocker / "sub" / "layouts.sqlite")
    assert store.get(b"k" * 20, ["a"]) is None
    store.put(b"k" * 20, ["a"], {"a": (1.0, 1.0)})
    assert capsys.readouterr().err.count("unusable") == 1
