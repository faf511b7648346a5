"""The one publish path: every door (REST, TAXII, sync, ingest, import, CLI) ends here.

raw bytes -> parse -> validate each object -> policy stamp (audience, marking, originator
control) -> store versions -> audit entry, all in the caller's transaction. Each object gets
its own result; a rejected object never blocks the valid ones, and the transaction makes the
whole act atomic: either every accepted object and its audit entry are stored, or nothing.
"""

from __future__ import annotations

import contextlib
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import orjson
from sqlalchemy import Connection, Engine

from accord import audit
from accord import errors as error_classes
from accord.acts import alerts
from accord.errors import AccordError, FieldError, Forbidden, PolicyViolation, ValidationFailed
from accord.policy import (
    Audience,
    check_marking,
    effective_tlp,
    new_version_refusal,
    resolve_audience,
)
from accord.prepare import (
    DEFAULT_LIMITS,
    ObjectResult,
    Prepared,
    PublishLimits,
    prepare,
    prepare_bytes,
)
from accord.prepare_worker import read_message, write_message
from accord.stix.markings import Tlp
from accord.stix.observables import canonical, is_content_key
from accord.stix.timestamps import now_key
from accord.stix.validate import StixObject
from accord.store import correlation
from accord.store import objects as store
from accord.store.directory import Account, Party

UNVERSIONED = ("marking-definition", "extension-definition")
#: Columns of the rows _store writes, in order.
ROW_COLUMNS = (
    "stix_id",
    "id_key",
    "version_key",
    "modified",
    "type",
    "created_by_ref",
    "name",
    "description",
    "revoked",
    "is_latest",
    "tlp",
    "body",
    "origin_node",
    "hops",
    "audience_kind",
    "channel_id",
    "origin_party_id",
    "account_id",
    "added_key",
    "source_key",
    "target_key",
    "shown_origin",
)
#: The marking of an object published without one when no marking is asked for (TAXII).
UNMARKED = Tlp.AMBER
#: The name a node gives itself in provenance when its settings name none.
LOCAL_NODE = "accord-node"
#: How many payloads the worker process may validate ahead of the writer.
LOOKAHEAD = 2


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


def publish_bytes(
    connection: Connection,
    account: Account,
    raw: bytes,
    *,
    audience: str,
    tlp: Tlp,
    door: str,
    limits: PublishLimits = DEFAULT_LIMITS,
    node: str = LOCAL_NODE,
    anonymise: str | None = None,
) -> PublishReport:
    """Publish a raw JSON payload (a bundle or one object); ``anonymise`` (channel or hub)
    publishes sightings under their channel's name or the hub's (:func:`anonymised_as`)."""
    prepared = prepare_bytes(raw, limits)
    return publish_prepared(
        connection,
        account,
        prepared,
        audience=audience,
        tlp=tlp,
        door=door,
        node=node,
        anonymise=anonymise,
    )


def publish_objects(
    connection: Connection,
    account: Account,
    items: list[Any],
    *,
    audience: str,
    tlp: Tlp | None,
    door: str,
    limits: PublishLimits = DEFAULT_LIMITS,
    target: str | None = None,
    node: str = LOCAL_NODE,
) -> PublishReport:
    """Publish already-decoded objects for ``account`` to ``audience`` under ``tlp``
    (None: each object's own TLP marking, TLP:AMBER for an unmarked one)."""
    prepared = prepare(items, limits)
    return publish_prepared(
        connection,
        account,
        prepared,
        audience=audience,
        tlp=tlp,
        door=door,
        target=target,
        node=node,
    )


def publish_stream(
    engine: Engine,
    account: Account,
    payloads: Iterable[bytes],
    *,
    audience: str,
    tlp: Tlp,
    door: str,
    limits: PublishLimits = DEFAULT_LIMITS,
    node: str = LOCAL_NODE,
) -> Iterator[PublishReport]:
    """Publish many payloads, each in a transaction of its own, yielding each report.

    Bulk work (imports, many files, a peer's pages) keeps both cores busy: a worker process
    (:mod:`accord.prepare_worker`) decodes and validates the next payloads while this process
    writes the current one. Validation is pure Python and holds the GIL, so a thread would
    not run beside the writer. A payload that cannot be read at all raises when its turn
    comes; those before it are committed.
    """
    for prepared in _prepared_by_worker(payloads, limits):
        with engine.begin() as connection:
            report = publish_prepared(
                connection, account, prepared, audience=audience, tlp=tlp, door=door, node=node
            )
        yield report


def _prepared_by_worker(payloads: Iterable[bytes], limits: PublishLimits) -> Iterator[Prepared]:
    """Prepared payloads, in order, from a worker process running at most LOOKAHEAD ahead."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "accord.prepare_worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert worker.stdin is not None and worker.stdout is not None
    slots = threading.Semaphore(LOOKAHEAD)
    failure: list[BaseException] = []

    def feed(sink: IO[bytes]) -> None:
        # A thread of its own, so that writing the next payload never waits on reading a
        # result (both pipes full would deadlock).
        try:
            write_message(sink, pickle.dumps(limits))
            for raw in payloads:
                slots.acquire()
                write_message(sink, raw)
        except BaseException as exc:  # re-raised in the caller's thread below
            failure.append(exc)
        finally:
            with contextlib.suppress(OSError):
                sink.close()

    feeder = threading.Thread(target=feed, args=(worker.stdin,), daemon=True)
    feeder.start()
    try:
        while (message := read_message(worker.stdout)) is not None:
            slots.release()
            reply = pickle.loads(message)  # our own child process: trusted
            if reply[0] == "error":
                _, name, detail, errors = reply
                raise getattr(error_classes, name, AccordError)(detail, errors=errors)
            yield reply[1]
        feeder.join()
        if failure:
            raise failure[0]
        if worker.wait() != 0:
            raise AccordError(f"the validation worker stopped with status {worker.returncode}")
    finally:
        worker.kill()
        worker.wait()


def publish_prepared(
    connection: Connection,
    account: Account,
    prepared: Prepared,
    *,
    audience: str,
    tlp: Tlp | None,
    door: str,
    target: str | None = None,
    node: str = LOCAL_NODE,
    anonymise: str | None = None,
) -> PublishReport:
    """Stamp, store and audit a prepared payload in the caller's transaction.

    ``tlp`` None takes each object's own TLP marking, and TLP:AMBER for an unmarked object
    (TAXII has no place for a marking beside the objects). ``node`` is this node's name, the
    first entry of each new object's provenance.
    """
    if not account.can("publisher"):
        raise Forbidden(f"account {account.name!r} is a {account.role} and may not publish")
    party = account.party
    resolved = resolve_audience(connection, audience, party)
    if tlp is not None:
        check_marking(resolved, tlp)
    shown = anonymised_as(anonymise, resolved)
    results = prepared.results()
    candidates = prepared.valid
    if shown is not None:
        candidates = [obj for obj in candidates if _may_anonymise(obj, results)]
    valid = stamp(resolved, candidates, results, lambda obj: tlp)
    # Writers are serialised on the audit head from here to commit, so that two concurrent
    # publishes of one object cannot both believe they hold its latest version.
    audit.lock_head(connection)
    hops = orjson.dumps([node]).decode()
    store_versions(
        connection,
        party,
        account.id,
        resolved,
        valid,
        results,
        lambda _: (node, hops),
        shown_origin=shown,
    )
    marking = tlp.label if tlp is not None else "as marked"
    report = PublishReport(resolved.label, marking, results)
    accepted = [f"{r.id}@{r.version or ''}" for r in results if r.status == "accepted"]
    audit.append(
        connection,
        audit.Actor(account.name, party.code, door),
        "publish",
        target=target,
        details={
            "audience": resolved.label,
            "tlp": marking,
            "accepted": accepted,
            "unchanged": report.count("unchanged"),
            "rejected": report.count("rejected"),
            # The audit keeps the real party (the actor); readers are shown this name.
            **({"anonymised_as": shown} if shown is not None else {}),
        },
    )
    return report


#: What a sighting may be published anonymised as.
ANONYMISE_AS = ("channel", "hub")
#: How a sighting anonymised as the hub is shown: the node's settings name no hub party, so
#: it is shown as the hub itself, "hub" (any party of the node may have published it).
HUB = "hub"


def anonymised_as(anonymise: str | None, audience: Audience) -> str | None:
    """The origin readers are shown for sightings published anonymised (None: not
    anonymised). ``channel`` needs a channel audience and shows ``channel:<name>``;
    ``hub`` shows ``hub``. An audience of ``own`` has nobody to hide from: refused."""
    if anonymise is None:
        return None

    def refuse(message: str) -> ValidationFailed:
        return ValidationFailed(message, errors=[FieldError("anonymise", message)])

    if anonymise not in ANONYMISE_AS:
        raise refuse(f"anonymise {anonymise!r}: expected channel or hub")
    if audience.kind == "own":
        raise refuse(
            "anonymise: an object published to own is seen by your party only; "
            "publish to a channel (or the network, with anonymise=hub)"
        )
    if anonymise == "channel":
        if audience.kind != "channel" or not audience.channel_name:
            raise refuse("anonymise=channel needs the audience to be a channel")
        return f"channel:{audience.channel_name}"
    return HUB


def _may_anonymise(obj: StixObject, results: list[ObjectResult]) -> bool:
    """Only sightings are anonymised, and only those that do not name their maker: a
    sighting with ``created_by_ref`` or ``where_sighted_refs`` (its identity, its place)
    would tell readers who saw it. Others are refused alone, on the ``anonymise`` field."""
    result = results[obj.position]
    if obj.type != "sighting":
        result.reject("anonymise", f"only sightings may be published anonymised, not a {obj.type}")
        return False
    body = orjson.loads(obj.body)
    named = [key for key in ("created_by_ref", "where_sighted_refs") if body.get(key)]
    if named:
        result.reject(
            "anonymise",
            f"an anonymised sighting may not carry {' or '.join(named)}: it would name who "
            "saw it; remove it, or publish without anonymise",
        )
        return False
    return True


def stamp(
    audience: Audience,
    objects: list[StixObject],
    results: list[ObjectResult],
    requested: Callable[[StixObject], Tlp | None],
) -> list[tuple[StixObject, Tlp]]:
    """Each object with its effective TLP: the stricter of the one requested and its own
    marking (its own, or TLP:AMBER when none is requested and it carries none). An object
    whose marking contradicts the audience is refused alone."""
    stamped: list[tuple[StixObject, Tlp]] = []
    for obj in objects:
        asked = requested(obj)
        if asked is None:
            level = Tlp(obj.embedded_tlp) if obj.embedded_tlp is not None else UNMARKED
        else:
            level = effective_tlp(asked, obj.embedded_tlp)
        if level != asked:
            try:
                check_marking(audience, level)
            except PolicyViolation as exc:
                results[obj.position].reject("object_marking_refs", str(exc))
                continue
        stamped.append((obj, level))
    return stamped


def store_versions(
    connection: Connection,
    party: Party,
    account_id: int | None,
    audience: Audience,
    valid: list[tuple[StixObject, Tlp]],
    results: list[ObjectResult],
    provenance: Callable[[StixObject], tuple[str, str]],
    *,
    shown_origin: str | None = None,
) -> None:
    """Decide each object of ``party`` against what is stored (originator control, versions,
    revocation, tombstones), then write the accepted versions with their provenance
    (origin node, JSON list of hops) and, for anonymised sightings, the origin readers are
    shown. The caller holds the write lock."""
    # Only the publishing party's own versions are read: ids are namespaced by origin party,
    # so another party's object under the same id is neither a clash nor a hint.
    stored = store.stored_versions(connection, {obj.id: obj.id_key for obj, _ in valid}, party.id)
    clashes = [
        (obj.id, obj.version_key)
        for obj, _ in valid
        if any(v.version_key == obj.version_key for v in stored.get(obj.id, ()))
    ]
    bodies = store.stored_bodies(connection, clashes, party.id) if clashes else {}
    accepted: list[tuple[StixObject, Tlp]] = []
    for obj, level in valid:
        result = results[obj.position]
        versions = stored.get(obj.id, [])
        if versions:
            first = versions[0]
            refusal = new_version_refusal(
                existing_kind=first.audience_kind,
                existing_channel=first.channel_id,
                audience=audience,
            )
            if refusal:
                result.reject("id", refusal)
                continue
            if first.shown_origin != shown_origin:
                # A version named differently from the others would tell who made them all.
                result.reject(
                    "anonymise",
                    "every version of an object keeps the anonymisation of its first version"
                    + (f" (anonymised as {first.shown_origin})" if first.shown_origin else ""),
                )
                continue
            body = bodies.get((obj.id, obj.version_key))
            if body is not None:
                if body.encode("utf-8") == obj.body or _same_observable(obj, body):
                    result.status = "unchanged"
                else:
                    result.reject(
                        "modified",
                        "a different object with this id and modified is already stored; "
                        "a new version needs a later modified",
                    )
                continue
            if obj.type in UNVERSIONED:
                result.reject("id", f"{obj.type} objects are not versioned")
                continue
            if any(v.deleted for v in versions):
                result.reject("id", "this object was deleted by its originator")
                continue
            revoked = [v.version_key for v in versions if v.revoked]
            # An observable's versions are ordered by arrival: any revoked one came earlier.
            if revoked and (is_content_key(obj.version_key) or obj.version_key > min(revoked)):
                result.reject("revoked", "this object was revoked; revocation is permanent")
                continue
        accepted.append((obj, level))

    newest: dict[str, str] = {}
    for obj, _ in accepted:
        if obj.id not in newest or obj.version_key > newest[obj.id]:
            newest[obj.id] = obj.version_key
    demote: list[str] = []
    for stix_id, key in newest.items():
        current = max((v.version_key for v in stored.get(stix_id, ())), default=None)
        if current is not None:
            # An observable's new version (a new content key) is newer by arrival.
            if is_content_key(key) or key > current:
                demote.append(stix_id)
            else:
                newest[stix_id] = current  # an older version arrived late
    added = now_key()
    values = (audience.kind, audience.channel_id, party.id, account_id, added)
    rows = [
        (
            obj.id,
            obj.id_key,
            obj.version_key,
            obj.modified,
            obj.type,
            obj.created_by_ref,
            obj.name,
            obj.description,
            obj.revoked,
            newest[obj.id] == obj.version_key,
            int(level),
            obj.body.decode("utf-8"),
            *provenance(obj),
            *values,
            obj.source_key,
            obj.target_key,
            shown_origin,
        )
        for obj, level in accepted
    ]
    store.demote_latest(connection, demote, party.id)
    correlated = [o for o, _ in accepted if o.correlate or o.revoked or o.delisted]
    after = correlation.last_pk(connection) if correlated else 0
    store.insert_versions(connection, ROW_COLUMNS, rows)
    if correlated:
        alerts.on_stored(connection, party, audience, correlated, after)


def _same_observable(obj: StixObject, stored_body: str) -> bool:
    """An observable's version is its content: one serialised with its properties in another
    order is the same version (a re-post), although its bytes differ."""
    if not is_content_key(obj.version_key):
        return False
    return canonical(orjson.loads(stored_body)) == canonical(orjson.loads(obj.body))
