"""TAXII acts that are neither a plain publish nor a plain read: deleting an object, the
feed of deletions peers pull, and the status resources of earlier posts.

Each decides through :mod:`accord.policy` and audits itself; the TAXII door only parses
and renders (``accord.api.routes_taxii``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, select

from accord import audit
from accord.acts import alerts
from accord.acts.read import audience_filter, decode_cursor, encode_cursor, visibility
from accord.errors import NotFound, ValidationFailed
from accord.policy import visible_to
from accord.store import directory
from accord.store import objects as store
from accord.store.directory import Account
from accord.store.schema import taxii_status


def _actor(account: Account) -> audit.Actor:
    return audit.Actor(account.name, account.party.code, "taxii")


def delete(
    connection: Connection,
    account: Account,
    audience: str,
    stix_id: str,
    version_keys: list[str],
) -> int:
    """Delete (tombstone) the caller's party's object under ``stix_id`` in ``audience``:
    every version, or the given ones. Only a publisher of the origin party deletes; not
    there, not visible and not the caller's party's are one and the same 404."""
    if not account.can("publisher"):
        raise NotFound(f"no object {stix_id!r} in this collection")
    marked = store.tombstone(
        connection,
        visible_to(account.party.id),
        stix_id,
        account.party.id,
        version_keys,
        audience=audience_filter(connection, account, audience),
    )
    if not marked:
        raise NotFound(f"no object {stix_id!r} of yours in this collection")
    alerts.withdraw_deleted(connection, account.party.id, stix_id)
    audit.append(
        connection,
        _actor(account),
        "delete",
        target=stix_id,
        details={"versions": version_keys or ["all"], "rows": marked},
    )
    return marked


@dataclass(frozen=True, slots=True)
class TombstonePage:
    entries: list[dict[str, Any]]
    more: bool
    next: str

    def as_json(self, node: str) -> dict[str, Any]:
        return {"more": self.more, "next": self.next, "node": node, "tombstones": self.entries}


def tombstones(
    connection: Connection,
    account: Account,
    criteria: store.ObjectFilter,
    *,
    after: str,
    limit: int,
    collection_id: str,
) -> TombstonePage:
    """Deletions of versions the caller may see in a collection, after an opaque position.

    Positions name the last deletion seen (resolved through the caller's predicate), never
    the log's sequence numbers, whose gaps would count deletions the caller may not see.
    An empty ``after`` (or ``0``) starts at the first."""
    visible = visibility(account, criteria)
    start = 0
    if after not in ("", "0"):
        position = store.tombstone_position(connection, visible, criteria, decode_cursor(after))
        if position is None:
            raise ValidationFailed(f"after {after!r} is not a position this node issued")
        start = position
    rows = store.tombstones_after(connection, visible, criteria, start, limit + 1)
    names = directory.party_codes(connection)
    shown = rows[:limit]
    entries = [
        {
            "id": r.stix_id,
            "version_key": r.version_key,
            "origin": r.shown_origin or names.get(r.origin_party_id),
        }
        for r in shown
    ]
    # Anonymised sightings never leave the node (accord.policy.forwardable_to), nor do their
    # deletions; were one here, it would show and be positioned by its shown origin only.
    next_position = (
        encode_cursor(
            shown[-1].stix_id,
            shown[-1].version_key,
            shown[-1].shown_origin or shown[-1].origin_party_id,
        )
        if shown
        else after
    )
    audit.append(
        connection,
        _actor(account),
        "read.tombstones",
        target=collection_id,
        details={"tombstones": [e["id"] for e in entries]},
    )
    return TombstonePage(entries, len(rows) > limit, next_position)


def record_status(connection: Connection, account: Account, body: dict[str, Any]) -> None:
    """Keep the status resource of a post, readable by the poster's party only."""
    connection.execute(
        taxii_status.insert().values(
            id=body["id"],
            party_id=account.party.id,
            created_at=body["request_timestamp"],
            body=orjson.dumps(body).decode(),
        )
    )


def status(connection: Connection, account: Account, status_id: str) -> dict[str, Any]:
    """A status resource of the caller's party; any other is answered as missing."""
    body = connection.execute(
        select(taxii_status.c.body).where(
            taxii_status.c.id == status_id, taxii_status.c.party_id == account.party.id
        )
    ).scalar_one_or_none()
    if body is None:
        raise NotFound(f"no status {status_id!r}")
    audit.append(connection, _actor(account), "read.status", target=status_id)
    found: dict[str, Any] = orjson.loads(body)
    return found
