"""The message catalogue: every key the dashboard uses is in it, in German
and English; every page and every callback renders in both languages with
:func:`dashboard.i18n.t` in strict mode (a missing key raises) and shows no
key instead of a text."""

from __future__ import annotations

import ast
import importlib
import json
import logging
import re
from pathlib import Path

import pytest

from dashboard import i18n
from dashboard.app import PAGE_MODULES, create_app
from dashboard.domain_labels import DOMAIN_GROUPS, domain_key, domain_keys, domain_label
from dashboard.messages import MESSAGES
from dashboard.settings import Settings

DASHBOARD = Path(i18n.__file__).resolve().parent
#: First parts of the catalogue's keys (and of the domain keys).
PREFIXES = sorted({k.split(".")[0] for k in MESSAGES} | {k.split(".")[0] for k in domain_keys()})
KEY_LIKE = re.compile(rf"^(?:{'|'.join(PREFIXES)})\.[A-Za-z0-9_.{{}}-]+$")


@pytest.fixture(autouse=True)
def strict_messages(monkeypatch):
    monkeypatch.setenv("PARTNERNETZ_STRICT_MESSAGES", "1")


# ------------------------------------------------------------------ the catalogue itself
def test_every_entry_has_a_german_and_an_english_text_with_the_same_placeholders():
    fields = re.compile(r"{(\w*)}")
    for key, (de, en) in MESSAGES.items():
        assert de.strip() and en.strip(), key
        assert sorted(fields.findall(de)) == sorted(fields.findall(en)), key


def test_missing_key_raises_in_strict_mode_and_is_logged_otherwise(monkeypatch, caplog):
    with pytest.raises(i18n.MissingMessage):
        i18n.t("network.no_such_key", "en")
    monkeypatch.setenv("PARTNERNETZ_STRICT_MESSAGES", "0")
    with caplog.at_level(logging.ERROR, logger="partnernetz.i18n"):
        assert i18n.t("network.no_such_key", "en") == "network.no_such_key"
    assert "network.no_such_key" in caplog.text


def _string_constants(path: Path) -> set[str]:
    """The string literals of a module, but not the pieces of f-strings, the
    names of cache entries (``ctx.cached("data.node_counts", …)``) and
    cytoscape selectors (``"edge.path"``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip |= {id(v) for v in node.values}
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "cached" and node.args:
            skip.add(id(node.args[0]))
        elif isinstance(node, ast.Dict):
            skip |= {id(v) for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant) and k.value == "selector"}
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip}


def test_every_key_written_in_the_code_is_in_the_catalogue():
    """Any string in dashboard/ that looks like a key (``"contacts.find"``) —
    passed to t() directly or through a helper — is a catalogue key."""
    used = set()
    for path in DASHBOARD.rglob("*.py"):
        if path.name not in ("messages.py", "domain_labels.py"):
            used |= {s for s in _string_constants(path) if KEY_LIKE.match(s) and "{" not in s}
    assert len(used) >= 250  # the scan finds them (about 300 today)
    assert sorted(k for k in used if k not in MESSAGES) == []


def test_every_composed_key_is_in_the_catalogue():
    from dashboard.pages.network import DETAIL_ATTRS
    from dashboard.viewstate import LAYOUTS, OVERVIEW_BY
    from graph.analysis.flows import FLOW_MEASURES
    from graph.core.kinds import EdgeKind
    from graph.analysis.matrices import LAND_COUNTRY_MEASURES
    from graph.analysis.opportunities import OPPORTUNITY_KINDS
    from loaders.schema import TABLES

    keys = [f"{p}.{k}.{d}" for p in ("rel", "verb") for k in EdgeKind.values() for d in ("out", "in")]
    keys += [f"layout.{n}" for n in LAYOUTS] + [f"network.by.{b}" for b in OVERVIEW_BY]
    keys += [f"attr.{a}" for a in DETAIL_ATTRS] + [f"table.{n}" for n in TABLES]
    keys += [f"data.level_{level}" for level in ("error", "warning")]
    keys += [f"contacts.dim.{d}" for d in ("sector", "land", "institution")]
    keys += [f"mm.opp.{k}" for k in OPPORTUNITY_KINDS] + [f"mm.kind.{k}" for k in ("project", "country", "institution")]
    keys += [f"an.measure.{m}" for m in LAND_COUNTRY_MEASURES] + [f"an.sk.{m}" for m in FLOW_MEASURES]
    keys += [f"an.tie.{k}" for k in ("land_country", "institution_institution", "institution_country")]
    keys += [f"an.fig.{k}" for k in ("count_project", "count_institution", "running_projects", "laender_involved",
                                     "countries_involved", "count_theme", "count_programme", "count_contact",
                                     "count_event")]
    assert i18n.missing_keys(keys) == []


def test_every_domain_value_has_a_label_in_both_languages():
    from graph.core.kinds import AttendanceRole, CofinanceKind, EdgeKind, EventKind, NodeKind, ProjectStatus, Role, Sector
    from graph.analysis.matchmaking import FACTORS
    from graph.analysis.periods import PHASES
    from graph.followup.invitations import Invitation
    from graph.followup.pipeline import REASONS, Status

    values = {"kind": NodeKind.values(), "edge": EdgeKind.values(), "sector": [*Sector.values(), "unknown"],
              "status": [*ProjectStatus.values(), "unknown"], "cofinancing": CofinanceKind.values(),
              "event_kind": EventKind.values(), "phase": [*PHASES, "unknown"], "factor": FACTORS,
              "role": Role.values(), "attendance": AttendanceRole.values(),
              "pipeline_status": [s.value for s in Status], "pipeline_reason": list(REASONS),
              "invitation_status": [s.value for s in Invitation]}
    assert set(values) == set(DOMAIN_GROUPS)
    for group, names in values.items():
        for lang in ("de", "en"):
            assert [v for v in names if domain_label(group, v, lang) == domain_key(group, v)] == [], (group, lang)


# ------------------------------------------------------------------ pages and callbacks
def _leaks(obj) -> list[str]:
    """String values that are keys (a text that was never looked up)."""
    found = []

    def walk(o):
        if isinstance(o, dict):
            for k, v in o.items():
                if k != "selector":  # cytoscape's stylesheet: "edge.path" is a selector
                    walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
        elif isinstance(o, str) and KEY_LIKE.match(o.strip()) and (o.strip() in MESSAGES or
                                                                    o.strip() in set(domain_keys()) or
                                                                    not re.search(r"[:/@ ]", o)):
            found.append(o)

    walk(obj)
    return found


def _json(component) -> object:
    return json.loads(json.dumps(component, default=lambda o: o.to_plotly_json() if hasattr(o, "to_plotly_json")
                                 else str(o)))


@pytest.fixture(scope="module")
def app(sample):
    return create_app(sample.graph, Settings(audit_log="/dev/null"), report=sample.report)


PAGE_STATES = {
    "dashboard.pages.network": [{}, {"by": "theme"}, {"selected": "institution:hlft", "focus": "institution:hlft"},
                                {"path": "institution:hlft,country:TZA", "maxlen": "2", "highlight": "theme:water"},
                                {"path": "institution:hlft,country:TZA", "k": "3"}, {"focus": "nonexistent:x"},
                                {"kinds": "institution,project", "sector": "science", "status": "completed"},
                                {"spot": "BRA,health"}, {"spot": "TZA,water"}, {"spot": "XXX,nothing"},
                                {"land": "XX", "country": "QQQ"}, {"size": "pagerank", "colour": "community"}],
    "dashboard.pages.matchmaking": [{}, {"target": "country:TZA"}],
    "dashboard.pages.contacts": [{}, {"theme": "water"}],
    "dashboard.pages.analytics": [{}, *({"tab": tab} for tab in ("groups", "coverage", "flows", "maps", "time", "export"))],
    "dashboard.pages.data": [{}],
    "dashboard.pages.help": [{}],
    "dashboard.pages.not_found_404": [{}],
    "dashboard.pages.audit_log": [{}],
    "dashboard.pages.pipeline": [{}],
}

#: Pages rendered both without a workspace (their notice) and with one holding a shortlist.
WORKSPACE_PAGES = {"dashboard.pages.pipeline"}


@pytest.fixture(scope="module")
def ws_app(sample, tmp_path_factory):
    from tests.workspace.followup_helpers import workspace_with_shortlist
    ws = workspace_with_shortlist(tmp_path_factory.mktemp("ws") / "ws.sqlite")
    return create_app(sample.graph, Settings(audit_log="/dev/null", workspace=str(ws.path)), report=sample.report)


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("name", PAGE_MODULES)
def test_every_page_renders_every_string_in_both_languages(request, app, name, lang):
    module = importlib.import_module(name)
    from dashboard import shell
    apps = [app, request.getfixturevalue("ws_app")] if name in WORKSPACE_PAGES else [app]
    for served in apps:
        with served.server.test_request_context("/"):
            for query in PAGE_STATES[name]:
                rendered = _json(module.layout(lang=lang, **query))  # strict: a missing key raises
                assert _leaks(rendered) == [], query
    with app.server.test_request_context("/"):
        assert _leaks(_json(shell.nav_children(module.PATH, f"?lang={lang}"))) == []
        assert _leaks(_json(shell.snapshot_off_notice(lang))) == []


#: Values of the controls a callback reads (component id.property), beyond None.
def _values(g) -> dict[str, object]:
    from dashboard.viewstate import parse_query
    person = sorted(g.nodes("contact"))[0]
    return {
        "network-state.data": parse_query({"selected": "institution:hlft"}),
        "network-neighbours-of.data": {"node": "institution:hlft"},
        "network-cyto.tapNodeData": {"id": "institution:hlft"},
        "network-filter-kinds.value": ["institution"], "network-layout.value": "concentric",
        "contacts-themes.value": ["theme:water"], "contacts-event.value": sorted(g.nodes("event"))[0],
        "contacts-history-of.value": person, "contacts-quota-dim.value": "sector",
        "contacts-quotas-store.data": [{"dimension": "sector", "value": "science", "min": 1, "max": 2}],
        "contacts-list-store.data": [person], "contacts-size.value": 3, "contacts-results.cellClicked": {"rowId": person},
        "contacts-include.search_value": "a", "contacts-exclude.search_value": "a",
        "contacts-add-person.search_value": "a", "contacts-history-of.search_value": "a",
        "matchmaking-target.value": "country:TZA", "matchmaking-target.search_value": "tan",
        "matchmaking-what.value": "institution", "matchmaking-top.value": 10,
        "analytics-lc-measure.value": "institutions", "analytics-sankey-measure.value": "count",
        "analytics-period-a.value": "pilot", "analytics-period-b.value": "II",
        "analytics-ws-graph.clickData": {"points": [{"customdata": ["BDI", "governance"]}]},
        "url.pathname": "/",
    }


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_callback_answers_in_both_languages_without_a_missing_string(app, sample, lang):
    """Each registered callback (but those on pattern-matching ids and the
    downloads, whose texts are file names) called through Dash's endpoint,
    once per trigger: a missing string is a 500 in strict mode, a key shown
    instead of a text a leak."""
    client = app.server.test_client()
    client.get("/")
    values = {**_values(sample.graph), "url.search": f"?lang={lang}"}
    called = 0
    for key, entry in app.callback_map.items():
        deps = entry["inputs"] + entry["state"]
        if "callback" not in entry:  # Dash's own client-side callbacks (pages)
            continue
        if any(isinstance(d["id"], dict) or d["id"].startswith("{") for d in deps) or "download" in key or "export" in key:
            continue
        outputs = [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1].split("@")[0]}
                   for o in key.strip(".").split("...")]
        for trigger in entry["inputs"]:
            payload = {"output": key, "outputs": outputs if key.startswith("..") else outputs[0],
                       "inputs": [{**d, "value": values.get(f"{d['id']}.{d['property']}", 1 if d["property"] == "n_clicks" else None)}
                                  for d in entry["inputs"]],
                       "state": [{**d, "value": values.get(f"{d['id']}.{d['property']}")} for d in entry["state"]],
                       "changedPropIds": [f"{trigger['id']}.{trigger['property']}"]}
            resp = client.post("/_dash-update-component", json=payload)
            assert resp.status_code in (200, 204), (key, trigger, resp.get_data(as_text=True)[-2000:])
            if resp.status_code == 200:
                assert _leaks(resp.get_json()) == [], key
            called += 1
    assert called >= 25
