"""The domain's ground floor: the typed graph (:mod:`~graph.core.model`, the
only module that writes to ``PartnerGraph.nx``), its kinds and ids, errors,
built-in reference data (Länder, countries, regions), text folding, the label
table, the per-graph cache and the canonical tables. Imports nothing else of
``graph``."""
