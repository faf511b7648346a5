"""Federation: provenance of each object version, and the peers a node pulls from.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BigKey = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("objects") as batch:
        batch.add_column(
            sa.Column("origin_node", sa.String(128), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("hops", sa.Text, nullable=False, server_default="[]"))
    op.create_table(
        "peers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(128), nullable=False, unique=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("collection_id", sa.String(128), nullable=False),
        sa.Column("token", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id")),
        sa.Column("audience", sa.String(128)),
        sa.Column("cursor", sa.Text),
        sa.Column("tombstone_cursor", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("last_sync_at", sa.String(32)),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.String(32), nullable=False),
    )

    op.create_table(
        "tombstones",
        sa.Column("seq", BigKey, primary_key=True, autoincrement=True),
        sa.Column("stix_id", sa.String(300), nullable=False),
        sa.Column("id_key", sa.BigInteger, nullable=False),
        sa.Column("version_key", sa.String(32), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("tombstones")
    op.drop_table("peers")
    with op.batch_alter_table("objects") as batch:
        batch.drop_column("hops")
        batch.drop_column("origin_node")
