"""Small builders of valid STIX 2.1 objects for tests."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from accord.stix.observables import deterministic_id

T0 = "2026-01-01T00:00:00.000Z"


def new_id(stix_type: str) -> str:
    return f"{stix_type}--{uuid.uuid4()}"


def sdo(stix_type: str = "threat-actor", **properties: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "type": stix_type,
        "spec_version": "2.1",
        "id": new_id(stix_type),
        "created": T0,
        "modified": T0,
    }
    if stix_type in ("threat-actor", "intrusion-set", "identity", "campaign", "tool"):
        base["name"] = "Test " + stix_type
    if stix_type == "indicator":
        base.update(pattern="[domain-name:value = 'x.example']", pattern_type="stix", valid_from=T0)
    base.update(properties)
    return base


def bundle(*objects: dict[str, Any]) -> dict[str, Any]:
    return {"type": "bundle", "id": new_id("bundle"), "objects": list(objects)}


def sco(stix_type: str = "domain-name", **properties: Any) -> dict[str, Any]:
    """A cyber-observable (no created or modified) with its deterministic id (section 2.9)."""
    obj: dict[str, Any] = {"type": stix_type, "spec_version": "2.1", **properties}
    if stix_type in ("domain-name", "ipv4-addr", "email-addr", "url") and "value" not in obj:
        obj["value"] = {
            "domain-name": "cell.example",
            "ipv4-addr": "198.51.100.7",
            "email-addr": "courier@cell.example",
            "url": "https://cell.example/drop",
        }[stix_type]
    obj.setdefault("id", deterministic_id(obj) or new_id(stix_type))
    return {"type": obj.pop("type"), "spec_version": obj.pop("spec_version"), **obj}


#: The observables property tests and benchmarks mix with SDOs.
OBSERVABLE_TYPES = ("domain-name", "ipv4-addr", "email-addr", "file", "url", "user-account")


def observable(stix_type: str, label: str) -> dict[str, Any]:
    """An SCO of ``stix_type`` unique to ``label`` (letters, digits, hyphens), its id the
    deterministic one; a file's ``name`` holds the label, so text search finds it."""
    number = int(hashlib.sha256(label.encode()).hexdigest()[:6], 16)
    properties: dict[str, Any] = {
        "domain-name": {"value": f"{label}.example"},
        "ipv4-addr": {"value": f"10.{number >> 16}.{(number >> 8) & 255}.{number & 255}"},
        "email-addr": {"value": f"{label}@cell.example"},
        "file": {
            "name": f"{label}.bin",
            "hashes": {"SHA-256": hashlib.sha256(label.encode()).hexdigest()},
        },
        "url": {"value": f"https://{label}.example/drop"},
        "user-account": {"account_login": label, "account_type": "unix", "user_id": str(number)},
    }[stix_type]
    return sco(stix_type, **properties)
