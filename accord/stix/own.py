"""The STIX objects Accord itself authors: a system identity and a property extension's
definition (STIX 2.1 section 7.3), shared by the register and ingestion."""

from __future__ import annotations

from typing import Any

#: Accord's own objects are stamped once: their content never changes within a version.
CREATED = "2026-11-26T00:00:00.000Z"


def system_identity(identifier: str, name: str) -> dict[str, Any]:
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": identifier,
        "created": CREATED,
        "modified": CREATED,
        "name": name,
        "identity_class": "system",
    }


def property_extension(
    identifier: str, author: str, name: str, description: str, schema: str
) -> dict[str, Any]:
    return {
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": identifier,
        "created_by_ref": author,
        "created": CREATED,
        "modified": CREATED,
        "name": name,
        "description": description,
        "schema": schema,
        "version": "1.0.0",
        "extension_types": ["property-extension"],
    }
