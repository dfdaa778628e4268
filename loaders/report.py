"""The load report: what was read, what was accepted, and every problem.

A report is the contract between the loaders and their users (CLI ``check``,
the Daten page): every input row is either accepted into the graph or
rejected with at least one error naming file, row, column and value.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = ["Problem", "Findings", "TableCount", "LoadReport", "without_contact_findings"]

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding. ``row`` is the row as the user sees it in Excel (header = 1)."""

    level: Level
    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", Zeile/row {self.row}"
        if self.column:
            where += f", Spalte/column '{self.column}'"
        shown = f" (value: {self.value!r})" if self.value not in (None, "") else ""
        return f"{self.level.upper()}: {where}: {self.message}{shown}"


class Findings:
    """What every report of read input offers over its ``problems`` list:
    adding a finding and the errors and warnings apart (the load report, an
    imported guest list's file)."""

    problems: list[Problem]

    def error(self, file: str, row: int | None, column: str | None, value: Any, message: str) -> None:
        self.problems.append(Problem("error", file, row, column, _text(value), message))

    def warning(self, file: str, row: int | None, column: str | None, value: Any, message: str) -> None:
        self.problems.append(Problem("warning", file, row, column, _text(value), message))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]


@dataclass
class TableCount:
    read: int = 0
    accepted: int = 0
    rejected: int = 0


@dataclass
class LoadReport(Findings):
    """Counts per table, per node kind and edge kind, and all problems."""

    source: str = ""
    tables: dict[str, TableCount] = field(default_factory=dict)
    nodes: dict[str, int] = field(default_factory=dict)
    edges: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: Multi-dataset loads: nodes/edges per kind of later datasets that were merged into ones
    #: already present, so that per kind: sum of the datasets' counts - merged = the graph's count.
    merged: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Institutions recognised as the same organisation: ``{"from", "into", "by"}``.
    merges: list[dict[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings alone do not fail)."""
        return not self.errors

    def table(self, name: str) -> TableCount:
        return self.tables.setdefault(name, TableCount())

    def merge(self, other: "LoadReport") -> None:
        """Add another report's tables and problems (for multi-source loads)."""
        for name, count in other.tables.items():
            mine = self.table(name)
            mine.read += count.read
            mine.accepted += count.accepted
            mine.rejected += count.rejected
        self.problems.extend(other.problems)
        self.source = "; ".join(s for s in (self.source, other.source) if s)

    def to_dict(self) -> dict[str, Any]:
        """The ``check --json`` shape."""
        return {
            "ok": self.ok,
            "source": self.source,
            "tables": {name: asdict(c) for name, c in self.tables.items()},
            "nodes": dict(self.nodes),
            "edges": dict(self.edges),
            "problems": [asdict(p) for p in self.problems],
            **({"merged": {k: dict(v) for k, v in self.merged.items()}, "merges": list(self.merges)}
               if self.merged else {}),
        }

    def to_text(self) -> str:
        """Human-readable report for the terminal."""
        lines = [f"Datensatz / dataset: {self.source}"]
        lines.append(f"{'table':<16}{'read':>8}{'accepted':>10}{'rejected':>10}")
        for name, c in self.tables.items():
            lines.append(f"{name:<16}{c.read:>8}{c.accepted:>10}{c.rejected:>10}")
        lines.append("nodes: " + ", ".join(f"{k} {v}" for k, v in self.nodes.items()))
        lines.append("edges: " + ", ".join(f"{k} {v}" for k, v in self.edges.items() if v))
        if self.merged:
            for what in ("nodes", "edges"):
                counts = {k: v for k, v in self.merged.get(what, {}).items() if v}
                lines.append(f"merged {what}: " + (", ".join(f"{k} {v}" for k, v in counts.items()) or "none"))
            lines.extend(f"same institution: {m['from']} → {m['into']} ({m['by']})" for m in self.merges)
        lines.append(f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)")
        lines.extend(str(p) for p in self.problems)
        lines.append("OK" if self.ok else "FEHLER / ERRORS")
        return "\n".join(lines)


#: A value longer than this is shown cut, with its length (a report stays readable and small).
MAX_SHOWN_VALUE = 200


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    if len(text) > MAX_SHOWN_VALUE:
        return text[:MAX_SHOWN_VALUE] + f"… ({len(text):,} characters)"
    return text


def without_contact_findings(report: "LoadReport") -> "LoadReport":
    """A copy of ``report`` without findings from contact or attendance rows
    (their values can be personal data) and without those tables' row
    counts: what a reader or a ``--no-contacts`` server shows."""
    import copy

    from graph.core.text import fold
    from loaders.vocabulary import canonical_table

    def personal(file: str) -> bool:
        base = file.replace("#", "/").rsplit("/", 1)[-1]
        if canonical_table(base.rsplit(".", 1)[0] if "." in base else base) in ("contacts", "attendance"):
            return True  # also German and other names of the tables (Ansprechpersonen, Teilnahmen)
        name = fold(base)
        return any(word in name for word in ("contact", "kontakt", "attendance", "teilnahme"))

    clean = copy.copy(report)
    clean.problems = [p for p in report.problems if not personal(p.file)]
    clean.tables = {name: count for name, count in report.tables.items() if name not in ("contacts", "attendance")}
    return clean
