"""Audit checkpoints: verified heads, from which ``accord audit verify --incremental`` starts.

Revision ID: 0011
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_checkpoints",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("verified_at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("audit_checkpoints")
