"""Analysts' decisions on links: the same subject, or different ones; undoable, and kept
across re-imports because they name records by source and key.

"same" moves every record of the second subject (with its names and designations) into the
first. "different" splits the second record out into a subject of its own and stops automatic
linking from joining them again. Undoing "same" splits the second record back out.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, insert, or_, select, update

from accord.errors import NotFound, ValidationFailed
from accord.stix.timestamps import now_timestamp
from accord.store.register import create_subject
from accord.store.schema import (
    register_designations,
    register_links,
    register_names,
    register_records,
    register_subjects,
)


@dataclass(frozen=True, slots=True)
class Link:
    id: int
    record_a: str
    record_b: str
    decision: str
    active: bool
    decided_by: str
    note: str
    at: str


def record_ref(source: str, key: str) -> str:
    return f"{source}:{key}"


def _record(connection: Connection, ref: str) -> tuple[int, int]:
    """(record id, subject id) of ``source:key`` (a source may hold a colon: csv:KZ)."""
    parts = ref.split(":")
    row = None
    for cut in range(1, min(len(parts), 3)):
        source, key = ":".join(parts[:cut]), ":".join(parts[cut:])
        row = connection.execute(
            select(register_records.c.id, register_records.c.subject_id).where(
                register_records.c.source == source, register_records.c.record_key == key
            )
        ).first()
        if row is not None:
            break
    if row is None:
        raise NotFound(f"no record {ref!r} (name records as source:key, see register show)")
    return int(row.id), int(row.subject_id)


def records_of_subject(connection: Connection, subject_id: int) -> list[str]:
    rows = connection.execute(
        select(register_records.c.source, register_records.c.record_key)
        .where(register_records.c.subject_id == subject_id)
        .order_by(register_records.c.id)
    )
    return [record_ref(r.source, r.record_key) for r in rows]


def _move_records(connection: Connection, record_ids: list[int], subject_id: int) -> None:
    for table, column in (
        (register_records, register_records.c.id),
        (register_names, register_names.c.record_id),
        (register_designations, register_designations.c.record_id),
    ):
        connection.execute(
            update(table).where(column.in_(record_ids)).values(subject_id=subject_id)
        )


def _split_out(connection: Connection, record_id: int) -> int:
    """Give one record a subject of its own again; returns that subject."""
    row = connection.execute(
        select(register_records.c.subject_id, register_names.c.name)
        .join(register_names, register_names.c.record_id == register_records.c.id)
        .where(register_records.c.id == record_id)
        .order_by(register_names.c.quality == "primary")
    ).all()
    old = connection.execute(
        select(register_subjects.c.kind).where(register_subjects.c.id == row[-1].subject_id)
    ).scalar_one()
    subject = create_subject(connection, old, row[-1].name, {})
    _move_records(connection, [record_id], subject)
    return subject


def decide(
    connection: Connection, record_a: str, record_b: str, decision: str, by: str, note: str = ""
) -> Link:
    if decision not in ("same", "different"):
        raise ValidationFailed(f"decision {decision!r}: expected same or different")
    if record_a == record_b:
        raise ValidationFailed("a record cannot be linked to itself")
    _, subject_a = _record(connection, record_a)
    id_b, subject_b = _record(connection, record_b)
    if decision == "same" and subject_a != subject_b:
        moving = connection.execute(
            select(register_records.c.id).where(register_records.c.subject_id == subject_b)
        ).scalars()
        _move_records(connection, list(moving), subject_a)
        connection.execute(
            update(register_subjects)
            .where(register_subjects.c.id == subject_b)
            .values(merged_into=subject_a)
        )
    elif decision == "different" and subject_a == subject_b:
        _split_out(connection, id_b)
    new_id = connection.execute(
        insert(register_links)
        .values(
            record_a=record_a,
            record_b=record_b,
            decision=decision,
            active=True,
            decided_by=by,
            note=note,
            at=now_timestamp(),
        )
        .returning(register_links.c.id)
    ).scalar_one()
    return get_link(connection, int(new_id))


def undo(connection: Connection, link_id: int) -> Link:
    link = get_link(connection, link_id)
    if not link.active:
        raise ValidationFailed(f"link {link_id} was already undone")
    connection.execute(
        update(register_links).where(register_links.c.id == link_id).values(active=False)
    )
    if link.decision == "same":
        record_id, _ = _record(connection, link.record_b)
        _split_out(connection, record_id)
    return get_link(connection, link_id)


def get_link(connection: Connection, link_id: int) -> Link:
    row = connection.execute(select(register_links).where(register_links.c.id == link_id)).first()
    if row is None:
        raise NotFound(f"no link {link_id}")
    return Link(
        row.id,
        row.record_a,
        row.record_b,
        row.decision,
        bool(row.active),
        row.decided_by,
        row.note,
        row.at,
    )


def list_links(connection: Connection) -> list[Link]:
    ids = connection.execute(select(register_links.c.id).order_by(register_links.c.id)).scalars()
    return [get_link(connection, i) for i in ids]


def kept_apart(connection: Connection, ref: str) -> set[str]:
    """Records an analyst said are not the same as ``ref``: automatic links avoid them."""
    rows = connection.execute(
        select(register_links.c.record_a, register_links.c.record_b).where(
            register_links.c.active,
            register_links.c.decision == "different",
            or_(register_links.c.record_a == ref, register_links.c.record_b == ref),
        )
    )
    return {r.record_b if r.record_a == ref else r.record_a for r in rows}


def apply_decisions(connection: Connection) -> int:
    """Re-apply every active "same" decision (after an import added records); returns merges."""
    merged = 0
    rows = connection.execute(
        select(register_links).where(register_links.c.active, register_links.c.decision == "same")
    ).all()
    for row in rows:
        try:
            _, subject_a = _record(connection, row.record_a)
            _, subject_b = _record(connection, row.record_b)
        except NotFound:
            continue
        if subject_a != subject_b:
            ids = connection.execute(
                select(register_records.c.id).where(register_records.c.subject_id == subject_b)
            ).scalars()
            _move_records(connection, list(ids), subject_a)
            merged += 1
    return merged
