"""Scenarios and a node with exercise parties, shared by the exercise tests."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

import orjson

from accord.acts import exercise_clock, exercises
from accord.policy import Principal
from accord.store import directory
from tests.conftest import HOST, Node

#: The issue's minimal scenario, exactly as given.
MINIMAL: dict[str, Any] = {
    "name": "embassy-drill",
    "title": "Embassy attack drill",
    "roles": ["host", "partner", "hub"],
    "injects": [
        {
            "id": "first-report",
            "at": "+0m",
            "from": "hub",
            "to": ["host", "partner"],
            "tlp": "amber",
            "bundle": {
                "type": "bundle",
                "id": "bundle--6a2f9c3e-1d4b-4f7a-9c1e-2b3d4e5f6a7b",
                "objects": [
                    {
                        "type": "report",
                        "spec_version": "2.1",
                        "id": "report--0c7b5a3e-8f2d-4e1a-b6c9-1a2b3c4d5e6f",
                        "created": "2026-01-01T00:00:00.000Z",
                        "modified": "2026-01-01T00:00:00.000Z",
                        "name": "Explosion at an embassy gate",
                        "published": "2026-01-01T00:00:00.000Z",
                        "object_refs": ["location--0c7b5a3e-8f2d-4e1a-b6c9-1a2b3c4d5e70"],
                    }
                ],
            },
        }
    ],
    "expectations": [
        {
            "id": "host-shares-indicator",
            "role": "host",
            "after": "first-report",
            "within": "30m",
            "do": "publish",
            "type": "indicator",
            "audience": "{exercise}",
            "points": 10,
        }
    ],
}


def scenario(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(MINIMAL)
    data.update(changes)
    return data


def indicator(value: str = "bad.example", n: int = 0) -> dict[str, Any]:
    import uuid

    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "name": f"Domain {value}",
        "pattern": f"[domain-name:value = '{value}']",
        "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z",
    }


def setup_parties(node: Node) -> None:
    """kz-knb (host), cn-mps (partner), sco-hub (hub, the director's party), ru-nac (outside
    the exercise); a publisher, reader and admin in each, and a director in the hub."""
    for code, jurisdiction in (
        ("kz-knb", "KZ"),
        ("cn-mps", "CN"),
        ("sco-hub", "SCO"),
        ("ru-nac", "RU"),
    ):
        node.party(code, jurisdiction)
        short = code.split("-")[0]
        node.account(f"{short}-admin", code, "admin")
        node.account(short, code, "publisher")
        node.account(f"{short}-reader", code, "reader")
    node.account("director", "sco-hub", "publisher")
    by = principal(node, "sco-admin")
    with node.engine.begin() as connection:
        exercises.grant_director(connection, by, "director")


def principal(node: Node, name: str, door: str = "api") -> Principal:
    with node.engine.connect() as connection:
        return Principal(directory.get_account(connection, name), door)


def start(
    node: Node, now: datetime, *, name: str = "drill-1", data: dict[str, Any] | None = None
) -> None:
    director = principal(node, "director")
    with node.engine.begin() as connection:
        exercises.import_scenario(connection, HOST, orjson.dumps(data or MINIMAL))
        exercises.start_exercise(
            connection,
            director,
            (data or MINIMAL)["name"],
            name,
            {"host": "kz-knb", "partner": "cn-mps", "hub": "sco-hub"},
            speed=60,
            start=now,
            now=now,
        )


def status(node: Node, now: datetime, name: str = "drill-1", who: str | None = None) -> Any:
    by = HOST if who is None else principal(node, who)
    with node.engine.begin() as connection:
        return exercise_clock.status(connection, by, name, now)


def later(now: datetime, minutes: float) -> datetime:
    """Wall time for ``minutes`` of scenario time at speed 60."""
    return now + timedelta(seconds=minutes)
