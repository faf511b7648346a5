"""Initial schema: parties, accounts, channels, objects, audit log.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigKey = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
GENESIS = "0" * 64


def upgrade() -> None:
    op.create_table(
        "parties",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("jurisdiction", sa.String(16), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(128), nullable=False, unique=True),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "channels",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(128), nullable=False, unique=True),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "channel_members",
        sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id"), primary_key=True),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), primary_key=True),
    )
    op.create_index("ix_channel_members_party", "channel_members", ["party_id", "channel_id"])
    op.create_table(
        "objects",
        sa.Column("pk", BigKey, primary_key=True, autoincrement=True),
        sa.Column("stix_id", sa.String(300), nullable=False),
        sa.Column("id_key", sa.BigInteger, nullable=False),
        sa.Column("version_key", sa.String(32), nullable=False),
        sa.Column("modified", sa.String(64)),
        sa.Column("type", sa.String(250), nullable=False),
        sa.Column("created_by_ref", sa.String(300)),
        sa.Column("name", sa.Text),
        sa.Column("description", sa.Text),
        sa.Column("revoked", sa.Boolean, nullable=False),
        sa.Column("is_latest", sa.Boolean, nullable=False),
        sa.Column("audience_kind", sa.String(8), nullable=False),
        sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id")),
        sa.Column("origin_party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("tlp", sa.SmallInteger, nullable=False),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id")),
        sa.Column("added_key", sa.String(32), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("ix_objects_id_key", "objects", ["id_key"])
    op.create_index("ix_objects_type", "objects", ["type", "pk"])
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("account", sa.String(128)),
        sa.Column("party", sa.String(64)),
        sa.Column("door", sa.String(16), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.Text),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS}])


def downgrade() -> None:
    for table in ("audit_head", "audit_log", "objects", "channel_members", "channels"):
        op.drop_table(table)
    op.drop_table("accounts")
    op.drop_table("parties")
