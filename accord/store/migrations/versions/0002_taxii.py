"""TAXII: status resources, and tombstones for deleted objects.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("objects") as batch:
        batch.add_column(
            sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.false())
        )
    op.create_table(
        "taxii_status",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("taxii_status")
    with op.batch_alter_table("objects") as batch:
        batch.drop_column("deleted")
