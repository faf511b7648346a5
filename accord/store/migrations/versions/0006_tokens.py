"""Tokens that end: an expiry, a lifetime, rotation and revocation per account; console
sessions kept on the server (only the hash of the session id is stored).

Existing tokens expire 90 days after this migration runs (not 90 days after they were
made, which would lock out every account of an older node at once).

Revision ID: 0006
Revises: 0005
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

LIFETIME_DAYS = 90


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        # An empty expiry sorts before every timestamp, so a row the update missed is expired.
        batch.add_column(
            sa.Column("token_expires_at", sa.String(32), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column(
                "token_lifetime_days",
                sa.Integer,
                nullable=False,
                server_default=str(LIFETIME_DAYS),
            )
        )
        batch.add_column(sa.Column("token_rotated_at", sa.String(32)))
        batch.add_column(sa.Column("revoked_at", sa.String(32)))
    expires = datetime.now(UTC) + timedelta(days=LIFETIME_DAYS)
    accounts = sa.table("accounts", sa.column("token_expires_at", sa.String))
    op.get_bind().execute(
        sa.update(accounts).values(
            token_expires_at=expires.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        )
    )
    if op.get_bind().dialect.name == "postgresql":
        # The code always writes both; the defaults only served the existing rows.
        op.alter_column("accounts", "token_expires_at", server_default=None)
        op.alter_column("accounts", "token_lifetime_days", server_default=None)
    op.create_table(
        "console_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("last_seen_at", sa.String(32), nullable=False),
        sa.Column("expires_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_console_sessions_account", "console_sessions", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_console_sessions_account", "console_sessions")
    op.drop_table("console_sessions")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("revoked_at")
        batch.drop_column("token_rotated_at")
        batch.drop_column("token_lifetime_days")
        batch.drop_column("token_expires_at")
