"""A server killed with SIGKILL mid-stream loses nothing it acknowledged, half-writes nothing."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import httpx
import orjson
import pytest
from sqlalchemy import func, select

from accord import audit
from accord.acts import admin
from accord.policy import Principal
from accord.store.schema import objects
from tests.conftest import Database
from tests.servers import free_port, start_server
from tests.stix_factory import bundle, sdo

ACTOR = audit.Actor("test", None, "cli")
HOST = Principal(None, "cli", host_name="test")


@pytest.mark.slow
def test_sigkill_mid_stream_loses_nothing_acknowledged(database: Database, tmp_path: Path) -> None:
    with database.engine.begin() as connection:
        admin.add_party(connection, HOST, "kz-knb", "KNB", "KZ")
        _account, token = admin.add_account(connection, HOST, "alice", "kz-knb", "publisher")
    port = free_port()
    process = start_server(database, port, tmp_path / "server.log")
    sent: list[list[str]] = []
    acknowledged: list[list[str]] = []
    stop = threading.Event()

    def stream() -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            while not stop.is_set():
                objs = [sdo() for _ in range(50)]
                ids = [o["id"] for o in objs]
                sent.append(ids)
                try:
                    response = client.post(
                        "/api/v1/objects",
                        params={"audience": "own", "tlp": "amber"},
                        content=orjson.dumps(bundle(*objs)),
                        headers={
                            "Authorization": f"Bearer {token}",
                            "Content-Type": "application/json",
                        },
                    )
                except httpx.HTTPError:
                    return
                if response.status_code == 200:
                    acknowledged.append(ids)

    worker = threading.Thread(target=stream)
    worker.start()
    deadline = time.monotonic() + 20
    while len(acknowledged) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    stop.set()
    worker.join(timeout=30)
    assert len(acknowledged) >= 5

    process = start_server(database, port, tmp_path / "server.log")  # recovery on restart
    try:
        engine = database.new_engine()
        with engine.connect() as connection:
            stored = set(connection.execute(select(objects.c.stix_id)).scalars())
            assert all(set(ids) <= stored for ids in acknowledged)
            for ids in sent:  # every bundle is all there or not there at all
                present = len(set(ids) & stored)
                assert present in (0, len(ids))
            assert connection.execute(
                select(func.count()).select_from(objects)
            ).scalar_one() == len(stored)
            assert audit.verify(connection).ok
        engine.dispose()
    finally:
        process.kill()
        process.wait()
