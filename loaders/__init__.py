"""Everything that reads outside data into a :class:`graph.PartnerGraph`.

:func:`load` is the entry point: it accepts one or more dataset paths (a folder
of CSV files, an ``.xlsx`` workbook, an IATI activity ``.xml`` file; further
formats are listed in :data:`FORMATS`) and returns the merged graph with one load report.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Callable

from graph.core.errors import LoadError
from loaders.report import LoadReport, Problem
from loaders.tabular import LoadResult, load_tabular

__all__ = ["load", "LoadResult", "LoadReport", "Problem", "FORMATS", "SAMPLE_PATH"]

#: Bundled sample of the real programme.
SAMPLE_PATH = Path(__file__).resolve().parent.parent / "data" / "sample"


def _load_iati(path: Path) -> LoadResult:
    """An IATI activity file (:func:`loaders.iati.load_iati`; its XML parser
    is imported only when such a file is loaded)."""
    from loaders.iati import load_iati

    return load_iati(path)


#: Loaders by file suffix ("" = folder).
FORMATS: dict[str, Callable[[Path], LoadResult]] = {"": load_tabular, ".xlsx": load_tabular, ".xml": _load_iati}


def _loader_for(path: Path) -> Callable[[Path], LoadResult]:
    if not path.exists():
        raise LoadError(f"{path}: no such file or folder")
    suffix = "" if path.is_dir() else path.suffix.lower()
    try:
        return FORMATS[suffix]
    except KeyError:
        raise LoadError(f"{path}: unknown dataset format (expected a folder of CSV files, .xlsx or .xml)") from None


def load(*paths: str | Path) -> LoadResult:
    """Load and merge datasets; raises :class:`LoadError` for a non-dataset.

    Several datasets are merged by :func:`loaders.merge.merge_graphs` (same id,
    or the same institution under another id); ``report.merged`` counts what
    was merged per kind, so ``sum of the datasets' counts - merged`` equals the
    merged graph's count.
    """
    if not paths:
        paths = (SAMPLE_PATH,)
    results = [_loader_for(Path(p))(Path(p)) for p in paths]
    if len(results) == 1:
        return results[0]
    from loaders.merge import merge_graphs

    graph, report = results[0].graph, LoadReport(source="")
    report.merge(results[0].report)
    merged_nodes: Counter = Counter()
    merged_edges: Counter = Counter()
    for extra in results[1:]:
        stats = merge_graphs(graph, extra.graph)
        report.merge(extra.report)
        merged_nodes.update(stats.nodes)
        merged_edges.update(stats.edges)
        report.merges.extend(stats.institutions)
    report.merged = {
        "nodes": {k: merged_nodes.get(k, 0) for k in graph.counts_by_kind()},
        "edges": {k: merged_edges.get(k, 0) for k in graph.edge_counts_by_kind()},
    }
    report.nodes = graph.counts_by_kind()
    report.edges = graph.edge_counts_by_kind()
    graph.meta.update(source=report.source, report=report)
    return LoadResult(graph, report)
