"""Dropdowns over long lists (thousands of institutions or events) that
search on the server: the page sends the chosen values and the first
:data:`SHOWN` options, and each typed text asks the server for the options
matching it (accent- and case-blind, anywhere in the label), so a page
never carries megabytes of options. Short lists (≤ :data:`WHOLE`) are sent
whole, as before.

>>> opts = Choices.of([{"label": f"Uni {i}", "value": f"u{i}"} for i in range(500)])
>>> [o["value"] for o in bounded(opts, "uni 49", ["u3"])][:4]
['u3', 'u49', 'u490', 'u491']
>>> len(bounded(opts, "", None)), len(bounded(Choices.of(opts.options[:20]), "zzz", None))
(50, 20)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import dash

from dashboard.i18n import LANG_STATE, lang_from_search
from graph.core.text import fold

__all__ = ["SHOWN", "WHOLE", "Choices", "bounded", "register_search"]

#: Options sent per page or per typed text of a long list.
SHOWN = 50
#: Lists up to this length are sent whole (the browser filters them).
WHOLE = 300


@dataclass(frozen=True)
class Choices:
    """A dropdown's whole list and its labels folded for searching (keep one per dataset and language)."""

    options: list[dict[str, Any]]
    folded: list[str]
    #: value -> its place in ``options`` (the chosen ones are found without a pass over all)
    position: dict[Any, int]

    @classmethod
    def of(cls, options: list[dict[str, Any]]) -> "Choices":
        return cls(options, [fold(str(o["label"])) for o in options], {o["value"]: k for k, o in enumerate(options)})


def bounded(choices: Choices, search: str | None, selected: Any) -> list[dict[str, Any]]:
    """The chosen options (``selected``: a value or a list), then up to
    :data:`SHOWN` options whose label contains ``search``; the whole list
    when it has at most :data:`WHOLE`."""
    if len(choices.options) <= WHOLE:
        return choices.options
    chosen = set(selected if isinstance(selected, list) else [selected] if selected not in (None, "") else [])
    key = fold(search or "")
    out = [choices.options[k] for k in sorted(choices.position[v] for v in chosen if v in choices.position)]
    count = 0
    for o, folded in zip(choices.options, choices.folded):
        if count >= SHOWN:
            break
        if (not key or key in folded) and o["value"] not in chosen:
            out.append(o)
            count += 1
    return out


def register_search(app: dash.Dash, dropdown: str, choices: Callable[[str], Choices], *,
                    guard: Callable[[], Any] | None = None) -> None:
    """Answer ``dropdown``'s typed text with :func:`bounded` over
    ``choices(lang)`` (cached by the caller). ``guard`` runs
    first (e.g. a role check that raises)."""

    @app.callback(dash.Output(dropdown, "options", allow_duplicate=True), dash.Input(dropdown, "search_value"),
                  dash.State(dropdown, "value"), LANG_STATE, prevent_initial_call=True)
    def _search(search_value, value, url_search):
        if guard is not None:
            guard()
        if search_value is None:
            raise dash.exceptions.PreventUpdate
        return bounded(choices(lang_from_search(url_search)), search_value, value)
