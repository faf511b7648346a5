"""A feed's manifest.json is made from the stored STIX objects (accord.misp.header), without
misp-stix, and says what the converted events say: for imported events (whole, a part kept
narrower, with galaxies on the event and on an attribute, published or not) and for
Accord's own objects."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from pymisp import MISPGalaxy, MISPGalaxyCluster

from accord.acts import misp_export, misp_stream
from accord.config import Settings
from accord.federation.collections import collection_id
from accord.misp import convert, feed
from accord.store import directory
from bench import misp_events
from tests.conftest import Node
from tests.misp.events import TIMESTAMP, as_json, event
from tests.misp.test_import_export import post
from tests.misp.test_sharing import _narrow_event
from tests.stix_factory import bundle, sdo


def converted_manifest(node: Node, account: str, collection: str) -> dict[str, Any]:
    """The manifest as it was made before: every event converted by misp-stix."""
    with node.engine.begin() as connection:
        reader = directory.get_account(connection, account)
        criteria = misp_export.criteria_for(
            connection,
            reader,
            collection=collection,
            added_after=None,
            node_name=Settings().node_name,
        )
    events = misp_stream.stream_events(
        node.engine, reader, criteria, door="misp-feed", action="misp.feed"
    )
    found: dict[str, Any] = orjson.loads(feed.manifest(feed.feed_stream(events)))
    return found


def served_manifest(
    node: Node, account: str, collection: str, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    """GET manifest.json with misp-stix's conversion made to fail: it must not be called."""

    def refused(*_: Any) -> Any:
        raise AssertionError("misp-stix was called for a manifest")

    with monkeypatch.context() as patch:
        patch.setattr(convert, "stix_to_event", refused)
        patch.setattr(convert, "_stix_to_event", refused)
        response = node.client.get(
            f"/misp/feeds/{collection}/manifest.json", headers=node.headers(account)
        )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def _with_attribute_cluster(seed: str) -> Any:
    e = event(seed=seed, sharing_group=None, distribution=0, tags=("tlp:green", "PAP:AMBER"))
    galaxy = MISPGalaxy()
    galaxy.from_dict(uuid=f"{e.uuid[:-4]}aaaa", name="Threat Actor", type="threat-actor")
    cluster = MISPGalaxyCluster()
    cluster.from_dict(
        uuid=f"{e.uuid[:-4]}bbbb",
        value="Lone Buyer",
        type="threat-actor",
        tag_name='misp-galaxy:threat-actor="Lone Buyer"',
        description="Buys alone",
        meta={},
    )
    galaxy.clusters.append(cluster)
    e.attributes[2].add_galaxy(galaxy)
    return e


def test_the_manifest_is_the_converted_events_headers(
    misp_node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    post(misp_node, "kz", as_json(event()))  # the kz-ru channel, its galaxy on the event
    post(misp_node, "kz", as_json(_narrow_event()))  # one attribute kept to kz's own
    post(misp_node, "kz", as_json(_with_attribute_cluster("attribute-cluster")))
    published = event(seed="published", sharing_group=None, distribution=0)
    published.publish()
    published.publish_timestamp = TIMESTAMP + 30
    post(misp_node, "kz", as_json(published))
    for number in (0, 1):  # the benchmark's events: many types, objects, PAP, reports
        body = misp_events.as_dict(misp_events.event(number, 20))
        post(misp_node, "kz", orjson.dumps(body))
    for account, collection in (
        ("kz", collection_id("own")),
        ("kz", collection_id("kz-ru")),
        ("ru-reader", collection_id("kz-ru")),
    ):
        want = converted_manifest(misp_node, account, collection)
        assert want, (account, collection)
        assert served_manifest(misp_node, account, collection, monkeypatch) == want
    own = served_manifest(misp_node, "kz", collection_id("own"), monkeypatch)
    assert len(own) >= 5  # whole events, the part kept narrower
    tags = {t["name"] for entry in own.values() for t in entry["Tag"]}
    assert 'misp-galaxy:threat-actor="Lone Buyer"' not in tags  # an attribute's cluster
    assert any(t.startswith("misp-galaxy:threat-actor=") for t in tags)


def test_the_manifest_of_accords_own_objects(
    misp_node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    identity = sdo("identity", name="KNB analysts", identity_class="organization")
    made = [sdo("indicator", created_by_ref=identity["id"]), sdo("threat-actor")]
    for objects in ([identity, *made], [sdo("campaign"), sdo("malware", is_family=False)]):
        response = misp_node.client.post(
            "/api/v1/objects",
            params={"audience": "network", "tlp": "green"},
            content=orjson.dumps(bundle(*objects)),
            headers={**misp_node.headers("kz"), "Content-Type": "application/json"},
        )
        assert response.status_code == 200, response.text
        network = collection_id("network")
        want = converted_manifest(misp_node, "cn-reader", network)
        assert served_manifest(misp_node, "cn-reader", network, monkeypatch) == want
    [entry] = want.values()
    assert 'misp-galaxy:producer="KNB analysts"' in {t["name"] for t in entry["Tag"]}


def test_what_is_not_modelled_is_converted(misp_node: Node) -> None:
    """A marking other than TLP on an event: its header comes from misp-stix."""
    from accord.misp import header

    grouping = {
        "type": "grouping",
        "id": "grouping--0b0c7d1e-1111-4222-8333-944455556666",
        "modified": "2023-11-14T22:13:20.000Z",
        "name": "x",
        "labels": [convert.MISP_TOOL_LABEL],
        "object_marking_refs": ["marking-definition--0b0c7d1e-1111-4222-8333-944455556667"],
    }
    statement = {
        "type": "marking-definition",
        "id": "marking-definition--0b0c7d1e-1111-4222-8333-944455556667",
        "definition_type": "statement",
        "definition": {"statement": "Copyright"},
    }
    assert header.header([grouping, statement]) is None
    assert header.header([{**grouping, "confidence": 50}]) is None
    assert header.header([{**grouping, "created_by_ref": "tool--x"}, {"id": "tool--x"}]) is None
    plain = header.header([{**grouping, "object_marking_refs": []}])
    assert plain is not None and plain["info"] == "x" and plain["timestamp"] == "1700000000"
