"""The migrations create exactly the tables of accord.store.schema, on both backends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from accord.store import audit_partitions
from accord.store.engine import (
    MIGRATIONS,
    at_newest_revision,
    make_engine,
    migrate,
    newest_revision,
)
from accord.store.schema import POSTGRESQL_ONLY_INDEXES, metadata
from tests.conftest import Database


def test_migrations_match_the_schema(database: Database) -> None:
    with database.engine.connect() as connection:
        # PostgreSQL's audit partitions (migration 0012) are the log's storage, not tables
        # of the schema: the partitioned parent is compared, its partitions are not.
        parts = {p.name for p in audit_partitions.partitions(connection)}
        assert (database.backend == "postgresql") == bool(parts)

        def include_name(name: str | None, kind: str, _parent: Any) -> bool:
            return not (kind == "table" and name in parts)

        def include_object(
            item: Any, name: str | None, kind: str, reflected: bool, _to: Any
        ) -> bool:
            # The trigram indexes of search exist on PostgreSQL only (migration 0015).
            return database.backend == "postgresql" or name not in POSTGRESQL_ONLY_INDEXES

        context = MigrationContext.configure(
            connection, opts={"include_name": include_name, "include_object": include_object}
        )
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_migrate_is_idempotent(database: Database) -> None:
    migrate(database.engine)
    migrate(database.engine)


def test_the_newest_revision_read_from_the_files_is_alembics_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert newest_revision() == ScriptDirectory.from_config(config).get_current_head()


def test_a_store_short_of_the_newest_revision_is_migrated(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    assert not at_newest_revision(engine)  # no schema yet
    migrate(engine)
    assert at_newest_revision(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    assert not at_newest_revision(engine)  # an older schema is never taken for the newest
    engine.dispose()
