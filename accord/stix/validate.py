"""Validate one STIX 2.1 object quickly, with an error per field.

This is the hot path of every publish: plain dict and regex checks, no stix2 objects. It
checks what storage and sharing depend on (identity, versions, references, markings, sizes)
and the required properties of each type; the OASIS validator is used by the tests to check
what Accord serves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

import orjson

from accord.errors import FieldError
from accord.stix.markings import strictest_tlp
from accord.stix.observables import content_key
from accord.stix.timestamps import timestamp_key
from accord.stix.vocab import (
    EXTENSION_TYPES,
    META_TYPES,
    REQUIRED,
    SCO_TYPES,
    SDO_TYPES,
    SRO_TYPES,
    TIMESTAMP_PROPERTIES,
)

_TYPE = re.compile(r"[a-z0-9](?:[a-z0-9]|-(?!-)){1,248}[a-z0-9]\Z")
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
_IDENTIFIER = re.compile(r"([a-z0-9][a-z0-9-]{1,248}[a-z0-9])--" + _UUID + r"\Z")
_UUID_AT = re.compile(_UUID)
_PROPERTY = re.compile(r"[a-z0-9_]{3,250}\Z")
# A NUL character, escaped by the JSON serialiser, and not preceded by an escaped backslash.
_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


#: Property names already found well-formed: most payloads repeat the same few dozen.
_GOOD_PROPERTIES: set[str] = {"id"}


def _good_property(key: str) -> bool:
    if _PROPERTY.match(key) is None:
        return False
    if len(_GOOD_PROPERTIES) < 10_000:
        _GOOD_PROPERTIES.add(key)
    return True


@dataclass(frozen=True, slots=True)
class Limits:
    """Size limits applied to each object."""

    max_object_bytes: int = 1024 * 1024
    max_depth: int = 32


class StixObject(NamedTuple):
    """One valid STIX object version, with what storage and policy need pulled out of it.

    A plain tuple, so that it crosses to and from a worker process cheaply.
    """

    #: Where the object stood in its payload.
    position: int
    id: str
    #: The 64-bit key of the id that storage indexes (:func:`identifier_key`).
    id_key: int
    type: str
    #: Version key: sortable ``modified`` (``created`` for marking definitions); for SCOs,
    #: which carry neither, a digest of the content (:mod:`accord.stix.observables`).
    version_key: str
    modified: str | None
    created_by_ref: str | None
    revoked: bool
    name: str | None
    description: str | None
    #: The most restrictive TLP level found in ``object_marking_refs`` (0-4), or None.
    embedded_tlp: int | None
    #: The object exactly as it will be stored and served.
    body: bytes
    #: Id keys of a relationship's source and target (a sighting's sighting_of_ref as source).
    source_key: int | None = None
    target_key: int | None = None
    #: Set by accord.prepare when the node correlates: the version is queued for the
    #: matcher (accord.acts.alerts), which finds what it shares with others.
    correlate: bool = False
    #: A register subject every jurisdiction delisted (its alerts are withdrawn).
    delisted: bool = False


def identifier_key(identifier: str) -> int:
    """The first 64 bits of an identifier's UUID as a signed integer: a compact index key.

    Different ids may share a key (other types, or a 2^-64 chance); lookups check the id too.
    """
    uuid = identifier[-36:]
    return int(uuid[0:8] + uuid[9:13] + uuid[14:18], 16) - (1 << 63)


def is_identifier(value: object) -> bool:
    """True when ``value`` is a well-formed STIX identifier ``type--UUID``."""
    if not isinstance(value, str):
        return False
    known = _IDENTIFIERS.get(value)
    if known is None:
        known = _IDENTIFIER.match(value) is not None
        if len(_IDENTIFIERS) >= 100_000:
            _IDENTIFIERS.clear()
        _IDENTIFIERS[value] = known
    return known


# References repeat (creators, markings, report members): remember the answers.
_IDENTIFIERS: dict[str, bool] = {}


def validate_object(obj: object, index: int, limits: Limits) -> StixObject | list[FieldError]:
    """Check one object; return it ready to store, or the list of what is wrong with it."""
    if not isinstance(obj, dict):
        return [FieldError("(object)", "must be a JSON object", index=index)]
    object_id = obj.get("id")
    ref = object_id if isinstance(object_id, str) else None
    errors: list[FieldError] = []

    def fail(field: str, message: str) -> None:
        errors.append(FieldError(field, message, index=index, object_id=ref))

    stix_type = obj.get("type")
    if not isinstance(stix_type, str) or (
        stix_type not in _KNOWN_TYPES and _TYPE.match(stix_type) is None
    ):
        fail("type", "required: 3-250 characters of a-z, 0-9 and single hyphens")
        return errors
    if not isinstance(object_id, str) or _UUID_AT.fullmatch(object_id, len(stix_type) + 2) is None:
        fail("id", "required: an identifier 'type--UUID' with an RFC 4122 UUID")
        return errors
    if not object_id.startswith(stix_type + "--"):
        fail("id", f"the identifier's prefix must be the object's type {stix_type!r}")
        return errors

    category = _category(obj, stix_type, fail)
    if category is None:
        return errors

    spec_version = obj.get("spec_version")
    if category == "sco":
        if spec_version is not None and spec_version != "2.1":
            fail("spec_version", "must be '2.1' when present")
    elif spec_version != "2.1":
        fail("spec_version", "required and must be '2.1': only STIX 2.1 is accepted")

    for key in obj:
        if key not in _GOOD_PROPERTIES and not _good_property(key):
            fail(key, "property names are 3-250 characters of a-z, 0-9 and underscore")

    for key in REQUIRED.get(stix_type, ()):
        if key not in obj:
            fail(key, f"required for {stix_type}")

    created_key = modified_key = None
    for key in TIMESTAMP_PROPERTIES.intersection(obj):
        parsed = timestamp_key(obj[key])
        if parsed is None:
            fail(key, "must be an RFC 3339 UTC timestamp such as 2016-05-12T08:17:27.000Z")
        elif key == "created":
            created_key = parsed
        elif key == "modified":
            modified_key = parsed

    version_key = ""
    if category in ("sdo", "sro") or stix_type == "language-content":
        if "created" not in obj:
            fail("created", "required")
        if "modified" not in obj:
            fail("modified", "required")
        if created_key and modified_key:
            if modified_key < created_key:
                fail("modified", "must be later than or equal to created")
            version_key = modified_key
    elif stix_type in ("marking-definition", "extension-definition"):
        if "created" not in obj:
            fail("created", "required")
        version_key = modified_key or created_key or ""

    _check_common(obj, fail)
    _walk(obj, 1, limits.max_depth, "", fail)
    if errors:
        return errors

    body = orjson.dumps(obj)
    if len(body) > limits.max_object_bytes:
        fail("(object)", f"{len(body)} bytes, over the limit of {limits.max_object_bytes}")
    if b"\\u0000" in body and _NUL.search(body) is not None:
        fail("(object)", "contains a NUL character, which no field may hold")
    if errors:
        return errors
    if category == "sco":
        version_key = content_key(obj)

    marking_refs = obj.get("object_marking_refs") or ()
    embedded = strictest_tlp(marking_refs)
    name = obj.get("name")
    description = obj.get("description")
    created_by = obj.get("created_by_ref")
    modified = obj.get("modified") if category != "sco" else None  # SCOs are not dated
    source = obj.get("source_ref", obj.get("sighting_of_ref"))
    target = obj.get("target_ref")
    return StixObject(
        index,
        object_id,
        identifier_key(object_id),
        stix_type,
        version_key,
        modified if isinstance(modified, str) else None,
        created_by if isinstance(created_by, str) else None,
        obj.get("revoked") is True,
        name if isinstance(name, str) else None,
        description if isinstance(description, str) else None,
        int(embedded) if embedded is not None else None,
        body,
        identifier_key(source) if isinstance(source, str) and is_identifier(source) else None,
        identifier_key(target) if isinstance(target, str) and is_identifier(target) else None,
    )


def _category(obj: dict[str, Any], stix_type: str, fail: Any) -> str | None:
    """sdo, sro, sco or meta; custom types must be declared by an extension definition."""
    if stix_type in SDO_TYPES:
        return "sdo"
    if stix_type in SRO_TYPES:
        return "sro"
    if stix_type in SCO_TYPES:
        return "sco"
    if stix_type in META_TYPES:
        return "meta"
    extensions = obj.get("extensions")
    if isinstance(extensions, dict):
        for key, value in extensions.items():
            if key.startswith("extension-definition--") and isinstance(value, dict):
                kind = value.get("extension_type")
                if kind in ("new-sdo", "new-sro", "new-sco"):
                    return str(kind)[4:]
    if stix_type.startswith("x-"):
        # Custom objects of STIX 2.1 section 11.1 (deprecated, still common): kept whole.
        return "sdo" if "created" in obj or "modified" in obj else "sco"
    fail(
        "type",
        f"unknown type {stix_type!r}: not STIX 2.1 and not declared by an extension-definition "
        "(extensions.<extension-definition id>.extension_type new-sdo, new-sco or new-sro)",
    )
    return None


def _check_common(obj: dict[str, Any], fail: Any) -> None:
    """Types of the common properties (STIX 2.1 section 3.2)."""
    if "revoked" in obj and not isinstance(obj["revoked"], bool):
        fail("revoked", "must be true or false")
    confidence = obj.get("confidence")
    if confidence is not None and (
        not isinstance(confidence, int)
        or isinstance(confidence, bool)
        or not 0 <= confidence <= 100
    ):
        fail("confidence", "must be an integer from 0 to 100")
    labels = obj.get("labels")
    if labels is not None and (
        not isinstance(labels, list) or not all(isinstance(x, str) for x in labels)
    ):
        fail("labels", "must be a list of strings")
    for key in ("name", "description", "lang"):
        if key in obj and not isinstance(obj[key], str):
            fail(key, "must be a string")
    refs = obj.get("object_marking_refs")
    if refs is not None and isinstance(refs, list):
        for position, marking in enumerate(refs):
            if not (isinstance(marking, str) and marking.startswith("marking-definition--")):
                fail(f"object_marking_refs[{position}]", "must reference a marking-definition")
    external = obj.get("external_references")
    if external is not None:
        if not isinstance(external, list):
            fail("external_references", "must be a list")
        else:
            for position, item in enumerate(external):
                if not isinstance(item, dict) or not isinstance(item.get("source_name"), str):
                    fail(f"external_references[{position}]", "needs a source_name string")
    granular = obj.get("granular_markings")
    if granular is not None:
        if not isinstance(granular, list):
            fail("granular_markings", "must be a list")
        else:
            for position, item in enumerate(granular):
                if not isinstance(item, dict) or not isinstance(item.get("selectors"), list):
                    fail(f"granular_markings[{position}]", "needs a list of selectors")
    extensions = obj.get("extensions")
    if extensions is not None:
        if not isinstance(extensions, dict):
            fail("extensions", "must be an object")
        else:
            for key, value in extensions.items():
                if not isinstance(value, dict):
                    fail(f"extensions.{key}", "must be an object")
                elif key.startswith("extension-definition--"):
                    if not is_identifier(key):
                        fail(f"extensions.{key}", "not a well-formed extension-definition id")
                    elif value.get("extension_type", "property-extension") not in EXTENSION_TYPES:
                        fail(f"extensions.{key}.extension_type", "not a STIX 2.1 extension type")


_CONTAINERS = (dict, list)
_KNOWN_TYPES = SDO_TYPES | SRO_TYPES | SCO_TYPES | META_TYPES


def _key_kind(key: str) -> int:
    """0 for an ordinary property, 1 for ``*_ref``, 2 for ``*_refs`` (cached per name)."""
    kind = _KEY_KINDS.get(key)
    if kind is None:
        kind = 1 if key.endswith("_ref") else 2 if key.endswith("_refs") else 0
        if len(_KEY_KINDS) < 10_000:
            _KEY_KINDS[key] = kind
    return kind


_KEY_KINDS: dict[str, int] = {}


def _walk(value: Any, depth: int, max_depth: int, path: str, fail: Any) -> None:
    """Depth limit and reference syntax (``*_ref``, ``*_refs``) everywhere in the object."""
    if depth > max_depth:
        fail(path or "(object)", f"nested deeper than {max_depth} levels")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            kind = _KEY_KINDS.get(key)
            if kind is None:
                kind = _key_kind(key)
            if kind == 1:
                if not is_identifier(item):
                    fail(f"{path}.{key}" if path else key, "must be a STIX identifier 'type--UUID'")
            elif kind == 2:
                if not isinstance(item, list) or not all(is_identifier(x) for x in item):
                    fail(
                        f"{path}.{key}" if path else key,
                        "must be a list of STIX identifiers 'type--UUID'",
                    )
            elif isinstance(item, _CONTAINERS):
                _walk(item, depth + 1, max_depth, f"{path}.{key}" if path else key, fail)
    elif isinstance(value, list):
        for position, item in enumerate(value):
            if isinstance(item, _CONTAINERS):
                _walk(item, depth + 1, max_depth, f"{path}[{position}]", fail)
