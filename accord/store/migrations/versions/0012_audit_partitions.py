"""Audit at scale: ``audit_log`` range-partitioned by ``seq`` on PostgreSQL; archived
partitions' boundaries (``audit_archives``) on both backends.

On PostgreSQL this copies every audit entry into the partitioned table while the log is
locked: run it in a maintenance window, the node stopped (a copy of every entry and a
rebuild of the log's indexes). SQLite keeps one table.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

from accord.store import audit_partitions

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_archives",
        sa.Column("last_seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("first_seq", sa.BigInteger, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("partition", sa.String(64), nullable=False),
        sa.Column("entries", sa.BigInteger, nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("entry_seq", sa.BigInteger, nullable=False),
        sa.Column("archived_at", sa.String(32), nullable=False),
    )
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        size = op.get_context().config.attributes.get(  # type: ignore[union-attr]
            "audit_partition_size", audit_partitions.DEFAULT_SIZE
        )
        audit_partitions.partition_log(connection, int(size))


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql" and audit_partitions.is_partitioned(connection):
        audit_partitions.unpartition_log(connection)
    op.drop_table("audit_archives")
