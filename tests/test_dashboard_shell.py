"""The app factory and page layouts, without a browser."""

import json

import pytest

from dashboard import ids
from dashboard.app import PAGE_MODULES, create_app
from dashboard.i18n import t
from dashboard.settings import Settings
from dashboard.shell import lang_from_search, nav_children, with_lang


@pytest.fixture(scope="module")
def app(sample):
    return create_app(sample.graph, Settings(), report=sample.report)


def _text(component) -> str:
    return json.dumps(component.to_plotly_json(), default=lambda o: o.to_plotly_json() if hasattr(o, "to_plotly_json") else str(o), ensure_ascii=False)


@pytest.mark.parametrize("module_name", PAGE_MODULES)
@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_page_layout_renders(app, module_name, lang):
    import importlib
    module = importlib.import_module(module_name)
    with app.server.test_request_context("/"):
        rendered = _text(module.layout(lang=lang))
    assert t(module.TITLE_KEY, lang) in rendered


def test_two_apps_with_different_data_do_not_share_state(sample, mini):
    from loaders import load
    other = load(mini)
    a = create_app(sample.graph, Settings(), report=sample.report)
    b = create_app(other.graph, Settings(is_sample=False), report=other.report)
    with a.server.test_request_context("/"):
        from dashboard.context import current
        assert current().graph is sample.graph
    with b.server.test_request_context("/"):
        assert current().graph is other.graph and not current().settings.is_sample


def test_http_serves_index_and_layout(app):
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    resp = client.get("/_dash-layout")
    assert resp.status_code == 200 and "Partnernetz" in resp.get_data(as_text=True)


def _component(layout: dict, component_id: str) -> dict | None:
    """The component with ``component_id`` in a layout answer (JSON), or None."""
    if isinstance(layout, dict):
        if layout.get("props", {}).get("id") == component_id:
            return layout
        values = layout.values()
    elif isinstance(layout, list):
        values = layout
    else:
        return None
    for value in values:
        found = _component(value, component_id)
        if found is not None:
            return found
    return None


@pytest.mark.parametrize("path, query, page_id, word", [
    ("/kontakte", "?lang=en", "contacts-themes", "Contacts"),
    ("/analysen", "?lang=de", "analytics-tabs", "Analysen"),
    ("/gibt-es-nicht", "", None, "Unter der Adresse /gibt-es-nicht"),
])
def test_the_first_layout_holds_the_page_its_request_came_from(app, path, query, page_id, word):
    """The layout request's Referer names the page: the shell comes with it and with locations that
    already agree with the browser's address, so Dash's routing callback has nothing to do."""
    client = app.server.test_client()
    href = f"http://localhost{path}{query}"
    layout = client.get("/_dash-layout", headers={"Referer": href}).get_json()
    content = _component(layout, "_pages_content")
    assert content is not None and content["props"].get("children"), "the page is in the first layout"
    text = json.dumps(content, ensure_ascii=False)
    assert word in text
    if page_id:
        assert _component(content, page_id) is not None
    for location_id in ("_pages_location", ids.URL):
        props = _component(layout, location_id)["props"]
        assert (props["pathname"], props["search"], props["href"], props["hash"]) == (path, query, href, "")
    assert _component(layout, "_pages_store")["props"]["data"]["title"]


@pytest.mark.parametrize("referrer", [None, "http://elsewhere.example/kontakte", "not a url", "javascript:alert(1)"])
def test_without_a_usable_referrer_the_first_layout_is_the_plain_shell(app, referrer):
    client = app.server.test_client()
    layout = client.get("/_dash-layout", headers={"Referer": referrer} if referrer else {}).get_json()
    assert not _component(layout, "_pages_content")["props"].get("children")
    assert "pathname" not in _component(layout, "_pages_location")["props"]


def test_language_helpers():
    assert lang_from_search("?lang=en") == "en"
    assert lang_from_search("?lang=xx") == "de" and lang_from_search(None) == "de"
    assert lang_from_search(with_lang("?a=1&lang=de", "en")) == "en"
    assert "a=1" in with_lang("?a=1", "en")
    nav = json.dumps([_text(c) for c in nav_children("/daten", "?lang=en")], ensure_ascii=False)
    assert "Data" in nav and "Daten" not in nav


def test_data_page_export_payload(sample):
    from dashboard.pages.data import export_payload
    from loaders.egress import release

    def export_bytes(graph, fmt, lang="de"):
        out = release(export_payload(graph, fmt, lang=lang), user="t", audit=None)
        return out.content, out.filename

    content, name = export_bytes(sample.graph, "csv")
    assert name == "partnernetz-tabellen.zip" and content[:2] == b"PK"
    assert export_bytes(sample.graph, "csv", lang="en")[1] == "partnernetz-tables.zip"
    content, name = export_bytes(sample.graph, "gexf")
    assert b"<gexf" in content[:500]


def test_every_kind_table_and_edge_kind_has_a_label():
    from dashboard.domain_labels import domain_key, domain_label
    from dashboard.i18n import missing_keys
    from graph.core.kinds import EdgeKind, NodeKind, Sector
    from loaders.schema import TABLES
    values = [("kind", k) for k in NodeKind.values()] + [("edge", k) for k in EdgeKind.values()]
    values += [("sector", s) for s in Sector.values()]
    for lang in ("de", "en"):
        assert [v for v in values if domain_label(*v, lang) == domain_key(*v)] == []
    assert missing_keys([f"table.{n}" for n in TABLES]) == []


def test_cached_computes_once_under_concurrent_first_requests(sample):
    import threading
    import time

    from dashboard.context import AppContext
    ctx = AppContext(graph=sample.graph, report=sample.report)
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return len(calls)

    results = []
    threads = [threading.Thread(target=lambda: results.append(ctx.cached("x", slow))) for _ in range(5)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert calls == [1] and results == [1] * 5


def test_cached_keys_on_the_graph_object_not_only_its_generation(sample):
    """A refreshed snapshot is another graph whose generation may equal the
    old one's: the cache must not hand out the old graph's results."""
    from dashboard.context import AppContext
    from graph.core.model import PartnerGraph

    class Swapping:  # a store whose snapshot is replaced, like a refreshed Neo4j snapshot
        def __init__(self, g):
            self.g = g

        def snapshot(self):
            return self.g

    first, second = PartnerGraph(), PartnerGraph()
    assert first.generation == second.generation
    store = Swapping(first)
    ctx = AppContext(graph=first, store=store)
    assert ctx.graph is first and ctx.cached("n", lambda: "first") == "first"
    store.g = second
    assert ctx.graph is second and ctx.cached("n", lambda: "second") == "second"
    assert ctx.cached_names(first) == set() and ctx.cached_names() == {"n"}  # the old graph's entries are dropped
    second.add_node("theme", "water", label="Wasser", illustrative=True)
    assert ctx.cached("n", lambda: "changed") == "changed"


def test_warm_up_precomputes_every_page_index(sample):
    from dashboard.app import warm_up
    app = create_app(sample.graph, Settings(), report=sample.report)
    warm_up(app).join(timeout=120)
    from dashboard.context import CONFIG_KEY
    names = app.server.config[CONFIG_KEY].cached_names()
    assert {"contacts.index", "analytics.metrics", "analytics.white_spots"} <= names


def test_callback_answers_use_the_standard_json_encoder_even_with_orjson_installed(sample_graph):
    """plotly's orjson path copies Dash component trees in Python first (3x
    slower for a network view): the app pins the standard library's encoder."""
    import plotly.io.json

    from dashboard.app import create_app

    plotly.io.json.config.default_engine = "auto"
    create_app(sample_graph)
    assert plotly.io.json.config.default_engine == "json"
