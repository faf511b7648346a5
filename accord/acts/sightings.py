"""Sightings of an object, per origin as each reader may see them.

A STIX ``sighting`` ("this indicator was seen at Almaty airport at 04:10 by kz-knb") is
published and shared like any object. This act answers, for the latest version of an object
the reader may see, how many of the latest, undeleted, unrevoked sightings naming it in
``sighting_of_ref`` the reader may see, by whom (the origin party's code, or an anonymised
sighting's shown origin: ``channel:<name>`` or ``hub``) and when. Every number is computed
from rows under :func:`accord.policy.visible_to` only: nothing the reader may not see is
counted. The read is audited with read receipts for the sightings' originators, like
:func:`accord.acts.read.relationships`.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection

from accord.acts.read import Item, _item, _Names, _record, chosen_version, origin_shown
from accord.policy import visible_to
from accord.stix.timestamps import timestamp_key
from accord.store import objects as store
from accord.store.directory import Account
from accord.store.schema import objects

#: Rows read per query while counting.
BATCH = 1000
#: Sightings listed per origin (the counts cover all of them).
LISTED = 200


def _seen(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """A sighting's first and last seen: its own, else when it was created."""
    created = body.get("created")
    first = body.get("first_seen") or created
    last = body.get("last_seen") or first
    return (
        first if isinstance(first, str) else None,
        last if isinstance(last, str) else None,
    )


def _earlier(a: str | None, b: str | None, *, later: bool = False) -> str | None:
    if a is None or b is None:
        return a or b
    ka, kb = timestamp_key(a) or a, timestamp_key(b) or b
    if later:
        return a if ka >= kb else b
    return a if ka <= kb else b


def _visible_sightings(
    connection: Connection, account: Account, stix_id: str
) -> list[tuple[Any, dict[str, Any]]]:
    """The latest visible sightings whose ``sighting_of_ref`` is ``stix_id``, oldest first."""
    criteria = store.ObjectFilter(
        types=["sighting"], extra=[objects.c.source_key == store.id_key(stix_id)]
    )
    visible = visible_to(account.party.id)
    found: list[tuple[Any, dict[str, Any]]] = []
    after: int | None = None
    while True:
        rows = store.page(connection, visible, criteria, after_pk=after, limit=BATCH)
        for row in rows:
            body = orjson.loads(row.body)
            if body.get("sighting_of_ref") == stix_id:  # id keys may collide; the id decides
                found.append((row, body))
        if len(rows) < BATCH:
            return found
        after = rows[-1].pk


def sightings(
    connection: Connection,
    account: Account,
    stix_id: str,
    *,
    door: str,
    origin: str | None = None,
) -> dict[str, Any]:
    """Per shown origin: how many sightings of ``stix_id`` the reader may see, the sum of
    their ``count``, first and last seen, and the sightings themselves (NotFound, like a
    missing object, when the reader may not see the object)."""
    names = _Names(connection)
    row = chosen_version(connection, account, stix_id, version=None, origin=origin, names=names)
    groups: dict[str, dict[str, Any]] = {}
    items: list[Item] = []
    for sighting, body in _visible_sightings(connection, account, stix_id):
        item = _item(sighting, names)
        items.append(item)
        shown = item.sharing["origin"]
        first, last = _seen(body)
        count = body.get("count")
        count = count if isinstance(count, int) and not isinstance(count, bool) else None
        group = groups.setdefault(
            shown,
            {
                "origin": shown,
                "sightings": 0,
                "count": 0,
                "first_seen": None,
                "last_seen": None,
                "items": [],
            },
        )
        group["sightings"] += 1
        group["count"] += count or 0
        group["first_seen"] = _earlier(group["first_seen"], first)
        group["last_seen"] = _earlier(group["last_seen"], last, later=True)
        if len(group["items"]) < LISTED:
            group["items"].append(
                {
                    "id": sighting.stix_id,
                    "version": item.version,
                    "first_seen": first,
                    "last_seen": last,
                    "count": count,
                    "where_sighted_refs": list(body.get("where_sighted_refs") or []),
                    "origin": shown,
                }
            )
    ordered = sorted(groups.values(), key=lambda g: (-g["sightings"], g["origin"]))
    _record(
        connection,
        account,
        door,
        "read.sightings",
        items,
        target=stix_id,
        details={
            "origin": origin_shown(row, names),
            "objects": [f"{i.stix_id}@{i.version_key}" for i in items],
        },
    )
    return {
        "object": {"id": row.stix_id, "origin": origin_shown(row, names)},
        "total": len(items),
        "by_origin": ordered,
    }
