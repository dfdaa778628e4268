"""The background warm-up gives way to requests in flight (dashboard/in_flight.py)."""

from __future__ import annotations

from dashboard import app as dashboard_app
from dashboard.app import create_app, warm_up
from dashboard.context import CONFIG_KEY
from dashboard.in_flight import in_flight
from dashboard.settings import Settings


def test_every_request_is_counted_while_it_is_answered(sample):
    app = create_app(sample.graph, Settings(), report=sample.report)
    tracker = in_flight(app.server)
    seen = []
    app.server.add_url_rule("/probe", "probe", lambda: seen.append(tracker.count) or "ok")
    client = app.server.test_client()
    assert client.get("/probe").status_code == 200
    assert client.get("/no-such-page").status_code in (200, 404)  # answered by the pages' 404 or Flask
    assert seen == [1] and tracker.count == 0


def test_the_warm_up_waits_while_a_request_is_in_flight(sample, monkeypatch):
    monkeypatch.setattr(dashboard_app, "GIVE_WAY_S", 60.0)
    app = create_app(sample.graph, Settings(), report=sample.report)
    ctx = app.server.config[CONFIG_KEY]
    tracker = in_flight(app.server)
    tracker.enter()  # a visitor's request is being answered
    thread = warm_up(app)
    thread.join(timeout=1.0)
    assert thread.is_alive() and ctx.cached_names() == set()  # nothing read or built meanwhile
    tracker.leave()
    thread.join(timeout=120)
    assert not thread.is_alive() and "contacts.index" in ctx.cached_names()


def test_a_steady_stream_of_requests_slows_the_warm_up_but_does_not_stop_it(sample, monkeypatch):
    monkeypatch.setattr(dashboard_app, "GIVE_WAY_S", 0.01)
    app = create_app(sample.graph, Settings(), report=sample.report)
    tracker = in_flight(app.server)
    tracker.enter()  # never leaves
    thread = warm_up(app)
    thread.join(timeout=120)
    assert not thread.is_alive() and "contacts.index" in app.server.config[CONFIG_KEY].cached_names()
