"""The OASIS reference TAXII server, medallion (memory backend), as a remote peer an Accord
node pulls from: incremental, idempotent, attributed to the party and audience configured."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from accord import admin, audit
from accord.federation.sync import sync_all
from accord.store.peers import add_peer
from accord.store.schema import objects
from tests.conftest import Database
from tests.servers import free_port
from tests.stix_factory import sdo

ACTOR = audit.Actor("test", None, "cli")
COLLECTION = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
TAXII = "application/taxii+json;version=2.1"


@pytest.fixture
def medallion(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    root = f"http://127.0.0.1:{port}/api1/"
    data = {
        "/discovery": {"title": "medallion", "description": "", "contact": "",
                       "default": root, "api_roots": [root]},
        "api1": {
            "information": {"title": "api1", "description": "", "versions": [TAXII],
                            "max_content_length": 104857600},
            "status": [],
            "collections": [{"id": COLLECTION, "title": "feed", "description": "",
                             "can_read": True, "can_write": True,
                             "media_types": ["application/stix+json;version=2.1"],
                             "objects": [], "manifest": []}],
        },
    }  # fmt: skip
    (tmp_path / "data.json").write_text(json.dumps(data))
    config = {
        "backend": {"module": "medallion.backends.memory_backend",
                    "module_class": "MemoryBackend", "filename": str(tmp_path / "data.json")},
        "users": {"admin": "Password0"},
        "taxii": {"max_page_size": 50},
    }  # fmt: skip
    (tmp_path / "config.json").write_text(json.dumps(config))
    process = subprocess.Popen(
        [sys.executable, "-m", "medallion.scripts.run", "--port", str(port),
         str(tmp_path / "config.json")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{port}/taxii2/", auth=("admin", "Password0"),
                          headers={"Accept": TAXII}, timeout=1)  # fmt: skip
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield root
    finally:
        process.kill()
        process.wait()


def push(root: str, *items: dict[str, object]) -> None:
    response = httpx.post(
        f"{root}collections/{COLLECTION}/objects/", auth=("admin", "Password0"),
        content=json.dumps({"objects": list(items)}),
        headers={"Accept": TAXII, "Content-Type": TAXII},
    )  # fmt: skip
    assert response.status_code == 202, response.text


@pytest.mark.slow
def test_an_accord_node_pulls_from_medallion(database: Database, medallion: str) -> None:
    with database.engine.begin() as connection:
        admin.add_party(connection, ACTOR, "ua-ssu", "SSU", "UA")
        add_peer(connection, "oasis", medallion, COLLECTION, "admin:Password0",
                 kind="taxii", party="ua-ssu", audience="network")  # fmt: skip
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
