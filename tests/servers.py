"""Real node processes for tests: `accord serve` on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import Database


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_url(database: Database) -> str:
    """The database URL a separate process uses (a PostgreSQL schema travels in options)."""
    if database.schema:
        return f"{database.url}?options=-csearch_path%3D{database.schema}"
    return database.url


def start_server(
    database: Database, port: int, log: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    code = "from accord.cli import main; main()"
    process = subprocess.Popen(
        [sys.executable, "-c", code, "--db", server_url(database), "serve", "--port", str(port)],
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        env={**os.environ, "ACCORD_SYNC_INTERVAL": "0", **(env or {})},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"server did not start: {log.read_text()}")
