"""Exercises joined from another node: their channels, peers and director's party.

Revision ID: 0013
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exercise_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("exercise", sa.String(64), nullable=False),
        sa.Column("channel_name", sa.String(128), nullable=False, unique=True),
        sa.Column("director_party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("channels", sa.Text, nullable=False),
        sa.Column("peers", sa.Text, nullable=False),
        sa.Column("joined_at", sa.String(32), nullable=False),
        sa.Column("ended_at", sa.String(32)),
    )


def downgrade() -> None:
    op.drop_table("exercise_links")
