"""The node's background work, run once per node however many processes serve it.

A node's peer sync, webhook delivery, watch matching and exercise clock must run once, not
once per worker or per machine: two syncs would pull every page twice, two deliverers would
post every alert twice. :class:`Leadership` elects one process of the node to run them:

- on PostgreSQL, the process whose dedicated connection holds the advisory lock
  (:data:`LOCK_CLASS`, hash of the store's schema): one leader per store, even when
  several stores share a database in schemas of their own. The lock is taken with
  ``pg_try_advisory_xact_lock`` inside a transaction the leader keeps open on that
  connection (checked every ``heartbeat`` seconds), so it also works through PgBouncer
  in transaction mode, which pins one server connection for the length of a
  transaction and would lose a session-level lock between transactions. The open
  transaction takes no transaction id and, at READ COMMITTED, holds no snapshot between
  statements, so it holds back no vacuum. When the connection fails the lock is gone:
  the leader stops its work and another process takes over at its next try;
- on SQLite, the process holding an exclusive ``flock`` on ``<database>.lead`` (the single
  process of a node, in practice).

:func:`tasks` is the list of background loops; another loop joins the node by joining it.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from accord.config import Settings
from accord.store.engine import is_postgres

log = logging.getLogger("accord.node")

#: The first key of the leadership's advisory lock ("Accd" in ASCII); the second is the
#: hash of the store's schema.
LOCK_CLASS = 0x41636364

#: A background loop: runs until the event is set, then returns.
Task = Callable[[threading.Event], None]


def tasks(engine: Engine, settings: Settings) -> list[tuple[str, Task]]:
    """The node's background loops, by name (threads are named ``accord-<name>``)."""
    from accord.acts.alerts import match_forever
    from accord.correlate.webhooks import deliver_forever
    from accord.federation.sync import sync_forever
    from accord.limits import Limits

    found: list[tuple[str, Task]] = []
    if settings.sync_interval > 0:

        def sync(stop: threading.Event) -> None:
            sync_forever(
                engine=engine,
                local_node=settings.node_name,
                interval=settings.sync_interval,
                stop=stop,
                limits=Limits.from_settings(settings),
                settings=settings,
            )

        found.append(("sync", sync))
    if settings.correlation:
        found.append(("alerts", lambda stop: match_forever(engine=engine, stop=stop)))
    found.append(("webhooks", lambda stop: deliver_forever(engine, stop)))
    if settings.exercise_clock_interval > 0:
        from accord.acts.exercise_clock import run_clock

        def exercises(stop: threading.Event) -> None:
            run_clock(
                engine, stop, node=settings.node_name, interval=settings.exercise_clock_interval
            )

        found.append(("exercises", exercises))
    if engine.dialect.name == "postgresql":
        from accord.store.statistics import refresh_forever

        found.append(("statistics", lambda stop: refresh_forever(engine, stop)))
    return found


class Leadership:
    """Try to lead the node; while leading, run ``work``; stop it when leadership is lost."""

    def __init__(
        self,
        engine: Engine,
        work: list[tuple[str, Task]],
        *,
        retry: float = 2.0,
        heartbeat: float = 2.0,
    ) -> None:
        self.engine = engine
        self.work = work
        self.retry = retry
        self.heartbeat = heartbeat
        self.leading = threading.Event()
        self.terms = 0
        self._thread: threading.Thread | None = None

    def start(self, stop: threading.Event) -> threading.Thread:
        self._thread = threading.Thread(
            target=self.run, args=(stop,), name="accord-leader", daemon=True
        )
        self._thread.start()
        return self._thread

    def run(self, stop: threading.Event) -> None:
        """Until ``stop``: take the lead when free, run the work while it is held."""
        while not stop.is_set():
            try:
                if is_postgres(self.engine):
                    self._lead_postgres(stop)
                else:
                    self._lead_sqlite(stop)
            except (SQLAlchemyError, OSError):
                log.warning("leadership lost or not reachable; retrying", exc_info=True)
            stop.wait(self.retry)

    def _lead_postgres(self, stop: threading.Event) -> None:
        with self.engine.connect() as connection, connection.begin():
            got = connection.execute(
                text("SELECT pg_try_advisory_xact_lock(:key, hashtext(current_schema()))"),
                {"key": LOCK_CLASS},
            ).scalar_one()
            if not got:
                return
            # Who leads, for an operator's pg_stat_activity (and the tests).
            connection.execute(
                text("SELECT set_config('application_name', :name, true)"),
                {"name": f"accord-leader {socket.gethostname()} {os.getpid()}"},
            )
            self._hold(stop, lambda: _alive(connection))

    def _lead_sqlite(self, stop: threading.Event) -> None:
        database = self.engine.url.database or ""
        if database in ("", ":memory:"):
            self._hold(stop, lambda: True)
            return
        handle: IO[bytes] = Path(database + ".lead").open("ab")
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return
            self._hold(stop, lambda: True)
        finally:
            handle.close()

    def _hold(self, stop: threading.Event, alive: Callable[[], bool]) -> None:
        """Run the work until ``stop`` or until ``alive`` fails; then stop it and wait."""
        term = threading.Event()
        self.terms += 1
        self.leading.set()
        log.info("this process leads the node: starting %s", ", ".join(n for n, _ in self.work))
        threads = [
            threading.Thread(target=task, args=(term,), name=f"accord-{name}", daemon=True)
            for name, task in self.work
        ]
        for thread in threads:
            thread.start()
        try:
            while not stop.wait(self.heartbeat):
                if not alive():
                    break
        finally:
            term.set()
            for thread in threads:
                thread.join(timeout=30)
            self.leading.clear()


def _alive(connection: Connection) -> bool:
    try:
        connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.warning("the leader's connection failed: leadership ends", exc_info=True)
        return False
    return True
