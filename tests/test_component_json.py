"""The faster Dash component JSON and constructor (dashboard.app.component_json, component_init)
write and build what Dash's own do."""

import inspect
import json

import dash_ag_grid
import dash_cytoscape
from dash import dcc, html
from dash.development.base_component import Component

import pytest

from dashboard.app import _DASH_INIT, _json_engine, component_init, component_json


def _classes():
    for module in (html, dcc, dash_ag_grid, dash_cytoscape):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Component) and cls is not Component and cls.to_plotly_json is component_json:
                yield cls


def _dash_json(component):
    """Dash's original ``to_plotly_json`` (hasattr per property name)."""
    props = {p: getattr(component, p) for p in component._prop_names if hasattr(component, p)}
    props.update({k: getattr(component, k) for k in component.__dict__
                  if any(k.startswith(w) for w in component._valid_wildcard_attributes)})
    return {"props": props, "type": component._type, "namespace": component._namespace}


def test_every_component_class_is_written_as_dash_writes_it():
    _json_engine()  # what create_app does: installs component_json
    seen = 0
    for cls in _classes():
        names = set(inspect.signature(cls).parameters)
        given = {k: v for k, v in {"id": f"x-{cls.__name__}", "className": "c", "style": {"width": "45%"},
                                   "title": "t", "children": [html.Span("a"), "b"], "href": "/x", "src": "/y",
                                   "figure": {}, "options": ["a"], "elements": [], "rowData": [],
                                   "columnDefs": []}.items() if k in names}
        try:
            probe = cls(**given)
        except (TypeError, ImportError):  # another required property (or an optional extra): not this test
            continue
        wild = {"data-node": "n1", "aria-label": "l"} if "data-*" in probe._prop_names else {}
        component = cls(**given, **wild)
        assert component.to_plotly_json() == _dash_json(component), cls
        assert json.dumps(component.to_plotly_json(), default=lambda c: c.to_plotly_json(), sort_keys=True) == \
            json.dumps(_dash_json(component), default=lambda c: c.to_plotly_json(), sort_keys=True)
        seen += 1
    assert seen > 150  # html, dcc, AG Grid and Cytoscape components


def test_components_are_built_as_dash_builds_them():
    _json_engine()
    assert Component.__init__ is component_init and _DASH_INIT
    dash_init, seen = _DASH_INIT[0], 0
    for cls in _classes():
        names = set(inspect.signature(cls).parameters)
        given = {k: v for k, v in {"className": "c", "style": {"width": "45%"}, "title": "t",
                                   "children": [html.Span("a"), "b"], "href": "/x"}.items() if k in names}
        try:
            ours = cls(**given)
        except (TypeError, ImportError):
            continue
        Component.__init__ = dash_init
        try:
            theirs = cls(**given)
        finally:
            Component.__init__ = component_init
        assert ours.__dict__ == theirs.__dict__, cls
        seen += 1
    assert seen > 150
    # what Dash refuses is refused with Dash's own message
    for bad in ({"nonsense": 1}, {"id": 5}, {"title": html.Span("x")}):
        with pytest.raises(TypeError) as ours_err:
            html.Div(**bad)
        Component.__init__ = dash_init
        try:
            with pytest.raises(TypeError) as theirs_err:
                html.Div(**bad)
        finally:
            Component.__init__ = component_init
        assert str(ours_err.value) == str(theirs_err.value)
