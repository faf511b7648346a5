"""``accord serve``: one process, or a supervisor of N worker processes (PostgreSQL).

The serving process leads the node's background work when it wins the election
(:mod:`accord.node_tasks`); its workers serve HTTP only. SQLite has one writer, so a node on
SQLite serves from one process (``--workers`` above 1 is refused with the reason).

Shutdown (SIGINT, SIGTERM) is graceful: uvicorn stops accepting, finishes the requests in
flight (at most :data:`GRACE` seconds), then each process's audit batcher commits what it
holds before the process ends; the leader stops its loops last.
"""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import fields

from rich.console import Console
from sqlalchemy import Engine
from uvicorn.supervisors import Multiprocess

from accord.config import Settings
from accord.errors import InvalidInput
from accord.node_tasks import Leadership, tasks
from accord.store.engine import is_postgres

#: Seconds a stopping server gives the requests in flight.
GRACE = 30


def run_server(
    settings: Settings, engine: Engine, *, host: str, port: int, workers: int, out: Console
) -> None:
    import uvicorn

    if workers > 1 and not is_postgres(engine):
        raise InvalidInput(
            f"--workers {workers}: a node on SQLite serves from one process (SQLite has one "
            "writer); use PostgreSQL (ACCORD_DATABASE_URL=postgresql://...) for several workers"
        )
    out.print(f"Accord node on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    stop = threading.Event()
    leadership = Leadership(engine, tasks(engine, settings))
    leadership.start(stop)
    try:
        if workers == 1:
            from accord.api.app import create_app
            from accord.api.served import warm

            app = create_app(settings, engine)
            warm(app)
            uvicorn.run(
                app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=GRACE
            )
        else:
            _run_workers(settings, host, port, workers)
    finally:
        stop.set()


def _run_workers(settings: Settings, host: str, port: int, workers: int) -> None:
    from uvicorn import Config

    for field in fields(settings):  # the workers read the node's settings from here
        os.environ[f"ACCORD_{field.name.upper()}"] = str(getattr(settings, field.name))
    config = Config(
        "accord.api.served:worker_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        timeout_graceful_shutdown=GRACE,
    )
    Supervisor(config, sockets=[listener(host, port)]).run()


class Supervisor(Multiprocess):
    """uvicorn's supervisor, closing its own copy of the listening socket before it stops
    the workers: a socket listens while any process holds it, so without this a stopping
    node's kernel would go on accepting connections that nobody serves."""

    def terminate_all(self) -> None:
        for sock in self.sockets:
            sock.close()
        super().terminate_all()


def listener(host: str, port: int) -> socket.socket:
    """The listening socket, made with ``IPPROTO_TCP`` so that the sockets it accepts get
    TCP_NODELAY from asyncio (uvicorn's own leaves the protocol 0 and with it Nagle's
    algorithm on: every keep-alive answer waits ~40 ms for the client's delayed ACK,
    uvicorn#3149)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock
