"""Repository functions of the unified register (tables in accord.store.schema)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, Row, delete, insert, select, update

from accord.stix.timestamps import now_timestamp
from accord.store.schema import (
    register_designations,
    register_events,
    register_imports,
    register_names,
    register_records,
    register_subjects,
)


def start_import(
    connection: Connection, kind: str, file_name: str, sha256: str, generated_on: str | None
) -> int:
    return int(
        connection.execute(
            insert(register_imports)
            .values(
                kind=kind,
                file_name=file_name,
                sha256=sha256,
                generated_on=generated_on,
                at=now_timestamp(),
                report="{}",
            )
            .returning(register_imports.c.id)
        ).scalar_one()
    )


def finish_import(connection: Connection, import_id: int, report: dict[str, Any]) -> None:
    connection.execute(
        update(register_imports)
        .where(register_imports.c.id == import_id)
        .values(report=orjson.dumps(report).decode())
    )


def records_of(connection: Connection, source: str) -> dict[str, tuple[int, int]]:
    """key -> (record id, subject id) of every record of a source."""
    rows = connection.execute(
        select(
            register_records.c.record_key, register_records.c.id, register_records.c.subject_id
        ).where(register_records.c.source == source)
    )
    return {row.record_key: (row.id, row.subject_id) for row in rows}


def subjects_by_reference(connection: Connection, references: Sequence[str]) -> dict[str, int]:
    if not references:
        return {}
    rows = connection.execute(
        select(register_designations.c.reference, register_designations.c.subject_id).where(
            register_designations.c.reference.in_(list(references))
        )
    )
    return {row.reference: row.subject_id for row in rows}


def names_index(connection: Connection) -> list[Row[Any]]:
    """(subject id, name, source) of every name: what automatic links are looked for in."""
    return list(
        connection.execute(
            select(
                register_names.c.subject_id, register_names.c.name, register_records.c.source
            ).join(register_records, register_records.c.id == register_names.c.record_id)
        )
    )


def create_subject(connection: Connection, kind: str, name: str, details: dict[str, Any]) -> int:
    return int(
        connection.execute(
            insert(register_subjects)
            .values(
                kind=kind,
                name=name,
                details=orjson.dumps(details).decode(),
                created_at=now_timestamp(),
            )
            .returning(register_subjects.c.id)
        ).scalar_one()
    )


def create_record(
    connection: Connection,
    source: str,
    key: str,
    subject_id: int,
    payload: dict[str, Any],
    import_id: int,
) -> int:
    return int(
        connection.execute(
            insert(register_records)
            .values(
                source=source,
                record_key=key,
                subject_id=subject_id,
                payload=orjson.dumps(payload).decode(),
                first_import_id=import_id,
                last_import_id=import_id,
            )
            .returning(register_records.c.id)
        ).scalar_one()
    )


def touch_record(
    connection: Connection, record_id: int, payload: dict[str, Any], import_id: int
) -> bool:
    """Record that an import saw the record again; True when its content changed."""
    old = connection.execute(
        select(register_records.c.payload).where(register_records.c.id == record_id)
    ).scalar_one()
    new = orjson.dumps(payload).decode()
    connection.execute(
        update(register_records)
        .where(register_records.c.id == record_id)
        .values(payload=new, last_import_id=import_id)
    )
    return bool(old != new)


def replace_names(
    connection: Connection, subject_id: int, record_id: int, names: Sequence[tuple[str, str, str]]
) -> None:
    connection.execute(delete(register_names).where(register_names.c.record_id == record_id))
    if names:
        connection.execute(
            insert(register_names),
            [
                {
                    "subject_id": subject_id,
                    "record_id": record_id,
                    "name": n,
                    "quality": q,
                    "script": s,
                }
                for n, q, s in names
            ],
        )


def designation_of(connection: Connection, record_id: int, jurisdiction: str) -> Row[Any] | None:
    return connection.execute(
        select(register_designations).where(
            register_designations.c.record_id == record_id,
            register_designations.c.jurisdiction == jurisdiction,
        )
    ).first()


def designations_of_source(connection: Connection, source: str) -> list[Row[Any]]:
    return list(
        connection.execute(
            select(register_designations, register_records.c.record_key)
            .join(register_records, register_records.c.id == register_designations.c.record_id)
            .where(register_records.c.source == source)
        )
    )


def save_designation(connection: Connection, values: dict[str, Any], existing: int | None) -> int:
    if existing is None:
        return int(
            connection.execute(
                insert(register_designations).values(**values).returning(register_designations.c.id)
            ).scalar_one()
        )
    connection.execute(
        update(register_designations).where(register_designations.c.id == existing).values(**values)
    )
    return existing


def add_event(
    connection: Connection,
    designation_id: int,
    on_date: str,
    precision: str,
    status: str,
    detail: str,
    import_id: int,
) -> None:
    connection.execute(
        insert(register_events).values(
            designation_id=designation_id,
            on_date=on_date,
            precision=precision,
            status=status,
            detail=detail,
            import_id=import_id,
        )
    )
