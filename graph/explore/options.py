"""What the explorer's filters can choose from, as the data hold it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from graph.core.kinds import NodeKind
from graph.core.model import PartnerGraph

__all__ = ["FilterOptions", "filter_options"]

#: Node kinds offered as filter choices by their names.
_OPTION_KINDS = (NodeKind.LAND, NodeKind.COUNTRY, NodeKind.THEME)


@dataclass(frozen=True)
class FilterOptions:
    """What the explorer's filters can choose from, as the data hold it.

    ``lands``, ``countries``, ``themes``: ``(id, label, label_en)`` sorted by
    id (``label_en`` may be None); ``sectors``: the institutions' sectors,
    ``statuses``: the projects' statuses (each sorted); ``years``: the first
    start year and the last end year of the projects (None without any).
    """

    lands: tuple[tuple[str, str, str | None], ...] = ()
    countries: tuple[tuple[str, str, str | None], ...] = ()
    themes: tuple[tuple[str, str, str | None], ...] = ()
    sectors: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    years: tuple[int, int] | None = None

    @classmethod
    def build(cls, named: Iterable[tuple[str, str, str, str | None]], sectors: Iterable[Any],
              statuses: Iterable[Any], years: tuple[Any, Any]) -> "FilterOptions":
        """From ``(id, kind, label, label_en)`` rows, distinct values and ``(first, last)`` years."""
        by_kind: dict[str, list[tuple[str, str, str | None]]] = {k.value: [] for k in _OPTION_KINDS}
        for nid, kind, label, label_en in named:
            if kind in by_kind:
                by_kind[kind].append((nid, label or nid, label_en or None))
        first, last = years
        return cls(
            tuple(sorted(by_kind["land"])), tuple(sorted(by_kind["country"])), tuple(sorted(by_kind["theme"])),
            tuple(sorted({str(v) for v in sectors if v not in (None, "")})),
            tuple(sorted({str(v) for v in statuses if v not in (None, "")})),
            None if first is None or last is None else (int(first), int(last)))


def filter_options(g: PartnerGraph) -> FilterOptions:
    """The :class:`FilterOptions` of an in-memory graph.

    >>> from graph.core.model import PartnerGraph
    >>> g = PartnerGraph()
    >>> _ = g.add_node("project", "P1", label="Wasser", status="active", start_year=2019, end_year=2021, source="s")
    >>> opts = filter_options(g)
    >>> len(opts.lands), opts.statuses, opts.years
    (16, ('active',), (2019, 2021))
    """
    nodes = g.nx.nodes
    named = [(n, a["kind"], a.get("label"), a.get("label_en")) for n, a in nodes(data=True)
             if a.get("kind") in {k.value for k in _OPTION_KINDS}]
    sectors = (nodes[n].get("sector") for n in g.nodes(NodeKind.INSTITUTION))
    projects = [nodes[n] for n in g.nodes(NodeKind.PROJECT)]
    starts = [a["start_year"] for a in projects if a.get("start_year") is not None]
    ends = [a.get("end_year") if a.get("end_year") is not None else a.get("start_year") for a in projects]
    ends = [e for e in ends if e is not None]
    return FilterOptions.build(named, sectors, (a.get("status") for a in projects),
                               (min(starts) if starts else None, max(ends) if ends else None))
