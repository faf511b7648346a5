"""Search that scales: on PostgreSQL, a trigram index (pg_trgm, GIN) on the name and on the
description of objects, so that ``q`` (``ILIKE '%word%'`` on either) reads the rows that
hold the word's trigrams instead of the whole table. SQLite has no trigram index: nothing
changes there (its search stays a scan).

On PostgreSQL this installs the ``pg_trgm`` extension when it is missing (a trusted
extension: the database owner may install it; it goes into ``public``, so that dropping a
node's own schema never drops an extension other schemas' indexes use) and builds both
indexes while writes to ``objects`` wait: on a large store, run it in a maintenance window
(10,000,000 objects: see docs/benchmarks.md, "Search that scales").

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

INDEXES = {"ix_objects_name_trgm": "name", "ix_objects_description_trgm": "description"}


def _trigram_schema(connection: sa.Connection) -> str:
    """The schema holding pg_trgm, installing the extension when it is missing."""
    query = sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'"
    )
    found = connection.execute(query).scalar()
    if found is None:
        try:
            with connection.begin_nested():
                connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
        except sa.exc.IntegrityError:
            pass  # installed meanwhile by a concurrent migration of another schema
        except sa.exc.DBAPIError as exc:
            raise RuntimeError(
                "migration 0015 needs the PostgreSQL extension pg_trgm: have the database "
                "owner or a superuser run CREATE EXTENSION pg_trgm SCHEMA public "
                f"({exc.orig})"
            ) from exc
        found = connection.execute(query).scalar_one()
    return str(found)


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    schema = connection.dialect.identifier_preparer.quote_identifier(_trigram_schema(connection))
    # A GIN build collects its entries in maintenance_work_mem: more memory, fewer merges
    # (this transaction only).
    connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
    for name, column in INDEXES.items():
        connection.exec_driver_sql(
            f"CREATE INDEX {name} ON objects USING gin ({column} {schema}.gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.drop_index(name, "objects")
