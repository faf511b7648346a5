"""Correlation keys, watches, alerts, webhooks and their outbox; anonymised sightings.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("objects", sa.Column("shown_origin", sa.String(140)))
    op.create_table(
        "correlation_keys",
        sa.Column("id", BIG, primary_key=True, autoincrement=True),
        sa.Column("object_pk", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("value_key", sa.BigInteger, nullable=False),
        sa.Column("lo", sa.String(32)),
        sa.Column("hi", sa.String(32)),
        sa.Column("source", sa.String(64), nullable=False, server_default=""),
    )
    op.create_index("ix_correlation_value", "correlation_keys", ["value_key", "object_pk"])
    op.create_index("ix_correlation_object", "correlation_keys", ["object_pk"])
    op.create_index(
        "ix_correlation_range",
        "correlation_keys",
        ["kind", "lo"],
        sqlite_where=sa.text("lo IS NOT NULL"),
        postgresql_where=sa.text("lo IS NOT NULL"),
    )
    op.create_table(
        "watches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("value_kind", sa.String(16), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("value_key", sa.BigInteger),
        sa.Column("lo", sa.String(32)),
        sa.Column("hi", sa.String(32)),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("expires_on", sa.String(10)),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("removed_at", sa.String(32)),
        sa.UniqueConstraint("party_id", "number", name="uq_watches_number"),
    )
    op.create_index("ix_watches_value", "watches", ["value_key"])
    op.create_table(
        "alerts",
        sa.Column("id", BIG, primary_key=True, autoincrement=True),
        sa.Column("watch_id", sa.Integer, sa.ForeignKey("watches.id"), nullable=False),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("object_pk", sa.BigInteger, nullable=False),
        sa.Column("stix_id", sa.String(300), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("raised_at", sa.String(32), nullable=False),
        sa.Column("acknowledged_at", sa.String(32)),
        sa.Column("acknowledged_by", sa.String(128)),
        sa.Column("withdrawn_at", sa.String(32)),
        sa.Column("withdrawn", sa.String(16)),
        sa.UniqueConstraint("watch_id", "object_pk", name="uq_alerts_watch_object"),
        sa.UniqueConstraint("party_id", "number", name="uq_alerts_number"),
    )
    op.create_index("ix_alerts_object", "alerts", ["object_pk"])
    op.create_table(
        "alert_queue",
        sa.Column("object_pk", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("queued_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("secret", sa.String(128), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("disabled_at", sa.String(32)),
    )
    op.create_index("ix_webhooks_party", "webhooks", ["party_id"])
    op.create_table(
        "deliveries",
        sa.Column("id", BIG, primary_key=True, autoincrement=True),
        sa.Column("webhook_id", sa.Integer, sa.ForeignKey("webhooks.id"), nullable=False),
        sa.Column("alert_id", sa.BigInteger, nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.String(32), nullable=False),
        sa.Column("delivered_at", sa.String(32)),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("ix_deliveries_due", "deliveries", ["delivered_at", "next_attempt_at"])


def downgrade() -> None:
    for table in (
        "deliveries",
        "webhooks",
        "alert_queue",
        "alerts",
        "watches",
        "correlation_keys",
    ):
        op.drop_table(table)
    with op.batch_alter_table("objects") as batch:
        batch.drop_column("shown_origin")
