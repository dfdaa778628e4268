"""Privacy rules for contact data (personal data under the GDPR/DSGVO).

Contacts carry a ``consent`` flag. Without consent a contact is *masked*:
only its institution and role may be shown, and it is never exported.
:func:`mask_unconsented` applies the rule to a whole graph before it is
served, so no page can leak a name by accident; :func:`without_contacts`
drops every contact (``serve --no-contacts``).

>>> from graph.core.model import PartnerGraph
>>> g = PartnerGraph(with_laender=False)
>>> c = g.add_node("contact", "c1", label="Erika Muster", email="e@example.org",
...                role="Referentin", consent=False, illustrative=True)
>>> mask_unconsented(g)
1
>>> g.node(c)["label"], "email" in g.node(c), is_masked(g.node(c))
('Kontakt ohne Einwilligung', False, True)
"""

from __future__ import annotations

from typing import Any, Iterable


from graph.core.errors import PartnernetzError
from graph.core.kinds import NodeKind, kind_of
from graph.core.model import PartnerGraph

__all__ = [
    "MASKED_LABEL",
    "PERSONAL_FIELDS",
    "has_consent",
    "is_masked",
    "mask_unconsented", "mask_contact",
    "without_contacts",
    "has_contacts",
    "require_exportable",
    "exportable_graph",
    "PrivacyError",
]

#: Label a masked contact shows instead of its name.
MASKED_LABEL = "Kontakt ohne Einwilligung"
MASKED_LABEL_EN = "Contact without consent"

#: Node attributes that identify a person; removed from masked contacts.
PERSONAL_FIELDS = ("email", "languages", "name", "phone", "consent_source")


class PrivacyError(PartnernetzError):
    """Personal data was about to leave the app against the privacy rules."""


def has_consent(attrs: dict[str, Any]) -> bool:
    """True only for an explicit ``consent=True`` (missing means no)."""
    return attrs.get("consent") is True


def is_masked(attrs: dict[str, Any]) -> bool:
    """True for a contact that may only be shown as institution and role."""
    return attrs.get("kind") == NodeKind.CONTACT.value and not has_consent(attrs)


def mask_unconsented(graph: PartnerGraph) -> int:
    """Strip name and personal fields from every contact without consent,
    in place; return how many were masked.

    The label becomes :data:`MASKED_LABEL`; ``role`` and the ``works_at``
    edge (the institution) stay. Theme and attendance edges stay too: they
    say what a role at an institution works on, not who the person is.
    """
    from graph.people.dedupe import find_duplicates

    # A person recorded twice who withdrew consent in one record is masked in all.
    withdrawn: set[str] = set()
    for group in find_duplicates(graph):
        if not all(has_consent(graph.nx.nodes[m]) for m in group.members):
            withdrawn.update(group.members)
    masked = 0
    for nid in list(graph.nodes(NodeKind.CONTACT)):
        if has_consent(graph.node(nid)) and nid not in withdrawn:
            continue
        _mask(graph, nid)
        masked += 1
    return masked


def _mask(graph: PartnerGraph, nid: str) -> None:
    graph.remove_node_attrs(nid, *PERSONAL_FIELDS)
    graph.set_node_attrs(nid, label=MASKED_LABEL, label_en=MASKED_LABEL_EN, masked=True, consent=False)


def mask_contact(graph: PartnerGraph, nid: str) -> bool:
    """Mask the one contact ``nid`` when it lacks consent, as
    :func:`mask_unconsented` does for all (for a contact recorded once: a
    duplicate's consent is not looked at); True when it was masked."""
    if has_consent(graph.node(nid)):
        return False
    _mask(graph, nid)
    return True


def without_contacts(graph: PartnerGraph) -> PartnerGraph:
    """A copy of ``graph`` without any contact node (and so without their
    ``works_at``/``works_on``/``attended`` edges). Events stay: they are not
    personal data.

    >>> from graph.core.model import PartnerGraph
    >>> g = PartnerGraph(with_laender=False)
    >>> _ = g.add_node("contact", "c1", label="Erika", illustrative=True)
    >>> has_contacts(g), has_contacts(without_contacts(g))
    (True, False)
    """
    keep = [n for n, k in graph.nx.nodes(data="kind") if k != NodeKind.CONTACT.value]
    out = graph.copy(keep)
    out.meta = {k: v for k, v in graph.meta.items() if k != "report"}
    out.meta["contacts_removed"] = True
    return out


def has_contacts(graph: PartnerGraph) -> bool:
    """True when the graph holds at least one contact (personal data)."""
    return next(iter(graph.nodes(NodeKind.CONTACT)), None) is not None


def require_exportable(graph: PartnerGraph, contact_ids: Iterable[str]) -> list[str]:
    """Return ``contact_ids`` as a list; raise :class:`PrivacyError` when any
    of them is not a contact with consent (masked contacts never leave)."""
    ids = list(contact_ids)
    bad = [c for c in ids if kind_of(c) != NodeKind.CONTACT or not has_consent(graph.node(c))]
    if bad:
        raise PrivacyError(f"{len(bad)} contact(s) without consent cannot be exported: {', '.join(bad[:5])}")
    return ids


def exportable_graph(graph: PartnerGraph) -> PartnerGraph:
    """A copy of ``graph`` without contacts that lack consent (for whole-graph
    downloads: masked contacts are never exported)."""
    drop = {n for n in graph.nodes(NodeKind.CONTACT) if not has_consent(graph.nx.nodes[n])}
    if not drop:
        return graph
    return graph.copy([n for n in graph.nx if n not in drop])
