"""Why a candidate ranks where it does: evidence items in German and English
per factor, naming the projects, institutions and countries behind them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from graph.core.labels import SECTOR, label
from graph.core.model import PartnerGraph
from graph.core.regions import region_label

from graph.analysis.matchmaking.factors import Context
from graph.analysis.matchmaking.index import MatchIndex
from graph.analysis.matchmaking.targets import Target

__all__ = ["Evidence", "explain_institution", "explain_land", "MAX_LABEL", "MAX_EVIDENCE_NODES"]



def _sector(s: str, lang: str) -> str:
    """A sector's name inside an evidence sentence."""
    return label(SECTOR, s, lang, inline=True)


@dataclass(frozen=True)
class Evidence:
    """One reason behind a factor, in German and English, with the nodes it rests on."""

    factor: str
    text_de: str
    text_en: str
    nodes: tuple[str, ...]

    def text(self, lang: str = "de") -> str:
        return self.text_en if lang == "en" else self.text_de

    def to_dict(self) -> dict[str, Any]:
        return {"factor": self.factor, "de": self.text_de, "en": self.text_en, "nodes": list(self.nodes)}



MAX_LABEL = 70  #: longer labels are shortened in evidence texts


def _l(graph: PartnerGraph, nid: str, lang: str) -> str:
    label = graph.label(nid, lang)
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def _list(graph: PartnerGraph, ids: Sequence[str], lang: str, limit: int = 3, total: int | None = None) -> str:
    names = [_l(graph, n, lang) for n in ids[:limit]]
    if total is None:
        total = getattr(ids, "total", len(ids))
    more = total - limit
    if more > 0:
        names.append(f"+{more} weitere" if lang == "de" else f"+{more} more")
    return ", ".join(names)


def _what(target: Target) -> tuple[str, str]:
    return {"project": ("wie das Projekt", "like the project"),
            "institution": ("wie die Institution", "like the institution")}.get(target.kind, ("", ""))


MAX_EVIDENCE_NODES = 5  #: at most this many projects/institutions named per evidence item


class _Named(list):
    """The first few ids of a longer list; ``total`` is the full length."""

    total: int = 0


def _by_recency(idx: MatchIndex, projects: np.ndarray, skip: str | None = None) -> _Named:
    """Up to MAX_EVIDENCE_NODES project ids, the most recent first (ties by id)."""
    out = _Named()
    if skip is not None and skip in idx.proj_pos and len(projects):
        projects = projects[projects != idx.proj_pos[skip]]
    out.total = len(projects)
    if not len(projects):
        return out
    years = idx.proj_year0[projects]
    if len(projects) > MAX_EVIDENCE_NODES:
        keep = np.argpartition(-years, MAX_EVIDENCE_NODES - 1)[:MAX_EVIDENCE_NODES]
        projects, years = projects[keep], years[keep]
    order = np.lexsort((projects, -years))
    out.extend(idx.projects[q] for q in projects[order])
    return out


def _both(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection of two sorted index arrays without repeats."""
    return np.intersect1d(a, b, assume_unique=True)


def _theme_evidence(graph, idx: MatchIndex, target: Target, theme_cols: Sequence[int], projects: np.ndarray,
                    declared: set[int]) -> list[Evidence]:
    out = []
    what_de, what_en = _what(target)
    for tj in theme_cols:
        tid = idx.themes[tj]
        via = _by_recency(idx, _both(projects, idx.col(idx.PT_csc, tj)), target.node)
        de = f"arbeitet {what_de} zum Thema „{_l(graph, tid, 'de')}“".replace("  ", " ")
        en = f"works {what_en} on “{_l(graph, tid, 'en')}”".replace("  ", " ")
        if via:
            also_de, also_en = ("auch im Projekt ", "also in project ") if int(tj) in declared else ("Projekt ", "project ")
            de += f" ({also_de}{_list(graph, via, 'de', 2)})"
            en += f" ({also_en}{_list(graph, via, 'en', 2)})"
        out.append(Evidence("theme", de, en, (tid, *via[:MAX_EVIDENCE_NODES])))
    return out


def _country_evidence(graph, idx: MatchIndex, target: Target, located: set[int], countries: np.ndarray,
                      projects: np.ndarray, subject_de: str = "", subject_en: str = "") -> list[Evidence]:
    out = []
    target_c = {idx.country_pos[c] for c in target.countries if c in idx.country_pos}

    def via(c: int) -> list[str]:
        return _by_recency(idx, _both(projects, idx.col(idx.PC_csc, c)), target.node)

    for c in sorted(target_c & set(countries.tolist())):
        cid = idx.countries[c]
        projs = via(c)
        if c in located:
            out.append(Evidence("country", f"{subject_de}hat seinen Sitz in {_l(graph, cid, 'de')}",
                                f"{subject_en}is based in {_l(graph, cid, 'en')}", (cid,)))
        if projs:
            n = projs.total
            out.append(Evidence(
                "country",
                f"{n} {'früheres Projekt' if n == 1 else 'frühere Projekte'} in {_l(graph, cid, 'de')}: {_list(graph, projs, 'de')}",
                f"{n} earlier project{'s' if n != 1 else ''} in {_l(graph, cid, 'en')}: {_list(graph, projs, 'en')}",
                (cid, *projs[:MAX_EVIDENCE_NODES])))
    if out:
        return out
    target_r = {int(idx.country_region[c]) for c in target_c if idx.country_region[c] >= 0}
    for c in countries:
        reg = int(idx.country_region[c])
        if reg not in target_r or c in target_c:
            continue
        cid = idx.countries[c]
        projs = via(int(c))
        rname = idx.regions[reg]
        where_de = _l(graph, cid, "de") + (f" (Projekt {_list(graph, projs, 'de', 2)})" if projs else " (Sitz)")
        where_en = _l(graph, cid, "en") + (f" (project {_list(graph, projs, 'en', 2)})" if projs else " (based there)")
        out.append(Evidence("country", f"Erfahrung in der Nachbarregion {region_label(rname, 'de')}: {where_de}",
                            f"experience in the same region, {region_label(rname, 'en')}: {where_en}",
                            (cid, *projs[:MAX_EVIDENCE_NODES])))
        if len(out) >= 3:
            break
    return out


def _land_evidence(graph, idx: MatchIndex, target: Target, ctx: Context, l: int) -> list[Evidence]:
    out = []
    lid = idx.laender[l]
    de_land, en_land = _l(graph, lid, "de"), _l(graph, lid, "en")
    for cid in target.countries:
        c = idx.country_pos.get(cid)
        d = idx.partnerships.get((l, c)) if c is not None else None
        if d is None:
            continue
        since = d.get("since")
        region = d.get("region")
        ctry_de = _l(graph, cid, "de") + (f" ({region})" if region else "")
        ctry_en = _l(graph, cid, "en") + (f" ({region})" if region else "")
        if since:
            de, en = f"Land {de_land} kooperiert seit {since} mit {ctry_de}", f"Land {en_land} has partnered with {ctry_en} since {since}"
        else:
            de, en = f"Land {de_land} kooperiert mit {ctry_de}", f"Land {en_land} partners with {ctry_en}"
        out.append(Evidence("land", de, en, (lid, cid)))
    if ctx.cof_target[l] > 0 and target.node:
        out.append(Evidence("land", f"Land {de_land} kofinanziert das Projekt", f"Land {en_land} co-finances the project",
                            (lid, target.node)))
    if ctx.n_related[l] > 0:
        cof = idx.row(idx.LCof, l)
        rel = _by_recency(idx, cof[ctx.related[cof] > 0], target.node)
        n = rel.total
        out.append(Evidence(
            "land",
            f"Land {de_land} kofinanziert {n} verwandte{'s Projekt' if n == 1 else ' Projekte'}: {_list(graph, rel, 'de')}",
            f"Land {en_land} co-finances {n} related project{'s' if n != 1 else ''}: {_list(graph, rel, 'en')}",
            (lid, *rel[:MAX_EVIDENCE_NODES])))
    return out


def _network_evidence(graph, idx: MatchIndex, target: Target, ctx: Context, projects: np.ndarray) -> list[Evidence]:
    shared: list[tuple[str, _Named]] = []
    for s in ctx.seeds:
        common = _by_recency(idx, _both(projects, idx.row(idx.P, s)), target.node)
        if common:
            shared.append((idx.institutions[s], common))
    shared.sort(key=lambda x: (-x[1].total, x[0]))
    out = []
    for sid, common in shared[:3]:
        n = common.total
        out.append(Evidence(
            "network",
            f"{n} {'gemeinsames früheres Projekt' if n == 1 else 'gemeinsame frühere Projekte'} mit {_l(graph, sid, 'de')} ({_list(graph, common, 'de', 2)})",
            f"{n} earlier joint project{'s' if n != 1 else ''} with {_l(graph, sid, 'en')} ({_list(graph, common, 'en', 2)})",
            (sid, *common[:MAX_EVIDENCE_NODES])))
    return out


def explain_institution(graph: PartnerGraph, idx: MatchIndex, target: Target, ctx: Context, i: int,
                         factors: dict[str, float]) -> list[Evidence]:
    ev: list[Evidence] = []
    projects = idx.row(idx.P, i)
    if factors["theme"] > 0:
        t_cols = [int(tj) for tj in idx.row(idx.AT, i) if ctx.t[tj] > 0]
        ev += _theme_evidence(graph, idx, target, t_cols, projects, set(idx.row(idx.W, i).tolist()))
    if factors["country"] > 0:
        located = set(idx.row(idx.L, i).tolist())
        ev += _country_evidence(graph, idx, target, located, idx.row(idx.AC, i), projects)
    if factors["land"] > 0:
        ev += _land_evidence(graph, idx, target, ctx, int(idx.inst_land[i]))
    if factors["network"] > 0:
        ev += _network_evidence(graph, idx, target, ctx, projects)
    if factors["sector"] > 0:
        s = idx.sectors[idx.inst_sector[i]]
        if target.kind == "institution":
            de, en = (f"bringt {_sector(s, 'de')} ein – ein Sektor, der der Institution fehlt",
                      f"adds {_sector(s, 'en')} – a sector the institution is not in")
        else:
            who_de, who_en = {"project": ("dem Projekt", "the project lacks"),
                              "country": ("den bisherigen Akteuren", "the current actors lack")}[target.kind]
            de, en = f"bringt {_sector(s, 'de')} ein – {who_de} fehlt dieser Sektor", f"adds {_sector(s, 'en')} – {who_en} this sector"
        ev.append(Evidence("sector", de, en, (idx.institutions[i],)))
    if factors["recency"] > 0:
        last = idx.inst_last_year[i]
        latest = [p for p in _by_recency(idx, projects) if idx.proj_year[idx.proj_pos[p]] == last][:1]
        ev.append(Evidence("recency", f"zuletzt aktiv {int(last)} ({_list(graph, latest, 'de', 1)})",
                           f"last active {int(last)} ({_list(graph, latest, 'en', 1)})", tuple(latest)))
    return ev


def explain_land(graph: PartnerGraph, idx: MatchIndex, target: Target, ctx: Context, l: int,
                  factors: dict[str, float], inst_F: np.ndarray, inst_ok: np.ndarray) -> list[Evidence]:
    ev: list[Evidence] = []
    members = idx.row(idx.LI, l)
    members = members[inst_ok[members]]
    lid = idx.laender[l]
    cof = idx.row(idx.LCof, l)
    if factors["theme"] > 0:
        land_themes = set(idx.row(idx.LAT, l).tolist())
        for tj in np.flatnonzero(ctx.t):
            if tj not in land_themes:
                continue
            tid = idx.themes[tj]
            via_p = _by_recency(idx, _both(cof, idx.col(idx.PT_csc, tj)))
            inst_hits = _both(members, idx.col(idx.AT_csc, tj))
            via_i = [idx.institutions[i] for i in inst_hits[:MAX_EVIDENCE_NODES]]
            names = via_p + via_i
            if not names:
                continue
            total = via_p.total + len(inst_hits)
            de = f"Expertise zum Thema „{_l(graph, tid, 'de')}“: {_list(graph, names, 'de', total=total)}"
            en = f"expertise in “{_l(graph, tid, 'en')}”: {_list(graph, names, 'en', total=total)}"
            ev.append(Evidence("theme", de, en, (tid, *names[:MAX_EVIDENCE_NODES])))
    if factors["country"] > 0:
        member_projects = idx.P[members].indices if len(members) else np.zeros(0, dtype=np.int64)
        projects = np.union1d(cof, member_projects).astype(np.int64)
        located = set(idx.L[members].indices.tolist()) if len(members) else set()
        ev += _country_evidence(graph, idx, target, located, idx.row(idx.LAC, l), projects,
                                "eine Institution des Landes ", "an institution of the Land ")
    if factors["land"] > 0:
        ev += _land_evidence(graph, idx, target, ctx, l)
    if factors["network"] > 0 and len(members):
        best = int(members[np.argmax(inst_F[members, 3])])
        for e in _network_evidence(graph, idx, target, ctx, idx.row(idx.P, best))[:1]:
            ev.append(Evidence("network", f"{_l(graph, idx.institutions[best], 'de')}: {e.text_de}",
                               f"{_l(graph, idx.institutions[best], 'en')}: {e.text_en}",
                               (idx.institutions[best], *e.nodes)))
    if factors["sector"] > 0:
        for s in ctx.lacking:
            code = idx.sectors.index(s)
            have = [idx.institutions[i] for i in members[idx.inst_sector[members] == code][:50]]
            if have:
                n = int((idx.inst_sector[members] == code).sum())
                ev.append(Evidence("sector", f"hat {n} Partner aus {_sector(s, 'de')}: {_list(graph, have, 'de')}",
                                   f"has {n} {_sector(s, 'en')} partner{'s' if n != 1 else ''}: {_list(graph, have, 'en')}",
                                   tuple(have[:MAX_EVIDENCE_NODES])))
    if factors["recency"] > 0:
        ev.append(Evidence("recency", f"zuletzt aktiv {int(idx.land_last_year[l])}",
                           f"last active {int(idx.land_last_year[l])}", (lid,)))
    return ev
