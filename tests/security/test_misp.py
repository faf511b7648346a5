"""Attacks on the MISP doors: what another party learns by importing or reading."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, event

from tests.conftest import Node
from tests.misp.events import as_json
from tests.misp.events import event as misp_event

UNMAPPED = "0b0c7d1e-1111-4222-8333-944455556666"


def _open_transactions(engine: Engine) -> Callable[[], int]:
    """How many transactions the calling thread has open on ``engine`` (the node's audit
    batcher commits on a thread of its own, which is not the request's)."""
    counts: Counter[int] = Counter()

    def began(connection: Any) -> None:
        counts[threading.get_ident()] += 1

    def ended(connection: Any) -> None:
        counts[threading.get_ident()] = max(0, counts[threading.get_ident()] - 1)

    event.listen(engine, "begin", began)
    event.listen(engine, "commit", ended)
    event.listen(engine, "rollback", ended)
    return lambda: counts[threading.get_ident()]


def _import(node: Node, account: str, body: bytes) -> dict[str, Any]:
    answer = node.client.post(
        "/api/v1/misp/events",
        content=body,
        headers={**node.headers(account), "Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    report: dict[str, Any] = answer.json()["events"][0]
    return report


def test_a_sharing_group_mapped_to_another_partys_channel_is_as_unmapped(
    misp_node: Node,
) -> None:
    """cn-mps is not in kz-ru: importing an event of the sharing group the operator mapped
    to kz-ru must not tell it that the mapping, or the channel kz-ru, exists."""
    mapped = _import(misp_node, "cn", as_json(misp_event(seed="cn-mapped")))
    other = misp_event(seed="cn-unmapped", sharing_group=UNMAPPED)
    unmapped = _import(misp_node, "cn", as_json(other))
    assert mapped["status"] == unmapped["status"] == "refused"
    assert "kz-ru" not in str(mapped)
    texts = [(e["field"], e["message"]) for e in mapped["errors"]]
    expected = [
        (e["field"], e["message"].replace(UNMAPPED, "5d6d3b30-9db0-44b9-8869-7f56a5e29d2b"))
        for e in unmapped["errors"]
    ]
    assert texts == expected
    # A member of the channel still imports it there.
    assert _import(misp_node, "kz", as_json(misp_event(seed="kz-mapped")))["status"] == "stored"


def test_other_parties_feeds_answer_as_for_no_collection(misp_node: Node) -> None:
    _import(misp_node, "kz", as_json(misp_event(seed="kz-feed")))
    client = misp_node.client
    for account in ("cn", "cn-reader", "cn-admin"):
        headers = misp_node.headers(account)
        for path in ("manifest.json", "hashes.csv", "00000000-0000-4000-8000-000000000000.json"):
            real = client.get(f"/misp/feeds/kz-ru/{path}", headers=headers)
            none = client.get(f"/misp/feeds/no-such/{path}", headers=headers)
            assert real.status_code == none.status_code == 404
            assert real.json()["detail"].replace("kz-ru", "no-such") == none.json()["detail"]
        assert client.get("/api/v1/misp/events", headers=headers).json() == []
    assert client.get("/misp/feeds/own/manifest.json").status_code == 401


def test_misp_stix_converts_outside_the_imports_transaction(
    misp_node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Converting is slow (seconds for a large event, a 64 MB body holds thousands): done
    inside the import's write transaction it held the store's write lock (SQLite) or the
    audit head's row lock (PostgreSQL, from the first event's publish on), so one
    publisher's import stopped every other party's audited act on the node meanwhile."""
    from accord.misp import convert

    real = convert.event_to_stix
    held: list[int] = []
    open_now = _open_transactions(misp_node.engine)

    def watched(body: dict[str, Any]) -> list[dict[str, Any]]:
        held.append(open_now())
        return real(body)

    monkeypatch.setattr(convert, "event_to_stix", watched)
    body = b"[" + as_json(misp_event(seed="a")) + b"," + as_json(misp_event(seed="b")) + b"]"
    answer = misp_node.client.post(
        "/api/v1/misp/events",
        content=body,
        headers={**misp_node.headers("kz"), "Content-Type": "application/json"},
    )
    assert answer.status_code == 200 and answer.json()["stored"] == 2, answer.text
    assert held == [0, 0]


def test_misp_stix_converts_an_export_outside_its_transaction(
    misp_node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every transaction on SQLite holds the store's one write lock (BEGIN IMMEDIATE): an
    export or a feed file converted by misp-stix inside its read's transaction stopped
    every other request of the node for the conversion's seconds."""
    from accord.misp import convert

    _import(misp_node, "kz", as_json(misp_event(seed="kz-export")))
    real = convert.stix_to_event
    held: list[int] = []
    open_now = _open_transactions(misp_node.engine)

    def watched(objects: list[dict[str, Any]]) -> dict[str, Any]:
        held.append(open_now())
        return real(objects)

    monkeypatch.setattr(convert, "stix_to_event", watched)
    headers = misp_node.headers("kz")
    client = misp_node.client
    assert client.get("/api/v1/misp/events", headers=headers).json()
    manifest = client.get("/misp/feeds/kz-ru/manifest.json", headers=headers).json()
    assert manifest
    for uuid in manifest:
        assert client.get(f"/misp/feeds/kz-ru/{uuid}.json", headers=headers).status_code == 200
    assert client.get("/misp/feeds/kz-ru/hashes.csv", headers=headers).status_code == 200
    assert held and set(held) == {0}


def test_another_partys_object_is_not_put_into_an_exported_event(misp_node: Node) -> None:
    """ru publishes into kz-ru an object naming kz's MISP event (``x_accord_misp_event``):
    an export put it into kz's event, under kz's origin tag, as if kz had said it."""
    from tests.api.test_publish import post as publish

    kz_event = misp_event(seed="kz-owned")
    assert _import(misp_node, "kz", as_json(kz_event))["status"] == "stored"
    # One of kz's indicators as misp-stix made it (its labels), re-issued by ru.
    listed = misp_node.client.get(
        "/api/v1/objects?type=indicator&limit=50", headers=misp_node.headers("ru")
    ).json()["items"]
    source = next(i["object"] for i in listed if "domain-name:value" in i["object"]["pattern"])
    planted = {
        k: v for k, v in source.items() if k not in ("created_by_ref", "object_marking_refs")
    }
    planted |= {
        "id": "indicator--6f1b0c7a-3d2e-4f5a-9b8c-7d6e5f4a3b2c",
        "pattern": "[domain-name:value = 'planted.example']",
        "x_accord_misp_event": str(kz_event.uuid),
    }
    answer = publish(
        misp_node,
        "ru",
        {"type": "bundle", "id": "bundle--" + str(kz_event.uuid), "objects": [planted]},
        audience="kz-ru",
    )
    assert answer.status_code in (200, 201), answer.text
    events = misp_node.client.get(
        "/api/v1/misp/events?collection=kz-ru", headers=misp_node.headers("kz-reader")
    ).json()
    for found in events:
        tags = {t["name"] for t in found["Event"].get("Tag", [])}
        if 'accord:origin="kz-knb"' in tags:
            assert "planted.example" not in str(found), "ru's object inside kz's event"
    planted_in = [
        {t["name"] for t in found["Event"].get("Tag", [])}
        for found in events
        if "planted.example" in str(found)
    ]
    assert planted_in and all('accord:origin="ru-nac"' in tags for tags in planted_in)


def test_another_partys_grouping_does_not_take_in_its_objects(misp_node: Node) -> None:
    """ru publishes into kz-ru a grouping made as misp-stix makes one, whose object_refs
    are kz's objects: an export made them an event of ru's, under ru's origin tag."""
    from tests.api.test_publish import post as publish

    kz_event = misp_event(seed="kz-taken")
    assert _import(misp_node, "kz", as_json(kz_event))["status"] == "stored"
    kz_objects = misp_node.client.get(
        "/api/v1/objects?channel=kz-ru&type=indicator&limit=50", headers=misp_node.headers("kz")
    ).json()["items"]
    refs = [i["object"]["id"] for i in kz_objects]
    assert refs
    grouping = {
        "type": "grouping",
        "spec_version": "2.1",
        "id": "grouping--1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "name": "Taken by ru",
        "context": "suspicious-activity",
        "object_refs": refs,
        "labels": ['misp:tool="MISP-STIX-Converter"'],
    }
    bundle = {"type": "bundle", "id": "bundle--" + str(kz_event.uuid), "objects": [grouping]}
    answer = publish(misp_node, "ru", bundle, audience="kz-ru")
    assert answer.status_code in (200, 201), answer.text
    events = misp_node.client.get(
        "/api/v1/misp/events?collection=kz-ru", headers=misp_node.headers("kz-reader")
    ).json()
    for found in events:
        tags = {t["name"] for t in found["Event"].get("Tag", [])}
        if 'accord:origin="ru-nac"' in tags:
            assert "shop-fireworks.example" not in str(found), "kz's objects in ru's event"
    assert any("shop-fireworks.example" in str(found) for found in events)


def test_an_id_another_party_also_uses_does_not_swap_their_events(misp_node: Node) -> None:
    """Ids are namespaced by origin party, so ru may publish a grouping under the id of
    kz's event's: an export read both into one dictionary by id and exported ru's content
    under kz's origin tag."""
    from tests.api.test_publish import post as publish

    kz_event = misp_event(seed="kz-swapped")
    assert _import(misp_node, "kz", as_json(kz_event))["status"] == "stored"
    grouping = {
        "type": "grouping",
        "spec_version": "2.1",
        "id": f"grouping--{kz_event.uuid}",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "name": "Forged by ru",
        "context": "suspicious-activity",
        "object_refs": ["identity--0c7b5a3e-8f2d-4e1a-b6c9-1a2b3c4d5e6f"],
        "labels": ['misp:tool="MISP-STIX-Converter"'],
    }
    identity = {
        "type": "identity",
        "spec_version": "2.1",
        "id": "identity--0c7b5a3e-8f2d-4e1a-b6c9-1a2b3c4d5e6f",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "name": "ru desk",
        "identity_class": "organization",
    }
    bundle = {
        "type": "bundle",
        "id": "bundle--" + str(kz_event.uuid),
        "objects": [grouping, identity],
    }
    answer = publish(misp_node, "ru", bundle, audience="kz-ru")
    assert answer.status_code in (200, 201), answer.text
    events = misp_node.client.get(
        "/api/v1/misp/events?collection=kz-ru", headers=misp_node.headers("kz-reader")
    ).json()
    for found in events:
        tags = {t["name"] for t in found["Event"].get("Tag", [])}
        if 'accord:origin="kz-knb"' in tags:
            assert "Forged by ru" not in str(found), "ru's grouping as kz's event"
    assert any("Explosives purchase network" in str(found) for found in events)
    # Both events are served, each under a uuid of its own: a feed keyed by uuid (and a MISP
    # instance loading the export) would otherwise take ru's for kz's.
    uuids = [found["Event"]["uuid"] for found in events]
    assert len(uuids) == len(set(uuids)) and str(kz_event.uuid) not in uuids
    manifest = misp_node.client.get(
        "/misp/feeds/kz-ru/manifest.json", headers=misp_node.headers("kz-reader")
    )
    assert manifest.status_code == 200, manifest.text
    assert sorted(manifest.json()) == sorted(uuids)
    kz_uuid = next(u for u, f in zip(uuids, events, strict=True) if "Explosives" in str(f))
    served = misp_node.client.get(
        f"/misp/feeds/kz-ru/{kz_uuid}.json", headers=misp_node.headers("kz-reader")
    )
    assert served.status_code == 200 and "Forged by ru" not in served.text


def test_distinct_uuids_leaves_unshared_uuids_alone() -> None:
    from accord.misp.feed import distinct_uuids

    def made(uuid: str, origin: str) -> dict[str, Any]:
        return {"Event": {"uuid": uuid, "Tag": [{"name": f'accord:origin="{origin}"'}]}}

    shared = "5bb671e2-5526-51d0-b8c3-2df9bda45d3c"
    alone = "6402a99a-768e-5fff-800f-a4d296e4a0ee"
    out = distinct_uuids([made(shared, "kz-knb"), made(shared, "ru-nac"), made(alone, "kz-knb")])
    uuids = [e["Event"]["uuid"] for e in out]
    assert uuids[2] == alone and shared not in uuids[:2] and uuids[0] != uuids[1]
    again = distinct_uuids([made(shared, "kz-knb"), made(shared, "ru-nac")])
    assert [e["Event"]["uuid"] for e in again] == uuids[:2]  # stable across reads
