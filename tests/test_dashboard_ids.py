"""Component ids: every id a page renders is named in that page's ``ID``
class (the shell's in :mod:`dashboard.ids`), and no id is used twice across
the pages and the shell."""

from __future__ import annotations

import importlib
from collections import Counter

import pytest

from dashboard.download_links import file_id

from dashboard import ids as shell_ids
from dashboard.app import PAGE_MODULES, create_app
from dashboard.settings import Settings

#: Page states that between them show every optional element (details actions, path, notices).
STATES = {
    "dashboard.pages.network": [{}, {"selected": "institution:hlft", "focus": "institution:hlft"},
                                {"path": "institution:hlft,country:TZA", "selected": "country:TZA",
                                 "highlight": "theme:water", "maxlen": "2"},
                                {"kinds": "institution,project,contact"}, {"spot": "BRA,health"},
                                {"land": "XX", "size": "degree", "colour": "community"}],
    "dashboard.pages.matchmaking": [{}],
    "dashboard.pages.contacts": [{}],
    "dashboard.pages.analytics": [{}, *({"tab": tab} for tab in ("groups", "coverage", "flows", "maps", "time", "export"))],
    "dashboard.pages.data": [{}],
    "dashboard.pages.help": [{}],
    "dashboard.pages.not_found_404": [{}],
    "dashboard.pages.audit_log": [{}],
    "dashboard.pages.pipeline": [{}],  # rendered with a workspace holding a shortlist (fixture ws_app)
}

#: Pages that show their content (or a section of it: saved views, "what changed since") only with a workspace.
WORKSPACE_PAGES = {"dashboard.pages.pipeline", "dashboard.pages.network", "dashboard.pages.matchmaking",
                   "dashboard.pages.contacts", "dashboard.pages.analytics", "dashboard.pages.data"}


def _declared(cls) -> list[str]:
    """The ids a page's ID class declares, with those of the section ID classes
    it names (e.g. the Daten page's ``WORKSPACE``)."""
    found = []
    for k, v in vars(cls).items():
        if k.isupper() and isinstance(v, str):
            found.append(v)
        elif k.isupper() and isinstance(v, type):
            found += _declared(v)
    return found


def _shell_ids() -> list[str]:
    return [v for k, v in vars(shell_ids).items() if k.isupper() and isinstance(v, str)]


def _rendered_ids(component) -> list:
    found = []

    def walk(node):
        if isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
            return
        if not hasattr(node, "to_plotly_json"):
            return
        if getattr(node, "id", None) is not None:
            found.append(node.id)
        for name in getattr(node, "_prop_names", ()):
            value = getattr(node, name, None)
            if hasattr(value, "to_plotly_json") or isinstance(value, (list, tuple)):
                walk(value)

    walk(component)
    return found


@pytest.fixture(scope="module")
def app(sample):
    return create_app(sample.graph, Settings(), report=sample.report)


@pytest.fixture(scope="module")
def ws_app(sample, tmp_path_factory):
    """The app on a workspace with one saved shortlist (a candidate asked, one declined)."""
    from tests.workspace.followup_helpers import workspace_with_shortlist
    ws = workspace_with_shortlist(tmp_path_factory.mktemp("ws") / "ws.sqlite")
    return create_app(sample.graph, Settings(workspace=str(ws.path)), report=sample.report)


def test_declared_ids_are_unique_across_pages_and_shell():
    declared = _shell_ids()
    for name in PAGE_MODULES:
        declared += _declared(importlib.import_module(name).ID)
    assert [i for i, n in Counter(declared).items() if n > 1] == []


def test_page_ids_carry_the_page_prefix():
    for name in PAGE_MODULES:
        module = importlib.import_module(name)
        prefix = {"dashboard.pages.network": "network-", "dashboard.pages.matchmaking": "matchmaking-",
                  "dashboard.pages.contacts": "contacts-", "dashboard.pages.analytics": "analytics-",
                  "dashboard.pages.data": "data-", "dashboard.pages.help": "help-",
                  "dashboard.pages.not_found_404": "not-found", "dashboard.pages.audit_log": "audit-",
                  "dashboard.pages.pipeline": "pipeline-"}[name]
        assert [i for i in _declared(module.ID) if not i.startswith(prefix)] == []


@pytest.mark.parametrize("name", PAGE_MODULES)
@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_rendered_id_is_declared_and_unique(request, name, lang):
    app = request.getfixturevalue("ws_app" if name in WORKSPACE_PAGES else "app")
    module = importlib.import_module(name)
    declared = set(_declared(module.ID))
    types = declared  # pattern-matching ids name their type from the ID class too
    for query in STATES[name]:
        with app.server.test_request_context("/"):
            rendered = _rendered_ids(module.layout(lang=lang, **query))
        strings = [i for i in rendered if isinstance(i, str)]
        assert strings, "the walk found no ids"
        # downloads.target(X) renders X (a store) beside the dcc.Download X-file it feeds
        files = {file_id(i) for i in strings if i in declared}
        assert [i for i in strings if i not in declared and i not in files and not _generated(module, i)] == [], query
        assert [i for i, n in Counter(strings).items() if n > 1] == [], query
        assert [i for i in rendered if isinstance(i, dict) and i.get("type") not in types] == []
        assert [d for d, n in Counter(tuple(sorted(i.items())) for i in rendered if isinstance(i, dict)).items()
                if n > 1] == []


def _generated(module, component_id: str) -> bool:
    """Ids made by an ``ID`` helper (one per matchmaking factor)."""
    if module.__name__ != "dashboard.pages.matchmaking":
        return False
    from graph.analysis.matchmaking import FACTORS
    return component_id in {f(x) for x in FACTORS for f in (module.ID.weight, module.ID.weight_box, module.ID.weight_value)}


def test_the_network_details_and_path_ids_are_rendered(app):
    """The state list above really reaches the optional elements (else the test above proves little)."""
    module = importlib.import_module("dashboard.pages.network")
    seen = set()
    for query in STATES["dashboard.pages.network"]:
        with app.server.test_request_context("/"):
            seen |= {i for i in _rendered_ids(module.layout(lang="de", **query)) if isinstance(i, str)}
    ID = module.ID
    assert {ID.ACT_EXPAND, ID.ACT_PATH_TO, ID.HIGHLIGHT_NOTICE, ID.HIGHLIGHT_CLEAR} <= seen


def test_shell_ids_are_declared(app):
    from dashboard import shell
    with app.server.test_request_context("/"):
        rendered = [i for i in _rendered_ids(shell.shell_layout()) if isinstance(i, str)]
        rendered += [i for i in _rendered_ids(shell.snapshot_off_notice("en")) if isinstance(i, str)]
    page_ids = set()
    for name in PAGE_MODULES:
        page_ids |= set(_declared(importlib.import_module(name).ID))
    unknown = [i for i in rendered if i not in _shell_ids() and i not in page_ids and not i.startswith("_pages")]
    assert unknown == []
