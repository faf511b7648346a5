"""Real nodes (separate processes and databases) syncing over TAXII: three national nodes and
a hub. Audiences hold across nodes, triangles neither loop nor widen, and a sync killed in the
middle resumes to exactly the result of an uninterrupted one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import select

from accord import audit
from accord.acts import admin
from accord.federation.collections import collection_id
from accord.federation.sync import sync_all
from accord.policy import Principal
from accord.store.engine import make_engine, migrate
from accord.store.peers import add_peer
from accord.store.schema import objects
from tests.conftest import PG_URL, Database, _pg_schema
from tests.servers import free_port, server_url, spawn_server, start_server, wait_for_server
from tests.stix_factory import bundle, sdo

ACTOR = audit.Actor("test", None, "cli")
HOST = Principal(None, "cli", host_name="test")
PARTIES = {"a": "kz-knb", "b": "ru-nac", "c": "cn-mps", "h": "sco-rats"}
RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"


@dataclass
class FedNode:
    key: str
    database: Database
    base: str = ""
    process: subprocess.Popen[bytes] | None = None
    tokens: dict[str, str] = field(default_factory=dict)
    port: int = 0
    log: Path | None = None

    @property
    def name(self) -> str:
        return f"node-{self.key}"

    def ids(self) -> set[str]:
        with self.database.engine.connect() as connection:
            return set(connection.execute(select(objects.c.stix_id)).scalars())

    def row(self, stix_id: str) -> Any:
        with self.database.engine.connect() as connection:
            return connection.execute(
                select(objects.c.audience_kind, objects.c.origin_node, objects.c.hops).where(
                    objects.c.stix_id == stix_id
                )
            ).one()

    def publish(self, account: str, audience: str, tlp: str, *items: dict[str, Any]) -> None:
        response = httpx.post(
            f"{self.base}/api/v1/objects",
            params={"audience": audience, "tlp": tlp},
            content=orjson.dumps(bundle(*items)),
            headers={
                "Authorization": f"Bearer {self.tokens[account]}",
                "Content-Type": "application/json",
            },
        )
        assert response.status_code == 200, response.text

    def peer(self, name: str, source: FedNode, audience: str) -> None:
        """This node pulls ``audience`` from ``source`` with an account of its own party."""
        with self.database.engine.begin() as connection:
            add_peer(
                connection,
                name,
                f"{source.base}/taxii2/api/",
                collection_id(audience),
                source.tokens[f"peer-{PARTIES[self.key]}"],
            )

    def sync(self, only: str | None = None) -> None:
        for outcome in sync_all(self.database.engine, local_node=self.name, only=only):
            assert not isinstance(outcome, Exception), outcome

    def start(self, tmp: Path) -> None:
        """Spawn the node's server; :meth:`wait` waits for it (nodes come up together)."""
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tmp / f"{self.name}.log"
        self.process = spawn_server(
            self.database, self.port, self.log, env={"ACCORD_NODE_NAME": self.name}
        )

    def wait(self) -> None:
        assert self.process and self.log
        wait_for_server(self.process, self.port, self.log)

    def stop(self) -> None:
        if self.process:
            self.process.kill()
            self.process.wait()


def _database(backend: str, tmp: Path, key: str, cleanups: list[Iterator[str]]) -> Database:
    if backend == "sqlite":
        url = f"sqlite:///{tmp / (key + '.db')}"
        engine = make_engine(url)
        migrate(engine)
        return Database(backend, url, None, engine)
    assert PG_URL
    schemas = _pg_schema(PG_URL)
    schema = next(schemas)
    cleanups.append(schemas)
    engine = make_engine(PG_URL, schema=schema)
    migrate(engine)
    return Database(backend, PG_URL, schema, engine)


@pytest.fixture
def network(database: Database, tmp_path: Path) -> Iterator[dict[str, FedNode]]:
    """Four nodes with the same directory: each party has a publisher ("<code>") and, on
    every node, a reader for the peers of the others ("peer-<code>")."""
    cleanups: list[Iterator[str]] = []
    nodes = {}
    for key in PARTIES:
        db = database if key == "a" else _database(database.backend, tmp_path, key, cleanups)
        node = FedNode(key, db)
        with db.engine.begin() as connection:
            for code in PARTIES.values():
                admin.add_party(connection, HOST, code, code, "SCO" if code == "sco-rats" else "KZ")
            admin.add_channel(connection, HOST, "kz-ru", ["kz-knb", "ru-nac"])
            admin.add_channel(connection, HOST, "sco-joint", list(PARTIES.values()))
            node.tokens[PARTIES[key]] = admin.add_account(
                connection, HOST, PARTIES[key], PARTIES[key], "publisher"
            )[1]
            for code in PARTIES.values():
                node.tokens[f"peer-{code}"] = admin.add_account(
                    connection, HOST, f"peer-{code}", code, "reader"
                )[1]
        node.start(tmp_path)
        nodes[key] = node
    try:
        for node in nodes.values():
            node.wait()
        yield nodes
    finally:
        for node in nodes.values():
            node.stop()
            if node.database is not database:
                node.database.engine.dispose()
        for schemas in cleanups:
            for _ in schemas:
                pass


@pytest.mark.slow
def test_audiences_hold_across_four_nodes(network: dict[str, FedNode]) -> None:
    a, b, c, h = (network[k] for k in "abch")
    bilateral, everyone = sdo(name="bilateral"), sdo(name="everyone")
    red = sdo(name="red joint", object_marking_refs=[RED])
    a.publish("kz-knb", "kz-ru", "amber", bilateral)
    a.publish("kz-knb", "network", "green", everyone)
    a.publish("kz-knb", "sco-joint", "red", red)
    b.peer("a-kz-ru", a, "kz-ru")
    for node in (b, c, h):
        node.peer("a-network", a, "network")
        node.peer("a-joint", a, "sco-joint")
        node.sync()
    assert bilateral["id"] in b.ids()
    assert bilateral["id"] not in c.ids() | h.ids()
    assert everyone["id"] in b.ids() & c.ids() & h.ids()
    assert red["id"] in b.ids() & c.ids() & h.ids()  # each member received it from its origin
    audience, origin_node, hops = b.row(bilateral["id"])
    assert (audience, origin_node, orjson.loads(hops)) == (
        "channel",
        "node-a",
        ["node-a", "node-b"],
    )

    # C cannot reach the bilateral channel through B either: to C it does not exist.
    c.peer("b-kz-ru", b, "kz-ru")
    outcomes = sync_all(c.database.engine, local_node=c.name, only="b-kz-ru")
    assert isinstance(outcomes[0], Exception) and "404" in str(outcomes[0])
    assert bilateral["id"] not in c.ids()

    # TLP:RED received by B never leaves B: C pulling the joint channel from B gets nothing new.
    other_red = sdo(name="second red", object_marking_refs=[RED])
    a.publish("kz-knb", "sco-joint", "red", other_red)
    b.sync()
    c.peer("b-joint", b, "sco-joint")
    c.sync(only="b-joint")
    assert other_red["id"] in b.ids() and other_red["id"] not in c.ids()


@pytest.mark.slow
def test_a_triangle_neither_loops_nor_widens(network: dict[str, FedNode]) -> None:
    a, b, c = (network[k] for k in "abc")
    b.peer("from-a", a, "network")
    c.peer("from-b", b, "network")
    a.peer("from-c", c, "network")
    joint = sdo(name="joint only")
    a.publish("kz-knb", "sco-joint", "amber", joint)
    everyone = sdo(name="to all")
    a.publish("kz-knb", "network", "green", everyone)
    for _ in range(2):
        for node in (b, c, a):
            node.sync()
    for node in (a, b, c):
        with node.database.engine.connect() as connection:
            rows = connection.execute(
                select(objects.c.stix_id).where(objects.c.stix_id == everyone["id"])
            ).all()
        assert len(rows) == 1  # one version, stored once: no loop
    assert orjson.loads(c.row(everyone["id"])[2]) == ["node-a", "node-b", "node-c"]
    assert a.row(everyone["id"])[1] == "node-a"
    assert joint["id"] not in b.ids() | c.ids()  # the network collections never carry it


@pytest.mark.slow
def test_killed_sync_resumes_to_the_uninterrupted_result(
    network: dict[str, FedNode], tmp_path: Path
) -> None:
    a, b, c = (network[k] for k in "abc")
    for start in range(0, 3000, 500):
        a.publish("kz-knb", "network", "green", *(sdo(name=f"o{start + i}") for i in range(500)))
    b.peer("from-a", a, "network")
    c.peer("from-a", a, "network")
    c.sync()  # the uninterrupted reference

    env = {**os.environ, "ACCORD_NODE_NAME": b.name}
    command = [
        sys.executable,
        "-c",
        "from accord.cli import main; main()",
        "--db",
        server_url(b.database),
        "sync",
    ]
    worker = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while len(b.ids()) < 600 and time.monotonic() < deadline and worker.poll() is None:
        time.sleep(0.05)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    a.stop()  # and the source goes down too
    a.process = start_server(
        a.database,
        int(a.base.rsplit(":", 1)[1]),
        tmp_path / "a2.log",
        env={"ACCORD_NODE_NAME": a.name},
    )
    b.sync()
    assert b.ids() == c.ids()
    assert len(b.ids()) == 3000
    with b.database.engine.connect() as connection:
        assert audit.verify(connection).ok


@pytest.mark.slow
def test_revocations_and_deletions_federate(network: dict[str, FedNode]) -> None:
    a, b, c = (network[k] for k in "abc")
    b.peer("from-a", a, "network")
    c.peer("from-b", b, "network")
    doomed, revoked = sdo(name="doomed"), sdo(name="to revoke")
    a.publish("kz-knb", "network", "green", doomed, revoked)
    b.sync()
    c.sync()
    a.publish(
        "kz-knb",
        "network",
        "green",
        {**revoked, "modified": "2026-06-01T00:00:00.000Z", "revoked": True},
    )
    deleted = httpx.delete(
        f"{a.base}/taxii2/api/collections/{collection_id('network')}/objects/{doomed['id']}/",
        headers={"Authorization": f"Bearer {a.tokens['kz-knb']}"},
    )
    assert deleted.status_code == 200
    b.sync()
    c.sync()
    for node in (b, c):
        with node.database.engine.connect() as connection:
            rows = connection.execute(
                select(objects.c.stix_id, objects.c.deleted, objects.c.revoked, objects.c.is_latest)
            ).all()
        state = {(r.stix_id, bool(r.deleted), bool(r.revoked), bool(r.is_latest)) for r in rows}
        assert (doomed["id"], True, False, False) in state
        assert (revoked["id"], False, True, True) in state


@pytest.mark.slow
def test_serve_pulls_in_the_background(network: dict[str, FedNode], tmp_path: Path) -> None:
    a, b = network["a"], network["b"]
    b.peer("from-a", a, "network")
    b.stop()
    port = free_port()
    b.base = f"http://127.0.0.1:{port}"
    loop = {"ACCORD_NODE_NAME": b.name, "ACCORD_SYNC_INTERVAL": "1"}
    b.process = start_server(b.database, port, tmp_path / "b-loop.log", env=loop)
    later = sdo(name="arrives by itself")
    a.publish("kz-knb", "network", "green", later)
    deadline = time.monotonic() + 20
    while later["id"] not in b.ids() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert later["id"] in b.ids()
