"""Two real nodes, joined as an operator would (``accord exercise channels`` on the hub's
node, ``accord exercise join`` on the partner's): an inject's ``to`` holds on the partner
node after sync (the host's brief reaches the host's party there, not the partner's), the
answers come back through the hub's own join of the partner node, and the director's end
purges the partner node's copies by its sync, with the audit of both nodes keeping it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from sqlalchemy import select

from accord.acts import admin, exercise_clock, exercise_links, exercises
from accord.exercise import marking
from accord.federation.collections import collection_id
from accord.policy import Principal
from accord.store import directory
from accord.store.peers import list_peers
from accord.store.schema import audit_log
from tests.conftest import HOST, Database
from tests.exercise.test_recipients import host_only
from tests.exercise.test_two_nodes import Side
from tests.federation.test_nodes import _database

PARTIES = ("sco-hub", "kz-knb", "cn-mps")
MAIN = "exercise-two-nodes"
SUB = "exercise-two-nodes--1"
TAXII = {"Accept": "application/taxii+json;version=2.1"}
#: The scenario's ids of the host's lead and of the first report (derived per exercise).
LEAD = marking.derived_id("two-nodes", "indicator--5b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e")
REPORT = marking.derived_id("two-nodes", "report--0c7b5a3e-8f2d-4e1a-b6c9-1a2b3c4d5e6f")


@pytest.fixture
def sides(database: Database, tmp_path: Path) -> Iterator[tuple[Side, Side]]:
    cleanups: list[Iterator[str]] = []
    hub = Side("node-hub", database)
    partner = Side("node-kc", _database(database.backend, tmp_path, "kc", cleanups))
    for side in (hub, partner):
        with side.engine.begin() as connection:
            for code in (*PARTIES, "ru-nac"):
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
        # The partner node hosts two parties: the partner's (cn-mps) and the host's (kz-knb).
        for name, code in (("cn", "cn-mps"), ("kz", "kz-knb")):
            partner.tokens[name] = admin.add_account(connection, HOST, name, code, "publisher")[1]
    for side in (hub, partner):
        side.start(tmp_path)
    try:
        yield hub, partner
    finally:
        for side in (hub, partner):
            if side.process:
                side.process.kill()
                side.process.wait()
        partner.engine.dispose()


def _status(side: Side, account: str, path: str, **headers: str) -> int:
    answer = httpx.get(
        side.base + path, headers={"Authorization": f"Bearer {side.tokens[account]}", **headers}
    )
    return answer.status_code


def _ids(side: Side, account: str, query: str) -> list[str]:
    return [i["object"]["id"] for i in side.get(account, f"/api/v1/objects{query}")["items"]]


def _actions(side: Side) -> list[str]:
    with side.engine.connect() as connection:
        return list(connection.execute(select(audit_log.c.action)).scalars())


@pytest.mark.slow
def test_to_holds_on_the_partner_node_and_the_end_reaches_it(
    sides: tuple[Side, Side],
) -> None:
    hub, partner = sides
    t0 = directory.utc_now()
    with hub.engine.connect() as connection:
        director = Principal(directory.get_account(connection, "director"), "api")
    with hub.engine.begin() as connection:
        exercises.import_scenario(connection, HOST, orjson.dumps(host_only()))
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
    # The director exports the channels the partner node's parties are in (REST).
    document = hub.get("director", "/api/v1/exercises/two-nodes/channels?party=cn-mps&party=kz-knb")
    assert [c["name"] for c in document["channels"]] == [MAIN, SUB]
    assert document["director"] == "sco-hub" and document["node"] == "node-hub"
    # The partner's operator joins: channels made, one peer per channel.
    with partner.engine.begin() as connection:
        joined = exercise_links.join(
            connection,
            HOST,
            document,
            f"{hub.base}/taxii2/api/",
            {"cn-mps": hub.tokens["peer-cn-mps"], "kz-knb": hub.tokens["peer-kz-knb"]},
        )
    assert joined["created"] == [MAIN, SUB] and joined["peers"] == [MAIN, SUB]
    # The hub's operator joins the partner node back, to pull the answers.
    with hub.engine.begin() as connection:
        back = exercise_links.join(
            connection,
            HOST,
            document,
            f"{partner.base}/taxii2/api/",
            {"sco-hub": partner.tokens["peer-sco-hub"]},
        )
    assert back["created"] == [] and back["peers"] == [MAIN, SUB]
    partner.sync()
    lead, report = LEAD, REPORT
    # On the partner node: the host's party reads the host's brief, the partner's does not.
    assert lead in _ids(partner, "kz", f"?channel={SUB}")
    assert report in _ids(partner, "cn", f"?channel={MAIN}")
    assert lead not in _ids(partner, "cn", f"?channel={MAIN}")
    assert _status(partner, "cn", f"/api/v1/objects?channel={SUB}") == 404
    assert _status(partner, "cn", f"/api/v1/objects/{lead}") == 404
    sub_objects = f"/taxii2/api/collections/{collection_id(SUB)}/objects/"
    assert _status(partner, "cn", sub_objects, **TAXII) == 404
    assert _status(partner, "kz", sub_objects, **TAXII) == 200
    assert _status(partner, "cn", f"/api/v1/misp/events?collection={SUB}") == 404
    assert _status(partner, "cn", f"/misp/feeds/{SUB}/manifest.json") == 404
    # The host answers in its brief's channel on the partner node; it comes back by sync.
    indicator = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": "indicator--1f2e3d4c-5b6a-4789-8a9b-0c1d2e3f4a5b",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "name": "What the host found",
        "pattern": "[domain-name:value = 'found.example']",
        "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z",
    }
    posted = httpx.post(
        f"{partner.base}/api/v1/objects",
        params={"audience": SUB, "tlp": "amber"},
        content=orjson.dumps(indicator),
        headers={
            "Authorization": f"Bearer {partner.tokens['kz']}",
            "Content-Type": "application/json",
        },
    )
    assert posted.status_code == 200 and posted.json()["accepted"] == 1, posted.text
    hub.sync()
    now = directory.utc_now()
    exercise_clock.tick(hub.engine, now, node=hub.name)
    with hub.engine.begin() as connection:
        state = exercise_clock.status(connection, director, "two-nodes", now)
    met = state["expectations"][0]
    assert met["status"] == "met" and met["object"] == indicator["id"], met
    # The director ends it on the hub; the partner node's next sync purges its copies.
    with hub.engine.begin() as connection:
        ended = exercises.set_state(connection, director, "two-nodes", "end")
    assert ended["state"] == "ended"
    with hub.engine.connect() as connection:
        assert list_peers(connection) == []  # its pulls from the partner node removed
    partner.sync()
    with partner.engine.connect() as connection:
        names = [c.name for c in directory.list_channels(connection)]
        assert list_peers(connection) == []
    assert MAIN not in names and SUB not in names
    assert _status(partner, "kz", f"/api/v1/objects/{lead}") == 404
    assert _status(partner, "kz", f"/api/v1/objects/{indicator['id']}") == 404
    assert _ids(partner, "cn", "") == []
    # Both audits keep what happened.
    assert "exercise.ended" in _actions(partner) and "receive" in _actions(partner)
    assert {"exercise.end", "exercise.join", "exercise.channels.export"} <= set(_actions(hub))
    partner.sync()  # nothing left to pull, and no error
