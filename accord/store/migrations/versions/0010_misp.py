"""MISP interoperability: the sharing-group mapping, MISP feed peers' state.

Revision ID: 0010
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("peers", sa.Column("tlp", sa.String(16)))
    op.create_table(
        "misp_sharing_groups",
        sa.Column("uuid", sa.String(36), primary_key=True),
        sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id"), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "misp_feed_events",
        sa.Column("peer_id", sa.Integer, sa.ForeignKey("peers.id"), primary_key=True),
        sa.Column("event_uuid", sa.String(36), primary_key=True),
        sa.Column("timestamp", sa.String(20), nullable=False),
        sa.Column("stix_ids", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("misp_feed_events")
    op.drop_table("misp_sharing_groups")
    op.drop_column("peers", "tlp")
