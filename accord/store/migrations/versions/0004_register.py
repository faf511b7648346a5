"""The unified register: imports, subjects, records, names, designations, dated events.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "register_imports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("generated_on", sa.String(10)),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("report", sa.Text, nullable=False),
    )
    op.create_table(
        "register_subjects",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("details", sa.Text, nullable=False, server_default="{}"),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("merged_into", sa.Integer),
    )
    op.create_table(
        "register_records",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("record_key", sa.String(300), nullable=False),
        sa.Column("subject_id", sa.Integer, sa.ForeignKey("register_subjects.id"), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column(
            "first_import_id", sa.Integer, sa.ForeignKey("register_imports.id"), nullable=False
        ),
        sa.Column(
            "last_import_id", sa.Integer, sa.ForeignKey("register_imports.id"), nullable=False
        ),
        sa.UniqueConstraint("source", "record_key", name="uq_register_records_key"),
    )
    op.create_table(
        "register_names",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("subject_id", sa.Integer, sa.ForeignKey("register_subjects.id"), nullable=False),
        sa.Column("record_id", sa.Integer, sa.ForeignKey("register_records.id"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("quality", sa.String(16), nullable=False),
        sa.Column("script", sa.String(16), nullable=False),
    )
    op.create_index("ix_register_names_subject", "register_names", ["subject_id"])
    op.create_table(
        "register_designations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("subject_id", sa.Integer, sa.ForeignKey("register_subjects.id"), nullable=False),
        sa.Column("record_id", sa.Integer, sa.ForeignKey("register_records.id"), nullable=False),
        sa.Column("jurisdiction", sa.String(16), nullable=False),
        sa.Column("authority", sa.Text, nullable=False, server_default=""),
        sa.Column("programme", sa.Text, nullable=False, server_default=""),
        sa.Column("reference", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("listed_on", sa.String(10)),
        sa.Column("delisted_on", sa.String(10)),
        sa.Column("legal_basis", sa.Text, nullable=False, server_default=""),
        sa.Column("source_url", sa.Text, nullable=False, server_default=""),
        sa.UniqueConstraint("record_id", "jurisdiction", name="uq_register_designation"),
    )
    op.create_index("ix_register_designations_subject", "register_designations", ["subject_id"])
    op.create_table(
        "register_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "designation_id",
            sa.Integer,
            sa.ForeignKey("register_designations.id"),
            nullable=False,
        ),
        sa.Column("on_date", sa.String(10), nullable=False),
        sa.Column("precision", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
        sa.Column("import_id", sa.Integer, sa.ForeignKey("register_imports.id"), nullable=False),
    )
    op.create_index(
        "ix_register_events_designation", "register_events", ["designation_id", "on_date"]
    )

    op.create_table(
        "register_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("record_a", sa.String(340), nullable=False),
        sa.Column("record_b", sa.String(340), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("decided_by", sa.String(128), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "register_links",
        "register_events",
        "register_designations",
        "register_names",
        "register_records",
        "register_subjects",
        "register_imports",
    ):
        op.drop_table(table)
