"""The demo UN list as a screening index on a store of its own, for tests that read the
register but do not test the store (module-scoped: built once per test module)."""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, func, select, text

from accord.register.importer import import_list, read_list
from accord.screening.index import ScreeningIndex
from accord.store.engine import make_engine, migrate
from accord.store.schema import audit_log, metadata

if TYPE_CHECKING:
    from tests.conftest import Database

UN_2025 = Path(__file__).resolve().parents[1] / "demo-data" / "consolidated-2025-08-02.xml"


def un_index(folder: Path) -> ScreeningIndex:
    """A screening index over the UN list of 2025-08-02, imported into SQLite in ``folder``."""
    engine = make_engine(f"sqlite:///{folder / 'un.db'}", sqlite_synchronous="OFF")
    migrate(engine)
    with engine.begin() as connection:
        import_list(connection, read_list("un-xml", UN_2025))
    index = ScreeningIndex()
    with engine.connect() as connection:
        index.refresh(connection)
    engine.dispose()
    return index


# One import of the UN list per test process and backend, copied into each test's database:
# the import is a few thousand statements (seconds on PostgreSQL), the copy one per table.
_UN_TEMPLATES: dict[str, tuple[Engine, str | None]] = {}


def load_un(database: Database) -> None:
    """The UN list of 2025-08-02 in ``database``, exactly as :func:`import_list` leaves it in
    a freshly migrated store: rows copied from a store that imported it once in this process.
    ``database`` must hold nothing yet (refused otherwise: the copy replaces what is there)."""
    with database.engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(audit_log)).scalar_one()
    if stored:
        raise AssertionError("load_un copies into a fresh database only; this one holds rows")
    template = _UN_TEMPLATES.get(database.backend)
    if template is None:
        template = _UN_TEMPLATES[database.backend] = _un_template(database)
    engine, schema = template
    if database.backend == "sqlite":
        database.engine.dispose()  # no pooled connection keeps the replaced pages
        source = sqlite3.connect(engine.url.database or "")
        target = sqlite3.connect(database.engine.url.database or "")
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return
    assert schema and database.schema
    with database.engine.begin() as connection:
        _copy_pg_rows(connection, schema, database.schema)


def _un_template(database: Database) -> tuple[Engine, str | None]:
    listed = read_list("un-xml", UN_2025)
    if database.backend == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="accord-un-"))
        atexit.register(shutil.rmtree, folder, True)
        engine = make_engine(f"sqlite:///{folder / 'un.db'}")
        schema = None
    else:
        schema = "t_un_" + uuid.uuid4().hex[:12]
        with database.engine.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        engine = make_engine(database.url, schema=schema)

        def _drop() -> None:
            engine.dispose()
            with database.new_engine().begin() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))

        atexit.register(_drop)
    migrate(engine)
    with engine.begin() as connection:
        import_list(connection, listed)
    if database.backend == "sqlite":
        engine.dispose()  # checkpointed and closed: the file holds everything
    return engine, schema


def _copy_pg_rows(connection: Connection, source: str, target: str) -> None:
    """Every row of schema ``source``'s tables into the same tables of ``target`` (both made
    by the same migrations), parents first, and the sequences moved past the copied keys."""
    tables = [t.name for t in metadata.sorted_tables]
    present = set(
        connection.execute(
            text(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = :s AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
            ),
            {"s": source},
        ).scalars()
    ) - {"alembic_version"}
    if present - set(tables):
        raise AssertionError(f"tables the copy does not know: {sorted(present - set(tables))}")
    copied = [table for table in tables if table in present]
    for table in reversed(copied):  # the rows the migrations seed (the audit head...)
        connection.execute(text(f'DELETE FROM {target}."{table}"'))
    for table in copied:
        connection.execute(text(f'INSERT INTO {target}."{table}" SELECT * FROM {source}."{table}"'))
    serials = connection.execute(
        text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = :s AND (column_default LIKE 'nextval%' OR is_identity = 'YES')"
        ),
        {"s": target},
    ).all()
    for table, column in serials:
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{target}.\"{table}\"', '{column}'), "
                f'COALESCE(MAX("{column}"), 1), MAX("{column}") IS NOT NULL) '
                f'FROM {target}."{table}"'
            )
        )
