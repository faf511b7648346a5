"""A whole scenario at high speed across two real nodes (separate processes and databases):
the hub's node runs the exercise; the inject reaches the partner's node by sync like real
intelligence (marked, hidden from its default views, never alerting); the partner's
sighting, published on its own node, comes back by sync and meets its expectation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from accord.acts import admin, exercise_clock, exercises
from accord.errors import Forbidden
from accord.exercise import marking
from accord.federation.collections import collection_id
from accord.federation.sync import sync_all
from accord.policy import Principal
from accord.store import directory
from accord.store.peers import add_peer
from tests.conftest import HOST, Database
from tests.exercise.helpers import later, scenario
from tests.federation.test_nodes import _database
from tests.servers import free_port, start_server

PARTIES = ("sco-hub", "kz-knb", "cn-mps")
CHANNEL = "exercise-two-nodes"


class Side:
    def __init__(self, name: str, database: Database) -> None:
        self.name, self.database, self.tokens = name, database, {}
        self.base, self.process = "", None

    @property
    def engine(self) -> Any:
        return self.database.engine

    def start(self, tmp: Path) -> None:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        env = {"ACCORD_NODE_NAME": self.name, "ACCORD_EXERCISE_CLOCK_INTERVAL": "0"}
        self.process = start_server(self.database, port, tmp / f"{self.name}.log", env=env)

    def get(self, account: str, path: str) -> Any:
        answer = httpx.get(
            self.base + path, headers={"Authorization": f"Bearer {self.tokens[account]}"}
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    def sync(self) -> None:
        for outcome in sync_all(self.engine, local_node=self.name):
            assert not isinstance(outcome, Exception), outcome


@pytest.fixture
def sides(database: Database, tmp_path: Path) -> Iterator[tuple[Side, Side]]:
    cleanups: list[Iterator[str]] = []
    hub = Side("node-hub", database)
    partner = Side("node-cn", _database(database.backend, tmp_path, "cn", cleanups))
    for side in (hub, partner):
        with side.engine.begin() as connection:
            for code in PARTIES:
                admin.add_party(connection, HOST, code, code, "KZ")
                side.tokens[f"peer-{code}"] = admin.add_account(
                    connection, HOST, f"peer-{code}", code, "reader"
                )[1]
    with hub.engine.begin() as connection:
        hub.tokens["director"] = admin.add_account(
            connection, HOST, "director", "sco-hub", "publisher"
        )[1]
        hub_admin, _ = admin.add_account(connection, HOST, "hub-admin", "sco-hub", "admin")
        exercises.grant_director(connection, Principal(hub_admin, "cli"), "director")
    with partner.engine.begin() as connection:
        partner.tokens["cn"] = admin.add_account(connection, HOST, "cn", "cn-mps", "publisher")[1]
        # The partner node's operator opens the exercise's channel (same name, same members).
        admin.add_channel(connection, HOST, CHANNEL, list(PARTIES))
    for side in (hub, partner):
        side.start(tmp_path)
    with partner.engine.begin() as connection:
        add_peer(
            connection,
            "hub",
            f"{hub.base}/taxii2/api/",
            collection_id(CHANNEL),
            hub.tokens["peer-cn-mps"],
        )
    try:
        yield hub, partner
    finally:
        for side in (hub, partner):
            if side.process:
                side.process.kill()
                side.process.wait()
        partner.engine.dispose()
        for schemas in cleanups:
            for _ in schemas:
                pass


@pytest.mark.slow
def test_a_scenario_runs_across_two_nodes(sides: tuple[Side, Side]) -> None:
    hub, partner = sides
    data = scenario()
    data["expectations"].append(
        {
            "id": "partner-sighting",
            "role": "partner",
            "after": "first-report",
            "within": "30m",
            "do": "sighting",
            "points": 7,
        }
    )
    t0 = directory.utc_now()
    with hub.engine.connect() as connection:
        director = Principal(directory.get_account(connection, "director"), "api")
    with hub.engine.begin() as connection:
        exercises.import_scenario(connection, HOST, orjson.dumps(data))
        exercises.start_exercise(
            connection,
            director,
            "embassy-drill",
            "two-nodes",
            {"host": "kz-knb", "partner": "cn-mps", "hub": "sco-hub"},
            speed=60,
            start=t0,
            now=t0,
        )
    exercise_clock.tick(hub.engine, t0, node=hub.name)
    # The hub's node pulls the exercise channel back from the partner's node.
    with hub.engine.begin() as connection:
        add_peer(
            connection,
            "cn",
            f"{partner.base}/taxii2/api/",
            collection_id(CHANNEL),
            partner.tokens["peer-sco-hub"],
        )
    partner.sync()
    received = partner.get("cn", f"/api/v1/objects?channel={CHANNEL}&type=report")["items"]
    assert len(received) == 1
    report = received[0]["object"]
    assert marking.is_marked(report, "two-nodes") and marking.tag("two-nodes") in report["labels"]
    assert received[0]["sharing"]["origin"] == "sco-hub"
    assert partner.get("cn", "/api/v1/objects")["items"] == []  # not in the default list
    sighting = {
        "type": "sighting",
        "spec_version": "2.1",
        "id": "sighting--7d0a3b1e-6c2f-4e8a-9b5d-1f2e3d4c5b6a",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "sighting_of_ref": report["id"],
    }
    posted = httpx.post(
        f"{partner.base}/api/v1/objects",
        params={"audience": CHANNEL, "tlp": "amber"},
        content=orjson.dumps(sighting),
        headers={
            "Authorization": f"Bearer {partner.tokens['cn']}",
            "Content-Type": "application/json",
        },
    )
    assert posted.status_code == 200, posted.text
    assert posted.json()["accepted"] == 1, posted.text
    hub.sync()
    exercise_clock.tick(hub.engine, later(t0, 31), node=hub.name)
    with hub.engine.begin() as connection:
        state = exercise_clock.status(connection, director, "two-nodes", later(t0, 31))
    outcome = {e["id"]: e for e in state["expectations"]}
    assert outcome["partner-sighting"]["status"] == "met"
    assert outcome["partner-sighting"]["party"] == "cn-mps"
    assert outcome["partner-sighting"]["object"] == sighting["id"]
    assert outcome["host-shares-indicator"]["status"] == "missed"
    assert state["scores"]["cn-mps"]["points"] == 7
    # The director ends it on the hub's node; the partner's operator purges its copies.
    with hub.engine.begin() as connection:
        exercises.set_state(connection, director, "two-nodes", "end")
    with partner.engine.connect() as connection:
        player = Principal(directory.get_account(connection, "cn"), "api")
    with partner.engine.begin() as connection, pytest.raises(Forbidden):
        exercises.purge_received(connection, player, "two-nodes")
    with partner.engine.begin() as connection:
        assert exercises.purge_received(connection, HOST, "two-nodes") == 3
    assert partner.get("cn", "/api/v1/objects")["items"] == []
