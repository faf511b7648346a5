"""The TAXII 2.1 server in process: endpoints, negotiation, paging, filters, errors, policy."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from accord.federation.collections import collection_id
from tests.conftest import Node
from tests.stix_factory import new_id, sdo

TAXII = "application/taxii+json;version=2.1"
ROOT = "/taxii2/api"
KZ_RU = collection_id("kz-ru")
NETWORK = collection_id("network")
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"


def get(node: Node, account: str, path: str, **params: Any) -> Any:
    return node.client.get(path, params=params, headers={**node.headers(account), "Accept": TAXII})


def add(node: Node, account: str, collection: str, *objects: dict[str, Any]) -> Any:
    return node.client.post(
        f"{ROOT}/collections/{collection}/objects/",
        content=orjson.dumps({"objects": list(objects)}),
        headers={**node.headers(account), "Accept": TAXII, "Content-Type": TAXII},
    )


def test_discovery_root_and_collections(trio: Node) -> None:
    discovery = get(trio, "kz", "/taxii2/")
    assert discovery.status_code == 200
    assert discovery.headers["content-type"] == TAXII
    assert discovery.json()["api_roots"] == ["/taxii2/api/"]
    assert get(trio, "kz", f"{ROOT}/").json()["versions"] == [TAXII]
    names = {c["title"] for c in get(trio, "kz", f"{ROOT}/collections/").json()["collections"]}
    assert "Channel kz-ru" in names and "Network" in names
    cn = get(trio, "cn", f"{ROOT}/collections/").json()["collections"]
    assert KZ_RU not in {c["id"] for c in cn}
    assert get(trio, "cn", f"{ROOT}/collections/{KZ_RU}/").status_code == 404
    assert get(trio, "kz", f"{ROOT}/collections/{KZ_RU}").json()["can_write"] is True  # no slash


@pytest.mark.parametrize(
    ("accept", "status"),
    [
        ("application/taxii+json", 200),
        ("*/*", 200),
        ("application/json, text/plain, */*", 200),
        ("text/html;q=0.9, application/taxii+json;version=2.1;q=0.8", 200),
        ("application/taxii+json;version=2.0", 406),
        ("text/html", 406),
    ],
)
def test_accept_negotiation(trio: Node, accept: str, status: int) -> None:
    response = trio.client.get("/taxii2/", headers={**trio.headers("kz"), "Accept": accept})
    assert response.status_code == status
    if status == 406:
        assert response.json()["http_status"] == "406"
        assert response.headers["content-type"] == TAXII


def test_add_objects_status_duplicates_and_policy(trio: Node) -> None:
    shared = sdo(object_marking_refs=[GREEN])
    first = add(trio, "kz", KZ_RU, shared, sdo(created="never"))
    assert first.status_code == 202
    status = first.json()
    assert (status["success_count"], status["failure_count"], status["total_count"]) == (1, 1, 2)
    assert "created" in status["failures"][0]["message"]
    again = add(trio, "kz", KZ_RU, shared).json()
    assert again["success_count"] == 1 and again["failure_count"] == 0  # exact duplicate
    polled = get(trio, "kz", f"{ROOT}/status/{status['id']}/")
    assert polled.json() == status
    assert get(trio, "cn", f"{ROOT}/status/{status['id']}/").status_code == 404
    wrong = trio.client.post(
        f"{ROOT}/collections/{KZ_RU}/objects/",
        content=b"{}",
        headers={**trio.headers("kz"), "Content-Type": "application/json"},
    )
    assert wrong.status_code == 415
    red = sdo(object_marking_refs=["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"])
    assert add(trio, "kz", NETWORK, red).json()["failure_count"] == 1
    seen_by_ru = get(trio, "ru", f"{ROOT}/collections/{KZ_RU}/objects/").json()["objects"]
    assert [o["id"] for o in seen_by_ru] == [shared["id"]]
    listed = trio.client.get(f"/api/v1/objects/{shared['id']}", headers=trio.headers("ru"))
    assert listed.json()["sharing"]["tlp"] == "green"  # the object's own marking
    assert get(trio, "cn", f"{ROOT}/collections/{KZ_RU}/objects/").status_code == 404


def test_paging_filters_and_headers(trio: Node) -> None:
    objects = [sdo("indicator") for _ in range(5)] + [sdo("threat-actor") for _ in range(2)]
    add(trio, "kz", NETWORK, *objects)
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 3}
    while True:
        response = get(trio, "cn", f"{ROOT}/collections/{NETWORK}/objects/", **params)
        body = response.json()
        assert "X-TAXII-Date-Added-First" in response.headers
        seen += [o["id"] for o in body["objects"]]
        if not body["more"]:
            assert "next" not in body
            break
        params = {"limit": 3, "next": body["next"]}
    assert seen == [o["id"] for o in objects]
    typed = get(
        trio, "cn", f"{ROOT}/collections/{NETWORK}/objects/", **{"match[type]": "threat-actor"}
    )
    assert len(typed.json()["objects"]) == 2
    one = get(
        trio, "cn", f"{ROOT}/collections/{NETWORK}/objects/", **{"match[id]": objects[0]["id"]}
    )
    assert [o["id"] for o in one.json()["objects"]] == [objects[0]["id"]]
    none = get(
        trio, "cn", f"{ROOT}/collections/{NETWORK}/objects/", **{"match[spec_version]": "2.0"}
    )
    assert none.json() == {"more": False}
    later = get(
        trio, "cn", f"{ROOT}/collections/{NETWORK}/objects/", added_after="2999-01-01T00:00:00Z"
    )
    assert later.json() == {"more": False}
    manifest = get(trio, "cn", f"{ROOT}/collections/{NETWORK}/manifest/").json()["objects"]
    assert manifest[0]["version"] == objects[0]["modified"]
    assert manifest[0]["media_type"] == "application/stix+json;version=2.1"


def test_versions_match_version_and_delete(trio: Node) -> None:
    v1 = sdo(name="v1")
    v2 = {**v1, "modified": "2026-02-01T00:00:00.000Z", "name": "v2"}
    v3 = {**v1, "modified": "2026-03-01T00:00:00.000Z", "name": "v3"}
    add(trio, "kz", KZ_RU, v1, v2, v3)
    base = f"{ROOT}/collections/{KZ_RU}/objects/{v1['id']}"
    versions = get(trio, "ru", f"{base}/versions/").json()["versions"]
    assert versions == [v1["modified"], v2["modified"], v3["modified"]]

    def names(**params: str) -> list[str]:
        return [o["name"] for o in get(trio, "ru", f"{base}/", **params).json()["objects"]]

    assert names() == ["v3"]
    assert names(**{"match[version]": "first"}) == ["v1"]
    assert names(**{"match[version]": "all"}) == ["v1", "v2", "v3"]
    assert names(**{"match[version]": v2["modified"]}) == ["v2"]
    assert names(**{"match[version]": "first,last"}) == ["v1", "v3"]
    # Only the originator deletes; a tombstone hides the version, the next newest is latest.
    deny = trio.client.delete(f"{base}/", headers={**trio.headers("ru"), "Accept": TAXII})
    assert deny.status_code == 404
    elsewhere = f"{ROOT}/collections/{NETWORK}/objects/{v1['id']}/"
    wrong = trio.client.delete(elsewhere, headers={**trio.headers("kz"), "Accept": TAXII})
    assert wrong.status_code == 404  # not in that collection
    gone = trio.client.delete(
        f"{base}/",
        params={"match[version]": v3["modified"]},
        headers={**trio.headers("kz"), "Accept": TAXII},
    )
    assert gone.status_code == 200
    assert names() == ["v2"]
    trio.client.delete(f"{base}/", headers={**trio.headers("kz"), "Accept": TAXII})
    assert get(trio, "ru", f"{base}/").status_code == 404
    again = add(trio, "kz", KZ_RU, {**v1, "modified": "2026-05-01T00:00:00.000Z"}).json()
    assert "deleted" in again["failures"][0]["message"]


def test_errors_are_taxii_bodies_and_401_challenges(trio: Node) -> None:
    response = trio.client.get("/taxii2/", headers={"Accept": TAXII})
    assert response.status_code == 401
    assert "Basic" in response.headers["www-authenticate"]
    assert response.json()["http_status"] == "401"
    missing = get(trio, "kz", f"{ROOT}/collections/{KZ_RU}/objects/{new_id('threat-actor')}/")
    assert missing.status_code == 404 and missing.json()["title"]
    bad = get(trio, "kz", f"{ROOT}/collections/{KZ_RU}/objects/", **{"match[version]": "nope"})
    assert bad.status_code == 422
    basic = trio.client.get("/taxii2/", auth=("kz", trio.tokens["kz"]), headers={"Accept": TAXII})
    assert basic.status_code == 200
