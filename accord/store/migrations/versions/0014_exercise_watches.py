"""Exercise watches: a watch may belong to an exercise (its name), and then matches only that
exercise's objects; a real watch (NULL) matches only real intelligence.

Revision ID: 0014
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("watches") as batch:
        batch.add_column(sa.Column("exercise", sa.String(63)))
    op.create_index("ix_watches_exercise", "watches", ["exercise"])


def downgrade() -> None:
    op.drop_index("ix_watches_exercise", "watches")
    with op.batch_alter_table("watches") as batch:
        batch.drop_column("exercise")
