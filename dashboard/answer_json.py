"""Callback answers as JSON, written by orjson (Rust) when it can.

Dash writes every callback answer through plotly's encoder: the standard
library's ``json`` with a Python ``default`` for each component — at 100k
nodes a network view of 1,500 elements (~200 KB) took ~3.5 ms of the
request's ~15 ms. orjson writes the same JSON and calls back into Python
only for the components (their ``to_plotly_json``). Anything orjson does not
write exactly as plotly does (a pandas or Decimal value, a non-string key,
an integer beyond 64 bits, a string with lone surrogates, an enum key …) raises, and that
answer is written by plotly's encoder as before; NaN and infinities become
``null`` in both.

>>> from dash import html
>>> answer_json({"response": {"x": {"children": html.B("é")}}, "multi": True})
'{"response":{"x":{"children":{"props":{"children":"é"},"type":"B","namespace":"dash_html_components"}}},"multi":true}'
>>> answer_json({"v": float("nan"), 1: "int key"})  # as plotly's encoder: the int key as a string
'{"v":null,"1":"int key"}'
"""

from __future__ import annotations

from typing import Any

from dash.development.base_component import Component

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency
    orjson = None

__all__ = ["answer_json", "plotly_json"]

#: numpy arrays and scalars as lists and numbers; integer, float and boolean
#: keys (a slider's marks) as the standard library writes them.
_OPTIONS = (orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS) if orjson is not None else 0


def plotly_json(value: Any) -> str:
    """``value`` as plotly (and so Dash) writes it."""
    from plotly.io.json import to_json_plotly

    return to_json_plotly(value, engine="json")


def _component(obj: Any) -> Any:
    if isinstance(obj, Component):
        return obj.to_plotly_json()
    raise TypeError(type(obj).__name__)


def answer_json(value: Any) -> str:
    """``value`` (a callback answer: dicts, lists, strings, numbers, Dash
    components, numpy arrays) as JSON text, the same as :func:`plotly_json`
    gives (up to spaces and number spelling, e.g. ``1e16`` for ``1e+16``)."""
    if orjson is None:
        return plotly_json(value)
    try:
        return orjson.dumps(value, default=_component, option=_OPTIONS).decode()
    except TypeError:
        return plotly_json(value)
