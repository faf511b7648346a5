"""Property test: what each account sees through the API equals an independent oracle.

The oracle is written from the sharing rules alone (audience own / channel / network; the
origin always sees its own; channel membership as it is now; TLP:RED never to the network)
and knows nothing of the SQL predicate. It is checked through listing with small pages,
reading each object and its versions, text search and cursors, before and after a change
of channel membership, on SQLite and on PostgreSQL. Objects are threat actors (SDOs, their
versions in one bundle) and cyber-observables (SCOs: no timestamps, each version a payload
of its own, the latest the last posted), some posted again (an unchanged re-post).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.api import create_app
from accord.config import Settings
from accord.federation.collections import collection_id
from accord.store.engine import make_engine, migrate
from tests.conftest import BACKENDS, PG_URL, Database, Node, _pg_schema
from tests.stix_factory import OBSERVABLE_TYPES, observable

TLPS = ["clear", "green", "amber", "amber+strict", "red"]
KINDS = ["threat-actor", "threat-actor", *OBSERVABLE_TYPES]
WORDS = ["alpha", "bravo", "charlie"]


@dataclass
class Spec:
    publisher: int
    audience: int  # -1 own, -2 network, else a channel index
    tlp: str
    versions: int
    word: str
    kind: str = "threat-actor"
    repost: bool = False


@st.composite
def worlds(draw: st.DrawFn) -> dict[str, Any]:
    n_parties = draw(st.integers(2, 4))
    channels = draw(
        st.lists(
            st.sets(st.integers(0, n_parties - 1), min_size=2, max_size=n_parties),
            max_size=3,
        )
    )
    specs = draw(
        st.lists(
            st.builds(
                Spec,
                publisher=st.integers(0, n_parties - 1),
                audience=st.integers(-2, len(channels) - 1),
                tlp=st.sampled_from(TLPS),
                versions=st.integers(1, 2),
                word=st.sampled_from(WORDS),
                kind=st.sampled_from(KINDS),
                repost=st.booleans(),
            ),
            min_size=1,
            max_size=10,
        )
    )
    change = None
    if channels:
        channel = draw(st.integers(0, len(channels) - 1))
        party = draw(st.integers(0, n_parties - 1))
        change = (channel, party)
    return {
        "parties": n_parties,
        "channels": [sorted(c) for c in channels],
        "specs": specs,
        "change": change,
    }


def oracle(
    world: dict[str, Any], members: list[set[int]], published: list[dict[str, Any]], party: int
) -> dict[str, dict[str, Any]]:
    """id -> published record, for what ``party`` may see; written from the rules only."""
    seen = {}
    for record in published:
        audience = record["spec"].audience
        if (
            record["spec"].publisher == party
            or audience == -2
            or (audience >= 0 and party in members[audience])
        ):
            seen[record["id"]] = record
    return seen


def _node_for(backend: str, tmp: Path) -> tuple[Node, Any]:
    if backend == "sqlite":
        url = f"sqlite:///{tmp / (uuid.uuid4().hex + '.db')}"
        engine = make_engine(url)
        migrate(engine)
        database = Database(backend, url, None, engine)
        cleanup = None
    else:
        assert PG_URL
        schemas = _pg_schema(PG_URL)
        schema = next(schemas)
        engine = make_engine(PG_URL, schema=schema)
        migrate(engine)
        database = Database(backend, PG_URL, schema, engine)
        cleanup = schemas
    settings = Settings(database_url=database.url, misp_warning_lists=0)
    client = TestClient(create_app(settings, engine))
    return Node(database, client), cleanup


def list_all(node: Node, account: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {"limit": 3, **params, **({"cursor": cursor} if cursor else {})}
        response = node.client.get("/api/v1/objects", params=query, headers=node.headers(account))
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["items"])
        assert len(body["items"]) <= 3
        if not body["more"]:
            assert body["next"] is None
            return items
        cursor = body["next"]


def check_views(
    node: Node, world: dict[str, Any], members: list[set[int]], published: list[dict[str, Any]]
) -> None:
    all_ids = {record["id"] for record in published}
    missing = f"threat-actor--{uuid.uuid4()}"
    for party in range(world["parties"]):
        account = f"a{party}"
        expected = oracle(world, members, published, party)
        listed = list_all(node, account)
        assert {i["object"]["id"]: i["object"] for i in listed} == {
            k: v["latest"] for k, v in expected.items()
        }
        for word in WORDS:  # names: threat actors' and files' (other SCOs have none)
            hits = {i["object"]["id"] for i in list_all(node, account, q=word)}
            assert hits == {k for k, v in expected.items() if word in v["latest"].get("name", "")}
        absent = node.client.get(f"/api/v1/objects/{missing}", headers=node.headers(account))
        for stix_id in all_ids:
            got = node.client.get(f"/api/v1/objects/{stix_id}", headers=node.headers(account))
            versions = node.client.get(
                f"/api/v1/objects/{stix_id}/versions", headers=node.headers(account)
            )
            if stix_id in expected:
                assert got.status_code == 200
                assert len(versions.json()["versions"]) == expected[stix_id]["spec"].versions
            else:  # indistinguishable from an object that does not exist
                assert got.status_code == versions.status_code == 404
                assert got.json()["detail"].replace(stix_id, missing) == absent.json()["detail"]
        # Through TAXII a party reads its collections: its own audience, the network and the
        # channels it is in now. Its objects in a channel it has left stay readable by REST.
        collections = {
            k
            for k, v in expected.items()
            if v["spec"].audience < 0 or party in members[v["spec"].audience]
        }
        assert taxii_view(node, account, members, party) == collections
        # Through the MISP doors: every event's origin tag names a party whose objects the
        # oracle lets it see (objects not made by misp-stix: one event per origin), and a
        # channel's feed it is not in answers like one that does not exist.
        origins = {f"p{v['spec'].publisher}" for k, v in expected.items()}
        assert misp_origins(node, account) == origins
        for index, member_set in enumerate(members):
            if party not in member_set:
                url = f"/misp/feeds/{collection_id(f'c{index}')}/manifest.json"
                assert node.client.get(url, headers=node.headers(account)).status_code == 404


def misp_origins(node: Node, account: str) -> set[str]:
    """The origins of the MISP events the account exports (GET /api/v1/misp/events)."""
    response = node.client.get("/api/v1/misp/events", headers=node.headers(account))
    assert response.status_code == 200, response.text
    tags = {t["name"] for e in response.json() for t in e["Event"].get("Tag", [])}
    prefix = 'accord:origin="'
    return {t.removeprefix(prefix).rstrip('"') for t in tags if t.startswith(prefix)}


def taxii_view(node: Node, account: str, members: list[set[int]], party: int) -> set[str]:
    """Everything the account reads through its TAXII collections, page by page; a channel
    it is not in must answer exactly like a collection that does not exist."""
    seen: set[str] = set()
    audiences = ["own", "network"] + [f"c{i}" for i, m in enumerate(members) if party in m]
    headers = {**node.headers(account), "Accept": "application/taxii+json;version=2.1"}
    for audience in audiences:
        url = f"/taxii2/api/collections/{collection_id(audience)}/objects/"
        params: dict[str, Any] = {"limit": 2}
        while True:
            body = node.client.get(url, params=params, headers=headers).json()
            seen |= {o["id"] for o in body.get("objects", [])}
            if not body["more"]:
                break
            params = {"limit": 2, "next": body["next"]}
    for index, member_set in enumerate(members):
        if party not in member_set:
            url = f"/taxii2/api/collections/{collection_id(f'c{index}')}/objects/"
            hidden = node.client.get(url, headers=headers)
            absent = node.client.get(
                f"/taxii2/api/collections/{uuid.uuid4()}/objects/", headers=headers
            )
            assert hidden.status_code == absent.status_code == 404
    return seen


def versions_of(spec: Spec) -> list[dict[str, Any]]:
    """The versions a spec publishes: a threat actor renamed, or an observable (deterministic
    id) whose later version is marked defanged."""
    if spec.kind == "threat-actor":
        stix_id = f"threat-actor--{uuid.uuid4()}"
        return [
            {
                "type": "threat-actor",
                "spec_version": "2.1",
                "id": stix_id,
                "created": "2026-01-01T00:00:00Z",
                "modified": f"2026-01-0{v + 1}T00:00:00Z",
                "name": f"{spec.word} v{v}",
            }
            for v in range(spec.versions)
        ]
    first = observable(spec.kind, f"{spec.word}-{uuid.uuid4().hex[:12]}")
    return [first, {**first, "defanged": True}][: spec.versions]


def publish(node: Node, spec: Spec, audience: str, objects: list[dict[str, Any]]) -> Any:
    return node.client.post(
        "/api/v1/objects",
        params={"audience": audience, "tlp": spec.tlp},
        content=orjson.dumps(
            {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}
        ),
        headers={**node.headers(f"a{spec.publisher}"), "Content-Type": "application/json"},
    )


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(world=worlds())
@pytest.mark.parametrize("backend", BACKENDS)
def test_every_view_equals_the_oracle(backend: str, tmp_path: Path, world: dict[str, Any]) -> None:
    node, cleanup = _node_for(backend, tmp_path)
    try:
        for party in range(world["parties"]):
            node.party(f"p{party}")
            node.account(f"a{party}", f"p{party}")
        members = [set(c) for c in world["channels"]]
        for index, channel in enumerate(world["channels"]):
            node.channel(f"c{index}", *(f"p{p}" for p in channel))
        published = []
        for spec in world["specs"]:
            if spec.audience >= 0 and spec.publisher not in members[spec.audience]:
                spec.audience = -1  # a party can only publish to its own channels
            audience = {-1: "own", -2: "network"}.get(spec.audience, f"c{spec.audience}")
            objects = versions_of(spec)
            if spec.kind == "threat-actor":  # dated versions travel together
                payloads = [objects]
            else:  # an observable's versions are ordered by arrival: one payload each
                payloads = [[obj] for obj in objects]
            if spec.repost:
                payloads.append([objects[0]])
            responses = [publish(node, spec, audience, payload) for payload in payloads]
            if spec.tlp == "red" and audience == "network":
                assert all(r.status_code == 422 for r in responses)
                continue
            for response in responses:
                assert response.status_code == 200, response.text
            if spec.repost:
                assert responses[-1].json()["unchanged"] == 1
            published.append({"id": objects[0]["id"], "spec": spec, "latest": objects[-1]})
        check_views(node, world, members, published)

        if world["change"] is not None:
            channel, party = world["change"]
            # A party leaves by its own admin's decision; joins when every member agreed.
            if party in members[channel]:
                deciders = [party]
                body = {"remove": [f"p{party}"]}
            else:
                deciders = sorted(members[channel])
                body = {"add": [f"p{party}"]}
            for decider in deciders:
                node.account(f"admin{decider}", f"p{decider}", "admin")
                response = node.client.patch(
                    f"/api/v1/channels/c{channel}",
                    json=body,
                    headers=node.headers(f"admin{decider}"),
                )
                assert response.status_code == 200, response.text
            if party in members[channel]:
                members[channel].discard(party)
            else:
                members[channel].add(party)
            check_views(node, world, members, published)
    finally:
        node.client.close()
        node.engine.dispose()
        if cleanup is not None:
            for _ in cleanup:
                pass
