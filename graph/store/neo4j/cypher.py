"""All Cypher the Neo4j store runs, as named constants, and the two dialects.

Values are always query parameters. The only things spliced into statement
text are node labels and relationship types, and they come from our own
enums (:data:`NODE_LABELS`, :data:`RELATIONSHIP_TYPES`), never from data.

Every node Partnernetz writes carries the label :data:`TAG_LABEL` and the
property ``_pn_push`` (the id of the push that last wrote it); every
relationship carries ``_pn_key`` (the edge key of the in-memory multigraph)
and ``_pn_push``. Stale-data removal touches only what carries those tags.

Dialects: ``neo4j`` (default; Neo4j 5 and later, Aura) and ``falkordb``
(FalkorDB over Bolt). They differ only where the servers do (index
statements, shortest paths, string parameters, statement size).

>>> NODE_LABELS[NodeKind.INSTITUTION]
'Institution'
>>> RELATIONSHIP_TYPES[EdgeKind.PARTICIPATES_IN]
'PARTICIPATES_IN'
>>> print(MERGE_NODES[NodeKind.LAND])
UNWIND $rows AS row MERGE (n:Partnernetz {id: row.id}) SET n = row.props, n:Land RETURN count(*) AS written
>>> get_dialect("FalkorDB").name
'falkordb'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.core.errors import StoreError
from graph.core.kinds import EdgeKind, NodeKind

__all__ = [
    "TAG_LABEL",
    "NODE_LABELS",
    "RELATIONSHIP_TYPES",
    "KIND_OF_LABEL",
    "KIND_OF_TYPE",
    "PUSH_LABEL",
    "MERGE_NODES",
    "MERGE_EDGES",
    "CREATE_EDGES",
    "CREATE_NODES",
    "STORED_HASHES",
    "DELETE_OUT_EDGES",
    "SET_OUT_HASH",
    "FORGET_OUT_HASH",
    "EDGE_IDENTITIES",
    "PUSH_STARTED",
    "MARK_REVISION",
    "DELETE_EDGES_BY_KEY",
    "DELETE_NODES_BY_ID",
    "PERSONAL_OF",
    "PUSH_COMPLETE",
    "PUSH_STATUS",
    "COUNT_PUSHED_NODES",
    "COUNT_PUSHED_EDGES",
    "DELETE_STALE_EDGES",
    "DELETE_STALE_NODES",
    "COUNT_NODES",
    "COUNT_EDGES",
    "PULL_NODES",
    "PULL_EDGES",
    "PULL_NODES_WITH_OUT",
    "PING",
    "GET_NODE",
    "COUNTS_BY_KIND",
    "NAMES",
    "OUT_EDGES",
    "IN_EDGES",
    "NEIGHBOURHOOD",
    "EDGES_FROM",
    "FILTER_EDGES",
    "FILTER_NODES",
    "EDGE_KEYS_FROM",
    "DEGREES",
    "DEGREES_AT",
    "NEO4J_DEGREES_AT",
    "NEO4J_ALL_DEGREES",
    "NEO4J_VIEW_PART",
    "NEO4J_VIEW_EDGES",
    "EDGE_KEYS_TOWARDS",
    "NEO4J_OUT_KEYS",
    "NODES_BY_ID",
    "NODE_IDS_OF_KINDS",
    "EXISTING_IDS",
    "NEIGHBOURS",
    "NEO4J_NEIGHBOURS",
    "VERSION_NODES",
    "VERSION_EDGES",
    "EDGES_BETWEEN",
    "NODES_OF_KIND",
    "EDGES_OF_KIND_FROM",
    "OPTION_NODES",
    "DISTINCT_VALUES",
    "PROJECT_YEARS",
    "NEO4J_CONSTRAINT",
    "NEO4J_INDEX",
    "FULLTEXT_INDEX",
    "NEO4J_FULLTEXT",
    "FULLTEXT_SEARCH",
    "FALKORDB_LIST_INDEXES",
    "FALKORDB_INDEX",
    "Dialect",
    "DIALECTS",
    "get_dialect",
    "returned_columns",
    "collected",
    "COLLECTED",
]

#: Label on every node this tool wrote (the tag that scopes deletion).
TAG_LABEL = "Partnernetz"

#: Node label per node kind (CamelCase, as Cypher style has it).
NODE_LABELS: dict[NodeKind, str] = {k: k.value.title() for k in NodeKind}

#: Relationship type per edge kind (UPPER_SNAKE, as Cypher style has it).
RELATIONSHIP_TYPES: dict[EdgeKind, str] = {k: k.value.upper() for k in EdgeKind}

KIND_OF_LABEL: dict[str, NodeKind] = {v: k for k, v in NODE_LABELS.items()}
KIND_OF_TYPE: dict[str, EdgeKind] = {v: k for k, v in RELATIONSHIP_TYPES.items()}

#: Label of the one push marker node (not a :data:`TAG_LABEL` node: never
#: pulled, counted or shown). It says whether the last push completed.
PUSH_LABEL = "PartnernetzPush"

# ------------------------------------------------------------------ writing
#: One statement per node kind: ``$rows`` = ``[{id, props}]``; ``props`` holds
#: every property (id and tags included), so ``SET n = …`` also drops
#: properties that disappeared from the dataset. Returns the rows written.
MERGE_NODES: dict[NodeKind, str] = {
    kind: (f"UNWIND $rows AS row MERGE (n:{TAG_LABEL} {{id: row.id}}) "
           f"SET n = row.props, n:{label} RETURN count(*) AS written")
    for kind, label in NODE_LABELS.items()
}

#: The same as :data:`MERGE_NODES` with ``CREATE``: for a push into a
#: database holding no Partnernetz node (the uniqueness constraint still checks).
CREATE_NODES: dict[NodeKind, str] = {
    kind: f"UNWIND $rows AS row CREATE (n:{TAG_LABEL}:{label}) SET n = row.props RETURN count(*) AS written"
    for kind, label in NODE_LABELS.items()
}

#: What a push compares with: every Partnernetz node's id, content hash and
#: hash of its outgoing relationships (see :func:`graph.store.neo4j.rows.out_hashes`).
STORED_HASHES = f"MATCH (n:{TAG_LABEL}) RETURN n.id AS id, n._pn_hash AS hash, n._pn_out AS out"
#: Remove every Partnernetz relationship leaving the nodes ``$rows`` (ids): a
#: push rewrites a node's outgoing relationships whole when their hash changed.
DELETE_OUT_EDGES = (
    f"UNWIND $rows AS id MATCH (a:{TAG_LABEL} {{id: id}})-[r]->(:{TAG_LABEL}) WHERE r._pn_key IS NOT NULL "
    "DELETE r RETURN count(*) AS written"
)
#: Store the hash of the outgoing relationships (``$rows`` = ``[{id, out}]``,
#: ``out`` null for none), in the transaction that wrote them.
SET_OUT_HASH = (
    f"UNWIND $rows AS row MATCH (a:{TAG_LABEL} {{id: row.id}}) SET a._pn_out = row.out RETURN count(*) AS written"
)
#: Forget that hash for the nodes ``$rows`` (an edit changed their relationships).
FORGET_OUT_HASH = (
    f"UNWIND $rows AS id MATCH (a:{TAG_LABEL} {{id: id}}) REMOVE a._pn_out RETURN count(*) AS written"
)
#: Every Partnernetz relationship by its ends and key (the push's last resort
#: when the database holds relationships the hashes do not know of).
EDGE_IDENTITIES = (
    f"MATCH (a:{TAG_LABEL})-[r]->(b:{TAG_LABEL}) WHERE r._pn_key IS NOT NULL "
    "RETURN a.id AS source, b.id AS target, r._pn_key AS key"
)

#: One statement per edge kind: ``$rows`` = ``[{source, target, key, props}]``.
#: A row whose ends are missing writes nothing and is not counted.
MERGE_EDGES: dict[EdgeKind, str] = {
    kind: (f"UNWIND $rows AS row "
           f"MATCH (a:{TAG_LABEL} {{id: row.source}}) MATCH (b:{TAG_LABEL} {{id: row.target}}) "
           f"MERGE (a)-[r:{rtype} {{_pn_key: row.key}}]->(b) SET r = row.props RETURN count(*) AS written")
    for kind, rtype in RELATIONSHIP_TYPES.items()
}

#: The same as :data:`MERGE_EDGES` with ``CREATE``: for a push into a database
#: holding no Partnernetz relationship (nothing to merge with; no per-row
#: search through a hub's relationships).
CREATE_EDGES: dict[EdgeKind, str] = {
    kind: (f"UNWIND $rows AS row "
           f"MATCH (a:{TAG_LABEL} {{id: row.source}}) MATCH (b:{TAG_LABEL} {{id: row.target}}) "
           f"CREATE (a)-[r:{rtype}]->(b) SET r = row.props RETURN count(*) AS written")
    for kind, rtype in RELATIONSHIP_TYPES.items()
}

#: Mark a push as started (``$marker`` is the marker's id, ``$at`` an ISO
#: time, ``$nodes``/``$edges`` what the push is about to write).
PUSH_STARTED = (
    f"MERGE (m:{PUSH_LABEL} {{id: $marker}}) "
    "SET m.state = $state, m.push_id = $push, m.started_at = $at, m.finished_at = null, "
    "m.nodes = $nodes, m.edges = $edges RETURN m.push_id AS push"
)
#: Mark the push ``$push`` complete, with what it wrote and removed.
PUSH_COMPLETE = (
    f"MATCH (m:{PUSH_LABEL} {{id: $marker}}) WHERE m.push_id = $push "
    "SET m.state = $state, m.finished_at = $at, m.nodes = $nodes, m.edges = $edges, "
    "m.deleted_nodes = $deleted_nodes, m.deleted_edges = $deleted_edges RETURN m.push_id AS push"
)
#: An edit written (:func:`graph.store.neo4j.transfer.apply_delta`): the
#: marker's ``revision`` counts up (part of the dataset version every instance
#: checks), created ``complete`` with ``$push`` when no push made one. Run
#: first in the edit's transaction, it also serialises concurrent edits.
MARK_REVISION = (
    f"MERGE (m:{PUSH_LABEL} {{id: $marker}}) "
    "ON CREATE SET m.state = $state, m.push_id = $push, m.started_at = $at, m.finished_at = $at "
    "SET m.revision = coalesce(m.revision, 0) + 1, m.edited_at = $at "
    "RETURN m.push_id AS push, m.revision AS revision"
)
#: Remove the relationships ``$rows`` = ``[{source, target, key}]`` (by their ends and ``_pn_key``).
DELETE_EDGES_BY_KEY = (
    f"UNWIND $rows AS row MATCH (a:{TAG_LABEL} {{id: row.source}})-[r]->(b:{TAG_LABEL} {{id: row.target}}) "
    "WHERE r._pn_key = row.key DELETE r RETURN count(*) AS written"
)
#: Remove the nodes ``$rows`` (ids) with their relationships.
DELETE_NODES_BY_ID = (
    f"UNWIND $rows AS id MATCH (n:{TAG_LABEL} {{id: id}}) DETACH DELETE n RETURN count(*) AS written"
)
#: The personal fields (name, e-mail) of the nodes ``$ids`` as stored (an erasure scrubs them everywhere).
PERSONAL_OF = f"UNWIND $ids AS id MATCH (n:{TAG_LABEL} {{id: id}}) RETURN n.label AS name, n.email AS email"
#: The push marker's properties (no row before the first push).
PUSH_STATUS = f"MATCH (m:{PUSH_LABEL} {{id: $marker}}) RETURN properties(m) AS props"
#: The end-of-push check in one pass each: all Partnernetz nodes
#: (relationships) and those carrying the push id ``$push``.
COUNT_PUSHED_NODES = (
    f"MATCH (n:{TAG_LABEL}) RETURN count(n) AS total, sum(CASE WHEN n._pn_push = $push THEN 1 ELSE 0 END) AS n"
)
COUNT_PUSHED_EDGES = (
    f"MATCH (:{TAG_LABEL})-[r]->(:{TAG_LABEL}) WHERE r._pn_key IS NOT NULL "
    "RETURN count(r) AS total, sum(CASE WHEN r._pn_push = $push THEN 1 ELSE 0 END) AS n"
)

#: Remove, in batches of ``$limit``, relationships we wrote in an earlier push.
DELETE_STALE_EDGES = (
    f"MATCH (:{TAG_LABEL})-[r]->(:{TAG_LABEL}) "
    "WHERE r._pn_push IS NOT NULL AND r._pn_push <> $push "
    "WITH r LIMIT $limit DELETE r RETURN count(*) AS deleted"
)

#: Remove, in batches of ``$limit``, nodes we wrote in an earlier push.
DELETE_STALE_NODES = (
    f"MATCH (n:{TAG_LABEL}) WHERE n._pn_push <> $push "
    "WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS deleted"
)

# ------------------------------------------------------------------ reading
PING = "RETURN 1 AS ok"
COUNT_NODES = f"MATCH (n:{TAG_LABEL}) RETURN count(n) AS n"
COUNT_EDGES = f"MATCH (:{TAG_LABEL})-[r]->(:{TAG_LABEL}) WHERE r._pn_key IS NOT NULL RETURN count(r) AS n"
PULL_NODES = f"MATCH (n:{TAG_LABEL}) RETURN n.id AS id, properties(n) AS props"
PULL_EDGES = (
    f"MATCH (a:{TAG_LABEL})-[r]->(b:{TAG_LABEL}) WHERE r._pn_key IS NOT NULL "
    "RETURN a.id AS source, b.id AS target, type(r) AS type, properties(r) AS props"
)
#: Every node with its outgoing relationships as ``[target id, properties]``
#: in one record (``neo4j`` dialect): what a pull reads — half the records of
#: :data:`PULL_NODES` then :data:`PULL_EDGES`, streamed as Neo4j finds them.
PULL_NODES_WITH_OUT = (
    f"MATCH (a:{TAG_LABEL}) RETURN a.id AS id, properties(a) AS props, "
    f"[(a)-[r]->(b:{TAG_LABEL}) WHERE r._pn_key IS NOT NULL | [b.id, properties(r)]] AS out"
)

# ------------------------------------------------------------------ queries
# Lists of ids are sent in chunks (FalkorDB limits the rendered statement size).
GET_NODE = f"MATCH (n:{TAG_LABEL} {{id: $id}}) RETURN properties(n) AS props"
NODES_BY_ID = f"MATCH (n:{TAG_LABEL}) WHERE n.id IN $ids RETURN n.id AS id, properties(n) AS props"
NODE_IDS_OF_KINDS = f"MATCH (n:{TAG_LABEL}) WHERE n.kind IN $kinds RETURN n.id AS id"
#: Nodes of ``$kinds`` with only what a filter decides on.
FILTER_NODES = (
    f"MATCH (n:{TAG_LABEL}) WHERE n.kind IN $kinds "
    "RETURN n.id AS id, n {.kind, .status, .start_year, .end_year, .sector, .land, .country} AS props"
)
COUNTS_BY_KIND = f"MATCH (n:{TAG_LABEL}) RETURN n.kind AS kind, count(n) AS n"
#: What a name search needs of every node.
NAMES = (
    f"MATCH (n:{TAG_LABEL}) RETURN n.id AS id, n.kind AS kind, n.label AS label, n.label_en AS label_en, "
    "n.name_de AS name_de, n.name_en AS name_en, n.iso2 AS iso2"
)
#: Which of ``$ids`` exist.
EXISTING_IDS = f"MATCH (n:{TAG_LABEL}) WHERE n.id IN $ids RETURN n.id AS id"
#: Each node of ``$ids`` with every node adjacent to it (either direction),
#: only nodes of the kinds ``$kinds`` (all when null); a node without
#: neighbours comes back once with ``id`` null. One row per pair keeps
#: records small (FalkorDB hangs on records over 64 KB).
NEIGHBOURS = (
    f"MATCH (a:{TAG_LABEL}) WHERE a.id IN $ids "
    f"OPTIONAL MATCH (a)-[r]-(b:{TAG_LABEL}) WHERE r._pn_key IS NOT NULL AND ($kinds IS NULL OR b.kind IN $kinds) "
    "RETURN DISTINCT a.id AS source, b.id AS id"
)
#: The same in one row per node of ``$ids`` (``neo4j`` dialect): its
#: adjacent ids as a list (repeated for parallel relationships).
NEO4J_NEIGHBOURS = (
    f"MATCH (a:{TAG_LABEL}) WHERE a.id IN $ids "
    f"RETURN a.id AS source, [(a)-[r]-(b:{TAG_LABEL}) WHERE r._pn_key IS NOT NULL | b.id] AS ids"
)
#: Relationships leaving the nodes of ``$ids``, with the node at the other end.
OUT_EDGES = (
    f"MATCH (a:{TAG_LABEL})-[r]->(b:{TAG_LABEL}) WHERE a.id IN $ids AND r._pn_key IS NOT NULL "
    "RETURN a.id AS source, b.id AS target, properties(r) AS props, properties(b) AS other"
)
#: Relationships entering the nodes of ``$ids``, with the node at the other end.
IN_EDGES = (
    f"MATCH (a:{TAG_LABEL})-[r]->(b:{TAG_LABEL}) WHERE b.id IN $ids AND r._pn_key IS NOT NULL "
    "RETURN a.id AS source, b.id AS target, properties(r) AS props, properties(a) AS other"
)
#: One breadth-first step: the nodes adjacent to ``$ids`` (either direction)
#: over relationships of the edge kinds ``$kinds`` (all when null).
NEIGHBOURHOOD = (
    f"MATCH (a:{TAG_LABEL})-[r]-(b:{TAG_LABEL}) WHERE a.id IN $ids AND r._pn_key IS NOT NULL "
    "AND ($kinds IS NULL OR r.kind IN $kinds) RETURN DISTINCT b.id AS id"
)
#: Every relationship leaving a node of ``$ids`` (the caller keeps those whose target it wants).
EDGES_FROM = (
    f"MATCH (a:{TAG_LABEL})-[r]->(b:{TAG_LABEL}) WHERE a.id IN $ids AND r._pn_key IS NOT NULL "
    "RETURN a.id AS source, b.id AS target, properties(r) AS props"
)
#: Every relationship between nodes of the kinds ``$kinds`` (key and kind only).
FILTER_EDGES = (
    f"MATCH (a:{TAG_LABEL})-[r]->(b:{TAG_LABEL}) "
    "WHERE a.kind IN $kinds AND b.kind IN $kinds AND r._pn_key IS NOT NULL "
    "RETURN a.id AS source, b.id AS target, r {._pn_key, .kind} AS props"
)
#: The keys of the relationships leaving the nodes of ``$ids``.
EDGE_KEYS_FROM = (
    f"MATCH (a:{TAG_LABEL})-[r]->(b:{TAG_LABEL}) WHERE a.id IN $ids AND r._pn_key IS NOT NULL "
    "RETURN a.id AS source, b.id AS target, r._pn_key AS key"
)
#: The keys of the relationships leaving the nodes of ``$ids`` towards nodes of
#: ``$all`` (a hub's few relationships into a view, not its thousands).
EDGE_KEYS_TOWARDS = (
    f"UNWIND $ids AS id MATCH (a:{TAG_LABEL} {{id: id}})-[r]->(b:{TAG_LABEL}) "
    "WHERE r._pn_key IS NOT NULL AND b.id IN $all RETURN a.id AS source, b.id AS target, r._pn_key AS key"
)
#: Number of relationships (either direction) at each node of ``$ids``.
DEGREES = (
    f"MATCH (n:{TAG_LABEL}) WHERE n.id IN $ids "
    f"OPTIONAL MATCH (n)-[r]-(:{TAG_LABEL}) WHERE r._pn_key IS NOT NULL "
    "RETURN n.id AS id, count(r) AS degree"
)
#: The same by position: for each position ``i`` of the list ``$ids``, the
#: number of relationships at the node ``$ids[i]`` (unknown ids give no
#: row). Rows of two integers keep replies small (FalkorDB answers replies
#: over 4 KB ~44 ms late); the caller maps ``i`` back to its id.
DEGREES_AT = (
    f"UNWIND range(0, size($ids) - 1) AS i MATCH (n:{TAG_LABEL} {{id: $ids[i]}}) "
    f"OPTIONAL MATCH (n)-[r]-(:{TAG_LABEL}) WHERE r._pn_key IS NOT NULL "
    "RETURN i, count(r) AS degree"
)
#: The same in Neo4j 5 (``neo4j`` dialect): the count Neo4j keeps per node
#: and relationship type (no relationship read), over this tool's types.
NEO4J_DEGREES_AT = (
    f"UNWIND range(0, size($ids) - 1) AS i MATCH (n:{TAG_LABEL} {{id: $ids[i]}}) "
    f"RETURN i AS i, COUNT {{ (n)-[:{'|'.join(RELATIONSHIP_TYPES.values())}]-() }} AS degree"
)
#: Every node's degree in one record (``neo4j`` dialect; Neo4j's kept counts, no
#: relationship read): the per-version table the cuts of large views rank by.
NEO4J_ALL_DEGREES = (
    f"MATCH (n:{TAG_LABEL}) WHERE n.id IS NOT NULL "
    f"RETURN collect([n.id, COUNT {{ (n)-[:{'|'.join(RELATIONSHIP_TYPES.values())}]-() }}]) AS pairs"
)
#: The relationships leaving each node of ``$ids`` as ``[target, key]`` (no
#: attributes): the per-version topology is read with this, 20,000 nodes a statement.
NEO4J_OUT_KEYS = (
    f"UNWIND $ids AS id MATCH (a:{TAG_LABEL} {{id: id}}) "
    f"RETURN a.id AS id, [(a)-[r]->(b:{TAG_LABEL}) WHERE r._pn_key IS NOT NULL | [b.id, r._pn_key]] AS out"
)
#: A large view's part in one pass (``neo4j`` dialect): for each node of
#: ``$ids`` that exists, its degree (Neo4j's kept counts) and the
#: relationships leaving it towards nodes of ``$all`` (the whole view) as
#: ``[target, key]`` — no attributes: a view of thousands of nodes is cut to
#: a few hundred, whose attributes are read afterwards.
NEO4J_VIEW_PART = (
    f"UNWIND $ids AS id MATCH (a:{TAG_LABEL} {{id: id}}) "
    f"RETURN a.id AS id, COUNT {{ (a)-[:{'|'.join(RELATIONSHIP_TYPES.values())}]-() }} AS degree, "
    f"[(a)-[r]->(b:{TAG_LABEL}) WHERE r._pn_key IS NOT NULL AND b.id IN $all | [b.id, r._pn_key]] AS out"
)
#: The same without the degrees (the per-version degree table has them).
NEO4J_VIEW_EDGES = (
    f"UNWIND $ids AS id MATCH (a:{TAG_LABEL} {{id: id}}) "
    f"RETURN a.id AS id, "
    f"[(a)-[r]->(b:{TAG_LABEL}) WHERE r._pn_key IS NOT NULL AND b.id IN $all | [b.id, r._pn_key]] AS out"
)

#: The dataset version (a cheap stamp for caches): how many nodes Partnernetz
#: wrote and the push ids they carry (after a push all carry the same one).
VERSION_NODES = (
    f"MATCH (n:{TAG_LABEL}) RETURN count(n) AS nodes, min(n._pn_push) AS first, max(n._pn_push) AS last"
)
#: Number of relationships in the database (a count Neo4j keeps; part of the version).
VERSION_EDGES = "MATCH ()-[r]->() RETURN count(r) AS edges"
#: Relationships from ``p[0]`` to ``p[1]`` for each pair of ``$pairs`` (send
#: both orientations for either direction), with their properties.
EDGES_BETWEEN = (
    f"UNWIND $pairs AS p MATCH (a:{TAG_LABEL} {{id: p[0]}})-[r]->(b:{TAG_LABEL} {{id: p[1]}}) "
    "WHERE r._pn_key IS NOT NULL RETURN a.id AS source, b.id AS target, properties(r) AS props"
)
#: Every node of kind ``$kind`` with all its properties (e.g. the contacts).
NODES_OF_KIND = f"MATCH (n:{TAG_LABEL}) WHERE n.kind = $kind RETURN n.id AS id, properties(n) AS props"
#: Relationships of kind ``$edge_kind`` leaving nodes of kind ``$kind``.
EDGES_OF_KIND_FROM = (
    f"MATCH (a:{TAG_LABEL})-[r]->(b:{TAG_LABEL}) WHERE a.kind = $kind AND r.kind = $edge_kind "
    "AND r._pn_key IS NOT NULL RETURN a.id AS source, b.id AS target, properties(r) AS props"
)
#: Names of the nodes of ``$kinds`` (the choices of the explorer's filters).
OPTION_NODES = (
    f"MATCH (n:{TAG_LABEL}) WHERE n.kind IN $kinds "
    "RETURN n.id AS id, n.kind AS kind, n.label AS label, n.label_en AS label_en"
)
#: Distinct values of the property ``$field`` among nodes of kind ``$kind``.
DISTINCT_VALUES = (
    f"MATCH (n:{TAG_LABEL}) WHERE n.kind = $kind AND n[$field] IS NOT NULL RETURN DISTINCT n[$field] AS value"
)
#: First start year and last end (or start) year of the projects.
PROJECT_YEARS = (
    f"MATCH (n:{TAG_LABEL}) WHERE n.kind = $kind "
    "RETURN min(n.start_year) AS first, max(coalesce(n.end_year, n.start_year)) AS last"
)

# ------------------------------------------------------------ schema (per dialect)
NEO4J_CONSTRAINT = (
    f"CREATE CONSTRAINT partnernetz_id IF NOT EXISTS FOR (n:{TAG_LABEL}) REQUIRE n.id IS UNIQUE"
)
NEO4J_INDEX = f"CREATE INDEX partnernetz_id IF NOT EXISTS FOR (n:{TAG_LABEL}) ON (n.id)"
#: Name of the full-text index over the folded names a push writes
#: (``_pn_names``, see :func:`graph.store.neo4j.rows.node_rows`) and the
#: names themselves (so a node written by hand is found too), created with the constraint.
FULLTEXT_INDEX = "partnernetz_search"
NEO4J_FULLTEXT = (
    f"CREATE FULLTEXT INDEX {FULLTEXT_INDEX} IF NOT EXISTS FOR (n:{TAG_LABEL}) "
    "ON EACH [n._pn_names, n.label, n.label_en, n.name_de, n.name_en]"
)
#: Candidates of a name search: the Lucene query ``$search`` on the index ``$index``.
FULLTEXT_SEARCH = (
    "CALL db.index.fulltext.queryNodes($index, $search, {limit: $limit}) YIELD node, score "
    "RETURN node.id AS id, node.kind AS kind, node.label AS label, node.label_en AS label_en, "
    "node.name_de AS name_de, node.name_en AS name_en, node.iso2 AS iso2, score"
)
FALKORDB_LIST_INDEXES = "CALL db.indexes() YIELD label, properties RETURN label, properties"
FALKORDB_INDEX = f"CREATE INDEX FOR (n:{TAG_LABEL}) ON (n.id)"


def returned_columns(query: str) -> list[str] | None:
    """The column names of ``query``'s final ``RETURN`` (each ``… AS name``),
    None when a column has no plain alias.

    >>> returned_columns("MATCH (n) WHERE n.id IN $ids RETURN DISTINCT n.id AS id, properties(n) AS props")
    ['id', 'props']
    """
    head, sep, tail = query.rpartition(" RETURN ")
    if not sep:
        return None
    tail = tail.removeprefix("DISTINCT ")
    columns, depth, part = [], 0, ""
    for ch in tail + ",":
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            expr, alias_sep, alias = part.strip().rpartition(" AS ")
            if not alias_sep or not alias.isidentifier():
                return None
            columns.append(alias)
            part = ""
        else:
            part += ch
    return columns


def collected(query: str, columns: list[str]) -> str:
    """``query`` answering in one record: its rows as a list of ``[column
    values]`` in ``rows`` (Neo4j 5 ``CALL { … }``). The driver's cost per
    record — a third of a millisecond on a busy machine — is then paid once
    instead of per row (FalkorDB hangs on records over 64 KB: not there).

    >>> collected("MATCH (n) RETURN n.id AS id", ["id"])
    'CALL { MATCH (n) RETURN n.id AS id } RETURN collect([id]) AS rows'
    """
    return f"CALL {{ {query} }} RETURN collect([{', '.join(columns)}]) AS rows"


#: The per-id reads of query mode answering in one record (``neo4j``
#: dialect), each built once from its constant: ``{statement: (collected
#: statement, column names)}``.
COLLECTED: dict[str, tuple[str, list[str]]] = {
    query: (collected(query, columns), columns)
    for query in (NODES_BY_ID, NEIGHBOURS, NEO4J_NEIGHBOURS, OUT_EDGES, IN_EDGES, NEIGHBOURHOOD, EDGES_FROM,
                  EDGE_KEYS_FROM, EDGE_KEYS_TOWARDS, EXISTING_IDS, NEO4J_DEGREES_AT, NEO4J_VIEW_PART, NEO4J_VIEW_EDGES,
                  NEO4J_OUT_KEYS, EDGES_BETWEEN)
    for columns in [returned_columns(query)] if columns
}


@dataclass(frozen=True)
class Dialect:
    """What differs between the servers the store talks to.

    ``escape_strings``: FalkorDB splices string parameters into the query
    text without escaping, so ``'`` and ``\\`` are escaped before sending.
    ``max_statement_bytes``: FalkorDB renders parameters into a 4 KB buffer;
    batches are cut by rendered size (0 = no limit).
    ``native_dates``: complete dates are stored as ``DATE`` (FalkorDB crashes
    when returning temporal values: ISO strings there).
    ``fulltext``: a full-text index answers name searches.
    ``tx_timeout``: a query may carry a transaction timeout (measured:
    FalkorDB then ignores the parameters and answers nothing).
    ``nested_records``: a pull reads one record per node with its
    relationships in a list (FalkorDB hangs on records over 64 KB).
    ``default_batch_size``: rows per write transaction (Neo4j: big batches,
    one transaction each, measured fastest; FalkorDB: its statement limit).
    """

    name: str
    escape_strings: bool
    max_statement_bytes: int
    default_batch_size: int
    native_dates: bool = False
    fulltext: bool = False
    tx_timeout: bool = False
    nested_records: bool = False

    def prepare(self, value: Any) -> Any:
        """A parameter value as this server needs it (see ``escape_strings``)."""
        if not self.escape_strings:
            return value
        return _escape(value)


def _escape(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("'", "\\'")
    if isinstance(value, list):
        return [_escape(v) for v in value]
    if isinstance(value, dict):
        return {k: _escape(v) for k, v in value.items()}
    return value


DIALECTS: dict[str, Dialect] = {
    "neo4j": Dialect("neo4j", escape_strings=False, max_statement_bytes=0, default_batch_size=10_000,
                     native_dates=True, fulltext=True, tx_timeout=True, nested_records=True),
    "falkordb": Dialect("falkordb", escape_strings=True, max_statement_bytes=3800, default_batch_size=200),
}


def get_dialect(name: str | Dialect | None) -> Dialect:
    """The dialect called ``name`` (``neo4j`` when None); raises ``StoreError`` otherwise."""
    if isinstance(name, Dialect):
        return name
    key = (name or "neo4j").strip().lower()
    try:
        return DIALECTS[key]
    except KeyError:
        raise StoreError(f"unknown Cypher dialect {name!r} (expected one of: {', '.join(DIALECTS)})") from None
