"""The benchmark harness stays runnable (a tiny smoke size) and out of the
unit-test collection."""

from __future__ import annotations

import json
import sys
import tomllib

from tests.helpers import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import run  # noqa: E402


def test_benchmarks_are_not_collected_by_pytest():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "benchmarks" not in config["testpaths"]
    assert "--ignore=benchmarks" in config["addopts"]


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
    for key in ("search", "ego1", "path", "matchmaking", "contacts"):
        assert result[key] == run.NA or result[key]["n"] == 3, key
    assert result["max_elements"] == run.NA or result["max_elements"] <= 1500


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
