"""Pure builders of the follow-up views: grid rows of the pipeline, the
shortlist overview, the outcome tables, and the candidates a Matchmaking
ranking turns into. No callbacks here (the Pipeline page and the
Matchmaking page's save section register those)."""

from __future__ import annotations

import datetime as _dt
from typing import Any, Iterable

from dash import html

from dashboard.domain_labels import domain_label
from dashboard.i18n import t
from graph.followup.pipeline import PipelineItem, RankOutcome, acceptance_by_factor, acceptance_by_rank, is_overdue

__all__ = ["format_date", "save_ranking", "pipeline_rows", "items_from_ranking", "shortlist_overview", "outcome_tables", "target_dict"]


def format_date(day: _dt.date | None, lang: str) -> str:
    """``15.01.2026`` in German, ``2026-01-15`` in English, '' for none."""
    if day is None:
        return ""
    return day.strftime("%d.%m.%Y") if lang == "de" else day.isoformat()


def target_dict(ranking) -> dict[str, Any]:
    """What a shortlist keeps of its ranking's target."""
    return ranking.target.to_dict()


def items_from_ranking(graph, ranking, lang: str) -> list[PipelineItem]:
    """The ranking's candidates as pipeline items, explanation and factors frozen as they are now."""
    target = ranking.target.to_dict()
    node = str(target.get("node") or "")
    country = node if node.startswith("country:") else next(iter(target.get("countries") or ()), None)
    return [PipelineItem(shortlist=0, node=c.node, rank=n, score=round(float(c.score), 4),
                         factors={k: round(float(v), 4) for k, v in c.factors.items()},
                         explanation=c.explanation(lang), label=graph.label(c.node, lang),
                         land=c.land, sector=c.sector, country=country)
            for n, c in enumerate(ranking.candidates, 1)]


def save_ranking(workspace_path, graph, ranking, *, name: str, owner: str, settings: dict[str, Any],
                 lang: str) -> int:
    """Save ``ranking`` as a new shortlist of the workspace at ``workspace_path``; its id."""
    from loaders.workspace import WorkspaceFile
    from loaders.workspace.followup import FollowUp

    return FollowUp(WorkspaceFile(workspace_path)).save_shortlist(
        name, owner=owner, target=target_dict(ranking), settings=settings,
        items=items_from_ranking(graph, ranking, lang))


def pipeline_rows(items: Iterable[PipelineItem], names: dict[int, str], land_label, today: _dt.date,
                  lang: str) -> list[dict[str, Any]]:
    """Grid rows of the open candidates (already filtered and ordered)."""
    return [{
        "key": f"{i.shortlist}|{i.node}", "shortlist": names.get(i.shortlist, str(i.shortlist)),
        "institution": i.label or i.node, "land": land_label(i.land) if i.land else "",
        "status": domain_label("pipeline_status", i.status.value, lang), "rank": i.rank,
        "score": i.score, "owner": i.owner, "next_step": i.next_step,
        "due": format_date(i.due, lang), "due_iso": i.due.isoformat() if i.due else "",
        "overdue": is_overdue(i, today),
    } for i in items]


def shortlist_overview(shortlists, items: list[PipelineItem], target_label, lang: str) -> html.Div:
    """One line per shortlist: name, target, owner, date, candidates per status."""
    if not shortlists:
        return html.P(t("pipe.no_shortlists", lang), className="muted")
    lines = []
    for s in shortlists:
        mine = [i for i in items if i.shortlist == s.id]
        counts: dict[str, int] = {}
        for i in mine:
            counts[i.status.value] = counts.get(i.status.value, 0) + 1
        status = ", ".join(f"{n} {domain_label('pipeline_status', k, lang)}" for k, n in counts.items())
        lines.append(html.Li([html.Strong(s.name), " — ", target_label(s.target.get("node")),
                              html.Span(f" · {s.owner or '–'} · {s.created[:10]} · {status}", className="muted")]))
    return html.Ul(lines, className="pipe-shortlists")


def _rate(o: RankOutcome) -> str:
    return "–" if o.acceptance is None else f"{o.acceptance:.0%}"


def outcome_tables(items: list[PipelineItem], factor_label, factors: Iterable[str], lang: str) -> html.Div:
    """Acceptance by rank and by factor, as two small tables."""
    decided = sum(i.status.value in ("accepted", "declined") for i in items)
    if not decided:
        return html.P(t("pipe.no_outcomes", lang), className="muted")
    head = html.Tr([html.Th(t("pipe.rank", lang)), html.Th(t("pipe.decided", lang)),
                    html.Th(t("pipe.accepted", lang)), html.Th(t("pipe.rate", lang)), html.Th(t("pipe.open", lang))])
    by_rank = html.Table([html.Thead(head), html.Tbody([
        html.Tr([html.Td(o.group), html.Td(o.decided), html.Td(o.accepted), html.Td(_rate(o)), html.Td(o.open)])
        for o in acceptance_by_rank(items)])], className="table")
    fhead = html.Tr([html.Th(t("pipe.factor", lang)), html.Th(t("pipe.rate_high", lang)), html.Th(t("pipe.rate_low", lang))])
    by_factor = html.Table([html.Thead(fhead), html.Tbody([
        html.Tr([html.Td(factor_label(f)), html.Td(f"{_rate(hi)} ({hi.accepted}/{hi.decided})"),
                 html.Td(f"{_rate(lo)} ({lo.accepted}/{lo.decided})")])
        for f, hi, lo in acceptance_by_factor(items, list(factors))])], className="table")
    return html.Div([html.P(t("pipe.outcomes_intro", lang, n=decided), className="muted"),
                     html.Div([html.Div([html.H3(t("pipe.by_rank", lang)), by_rank], className="pipe-outcome"),
                               html.Div([html.H3(t("pipe.by_factor", lang)), by_factor], className="pipe-outcome")],
                              className="pipe-outcomes")])
