"""The Matchmaking page's pure builders and callbacks, without a browser."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from dashboard.app import create_app
from dashboard.pages import matchmaking as page
from dashboard.settings import Settings
from graph.analysis.matchmaking import FACTORS, Candidate, Evidence, Ranking, Target


@pytest.fixture(scope="module")
def app(sample):
    return create_app(sample.graph, Settings(), report=sample.report)


def _json(component) -> str:
    return json.dumps(component.to_plotly_json() if hasattr(component, "to_plotly_json") else component,
                      default=lambda o: o.to_plotly_json() if hasattr(o, "to_plotly_json") else str(o),
                      ensure_ascii=False)


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("+49 30 1234", "'+49 30 1234"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("Uni A", "Uni A"), (0.5, 0.5), (3, 3), ("", ""),
])
def test_neutralise_spreadsheet_formulas(value, expected):
    assert page.neutralise(value) == expected


def test_evidence_href_follows_the_url_contract():
    href = page.evidence_href("institution:a", ["theme:w", "institution:a", "theme:w", "project:P"], "en")
    assert href == "/?focus=institution%3Aa&highlight=theme%3Aw%2Cproject%3AP&lang=en"
    assert page.evidence_href("land:DE-HE") == "/?focus=land%3ADE-HE&lang=de"


def _evil_ranking(sample_graph) -> Ranking:
    factors = {f: 0.5 for f in FACTORS}
    ev = Evidence("theme", "=HYPERLINK(\"http://evil\")", "=HYPERLINK(\"http://evil\")", ("theme:water",))
    cand = Candidate("institution:hlft", 0.5, factors, {f: 0.5 / 6 for f in FACTORS}, (ev,), "land:DE-HE",
                     "public_administration")
    return Ranking(Target("project", "project:BLP-03", (), ()), {}, [cand])


def test_shortlist_exports_neutralise_formulas_and_carry_explanations(sample_graph):
    rows = page.shortlist_rows(sample_graph, _evil_ranking(sample_graph), "de")
    assert rows[0]["Begründung"].startswith("'=HYPERLINK")
    assert rows[0]["Knoten-ID"] == "institution:hlft" and rows[0]["Belegknoten"] == "theme:water"
    text = page.shortlist_csv(rows).decode("utf-8-sig")
    parsed = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert parsed[0]["Begründung"].startswith("'=")
    ws = load_workbook(io.BytesIO(page.shortlist_xlsx(rows))).active
    header = [c.value for c in ws[1]]
    cell = ws.cell(2, header.index("Begründung") + 1)
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_real_shortlist_rows_in_english(sample_graph):
    ranking = page.compute_ranking(sample_graph, "project:BLP-08", top=5)
    rows = page.shortlist_rows(sample_graph, ranking, "en")
    assert len(rows) == 5 and rows[1]["Node id"] == "institution:geninsa"
    assert "Land Saxony has partnered with Uganda since 2024" in rows[1]["Explanation"]
    assert {"Themes", "Recency", "Score", "Target"} <= set(rows[0])


def test_target_options_search_and_keep(sample_graph):
    options = page.target_options(sample_graph, "de", "infektiolog")
    assert [o["value"] for o in options] == ["project:BLP-08"]
    kept = page.target_options(sample_graph, "de", "zzz-nothing", keep="institution:hlft")
    assert [o["value"] for o in kept] == ["institution:hlft"]
    assert any(o["label"] == "Partnerland: Äthiopien" for o in page.target_options(sample_graph, "de", "thiop"))


def test_compute_ranking_for_every_kind_and_the_laender(sample_graph):
    assert page.compute_ranking(sample_graph, None) is None
    land = page.compute_ranking(sample_graph, "project:BLP-08", what="land")
    assert land.candidates and all(c.node.startswith("land:") for c in land.candidates)
    eth = page.compute_ranking(sample_graph, "country:ETH", themes=["theme:vocational_training"])
    assert eth.target.themes == ("theme:vocational_training",)
    inst = page.compute_ranking(sample_graph, "institution:hlft", sectors=["science"])
    assert all(c.sector == "science" for c in inst.candidates)
    only_sn = page.compute_ranking(sample_graph, "project:BLP-03", laender=["DE-SN"])
    assert only_sn.candidates and all(c.land == "land:DE-SN" for c in only_sn.candidates)


def test_result_cards_show_bars_evidence_and_network_links(sample_graph):
    ranking = page.compute_ranking(sample_graph, "project:BLP-08", top=3)
    rendered = _json(page.result_children(sample_graph, ranking, "de"))
    assert rendered.count('"data-factor"') == 3 * len(FACTORS)
    assert "Land Sachsen kooperiert seit 2024 mit Uganda" in rendered
    assert "/?focus=institution%3Ageninsa&highlight=" in rendered
    assert "Bitte ein Ziel" in _json(page.result_children(sample_graph, None, "de"))


def test_layout_and_callbacks_on_the_app(app):
    with app.server.test_request_context("/"):
        rendered = _json(page.layout(lang="en", target="project:BLP-08"))
        assert '"value": "project:BLP-08"' in rendered and "Open opportunities" in rendered
    # the results callback through Dash's HTTP endpoint
    client = app.server.test_client()
    weights = [{"id": f"matchmaking-weight-{f}", "property": "value", "value": 1} for f in FACTORS]
    payload = {
        "output": "..matchmaking-results.children...matchmaking-summary.children..."
                  "matchmaking-whynot-panel.children...matchmaking-url-state.data..",
        "outputs": [{"id": "matchmaking-results", "property": "children"},
                    {"id": "matchmaking-summary", "property": "children"},
                    {"id": "matchmaking-whynot-panel", "property": "children"},
                    {"id": "matchmaking-url-state", "property": "data"}],
        "inputs": [
            {"id": "matchmaking-target", "property": "value", "value": "project:BLP-08"},
            {"id": "matchmaking-themes", "property": "value", "value": []},
            {"id": "matchmaking-what", "property": "value", "value": "institution"},
            {"id": "matchmaking-laender", "property": "value", "value": []},
            {"id": "matchmaking-sectors", "property": "value", "value": []},
            {"id": "matchmaking-top", "property": "value", "value": 5},
            {"id": "matchmaking-diversity", "property": "value", "value": ["on"]},
            {"id": "matchmaking-require", "property": "value", "value": ["theme"]},
            *weights,
            {"id": "matchmaking-whynot", "property": "value", "value": "institution:hlft"},
        ],
        "state": [{"id": "url", "property": "search", "value": "?lang=de"}],
        "changedPropIds": ["matchmaking-target.value"],
    }
    resp = client.post("/_dash-update-component", json=payload)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = json.dumps(resp.get_json(), ensure_ascii=False)
    assert "5 Vorschläge für Stärkung der infektiologischen Kapazitäten in Uganda" in body
    assert "institution:geninsa" in body
    # the view's state for the address bar; weights 1 differ from the defaults
    out = resp.get_json()["response"]
    search = out["matchmaking-url-state"]["data"]["search"]
    assert "top=" not in search  # 5 is not one of the choices: the default is kept
    assert "target=project%3ABLP-08" in search and "require=theme" in search and "whynot=institution%3Ahlft" in search
    assert "w=theme%3A1%2Ccountry%3A1" in search and search.endswith("&lang=de")
    assert '"data-status"' in body  # the "Warum nicht?" answer for hlft


def test_target_options_sorted_locale_aware(sample_graph):
    from dashboard.pages.matchmaking import _searchable
    ids = [nid for nid, _, _ in _searchable(sample_graph, "de")]
    countries = [n for n in ids if n.startswith("country:")]
    assert countries.index("country:ETH") < countries.index("country:BDI")  # Äthiopien with the A's
    assert ids.index(countries[0]) > max(i for i, n in enumerate(ids) if n.startswith("project:"))


def test_layout_restores_the_state_from_the_url(app):
    from dashboard.viewstate import parse_matchmaking
    query = {"target": "country:TZA", "themes": "theme:water", "mode": "land", "land": "DE-NI,DE-XX",
             "sector": "science", "top": "20", "diversity": "0", "require": "theme", "w": "theme:4.5,land:1",
             "whynot": "land:DE-SN"}
    with app.server.test_request_context("/matchmaking"):
        rendered = _json(page.layout(lang="de", **query))
    for snippet in ('"value": "country:TZA"', '"value": ["theme:water"]', '"value": "land"', '"value": ["DE-NI"]',
                    '"value": ["science"]', '"value": 20', '"value": ["theme"]', '"value": 4.5', '"value": "land:DE-SN"'):
        assert snippet in rendered, snippet
    controls = {"target": "country:TZA", "themes": ["theme:water"], "what": "land", "laender": ["DE-NI"],
                "sectors": ["science"], "top": 20, "diversity": [], "require": ["theme"]}
    weights = {f: 4.5 if f == "theme" else 1.0 if f == "land" else page.DEFAULT_WEIGHTS[f] for f in FACTORS}
    search = page.page_search(controls, weights, "land:DE-SN", "de")
    assert search == ("?target=country%3ATZA&mode=land&themes=theme%3Awater&land=DE-NI&sector=science&top=20"
                      "&diversity=0&require=theme&w=theme%3A4.5%2Cland%3A1&whynot=land%3ADE-SN&lang=de")
    from urllib.parse import parse_qs
    state = parse_matchmaking(parse_qs(search[1:]), FACTORS)
    assert state["w"] == {"theme": 4.5, "land": 1.0}


def test_german_csv_has_decimal_commas(sample_graph):
    ranking = page.compute_ranking(sample_graph, "project:BLP-08", top=3)
    text = page.shortlist_csv(page.shortlist_rows(sample_graph, ranking, "de")).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert rows[0]["Punktzahl"] == f"{ranking.candidates[0].score:.4f}".replace(".", ",")
    assert "," in rows[0]["Themen"] and "." not in rows[0]["Punktzahl"]


def test_why_not_panel_names_the_status_and_the_comparison(sample_graph):
    ranking = page.compute_ranking(sample_graph, "country:TZA", themes=["theme:water"], top=10)
    wn = page.compute_why_not(sample_graph, ranking, "institution:kiruddu-hospital", top=10)
    rendered = _json(page.why_not_children(sample_graph, ranking, wn, "de", dict(page.DEFAULT_WEIGHTS)))
    assert wn.status == "below" and "ist ein echter Kandidat, aber erst auf Platz" in rendered
    assert rendered.count('"data-node"') == 1 + len(ranking.candidates)
    # a Land in institution mode is not answered; an involved institution is named so
    assert page.compute_why_not(sample_graph, ranking, "land:DE-SN") is None


def test_rankings_are_kept_per_target_and_settings_until_the_graph_changes(mini):
    from loaders import load

    g = load(mini).graph
    target = next(iter(g.nodes("project")))
    first = page.compute_ranking(g, target, weights={"theme": 2.0}, top=5)
    assert page.compute_ranking(g, target, weights={"theme": 2.0}, top=5) is first
    assert page.compute_ranking(g, target, weights={"theme": 3.0}, top=5) is not first
    assert page.compute_ranking(g, target, weights={"theme": 2.0}, top=10) is not first
    g.add_node("theme", "new", label="Neu", source="s")  # a new generation: ranked again
    assert page.compute_ranking(g, target, weights={"theme": 2.0}, top=5) is not first
