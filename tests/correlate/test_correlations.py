"""Correlations per reader: values from observables and patterns, networks holding
addresses, values flagged by the warning lists or as too common, on both stores."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from accord.api import create_app
from accord.config import Settings
from tests.alerting import STIX, domain, publish
from tests.conftest import Database, Node


def indicator(pattern: str) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z",
    }


def address(value: str) -> dict[str, Any]:
    return {
        "type": "ipv4-addr",
        "spec_version": "2.1",
        "id": f"ipv4-addr--{uuid.uuid5(uuid.NAMESPACE_URL, value)}",
        "value": value,
    }


def correlations(node: Node, account: str, stix_id: str) -> dict[str, Any]:
    response = node.client.get(
        f"/api/v1/objects/{stix_id}/correlations", headers=node.headers(account)
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_patterns_observables_and_networks_correlate(trio: Node) -> None:
    sco = domain("drop-zone.example")
    by_pattern = indicator(
        "[domain-name:value = 'DROP-ZONE.example.'] AND [ipv4-addr:value ISSUBSET '31.41.244.0/24']"
    )
    host = address("31.41.244.7")
    other = address("91.200.12.9")
    publish(trio, "kz", sco, "network")
    publish(trio, "ru", by_pattern, "network")
    publish(trio, "cn", host, "network")
    publish(trio, "cn", other, "network")
    found = correlations(trio, "kz", by_pattern["id"])
    shared = {
        (c["kind"], c["value"]): {o["id"] for o in c["objects"]} for c in found["correlations"]
    }
    assert shared[("domain", "drop-zone.example")] == {sco["id"]}
    assert shared[("ipv4", "31.41.244.0/24")] == {host["id"]}
    assert other["id"] not in {i for ids in shared.values() for i in ids}
    # And from the address's side: the indicator's network holds it.
    back = correlations(trio, "kz", host["id"])
    assert {o["id"] for c in back["correlations"] for o in c["objects"]} == {by_pattern["id"]}


def test_warning_list_values_are_flagged_not_listed(trio: Node) -> None:
    resolver = indicator("[ipv4-addr:value = '8.8.8.8']")
    same = indicator("[ipv4-addr:value = '8.8.8.8']")
    publish(trio, "kz", resolver, "network")
    publish(trio, "ru", same, "network")
    found = correlations(trio, "kz", resolver["id"])
    assert found["correlations"] == []
    flags = [f for f in found["flagged"] if f["value"] == "8.8.8.8"]
    assert flags and flags[0]["reason"] == "warninglist" and flags[0]["lists"]


@pytest.fixture
def narrow(database: Database) -> Any:
    """A node whose fan-out limit is 2."""
    settings = Settings(database_url=database.url, correlation_fanout=2)
    with TestClient(create_app(settings, database.engine)) as client:
        node = Node(database, client)
        for code in ("kz-knb", "ru-nac", "cn-mps"):
            node.party(code)
        for name, party in (("kz", "kz-knb"), ("ru", "ru-nac"), ("cn", "cn-mps")):
            node.account(name, party)
        yield node


def test_a_value_too_common_is_flagged_counting_only_what_the_reader_sees(narrow: Node) -> None:
    first = indicator("[domain-name:value = 'common.example']")
    publish(narrow, "kz", first, "network")
    for _ in range(3):
        publish(narrow, "ru", indicator("[domain-name:value = 'common.example']"), "own")
    # kz sees none of ru's own objects: the value is not too common for kz, nothing listed.
    mine = correlations(narrow, "kz", first["id"])
    assert mine["correlations"] == [] and mine["flagged"] == []
    for _ in range(3):
        publish(narrow, "cn", indicator("[domain-name:value = 'common.example']"), "network")
    mine = correlations(narrow, "kz", first["id"])
    assert mine["correlations"] == []
    assert mine["flagged"] == [
        {"kind": "domain", "value": "common.example", "reason": "too_common", "limit": 2}
    ]


def test_correlations_of_a_bad_or_hidden_id_are_404(trio: Node) -> None:
    hidden = domain("secret.example")
    publish(trio, "kz", hidden, "own")
    for stix_id in (hidden["id"], f"domain-name--{uuid.uuid4()}", "not-an-id", "x" * 5000):
        response = trio.client.get(
            f"/api/v1/objects/{stix_id}/correlations", headers=trio.headers("ru")
        )
        assert response.status_code in (400, 404), response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (
        orjson.loads(
            trio.client.get(
                f"/api/v1/objects/{hidden['id']}/correlations", headers=trio.headers("ru")
            ).content
        )["status"]
        == 404
    )
    _ = STIX
