"""The migrations create exactly the tables of accord.store.schema, on both backends."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from accord.store import audit_partitions
from accord.store.engine import migrate
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
