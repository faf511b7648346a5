"""Property test: who reads an exercise's injects equals an oracle written from the rule
alone (an inject is read by the parties of its ``to`` roles and the director's party; any
party may hold several roles, several roles one party), through REST fetch and lists by
channel and TAXII objects, for random role assignments and ``to`` sets."""

from __future__ import annotations

import itertools
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.acts import exercise_clock, exercises
from accord.exercise import marking
from accord.federation.collections import collection_id
from accord.store import directory
from tests.conftest import HOST, Node
from tests.exercise.helpers import principal

PARTIES = ["p-a", "p-b", "p-c", "p-d"]  # p-a is the director's party
ROLES = ["r-one", "r-two", "r-three"]
TAXII = {"Accept": "application/taxii+json;version=2.1"}
RUNS = itertools.count()


def _setup(node: Node) -> None:
    for code in PARTIES:
        node.party(code)
        node.account(f"{code}-admin", code, "admin")
        node.account(f"{code}-reader", code, "reader")
    node.account("director", "p-a", "publisher")
    by = principal(node, "p-a-admin")
    with node.engine.begin() as connection:
        exercises.grant_director(connection, by, "director")


def _report(n: int) -> dict[str, Any]:
    return {
        "type": "report",
        "spec_version": "2.1",
        "id": f"report--00000000-0000-4000-8000-{n:012d}",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "name": f"Inject {n}",
        "published": "2026-01-01T00:00:00.000Z",
        "object_refs": ["location--0c7b5a3e-8f2d-4e1a-b6c9-1a2b3c4d5e70"],
    }


@st.composite
def runs(draw: st.DrawFn) -> tuple[dict[str, str], list[list[str]]]:
    roles = {role: draw(st.sampled_from(PARTIES)) for role in ROLES}
    tos = draw(
        st.lists(
            st.lists(st.sampled_from(ROLES), min_size=1, max_size=3, unique=True),
            min_size=1,
            max_size=4,
        )
    )
    return roles, tos


def test_inject_readers_equal_the_oracle(node: Node) -> None:
    _setup(node)
    director = principal(node, "director")

    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(runs())
    def check(run: tuple[dict[str, str], list[list[str]]]) -> None:
        roles, tos = run
        name = f"oracle-{next(RUNS)}"
        data = {
            "name": name,
            "title": "Oracle",
            "roles": ROLES,
            "injects": [
                {
                    "id": f"inject-{i}",
                    "at": "+0m",
                    "from": ROLES[0],
                    "to": to,
                    "tlp": "amber",
                    "bundle": {"type": "bundle", "objects": [_report(i)]},
                }
                for i, to in enumerate(tos)
            ],
        }
        if len({*roles.values(), "p-a"}) < 2:
            roles = {**roles, ROLES[0]: "p-b"}  # an exercise needs two parties
        now = directory.utc_now()
        with node.engine.begin() as connection:
            exercises.import_scenario(connection, HOST, orjson.dumps(data))
            started = exercises.start_exercise(
                connection, director, name, name, roles, speed=60, start=now, now=now
            )
        exercise_clock.tick(node.engine, now)
        with node.engine.begin() as connection:
            channels = exercise_clock.status(connection, HOST, name, now)["channels"]
        assert channels[0]["name"] == started["channel"]
        for i, to in enumerate(tos):
            readers = {roles[role] for role in to} | {"p-a"}
            stix_id = marking.derived_id(name, _report(i)["id"])
            for code in PARTIES:
                headers = node.headers(f"{code}-reader")
                fetched = node.client.get(f"/api/v1/objects/{stix_id}", headers=headers)
                assert (fetched.status_code == 200) == (code in readers), (run, code, i)
                seen = set()
                for channel in channels:
                    listed = node.client.get(
                        f"/api/v1/objects?channel={channel['name']}&type=report", headers=headers
                    )
                    if listed.status_code == 200:
                        seen |= {item["object"]["id"] for item in listed.json()["items"]}
                    taxii = node.client.get(
                        f"/taxii2/api/collections/{collection_id(channel['name'])}/objects/",
                        headers={**headers, **TAXII},
                    )
                    if taxii.status_code == 200:
                        seen |= {o["id"] for o in taxii.json().get("objects", [])}
                assert (stix_id in seen) == (code in readers), (run, code, i)

    check()
