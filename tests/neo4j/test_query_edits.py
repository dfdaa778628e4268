"""Query mode: an edit is written to Neo4j in one transaction and seen by
every instance; an erased person leaves no trace in Neo4j.

Two app instances, each with its own workspace file, answer from one
database (both servers). Atomicity (a failing edit changes nothing) only on
the real Neo4j: FalkorDB acknowledges and ignores transactions.
"""

from __future__ import annotations

import json

import pytest

from dashboard.access import ENV_TOKENS
from dashboard.app import create_app
from dashboard.settings import Settings
from graph.core.errors import StoreError
from graph.core.text import fold
from graph.store import FallbackStore, MemoryStore
from loaders.workspace import load_workspace
from loaders.workspace.consent import erase_person
from loaders.workspace.editing import create_record, update_record
from loaders.workspace.location import create_workspace
from loaders.workspace.shared_history import RECORD_LABEL, publish_to_store, shared_versions, write_edit

pytestmark = pytest.mark.neo4j

ADMIN_TOKEN = "token-admin-query-edits-0123"


@pytest.fixture
def clean_peer(peer):
    """The server without earlier version records (a real Neo4j keeps nodes without the Partnernetz label)."""
    peer.run(f"MATCH (n:{RECORD_LABEL}) DETACH DELETE n")
    peer.run("MATCH (n:PartnernetzHistory) DETACH DELETE n")
    return peer


@pytest.fixture
def two_instances(clean_peer, tmp_path):
    """Workspaces A and B (the sample), A's version 1 published; a store per instance."""
    a = create_workspace(tmp_path / "a.sqlite", sample=True, user="a")
    b = create_workspace(tmp_path / "b.sqlite", sample=True, user="b")
    store_a, store_b = clean_peer.store(refresh_interval=0), clean_peer.store(refresh_interval=0)
    publish_to_store(store_a, a, a.version(1), audit_log=str(tmp_path / "audit.jsonl"))
    return a, b, store_a, store_b


def _institution(ws) -> tuple[str, dict[str, str]]:
    with ws.connect() as con:
        key = con.execute("SELECT _key FROM institutions ORDER BY _key LIMIT 1").fetchone()[0]
    return key, {}


def test_an_edit_is_written_as_a_change_and_seen_by_the_other_instance(two_instances, tmp_path):
    a, b, store_a, store_b = two_instances
    key, _ = _institution(a)
    node = f"institution:{key}"
    before_version = store_b.version()
    seen_before = store_b.node(node)  # B has the node cached
    edited = update_record(a, "institutions", key, {"name": "Umbenannt durch eine Bearbeitung"}, user="anna",
                           message="Name korrigiert")
    written = write_edit(store_a, a, edited.version, audit_log=str(tmp_path / "audit.jsonl"))
    assert written.how == "delta" and written.counts["nodes"] == 1 and written.counts["removed_nodes"] == 0
    # B (its own store and caches) sees the new name at its next version check
    assert store_b.version() != before_version
    assert store_b.node(node)["label"] == "Umbenannt durch eine Bearbeitung" != seen_before["label"]
    assert store_b.search("Umbenannt durch")[0].node_id == node
    # the version record: in the same transaction, listed by every instance
    newest = shared_versions(store_b)[0]
    assert (newest.kind, newest.user, newest.message, newest.workspace_version) == (
        "edit", "anna", "Name korrigiert", edited.version.id)
    # a new record with a relation: the node and its relationships arrive
    created = create_record(a, "themes", {"id": "meeresschutz", "name_de": "Meeresschutz", "name_en": "Marine"},
                            user="anna")
    write_edit(store_a, a, created.version)
    part = create_record(a, "participations", {"project": _any(a, "projects"), "institution": key,
                                               "role": "implementing"}, user="anna")
    assert write_edit(store_a, a, part.version).counts["edges"] >= 1
    expected = load_workspace(a)[1].graph
    assert store_b.count() == (len(expected), expected.nx.number_of_edges())
    pulled = store_b.pull().graph
    assert pulled.node("theme:meeresschutz")["label"] == "Meeresschutz"
    assert set(pulled.nx.edges(keys=True)) == set(expected.nx.edges(keys=True))
    assert [h.workspace_version for h in shared_versions(store_a)[:3]] == [part.version.id, created.version.id,
                                                                          edited.version.id]


def _any(ws, table: str) -> str:
    with ws.connect() as con:
        return con.execute(f"SELECT _key FROM {table} ORDER BY _key LIMIT 1").fetchone()[0]


def test_an_edit_that_could_not_be_written_is_written_with_the_next(two_instances, tmp_path):
    """Neo4j down at one save: the version stays in the workspace; the next
    save writes the change from the last version this instance wrote."""
    a, _b, store_a, store_b = two_instances
    key = _any(a, "institutions")
    first = update_record(a, "institutions", key, {"name": "Erste Änderung"}, user="anna")

    class Down:
        def __getattr__(self, name):
            raise StoreError("bolt://127.0.0.1:9: server not reachable")

    with pytest.raises(StoreError):
        write_edit(Down(), a, first.version)
    second = update_record(a, "institutions", key, {"website": "https://example.org/neu"},
                           user="anna")
    write_edit(store_a, a, second.version)
    got = store_b.node(f"institution:{key}")
    assert got["label"] == "Erste Änderung" and got["website"] == "https://example.org/neu"


@pytest.mark.neo4j_only  # FalkorDB ignores transactions (every statement commits)
def test_a_failing_edit_changes_nothing_in_neo4j(two_instances, peer):
    if peer.dialect != "neo4j":  # an external server (NEO4J_TEST_URI) that is not Neo4j
        pytest.skip("this server ignores transactions: atomicity needs Neo4j")
    a, _b, store_a, store_b = two_instances
    key = _any(a, "institutions")
    edited = update_record(a, "institutions", key, {"name": "Nie geschrieben"}, user="anna")
    old, new = load_workspace(a, 1)[1].graph, load_workspace(a, edited.version.id)[1].graph
    delta = store_a.delta(old, new)
    revision = store_b.push_status().revision

    def fail_after_writing(run, secrets):
        assert run("MATCH (n:Partnernetz {id: $id}) RETURN n.label AS l", id=f"institution:{key}")[0]["l"] == \
            "Nie geschrieben"  # written inside the transaction …
        raise StoreError("stopped in the middle of the edit")

    with pytest.raises(StoreError, match="stopped in the middle"):
        store_a.apply(delta, within=fail_after_writing)
    assert store_b.node(f"institution:{key}")["label"] != "Nie geschrieben"  # … and rolled back
    assert store_b.push_status().revision == revision


def _one_person(con) -> tuple[str, str, str]:
    """A contact whose name and e-mail no other record holds, even folded
    (the sample records Jürgen Müller twice, once as Juergen Mueller)."""
    rows = con.execute("SELECT _key, name, email FROM contacts WHERE name <> '' AND email <> '' ORDER BY _key").fetchall()
    for key, name, email in rows:
        others = [fold(f"{n} {e}") for k, n, e in rows if k != key]
        if not any(fold(name) in o or fold(email) in o for o in others):
            return key, name, email
    raise AssertionError("no contact with a name of its own")


def _traces(peer, secrets: list[str]) -> list[str]:
    """Every property of every node and relationship in the database that
    holds one of ``secrets`` (compared folded: case, accents, umlauts)."""
    folded = [fold(s) for s in secrets]
    found = []
    rows = peer.run("MATCH (n) RETURN labels(n) AS what, properties(n) AS props")
    rows += peer.run("MATCH ()-[r]->() RETURN type(r) AS what, properties(r) AS props")
    for row in rows:
        for name, value in row["props"].items():
            text = fold(json.dumps(value, ensure_ascii=False, default=str))
            if any(s in text for s in folded):
                found.append(f"{row['what']}.{name} = {value!r}")
    return found


def test_erasure_leaves_no_trace_of_the_person_in_neo4j(two_instances, peer, tmp_path):
    a, _b, store_a, store_b = two_instances
    with a.connect() as con:
        key, name, email = _one_person(con)
    secrets = [name, email]
    assert _traces(peer, secrets)  # the person is in Neo4j …
    # … and an edit's message names them (the shared history keeps it)
    edited = update_record(a, "contacts", key, {"role": "Leitung"}, user="anna", message=f"Rolle von {name} geändert")
    write_edit(store_a, a, edited.version)
    assert any(name in h.message for h in shared_versions(store_b))
    erased = erase_person(a, key, user="admin")
    written = write_edit(store_a, a, erased.version)  # the tombstone says who was erased
    assert written.how == "delta" and written.counts["removed_nodes"] >= 0
    assert _traces(peer, secrets) == []
    assert f"contact:{key}" not in store_b.pull().graph.nx
    assert all(name not in h.message for h in shared_versions(store_b))
    if peer.dialect == "neo4j":  # the full-text index gives no hit for any part of the name or e-mail
        words = {w for s in secrets for w in fold(s).replace("@", " ").replace(".", " ").split() if len(w) >= 3}
        for word in sorted(words):
            hits = peer.run("CALL db.index.fulltext.queryNodes('partnernetz_search', $q) YIELD node "
                            "RETURN node.id AS id, properties(node) AS props", q=f"{word}*")
            assert all(h["id"] != f"contact:{key}" for h in hits)
            assert not [h for h in hits if any(fold(s) in fold(json.dumps(h["props"], default=str))
                                                for s in secrets)]


def test_the_api_in_query_mode_writes_edits_and_erasures_to_neo4j(two_instances, peer, tmp_path, monkeypatch):
    """The save path of the UI and the API (``dashboard.edit_service.save``) in
    a query-mode app: PATCH and erase through ``/api/v1`` reach Neo4j."""
    a, _b, _store_a, store_b = two_instances
    monkeypatch.setenv(ENV_TOKENS, f"admin-client:admin:{ADMIN_TOKEN}")
    _, result = load_workspace(a)
    store = FallbackStore(peer.store(contacts="masked", refresh_interval=0), MemoryStore(result.graph))
    app = create_app(result.graph, Settings(workspace=str(a.path), is_sample=False,
                                            audit_log=str(tmp_path / "audit.jsonl")), store=store)
    client = app.server.test_client()
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    key = _any(a, "institutions")
    answer = client.patch(f"/api/v1/tables/institutions/{key}", json={"values": {"name": "Per API umbenannt"}},
                          headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["live"] is True and not [w for w in body["warnings"] if w["code"] == "store"]
    assert store_b.node(f"institution:{key}")["label"] == "Per API umbenannt"
    with a.connect() as con:
        contact, name, _email = _one_person(con)
    answer = client.post(f"/api/v1/contacts/{contact}/erase", headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert f"contact:{contact}" not in store_b.pull().graph.nx and _traces(peer, [name]) == []
    # Neo4j gone: the save stays in the workspace and the answer says it was not written
    store.primary = None
    answer = client.patch(f"/api/v1/tables/institutions/{key}", json={"values": {"name": "Nur lokal"}},
                          headers=headers)
    body = answer.get_json()
    assert answer.status_code == 200 and body["live"] is False
    assert [w["code"] for w in body["warnings"]] == ["store"] and "not yet written to Neo4j" in body["warnings"][0]["problem"]
