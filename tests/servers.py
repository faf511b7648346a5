"""Real node processes for tests: `accord serve` on a free loopback port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
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


def spawn_server(
    database: Database,
    port: int,
    log: Path,
    env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
) -> subprocess.Popen[bytes]:
    """Start `accord serve` without waiting for it (several nodes come up side by side);
    ``args`` are more options of `accord serve` (``--workers 2``)."""
    code = "from accord.cli import main; main()"
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            code,
            "--db",
            server_url(database),
            "serve",
            "--port",
            str(port),
            *args,
        ],
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        env={**os.environ, "ACCORD_SYNC_INTERVAL": "0", **(env or {})},
    )


def wait_for_server(
    process: subprocess.Popen[bytes], port: int, log: Path, seconds: float = 30
) -> None:
    """Wait until a spawned node answers /health; kill it and fail with its log otherwise."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"server did not start: {log.read_text()}")


def start_server(
    database: Database, port: int, log: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    process = spawn_server(database, port, log, env)
    wait_for_server(process, port, log)
    return process


@contextmanager
def served(database: Database, log: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """`accord serve` on ``database`` for the length of the block; yields its base URL."""
    port = free_port()
    process = start_server(database, port, log, env)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.kill()
        process.wait()


MEDALLION_COLLECTION = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
TAXII = "application/taxii+json;version=2.1"


def wait_until_up(url: str, auth: tuple[str, str] | None = None, tries: int = 300) -> None:
    """Poll ``url`` until the server answers at all (any status)."""
    for _ in range(tries):
        try:
            httpx.get(url, auth=auth, headers={"Accept": TAXII}, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not come up")


@contextmanager
def medallion_server(folder: Path, page_size: int = 1000) -> Iterator[str]:
    """The OASIS reference TAXII server, medallion 3.0.0 (memory backend), with one empty
    read-write collection and one user admin/Password0; yields its API root URL."""
    port = free_port()
    root = f"http://127.0.0.1:{port}/api1/"
    data = {
        "/discovery": {
            "title": "medallion",
            "description": "",
            "contact": "",
            "default": root,
            "api_roots": [root],
        },
        "api1": {
            "information": {
                "title": "api1",
                "description": "",
                "versions": [TAXII],
                "max_content_length": 1 << 30,
            },
            "status": [],
            "collections": [
                {
                    "id": MEDALLION_COLLECTION,
                    "title": "feed",
                    "description": "",
                    "can_read": True,
                    "can_write": True,
                    "media_types": ["application/stix+json;version=2.1"],
                    "objects": [],
                    "manifest": [],
                }
            ],
        },
    }
    (folder / "data.json").write_text(json.dumps(data))
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(folder / "data.json"),
        },
        "users": {"admin": "Password0"},
        "taxii": {"max_page_size": page_size},
    }
    (folder / "config.json").write_text(json.dumps(config))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "medallion.scripts.run",
            "--port",
            str(port),
            str(folder / "config.json"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/taxii2/")
        yield root
    finally:
        process.kill()
        process.wait()
