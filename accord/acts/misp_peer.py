"""MISP feed peers' events: stored as the peer's party's through
:func:`accord.acts.receive.receive`, and withdrawn when the feed no longer lists them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from accord import audit
from accord.acts import alerts
from accord.acts.misp import Converted, EventResult, store_event
from accord.acts.publish import PublishReport
from accord.acts.receive import Origin, receive
from accord.misp.distribution import Rules
from accord.prepare import DEFAULT_LIMITS, PublishLimits
from accord.store import directory
from accord.store import objects as store
from accord.store.peers import Peer
from accord.store.schema import objects

# --- MISP feed peers --------------------------------------------------------------------


def receive_event(
    connection: Connection,
    peer: Peer,
    event: dict[str, Any],
    rules: Rules,
    *,
    local_node: str,
    limits: PublishLimits = DEFAULT_LIMITS,
    converted: Converted | None = None,
) -> EventResult:
    """Store one event of a misp-feed peer as its party's, whole or not at all, through
    :func:`accord.acts.receive.receive` (the publish path's checks and audit), with the
    peer as provenance."""
    assert peer.party is not None

    def publisher(audience: str, members: list[dict[str, Any]]) -> PublishReport:
        meta = [{"origin": peer.party, "hops": [peer.name], "node": peer.name} for _ in members]
        origin = Origin(peer.name, peer.party, audience)
        return receive(connection, origin, members, meta, local_node=local_node, limits=limits)

    return store_event(
        connection, event, rules, publisher, warning_lists=False, converted=converted
    )


def withdraw_event(connection: Connection, peer: Peer, uuid: str, stix_ids: list[str]) -> int:
    """A misp-feed peer no longer lists an event: delete what it brought (its party's
    versions of the event's objects, that came through this peer)."""
    assert peer.party is not None
    party = directory.get_party(connection, peer.party)
    deleted = 0
    for stix_id in stix_ids:
        marked = store.tombstone(connection, objects.c.origin_node == peer.name, stix_id, party.id)
        if marked:
            alerts.withdraw_deleted(connection, party.id, stix_id)
        deleted += marked
    audit.append(
        connection,
        audit.Actor(f"peer:{peer.name}", None, "sync"),
        "misp.feed.withdraw",
        target=f"misp-event:{uuid}",
        details={"objects": len(stix_ids), "rows": deleted},
    )
    return deleted
