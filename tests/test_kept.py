"""Kept builds (loaders/kept.py): a restart on the same files and code gets
the graph, the report and every page's indexes back from disk; anything
else (other files, other options, a broken file) loads from the files."""

from __future__ import annotations

import pytest

from dashboard.app import create_app, warm_up
from dashboard.context import CONFIG_KEY
from graph.explore.search import search
from loaders import kept, load
from loaders.synthetic import generate


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kept") / "syn"
    generate(folder, nodes=400, seed=4)
    return folder


def test_a_restart_gets_graph_report_and_page_indexes_back(dataset, tmp_path):
    result = load(dataset)
    app = create_app(result.graph, report=result.report)
    warm_up(app).join()
    ctx = app.server.config[CONFIG_KEY]
    built = ctx.kept_entries()
    assert ("@app", "contacts.index") in built and "explore.search_index" in built
    key = kept.dataset_key([dataset])
    assert kept.save(tmp_path, key, result.graph, report=result.report, entries=built)

    restored = kept.restore(tmp_path, key)
    assert restored is not None and len(restored.graph) == len(result.graph)
    assert restored.graph.nx.number_of_edges() == result.graph.nx.number_of_edges()
    assert restored.report.ok == result.report.ok
    again = create_app(restored.graph, report=restored.report)
    ctx2 = again.server.config[CONFIG_KEY]
    ctx2.seed(restored.entries)
    assert ctx2.cached_names() == ctx.cached_names()  # every page's values, under the new app's name
    calls = []
    ctx2_index = ctx2.cached("contacts.index", lambda: calls.append(1))
    assert calls == [] and len(ctx2_index.persons) == len(ctx.cached("contacts.index", lambda: None).persons)
    word = result.graph.node(sorted(result.graph.nodes("institution"))[0])["label"].split()[0]
    assert search(restored.graph, word) == search(result.graph, word)


def test_the_key_follows_content_and_options(dataset, tmp_path):
    copy = tmp_path / "copy"
    copy.mkdir()
    for f in dataset.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    assert kept.dataset_key([copy]) == kept.dataset_key([dataset])  # content, not place or date
    assert kept.dataset_key([dataset], no_contacts=True) != kept.dataset_key([dataset])
    (copy / "themes.csv").write_text((copy / "themes.csv").read_text() + "\n")
    assert kept.dataset_key([copy]) != kept.dataset_key([dataset])


def test_a_broken_or_foreign_file_is_dropped_not_fatal(tmp_path, capsys):
    (tmp_path / "k.kept").write_bytes(b"not a pickle")
    assert kept.restore(tmp_path, "k") is None
    assert not (tmp_path / "k.kept").exists()
    assert "ignoring the kept build" in capsys.readouterr().err


def test_only_the_newest_builds_stay_and_files_are_private(tmp_path):
    from graph.core.model import PartnerGraph

    folder = tmp_path / "kept"
    for n in range(kept.KEEP + 2):
        assert kept.save(folder, f"k{n}", PartnerGraph(), report=None, entries={"lock": __import__("threading").Lock()})
    left = sorted(p.name for p in folder.iterdir())
    assert len(left) == kept.KEEP
    assert kept.restore(folder, f"k{kept.KEEP + 1}").entries == {}  # the lock could not be kept: left out
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in folder.iterdir())


def test_keeping_can_be_turned_off():
    assert kept.kept_dir({"PARTNERNETZ_KEPT_DIR": "off"}) is None
    assert str(kept.kept_dir({"PARTNERNETZ_KEPT_DIR": "/x/y"})) == "/x/y"
