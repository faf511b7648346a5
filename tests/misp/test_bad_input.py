"""Bad MISP input: a clear error naming what and where, and nothing stored."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest
from fastapi.testclient import TestClient

from accord.api import create_app
from accord.config import Settings
from tests.conftest import Database, Node
from tests.misp.events import as_json, event
from tests.misp.test_import_export import EVENTS, export, post


def test_malformed_json_is_a_400(misp_node: Node) -> None:
    response = misp_node.client.post(
        EVENTS, content=b'{"Event": {"info": "x",', headers=misp_node.headers("kz")
    )
    assert response.status_code == 400
    assert "not JSON" in response.json()["detail"]


def test_something_else_than_an_event_is_a_422(misp_node: Node) -> None:
    response = misp_node.client.post(
        EVENTS, content=b'[{"Event": {"info": "x"}}, {"nope": 1}]', headers=misp_node.headers("kz")
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "[1]"
    assert export(misp_node, "kz") == []


def test_an_unknown_attribute_type_refuses_the_event_whole(misp_node: Node) -> None:
    body = orjson.loads(as_json(event()))
    body["Event"]["Attribute"][3]["type"] = "no-such-type"
    good = orjson.loads(as_json(event(seed="good")))
    report = post(misp_node, "kz", orjson.dumps([body, good]))
    assert (report["stored"], report["refused"]) == (1, 1)
    refused = report["events"][0]
    assert refused["status"] == "refused"
    assert any("no-such-type" in e["message"] for e in refused["errors"])
    assert [e["Event"]["uuid"] for e in export(misp_node, "kz")] == [good["Event"]["uuid"]]


def test_an_event_without_timestamp_is_refused(misp_node: Node) -> None:
    body = orjson.loads(as_json(event()))
    del body["Event"]["timestamp"]
    report = post(misp_node, "kz", orjson.dumps(body))
    assert report["refused"] == 1
    assert report["events"][0]["errors"][0]["field"] == "timestamp"


def test_a_bad_distribution_is_refused(misp_node: Node) -> None:
    body = orjson.loads(as_json(event()))
    body["Event"]["Attribute"][0]["distribution"] = "9"
    report = post(misp_node, "kz", orjson.dumps(body))
    assert report["refused"] == 1
    assert "expected 0-5" in report["events"][0]["errors"][0]["message"]


def test_bad_export_parameters(misp_node: Node) -> None:
    response = misp_node.client.get(
        EVENTS, params={"added_after": "yesterday"}, headers=misp_node.headers("kz")
    )
    assert response.status_code == 400 and "added_after" in response.text
    response = misp_node.client.get(
        "/misp/feeds/network/not-a-uuid.json", headers=misp_node.headers("kz")
    )
    assert response.status_code == 404


@pytest.fixture
def small_node(database: Database) -> Iterator[Node]:
    settings = Settings(
        database_url=database.url, max_body_bytes=100_000, misp_warning_lists=0, misp_workers=1
    )
    with TestClient(create_app(settings, database.engine)) as client:
        node = Node(database, client)
        node.party("kz-knb")
        node.account("kz", "kz-knb")
        yield node


def test_an_event_over_the_body_limit_is_a_413(small_node: Node) -> None:
    big = event(distribution=0, sharing_group=None)
    for position in range(2000):
        big.add_attribute("text", f"note {position} " + "x" * 40)
    raw = as_json(big)
    assert len(raw) > 100_000
    response = small_node.client.post(EVENTS, content=raw, headers=small_node.headers("kz"))
    assert response.status_code == 413
    assert export(small_node, "kz") == []


def test_warning_lists_flag_imported_attributes(database: Database) -> None:
    from accord.acts import admin
    from accord.acts import misp as acts
    from accord.store import directory
    from tests.conftest import HOST

    with database.engine.begin() as connection:
        admin.add_party(connection, HOST, "kz-knb", "KNB", "KZ")
        admin.add_account(connection, HOST, "kz", "kz-knb", "publisher")
    e = event(distribution=0, sharing_group=None)
    e.add_attribute("ip-dst", "8.8.8.8")
    e.add_attribute("domain", "a8f3kq-accord-test.example")
    with database.engine.begin() as connection:
        account = directory.get_account(connection, "kz")
        report = acts.import_events(
            connection, account, as_json(e), settings=Settings(), door="cli"
        )
    [result] = report.events
    hits = {hit["value"]: hit["lists"] for hit in result.warnings}
    assert "8.8.8.8" in hits and hits["8.8.8.8"]
    assert hits["203.0.113.7"] == ["List of RFC 5735 CIDR blocks"]
    assert "a8f3kq-accord-test.example" not in hits
