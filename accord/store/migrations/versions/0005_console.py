"""The analyst console: relationship endpoints as indexed keys, names found case-blind,
the inbox filtered by channel, origin party and date without scanning.

Revision ID: 0005
Revises: 0004
"""

import orjson
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BATCH = 5000


def _key(identifier: object) -> int | None:
    # accord.stix.validate.identifier_key, repeated so that the migration never changes.
    if not isinstance(identifier, str) or len(identifier) < 36:
        return None
    uuid = identifier[-36:]
    try:
        return int(uuid[0:8] + uuid[9:13] + uuid[14:18], 16) - (1 << 63)
    except ValueError:
        return None


def upgrade() -> None:
    with op.batch_alter_table("objects") as batch:
        batch.add_column(sa.Column("source_key", sa.BigInteger))
        batch.add_column(sa.Column("target_key", sa.BigInteger))
    objects = sa.table(
        "objects",
        sa.column("pk", sa.BigInteger),
        sa.column("type", sa.String),
        sa.column("body", sa.Text),
        sa.column("source_key", sa.BigInteger),
        sa.column("target_key", sa.BigInteger),
    )
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(objects.c.pk, objects.c.body)
            .where(objects.c.type.in_(("relationship", "sighting")), objects.c.pk > last)
            .order_by(objects.c.pk)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        for row in rows:
            body = orjson.loads(row.body)
            source = body.get("source_ref", body.get("sighting_of_ref"))
            target = body.get("target_ref")
            connection.execute(
                sa.update(objects)
                .where(objects.c.pk == row.pk)
                .values(source_key=_key(source), target_key=_key(target))
            )
        last = rows[-1].pk
    where = sa.text("source_key IS NOT NULL")
    op.create_index(
        "ix_objects_source_key",
        "objects",
        ["source_key"],
        sqlite_where=where,
        postgresql_where=where,
    )
    where = sa.text("target_key IS NOT NULL")
    op.create_index(
        "ix_objects_target_key",
        "objects",
        ["target_key"],
        sqlite_where=where,
        postgresql_where=where,
    )
    op.create_index("ix_objects_name_lower", "objects", [sa.text("lower(name)")])
    op.create_index("ix_objects_channel", "objects", ["channel_id", "pk"])
    op.create_index("ix_objects_origin", "objects", ["origin_party_id", "pk"])
    op.create_index(
        "ix_objects_origin_audience",
        "objects",
        ["origin_party_id", "audience_kind", "channel_id", "pk"],
    )
    op.create_index("ix_objects_added", "objects", ["added_key"])
    op.create_index("ix_audit_target", "audit_log", ["target", "seq"])


def downgrade() -> None:
    op.drop_index("ix_audit_target", "audit_log")
    for name in (
        "ix_objects_added",
        "ix_objects_origin_audience",
        "ix_objects_origin",
        "ix_objects_channel",
        "ix_objects_name_lower",
        "ix_objects_target_key",
        "ix_objects_source_key",
    ):
        op.drop_index(name, "objects")
    with op.batch_alter_table("objects") as batch:
        batch.drop_column("target_key")
        batch.drop_column("source_key")
