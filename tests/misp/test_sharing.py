"""Sharing rules through the MISP doors: in (never wider than MISP said) and out (another
party's reader, publisher and admin see nothing they should not, through every door)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from accord.errors import PolicyViolation
from accord.federation.collections import collection_id
from accord.misp.distribution import Rules, narrower, sharing_of
from accord.stix.markings import Tlp
from tests.conftest import Node
from tests.misp.events import as_json, event, load
from tests.misp.test_import_export import EVENTS, export, post

OTHERS = ("cn", "cn-reader", "cn-admin")


def test_narrower() -> None:
    assert narrower("network", "kz-ru") == "kz-ru"
    assert narrower("kz-ru", "own") == "own"
    assert narrower("kz-ru", "kz-cn") == "own"
    assert narrower("network", "network") == "network"


def _rules(**levels: str) -> Rules:
    return Rules(
        levels={1: levels.get("community", "own"), 3: levels.get("all", "own")},
        sharing_groups={"5d6d3b30-9db0-44b9-8869-7f56a5e29d2b": "kz-ru"}.get,
    )


def _event(**kwargs: Any) -> dict[str, Any]:
    body: dict[str, Any] = orjson.loads(as_json(event(**kwargs)))["Event"]
    return body


def test_levels_default_to_own_and_follow_the_operator() -> None:
    for level in (1, 2, 3):
        assert sharing_of(_event(distribution=level), _rules()).event_audience == "own"
    assert sharing_of(_event(distribution=3), _rules(all="network")).event_audience == "network"
    assert sharing_of(_event(distribution=0), _rules(all="network")).event_audience == "own"


def test_an_attribute_is_never_wider_than_its_event() -> None:
    body = _event(distribution=4)
    body["Attribute"][0]["distribution"] = "3"  # "all communities", inside a sharing group
    body["Attribute"][1]["distribution"] = "0"
    body["Object"][0]["distribution"] = "5"
    sharing = sharing_of(body, _rules(all="network"))
    assert sharing.audiences[body["Attribute"][0]["uuid"]] == "kz-ru"
    assert sharing.audiences[body["Attribute"][1]["uuid"]] == "own"
    assert sharing.audiences[body["Object"][0]["uuid"]] == "kz-ru"


def test_an_unmapped_sharing_group_is_refused_not_downgraded() -> None:
    body = _event(distribution=4, sharing_group="0b0c7d1e-1111-4222-8333-944455556666")
    with pytest.raises(PolicyViolation, match="mapped to no channel"):
        sharing_of(body, _rules())
    body = _event(distribution=0)
    body["Attribute"][0].update(
        distribution="4", SharingGroup={"uuid": "0b0c7d1e-1111-4222-8333-944455556666"}
    )
    with pytest.raises(PolicyViolation, match="attribute"):
        sharing_of(body, _rules())


def test_attribute_tlp_is_the_stricter() -> None:
    body = _event(tags=("tlp:green",))
    body["Attribute"][0]["Tag"] = [{"name": "tlp:red"}]
    body["Attribute"][1]["Tag"] = [{"name": "tlp:clear"}]
    sharing = sharing_of(body, _rules())
    assert sharing.tlps[body["Attribute"][0]["uuid"]] == Tlp.RED
    assert sharing.tlps[body["Attribute"][1]["uuid"]] == Tlp.GREEN


def test_no_mapping_refuses_the_event_and_stores_nothing(misp_node: Node) -> None:
    e = event(sharing_group="0b0c7d1e-1111-4222-8333-944455556666")
    report = post(misp_node, "kz", as_json(e))
    assert report["refused"] == 1 and report["stored"] == 0
    [error] = report["events"][0]["errors"]
    assert error["field"] == "distribution" and "0b0c7d1e" in error["message"]
    assert export(misp_node, "kz") == []
    found = misp_node.client.get(
        f"/api/v1/objects/grouping--{e.uuid}", headers=misp_node.headers("kz")
    )
    assert found.status_code == 404


def test_red_to_the_network_is_refused(misp_node: Node) -> None:
    # distribution 3 is "own" by default; a sharing-group event cannot be network. A red
    # attribute in a kz-ru event stays, red, in kz-ru (check_marking allows a channel).
    e = event(tags=("tlp:red",))
    assert post(misp_node, "kz", as_json(e))["stored"] == 1


def _narrow_event() -> Any:
    e = event(seed="narrow")
    e.attributes[0].distribution = 0  # the first ip-dst: kz-knb only
    return e


def _attribute_uuids(events: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for body in events:
        loaded = load(body)
        # attributes and objects keep their UUIDs (an object's attributes may be remade:
        # misp-stix makes one full-name of a person's first and last names)
        found |= {a.uuid for a in loaded.attributes} | {o.uuid for o in loaded.objects}
    return found


def test_an_attribute_narrower_than_the_event_is_kept_narrower(misp_node: Node) -> None:
    e = _narrow_event()
    hidden = e.attributes[0].uuid
    report = post(misp_node, "kz", as_json(e))["events"][0]
    assert report["status"] == "stored" and set(report["audiences"]) == {"kz-ru", "own"}
    assert hidden in _attribute_uuids(export(misp_node, "kz"))
    for reader in ("ru", "ru-reader"):
        seen = export(misp_node, reader)
        assert len(seen) == 1 and hidden not in _attribute_uuids(seen)
        assert e.attributes[1].uuid in _attribute_uuids(seen)
        grouping = misp_node.client.get(
            f"/api/v1/objects/grouping--{e.uuid}", headers=misp_node.headers(reader)
        ).json()["object"]
        assert not [ref for ref in grouping["object_refs"] if hidden in ref]
        for kind in ("indicator", "observed-data", "ipv4-addr"):
            response = misp_node.client.get(
                f"/api/v1/objects/{kind}--{hidden}", headers=misp_node.headers(reader)
            )
            assert response.status_code == 404


def _feed(node: Node, account: str, collection: str, path: str) -> Any:
    return node.client.get(f"/misp/feeds/{collection}/{path}", headers=node.headers(account))


def test_other_parties_see_nothing_through_any_misp_door(misp_node: Node) -> None:
    e = _narrow_event()
    post(misp_node, "kz", as_json(e))
    channel = collection_id("kz-ru")
    for account in OTHERS:
        assert export(misp_node, account) == []
        for collection in (channel, "kz-ru", collection_id("own")):
            response = misp_node.client.get(
                EVENTS, params={"collection": collection}, headers=misp_node.headers(account)
            )
            if collection == collection_id("own"):
                assert response.json() == []  # their own collection: nothing of kz's
            else:
                assert response.status_code == 404
        for path in ("manifest.json", "hashes.csv", f"{e.uuid}.json"):
            assert _feed(misp_node, account, channel, path).status_code == 404
            assert _feed(misp_node, account, "kz-ru", path).status_code == 404
        network = collection_id("network")
        assert _feed(misp_node, account, network, "manifest.json").json() == {}
        assert _feed(misp_node, account, network, "hashes.csv").text == ""
        assert _feed(misp_node, account, network, f"{e.uuid}.json").status_code == 404
    # without a token, nothing at all
    assert misp_node.client.get(f"/misp/feeds/{channel}/manifest.json").status_code == 401
    assert misp_node.client.get(EVENTS).status_code == 401


def test_a_readers_feed_is_what_taxii_gives_it(misp_node: Node) -> None:
    e = _narrow_event()
    post(misp_node, "kz", as_json(e))
    channel = collection_id("kz-ru")
    taxii = misp_node.client.get(
        f"/taxii2/api/collections/{channel}/objects/",
        headers={**misp_node.headers("ru-reader"), "Accept": "application/taxii+json;version=2.1"},
    ).json()
    taxii_uuids = {o["id"].split("--", 1)[1] for o in taxii["objects"]}
    manifest = _feed(misp_node, "ru-reader", channel, "manifest.json").json()
    assert list(manifest) == [e.uuid]
    body = _feed(misp_node, "ru-reader", channel, f"{e.uuid}.json").json()
    served = _attribute_uuids([body])
    assert served and served <= taxii_uuids
    assert e.attributes[0].uuid not in served | taxii_uuids
    # the owner's feed of the same collection holds the same event without the own attribute
    # (it lives in the "own" collection), and its own collection feed holds it
    [part] = _feed(misp_node, "kz", collection_id("own"), "manifest.json").json()
    assert part != e.uuid
    own = _feed(misp_node, "kz", collection_id("own"), f"{part}.json")
    assert own.status_code == 200 and e.attributes[0].uuid in _attribute_uuids([own.json()])
    assert e.uuid in own.json()["Event"]["info"]


def test_a_reader_may_not_import(misp_node: Node) -> None:
    response = misp_node.client.post(
        EVENTS, content=as_json(event()), headers=misp_node.headers("kz-reader")
    )
    assert response.status_code == 403
    assert export(misp_node, "kz") == []


def test_only_the_operator_maps_sharing_groups(misp_node: Node) -> None:
    from accord.acts import misp as acts
    from accord.errors import Forbidden
    from accord.policy import Principal
    from accord.store import directory

    with misp_node.engine.begin() as connection:
        admin = directory.get_account(connection, "cn-admin")
        with pytest.raises(Forbidden):
            acts.map_sharing_group(
                connection, Principal(admin, "cli"), "0b0c7d1e-1111-4222-8333-944455556666", "kz-ru"
            )
