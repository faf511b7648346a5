"""`accord serve` stopped by SIGTERM while requests are in flight: it finishes them (their
answers complete, their audit entries committed, the chain intact), refuses new
connections at once, and exits within the grace period. Real processes: one worker, and
``--workers 2`` on PostgreSQL."""

from __future__ import annotations

import signal
import socket
import time
from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select

from accord import audit
from accord.acts import admin
from accord.cli_serve import GRACE
from accord.store.schema import audit_log
from tests.conftest import HOST, Database
from tests.servers import free_port, spawn_server, wait_for_server
from tests.stix_factory import bundle, sdo


def _accounts(database: Database) -> str:
    with database.engine.begin() as connection:
        admin.add_party(connection, HOST, "kz-knb", "KNB", "KZ")
        _account, token = admin.add_account(connection, HOST, "kz", "kz-knb", "publisher")
    return token


class Trickle:
    """One request sent in two halves: its headers and half its body now, the rest later,
    so that the server holds it in flight for as long as the test likes. The connection
    first answers a /health, so it is known to be accepted and served."""

    def __init__(self, port: int, method: str, path: str, token: str, body: bytes) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.sock.sendall(b"GET /health HTTP/1.1\r\nHost: node\r\n\r\n")
        first = self._answer()
        assert b" 200 " in first.split(b"\r\n", 1)[0], first
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: node\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        half = len(body) // 2
        self.sock.sendall(head + body[:half])
        self.rest = body[half:]

    def _answer(self) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            data += self.sock.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        while len(body) < length:
            chunk = self.sock.recv(65536)
            assert chunk, "the server closed the connection before the answer was complete"
            body += chunk
        return head + b"\r\n\r\n" + body[:length]

    def finish(self) -> tuple[int, dict[str, object]]:
        self.sock.sendall(self.rest)
        answer = self._answer()
        self.sock.close()
        head, _, body = answer.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        return status, orjson.loads(body)


def _objects(count: int) -> list[dict[str, object]]:
    return [sdo(name=f"shutdown {n}") for n in range(count)]


def _refused(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: node\r\n\r\n")
            return sock.recv(100) == b""  # accepted by nobody: closed without an answer
    except OSError:
        return True


def _entries(database: Database, action: str) -> int:
    with database.engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).select_from(audit_log).where(audit_log.c.action == action)
            ).scalar_one()
        )


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_finishes_in_flight_requests(
    database: Database, tmp_path: Path, workers: int
) -> None:
    if workers > 1 and database.backend != "postgresql":
        pytest.skip("several workers serve PostgreSQL only (SQLite: one writer)")
    token = _accounts(database)
    port = free_port()
    log = tmp_path / "serve.log"
    process = spawn_server(database, port, log, args=("--workers", str(workers)))
    try:
        wait_for_server(process, port, log, seconds=300)  # a loaded machine starts slowly
        screens_before = _entries(database, "screen")
        publish = "/api/v1/objects?audience=network&tlp=green"
        screen = orjson.dumps({"queries": [{"name": f"Person {n}"} for n in range(50)]})
        flying = [
            Trickle(port, "POST", publish, token, orjson.dumps(bundle(*_objects(20))))
            for _ in range(3)
        ]
        flying += [Trickle(port, "POST", "/api/v1/screen", token, screen) for _ in range(3)]
        time.sleep(1.0)  # every request's headers are read: each is in flight
        stopped = time.monotonic()
        process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while not _refused(port):  # the listening socket closes at once
            assert time.monotonic() < deadline, "new connections still accepted after SIGTERM"
            time.sleep(0.1)
        answers = [request.finish() for request in flying]
        assert [status for status, _body in answers] == [200] * 6, answers
        assert [body["accepted"] for _status, body in answers[:3]] == [20, 20, 20]
        process.wait(timeout=GRACE + 15)
        assert time.monotonic() - stopped < GRACE + 15
        # uvicorn ends a process that shut down gracefully by the signal it got (its
        # default action), so that a supervisor sees how it ended: 0 or -SIGTERM.
        assert process.returncode in (0, -signal.SIGTERM), log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    # Every answered read has its entry; the writes' entries committed with them.
    assert _entries(database, "screen") - screens_before == 3
    with database.engine.connect() as connection:
        report = audit.verify(connection)
    assert report.ok, report.problems
    assert _entries(database, "publish") == 3
