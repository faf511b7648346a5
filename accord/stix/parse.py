"""Read a published payload: a STIX 2.1 bundle or a single object, as raw bytes.

Errors that make the whole payload unreadable (bad JSON, bad UTF-8, not a bundle) raise
:class:`~accord.errors.InvalidInput`; everything about individual objects is left to
:func:`accord.stix.validate.validate_object` so that one bad object never blocks the others.
"""

from __future__ import annotations

from typing import Any

import orjson

from accord.errors import FieldError, InvalidInput, PayloadTooLarge
from accord.stix.validate import is_identifier


def load_json(raw: bytes) -> Any:
    """Decode JSON, naming the byte offset, line and column of the first problem."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            raise InvalidInput(
                f"the body is not valid UTF-8: byte {bad.start} cannot be decoded",
                errors=[FieldError("(body)", f"invalid UTF-8 at byte {bad.start}")],
            ) from exc
        raise InvalidInput(
            f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
            errors=[FieldError("(body)", f"{exc.msg} at line {exc.lineno} column {exc.colno}")],
        ) from exc


def payload_objects(document: Any, max_objects: int) -> list[Any]:
    """The objects of a bundle, or a one-item list for a single object."""
    if not isinstance(document, dict):
        raise InvalidInput(
            "expected a STIX bundle or a single STIX object (a JSON object)",
            errors=[FieldError("(body)", "must be a JSON object")],
        )
    if document.get("type") == "bundle":
        if not is_identifier(document.get("id")) or not str(document["id"]).startswith("bundle--"):
            raise InvalidInput(
                "the bundle needs an id 'bundle--UUID'",
                errors=[FieldError("id", "must be 'bundle--' followed by an RFC 4122 UUID")],
            )
        objects = document.get("objects", [])
        if not isinstance(objects, list):
            raise InvalidInput(
                "the bundle's objects must be a list",
                errors=[FieldError("objects", "must be a list")],
            )
        if len(objects) > max_objects:
            raise PayloadTooLarge(
                f"the bundle holds {len(objects)} objects; the limit is {max_objects}",
                errors=[FieldError("objects", f"more than {max_objects} objects")],
            )
        return objects
    if "type" in document:
        return [document]
    raise InvalidInput(
        "expected a STIX bundle or a single STIX object: no 'type' property",
        errors=[FieldError("type", "required")],
    )
