"""Storing what a peer sent: the publish path's checks, with the sender's sharing kept.

Received objects are validated like any other. Each keeps its origin party (it must exist
here), the sender's audience (a channel must exist here with the origin party among its
members: an audience is never downgraded or widened, an object that cannot keep its
audience is refused), the sender's marking, and its provenance with this node added as a
hop. Loops end by themselves: an object that comes back is an identical re-post.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, false, select, true

from accord import audit
from accord.acts import alerts
from accord.acts.publish import PublishReport, stamp, store_versions
from accord.errors import NotFound
from accord.policy import resolve_audience
from accord.prepare import DEFAULT_LIMITS, ObjectResult, PublishLimits, prepare
from accord.stix.markings import Tlp
from accord.stix.validate import StixObject
from accord.store import directory
from accord.store import objects as store
from accord.store.schema import objects


@dataclass(frozen=True, slots=True)
class Origin:
    """Where received objects come from, for what the payload itself does not say."""

    peer: str
    #: The party objects without provenance are attributed to (a foreign TAXII server).
    default_party: str | None
    #: The local audience of the collection pulled (own is never pulled from another node).
    audience: str


def receive(
    connection: Connection,
    origin: Origin,
    items: list[Any],
    provenance: dict[str, dict[str, Any]] | list[Any],
    *,
    local_node: str,
    limits: PublishLimits = DEFAULT_LIMITS,
) -> PublishReport:
    """Store one page received from a peer, in the caller's transaction, under the node's
    own limits (the same as every other door's).

    ``provenance`` is a list aligned with ``items`` (one entry per object: two parties may
    hold objects under one id), or, from older nodes, a mapping by ``id@version``."""
    prepared = prepare(items, limits)
    results = prepared.results()
    aligned = isinstance(provenance, list) and len(provenance) == len(items)

    def meta_of(obj: StixObject) -> dict[str, Any]:
        entry: Any
        if aligned and isinstance(provenance, list):
            entry = provenance[obj.position]
        elif isinstance(provenance, dict):
            entry = provenance.get(f"{obj.id}@{obj.version_key}", {})
        else:
            entry = {}
        return entry if isinstance(entry, dict) else {}

    groups: dict[str, list[StixObject]] = {}
    for obj in prepared.valid:
        meta = meta_of(obj)
        party = meta.get("origin") or origin.default_party
        if not party:
            results[obj.position].reject("origin", "the peer did not say which party made it")
            continue
        groups.setdefault(str(party), []).append(obj)
    audit.lock_head(connection)
    for code, members in groups.items():
        try:
            party = directory.get_party(connection, code)
            audience = resolve_audience(connection, origin.audience, party)
        except NotFound:
            for obj in members:
                results[obj.position].reject(
                    "audience",
                    f"cannot keep its audience here: party {code!r} or channel "
                    f"{origin.audience!r} with {code!r} as a member is unknown on this node",
                )
            continue

        def requested(obj: StixObject) -> Tlp | None:
            label = meta_of(obj).get("tlp")
            try:
                return Tlp.from_label(label) if isinstance(label, str) else None
            except ValueError:
                return None  # an unknown label: the object's own marking, or AMBER

        def trail(obj: StixObject) -> tuple[str, str]:
            return provenance_trail(meta_of(obj), origin.peer, local_node)

        stamped = stamp(audience, members, results, requested)
        store_versions(connection, party, None, audience, stamped, results, trail)
    report = PublishReport(origin.audience, "as sent", results)
    audit.append(
        connection,
        audit.Actor(f"peer:{origin.peer}", None, "sync"),
        "receive",
        target=origin.peer,
        details={
            "audience": origin.audience,
            "accepted": [f"{r.id}@{r.version or ''}" for r in results if r.status == "accepted"],
            "unchanged": report.count("unchanged"),
            "rejected": [(r.id, [e.message for e in r.errors]) for r in results if r.errors],
        },
    )
    return report


def rejected(results: list[ObjectResult]) -> int:
    return sum(1 for r in results if r.status == "rejected")


MAX_HOPS = 32
MAX_NODE_NAME = 128


def provenance_trail(meta: dict[str, Any], peer: str, local_node: str) -> tuple[str, str]:
    """Origin node and JSON hops for a received object, from what the peer claims, bounded
    (a peer's claims are data, not trusted structure), with this node as the last hop."""
    raw = meta.get("hops")
    claimed = raw if isinstance(raw, list) else [peer]
    hops = [str(hop)[:MAX_NODE_NAME] for hop in claimed][-MAX_HOPS:]
    if not hops or hops[-1] != local_node:
        hops.append(local_node)
    node = meta.get("node")
    origin_node = str(node)[:MAX_NODE_NAME] if isinstance(node, str) and node else peer
    return origin_node, orjson.dumps(hops).decode()


def apply_tombstone(connection: Connection, entry: dict[str, Any], peer_node: str) -> int:
    """Delete here a version a peer deleted, if it came from the same origin party through
    that peer's node; the local tombstone lets the deletion travel on."""
    stix_id, version_key, code = entry.get("id"), entry.get("version_key"), entry.get("origin")
    if not (isinstance(stix_id, str) and isinstance(version_key, str) and isinstance(code, str)):
        return 0
    try:
        party = directory.get_party(connection, code)
    except NotFound:
        return 0
    rows = connection.execute(
        select(objects.c.hops).where(
            store.same_id(stix_id),
            objects.c.version_key == version_key,
            store.of_party(connection, party.id),
            objects.c.deleted == false(),
        )
    ).all()
    if not any(peer_node in orjson.loads(row.hops) for row in rows):
        return 0
    marked = store.tombstone(connection, true(), stix_id, party.id, [version_key])
    if marked:
        alerts.withdraw_deleted(connection, party.id, stix_id)
    return marked
