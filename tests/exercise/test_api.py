"""/api/v1/exercises: directors steer, players see their part, every other account (reader,
publisher or admin of a party outside the exercise) is answered as for no exercise."""

from __future__ import annotations

from datetime import timedelta

import orjson
import pytest

from accord.acts import exercise_clock
from accord.store import directory
from tests.conftest import Node
from tests.exercise.helpers import MINIMAL, setup_parties

BASE = "/api/v1/exercises"
ROLES = {"host": "kz-knb", "partner": "cn-mps", "hub": "sco-hub"}


@pytest.fixture
def running(node: Node) -> Node:
    setup_parties(node)
    client = node.client
    done = client.post(
        f"{BASE}/scenarios",
        content=orjson.dumps(MINIMAL),
        headers={**node.headers("director"), "Content-Type": "application/json"},
    )
    assert done.status_code == 201, done.text
    started = client.post(
        BASE,
        json={"scenario": "embassy-drill", "name": "api-1", "roles": ROLES, "speed": 60},
        headers=node.headers("director"),
    )
    assert started.status_code == 201, started.text
    assert started.json()["channel"] == "exercise-api-1"
    exercise_clock.tick(node.engine, directory.utc_now() + timedelta(seconds=1))
    return node


def test_the_director_sees_and_steers(running: Node) -> None:
    client, director = running.client, running.headers("director")
    state = client.get(f"{BASE}/api-1", headers=director).json()
    assert state["view"] == "director" and state["injects"][0]["status"] == "sent"
    assert state["injects"][0]["from"] == "hub" and state["scores"]["kz-knb"]["max_points"] == 10
    assert [e["name"] for e in client.get(BASE, headers=director).json()["exercises"]] == ["api-1"]
    report = client.get(f"{BASE}/api-1/report?format=html", headers=director)
    assert report.status_code == 200 and "EXERCISE" in report.text
    assert client.get(f"{BASE}/api-1/report?format=doc", headers=director).status_code == 400
    marked = client.post(
        f"{BASE}/api-1/expectations/host-shares-indicator", json={"status": "met"}, headers=director
    )
    assert marked.status_code == 200, marked.text
    bad = client.post(
        f"{BASE}/api-1/expectations/host-shares-indicator",
        json={"status": "maybe"},
        headers=director,
    )
    assert bad.status_code == 400 and "status" in bad.text
    assert client.post(f"{BASE}/api-1/pause", headers=director).status_code == 200
    assert client.post(f"{BASE}/api-1/resume", headers=director).status_code == 200
    assert client.post(f"{BASE}/api-1/end", headers=director).status_code == 200
    assert client.get(f"{BASE}/api-1", headers=director).json()["state"] == "ended"


def test_players_see_their_part_only(running: Node) -> None:
    client = running.client
    for player in ("kz", "kz-reader", "kz-admin"):
        state = client.get(f"{BASE}/api-1", headers=running.headers(player)).json()
        assert state["view"] == "player" and "scores" not in state or state["scores"] is None
        assert [e["id"] for e in state["expectations"]] == ["host-shares-indicator"]
        for action in ("pause", "end"):
            assert (
                client.post(f"{BASE}/api-1/{action}", headers=running.headers(player)).status_code
                == 403
            )
        assert (
            client.get(f"{BASE}/api-1/report", headers=running.headers(player)).status_code == 403
        )
        marked = client.post(
            f"{BASE}/api-1/expectations/host-shares-indicator",
            json={"status": "met"},
            headers=running.headers(player),
        )
        assert marked.status_code == 403
    lesson = client.post(
        f"{BASE}/api-1/lessons", json={"text": "Faster screening"}, headers=running.headers("cn")
    )
    assert lesson.status_code == 201, lesson.text
    assert client.get(f"{BASE}/scenarios", headers=running.headers("kz-admin")).status_code == 403


@pytest.mark.parametrize("outsider", ["ru", "ru-reader", "ru-admin"])
def test_an_outside_party_sees_nothing_of_it(running: Node, outsider: str) -> None:
    client, headers = running.client, running.headers(outsider)
    missing = client.get(f"{BASE}/no-such", headers=headers)
    assert client.get(BASE, headers=headers).json() == {"exercises": []}
    for method, path, body in (
        ("GET", "/api-1", None),
        ("GET", "/api-1/report", None),
        ("POST", "/api-1/pause", None),
        ("POST", "/api-1/end", None),
        ("POST", "/api-1/lessons", {"text": "x"}),
        ("POST", "/api-1/expectations/host-shares-indicator", {"status": "met"}),
    ):
        answer = client.request(method, BASE + path, json=body, headers=headers)
        assert answer.status_code == 404, (path, answer.text)
        assert answer.json()["detail"].replace("api-1", "no-such") == missing.json()["detail"]
    # Nor does it see the exercise's channel or objects anywhere.
    assert client.get("/api/v1/objects?channel=exercise-api-1", headers=headers).status_code == 404
    assert client.get("/api/v1/objects", headers=headers).json()["items"] == []
    # Its admin cannot grant the director role to another party's account.
    grant = client.put(f"{BASE}/directors/kz", headers=running.headers("ru-admin"))
    assert grant.status_code == 400
    assert (
        client.post(
            BASE,
            json={"scenario": "embassy-drill", "name": "mine", "roles": ROLES},
            headers=headers,
        ).status_code
        == 403
    )


def test_bad_bodies_name_the_field(running: Node) -> None:
    client, director = running.client, running.headers("director")
    bad = client.post(
        BASE,
        json={"scenario": "embassy-drill", "name": "x", "roles": ROLES, "speed": "fast"},
        headers=director,
    )
    assert bad.status_code == 400 and "speed" in bad.text
    reserved = client.post(
        BASE,
        json={"scenario": "embassy-drill", "name": "scenarios", "roles": ROLES},
        headers=director,
    )
    assert reserved.status_code == 400
    broken = dict(MINIMAL, name="broken", roles=["host"])
    refused = client.post(
        f"{BASE}/scenarios",
        content=orjson.dumps(broken),
        headers={**director, "Content-Type": "application/json"},
    )
    assert refused.status_code in (400, 422) and "injects[0].from" in refused.text
