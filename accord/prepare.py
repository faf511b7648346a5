"""Reading and validating a published payload: the half of publishing that needs no database.

It is kept apart from :mod:`accord.publish` so that a worker process can run it ahead of the
store (see :func:`accord.acts.publish.publish_stream`) without importing the storage layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from accord.config import Settings
from accord.correlate.named import delisted
from accord.errors import FieldError, PayloadTooLarge
from accord.limits import Limits as NodeLimits
from accord.stix.markings import TLP_BY_MARKING_ID
from accord.stix.observables import is_content_key
from accord.stix.parse import load_json, payload_objects
from accord.stix.validate import Limits, StixObject, validate_object


@dataclass(slots=True)
class ObjectResult:
    """What happened to one object of a published payload."""

    index: int
    id: str | None
    version: str | None
    status: str  # accepted | unchanged | rejected
    errors: list[FieldError] = field(default_factory=list)

    def reject(self, field_name: str, message: str) -> None:
        self.status = "rejected"
        self.errors.append(FieldError(field_name, message, index=self.index, object_id=self.id))

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "id": self.id, "status": self.status}
        if self.version is not None:
            out["version"] = self.version
        if self.errors:
            out["errors"] = [e.as_dict() for e in self.errors]
        return out


@dataclass(frozen=True, slots=True)
class PublishLimits:
    object: Limits = Limits()
    max_objects: int = 20_000
    #: Find what each object shares with others (accord.correlate) while validating it.
    correlate: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> PublishLimits:
        """The limits a node's settings set, for every door that publishes."""
        limits = cls.of(NodeLimits.from_settings(settings))
        return replace(limits, correlate=bool(settings.correlation))

    @classmethod
    def of(cls, limits: NodeLimits) -> PublishLimits:
        """The publishing part of the node's one set of limits (:mod:`accord.limits`)."""
        return cls(Limits(limits.object_bytes, limits.json_depth), limits.bundle_objects)


DEFAULT_LIMITS = PublishLimits()


@dataclass(slots=True)
class Prepared:
    """A payload read and validated: the objects fit to store, and the results of the others
    (rejected, duplicated within the payload, or built in)."""

    total: int
    valid: list[StixObject]
    settled: dict[int, ObjectResult]

    def results(self) -> list[ObjectResult]:
        """One result per object of the payload, in order; valid objects start accepted."""
        results: list[ObjectResult | None] = [None] * self.total
        for obj in self.valid:
            results[obj.position] = ObjectResult(obj.position, obj.id, version_of(obj), "accepted")
        for index, result in self.settled.items():
            results[index] = result
        return [r for r in results if r is not None]


def version_of(obj: StixObject) -> str | None:
    """The version a publisher is told: ``modified``, or an observable's content key."""
    if obj.modified is None and is_content_key(obj.version_key):
        return obj.version_key
    return obj.modified


def prepare(items: list[Any], limits: PublishLimits = DEFAULT_LIMITS) -> Prepared:
    """Validate each object; settle duplicates inside the payload and built-in TLP markings.

    An observable (SCO) may come once per payload: it carries no timestamp, so two versions
    of one in a single payload would have no order (versions of SCOs are ordered by arrival).

    Every door comes here (REST, TAXII, console, CLI, peers), so the bundle-size limit holds
    for all of them: a payload of more objects is refused whole (413)."""
    if len(items) > limits.max_objects:
        raise PayloadTooLarge(
            f"the payload holds {len(items)} objects; the limit is {limits.max_objects}",
            errors=[FieldError("objects", f"more than {limits.max_objects} objects")],
        )
    valid: list[StixObject] = []
    settled: dict[int, ObjectResult] = {}
    seen: dict[tuple[str, str], int] = {}
    observables: dict[str, int] = {}
    for index, item in enumerate(items):
        checked = validate_object(item, index, limits.object)
        if isinstance(checked, list):
            object_id = item.get("id") if isinstance(item, dict) else None
            identifier = object_id if isinstance(object_id, str) else None
            settled[index] = ObjectResult(index, identifier, None, "rejected", checked)
            continue
        key = (checked.id, checked.version_key)
        if key in seen:
            result = ObjectResult(index, checked.id, version_of(checked), "accepted")
            result.reject("id", f"duplicate of the object at index {seen[key]} of this payload")
            settled[index] = result
            continue
        if is_content_key(checked.version_key):
            if checked.id in observables:
                result = ObjectResult(index, checked.id, version_of(checked), "accepted")
                result.reject(
                    "id",
                    f"another version of the observable at index {observables[checked.id]} of "
                    "this payload: observables carry no timestamp, so publish one version of "
                    "each per payload (the later payload's is the newer version)",
                )
                settled[index] = result
                continue
            observables[checked.id] = index
        seen[key] = index
        if checked.type == "marking-definition" and checked.id in TLP_BY_MARKING_ID:
            # The official TLP definitions are built in.
            settled[index] = ObjectResult(index, checked.id, checked.modified, "unchanged")
            continue
        if limits.correlate:
            checked = checked._replace(correlate=True, delisted=delisted(item))
        valid.append(checked)
    return Prepared(len(items), valid, settled)


def prepare_bytes(raw: bytes, limits: PublishLimits = DEFAULT_LIMITS) -> Prepared:
    """Decode a raw payload (a bundle or one object) and :func:`prepare` its objects."""
    return prepare(payload_objects(load_json(raw), limits.max_objects), limits)
