"""The register as STIX 2.1: each subject an ``intrusion-set`` (organisations) or a
``threat-actor`` (persons), carrying its designations in a property extension declared by
Accord's ``extension-definition``, so that designations are published, shared and federated
like any other intelligence and pass the OASIS validator.

Ids are UUIDv5 of the subject's first record (source and key), the same on every node that
imports the same list; ``modified`` is the time of the last import that touched the subject.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection, func, select

from accord.stix.own import CREATED, property_extension, system_identity
from accord.stix.timestamps import timestamp_key
from accord.store.schema import (
    register_designations,
    register_imports,
    register_names,
    register_records,
    register_subjects,
)

NAMESPACE = uuid.UUID("4d3f8a0e-9b6c-5f21-8e47-1a2b3c4d5e6f")
EXTENSION_ID = "extension-definition--8f1e2d3c-4b5a-4c6d-9e7f-0a1b2c3d4e5f"
AUTHOR_ID = "identity--2f7c9a14-6d3e-4b8a-9c51-7e0d4f6a8b23"


def extension_definition() -> dict[str, Any]:
    """The extension that carries designations on a subject (STIX 2.1 section 7.3)."""
    return property_extension(
        EXTENSION_ID,
        AUTHOR_ID,
        "Accord designations",
        "Each jurisdiction's designation of a subject: jurisdiction (ISO 3166 "
        "alpha-2 or a body such as UN, EU, SCO-RATS), status (listed, delisted, suspended), "
        "programme, reference, listing and delisting dates with their precision, source.",
        "docs/register.md#stix",
    )


def author() -> dict[str, Any]:
    return system_identity(AUTHOR_ID, "Accord register")


def _stamp(at: str) -> str:
    key = timestamp_key(at)
    return at if key else CREATED


def _per_subject(
    connection: Connection, value: Any, import_column: Any | None = None
) -> dict[int, Any]:
    """subject id -> an aggregate over its records (joined to their imports if asked)."""
    query = select(register_records.c.subject_id, value)
    if import_column is not None:
        query = query.join(register_imports, register_imports.c.id == import_column)
    return dict(connection.execute(query.group_by(register_records.c.subject_id)).all())


def subject_id(stix_type: str, record: str, party: str = "") -> str:
    """A subject's STIX id: from its first record and, when given, the publishing party
    (ids Accord derives are namespaced by the party that publishes them)."""
    return f"{stix_type}--{uuid.uuid5(NAMESPACE, f'{party}|{record}' if party else record)}"


def subjects_as_stix(connection: Connection, party: str = "") -> list[dict[str, Any]]:
    """The extension definition, its author, and one object per subject."""
    first_record = _per_subject(
        connection, func.min(register_records.c.source + ":" + register_records.c.record_key)
    )
    touched = _per_subject(
        connection, func.max(register_imports.c.at), register_records.c.last_import_id
    )
    first_seen = _per_subject(
        connection, func.min(register_imports.c.at), register_records.c.first_import_id
    )
    names: dict[int, list[str]] = {}
    for row in connection.execute(select(register_names.c.subject_id, register_names.c.name)):
        names.setdefault(row.subject_id, []).append(row.name)
    designations: dict[int, list[dict[str, Any]]] = {}
    for row in connection.execute(
        select(register_designations).order_by(register_designations.c.jurisdiction)
    ):
        entry = {"jurisdiction": row.jurisdiction, "status": row.status}
        for key in ("programme", "reference", "listed_on", "delisted_on", "source_url"):
            value = getattr(row, key)
            if value:
                entry[key] = value
        designations.setdefault(row.subject_id, []).append(entry)
    out = [author(), extension_definition()]
    subjects = connection.execute(
        select(register_subjects).where(register_subjects.c.merged_into.is_(None))
    )
    for subject in subjects:
        if subject.id not in first_record:
            continue
        stix_type = "threat-actor" if subject.kind == "person" else "intrusion-set"
        created = _stamp(first_seen[subject.id])
        modified = max(created, _stamp(touched[subject.id]))
        obj: dict[str, Any] = {
            "type": stix_type,
            "spec_version": "2.1",
            "id": subject_id(stix_type, first_record[subject.id], party),
            "created": created,
            "modified": modified,
            "created_by_ref": AUTHOR_ID,
            "name": subject.name,
            "aliases": sorted({n for n in names.get(subject.id, []) if n != subject.name}),
            "extensions": {
                EXTENSION_ID: {
                    "extension_type": "property-extension",
                    "designations": designations.get(subject.id, []),
                }
            },
        }
        if stix_type == "threat-actor":
            obj["threat_actor_types"] = ["terrorist"]
        if not obj["aliases"]:
            del obj["aliases"]
        out.append(obj)
    return out
