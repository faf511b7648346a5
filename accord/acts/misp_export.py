"""MISP events out: what a reader may see, read through :func:`accord.acts.read.list_objects`
(the ``visible_to`` predicate and the audit of every read), grouped back into events and
converted by misp-stix (:mod:`accord.misp.convert`)."""

from __future__ import annotations

import uuid as uuid_module
from typing import Any

import orjson
from sqlalchemy import Connection

from accord.acts.read import Item, audience_filter, list_objects
from accord.errors import NotFound, refused
from accord.federation.collections import collections_for
from accord.misp import convert, feed
from accord.stix.timestamps import timestamp_key
from accord.store import objects as store
from accord.store.directory import Account

PAGE = 1000

# --- Export -----------------------------------------------------------------------------


def visible_items(
    connection: Connection,
    account: Account,
    criteria: store.ObjectFilter,
    *,
    door: str,
    action: str = "misp.export",
) -> list[Item]:
    """Every latest version ``account`` may read under ``criteria``, page by page (each
    page audited as a read)."""
    items: list[Item] = []
    cursor: str | None = None
    while True:
        page = list_objects(
            connection, account, criteria, cursor=cursor, limit=PAGE, door=door, action=action
        )
        items += page.items
        if page.next_cursor is None:
            return items
        cursor = page.next_cursor


def _event_tags(item: Item) -> list[dict[str, Any]]:
    sharing = item.sharing
    names = [
        "tlp:" + str(sharing["tlp"]),
        f'accord:audience="{sharing["audience"]}"',
        f'accord:origin="{sharing["origin"]}"',
    ]
    return [{"name": name, "exportable": True} for name in names]


def events_of(items: list[Item]) -> list[dict[str, Any]]:
    """The MISP events of ``items``, made per origin party: ids are namespaced by origin
    (two parties may hold the same id), and an event holds only its own party's objects
    (another party's object or grouping naming them must not join or take them)."""
    by_origin: dict[str, list[Item]] = {}
    for item in items:
        by_origin.setdefault(str(item.sharing["origin"]), []).append(item)
    return feed.distinct_uuids([e for group in by_origin.values() for e in _party_events(group)])


def _party_events(items: list[Item]) -> list[dict[str, Any]]:
    """MISP events (``{"Event": ...}``) of the given object versions: each grouping or
    report misp-stix made, with the objects it holds among ``items`` (and those narrower
    than it that name it); everything else, per origin, as one event of misp-stix's
    external parser. Every event is given distribution 0: whatever reads it next shares
    it no further than its own organisation unless a person decides otherwise."""
    bodies = {item.stix_id: orjson.loads(item.body) for item in items}
    used: set[str] = set()
    events: list[dict[str, Any]] = []
    by_event: dict[str, list[str]] = {}
    for stix_id, body in bodies.items():
        named = body.get("x_accord_misp_event")
        if isinstance(named, str):
            by_event.setdefault(named, []).append(stix_id)
    for item in items:
        body = bodies[item.stix_id]
        if body.get("type") not in ("grouping", "report"):
            continue
        if convert.MISP_TOOL_LABEL not in (body.get("labels") or []):
            continue
        uuid = item.stix_id.split("--", 1)[1]
        refs = [r for r in body.get("object_refs", []) if r in bodies]
        refs += [r for r in by_event.get(uuid, []) if r not in refs]
        body = {**body, "object_refs": refs}
        creators = {str(bodies[r].get("created_by_ref")) for r in [item.stix_id, *refs]} & set(
            bodies
        )
        refs += [r for r in creators if r not in refs]
        members = [body] + [bodies[r] for r in refs]
        used.update([item.stix_id, *refs])
        events.append(_finish(convert.stix_to_event(_cleaned(members)), _event_tags(item)))
    parts: dict[tuple[str, str], list[Item]] = {}
    for item in items:
        named = bodies[item.stix_id].get("x_accord_misp_event")
        if item.stix_id not in used and isinstance(named, str):
            parts.setdefault((named, str(item.sharing["audience"])), []).append(item)
    for (named, audience), members in parts.items():
        # Objects kept narrower than their event, read without it (another collection):
        # an event of their own, under a UUID derived from the event's and the audience,
        # so that a MISP instance reading both collections keeps both.
        used.update(m.stix_id for m in members)
        grouping = _part_grouping(named, audience, [bodies[m.stix_id] for m in members])
        events.append(
            _finish(
                convert.stix_to_event(_cleaned([grouping, *(bodies[m.stix_id] for m in members)])),
                _event_tags(members[0]),
            )
        )
    rest: dict[str, list[Item]] = {}
    for item in items:
        if item.stix_id not in used and bodies[item.stix_id].get("type") != "marking-definition":
            rest.setdefault(str(item.sharing["origin"]), []).append(item)
    for origin, members in rest.items():
        event = convert.stix_to_event(_cleaned([bodies[m.stix_id] for m in members]))
        event["info"] = f"Accord objects of {origin}"
        # The same objects are the same event on every read: a feed's manifest and its
        # files must agree (misp-stix's external parser would draw a new uuid and the time).
        event["uuid"] = str(uuid_module.uuid5(PART_NAMESPACE, f"objects-of:{origin}"))
        stamps = [str(bodies[m.stix_id].get("modified") or "") for m in members]
        event["timestamp"] = str(_epoch(max(stamps)))
        event["date"] = (max(stamps) or "1970-01-01")[:10]
        events.append(_finish(event, _event_tags(members[0])))
    return events


def _epoch(stamp: str) -> int:
    if not stamp:
        return 0
    from datetime import datetime

    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())


#: Namespace of the UUIDs of events made of the part of an event kept to a narrower audience.
PART_NAMESPACE = uuid_module.UUID("8f1d2c3b-4a5e-5f60-8a7b-9c0d1e2f3a4b")


def _part_grouping(event_uuid: str, audience: str, members: list[dict[str, Any]]) -> dict[str, Any]:
    """The grouping misp-stix's parser reads an event from, for a part of an event."""
    stamps = [str(m.get("modified") or m.get("created") or "") for m in members]
    stamp = max((s for s in stamps if s), default="1970-01-01T00:00:00.000Z")
    return {
        "type": "grouping",
        "spec_version": "2.1",
        "id": "grouping--" + str(uuid_module.uuid5(PART_NAMESPACE, f"{event_uuid}:{audience}")),
        "created": stamp,
        "modified": stamp,
        "name": f"Part of MISP event {event_uuid} kept to {audience}",
        "context": "suspicious-activity",
        "object_refs": [m["id"] for m in members],
        "labels": [convert.MISP_TOOL_LABEL],
    }


def _cleaned(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in o.items() if k != "x_accord_misp_event"} for o in objects]


def _finish(event: dict[str, Any], tags: list[dict[str, Any]]) -> dict[str, Any]:
    kept = [
        t for t in event.get("Tag") or [] if not str(t.get("name", "")).lower().startswith("tlp:")
    ]
    event["Tag"] = kept + tags
    event["distribution"] = "0"
    for attribute in convert._all_attributes(event):
        attribute["distribution"] = "5"
    for misp_object in event.get("Object") or []:
        misp_object["distribution"] = "5"
    return {"Event": event}


# --- What a reader asks for: a collection, a time -----------------------------------------


def criteria_for(
    connection: Connection,
    account: Account,
    *,
    collection: str | None,
    added_after: str | None,
    node_name: str,
) -> store.ObjectFilter:
    """The criteria of a MISP read: exactly the TAXII read's (the collection's audience,
    what may leave this node, revoked versions included), so that a MISP door never shows
    more than TAXII would. ``collection`` is a TAXII collection id or its audience name
    (own, network, a channel of the caller's party); None is every collection."""
    added_key = None
    if added_after:
        added_key = timestamp_key(added_after)
        if added_key is None:
            raise refused("added_after", f"{added_after!r} is not a timestamp")
    audience = None
    if collection is not None:
        found = [
            c for c in collections_for(connection, account) if collection in (c.id, c.audience)
        ]
        if not found:
            raise NotFound(f"no collection {collection!r}")
        audience = audience_filter(connection, account, found[0].audience)
    return store.ObjectFilter(
        forwarded_by=node_name,
        added_after_key=added_key,
        audience=audience,
        include_revoked=True,
    )
