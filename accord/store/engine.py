"""Engines for SQLite (WAL, one writer, the embedded default) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import re
import sqlite3
import threading
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from accord.errors import InvalidInput, StoreError

MIGRATIONS = Path(__file__).with_name("migrations")


def make_engine(url: str, *, schema: str | None = None, sqlite_synchronous: str = "FULL") -> Engine:
    """An engine for ``url``; ``schema`` puts every table of a PostgreSQL store in that schema.

    SQLite transactions start with ``BEGIN IMMEDIATE``: every request of a node writes (at
    least its audit entry), and taking the write lock up front avoids upgrade deadlocks.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        if sqlite_synchronous.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise StoreError(
                f"sqlite_synchronous must be OFF, NORMAL, FULL or EXTRA, not {sqlite_synchronous!r}"
            )
        engine = create_engine(url, connect_args={"timeout": 30})
        _refuse_unstorable_values(engine)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={sqlite_synchronous.upper()}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB of page cache
            cursor.execute("PRAGMA temp_store=MEMORY")
            cursor.execute("PRAGMA wal_autocheckpoint=10000")
            cursor.close()

        _take_turns(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        connect_args: dict[str, Any] = {"connect_timeout": 10}
        # ``?prepare_threshold=none``: no server-side prepared statements, for a pooler
        # in transaction mode (PgBouncer), where the next transaction may run on another
        # server connection that never saw them (docs/deployment.md).
        threshold = parsed.query.get("prepare_threshold")
        if threshold is not None:
            parsed = parsed.difference_update_query(["prepare_threshold"])
            if str(threshold).lower() not in ("none", "off"):
                raise StoreError(f"prepare_threshold={threshold!r}: only 'none' is accepted")
            connect_args["prepare_threshold"] = None
        if schema:
            connect_args["options"] = f"-c search_path={schema}"
        engine = create_engine(parsed, connect_args=connect_args, pool_size=8, pool_pre_ping=True)
        _refuse_unstorable_values(engine)
        return engine
    raise StoreError(
        f"unsupported database URL {parsed.render_as_string(hide_password=True)!r}: "
        "use sqlite:/// or postgresql://"
    )


def _take_turns(engine: Engine) -> None:
    """Every transaction is ``BEGIN IMMEDIATE`` (it holds SQLite's one write lock), and the
    threads of this process take turns for it on a lock of their own, handed on at COMMIT or
    ROLLBACK: a waiting thread starts the moment the lock is free, where SQLite's busy
    handler would sleep and poll (up to 100 ms a try), the p99 of a node under concurrent
    reads. Other processes (the CLI beside a server) still meet SQLite's busy timeout."""
    turn = threading.RLock()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            # A reader (authentication): a deferred BEGIN reads a snapshot of the WAL
            # beside the writer, and never waits for a turn or for a commit's flush.
            raw = connection.connection.dbapi_connection
            raw.execute("PRAGMA query_only=1")
            raw.execute("BEGIN")
            connection.info[_READ] = True
            return
        if not turn.acquire(timeout=30):
            raise StoreError("the store is busy: no turn to write within 30 seconds")
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            turn.release()
            raise
        connection.info[_TURN] = True

    def _end(connection: Any, statement: str) -> None:
        if connection.info.pop(_READ, False):
            raw = connection.connection.dbapi_connection
            if raw is not None:
                if raw.in_transaction:
                    raw.execute("ROLLBACK")  # a reader changed nothing: nothing to flush
                raw.execute("PRAGMA query_only=0")
            return
        if not connection.info.pop(_TURN, False):
            return
        try:
            raw = connection.connection.dbapi_connection
            if raw is not None and raw.in_transaction:
                raw.execute(statement)
        except sqlite3.Error as exc:
            if statement == "COMMIT":
                raise StoreError(f"the store could not commit: {exc}") from exc
        finally:
            turn.release()

    @event.listens_for(engine, "commit")
    def _on_commit(connection: Any) -> None:
        _end(connection, "COMMIT")

    @event.listens_for(engine, "rollback")
    def _on_rollback(connection: Any) -> None:
        _end(connection, "ROLLBACK")


_TURN = "accord_write_turn"
_READ = "accord_read_only"
#: The execution option of a connection that only reads (:func:`reader`).
READ_ONLY = "accord_read_only"


def reader(engine: Engine) -> Connection:
    """A connection for a block that only reads (the token lookup of every request): on
    SQLite its transaction is a deferred one that neither takes nor waits for the writers'
    turn (a write in it is refused: ``PRAGMA query_only``); on PostgreSQL a plain one."""
    connection = engine.connect()
    if engine.dialect.name == "sqlite":
        connection.execution_options(**{READ_ONLY: True})
    return connection


def _refuse_unstorable_values(engine: Engine) -> None:
    """The store's own guard behind the doors' checks: a value no column can hold (a NUL
    byte in text, which PostgreSQL refuses; an integer past 64 bits, which SQLite refuses)
    is the caller's error, a 400, and never a driver error."""

    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> None:
        original = context.original_exception
        message = str(original)
        if "NUL" in message and "0x00" in message:
            raise InvalidInput("a text value holds a NUL byte, which the store cannot keep") from (
                original
            )
        if isinstance(original, OverflowError):
            raise InvalidInput("a number is too large for the store (at most 64 bits)") from (
                original
            )


def migrate(engine: Engine, *, audit_partition_size: int | None = None) -> None:
    """Create or upgrade the schema to the newest migration (``accord init``).

    ``audit_partition_size``: entries per audit partition when migration 0012 partitions the
    log on PostgreSQL (10,000,000 by default; tests use a few to cross boundaries)."""
    if audit_partition_size is None and at_newest_revision(engine):
        return  # nothing to do, and Alembic (half a second to import) is not loaded
    from alembic import command  # imported here: a command that only reads starts faster
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            if audit_partition_size is not None:
                config.attributes["audit_partition_size"] = audit_partition_size
            command.upgrade(config, "head")
    except SQLAlchemyError as exc:
        raise StoreError(
            f"could not migrate the database: {exc.__class__.__name__}: {exc}"
        ) from exc


@cache
def newest_revision() -> str | None:
    """The head of the migrations, read from their files without importing Alembic; None
    when the files do not name exactly one head (Alembic then decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("[0-9]*.py"):
        source = path.read_text(encoding="utf-8")
        revision = re.search(r'^revision = "([^"]+)"$', source, re.M)
        parent = re.search(r'^down_revision = (?:"([^"]+)"|None)$', source, re.M)
        if revision is None or parent is None:
            return None
        revisions.add(revision.group(1))
        if parent.group(1):
            parents.add(parent.group(1))
    heads = revisions - parents
    return next(iter(heads)) if len(heads) == 1 else None


def at_newest_revision(engine: Engine) -> bool:
    """True when the store's schema is already at the newest migration."""
    newest = newest_revision()
    if newest is None:
        return False
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return False
            stored = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:
        return False
    return [row[0] for row in stored] == [newest]


def is_initialised(engine: Engine) -> bool:
    """True when the schema has been created (``accord init`` or ``migrate`` ran)."""
    try:
        return inspect(engine).has_table("alembic_version")
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot reach the database: {exc.__class__.__name__}: {exc}") from exc


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
