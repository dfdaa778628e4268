"""CLI (check/export) and the export formats, including round trips."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

import app
from tests.helpers import ROOT, write_table
from loaders import SAMPLE_PATH, load


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "app.py"), *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_check_sample_json_is_ok():
    proc = run_cli("check", "data/sample", "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["ok"] is True
    assert report["problems"] == []  # no errors and no warnings
    assert set(report) >= {"ok", "tables", "nodes", "edges", "problems"}
    for name, c in report["tables"].items():
        assert c["read"] == c["accepted"] + c["rejected"], name
    # 24 projects since the December 2026 additions (19 researched + BLP-20…24, BLP-06 split)
    assert report["nodes"]["land"] == 16 and report["nodes"]["project"] == 24


def test_check_exit_codes(tmp_path, mini, capsys):
    assert app.main(["check", str(mini)]) == 0
    capsys.readouterr()
    write_table(mini, "participations", [["project", "institution", "role"], ["P1", "nobody", "lead"]])
    assert app.main(["check", str(mini), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False
    (err,) = [p for p in out["problems"] if p["level"] == "error"]
    assert (err["row"], err["column"], err["value"]) == (2, "institution", "nobody")
    assert err["file"].endswith("participations.csv")
    assert app.main(["check", str(tmp_path / "missing")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_warnings_alone_do_not_fail(mini):
    write_table(mini, "projects", [["id", "title", "extra"], ["P1", "T", "x"], ["P2", "U", "y"]])
    assert app.main(["check", str(mini)]) == 0


def test_check_unreadable_and_unknown_format(tmp_path):
    (tmp_path / "data.json").write_text("{}")
    assert app.main(["check", str(tmp_path / "data.json")]) == 2
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    assert app.main(["check", str(broken)]) == 2


def test_csv_export_round_trip(sample, tmp_path):
    from graph.people.privacy import exportable_graph

    out = tmp_path / "csv"
    log = tmp_path / "audit.jsonl"
    assert app.main(["export", str(SAMPLE_PATH), "--format", "csv", "--out", str(out), "--audit-log", str(log)]) == 0
    again = load(out)
    assert again.report.ok, again.report.to_text()
    expected = exportable_graph(sample.graph)  # contacts without consent never leave
    assert again.graph.counts_by_kind() == expected.counts_by_kind()
    assert again.graph.edge_counts_by_kind() == expected.edge_counts_by_kind()
    for nid, data in expected.nx.nodes(data=True):
        other = again.graph.node(nid)
        assert other["label"] == data["label"]
        assert other.get("source") == data.get("source")


def test_export_withholds_contacts_without_consent_and_audits(sample, tmp_path):
    import csv as _csv
    import json as _json

    out, log = tmp_path / "csv", tmp_path / "audit.jsonl"
    assert app.main(["export", str(SAMPLE_PATH), "--format", "csv", "--out", str(out), "--audit-log", str(log)]) == 0
    with (out / "contacts.csv").open(encoding="utf-8") as fh:
        exported = list(_csv.DictReader(fh))
    consenting = [n for n in sample.graph.nodes("contact") if sample.graph.node(n)["consent"]]
    assert 0 < len(exported) == len(consenting) < sample.graph.counts_by_kind()["contact"]
    assert all(r["consent"] == "true" for r in exported)
    (entry,) = [_json.loads(line) for line in log.read_text().splitlines()]
    assert entry["rows"] == len(consenting) and entry["format"] == "csv"
    assert sorted(entry["contact_ids"]) == sorted(consenting) and entry["withheld"] == len(exported_not := [
        n for n in sample.graph.nodes("contact") if not sample.graph.node(n)["consent"]]) and exported_not
    out2, log2 = tmp_path / "none", tmp_path / "audit2.jsonl"
    assert app.main(["export", str(SAMPLE_PATH), "--format", "csv", "--out", str(out2), "--no-contacts", "--audit-log", str(log2)]) == 0
    assert not (out2 / "contacts.csv").exists()
    # every export is recorded, also one without personal data: the rule says why it holds none
    (entry2,) = [_json.loads(line) for line in log2.read_text().splitlines()]
    assert (entry2["rows"], entry2["contact_ids"], entry2["rule"], entry2["outcome"]) == (0, [], "none", "released")


@pytest.mark.parametrize("fmt,reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_graphml_and_gexf_read_back_with_same_counts(sample, tmp_path, fmt, reader):
    from graph.people.privacy import exportable_graph

    target = tmp_path / f"g.{fmt}"
    assert app.main(["export", str(SAMPLE_PATH), "--format", fmt, "--out", str(target), "--audit-log", str(tmp_path / "a.jsonl")]) == 0
    h = reader(target)
    g = exportable_graph(sample.graph).nx
    assert h.number_of_nodes() == g.number_of_nodes()
    assert h.number_of_edges() == g.number_of_edges()
    kinds = {}
    for _, data in h.nodes(data=True):
        kinds[data["kind"]] = kinds.get(data["kind"], 0) + 1
    assert kinds == {k: n for k, n in exportable_graph(sample.graph).counts_by_kind().items() if n}
    if fmt == "graphml":
        assert h.nodes["institution:tu-freiberg"]["sector"] == "science"
    # every GraphML/GEXF export carries the network metrics (issue 20), not only the Analysen download
    inst = h.nodes["institution:tu-freiberg"]
    assert {"metric_degree", "metric_betweenness", "metric_pagerank"} <= set(inst)
    assert float(inst["metric_pagerank"]) > 0


@pytest.mark.parametrize("fmt", ["csv", "graphml", "gexf"])
def test_cli_export_renders_into_a_file_and_never_holds_the_graph_in_memory(sample, tmp_path, monkeypatch, fmt):
    # the in-memory render is made to fail: the export is written to disk and moved (or unpacked) into place
    from loaders import egress

    def in_memory(*_args, **_kwargs):
        raise AssertionError("rendered in memory")

    monkeypatch.setattr(egress.GraphPayload, "render", in_memory)
    out = tmp_path / "out" / ("tables" if fmt == "csv" else f"g.{fmt}")
    assert app.main(["export", str(SAMPLE_PATH), "--format", fmt, "--out", str(out), "--audit-log", str(tmp_path / "a.jsonl")]) == 0
    if fmt == "csv":
        assert load(out).report.ok and (out / "institutions.csv").stat().st_size > 0
    else:
        assert out.stat().st_size > 0 and b"tu-freiberg" in out.read_bytes()
    # nothing of the rendering is left beside the target or in it
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [out.name]
    if fmt == "csv":
        assert not [p for p in out.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_daten_page_builder_adds_the_metrics(sample, fmt):
    from dashboard.pages.data import export_payload
    from loaders.egress import release

    content = release(export_payload(sample.graph, fmt), user="t", audit=None).content
    assert b"metric_pagerank" in content and b"metric_betweenness" in content


def test_export_rejects_not_a_dataset(tmp_path):
    assert app.main(["export", str(tmp_path / "nope"), "--format", "csv", "--out", str(tmp_path / "o")]) == 2


def test_console_script_equals_app_main():
    import tomllib
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert meta["project"]["scripts"]["partnernetz"] == "app:main"
    assert meta["project"]["name"] == "partnernetz"


def test_no_arguments_means_serve_on_loopback():
    args = app.build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.data) == ("127.0.0.1", 8050, None)
