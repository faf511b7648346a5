"""Search, filters, cursors and the leaks they must not open; regressions from SECURITY.md."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from tests.api.test_publish import post
from tests.conftest import Node
from tests.stix_factory import bundle, new_id, sdo


@pytest.fixture
def world(trio: Node) -> Node:
    return trio


def items(node: Node, account: str, **params: Any) -> list[dict[str, Any]]:
    response = node.client.get("/api/v1/objects", params=params, headers=node.headers(account))
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def ids(node: Node, account: str, **params: Any) -> set[str]:
    return {item["object"]["id"] for item in items(node, account, **params)}


def test_filters(world: Node) -> None:
    creator = new_id("identity")
    actor = sdo("threat-actor", name="Crescent cell", created_by_ref=creator)
    indicator = sdo("indicator", description="Seen near the crescent border")
    other = sdo("intrusion-set", name="Unrelated 100%_literal")
    post(world, "kz", bundle(actor, indicator, other))
    assert ids(world, "ru", type="indicator") == {indicator["id"]}
    assert ids(world, "ru", type="indicator,threat-actor") == {indicator["id"], actor["id"]}
    assert ids(world, "ru", id=actor["id"]) == {actor["id"]}
    assert ids(world, "ru", created_by=creator) == {actor["id"]}
    assert ids(world, "ru", q="CRESCENT") == {actor["id"], indicator["id"]}
    assert ids(world, "ru", q="100%_") == {other["id"]}
    assert ids(world, "ru", q="%") == {other["id"]}  # wildcards are literal
    assert ids(world, "ru", added_after="2000-01-01T00:00:00Z") == {
        actor["id"],
        indicator["id"],
        other["id"],
    }
    assert ids(world, "ru", added_after="2999-01-01T00:00:00Z") == set()
    bad = world.client.get("/api/v1/objects?added_after=yesterday", headers=world.headers("ru"))
    assert bad.status_code == 422 and "added_after" in bad.json()["detail"]


def test_channel_filter_and_unknown_channels_look_alike(world: Node) -> None:
    shared = sdo()
    post(world, "kz", shared, audience="kz-ru", tlp="amber")
    post(world, "kz", sdo(), audience="network")
    assert ids(world, "ru", channel="kz-ru") == {shared["id"]}
    hidden = world.client.get("/api/v1/objects?channel=kz-ru", headers=world.headers("cn"))
    absent = world.client.get("/api/v1/objects?channel=zz-yy", headers=world.headers("cn"))
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json()["detail"].replace("kz-ru", "zz-yy") == absent.json()["detail"]


def test_cursor_of_another_account_reveals_nothing(world: Node) -> None:
    secret = sdo()
    post(world, "kz", bundle(secret, sdo()), audience="kz-ru", tlp="amber")
    page = world.client.get("/api/v1/objects?limit=1", headers=world.headers("ru")).json()
    assert page["more"] and page["next"]
    stolen = world.client.get(
        "/api/v1/objects", params={"cursor": page["next"]}, headers=world.headers("cn")
    )
    garbage = world.client.get(
        "/api/v1/objects", params={"cursor": "not-a-cursor"}, headers=world.headers("cn")
    )
    assert stolen.status_code == garbage.status_code == 400
    assert stolen.json()["detail"] == garbage.json()["detail"]


def test_membership_change_applies_at_once(world: Node) -> None:
    shared = sdo()
    post(world, "kz", shared, audience="kz-ru", tlp="amber")
    assert shared["id"] not in ids(world, "cn")
    world.account("kz-admin", "kz-knb", "admin")
    world.account("ru-admin", "ru-nac", "admin")
    for admin in ("kz-admin", "ru-admin"):  # joining takes every member's agreement
        response = world.client.patch(
            "/api/v1/channels/kz-ru", json={"add": ["cn-mps"]}, headers=world.headers(admin)
        )
        assert response.status_code == 200
    assert response.json()["added"] == ["cn-mps"]
    assert shared["id"] in ids(world, "cn")
    world.client.patch(
        "/api/v1/channels/kz-ru", json={"remove": ["cn-mps"]}, headers=world.headers("cn-admin")
    )
    assert shared["id"] not in ids(world, "cn")
    gone = world.client.get(f"/api/v1/objects/{shared['id']}", headers=world.headers("cn"))
    assert gone.status_code == 404


# --- Regressions named in ../shared/SECURITY.md -------------------------------------------


def test_cve_2020_14969_search_never_skips_access_checks(world: Node) -> None:
    """MISP: a search path skipped access checks and revealed hidden attributes' metadata."""
    post(world, "kz", sdo(name="Needle"), audience="kz-ru", tlp="amber")
    post(world, "ru", sdo(name="Needle red"), audience="own", tlp="red")
    assert items(world, "cn", q="needle") == []
    assert items(world, "cn", type="threat-actor") == []


def test_cve_2021_31780_an_edit_cannot_move_an_object_to_another_audience(world: Node) -> None:
    """MISP: a wrong sharing-group association on edit disclosed data."""
    original = sdo()
    post(world, "kz", original, audience="kz-ru", tlp="amber")
    edited = {**original, "modified": "2026-06-01T00:00:00Z"}
    assert post(world, "kz", edited, audience="network").status_code == 422
    assert original["id"] not in ids(world, "cn")


def test_cve_2026_56424_writes_are_checked_against_the_right_object(world: Node) -> None:
    """MISP: write paths checked permissions against the wrong object."""
    theirs = sdo()
    post(world, "kz", theirs, audience="kz-ru", tlp="amber")
    hijack = {**theirs, "modified": "2026-06-01T00:00:00Z", "name": "hijacked"}
    # ru's post under kz's id is ru's own object: kz's is untouched, and a reader of both
    # sees both, each with its origin.
    assert post(world, "ru", hijack, audience="kz-ru", tlp="amber").status_code == 200
    assert post(world, "cn", hijack, audience="kz-ru", tlp="amber").status_code == 404
    got = world.client.get(f"/api/v1/objects/{theirs['id']}", headers=world.headers("kz")).json()
    assert got["object"]["name"] == theirs["name"] and got["sharing"]["origin"] == "kz-knb"
    both = world.client.get(
        f"/api/v1/objects/{theirs['id']}/versions", headers=world.headers("ru")
    ).json()["versions"]
    assert {(v["sharing"]["origin"], v["object"]["name"]) for v in both} == {
        ("kz-knb", theirs["name"]),
        ("ru-nac", "hijacked"),
    }


def test_cve_2026_27960_no_route_but_health_works_without_a_token(world: Node) -> None:
    """OpenCTI: unauthenticated callers could act as any user."""
    for route in world.client.app.routes:  # type: ignore[attr-defined]
        path = getattr(route, "path", "")
        if not path.startswith("/api/"):
            continue
        concrete = path.replace("{stix_id}", new_id("threat-actor")).replace("{name}", "kz-ru")
        for method in getattr(route, "methods", ()):
            if method == "HEAD":
                continue
            response = world.client.request(method, concrete, content=orjson.dumps({}))
            assert response.status_code == 401, (method, path)


def test_octi_10006_listings_do_not_reveal_channels_or_markings_one_lacks(world: Node) -> None:
    """OpenCTI: filter lists revealed markings the user was not cleared for."""
    channels = world.client.get("/api/v1/channels", headers=world.headers("cn")).json()
    assert [c["name"] for c in channels["channels"]] == []
    me = world.client.get("/api/v1/me", headers=world.headers("kz")).json()
    assert [c["name"] for c in me["channels"]] == ["kz-ru"]
