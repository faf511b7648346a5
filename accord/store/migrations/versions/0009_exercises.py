"""Joint exercises: scenarios, directors, runs and what happened in them.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "exercise_scenarios",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id")),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("imported_at", sa.String(32), nullable=False),
        sa.Column("imported_by", sa.String(128), nullable=False),
        sa.UniqueConstraint("party_id", "name", name="uq_exercise_scenarios_party_name"),
    )
    op.create_table(
        "exercise_directors",
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), primary_key=True),
        sa.Column("granted_by", sa.String(128), nullable=False),
        sa.Column("granted_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "exercises",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column(
            "scenario_id", sa.Integer, sa.ForeignKey("exercise_scenarios.id"), nullable=False
        ),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("channel_name", sa.String(128), nullable=False),
        sa.Column("roles", sa.Text, nullable=False),
        sa.Column("speed", sa.Integer, nullable=False),
        sa.Column("start_at", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("paused_at", sa.String(32)),
        sa.Column("paused_ms", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("seen_pk", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("ended_at", sa.String(32)),
    )
    op.create_table(
        "exercise_events",
        sa.Column("id", BIG, primary_key=True, autoincrement=True),
        sa.Column("exercise_id", sa.Integer, sa.ForeignKey("exercises.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id")),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("scenario_seconds", sa.Integer, nullable=False),
        sa.Column("points", sa.Integer, nullable=False, server_default="0"),
        sa.Column("details", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_index("ix_exercise_events", "exercise_events", ["exercise_id", "kind", "item"])


def downgrade() -> None:
    op.drop_index("ix_exercise_events", "exercise_events")
    op.drop_table("exercise_events")
    op.drop_table("exercises")
    op.drop_table("exercise_directors")
    op.drop_table("exercise_scenarios")
