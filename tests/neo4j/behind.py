"""Writes to the test server behind a running app's back: a project (and one
institution's participation) that only Neo4j knows, so a test can tell answers
from Neo4j apart from answers out of any copy the app holds."""

from __future__ import annotations

__all__ = ["NEW", "NEW_LABEL", "NEW_SOURCE", "INSTITUTION", "add_project_in_neo4j_only"]

NEW = "project:NEO4J-ONLY"
NEW_LABEL = "Nur in Neo4j"
NEW_SOURCE = "https://example.org/neu"
INSTITUTION = "institution:hlft"


def add_project_in_neo4j_only(peer) -> None:
    """Create project NEW (started 2025, active) and INSTITUTION's participation in it,
    tagged with the current push id like data the tool wrote."""
    push = peer.run("MATCH (n:Partnernetz) RETURN n._pn_push AS push LIMIT 1")[0]["push"]
    peer.run("CREATE (p:Partnernetz:Project {id: $id, kind: 'project', label: $label, source: $source, "
             "status: 'active', start_year: 2025, start: '2025', _pn_push: $push})",
             id=NEW, label=NEW_LABEL, source=NEW_SOURCE, push=push)
    peer.run("MATCH (a:Partnernetz {id: $a}) MATCH (p:Partnernetz {id: $p}) "
             "CREATE (a)-[:PARTICIPATES_IN {_pn_key: 'participates_in', kind: 'participates_in', "
             "role: 'partner', _pn_push: $push}]->(p)", a=INSTITUTION, p=NEW, push=push)
