"""The OASIS reference TAXII server, medallion (memory backend), as a remote peer an Accord
node pulls from: incremental, idempotent, attributed to the party and audience configured."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from accord import audit
from accord.acts import admin
from accord.federation.sync import sync_all
from accord.policy import Principal
from accord.store.peers import add_peer
from accord.store.schema import objects
from tests.conftest import Database
from tests.servers import MEDALLION_COLLECTION as COLLECTION
from tests.servers import TAXII, medallion_server
from tests.stix_factory import sdo

ACTOR = audit.Actor("test", None, "cli")
HOST = Principal(None, "cli", host_name="test")


@pytest.fixture
def medallion(tmp_path: Path) -> Iterator[str]:
    with medallion_server(tmp_path, page_size=50) as root:
        yield root


def push(root: str, *items: dict[str, object]) -> None:
    response = httpx.post(
        f"{root}collections/{COLLECTION}/objects/",
        auth=("admin", "Password0"),
        content=json.dumps({"objects": list(items)}),
        headers={"Accept": TAXII, "Content-Type": TAXII},
    )
    assert response.status_code == 202, response.text


@pytest.mark.slow
def test_an_accord_node_pulls_from_medallion(database: Database, medallion: str) -> None:
    with database.engine.begin() as connection:
        admin.add_party(connection, HOST, "ua-ssu", "SSU", "UA")
        add_peer(
            connection,
            "oasis",
            medallion,
            COLLECTION,
            "admin:Password0",
            kind="taxii",
            party="ua-ssu",
            audience="network",
        )
    first = [sdo("indicator") for _ in range(120)]
    push(medallion, *first)
    outcome = sync_all(database.engine, local_node="node-x")[0]
    assert not isinstance(outcome, Exception), outcome
    assert (outcome.accepted, outcome.pages) == (120, 3)
    again = sync_all(database.engine, local_node="node-x")[0]
    assert not isinstance(again, Exception) and again.accepted == 0  # nothing new, nothing twice
    later = [sdo("threat-actor") for _ in range(7)]
    push(medallion, *later)
    more = sync_all(database.engine, local_node="node-x")[0]
    assert not isinstance(more, Exception) and more.accepted == 7
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(objects.c.stix_id, objects.c.audience_kind, objects.c.origin_node)
        ).all()
    assert {r.stix_id for r in rows} == {o["id"] for o in first + later}
    assert len(rows) == 127
    assert {(r.audience_kind, r.origin_node) for r in rows} == {("network", "oasis")}
