"""Domain labels the pages show: node kinds, edge kinds, sectors, project
statuses, co-financing kinds, event kinds, programme phases and matchmaking
factors, in German and English.

These are names of the data, not UI strings, so they are kept apart from the
message catalogue (:mod:`dashboard.messages`). Every page asks
:func:`domain_label`; pointing that one function at the graph's label table
(``graph/core/labels.py``) makes every page use it: it does (matchmaking factors come from
:data:`graph.analysis.matchmaking.FACTOR_LABELS`).

>>> domain_label("sector", "science", "en")
'Science'
>>> domain_label("kind", "country")
'Partnerland'
>>> domain_label("sector", "nonsense", "en")  # unknown values show their key, as before
'sector.nonsense'
"""

from __future__ import annotations

import logging

from graph.analysis.matchmaking import FACTOR_LABELS
from graph.core.labels import (ATTENDANCE_ROLE, INVITATION_STATUS, PIPELINE_REASON, PIPELINE_STATUS, COFINANCE, EDGE_KIND, EVENT_KIND, LABELS, NODE_KIND, PHASE, ROLE,
                               SECTOR, STATUS)

__all__ = ["DOMAIN_GROUPS", "domain_label", "domain_key", "domain_keys"]

log = logging.getLogger("partnernetz.i18n")

#: Group -> the key prefix the pages used for it (what an unknown value shows).
DOMAIN_GROUPS = {"kind": "kind.", "edge": "edge.", "sector": "sector.", "status": "status.",
                 "cofinancing": "kind.cofin.", "event_kind": "contacts.ekind.", "phase": "an.phase.",
                 "factor": "mm.factor.", "role": "role.", "attendance": "attendance.",
                 "pipeline_status": "pipeline.status.", "pipeline_reason": "pipeline.reason.",
                 "invitation_status": "invitation.status."}

#: Group -> field of the one label table (:mod:`graph.core.labels`).
_FIELDS = {"kind": NODE_KIND, "edge": EDGE_KIND, "sector": SECTOR, "status": STATUS, "cofinancing": COFINANCE,
           "event_kind": EVENT_KIND, "phase": PHASE, "role": ROLE, "attendance": ATTENDANCE_ROLE,
           "pipeline_status": PIPELINE_STATUS, "pipeline_reason": PIPELINE_REASON,
           "invitation_status": INVITATION_STATUS}


def _pair(group: str, value: object) -> tuple[str, str] | None:
    if group == "factor":
        return FACTOR_LABELS.get(str(value))
    entry = LABELS[_FIELDS[group]].get(str(value))
    return (entry.de, entry.en) if entry else None


def domain_key(group: str, value: object) -> str:
    """The catalogue-style key of a domain value (``"sector.science"``)."""
    return f"{DOMAIN_GROUPS[group]}{value}"


def domain_label(group: str, value: object, lang: str = "de") -> str:
    """The label of ``value`` in ``group`` (see :data:`DOMAIN_GROUPS`) in ``lang``.

    Values come from the data, so an unknown one never raises: it is logged
    and shown as its key (what the pages showed before).
    """
    pair = _pair(group, value)
    if pair is None:
        log.warning("no %s label for %r", group, value)
        return domain_key(group, value)
    return pair[1] if str(lang or "").lower().startswith("en") else pair[0]


def domain_keys() -> list[str]:
    """Every known domain value as its key (what tests look for in rendered pages)."""
    tables = {group: LABELS[field] for group, field in _FIELDS.items()} | {"factor": FACTOR_LABELS}
    return [domain_key(group, value) for group, table in tables.items() for value in table]
