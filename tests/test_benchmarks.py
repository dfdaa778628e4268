"""The benchmark harness stays runnable (a tiny smoke size) and out of the
unit-test collection."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib

from tests.helpers import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import run  # noqa: E402


def test_benchmarks_are_not_collected_by_pytest():
    """Not by the configured test paths, and not when pytest walks the whole
    project either (``pytest .``): the walk below finds only benchmarks/ and
    data/ (the test folders are left out to keep it quick) and must collect
    nothing, although benchmarks/run.py holds doctests."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert not any(p.split("/")[0] == "benchmarks" for p in config["testpaths"])
    skip = [f"--ignore={d}" for d in ("tests", "graph", "dashboard", "loaders", "app.py")]
    walk = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *skip, "."],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert walk.returncode == 5, walk.stdout + walk.stderr  # 5: no tests collected
    assert "benchmarks/" not in walk.stdout
    assert ">>> " in (ROOT / "benchmarks" / "run.py").read_text()  # there would be something to collect


def test_statistics_and_sizes():
    assert run.summarise([5, 1, 3]) == {"n": 3, "median": 3, "p95": 5, "max": 5}
    assert run.summarise(list(range(1, 101)))["p95"] == 95
    assert [run.parse_size(s) for s in ("1k", "10k", "100k", "300")] == [1000, 10000, 100000, 300]
    assert run.size_name(100000) == "100k"


def test_smoke_run_in_process(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert run.main(["--sizes", "300", "--repeat", "3", "--no-http", "--data-dir", str(tmp_path),
                     "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "load+build" in printed and "300 nodes" in printed
    result = json.loads(out.read_text())["results"]["300"]
    assert result["graph"] == {"nodes": 300, "edges": result["graph"]["edges"], "ok": True}
    assert result["load_build"]["n"] == 5 and result["load_build"]["median"] > 0
    assert result["rss"] > 0
    # every operation is measured on this code (n/a is only for older commits lacking a module)
    for key in ("search", "filter", "ego1", "ego2", "path", "overview", "matchmaking", "contacts", "guestlist"):
        assert result[key] != run.NA and result[key]["n"] == 3 and result[key]["median"] > 0, key
    assert result["indexes"] != run.NA and set(result["index_parts_s"]) == {"search", "match", "contacts"}
    assert 0 < result["max_elements"] <= 1500


def test_dash_request_bodies_follow_the_dependency_list():
    class Fake(run.DashClient):
        def __init__(self):
            self.deps = [{"output": "..a.children...b.data..", "inputs": [{"id": "x", "property": "value"}],
                          "state": [{"id": "{\"role\":[\"MATCH\"],\"type\":\"q\"}", "property": "value"}]}]

    c = Fake()
    body = c.request(c.find("a.children"), {("x", "value"): 1, ('{"role": "r", "type": "q"}', "value"): "t",
                                            ("__wildcard__", ""): {"role": "r"}})
    assert body["outputs"] == [{"id": "a", "property": "children"}, {"id": "b", "property": "data"}]
    assert body["inputs"] == [{"id": "x", "property": "value", "value": 1}]
    assert body["state"] == [{"id": {"role": "r", "type": "q"}, "property": "value", "value": "t"}]
    assert body["changedPropIds"] == ["x.value"]


def test_views_ab_asks_both_servers_each_view_in_turn(tmp_path):
    # the interleaved comparison: every view goes to both sides back to back, who goes first alternating
    import bench_views_ab

    calls = []

    class Client:
        def __init__(self, name):
            self.name = name

        def page(self, path, search=""):
            calls.append((self.name, search))
            return 0.0, {}

    mine, theirs = bench_views_ab.interleaved((Client("now"), Client("rev")), ["?a", "?b", "?c"])
    assert calls == [("now", "?a"), ("rev", "?a"), ("rev", "?b"), ("now", "?b"), ("now", "?c"), ("rev", "?c")]
    assert len(mine) == len(theirs) == 3 and all(t >= 0 for t in mine + theirs)
    (tmp_path / "themes.csv").write_text("id,name\nwater,Wasser\nenergy,Energie\n", encoding="utf-8")
    (tmp_path / "institutions.csv").write_text("id,name,land\ni1,A,DE-HE\ni2,B,DE-BY\ni3,C,DE-HE\n", encoding="utf-8")
    hubs = bench_views_ab.hub_searches(tmp_path, 3)
    assert hubs["hub r=1"] == ["?focus=land%3ADE-BY", "?focus=theme%3Aenergy", "?focus=land%3ADE-HE"]
    assert all(s.endswith("&radius=2") for s in hubs["hub r=2"])
