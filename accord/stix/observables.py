"""Cyber-observables (SCOs, STIX 2.1 section 6): identity by content, versions by content.

SCOs carry no ``created`` or ``modified``: they are facts (a domain name, an address, a file's
hashes), not statements dated by their producer. Section 2.9 gives them deterministic ids, a
UUIDv5 (namespace :data:`SCO_NAMESPACE`) over the canonical JSON of their id-contributing
properties, so that two producers of one observable name it alike. Accord keys each stored
version of an SCO by its content (:func:`content_key`), so an identical re-post is the same
version whatever its property order, and a different body under one id is a new version,
ordered by arrival (see the Decisions in docs/architecture.md).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import orjson

#: STIX 2.1 section 2.9: the namespace of SCOs' deterministic UUIDv5 identifiers.
SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
#: Version keys of SCOs start with this (32 characters in all, the store's column width);
#: every other version key is a timestamp key, which starts with a digit.
CONTENT_KEY_PREFIX = "sha256:"
_DIGEST_CHARS = 32 - len(CONTENT_KEY_PREFIX)

#: STIX 2.1 section 6: each SCO type's id-contributing properties (none for process).
ID_CONTRIBUTING: dict[str, tuple[str, ...]] = {
    "artifact": ("hashes", "payload_bin"),
    "autonomous-system": ("number",),
    "directory": ("path",),
    "domain-name": ("value",),
    "email-addr": ("value",),
    "email-message": ("from_ref", "subject", "body"),
    "file": ("hashes", "name", "extensions", "parent_directory_ref"),
    "ipv4-addr": ("value",),
    "ipv6-addr": ("value",),
    "mac-addr": ("value",),
    "mutex": ("name",),
    "network-traffic": (
        "start", "end", "src_ref", "dst_ref", "src_port", "dst_port", "protocols", "extensions",
    ),
    "process": (),
    "software": ("name", "cpe", "swid", "vendor", "version"),
    "url": ("value",),
    "user-account": ("account_type", "user_id", "account_login"),
    "windows-registry-key": ("key", "values"),
    "x509-certificate": ("hashes", "serial_number"),
}  # fmt: skip
#: Which one hash of ``hashes`` contributes to an id, in this order of preference (as the
#: OASIS stix2 library chooses); otherwise the first one listed.
_HASH_PREFERENCE = ("MD5", "SHA-1", "SHA-256", "SHA-512")


def canonical(obj: Any) -> bytes:
    """Canonical JSON: keys sorted, no whitespace (RFC 8785 for the values STIX uses:
    strings, integers, booleans, lists and objects with ASCII keys)."""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def content_key(obj: dict[str, Any]) -> str:
    """The version key of an SCO: a digest of its canonical JSON (100 bits of SHA-256; two
    versions of one id colliding by chance is beyond any store's lifetime, and a collision
    would be refused as a clash, never taken for the other body)."""
    digest = hashlib.sha256(canonical(obj)).hexdigest()[:_DIGEST_CHARS]
    return CONTENT_KEY_PREFIX + digest


def is_content_key(version_key: str) -> bool:
    """True for an SCO's version key; timestamp keys (SDOs, SROs, meta objects) are not."""
    return version_key.startswith(CONTENT_KEY_PREFIX)


def deterministic_id(obj: dict[str, Any]) -> str | None:
    """The identifier section 2.9 says a producer SHOULD give this SCO, or None when its type
    has no id-contributing property present (then a UUIDv4 is right)."""
    stix_type = obj.get("type")
    if not isinstance(stix_type, str):
        return None
    contributing: dict[str, Any] = {}
    for key in ID_CONTRIBUTING.get(stix_type, ()):
        if key not in obj:
            continue
        value = obj[key]
        if key == "hashes" and isinstance(value, dict) and value:
            chosen = next((name for name in _HASH_PREFERENCE if name in value), next(iter(value)))
            value = {chosen: value[chosen]}
        contributing[key] = value
    if not contributing:
        return None
    name = canonical(contributing).decode("utf-8")
    return f"{stix_type}--{uuid.uuid5(SCO_NAMESPACE, name)}"
