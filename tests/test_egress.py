"""The egress gate (loaders/egress.py): what may leave under which contact
rule, the audit record written before the bytes are handed back, strict
payloads, and the started/outcome records of a transfer."""

from __future__ import annotations

import io
import zipfile

import networkx as nx
import pytest

from graph.core.model import PartnerGraph
from graph.people.privacy import PrivacyError, mask_unconsented
from loaders import egress
from loaders.audit import read_audit


def _graph() -> PartnerGraph:
    g = PartnerGraph(with_laender=False)
    inst = g.add_node("institution", "u1", label="Uni Eins", illustrative=True)
    for cid, name, email, consent in (("c1", "Erika Offen", "erika@example.org", True),
                                      ("c2", "Hanna Geheim", "hanna@example.org", False),
                                      ("c3", "Otto Ohne", "otto@example.org", None)):
        attrs = {"consent": consent} if consent is not None else {}
        node = g.add_node("contact", cid, label=name, email=email, role="Referent", illustrative=True, **attrs)
        g.add_edge(node, inst, "works_at", illustrative=True)
    return g


def test_decide_by_rule():
    contacts = {"contact:a": True, "contact:b": False}
    assert egress.decide(contacts, "masked").allowed == {"contact:a"}
    assert egress.decide(contacts, "all").allowed == set(contacts) and not egress.decide(contacts, "all").withheld
    assert egress.decide(contacts, "none").withheld == set(contacts)
    with pytest.raises(ValueError, match="unknown contact rule"):
        egress.decide(contacts, "everything")
    assert egress.rule_for(no_contacts=True, user_rule="all") == "none"


@pytest.mark.parametrize("rule,expected", [("masked", ["contact:c1"]), ("none", []),
                                           ("all", ["contact:c1", "contact:c2", "contact:c3"])])
@pytest.mark.parametrize("fmt", ["graphml", "gexf", "csv"])
def test_graph_release_holds_exactly_the_allowed_contacts_and_records_them(tmp_path, rule, expected, fmt):
    log = tmp_path / "audit.jsonl"
    out = egress.release(egress.GraphPayload(_graph(), fmt), user="anna", audit=log, rule=rule, dataset="t")
    if fmt == "csv":
        with zipfile.ZipFile(io.BytesIO(out.content)) as zf:
            text = "".join(zf.read(n).decode("utf-8") for n in zf.namelist())
    else:
        text = out.content.decode("utf-8")
    for cid, name, email in (("c1", "Erika Offen", "erika@example.org"), ("c2", "Hanna Geheim", "hanna@example.org"),
                             ("c3", "Otto Ohne", "otto@example.org")):
        inside = f"contact:{cid}" in expected
        assert (name in text) is inside and (email in text) is inside, (cid, rule)
    assert list(out.contact_ids) == expected and out.withheld == 3 - len(expected)
    [record] = read_audit(log)
    assert {k: record[k] for k in ("user", "action", "what", "format", "rule", "contact_ids", "rows", "outcome",
                                    "withheld", "dataset")} == {
        "user": "anna", "action": "export", "what": "graph download", "format": fmt, "rule": rule,
        "contact_ids": expected, "rows": len(expected), "outcome": "released", "withheld": 3 - len(expected),
        "dataset": "t"}
    assert record["time"].endswith("+00:00")
    assert "Erika" not in log.read_text()  # ids only


def test_the_record_is_written_before_the_bytes_are_handed_back():
    calls = []

    def failing_log(**fields):
        calls.append(fields)
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):  # no record, no bytes
        egress.release(egress.GraphPayload(_graph(), "graphml"), user="anna", audit=failing_log)
    assert calls and calls[0]["contact_ids"] == ["contact:c1"]


def test_a_callable_sink_gets_every_field():
    got = []
    egress.release(egress.GraphPayload(_graph(), "gexf"), user="u", audit=lambda **f: got.append(f) or f)
    assert got[0]["fmt"] == "gexf" and got[0]["rule"] == "masked" and got[0]["outcome"] == "released"


def test_metrics_export_equals_the_graph_export_plus_the_metrics(tmp_path):
    g = _graph()
    plain = egress.release(egress.GraphPayload(g, "graphml"), user="u", audit=None)
    metrics = {"metric_degree": {"institution:u1": 3, "contact:c2": 1}}
    extra = egress.release(egress.GraphPayload(g, "graphml", node_attrs=metrics, stem="partnernetz-analysen"),
                           user="u", audit=None)
    a, b = (nx.read_graphml(io.BytesIO(r.content)) for r in (plain, extra))
    assert set(a.nodes) == set(b.nodes) and set(a.edges) == set(b.edges) and "contact:c2" not in b
    plain_attrs = lambda attrs: {k: v for k, v in attrs.items() if not k.startswith("metric_")}  # noqa: E731
    for n in a.nodes:
        assert plain_attrs(b.nodes[n]) == plain_attrs(a.nodes[n])
    # every GraphML carries metrics (computed by the writer when none are given, issue 20)
    assert "metric_pagerank" in a.nodes["institution:u1"]
    assert b.nodes["institution:u1"]["metric_degree"] == 3 and extra.filename == "partnernetz-analysen.graphml"


def test_strict_payload_refuses_and_records_nothing(tmp_path):
    log = tmp_path / "audit.jsonl"
    picture = egress.StaticPayload(b"png", "x.png", "png", "network view image",
                                   named={"contact:c1": True, "contact:c2": False})
    with pytest.raises(PrivacyError, match="1 contact"):
        egress.release(picture, user="u", audit=log)
    with pytest.raises(PrivacyError):
        egress.release(picture, user="u", audit=log, rule="none")
    assert not log.exists()
    ok = egress.release(picture, user="u", audit=log, rule="all")
    assert ok.content == b"png" and read_audit(log)[0]["contact_ids"] == ["contact:c1", "contact:c2"]


def test_guest_list_with_a_masked_person_is_refused(tmp_path):
    from graph.people.contacts import build_contact_index

    g = _graph()
    mask_unconsented(g)
    index = build_contact_index(g)
    log = tmp_path / "audit.jsonl"
    out = egress.release(egress.ContactListPayload(index, ["contact:c1"], "csv"), user="u", audit=log)
    assert "Erika Offen" in out.content.decode("utf-8-sig") and read_audit(log)[0]["contact_ids"] == ["contact:c1"]
    for members in (["contact:c1", "contact:c2"], ["contact:nobody"]):
        with pytest.raises(PrivacyError):
            egress.release(egress.ContactListPayload(index, members, "vcf"), user="u", audit=log)
    assert len(read_audit(log)) == 1


@pytest.mark.parametrize("error,outcome", [(None, "completed"), (RuntimeError("connection lost"), "failed"),
                                           (KeyboardInterrupt(), "interrupted")])
def test_transfer_records_started_then_the_outcome(tmp_path, error, outcome):
    log = tmp_path / "audit.jsonl"
    payload = egress.GraphPayload(_graph(), "neo4j", what="neo4j push")
    written = []

    def push():
        with egress.transfer(payload, user="u", audit=log, rule="masked", target="bolt://db") as decision:
            written.append(payload.restricted(decision))
            if error is not None:
                raise error

    if error is None:
        push()
    else:
        with pytest.raises(type(error)):
            push()
    started, end = read_audit(log)
    assert (started["outcome"], end["outcome"]) == ("started", outcome)
    assert started["contact_ids"] == end["contact_ids"] == ["contact:c1"] and end["target"] == "bolt://db"
    assert ("connection lost" in end.get("error", "")) is (outcome == "failed")
    assert "contact:c2" not in written[0].nx


def test_write_released_unpacks_csv_and_writes_files_whole(tmp_path):
    out = egress.release(egress.GraphPayload(_graph(), "csv"), user="u", audit=None)
    paths = egress.write_released(out, tmp_path / "tables", unpack=True)
    assert {p.name for p in paths} >= {"contacts.csv", "institutions.csv"}
    assert "Hanna" not in (tmp_path / "tables" / "contacts.csv").read_text(encoding="utf-8")
    [file] = egress.write_released(out, tmp_path / "t.zip")
    assert file.read_bytes() == out.content and not list(tmp_path.glob(".*.tmp"))


def test_sigterm_during_a_transfer_is_recorded_as_interrupted(tmp_path):
    import os
    import signal

    log = tmp_path / "audit.jsonl"
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(SystemExit):
        with egress.transfer(egress.GraphPayload(_graph(), "neo4j", what="neo4j push"), user="u", audit=log):
            os.kill(os.getpid(), signal.SIGTERM)  # Python runs the handler right after this call
            pytest.fail("SIGTERM did not stop the transfer")
    assert [r["outcome"] for r in read_audit(log)] == ["started", "interrupted"]
    assert signal.getsignal(signal.SIGTERM) == before  # the handler is put back
