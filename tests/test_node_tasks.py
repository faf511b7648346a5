"""One leader per node: background work once, however many processes serve the node."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, func, select, text
from typer.testing import CliRunner

from accord import audit
from accord.cli import app
from accord.errors import InvalidInput
from accord.node_tasks import LOCK_CLASS, Leadership
from accord.store.schema import audit_log
from tests.alerting import domain, publish, watch
from tests.conftest import Database, Node
from tests.correlate.test_webhooks import Receiver, add_hook
from tests.servers import free_port, server_url

runner = CliRunner()


class Counted:
    """A background task that counts its terms and the time it runs."""

    def __init__(self) -> None:
        self.started = 0
        self.running = threading.Event()

    def __call__(self, stop: threading.Event) -> None:
        self.started += 1
        self.running.set()
        stop.wait()
        self.running.clear()


def _until(check: object, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(check) and check():
            return True
        time.sleep(0.05)
    return False


def test_one_of_two_processes_leads_and_the_other_takes_over(database: Database) -> None:
    engine = database.engine
    first_work, second_work = Counted(), Counted()
    first = Leadership(engine, [("count", first_work)], retry=0.1, heartbeat=0.1)
    second = Leadership(engine, [("count", second_work)], retry=0.1, heartbeat=0.1)
    stop_first, stop_second = threading.Event(), threading.Event()
    first_thread = first.start(stop_first)
    assert first.leading.wait(10) and first_work.running.wait(10)
    second.start(stop_second)
    time.sleep(0.5)  # several tries of the second: it never leads while the first does
    assert not second.leading.is_set() and second_work.started == 0
    stop_first.set()
    first_thread.join(10)
    assert not first_work.running.is_set()
    assert second.leading.wait(10) and second_work.running.wait(10)
    assert (first_work.started, second_work.started) == (1, 1)
    stop_second.set()


def test_several_workers_on_sqlite_are_refused_with_the_reason(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["--db", f"sqlite:///{tmp_path / 'a.db'}", "serve", "--workers", "2"]
    )
    assert isinstance(result.exception, InvalidInput), result.output
    assert "SQLite" in result.exception.detail and "PostgreSQL" in result.exception.detail
    assert "Accord node on" not in result.output


def _leaders(engine: Engine, schema: str) -> list[str]:
    """The application names of the sessions holding this store's leadership lock."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT a.application_name FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.classid = :key "
                "AND l.objid = (hashtext(:schema)::bigint & 4294967295) AND l.granted"
            ),
            {"key": LOCK_CLASS, "schema": schema},
        )
        return [str(row.application_name) for row in rows]


def _serve(database: Database, port: int, log: Path, workers: int) -> subprocess.Popen[bytes]:
    code = "from accord.cli import main; main()"
    command = [sys.executable, "-c", code, "--db", server_url(database), "serve"]
    command += ["--port", str(port), "--workers", str(workers)]
    env = {**os.environ, "ACCORD_SYNC_INTERVAL": "0"}
    return subprocess.Popen(
        command, stdout=log.open("ab"), stderr=subprocess.STDOUT, env=env, start_new_session=True
    )


@pytest.fixture
def servers(trio: Node, tmp_path: Path) -> Iterator[list[tuple[subprocess.Popen[bytes], str]]]:
    if trio.database.backend != "postgresql":
        pytest.skip("several serving processes share a PostgreSQL store")
    started: list[tuple[subprocess.Popen[bytes], str]] = []
    for workers in (2, 1, 1):
        port = free_port()
        process = _serve(trio.database, port, tmp_path / f"serve-{port}.log", workers)
        started.append((process, f"http://127.0.0.1:{port}"))
    try:
        for process, base in started:
            assert _until(lambda b=base: _up(b), 60), process.poll()
        yield started
    finally:
        for process, _ in started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process, _ in started:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _up(base: str) -> bool:
    try:
        return httpx.get(f"{base}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_three_serving_processes_one_leader_one_delivery_and_one_chain(
    trio: Node, servers: list[tuple[subprocess.Popen[bytes], str]]
) -> None:
    schema = trio.database.schema
    assert schema is not None
    assert _until(lambda: len(_leaders(trio.engine, schema)) == 1)
    time.sleep(1)  # the others keep trying, and never lead as well
    [leader] = _leaders(trio.engine, schema)
    # Concurrent reads on every process: each has its entry, the chain holds.
    receiver = Receiver()
    receiver.start()
    try:
        watch(trio, "kz", value="domain-name:one.example.org")
        watch(trio, "kz", value="domain-name:two.example.org")
        add_hook(trio, "kz-knb", receiver.url)
        with trio.engine.connect() as connection:
            before = connection.execute(
                select(func.count()).where(audit_log.c.action == "read.list")
            ).scalar_one()
        headers = trio.headers("ru")

        def read(n: int) -> int:
            base = servers[n % len(servers)][1]
            return httpx.get(f"{base}/api/v1/objects?limit=5", headers=headers).status_code

        with ThreadPoolExecutor(16) as pool:
            codes = list(pool.map(read, range(96)))
        assert codes == [200] * 96
        for value in ("one.example.org", "two.example.org"):
            publish(trio, "ru", domain(value), "kz-ru")
        assert _until(lambda: len(receiver.received) >= 2, 30)
        time.sleep(2)  # time for a second deliverer to post again, if there were one
        counts = Counter(receiver.keys())
        assert len(counts) == 2 and set(counts.values()) == {1}, counts
    finally:
        receiver.stop()
    with trio.engine.connect() as connection:
        after = connection.execute(
            select(func.count()).where(audit_log.c.action == "read.list")
        ).scalar_one()
        report = audit.verify(connection)
    assert after - before == 96
    assert report.ok, report.problems
    # The leader dies without a word: another process takes the lead.
    leader_pid = int(leader.rsplit(" ", 1)[1])
    os.killpg(leader_pid, signal.SIGKILL)  # its workers too (a session of its own)
    assert _until(
        lambda: (found := _leaders(trio.engine, schema)) != [] and found != [leader], 30
    ), _leaders(trio.engine, schema)
    assert len(_leaders(trio.engine, schema)) == 1
