"""Whole-graph analysis: network metrics, matrices, periods, co-financing
flows, open opportunities and matchmaking. Imports only :mod:`graph.core`,
:mod:`graph.explore` and its own modules."""
