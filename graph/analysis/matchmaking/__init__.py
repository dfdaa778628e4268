"""Explainable matchmaking: which institutions and Länder should join a
project, start work in a partner country, or meet an institution — and why.

A *target* is a project (``project_target``), a partner country with themes
(``country_target``) or an institution (``institution_target``). Every
candidate not yet involved gets six factor scores in [0, 1]:

``theme``
    share of the target's themes the candidate works on (declared ``works_on``
    themes and themes of its past projects), each theme weighted by its rarity
    (Robertson–Spärck Jones IDF over the institutions, ``log((n - df + 0.5) /
    (df + 0.5))``, at least 0.1), so a rare theme such as water counts more
    than one many institutions share, such as governance; multiplied by the
    candidate's focus, the
    square root of the share the target's themes take of its own IDF-weighted
    themes (a specialist before a generalist that touches the theme once);
``country``
    1 for experience in a target country (located there or a past project
    there), 0.5 for experience in a neighbouring country (same UN M49 region,
    see :mod:`graph.core.regions`);
``land``
    relationship of the candidate's Land with the target: 0.6 when the Land
    ``partners_with`` a target country, +0.4 when it co-finances the target
    project, +0.2 per co-financed related project (a project in a target
    country counts 1, one sharing themes counts its theme fit; at most two),
    capped at 1;
``network``
    Adamic–Adar proximity to the target's current participants over shared
    projects (each shared project ``q`` adds ``1 / log(participants(q))``),
    squashed to [0, 1] by ``1 - exp(-x)``;
``sector``
    1 when the candidate's sector (science, civil society, business) is
    missing among the participants;
``recency``
    1 for activity in the latest year of the data, falling linearly to 0
    over ten years.

The score is the weighted mean of the factors (weights chosen by the user),
times the theme gate ``0.4 + 0.6 × theme`` when the target names themes
(:func:`~graph.analysis.matchmaking.factors.theme_gate`): a Land relation
alone cannot outrank a theme match.
A candidate is listed only with a substantive reason (theme, country, land
or network above 0 and weighted above 0); options require a theme or the
target country itself; :func:`why_not` says where any institution or Land
stands and what would change its rank.
A diversity rule keeps one Land (foreign institutions: one country) and one
sector from filling the list. Each candidate carries per-factor
contributions (they sum to its score) and evidence items in German and
English that name the nodes behind them.

Scoring runs on a :class:`MatchIndex` (scipy sparse matrices built once per
graph generation), so one ranking over 100,000 institutions is a few sparse
matrix–vector products.

>>> from graph.core.model import PartnerGraph
>>> g = PartnerGraph()
>>> src = dict(source="https://example.org")
>>> p = g.add_node("project", "P", label="Wasser in Ruanda", **src)
>>> w = g.add_node("theme", "water", label="Wasser", label_en="Water", **src)
>>> g.add_edge(p, w, "addresses", **src)
>>> g.add_edge(p, g.add_country("RWA"), "implemented_in", **src)
>>> a = g.add_node("institution", "a", label="Uni A", sector="science", **src)
>>> b = g.add_node("institution", "b", label="Firma B", sector="business", **src)
>>> g.add_edge(a, w, "works_on", **src)
>>> ranking = rank(g, project_target(g, p))
>>> [c.node for c in ranking.candidates]  # Firma B only adds a sector: no substantive reason
['institution:a']
>>> ranking.total, ranking.without_reason
(1, 1)
>>> ranking.candidates[0].evidence[0].text("de")
'arbeitet wie das Projekt zum Thema „Wasser“'

Modules: :mod:`~graph.analysis.matchmaking.index` (the sparse index),
:mod:`~graph.analysis.matchmaking.targets` (what is ranked for),
:mod:`~graph.analysis.matchmaking.factors` (the six factors and weights),
:mod:`~graph.analysis.matchmaking.score` (ranking and diversity),
:mod:`~graph.analysis.matchmaking.explain` (evidence texts).
"""

from graph.analysis.matchmaking.explain import Evidence
from graph.analysis.matchmaking.factors import (COMPLEMENTARY_SECTORS, DEFAULT_WEIGHTS, FACTOR_LABELS, FACTORS,
                                                factor_scores, normalise_weights)
from graph.analysis.matchmaking.index import MatchIndex, match_index
from graph.analysis.matchmaking.score import (EXCLUSIONS, SUBSTANTIVE, Candidate, Ranking, WhyNot, rank, rank_laender,
                                              why_not)
from graph.analysis.matchmaking.targets import Target, country_target, institution_target, project_target, resolve_target

__all__ = [
    "FACTORS",
    "DEFAULT_WEIGHTS",
    "FACTOR_LABELS",
    "COMPLEMENTARY_SECTORS",
    "Evidence",
    "Candidate",
    "Target",
    "Ranking",
    "MatchIndex",
    "match_index",
    "project_target",
    "country_target",
    "institution_target",
    "resolve_target",
    "factor_scores",
    "rank",
    "rank_laender",
    "why_not",
    "WhyNot",
    "SUBSTANTIVE",
    "EXCLUSIONS",
    "normalise_weights",
]
