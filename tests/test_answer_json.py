"""Callback answers written by orjson (dashboard/answer_json.py) parse to
exactly what plotly's encoder writes: on every page of the sample (both
languages) and on values plotly treats specially."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math

import numpy as np
import pytest

from dashboard.answer_json import answer_json, plotly_json


def same(value) -> None:
    assert json.loads(answer_json(value)) == json.loads(plotly_json(value))


@pytest.mark.parametrize("value", [
    {"a": [1, 2.5, -0.0, 1e16, 2**62, "ü\u2028<script>", None, True]},
    {"nan": float("nan"), "inf": [math.inf, -math.inf]},
    {"array": np.arange(6, dtype=np.int64).reshape(2, 3), "floats": np.array([0.1, np.nan]), "scalar": np.float64(2.5)},
    {"when": dt.datetime(2026, 12, 7, 3, 4, 5), "day": dt.date(2026, 12, 7)},
    {"decimal": decimal.Decimal("1.10")},           # orjson refuses: plotly's encoder writes it
    {1: "int key", 2.5: "float key", True: "bool key", None: "none key"},
    {"big": 2**70},                                    # refused too
    {"lone": "\ud800"},                                # a lone surrogate: refused
])
def test_values_are_written_as_plotly_writes_them(value):
    same(value)


def test_every_page_answers_the_same(sample, monkeypatch):
    import dash

    import dashboard.answer_json as module

    from dashboard.app import create_app
    from dashboard.settings import Settings

    app = create_app(sample.graph, Settings(), report=sample.report)
    views = {"/": [{}, {"focus": "land:DE-HE"}, {"focus": "land:DE-BW", "expand": "country:TZA"},
                   {"path": "institution:hlft,country:ETH"}],
             "/matchmaking": [{}, {"target": "project:BLP-01"}], "/kontakte": [{}], "/analysen": [{}],
             "/daten": [{}], "/pipeline": [{}], "/hilfe": [{}], "/protokoll": [{}]}
    layouts = {page["path"]: page["layout"] for page in dash.page_registry.values()}
    written = 0
    slow = []
    real = module.plotly_json
    monkeypatch.setattr(module, "plotly_json", lambda value: slow.append(1) or real(value))
    with app.server.test_request_context("/"):
        for path, queries in views.items():
            for query in queries:
                for lang in ("de", "en"):
                    value = {"response": {"_pages_content": {"children": layouts[path](lang=lang, **query)}},
                             "multi": True}
                    assert json.loads(module.answer_json(value)) == json.loads(real(value)), (path, query, lang)
                    written += 1
    assert written == 2 * sum(map(len, views.values()))
    assert slow == []  # every page was written by orjson, none fell back
