"""Reading the register: a subject, its history, and where jurisdictions disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson
from sqlalchemy import Connection, select

from accord.errors import NotFound
from accord.store.schema import (
    register_designations,
    register_events,
    register_names,
    register_records,
    register_subjects,
)

ABSENT = "absent"


@dataclass(frozen=True, slots=True)
class Cell:
    status: str  # listed | delisted | suspended | absent
    since: str | None  # the date of the event that set it
    precision: str | None


def status_as_of(connection: Connection, as_of: date | None) -> dict[int, dict[str, Cell]]:
    """subject -> jurisdiction -> the designation's state on ``as_of`` (today by default).

    A designation's state is its latest event on or before the date; several records of one
    jurisdiction for one subject count as one, the most recent event deciding.
    """
    limit = (as_of or date.today()).isoformat()
    query = (
        select(
            register_designations.c.subject_id,
            register_designations.c.jurisdiction,
            register_events.c.on_date,
            register_events.c.precision,
            register_events.c.status,
            register_events.c.id,
        )
        .join(register_events, register_events.c.designation_id == register_designations.c.id)
        .where(register_events.c.on_date <= limit)
        .order_by(register_events.c.on_date, register_events.c.id)
    )
    matrix: dict[int, dict[str, Cell]] = {}
    for row in connection.execute(query):
        matrix.setdefault(row.subject_id, {})[row.jurisdiction] = Cell(
            row.status, row.on_date, row.precision
        )
    return matrix


def divergence(
    connection: Connection, jurisdictions: list[str] | None = None, as_of: date | None = None
) -> tuple[list[str], list[dict[str, Any]]]:
    """The subjects on which the chosen jurisdictions disagree, with each one's state."""
    matrix = status_as_of(connection, as_of)
    columns = sorted(jurisdictions or {j for cells in matrix.values() for j in cells})
    names = dict(connection.execute(select(register_subjects.c.id, register_subjects.c.name)).all())
    rows = []
    for subject_id, cells in matrix.items():
        states = {j: cells.get(j, Cell(ABSENT, None, None)) for j in columns}
        if len({cell.status for cell in states.values()}) < 2:
            continue
        if not any(cell.status != ABSENT for cell in states.values()):
            continue
        rows.append(
            {
                "subject": subject_id,
                "name": names.get(subject_id, "?"),
                "jurisdictions": {
                    j: {"status": c.status, "since": c.since, "precision": c.precision}
                    for j, c in states.items()
                },
            }
        )
    rows.sort(key=lambda r: str(r["name"]).casefold())
    return columns, rows


def show(connection: Connection, subject_id: int) -> dict[str, Any]:
    """Names, designations and where each came from."""
    subject = connection.execute(
        select(register_subjects).where(register_subjects.c.id == subject_id)
    ).first()
    if subject is None:
        raise NotFound(f"no subject {subject_id}")
    records = {
        row.id: f"{row.source}:{row.record_key}"
        for row in connection.execute(
            select(register_records).where(register_records.c.subject_id == subject_id)
        )
    }
    names = [
        {"name": r.name, "quality": r.quality, "script": r.script, "from": records.get(r.record_id)}
        for r in connection.execute(
            select(register_names).where(register_names.c.subject_id == subject_id)
        )
    ]
    designations = [
        {
            "jurisdiction": r.jurisdiction,
            "status": r.status,
            "programme": r.programme,
            "reference": r.reference,
            "listed_on": r.listed_on,
            "delisted_on": r.delisted_on,
            "source_url": r.source_url,
            "from": records.get(r.record_id),
        }
        for r in connection.execute(
            select(register_designations)
            .where(register_designations.c.subject_id == subject_id)
            .order_by(register_designations.c.jurisdiction)
        )
    ]
    return {
        "id": subject.id,
        "kind": subject.kind,
        "name": subject.name,
        "details": orjson.loads(subject.details),
        "names": names,
        "designations": designations,
        "records": sorted(records.values()),
    }


def history(connection: Connection, subject_id: int) -> list[dict[str, Any]]:
    """Every dated change of every designation of a subject, oldest first."""
    show(connection, subject_id)  # 404 for an unknown subject
    query = (
        select(
            register_events.c.on_date,
            register_events.c.precision,
            register_events.c.status,
            register_events.c.detail,
            register_designations.c.jurisdiction,
            register_designations.c.reference,
            register_designations.c.programme,
        )
        .join(register_designations, register_designations.c.id == register_events.c.designation_id)
        .where(register_designations.c.subject_id == subject_id)
        .order_by(register_events.c.on_date, register_events.c.id)
    )
    return [{str(k): v for k, v in row._mapping.items()} for row in connection.execute(query)]


def find_subjects(connection: Connection, text: str) -> list[tuple[int, str]]:
    """Subjects with a name or reference containing ``text`` (case-insensitive)."""
    pattern = f"%{text}%"
    by_name = select(register_names.c.subject_id).where(register_names.c.name.ilike(pattern))
    by_reference = select(register_designations.c.subject_id).where(
        register_designations.c.reference.ilike(pattern)
    )
    query = (
        select(register_subjects.c.id, register_subjects.c.name)
        .where(register_subjects.c.id.in_(by_name.union(by_reference)))
        .order_by(register_subjects.c.id)
        .limit(50)
    )
    return [(row.id, row.name) for row in connection.execute(query)]
