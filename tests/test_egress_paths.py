"""Every export path goes through the gate (loaders/egress.py).

The dashboard: every callback of the app with a ``dcc.Download`` among its
outputs is found by walking the pages' layouts and the callback map, and
each of its triggers is called through Dash's HTTP endpoint on the sample
(which has contacts without consent). The gate's one recording function is
spied on: a download callback that sends bytes without a gate record fails,
so does one without a scenario here (a new download must be added, and so
cannot be forgotten). The files are checked for personal data of contacts
without consent and against the records.

The CLI: every subcommand is either an egress (run here, through the gate)
or listed with the reason it is none; a new subcommand in neither list fails.
"""

from __future__ import annotations

import argparse
import base64
import html
import importlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from dash import dcc

import app as cli
from dashboard.viewstate import ANALYTICS_TABS
from dashboard.app import PAGE_MODULES, create_app
from dashboard.settings import Settings
from graph.people.contacts import build_contact_index
from graph.people.privacy import mask_unconsented
from loaders import SAMPLE_PATH, egress, load
from loaders.audit import read_audit
from loaders.workspace import load_workspace
from loaders.workspace.location import create_workspace
from tests.helpers import downloaded_file


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def raw():
    """The sample as loaded, before masking: the secrets of contacts without consent."""
    return load(SAMPLE_PATH).graph


@pytest.fixture(scope="module")
def secrets(raw) -> dict[str, list[str]]:
    """Contact id -> its name and e-mail, for every contact without consent."""
    out = {}
    for n in raw.nodes("contact"):
        a = raw.node(n)
        if a.get("consent") is not True:
            out[n] = [v for v in (a.get("label"), a.get("email")) if v]
    assert len(out) >= 5
    return out


@pytest.fixture
def served(tmp_path):
    """The app on a workspace of the sample, served as ``serve`` does (contacts masked)."""
    ws = create_workspace(tmp_path / "ws.sqlite", sample=True, user="test")
    _, result = load_workspace(ws)
    mask_unconsented(result.graph)
    log = tmp_path / "audit.jsonl"
    application = create_app(result.graph, Settings(is_sample=False, workspace=str(ws.path), audit_log=str(log)),
                             report=result.report)
    return application, result.graph, log


@pytest.fixture
def gate_calls(monkeypatch):
    """Every record the gate writes (the spy calls the real one)."""
    calls: list[dict[str, Any]] = []
    real = egress._record

    def spy(audit, **fields):
        calls.append(fields)
        return real(audit, **fields)

    monkeypatch.setattr(egress, "_record", spy)
    return calls


# ------------------------------------------------------------ the dashboard
def _walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if hasattr(child, "to_plotly_json"):
            yield from _walk(child)


def download_ids(application) -> set[str]:
    """The ids of every download target on every page (the store a download
    callback writes, beside its ``dcc.Download`` ``<id>-file``: see
    dashboard/download_links.py): those the layouts render, and those the
    sources declare (a page may render its download only for some roles,
    e.g. the admins' Protokoll)."""
    import re

    found = set()
    with application.server.test_request_context("/"):
        for name in PAGE_MODULES:
            layout = importlib.import_module(name).layout(lang="de")
            downloads = [c.id for c in _walk(layout) if isinstance(c, dcc.Download)]
            assert all(i.endswith("-file") for i in downloads), f"{name}: a dcc.Download not made by downloads.target"
            found |= {i.removesuffix("-file") for i in downloads}
    root = Path(__file__).resolve().parent.parent
    declared = re.compile(r"downloads\.target\(\s*([A-Za-z_][\w.]*|[\"'][^\"']+[\"'])")
    for path in root.glob("dashboard/**/*.py"):
        module = importlib.import_module(path.relative_to(root).with_suffix("").as_posix().replace("/", "."))
        for expr in declared.findall(path.read_text(encoding="utf-8")):
            found.add(eval(expr, vars(module)))  # noqa: S307 - an id expression of our own source
    return found


def _outputs(key: str) -> list[dict[str, str]]:
    """The outputs named by a callback-map key (none for a callback without output)."""
    return [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1].split("@")[0]}
            for o in key.strip(".").split("...") if "." in o]


def download_callbacks(application) -> dict[str, dict]:
    ids = download_ids(application)
    return {key: entry for key, entry in application.callback_map.items()
            if any(o["id"] in ids for o in _outputs(key))}


def _png() -> str:
    return "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 32).decode()


def _people(graph):
    index = build_contact_index(graph)
    consented = sorted(p for p, person in index.persons.items() if not person.masked)
    masked = sorted(p for p, person in index.persons.items() if person.masked)
    return consented, masked


def scenarios(graph) -> dict[tuple[str, str], dict[str, Any]]:
    """(download id, trigger) -> values of the callback's inputs and states,
    the record the gate must write (``what`` prefix, format), and whether
    contacts must be in the file."""
    consented, masked = _people(graph)
    named = next(p for p in consented if p.startswith("contact:"))
    inst = next(v for v, _ in graph.out_edges(named, "works_at"))
    base = {"url.search": "?lang=de", "network-state.data": {"focus": inst, "lang": "de"},
            "contacts-list-store.data": consented[:3], "contacts-separator.value": ";",
            "data-ws-versions.selectedRows": [{"id": 1}],
            "matchmaking-target.value": "project:BLP-08", "matchmaking-what.value": "institution",
            "matchmaking-top.value": 5, "matchmaking-diversity.value": ["on"],
            **{f"matchmaking-weight-{f}.value": 1 for f in ("theme", "country", "land", "network", "sector", "recency")},
            "analytics-lc-measure.value": "projects", "analytics-sankey-measure.value": "count",
            "analytics-period-a.value": "pilot", "analytics-period-b.value": "II"}
    image = {**base, "network-export-image.data": {"fmt": "png", "data": _png()},
             "network-state.data": {"focus": named, "lang": "de"}}
    return {
        ("data-download", "data-btn-csv"): dict(values=base, what="graph download", fmt="csv", contacts=True),
        ("data-download", "data-btn-graphml"): dict(values=base, what="graph download", fmt="graphml", contacts=True),
        ("data-download", "data-btn-gexf"): dict(values=base, what="graph download", fmt="gexf", contacts=True),
        ("analytics-export", "analytics-btn-graphml"): dict(values=base, what="analytics graph download", fmt="graphml",
                                                            contacts=True),
        ("analytics-export", "analytics-btn-gexf"): dict(values=base, what="analytics graph download", fmt="gexf",
                                                         contacts=True),
        ("analytics-download", "analytics-csv"): dict(values=base, what="analytics chart brokers", fmt="csv",
                                                      contacts=False, chart="brokers"),
        ("contacts-download", "contacts-dl-xlsx"): dict(values=base, what="guest list", fmt="xlsx", contacts=True),
        ("contacts-download", "contacts-dl-csv"): dict(values=base, what="guest list", fmt="csv", contacts=True),
        ("contacts-download", "contacts-dl-vcf"): dict(values=base, what="guest list", fmt="vcf", contacts=True),
        ("matchmaking-download", "matchmaking-btn-csv"): dict(values=base, what="matchmaking shortlist", fmt="csv",
                                                              contacts=False),
        ("matchmaking-download", "matchmaking-btn-xlsx"): dict(values=base, what="matchmaking shortlist", fmt="xlsx",
                                                               contacts=False),
        ("network-download", "network-export-nodes"): dict(values=base, what="network view nodes", fmt="csv",
                                                           contacts=True),
        ("network-download", "network-export-edges"): dict(values=base, what="network view edges", fmt="csv",
                                                           contacts=True),
        ("network-download", "network-export-image"): dict(values=image, what="network view image", fmt="png",
                                                           contacts=True),
        # the SVG: the browser sends its node positions, the server draws the view
        ("network-download", "network-export-image+svg"): dict(
            values={**image, "network-export-image.data": {"fmt": "svg", "positions": {named: [10.0, 20.0]}}},
            what="network view image", fmt="svg", contacts=True),
        ("contacts-consent-download", "contacts-consent-csv"): dict(values={**base, "contacts-consent-days.value": 30},
                                                                    what="consent due list", fmt="csv", contacts=False),
        ("data-ws-download", "data-ws-dl-xlsx"): dict(values=base, what="workspace version 1", fmt="xlsx", contacts=True),
        ("data-ws-download", "data-ws-dl-csv"): dict(values=base, what="workspace version 1", fmt="csv", contacts=True),
        # the full backup: a tick box (a state) with either button; "+full" marks the variant of a trigger
        ("data-ws-download", "data-ws-dl-xlsx+full"): dict(values={**base, "data-ws-full.value": ["full"]},
                                                           what="workspace version 1 full backup", fmt="xlsx",
                                                           contacts=True, full=True),
        ("data-ws-download", "data-ws-dl-csv+full"): dict(values={**base, "data-ws-full.value": ["full"]},
                                                          what="workspace version 1 full backup", fmt="csv",
                                                          contacts=True, full=True),
        ("audit-download", "audit-export"): dict(values=base, what="audit log export", fmt="csv", contacts=False),
        ("data-changes-download", "data-changes-csv"): dict(values={**base, "data-changes-version.value": 1},
                                                            what="changes since", fmt="csv", contacts=False),
        ("data-changes-download", "data-changes-xlsx"): dict(values={**base, "data-changes-version.value": 1},
                                                             what="changes since", fmt="xlsx", contacts=False),
    }


def _post(client, key: str, entry: dict, trigger: dict, values: dict[str, Any], chart: str | None = None):
    def value(d):
        if isinstance(d["id"], str) and d["id"].startswith("{"):  # the chart CSV buttons (ALL)
            return [{"id": {"type": "analytics-csv", "chart": chart}, "property": "n_clicks", "value": 1}]
        if d is trigger and d["property"] == "n_clicks":
            return 1
        return values.get(f"{d['id']}.{d['property']}")

    outputs = _outputs(key)
    changed = (json.dumps({"chart": chart, "type": "analytics-csv"}, separators=(",", ":"))
               if trigger["id"].startswith("{") else trigger["id"])
    payload = {"output": key, "outputs": outputs if key.startswith("..") else outputs[0],
               "inputs": [{**d, "value": value(d)} if not d["id"].startswith("{") else value(d) for d in entry["inputs"]],
               "state": [{**d, "value": value(d)} for d in entry["state"]],
               "changedPropIds": [f"{changed}.{trigger['property']}"]}
    return client.post("/_dash-update-component", json=payload)


def _text_of(content: bytes) -> str:
    if content[:2] == b"PK":  # zip, xlsx
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            # xlsx writes non-ASCII letters as XML character references
            return "\n".join(html.unescape(zf.read(n).decode("utf-8", "replace")) for n in zf.namelist())
    return content.decode("utf-8", "replace")


def test_no_view_downloads_its_picture_in_the_browser_alone(served):
    """A cytoscape ``generateImage`` download is written by the browser and
    never reaches the server (no gate, no record): none may exist."""
    application, _, _ = served
    for key in application.callback_map:
        assert not any(o["property"] == "generateImage" for o in _outputs(key)), key


@pytest.mark.parametrize("inline_kb", ["256", "0"], ids=["inline", "as-links"])
def test_every_download_callback_goes_through_the_gate(served, secrets, gate_calls, monkeypatch, inline_kb):
    """Every download passes the gate, whether it travels inside the callback
    answer or (over the inline limit; here: every file) as a one-time link."""
    monkeypatch.setenv("PARTNERNETZ_INLINE_DOWNLOAD_KB", inline_kb)
    application, graph, log = served
    client = application.server.test_client()
    client.get("/")
    callbacks = download_callbacks(application)
    assert len(callbacks) >= 7  # data, analytics ×2, contacts, matchmaking, network ×2, workspace
    table = scenarios(graph)
    consented, masked = _people(graph)
    seen = set()
    for key, entry in callbacks.items():
        assert "callback" in entry, f"{key}: a client-side download bypasses the gate"
        download = next(o["id"] for o in _outputs(key) if o["id"] in download_ids(application))
        for trigger in entry["inputs"]:
            trigger_name = "analytics-csv" if trigger["id"].startswith("{") else trigger["id"]
            variants = [trigger_name] + [n for d, n in table if d == download and n.startswith(trigger_name + "+")]
            for name in variants:
                scenario = table.get((download, name))
                assert scenario is not None, (f"download callback {key} (trigger {name}) has no scenario in this test: "
                                              "route it through dashboard.downloads and add it here")
                seen.add((download, name))
                before = len(gate_calls)
                resp = _post(client, key, entry, trigger, scenario["values"], scenario.get("chart"))
                assert resp.status_code == 200, (key, name, resp.get_data(as_text=True)[-1500:])
                content, filename = downloaded_file(resp.get_json(), client)
                assert len(gate_calls) == before + 1, f"{key} ({name}) sent {filename} without the gate"
                call = gate_calls[-1]
                assert call["what"].startswith(scenario["what"]) and call["fmt"] == scenario["fmt"], call
                text = _text_of(content)
                if scenario.get("full"):  # the full backup holds every contact, and records every one
                    assert set(secrets) <= set(call["contact_ids"]) and call["rule"] == "all"
                    continue
                assert call["rule"] == "masked" and not set(call["contact_ids"]) & set(secrets), call
                for cid, values in secrets.items():
                    for v in values:
                        assert v not in text, (filename, cid)
                assert bool(call["contact_ids"]) is scenario["contacts"], (filename, call)
                if scenario["fmt"] != "png":
                    # what is recorded is what is in the file (by id, or by name in a guest list)
                    for c in call["contact_ids"]:
                        assert c.split(":", 1)[1] in text or graph.label(c) in text, (filename, c)
    assert seen == set(table), f"scenarios for downloads that do not exist: {set(table) - seen}"
    records = read_audit(log)
    assert len(records) == len(gate_calls) and all(r["outcome"] == "released" for r in records)


def test_with_no_contacts_no_download_holds_a_contact(tmp_path, raw, gate_calls):
    """``--no-contacts`` is enforced by the gate too: even if contacts reached
    the served graph, no download holds one (the guest list is refused)."""
    ws = create_workspace(tmp_path / "ws.sqlite", sample=True, user="test")
    _, result = load_workspace(ws)
    mask_unconsented(result.graph)
    application = create_app(result.graph, Settings(is_sample=False, workspace=str(ws.path), no_contacts=True,
                                                    audit_log=str(tmp_path / "audit.jsonl")), report=result.report)
    client = application.server.test_client()
    client.get("/")
    names = [raw.node(n)["label"] for n in raw.nodes("contact")]
    emails = [raw.node(n)["email"] for n in raw.nodes("contact") if raw.node(n).get("email")]
    table = scenarios(result.graph)
    sent = 0
    for key, entry in download_callbacks(application).items():
        download = next(o["id"] for o in _outputs(key) if o["id"] in download_ids(application))
        for trigger in entry["inputs"]:
            name = "analytics-csv" if trigger["id"].startswith("{") else trigger["id"]
            scenario = table[(download, name)]
            resp = _post(client, key, entry, trigger, scenario["values"], scenario.get("chart"))
            assert resp.status_code == 200, (key, name, resp.get_data(as_text=True)[-1500:])
            body = resp.get_json()
            if download == "contacts-download":
                # a list of persons: refused, with a notice
                assert "filename" not in json.dumps(body) and "Nicht exportiert" in json.dumps(body, ensure_ascii=False)
                continue
            if name == "network-export-image" and "filename" not in json.dumps(body):
                # a picture showing a person by name is refused; with the store's contact-free view
                # (the rule is applied at the store seam) the view shows none and the picture leaves
                assert "Nicht exportiert" in json.dumps(body, ensure_ascii=False)
                continue
            content, filename = downloaded_file(body, client)
            text = _text_of(content)
            assert gate_calls[-1]["rule"] == "none" and list(gate_calls[-1]["contact_ids"]) == [], filename
            assert not any(v in text for v in names + emails), filename
            assert "contact:" not in text or filename.endswith(".png"), filename
            sent += 1
    assert sent >= 12


def test_the_network_csv_has_no_masked_contact_row(served, secrets, gate_calls):
    application, graph, _ = served
    client = application.server.test_client()
    client.get("/")
    hidden = next(iter(secrets))
    inst = next(v for v, _ in graph.out_edges(hidden, "works_at"))
    key, entry = next((k, e) for k, e in download_callbacks(application).items()
                      if e["inputs"][0]["id"] == "network-export-nodes")
    for trigger in entry["inputs"]:
        resp = _post(client, key, entry, trigger, {"network-state.data": {"focus": inst, "lang": "de"}})
        text = _text_of(downloaded_file(resp.get_json(), client)[0])
        assert hidden not in text and hidden not in gate_calls[-1]["contact_ids"]


def test_a_guest_list_naming_a_masked_person_is_refused_with_a_message(served, gate_calls):
    application, graph, log = served
    client = application.server.test_client()
    client.get("/")
    consented, masked = _people(graph)
    key, entry = next((k, e) for k, e in download_callbacks(application).items()
                      if e["inputs"][0]["id"] == "contacts-dl-csv" or e["inputs"][0]["id"] == "contacts-dl-xlsx")
    trigger = entry["inputs"][1]
    for members in ([consented[0], masked[0]], ["contact:does-not-exist"]):
        resp = _post(client, key, entry, trigger, {"contacts-list-store.data": members, "url.search": "?lang=en"})
        assert resp.status_code == 200, resp.get_data(as_text=True)[-1500:]
        body = json.dumps(resp.get_json(), ensure_ascii=False)
        assert "Not exported: 1 person(s)" in body and "filename" not in body
    assert gate_calls == [] and not log.exists()


# ------------------------------------------------------------------ the CLI
#: Subcommands that write or push data: each runs through the gate below.
EGRESS_COMMANDS = {"export", "neo4j push", "neo4j pull", "workspace export"}
#: Subcommands that do not let data leave, and why.
NOT_EGRESS = {
    "serve": "serves the dashboard; its downloads are checked above",
    "check": "prints the load report (redacted: no contact field beyond the id)",
    "match": "prints a ranking of institutions and Länder (no contacts)",
    "generate": "writes a synthetic dataset (invented, no real data leaves)",
    "hash-password": "prints a password hash",
    "workspace init": "creates a workspace (data comes in)",
    "workspace import": "imports a dataset (data comes in)",
    "workspace versions": "lists versions (counts only)",
    "workspace diff": "prints row changes between versions to the operator of the workspace file",
    "workspace revert": "makes an old version current (data stays)",
    "user add": "creates an account (staff names only, no contact data)",
    "user passwd": "sets a password",
    "user role": "changes a role",
    "user disable": "disables an account",
    "user enable": "enables an account",
    "user list": "lists accounts (staff names and roles, no contact data)",
    "user token": "prints a new API token to its owner",
}


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> set[str]:
    names = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                full = f"{prefix}{name}"
                inner = _commands(sub, full + " ")
                names |= inner or {full}
    return names


def test_every_cli_command_is_known_as_egress_or_not():
    commands = _commands(cli.build_parser())
    unknown = commands - EGRESS_COMMANDS - set(NOT_EGRESS)
    assert not unknown, f"new subcommand(s) {unknown}: route their output through loaders.egress and list them here"
    assert EGRESS_COMMANDS <= commands


class FakeStore:
    """Stands in for the Neo4j store: records what a push would write."""

    uri = "bolt://fake:7687"

    def __init__(self, fail: BaseException | None = None, pulled=None):
        self.fail, self.pulled, self.pushed = fail, pulled, None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def ping(self):
        return None

    def push_status(self):
        return None  # no earlier push

    def push(self, graph, progress=None):
        self.pushed = graph
        if self.fail is not None:
            raise self.fail
        from types import SimpleNamespace
        return SimpleNamespace(nodes=len(graph.nx), edges=graph.nx.number_of_edges(), seconds=0.1, rows_per_second=1,
                               deleted_nodes=0, deleted_edges=0, index="id")

    def pull(self, progress=None):
        from types import SimpleNamespace
        return SimpleNamespace(graph=self.pulled, problems=[], nodes=len(self.pulled.nx),
                               edges=self.pulled.nx.number_of_edges(), seconds=0.1, rows_per_second=1)


def test_every_cli_egress_goes_through_the_gate(tmp_path, monkeypatch, gate_calls, raw, secrets):
    log = str(tmp_path / "audit.jsonl")
    runs = {
        "export": ["export", str(SAMPLE_PATH), "--format", "graphml", "--out", str(tmp_path / "g.graphml")],
        "neo4j push": ["neo4j", "push", str(SAMPLE_PATH), "--no-progress"],
        "neo4j pull": ["neo4j", "pull", "--out", str(tmp_path / "pulled"), "--no-progress"],
        "workspace export": ["workspace", "export", "--format", "csv", "--out", str(tmp_path / "v.zip"),
                             "--workspace", str(create_workspace(tmp_path / "ws.sqlite", sample=True).path)],
    }
    assert set(runs) == EGRESS_COMMANDS
    store = FakeStore(pulled=raw)
    monkeypatch.setattr(cli, "_open_store", lambda args, **kw: store)
    for name, argv in runs.items():
        before = len(gate_calls)
        assert cli.main([*argv, "--audit-log", log]) == 0, name
        assert len(gate_calls) > before, f"{name} wrote without the gate"
    outcomes = [(c["what"].split(" ")[0], c["outcome"]) for c in gate_calls]
    assert outcomes == [("cli", "released"), ("neo4j", "started"), ("neo4j", "completed"),
                        ("neo4j", "started"), ("neo4j", "completed"), ("workspace", "released")]
    text = (tmp_path / "g.graphml").read_text(encoding="utf-8")
    assert not any(v in text for values in secrets.values() for v in values)
    # push and pull copy the owner's own store: every contact, each recorded
    assert set(secrets) <= set(gate_calls[1]["contact_ids"]) and set(secrets) <= set(store.pushed.nodes("contact"))
    assert read_audit(log)[-1]["contact_ids"] == list(gate_calls[-1]["contact_ids"])


@pytest.mark.parametrize("error,outcome,code", [(None, "completed", 0), ("store", "failed", cli.EXIT_STORE),
                                                ("interrupt", "interrupted", None)])
def test_a_push_is_recorded_before_it_starts_and_its_outcome_after(tmp_path, monkeypatch, error, outcome, code):
    from graph.core.errors import StoreError

    fail = {"store": StoreError("connection lost after 3 batches"), "interrupt": KeyboardInterrupt()}.get(error)
    store = FakeStore(fail=fail)
    monkeypatch.setattr(cli, "_open_store", lambda args, **kw: store)
    log = tmp_path / "audit.jsonl"
    argv = ["neo4j", "push", str(SAMPLE_PATH), "--no-progress", "--audit-log", str(log)]
    if error == "interrupt":
        with pytest.raises(KeyboardInterrupt):
            cli.main(argv)
    else:
        assert cli.main(argv) == code
    started, end = read_audit(log)
    assert (started["outcome"], end["outcome"]) == ("started", outcome)
    assert started["rows"] == end["rows"] == 46 and started["target"] == FakeStore.uri
    assert store.pushed is not None  # the push had begun when it failed


def test_no_chart_shows_a_person_so_plotly_s_camera_exports_none(served, raw):
    """Plotly's camera button saves a chart as PNG in the browser, past the
    gate. That is safe only while no chart shows a person: every chart of
    every page is checked for contact names and ids. A chart that one day
    shows persons must drop the camera (``modeBarButtonsToRemove``) and
    offer an audited picture instead — this test then fails until it does."""
    application, _, _ = served
    names = [raw.node(n)["label"] for n in raw.nodes("contact")]
    charts = 0
    with application.server.test_request_context("/"):
        for name in PAGE_MODULES:
            # the Analysen page shows its charts on tabs (issue 20): every tab is a layout of its own
            queries = [{"tab": tab} for tab in ANALYTICS_TABS] if name.endswith(".analytics") else [{}]
            for lang, query in ((lang, query) for lang in ("de", "en") for query in queries):
                for component in _walk(importlib.import_module(name).layout(lang=lang, **query)):
                    if not isinstance(component, dcc.Graph):
                        continue
                    config = getattr(component, "config", None) or {}
                    if "toImage" in config.get("modeBarButtonsToRemove", ()) or config.get("displayModeBar") is False:
                        continue
                    charts += 1
                    figure = component.figure
                    figure = figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else figure
                    figure = json.dumps(figure, ensure_ascii=False, default=str)
                    assert "contact:" not in figure, component.id
                    assert not [n for n in names if n in figure], component.id
    assert charts >= 10


def test_only_the_gate_writes_audit_records_and_only_downloads_py_sends_bytes():
    """A static guard beside the calls above: no module builds a download or
    writes an export record itself."""
    import re

    root = Path(__file__).resolve().parent.parent
    # dcc.send_*, flask.send_file, or a Download's dict ({"content": …, "filename": …})
    sends = re.compile(r"\bsend_(bytes|string|file|data_frame)\s*\(|dict\(content=|"
                       r"[\"']content[\"']\s*:[^\n]*[\"']filename[\"']")
    for path in [*root.glob("dashboard/**/*.py"), *root.glob("loaders/**/*.py"), root / "app.py"]:
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(root).as_posix()
        # download_links.py serves the bytes downloads.py released and parked
        if rel not in ("dashboard/downloads.py", "dashboard/download_links.py", "dashboard/api/openapi.py"):  # the OpenAPI schema's "content" keys
            assert not sends.search(text), f"{rel} builds a download itself: use dashboard.downloads.send"
        if rel not in ("loaders/egress.py", "loaders/audit.py"):
            assert "audit_export(" not in text, f"{rel} writes an export record itself: use loaders.egress"


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_analysen_graph_download_is_the_daten_download_with_the_metrics(served, secrets, fmt):
    import networkx as nx

    application, _, log = served
    client = application.server.test_client()
    client.get("/")
    files = {}
    for download, button in (("data-download", f"data-btn-{fmt}"), ("analytics-export", f"analytics-btn-{fmt}")):
        key, entry = next((k, e) for k, e in download_callbacks(application).items() if k.startswith(download))
        trigger = next(d for d in entry["inputs"] if d["id"] == button)
        content, _ = downloaded_file(_post(client, key, entry, trigger, {"url.search": "?lang=de"}).get_json(), client)
        files[download] = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(io.BytesIO(content))
    daten, analysen = files["data-download"], files["analytics-export"]
    assert set(daten.nodes) == set(analysen.nodes) and not set(secrets) & set(daten.nodes)
    assert sorted(daten.edges) == sorted(analysen.edges)
    for n in daten.nodes:  # the same graph and attributes; the metrics travel in both
        assert analysen.nodes[n] == daten.nodes[n], n
    assert sum(1 for n in analysen.nodes if "metric_pagerank" in analysen.nodes[n]) > 10
    whats = [r["what"] for r in read_audit(log)]
    assert whats == ["graph download", "analytics graph download"]
