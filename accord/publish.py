"""The one publish path: every door (REST, TAXII, sync, ingest, import, CLI) ends here.

raw bytes -> parse -> validate each object -> policy stamp (audience, marking, originator
control) -> store versions -> audit entry, all in the caller's transaction. Each object gets
its own result; a rejected object never blocks the valid ones, and the transaction makes the
whole act atomic: either every accepted object and its audit entry are stored, or nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine

from accord import audit
from accord.errors import FieldError, Forbidden, PolicyViolation
from accord.policy import (
    Audience,
    check_marking,
    effective_tlp,
    new_version_refusal,
    resolve_audience,
)
from accord.stix.markings import TLP_BY_MARKING_ID, Tlp
from accord.stix.parse import load_json, payload_objects
from accord.stix.timestamps import now_key
from accord.stix.validate import Limits, StixObject, validate_object
from accord.store import objects as store
from accord.store.directory import Account

UNVERSIONED = ("marking-definition", "extension-definition")


@dataclass(slots=True)
class ObjectResult:
    """What happened to one object of a published payload."""

    index: int
    id: str | None
    version: str | None
    status: str  # accepted | unchanged | rejected
    errors: list[FieldError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "id": self.id, "status": self.status}
        if self.version is not None:
            out["version"] = self.version
        if self.errors:
            out["errors"] = [e.as_dict() for e in self.errors]
        return out


@dataclass(slots=True)
class PublishReport:
    audience: str
    tlp: str
    results: list[ObjectResult]

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def errors(self) -> list[FieldError]:
        return [e for r in self.results for e in r.errors]

    def as_dict(self) -> dict[str, Any]:
        return {
            "audience": self.audience,
            "tlp": self.tlp,
            "accepted": self.count("accepted"),
            "unchanged": self.count("unchanged"),
            "rejected": self.count("rejected"),
            "results": [r.as_dict() for r in self.results],
        }


@dataclass(frozen=True, slots=True)
class PublishLimits:
    object: Limits = Limits()
    max_objects: int = 20_000


@dataclass(slots=True)
class Prepared:
    """A payload read and validated, before any database work: the part that can run ahead
    of the store on another thread."""

    results: list[ObjectResult]
    valid: list[StixObject]


def prepare(items: list[Any], limits: PublishLimits = PublishLimits()) -> Prepared:
    """Validate each object; flag duplicates inside the payload and built-in TLP definitions."""
    results: list[ObjectResult] = []
    valid: list[StixObject] = []
    seen: dict[tuple[str, str], int] = {}
    for index, item in enumerate(items):
        checked = validate_object(item, index, limits.object)
        if isinstance(checked, list):
            object_id = item.get("id") if isinstance(item, dict) else None
            results.append(ObjectResult(index, _str(object_id), None, "rejected", checked))
            continue
        result = ObjectResult(index, checked.id, checked.modified, "accepted")
        results.append(result)
        key = (checked.id, checked.version_key)
        if key in seen:
            _reject(result, "id", f"duplicate of the object at index {seen[key]} of this payload")
            continue
        seen[key] = index
        if checked.type == "marking-definition" and checked.id in TLP_BY_MARKING_ID:
            result.status = "unchanged"  # the official TLP definitions are built in
            continue
        valid.append(checked)
    return Prepared(results, valid)


def prepare_bytes(raw: bytes, limits: PublishLimits = PublishLimits()) -> Prepared:
    """Decode a raw payload (a bundle or one object) and :func:`prepare` its objects."""
    return prepare(payload_objects(load_json(raw), limits.max_objects), limits)


def publish_bytes(
    connection: Connection,
    account: Account,
    raw: bytes,
    *,
    audience: str,
    tlp: Tlp,
    door: str,
    limits: PublishLimits = PublishLimits(),
) -> PublishReport:
    """Publish a raw JSON payload (a bundle or one object)."""
    return publish_prepared(
        connection, account, prepare_bytes(raw, limits), audience=audience, tlp=tlp, door=door
    )


def publish_objects(
    connection: Connection,
    account: Account,
    items: list[Any],
    *,
    audience: str,
    tlp: Tlp,
    door: str,
    limits: PublishLimits = PublishLimits(),
    target: str | None = None,
) -> PublishReport:
    """Publish already-decoded objects for ``account`` to ``audience`` under ``tlp``."""
    prepared = prepare(items, limits)
    return publish_prepared(
        connection, account, prepared, audience=audience, tlp=tlp, door=door, target=target
    )


def publish_stream(
    engine: Engine,
    account: Account,
    payloads: Iterable[bytes],
    *,
    audience: str,
    tlp: Tlp,
    door: str,
    limits: PublishLimits = PublishLimits(),
) -> Iterator[PublishReport]:
    """Publish many payloads, each in a transaction of its own, yielding each report.

    The next payload is decoded and validated on a second thread while the current one is
    written: SQLite and psycopg release the GIL while the database works, so both cores are
    busy. A payload that cannot be read at all raises when its turn comes; those before it
    are committed.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="accord-prepare") as pool:
        upcoming = iter(payloads)
        first = next(upcoming, None)
        if first is None:
            return
        future: Future[Prepared] | None = pool.submit(prepare_bytes, first, limits)
        while future is not None:
            following = next(upcoming, None)
            ahead = pool.submit(prepare_bytes, following, limits) if following is not None else None
            prepared = future.result()
            with engine.begin() as connection:
                report = publish_prepared(
                    connection, account, prepared, audience=audience, tlp=tlp, door=door
                )
            yield report
            future = ahead


def publish_prepared(
    connection: Connection,
    account: Account,
    prepared: Prepared,
    *,
    audience: str,
    tlp: Tlp,
    door: str,
    target: str | None = None,
) -> PublishReport:
    """Stamp, store and audit a prepared payload in the caller's transaction."""
    if not account.can("publisher"):
        raise Forbidden(f"account {account.name!r} is a {account.role} and may not publish")
    party = account.party
    resolved = resolve_audience(connection, audience, party)
    check_marking(resolved, tlp)
    results = prepared.results
    valid: list[tuple[StixObject, Tlp]] = []
    for checked in prepared.valid:
        level = effective_tlp(tlp, checked.embedded_tlp)
        if level != tlp:
            try:
                check_marking(resolved, level)
            except PolicyViolation as exc:  # refuse this object only
                _reject(results[checked.index], "object_marking_refs", str(exc))
                continue
        valid.append((checked, level))

    # Writers are serialised on the audit head from here to commit, so that two concurrent
    # publishes of one object cannot both believe they hold its latest version.
    audit.lock_head(connection)
    _store(connection, account, resolved, valid, results)
    report = PublishReport(resolved.label, tlp.label, results)
    accepted = [f"{r.id}@{r.version or ''}" for r in results if r.status == "accepted"]
    audit.append(
        connection,
        audit.Actor(account.name, party.code, door),
        "publish",
        target=target,
        details={
            "audience": resolved.label,
            "tlp": tlp.label,
            "accepted": accepted,
            "unchanged": report.count("unchanged"),
            "rejected": report.count("rejected"),
        },
    )
    return report


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _reject(result: ObjectResult, field_name: str, message: str) -> None:
    result.status = "rejected"
    result.errors.append(FieldError(field_name, message, index=result.index, object_id=result.id))


def _store(
    connection: Connection,
    account: Account,
    audience: Audience,
    valid: list[tuple[StixObject, Tlp]],
    results: list[ObjectResult],
) -> None:
    """Decide each valid object against what is stored, then write the accepted versions."""
    stored = store.stored_versions(connection, list({obj.id for obj, _ in valid}))
    clashes = [
        (obj.id, obj.version_key)
        for obj, _ in valid
        if any(v.version_key == obj.version_key for v in stored.get(obj.id, ()))
    ]
    bodies = store.stored_bodies(connection, clashes) if clashes else {}
    party = account.party
    accepted: list[tuple[StixObject, Tlp]] = []
    for obj, level in valid:
        result = results[obj.index]
        versions = stored.get(obj.id, [])
        if versions:
            first = versions[0]
            refusal = new_version_refusal(
                existing_origin=first.origin_party_id,
                existing_kind=first.audience_kind,
                existing_channel=first.channel_id,
                publisher=party,
                audience=audience,
            )
            if refusal:
                _reject(result, "id", refusal)
                continue
            body = bodies.get((obj.id, obj.version_key))
            if body is not None:
                if body.encode("utf-8") == obj.body:
                    result.status = "unchanged"
                else:
                    _reject(
                        result,
                        "modified",
                        "a different object with this id and modified is already stored; "
                        "a new version needs a later modified",
                    )
                continue
            if obj.type in UNVERSIONED:
                _reject(result, "id", f"{obj.type} objects are not versioned")
                continue
            revoked = [v.version_key for v in versions if v.revoked]
            if revoked and obj.version_key > min(revoked):
                _reject(result, "revoked", "this object was revoked; revocation is permanent")
                continue
        accepted.append((obj, level))

    newest: dict[str, str] = {}
    for obj, _ in accepted:
        if obj.version_key > newest.get(obj.id, ""):
            newest[obj.id] = obj.version_key
    demote: list[str] = []
    for stix_id, key in newest.items():
        current = max((v.version_key for v in stored.get(stix_id, ())), default=None)
        if current is not None:
            if key > current:
                demote.append(stix_id)
            else:
                newest[stix_id] = current  # an older version arrived late
    added = now_key()
    rows = [
        {
            "stix_id": obj.id,
            "version_key": obj.version_key,
            "modified": obj.modified,
            "type": obj.type,
            "created_by_ref": obj.created_by_ref,
            "name": obj.name,
            "description": obj.description,
            "revoked": obj.revoked,
            "is_latest": newest[obj.id] == obj.version_key,
            "audience_kind": audience.kind,
            "channel_id": audience.channel_id,
            "origin_party_id": party.id,
            "tlp": int(level),
            "account_id": account.id,
            "added_key": added,
            "body": obj.body.decode("utf-8"),
        }
        for obj, level in accepted
    ]
    store.demote_latest(connection, demote)
    store.insert_versions(connection, rows)
