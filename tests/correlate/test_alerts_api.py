"""Watches, alerts and correlations through the REST API, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

from accord.acts import admin
from tests.alerting import _ts, alerts, domain, person, publish, watch
from tests.conftest import HOST, Node


def test_a_watch_on_a_cyrillic_name_alerts_on_latin_and_the_reverse(trio: Node) -> None:
    watch(trio, "kz", name="Абдулла Хасанов")
    watch(trio, "ru", name="Abdulla Khasanov")
    publish(trio, "ru", person("Abdulla Khasanov"), "kz-ru")
    publish(trio, "kz", person("Абдулла Хасанов"), "kz-ru")
    mine = alerts(trio, "kz")
    theirs = alerts(trio, "ru")
    # Each party is told of the other's report (and of its own).
    assert {a["object"]["name"] for a in mine} == {"Abdulla Khasanov", "Абдулла Хасанов"}
    assert {a["object"]["name"] for a in theirs} == {"Abdulla Khasanov", "Абдулла Хасанов"}
    latin = next(a for a in mine if a["object"]["name"] == "Abdulla Khasanov")
    assert latin["reason"]["how"] == "screening"
    assert latin["reason"]["score"] >= 0.7
    assert latin["reason"]["explanation"]["pairs"]
    assert latin["object"]["origin"] == "ru-nac"


def test_no_alert_on_what_the_party_may_not_see(trio: Node) -> None:
    watch(trio, "cn", value="domain-name:EXAMPLE.org.")
    publish(trio, "ru", domain("example.org"), "kz-ru")
    publish(trio, "kz", domain("example.org"), "own")
    assert alerts(trio, "cn") == []
    trio.party("tj-gknb", "TJ")
    trio.account("tj", "tj-gknb")
    publish(trio, "tj", domain("example.org"), "network")
    found = alerts(trio, "cn")
    assert len(found) == 1 and found[0]["reason"]["value"] == "example.org"
    assert found[0]["object"]["origin"] == "tj-gknb"


def test_one_alert_per_watch_and_version_and_ack(trio: Node) -> None:
    watch(trio, "kz", name="Abdulla Khasanov")
    obj = person("Abdulla Khasanov", 1)
    publish(trio, "ru", obj, "kz-ru")
    publish(trio, "ru", obj, "kz-ru")  # the same version again: unchanged
    assert len(alerts(trio, "kz")) == 1
    publish(trio, "ru", {**obj, "modified": _ts(2)}, "kz-ru")
    found = alerts(trio, "kz")
    assert len(found) == 2
    response = trio.client.post(f"/api/v1/alerts/{found[0]['id']}/ack", headers=trio.headers("kz"))
    assert response.status_code == 200 and response.json()["acknowledged_by"] == "kz"
    page = trio.client.get("/api/v1/alerts?unacknowledged=true", headers=trio.headers("kz"))
    assert [a["id"] for a in page.json()["items"]] == [found[1]["id"]]
    assert page.json()["unread"] == 1
    # Another party cannot acknowledge (or learn of) it.
    other = trio.client.post(f"/api/v1/alerts/{found[1]['id']}/ack", headers=trio.headers("cn"))
    assert other.status_code == 404


def test_revoked_and_deleted_objects_withdraw_alerts(trio: Node) -> None:
    watch(trio, "kz", name="Abdulla Khasanov")
    obj = person("Abdulla Khasanov", 1)
    publish(trio, "ru", obj, "kz-ru")
    assert len(alerts(trio, "kz")) == 1
    publish(trio, "ru", {**obj, "modified": _ts(3), "revoked": True}, "kz-ru")
    assert alerts(trio, "kz") == []
    page = trio.client.get("/api/v1/alerts?withdrawn=true", headers=trio.headers("kz"))
    assert [a["withdrawn"] for a in page.json()["items"]] == ["revoked"]


def test_leaving_a_channel_hides_its_alerts(trio: Node) -> None:
    watch(trio, "kz", value="domain-name:example.org")
    publish(trio, "ru", domain("example.org"), "kz-ru")
    assert len(alerts(trio, "kz")) == 1
    with trio.engine.begin() as connection:
        admin.change_members(connection, HOST, "kz-ru", [], ["kz-knb"])
    assert alerts(trio, "kz") == []


def test_correlations_are_per_reader(trio: Node) -> None:
    a = person("Abdulla Khasanov", 1, contact_information="tel +7 701 234 5678")
    b = person("Абдулла Хасанов", 1)
    c = person("Abdulla Khasanov", 1)
    publish(trio, "kz", a, "network")
    publish(trio, "ru", b, "kz-ru")
    publish(trio, "cn", c, "own")
    seen = trio.client.get(f"/api/v1/objects/{a['id']}/correlations", headers=trio.headers("kz"))
    assert seen.status_code == 200, seen.text
    ids = {o["id"] for c_ in seen.json()["correlations"] for o in c_["objects"]}
    assert ids == {b["id"]}
    # cn sees a and its own c, never ru's b.
    cn = trio.client.get(f"/api/v1/objects/{a['id']}/correlations", headers=trio.headers("cn"))
    ids = {o["id"] for c_ in cn.json()["correlations"] for o in c_["objects"]}
    assert ids == {c["id"]}
    # An object the reader may not see is a 404, like a missing one.
    hidden = trio.client.get(f"/api/v1/objects/{b['id']}/correlations", headers=trio.headers("cn"))
    assert hidden.status_code == 404


def test_bad_watches_are_refused_naming_the_field(trio: Node) -> None:
    for body, field in (
        ({}, "watch"),
        ({"name": "x", "value": "domain-name:a.org"}, "watch"),
        ({"value": "nonsense:abc"}, "value"),
        ({"value": "domain-name:"}, "value"),
        ({"subject": "QDe.999"}, "subject"),
        ({"name": "Abdulla", "expires": "2020-01-01"}, "expires"),
        ({"name": "Abdulla", "colour": "red"}, "colour"),
        ({"name": 5}, "name"),
    ):
        response = trio.client.post("/api/v1/watches", json=body, headers=trio.headers("kz"))
        assert response.status_code == 400, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"][0]["field"] == field, (body, response.json())


def test_watches_are_the_partys_own(trio: Node) -> None:
    mine = watch(trio, "kz", name="Abdulla Khasanov")
    assert trio.client.get("/api/v1/watches", headers=trio.headers("cn")).json()["watches"] == []
    gone = trio.client.delete(f"/api/v1/watches/{mine['id']}", headers=trio.headers("cn"))
    assert gone.status_code == 404
    # A reader of the same party sees it but cannot remove another's watch.
    listed = trio.client.get("/api/v1/watches", headers=trio.headers("kz-reader")).json()
    assert [w["id"] for w in listed["watches"]] == [mine["id"]]
    assert (
        trio.client.delete(f"/api/v1/watches/{mine['id']}", headers=trio.headers("kz-reader"))
    ).status_code == 404
    ok = trio.client.delete(f"/api/v1/watches/{mine['id']}", headers=trio.headers("kz"))
    assert ok.status_code == 204


ENGLISH = (
    "Kazakhstan's security service said on Monday it had detained Timur Karimov, a suspected "
    "recruiter for the Islamic State group, in Almaty. Karimov denies the charges."
)
RUSSIAN = (
    "В Москве задержан Рустам Юсупов. По данным ФСБ, Юсупов вербовал сторонников "
    "террористической организации «Исламское государство»."
)


def _ingest(node: Node, account: str, text: str) -> None:
    response = node.client.post(
        "/api/v1/ingest?publish=true&audience=network&tlp=green",
        content=text.encode(),
        headers={**node.headers(account), "Content-Type": "text/plain"},
    )
    assert response.status_code == 200, response.text


def test_an_ingested_report_alerts_across_scripts(trio: Node) -> None:
    """A watch in Cyrillic alerts on a report naming the person in Latin script, and a watch
    in Latin on a Russian article naming another in Cyrillic."""
    watch(trio, "kz", name="Тимур Каримов")
    watch(trio, "cn", name="Rustam Yusupov")
    _ingest(trio, "ru", ENGLISH)
    _ingest(trio, "ru", RUSSIAN)
    kz = {a["object"]["name"] for a in alerts(trio, "kz")}
    cn = {a["object"]["name"] for a in alerts(trio, "cn")}
    assert "Timur Karimov" in kz and not any("Юсупов" in n for n in kz)
    assert any("Юсупов" in n for n in cn) and "Timur Karimov" not in cn


def test_a_saved_query_alerts_on_new_matching_objects_of_its_types(trio: Node) -> None:
    watch(trio, "kz", query="Recruitment Forum", types="indicator,report")
    publish(
        trio,
        "ru",
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": f"indicator--{uuid.uuid4()}",
            "created": _ts(),
            "modified": _ts(),
            "name": "recruitment forum on a new domain",
            "pattern": "[domain-name:value = 'forum-a.example']",
            "pattern_type": "stix",
            "valid_from": "2026-01-01T00:00:00Z",
        },
        "kz-ru",
    )
    publish(trio, "ru", person("Recruitment forum admin"), "kz-ru")  # not of its types
    found = alerts(trio, "kz")
    assert [a["object"]["type"] for a in found] == ["indicator"]
    assert found[0]["reason"]["how"] == "saved query"
    bad = trio.client.post(
        "/api/v1/watches", json={"name": "x y", "types": "indicator"}, headers=trio.headers("kz")
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "types"
