"""Shared fixtures: every storage test runs on SQLite and on PostgreSQL.

PostgreSQL is used when ``ACCORD_TEST_DATABASE_URL`` is set (``.ci/run`` sets it); then an
unreachable server fails the run instead of skipping. Each test gets its own schema.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, event, text

from accord import audit
from accord.acts import admin
from accord.api import create_app
from accord.config import Settings
from accord.policy import Principal
from accord.store import directory
from accord.store.engine import make_engine, migrate

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("ACCORD_TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
ACTOR = audit.Actor("test", None, "cli")
#: The node's host (the CLI), acting as the operator.
HOST = Principal(None, "cli", host_name="test")


@dataclass
class Database:
    """A fresh, migrated database: its URL, schema (PostgreSQL) and engine."""

    backend: str
    url: str
    schema: str | None
    engine: Engine

    def new_engine(self) -> Engine:
        return make_engine(self.url, schema=self.schema, sqlite_synchronous="FULL")


def _pg_schema(url: str) -> Iterator[str]:
    schema = "t_" + uuid.uuid4().hex[:16]
    admin_engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with admin_engine.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:  # a configured but unreachable server is a failure
        pytest.fail(f"ACCORD_TEST_DATABASE_URL is set but PostgreSQL is unreachable: {exc}")
    try:
        yield schema
    finally:
        with admin_engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin_engine.dispose()


def source_tree_state() -> dict[str, str] | None:
    """Every path ``git status`` lists as changed or untracked (ignored files excluded), with
    a digest of its content, so that a file already changed before the run is caught too; None
    outside a git checkout (an unpacked release, no git installed)."""
    try:
        listed = subprocess.run(
            ["git", "status", "--porcelain", "-z", "--untracked-files=all"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    asked = os.environ.get("ACCORD_SCREENSHOT_DIR")  # `make screenshots` writes there
    refreshed = Path(asked).resolve() if asked else None
    state = {}
    for entry in filter(None, listed.decode("utf-8", "replace").split("\0")):
        path = ROOT / entry[3:]
        if refreshed is not None and path.resolve().is_relative_to(refreshed):
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "-"
        state[entry[3:]] = f"{entry[:2]} {digest}"
    return state


_TREE_KEY = pytest.StashKey[dict[str, str] | None]()


def _set_synchronous_commit(value: str) -> None:
    """The suite's PostgreSQL database commits without waiting for its WAL flush: what the
    suite tests is Accord's behaviour, and a crash of PostgreSQL itself is not among it (a
    killed node process loses nothing either way: a commit is visible to every other
    session before it returns). Each commit costs about 0.2 ms instead of 3 here."""
    if not PG_URL:
        return
    engine = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.begin() as connection:
            name = connection.execute(text("SELECT current_database()")).scalar_one()
            connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = {value}'))
    except Exception as exc:  # a configured but unreachable server is a failure
        pytest.exit(f"ACCORD_TEST_DATABASE_URL is set but PostgreSQL is unreachable: {exc}", 3)
    finally:
        engine.dispose()


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):  # the controller only, not xdist workers
        session.config.stash[_TREE_KEY] = source_tree_state()
        _set_synchronous_commit("off")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The test suite writes nothing into the source tree (screenshots go to a temporary
    folder unless ``make screenshots`` asks for docs/screenshots): fail the run otherwise."""
    if hasattr(session.config, "workerinput"):
        return
    _set_synchronous_commit("DEFAULT")
    before = session.config.stash.get(_TREE_KEY, None)
    after = source_tree_state()
    if before is None or after is None or after == before:
        return
    changed = sorted(
        path for path in set(before) | set(after) if before.get(path) != after.get(path)
    )
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    message = "the test suite wrote into the source tree: " + ", ".join(changed)
    if reporter is not None:
        reporter.write("\n")
        reporter.write_line(f"FAILED: {message}", red=True, bold=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True, scope="session")
def _own_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Snapshots and the gazetteer go to a directory of this run, not the user's cache."""
    os.environ.setdefault("ACCORD_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


# Every test's store is made by the migrations, run once per test process and backend: on
# SQLite the migrated file is copied, on PostgreSQL the statements the migrations executed
# are replayed into the test's schema (the same DDL, without Alembic's per-run cost).
_MIGRATED: dict[str, Any] = {}


def _migrated_sqlite() -> Path:
    if "sqlite" not in _MIGRATED:
        folder = Path(tempfile.mkdtemp(prefix="accord-migrated-"))
        atexit.register(shutil.rmtree, folder, True)
        engine = make_engine(f"sqlite:///{folder / 'migrated.db'}")
        migrate(engine)
        engine.dispose()  # checkpointed and closed: the file holds the whole schema
        _MIGRATED["sqlite"] = folder / "migrated.db"
    path: Path = _MIGRATED["sqlite"]
    return path


def _migration_statements(url: str) -> tuple[str, list[tuple[str, Any]]]:
    """The statements (and parameters) the migrations ran in a schema of their own, and that
    schema's name (to be replaced by each test's)."""
    if "postgresql" not in _MIGRATED:
        for schema in _pg_schema(url):
            engine = make_engine(url, schema=schema)
            ran: list[tuple[str, Any]] = []

            def _record(
                _c: Any, _cursor: Any, statement: str, parameters: Any, *_a: Any, ran: Any = ran
            ) -> None:
                ran.append((statement, parameters))

            event.listen(engine, "before_cursor_execute", _record)
            migrate(engine)
            engine.dispose()
            _MIGRATED["postgresql"] = (schema, ran)
    recorded: tuple[str, list[tuple[str, Any]]] = _MIGRATED["postgresql"]
    return recorded


def _replay(engine: Engine, url: str, schema: str) -> None:
    source, statements = _migration_statements(url)

    def _moved(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(source, schema)
        if isinstance(value, dict):
            return {k: _moved(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(_moved(v) for v in value)
        return value

    with engine.begin() as connection:
        for statement, parameters in statements:
            connection.exec_driver_sql(_moved(statement), _moved(parameters) or None)


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    backend = request.param
    if backend == "sqlite":
        path = tmp_path / "accord.db"
        shutil.copyfile(_migrated_sqlite(), path)
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        yield Database(backend, url, None, engine)
        engine.dispose()
        return
    assert PG_URL is not None
    for schema in _pg_schema(PG_URL):
        engine = make_engine(PG_URL, schema=schema)
        _replay(engine, PG_URL, schema)
        yield Database(backend, PG_URL, schema, engine)
        engine.dispose()


@dataclass
class Node:
    """A node in process: database, app client, and tokens of the accounts made so far."""

    database: Database
    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def engine(self) -> Engine:
        return self.database.engine

    def party(self, code: str, jurisdiction: str = "KZ") -> None:
        with self.engine.begin() as connection:
            admin.add_party(connection, HOST, code, code.upper(), jurisdiction)

    def account(self, name: str, party: str, role: str = "publisher") -> str:
        """An account made as on a real node: by the operator while the party has no
        admin, then by the party's admin."""
        with self.engine.begin() as connection:
            by = HOST
            party_id = directory.get_party(connection, party).id
            admins = [a for a in directory.list_accounts(connection, party_id) if a.can("admin")]
            if admins:
                by = Principal(admins[0], "cli")
            _account, token = admin.add_account(connection, by, name, party, role)
        self.tokens[name] = token
        return token

    def channel(self, name: str, *members: str) -> None:
        with self.engine.begin() as connection:
            admin.add_channel(connection, HOST, name, list(members))

    def headers(self, account: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[account]}"}


@pytest.fixture
def node(database: Database) -> Iterator[Node]:
    settings = Settings(database_url=database.url)
    app = create_app(settings, database.engine)
    with TestClient(app) as client:
        yield Node(database, client)


@pytest.fixture
def trio(node: Node) -> Node:
    """Three agencies with a publisher each (kz, ru, cn), a reader (kz-reader), an admin
    (cn-admin) and a bilateral channel kz-ru."""
    return populate_trio(node)


def populate_trio(node: Node) -> Node:
    """The parties, accounts and channel of :func:`trio` on ``node``."""
    for code, jurisdiction in (("kz-knb", "KZ"), ("ru-nac", "RU"), ("cn-mps", "CN")):
        node.party(code, jurisdiction)
    node.account("kz", "kz-knb")
    node.account("ru", "ru-nac")
    node.account("cn", "cn-mps")
    node.account("kz-reader", "kz-knb", "reader")
    node.account("cn-admin", "cn-mps", "admin")
    node.channel("kz-ru", "kz-knb", "ru-nac")
    return node
