"""The trust model: audit views by party, read receipts, channel agreements, tombstones
namespaced by origin party and an opaque tombstone position for peers.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_party", "audit_log", ["party", "seq"])
    op.create_table(
        "read_receipts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("origin_party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("reader_party", sa.String(64), nullable=False),
        sa.Column("door", sa.String(16), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("objects", sa.Text, nullable=False),
    )
    op.create_index("ix_read_receipts_origin", "read_receipts", ["origin_party_id", "seq"])
    op.create_table(
        "channel_agreements",
        sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id"), primary_key=True),
        sa.Column("candidate_party_id", sa.Integer, sa.ForeignKey("parties.id"), primary_key=True),
        sa.Column("member_party_id", sa.Integer, sa.ForeignKey("parties.id"), primary_key=True),
        sa.Column("account", sa.String(128), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
    )
    with op.batch_alter_table("peers") as batch:
        batch.add_column(sa.Column("tombstone_after", sa.Text))
    with op.batch_alter_table("tombstones") as batch:
        batch.add_column(sa.Column("origin_party_id", sa.Integer))
    # Every earlier version had one origin per id: take it from the objects.
    op.execute(
        "UPDATE tombstones SET origin_party_id = (SELECT MIN(o.origin_party_id) FROM objects o "
        "WHERE o.id_key = tombstones.id_key AND o.stix_id = tombstones.stix_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("tombstones") as batch:
        batch.drop_column("origin_party_id")
    with op.batch_alter_table("peers") as batch:
        batch.drop_column("tombstone_after")
    op.drop_table("channel_agreements")
    op.drop_index("ix_read_receipts_origin", "read_receipts")
    op.drop_table("read_receipts")
    op.drop_index("ix_audit_party", "audit_log")
