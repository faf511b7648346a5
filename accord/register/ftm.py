"""FollowTheMoney JSON lines, the shape OpenSanctions publishes: entities, and a ``Sanction``
per designation pointing at its entity. Read into records; the register written back out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from accord.errors import InvalidInput
from accord.register.dates import parse_list_date
from accord.register.jurisdictions import jurisdiction_of
from accord.register.model import Designation, Name, Record, script_of
from accord.store.schema import register_designations, register_names, register_subjects

ENTITY_SCHEMAS = {
    "Organization": "organization",
    "LegalEntity": "organization",
    "Company": "organization",
    "Person": "person",
}


def _first(props: dict[str, Any], key: str) -> str:
    values = props.get(key) or []
    return str(values[0]).strip() if values else ""


def read_ftm(path: Path) -> tuple[list[Record], list[tuple[str, str]]]:
    entities: dict[str, tuple[int, dict[str, Any]]] = {}
    sanctions: list[tuple[int, dict[str, Any]]] = []
    refused: list[tuple[str, str]] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path.name}: not UTF-8: byte {exc.start} cannot be decoded") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entity = json.loads(line)
            schema, identifier = entity["schema"], entity["id"]
            if not isinstance(entity.get("properties", {}), dict):
                raise ValueError("properties must be an object")
        except (ValueError, KeyError, TypeError) as exc:
            refused.append((f"{path.name}: line {number}", f"not an FtM entity: {exc}"))
            continue
        if schema == "Sanction":
            sanctions.append((number, entity))
        elif schema in ENTITY_SCHEMAS:
            if identifier in entities:
                refused.append(
                    (f"{path.name}: line {number}", f"duplicate of line {entities[identifier][0]}")
                )
            else:
                entities[identifier] = (number, entity)
    designations: dict[str, list[Designation]] = {}
    for number, sanction in sanctions:
        props = sanction.get("properties", {})
        where = f"{path.name}: line {number}"
        target = _first(props, "entity")
        try:
            if target not in entities:
                raise ValueError(f"Sanction names entity {target!r}, which the file lacks")
            code, programme = jurisdiction_of(
                _first(props, "authority") or _first(props, "country")
            )
            status = (
                "delisted" if _first(props, "status").lower() in ("inactive", "ended") else "listed"
            )
            start, end = (
                parse_list_date(_first(props, "startDate")),
                parse_list_date(_first(props, "endDate")),
            )
        except ValueError as exc:
            refused.append((where, str(exc)))
            continue
        if end is not None:
            status = "delisted"
        designations.setdefault(target, []).append(
            Designation(
                jurisdiction=code,
                status=status,
                programme=_first(props, "program") or programme,
                authority=_first(props, "authority"),
                listed_on=start,
                delisted_on=end,
                source_url=_first(props, "sourceUrl"),
            )
        )
    records = []
    for identifier, (number, entity) in entities.items():
        props = entity.get("properties", {})
        primary = _first(props, "name")
        if not primary:
            refused.append((f"{path.name}: line {number}", "entity without a name"))
            continue
        names = [Name(primary, "primary", script_of(primary))]
        names += [Name(a, "strong", script_of(a)) for a in props.get("alias", []) if a != primary]
        names += [Name(a, "weak", script_of(a)) for a in props.get("weakAlias", [])]
        names += [Name(a, "former", script_of(a)) for a in props.get("previousName", [])]
        records.append(
            Record(
                "ftm",
                identifier,
                ENTITY_SCHEMAS[entity["schema"]],
                names,
                designations.get(identifier, []),
                f"{path.name}: line {number}",
                payload={"entity": entity},
            )
        )
    return records, refused


def export_ftm(connection: Connection) -> Iterator[dict[str, Any]]:
    """Every subject as an FtM entity, and each designation as a Sanction."""
    names: dict[int, list[str]] = {}
    for row in connection.execute(select(register_names.c.subject_id, register_names.c.name)):
        names.setdefault(row.subject_id, []).append(row.name)
    for subject in connection.execute(
        select(register_subjects).where(register_subjects.c.merged_into.is_(None))
    ):
        schema = "Person" if subject.kind == "person" else "Organization"
        aliases = sorted({n for n in names.get(subject.id, []) if n != subject.name})
        entity = {"name": [subject.name], "alias": aliases, "topics": ["crime.terror"]}
        yield {"id": f"accord-{subject.id}", "schema": schema, "properties": entity}
    for row in connection.execute(select(register_designations)):
        props: dict[str, list[str]] = {
            "entity": [f"accord-{row.subject_id}"],
            "authority": [row.authority or row.jurisdiction],
            "country": [row.jurisdiction],
            "program": [row.programme] if row.programme else [],
            "status": ["Active" if row.status == "listed" else "Inactive"],
            "startDate": [row.listed_on] if row.listed_on else [],
            "endDate": [row.delisted_on] if row.delisted_on else [],
            "sourceUrl": [row.source_url] if row.source_url else [],
        }
        yield {
            "id": f"accord-designation-{row.id}",
            "schema": "Sanction",
            "properties": {k: v for k, v in props.items() if v},
        }


CSV_COLUMNS = (
    "subject",
    "name",
    "kind",
    "jurisdiction",
    "status",
    "listed_on",
    "delisted_on",
    "reference",
    "programme",
    "source_url",
)


def export_rows(connection: Connection) -> Iterator[tuple[Any, ...]]:
    """One CSV row per designation, with its subject."""
    query = (
        select(
            register_subjects.c.id,
            register_subjects.c.name,
            register_subjects.c.kind,
            register_designations.c.jurisdiction,
            register_designations.c.status,
            register_designations.c.listed_on,
            register_designations.c.delisted_on,
            register_designations.c.reference,
            register_designations.c.programme,
            register_designations.c.source_url,
        )
        .join(register_designations, register_designations.c.subject_id == register_subjects.c.id)
        .order_by(register_subjects.c.id, register_designations.c.jurisdiction)
    )
    for row in connection.execute(query):
        yield tuple(row)
