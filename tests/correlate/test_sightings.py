"""Sightings per origin, and sightings published anonymised as their channel or the hub
(SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import orjson
from sqlalchemy import delete, select

from accord.store import directory
from accord.store.schema import audit_log, channel_members, channels
from tests.conftest import Node

STIX = {"Content-Type": "application/stix+json;version=2.1"}
TAXII = {"Accept": "application/taxii+json;version=2.1"}


def indicator() -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": "2026-01-05T10:00:00.000Z",
        "modified": "2026-01-05T10:00:00.000Z",
        "name": "Almaty courier",
        "pattern": "[domain-name:value = 'courier.example']",
        "pattern_type": "stix",
        "valid_from": "2026-01-05T10:00:00Z",
    }


def person(name: str) -> dict[str, Any]:
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": f"identity--{uuid.uuid4()}",
        "created": "2026-01-05T10:00:00.000Z",
        "modified": "2026-01-05T10:00:00.000Z",
        "name": name,
        "identity_class": "individual",
    }


def sighting(of: str, first: str, count: int | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "sighting",
        "spec_version": "2.1",
        "id": f"sighting--{uuid.uuid4()}",
        "created": "2026-01-06T00:00:00.000Z",
        "modified": "2026-01-06T00:00:00.000Z",
        "sighting_of_ref": of,
        "first_seen": first,
        "last_seen": first,
        **extra,
    }
    if count is not None:
        body["count"] = count
    return body


def post(node: Node, account: str, obj: dict[str, Any], query: str) -> Any:
    return node.client.post(
        f"/api/v1/objects?{query}",
        content=orjson.dumps(obj),
        headers={**node.headers(account), **STIX},
    )


def publish(node: Node, account: str, obj: dict[str, Any], query: str) -> None:
    answer = post(node, account, obj, query)
    assert answer.status_code == 200, answer.text


def seen(node: Node, account: str, stix_id: str) -> dict[str, Any]:
    answer = node.client.get(f"/api/v1/objects/{stix_id}/sightings", headers=node.headers(account))
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_counts_per_party_are_what_the_reader_may_see(trio: Node) -> None:
    target = indicator()
    publish(trio, "kz", target, "audience=network&tlp=green")
    publish(
        trio, "kz", sighting(target["id"], "2026-01-06T04:10:00Z", 3), "audience=kz-ru&tlp=amber"
    )
    publish(
        trio, "kz", sighting(target["id"], "2026-01-07T04:10:00Z", 2), "audience=network&tlp=green"
    )
    publish(trio, "ru", sighting(target["id"], "2026-01-05T01:00:00Z"), "audience=kz-ru&tlp=amber")
    publish(trio, "cn", sighting(target["id"], "2026-01-08T01:00:00Z", 9), "audience=own&tlp=red")

    ru = seen(trio, "ru", target["id"])
    assert ru["total"] == 3
    groups = {g["origin"]: g for g in ru["by_origin"]}
    assert set(groups) == {"kz-knb", "ru-nac"}
    assert groups["kz-knb"]["sightings"] == 2 and groups["kz-knb"]["count"] == 5
    assert groups["kz-knb"]["first_seen"] == "2026-01-06T04:10:00Z"
    assert groups["kz-knb"]["last_seen"] == "2026-01-07T04:10:00Z"
    assert groups["ru-nac"]["count"] == 0 and len(groups["ru-nac"]["items"]) == 1

    cn = seen(trio, "cn", target["id"])  # outside kz-ru: the network's and its own only
    assert cn["total"] == 2
    assert {g["origin"]: g["sightings"] for g in cn["by_origin"]} == {"kz-knb": 1, "cn-mps": 1}

    # ru-nac leaves the channel: the channel's sightings of kz-knb are gone at once
    with trio.engine.begin() as connection:
        ru_id = directory.get_party(connection, "ru-nac").id
        channel = connection.execute(select(channels.c.id).where(channels.c.name == "kz-ru"))
        connection.execute(
            delete(channel_members).where(
                channel_members.c.channel_id == channel.scalar_one(),
                channel_members.c.party_id == ru_id,
            )
        )
    after = seen(trio, "ru", target["id"])
    assert {g["origin"]: g["sightings"] for g in after["by_origin"]} == {"kz-knb": 1, "ru-nac": 1}


def test_object_the_reader_may_not_see_is_missing(trio: Node) -> None:
    hidden = indicator()
    publish(trio, "kz", hidden, "audience=kz-ru&tlp=amber")
    publish(
        trio, "kz", sighting(hidden["id"], "2026-01-06T04:10:00Z"), "audience=network&tlp=green"
    )
    for stix_id in (hidden["id"], f"indicator--{uuid.uuid4()}", "nonsense"):
        answer = trio.client.get(f"/api/v1/objects/{stix_id}/sightings", headers=trio.headers("cn"))
        assert answer.status_code == 404
        assert answer.json()["detail"].startswith("no object")


def _anonymised(trio: Node) -> tuple[dict[str, Any], dict[str, Any]]:
    target = indicator()
    publish(trio, "kz", target, "audience=network&tlp=green")
    anon = sighting(target["id"], "2026-01-06T04:10:00Z", 1)
    publish(trio, "kz", anon, "audience=kz-ru&tlp=green&anonymise=channel")
    return target, anon


def test_anonymised_sighting_shows_its_channel_everywhere(trio: Node) -> None:
    target, anon = _anonymised(trio)
    h = trio.headers("ru")
    got = trio.client.get(f"/api/v1/objects/{anon['id']}", headers=h).json()
    assert got["sharing"]["origin"] == "channel:kz-ru"
    versions = trio.client.get(f"/api/v1/objects/{anon['id']}/versions", headers=h).json()
    assert [v["sharing"]["origin"] for v in versions["versions"]] == ["channel:kz-ru"]
    listed = trio.client.get("/api/v1/objects?type=sighting", headers=h).json()
    assert [i["sharing"]["origin"] for i in listed["items"]] == ["channel:kz-ru"]
    counted = seen(trio, "ru", target["id"])
    assert [g["origin"] for g in counted["by_origin"]] == ["channel:kz-ru"]
    for answer in (got, versions, listed, counted["by_origin"]):
        assert "kz-knb" not in orjson.dumps(answer).decode()
    # by its shown origin it is found; by its real party never
    assert (
        trio.client.get(f"/api/v1/objects/{anon['id']}?origin=channel:kz-ru", headers=h).status_code
        == 200
    )
    assert (
        trio.client.get(f"/api/v1/objects/{anon['id']}?origin=kz-knb", headers=h).status_code == 404
    )
    assert (
        trio.client.get(
            f"/api/v1/objects/{anon['id']}/versions?origin=kz-knb", headers=h
        ).status_code
        == 404
    )
    # the console's inbox filtered on the real party does not list it
    trio.client.cookies.clear()
    trio.client.headers["Origin"] = "http://testserver"
    assert trio.client.post("/ui/sign-in", data={"token": trio.tokens["ru"]}).status_code == 200
    inbox = trio.client.get("/ui/inbox?party=kz-knb").text
    assert anon["id"] not in inbox
    page = trio.client.get(f"/ui/objects/{anon['id']}").text
    assert "channel:kz-ru" in page and "kz-knb" not in page
    target_page = trio.client.get(f"/ui/objects/{target['id']}").text
    assert 'data-testid="sightings"' in target_page and "channel:kz-ru" in target_page
    trio.client.cookies.clear()


def test_anonymised_sighting_never_leaves_the_node_over_taxii(trio: Node) -> None:
    _target, anon = _anonymised(trio)
    for account in ("ru", "kz"):
        answer = trio.client.get(
            "/taxii2/api/collections/", headers={**trio.headers(account), **TAXII}
        )
        assert answer.status_code == 200, answer.text
        for collection in answer.json().get("collections", []):
            objects = trio.client.get(
                f"/taxii2/api/collections/{collection['id']}/objects/",
                headers={**trio.headers(account), **TAXII, "X-Accord-Provenance": "1"},
            )
            assert anon["id"] not in objects.text


def test_cursor_of_an_anonymised_row_does_not_name_its_party(trio: Node) -> None:
    target = indicator()
    publish(trio, "kz", target, "audience=network&tlp=green")
    for n in range(3):
        publish(
            trio,
            "kz",
            sighting(target["id"], f"2026-01-0{n + 1}T00:00:00Z"),
            "audience=kz-ru&tlp=green&anonymise=channel",
        )
    h = trio.headers("ru")
    first = trio.client.get("/api/v1/objects?type=sighting&limit=1", headers=h).json()
    cursor = first["next"]
    decoded = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    with trio.engine.begin() as connection:
        kz_id = directory.get_party(connection, "kz-knb").id
    assert decoded[2] == "channel:kz-ru" and kz_id not in decoded
    following = trio.client.get(
        f"/api/v1/objects?type=sighting&limit=1&cursor={cursor}", headers=h
    ).json()
    assert (
        following["items"]
        and following["items"][0]["object"]["id"] != first["items"][0]["object"]["id"]
    )
    # a forged cursor naming the real party finds nothing
    forged = base64.urlsafe_b64encode(orjson.dumps([decoded[0], decoded[1], kz_id])).decode()
    answer = trio.client.get(
        f"/api/v1/objects?type=sighting&cursor={forged.rstrip('=')}", headers=h
    )
    assert answer.status_code == 400


def test_anonymise_refusals(trio: Node) -> None:
    target = indicator()
    publish(trio, "kz", target, "audience=network&tlp=green")
    answer = post(trio, "kz", indicator(), "audience=kz-ru&tlp=green&anonymise=channel")
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "anonymise"
    named = sighting(
        target["id"], "2026-01-06T04:10:00Z", created_by_ref=f"identity--{uuid.uuid4()}"
    )
    answer = post(trio, "kz", named, "audience=kz-ru&tlp=green&anonymise=channel")
    assert answer.status_code == 422 and "created_by_ref" in answer.text
    placed = sighting(
        target["id"], "2026-01-06T04:10:00Z", where_sighted_refs=[f"identity--{uuid.uuid4()}"]
    )
    answer = post(trio, "kz", placed, "audience=kz-ru&tlp=green&anonymise=hub")
    assert answer.status_code == 422 and "where_sighted_refs" in answer.text
    plain = sighting(target["id"], "2026-01-06T04:10:00Z")
    for query in (
        "audience=own&tlp=green&anonymise=channel",
        "audience=network&tlp=green&anonymise=channel",
        "audience=own&tlp=green&anonymise=hub",
        "audience=kz-ru&tlp=green&anonymise=party",
    ):
        answer = post(trio, "kz", plain, query)
        assert answer.status_code == 422, query
        assert answer.json()["errors"][0]["field"] == "anonymise"
    # hub: shown as "hub"
    publish(trio, "kz", plain, "audience=network&tlp=green&anonymise=hub")
    got = trio.client.get(f"/api/v1/objects/{plain['id']}", headers=trio.headers("cn")).json()
    assert got["sharing"]["origin"] == "hub"
    # a later version keeps the anonymisation of the first
    later = {**plain, "modified": "2026-01-07T00:00:00.000Z"}
    answer = post(trio, "kz", later, "audience=network&tlp=green")
    assert answer.status_code == 422 and "anonymisation" in answer.text


def test_audit_keeps_the_real_party(trio: Node) -> None:
    _target, anon = _anonymised(trio)
    with trio.engine.begin() as connection:
        rows = connection.execute(
            select(audit_log.c.party, audit_log.c.details).where(audit_log.c.action == "publish")
        ).all()
    mine = [r for r in rows if anon["id"] in str(r.details)]
    assert mine and all(r.party == "kz-knb" for r in mine)
    assert "channel:kz-ru" in str(mine[0].details)


def test_console_object_page_shows_sightings_and_correlations(trio: Node) -> None:
    first, second = person("Ruslan Makhmudov"), person("Ruslan Makhmudov")
    publish(trio, "kz", first, "audience=network&tlp=green")
    publish(trio, "ru", second, "audience=kz-ru&tlp=green")
    publish(
        trio, "ru", sighting(first["id"], "2026-01-06T04:10:00Z", 4), "audience=kz-ru&tlp=green"
    )
    trio.client.cookies.clear()
    trio.client.headers["Origin"] = "http://testserver"
    assert trio.client.post("/ui/sign-in", data={"token": trio.tokens["kz"]}).status_code == 200
    page = trio.client.get(f"/ui/objects/{first['id']}").text
    assert 'id="sightings"' in page and 'data-testid="sightings"' in page
    assert "ru-nac" in page and "2026-01-06 04:10:00Z" in page
    assert 'id="correlations"' in page
    assert 'data-testid="correlations"' in page and f"/ui/objects/{second['id']}" in page
    assert "score 1.00" in page and "Ruslan" in page
    # cn-mps sees neither the channel's sighting nor the channel's indicator
    assert trio.client.post("/ui/sign-in", data={"token": trio.tokens["cn"]}).status_code == 200
    page = trio.client.get(f"/ui/objects/{first['id']}").text
    assert "No sightings you may see." in page and second["id"] not in page
    trio.client.cookies.clear()
