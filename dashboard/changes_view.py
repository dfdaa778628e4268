""""What changed since" for the current user: the workspace's report with the
role rules applied, as table rows (page section and meeting export) and as
an egress payload (every export through the gate, audited).

Role rule: persons (contacts, invitations) are personal data. A user whose
contact rule is ``none`` (readers, or a server run with ``--no-contacts``)
sees their counts only; others see the names of contacts with consent and
the masked label for the rest.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dashboard.access import contact_rule_for
from dashboard.context import current
from dashboard.domain_labels import domain_label
from dashboard.i18n import t
from graph.followup.changes import PERSONAL, SECTIONS, ChangeItem, ChangeReport
from graph.people.privacy import MASKED_LABEL
from loaders.egress import StaticPayload
from loaders.workspace.changes import Since, changes_since, table_csv, table_xlsx

__all__ = ["visible_since", "named_contacts", "table_rows", "table_header", "export_payload", "FORMATS"]

FORMATS = ("csv", "xlsx")


def _masked(key: str) -> bool:
    node = current().graph.nx.nodes.get(f"contact:{key}")
    return node is None or bool(node.get("masked"))


def visible_since(ws, *, version: int | None = None, date: str | None = None) -> Since:
    """:func:`loaders.workspace.changes.changes_since` as the requesting user may see it."""
    since = changes_since(ws, version=version, date=date)
    report = since.report
    if contact_rule_for() == "none":
        report = report.counts_only()
    else:
        report = ChangeReport({s: [replace(i, label=f"{MASKED_LABEL} ({i.key})") if s in PERSONAL and _masked(i.key)
                                   else i for i in items] for s, items in report.sections.items()},
                              dict(report.hidden))
    return replace(since, report=report)


def named_contacts(report: ChangeReport) -> list[str]:
    """Contact ids the report names (for the gate's audit record)."""
    return list(dict.fromkeys(i.key for s in PERSONAL for i in report.sections.get(s, ())
                              if not i.label.startswith(MASKED_LABEL)))


def _status(section: str, value: str, lang: str) -> str:
    if not value:
        return ""
    if section == "pipeline":
        return domain_label("pipeline_status", value, lang)
    if section == "projects_ended" and value in ("completed", "ongoing", "planned", "unknown"):
        return domain_label("status", value, lang)
    return value


def detail(item: ChangeItem, lang: str) -> str:
    """What happened to the item, in words: fields changed, or ``before → after``."""
    if item.fields:
        return t("changes.fields", lang, fields=", ".join(item.fields))
    if item.section == "pipeline" and item.after.startswith("participation:"):
        return t("changes.participation", lang, key=item.after.partition(":")[2])
    before, after = _status(item.section, item.before, lang), _status(item.section, item.after, lang)
    if before and after:
        return f"{before} → {after}"
    return after


def table_header(lang: str) -> list[str]:
    return [t(f"changes.col.{c}", lang) for c in ("section", "name", "detail", "context", "time", "user")]


def table_rows(report: ChangeReport, lang: str) -> list[list[str]]:
    """One row per item, then one per hidden section (its count only)."""
    rows = [[t(f"changes.section.{i.section}", lang), i.label, detail(i, lang), i.context, i.time[:16].replace("T", " "),
             i.user] for i in report.items()]
    rows += [[t(f"changes.section.{s}", lang), t("changes.hidden_count", lang, n=report.hidden[s]), "", "", "", ""]
             for s in SECTIONS if report.hidden.get(s)]
    return rows


def export_payload(since: Since, fmt: str, lang: str) -> StaticPayload:
    """The report as a CSV or Excel file for a meeting, naming its contacts for the gate."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} (one of: {', '.join(FORMATS)})")
    header, rows = table_header(lang), table_rows(since.report, lang)
    stem = f"partnernetz-{t('changes.file', lang)}-" + (since.date or f"v{since.base}")
    content = table_csv(header, rows) if fmt == "csv" else table_xlsx(header, rows, title=t("changes.title_sheet", lang))
    return StaticPayload(content, f"{stem}.{fmt}", fmt, "changes since",
                         named={f"contact:{k}": True for k in named_contacts(since.report)}, strict=False)


def api_body(since: Since) -> dict[str, Any]:
    return since.to_dict()
