"""The publish path over the REST API: results per object, versions, bad input."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from tests.conftest import Node
from tests.stix_factory import bundle, new_id, sdo

TLP_RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"


@pytest.fixture
def pair(trio: Node) -> Node:
    return trio


def post(
    node: Node,
    account: str,
    payload: Any,
    audience: str = "network",
    tlp: str = "green",
    content_type: str = "application/stix+json;version=2.1",
) -> Any:
    body = payload if isinstance(payload, bytes) else orjson.dumps(payload)
    return node.client.post(
        "/api/v1/objects",
        params={"audience": audience, "tlp": tlp},
        content=body,
        headers={**node.headers(account), "Content-Type": content_type},
    )


def stored_ids(node: Node, account: str) -> set[str]:
    response = node.client.get("/api/v1/objects?limit=1000", headers=node.headers(account))
    assert response.status_code == 200, response.text
    return {item["object"]["id"] for item in response.json()["items"]}


def test_publish_bundle_and_read_it_back_unchanged(pair: Node) -> None:
    actor = sdo("threat-actor", name="Group A", x_custom_prop={"kept": [1, 2]})
    response = post(pair, "kz", bundle(actor))
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 1
    got = pair.client.get(f"/api/v1/objects/{actor['id']}", headers=pair.headers("ru"))
    assert got.status_code == 200
    assert got.json()["object"] == actor
    assert got.json()["sharing"] == {
        **got.json()["sharing"],
        "audience": "network",
        "tlp": "green",
        "origin": "kz-knb",
        "latest": True,
    }


def test_identical_republish_is_a_noop_and_a_clash_is_flagged(pair: Node) -> None:
    actor = sdo()
    assert post(pair, "kz", actor).json()["accepted"] == 1
    again = post(pair, "kz", actor)
    assert again.status_code == 200
    assert again.json()["unchanged"] == 1
    clash = post(pair, "kz", {**actor, "name": "Different"})
    assert clash.status_code == 422
    assert clash.json()["errors"][0]["field"] == "modified"


def test_versions_latest_by_default_all_on_request(pair: Node) -> None:
    v1 = sdo(name="v1")
    v2 = {**v1, "name": "v2", "modified": "2026-02-01T00:00:00Z"}
    v0 = {**v1, "name": "v0-late", "modified": "2026-01-15T00:00:00.5Z"}
    assert post(pair, "kz", bundle(v1, v2)).json()["accepted"] == 2
    assert post(pair, "kz", v0).json()["accepted"] == 1  # an older version arriving late
    latest = pair.client.get(f"/api/v1/objects/{v1['id']}", headers=pair.headers("ru")).json()
    assert latest["object"]["name"] == "v2"
    versions = pair.client.get(f"/api/v1/objects/{v1['id']}/versions", headers=pair.headers("ru"))
    assert [v["object"]["name"] for v in versions.json()["versions"]] == ["v1", "v0-late", "v2"]
    one = pair.client.get(
        f"/api/v1/objects/{v1['id']}",
        params={"version": v1["modified"]},
        headers=pair.headers("ru"),
    )
    assert one.json()["object"]["name"] == "v1"
    listed = pair.client.get("/api/v1/objects", headers=pair.headers("ru")).json()["items"]
    assert [i["object"]["name"] for i in listed] == ["v2"]


def test_revocation_is_permanent(pair: Node) -> None:
    v1 = sdo()
    revoked = {**v1, "modified": "2026-03-01T00:00:00Z", "revoked": True}
    later = {**v1, "modified": "2026-04-01T00:00:00Z", "name": "back"}
    assert post(pair, "kz", bundle(v1, revoked)).json()["accepted"] == 2
    refused = post(pair, "kz", later)
    assert refused.status_code == 422
    assert "revoked" in refused.json()["errors"][0]["message"]
    assert stored_ids(pair, "kz") == set()  # revoked objects leave the default listing
    got = pair.client.get(f"/api/v1/objects/{v1['id']}", headers=pair.headers("kz")).json()
    assert got["object"]["revoked"] is True


def test_originator_control_forbids_other_parties_and_other_audiences(pair: Node) -> None:
    actor = sdo()
    assert post(pair, "kz", actor, audience="kz-ru", tlp="amber").json()["accepted"] == 1
    newer = {**actor, "modified": "2026-05-01T00:00:00Z"}
    # Another party publishing the same id makes an object of its own (ids are namespaced
    # by origin party): kz's object is untouched and nothing tells ru that it exists.
    by_other = post(pair, "ru", newer, audience="kz-ru", tlp="amber")
    assert by_other.status_code == 200 and by_other.json()["accepted"] == 1
    mine = pair.client.get(
        f"/api/v1/objects/{actor['id']}", params={"origin": "kz-knb"}, headers=pair.headers("kz")
    ).json()
    assert mine["object"]["modified"] == actor["modified"]
    assert mine["sharing"]["origin"] == "kz-knb" and mine["sharing"]["latest"]
    wider = post(pair, "kz", newer, audience="network", tlp="amber")
    assert wider.status_code == 422
    assert "audience" in wider.json()["errors"][0]["message"]
    assert actor["id"] not in stored_ids(pair, "cn")


def test_red_to_the_network_is_refused(pair: Node) -> None:
    response = post(pair, "kz", sdo(), audience="network", tlp="red")
    assert response.status_code == 422
    assert response.json()["type"].endswith("policy-violation")
    assert "TLP:RED" in response.json()["detail"]
    embedded = post(pair, "kz", sdo(object_marking_refs=[TLP_RED]), audience="network")
    assert embedded.status_code == 422
    assert embedded.json()["errors"][0]["field"] == "object_marking_refs"
    assert stored_ids(pair, "kz") == set()


def test_embedded_marking_stricter_than_requested_wins(pair: Node) -> None:
    amber = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
    actor = sdo(object_marking_refs=[amber])
    assert post(pair, "kz", actor, tlp="clear").json()["accepted"] == 1
    got = pair.client.get(f"/api/v1/objects/{actor['id']}", headers=pair.headers("kz")).json()
    assert got["sharing"]["tlp"] == "amber"


def test_reader_cannot_publish_and_unknown_channel_is_not_found(pair: Node) -> None:
    assert post(pair, "kz-reader", sdo()).status_code == 403
    response = post(pair, "cn", sdo(), audience="kz-ru")  # cn is not a member
    assert response.status_code == 404
    assert response.json()["detail"] == post(pair, "cn", sdo(), audience="nope").json()[
        "detail"
    ].replace("'nope'", "'kz-ru'")


def test_custom_objects_declared_by_extension_definitions_are_kept_whole(pair: Node) -> None:
    ext_id = new_id("extension-definition")
    definition = {
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": ext_id,
        "created_by_ref": new_id("identity"),
        "created": "2026-01-01T00:00:00Z",
        "modified": "2026-01-01T00:00:00Z",
        "name": "designation",
        "schema": "https://x.example",
        "version": "1.0",
        "extension_types": ["new-sdo"],
    }
    custom = {
        "type": "designation",
        "spec_version": "2.1",
        "id": new_id("designation"),
        "created": "2026-01-01T00:00:00Z",
        "modified": "2026-01-01T00:00:00Z",
        "jurisdiction": "KZ",
        "extensions": {ext_id: {"extension_type": "new-sdo"}},
    }
    response = post(pair, "kz", bundle(definition, custom))
    assert response.status_code == 200, response.text
    got = pair.client.get(f"/api/v1/objects/{custom['id']}", headers=pair.headers("ru")).json()
    assert got["object"] == custom


DEEP: Any = 1
for _ in range(40):
    DEEP = [DEEP]

BAD_OBJECTS = [
    (sdo(created="2026-13-01T00:00:00Z"), "created"),
    (sdo(modified="yesterday"), "modified"),
    (sdo(created="2026-02-01T00:00:00Z", modified="2026-01-01T00:00:00Z"), "modified"),
    ({**sdo(), "id": "threat-actor--not-a-uuid"}, "id"),
    ({**sdo(), "type": "no-such-type", "id": new_id("no-such-type")}, "type"),
    ({k: v for k, v in sdo().items() if k != "spec_version"}, "spec_version"),
    (sdo(created_by_ref="identity--zzz"), "created_by_ref"),
    (sdo(name="nul \x00 byte"), "(object)"),
    (sdo(confidence=101), "confidence"),
    (sdo(x_deep=DEEP), "x_deep"),
]


@pytest.mark.parametrize(("bad", "field"), BAD_OBJECTS)
def test_bad_objects_are_rejected_naming_the_field_and_never_block_valid_ones(
    pair: Node, bad: dict[str, Any], field: str
) -> None:
    good = sdo()
    response = post(pair, "kz", bundle(good, bad))
    assert response.status_code == 422
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert problem["accepted"] == 1 and problem["rejected"] == 1
    error = problem["errors"][0]
    assert error["index"] == 1
    assert error["field"].startswith(field)
    assert stored_ids(pair, "kz") == {good["id"]}


def test_duplicate_ids_in_one_bundle(pair: Node) -> None:
    actor = sdo()
    response = post(pair, "kz", bundle(actor, dict(actor)))
    assert response.status_code == 422
    assert "duplicate" in response.json()["errors"][0]["message"]
    assert stored_ids(pair, "kz") == {actor["id"]}


@pytest.mark.parametrize(
    ("body", "content_type", "status", "words"),
    [
        (b'{"type": "bundle", "id": ', "application/json", 400, "line 1 column"),
        (b'{"type": "bundle", "name": "\xff\xfe"}', "application/json", 400, "UTF-8"),
        (b"[]", "application/json", 400, "bundle"),
        (b"{}", "text/plain", 415, "Content-Type"),
        (b'{"type": "bundle", "id": "bundle--1"}', "application/json", 400, "bundle--"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", 400, "depth"),
    ],
)
def test_unreadable_bodies_get_problem_details(
    pair: Node, body: bytes, content_type: str, status: int, words: str
) -> None:
    response = post(pair, "kz", body, content_type=content_type)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert words in response.json()["detail"]
    assert stored_ids(pair, "kz") == set()


def test_body_over_the_limit_is_413(pair: Node) -> None:
    limit = pair.client.app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    response = post(pair, "kz", b" " * (limit + 1), content_type="application/json")
    assert response.status_code == 413
    assert response.json()["status"] == 413


def test_unauthenticated_and_bad_tokens_get_401_with_challenge(pair: Node) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic !!"}):
        response = pair.client.get("/api/v1/objects", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.json()["type"].endswith("unauthorized")
    assert pair.client.get("/health").status_code == 200
