"""MISP events in and out: importing through the one publish path, exporting what a reader
may see, and the operator's sharing-group mapping.

An event is stored whole or not at all (a savepoint per event): misp-stix converts it
(:mod:`accord.misp.convert`), :mod:`accord.misp.distribution` gives every object its
audience and TLP (never wider than MISP said), and each audience's objects go through
:func:`accord.acts.publish.publish_objects` (a file, the API) or
:func:`accord.acts.receive.receive` (a MISP feed peer): the publish path's checks, stamps,
versions and audit. Exports read through :func:`accord.acts.read.list_objects` (the
``visible_to`` predicate and the audit of every read) and convert back with misp-stix.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection

from accord import audit
from accord.acts import alerts
from accord.acts.admin import actor_of
from accord.acts.publish import PublishReport, publish_objects
from accord.acts.read import Item, audience_filter, list_objects
from accord.acts.receive import Origin, receive
from accord.config import Settings
from accord.correlate.values import normalise
from accord.errors import AccordError, FieldError, NotFound, refused
from accord.federation.collections import collections_for
from accord.misp import convert, feed
from accord.misp.distribution import Rules, assign, sharing_of
from accord.policy import Principal, require_operator
from accord.prepare import DEFAULT_LIMITS, PublishLimits
from accord.stix.markings import Tlp
from accord.stix.timestamps import timestamp_key
from accord.store import directory
from accord.store import misp as misp_store
from accord.store import objects as store
from accord.store.directory import Account
from accord.store.peers import Peer
from accord.store.schema import objects

PAGE = 1000


@dataclass(slots=True)
class EventResult:
    """What became of one MISP event."""

    uuid: str
    status: str  # stored | unchanged | refused
    accepted: int = 0
    unchanged: int = 0
    audiences: dict[str, int] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    stix_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "uuid": self.uuid,
            "status": self.status,
            "accepted": self.accepted,
            "unchanged": self.unchanged,
            "audiences": self.audiences,
            "errors": [e.as_dict() for e in self.errors],
            "warninglists": self.warnings,
        }


@dataclass(slots=True)
class ImportReport:
    events: list[EventResult]

    def count(self, status: str) -> int:
        return sum(1 for e in self.events if e.status == status)

    def as_dict(self) -> dict[str, Any]:
        return {
            "stored": self.count("stored"),
            "unchanged": self.count("unchanged"),
            "refused": self.count("refused"),
            "events": [e.as_dict() for e in self.events],
        }


def rules_for(
    connection: Connection,
    settings: Settings,
    *,
    missing: str = "own",
    cap: str | None = None,
    default_tlp: Tlp | None = None,
    floor_tlp: Tlp | None = None,
    party_id: int | None = None,
) -> Rules:
    """The distribution rules of this node: the configured audience of levels 1-3 and the
    operator's sharing-group mapping (read once per import). With ``party_id`` (an
    account's import), only the mappings to channels that party belongs to: a sharing
    group mapped to another channel is answered as one mapped to none, so the import
    never tells a party that a channel it is not in exists."""
    mapping = misp_store.sharing_groups(connection)
    if party_id is not None:
        own = {channel.name for channel in directory.list_channels(connection, party_id)}
        mapping = {uuid: channel for uuid, channel in mapping.items() if channel in own}
    return Rules(
        levels={
            1: settings.misp_audience_community,
            2: settings.misp_audience_connected,
            3: settings.misp_audience_all,
        },
        sharing_groups=lambda uuid: mapping.get(uuid.lower()),
        missing=missing,
        cap=cap,
        default_tlp=default_tlp or Tlp.from_label(settings.misp_default_tlp),
        floor_tlp=floor_tlp,
    )


#: Publishes one audience's objects of an event: (audience, objects) -> report.
Publisher = Callable[[str, list[dict[str, Any]]], PublishReport]


Converted = convert.Converted
#: Conversion by misp-stix, which touches no store: a door runs it before its transaction.
convert_event, convert_events = convert.convert_event, convert.convert_events


def store_event(
    connection: Connection,
    event: dict[str, Any],
    rules: Rules,
    publisher: Publisher,
    *,
    warning_lists: bool,
    converted: Converted | None = None,
) -> EventResult:
    """Convert one event (unless ``converted`` already is) and publish each audience's
    objects, in a savepoint: if misp-stix cannot convert all of it, its distribution
    cannot be kept, or any object is refused, nothing of the event is stored."""
    uuid = str(event.get("uuid"))
    result = EventResult(uuid, "refused")
    savepoint = connection.begin_nested()
    try:
        done = converted if converted is not None else convert_event(event)
        if done.normal is None and done.error is not None:
            raise done.error  # no timestamp, no uuid: refused before anything else
        event = done.normal or event
        sharing = sharing_of(event, rules)  # a distribution that cannot be kept comes next
        if done.error is not None:
            raise done.error
        placed = assign(done.objects, sharing, uuid)
        by_audience: dict[str, list[dict[str, Any]]] = {}
        context: dict[str, list[dict[str, Any]]] = {}
        for item in placed:
            chosen = context if item.shared else by_audience
            chosen.setdefault(item.audience, []).append(item.obj)
        errors: list[FieldError] = []
        for audience, members in by_audience.items():
            report = publisher(audience, members)
            result.accepted += report.count("accepted")
            result.unchanged += report.count("unchanged")
            result.audiences[audience] = len(members)
            errors += report.errors
        for audience, members in context.items():
            # Stored by the first event that names it; a later event's copy (another
            # audience, another marking) is left out of that event, never widened.
            report = publisher(audience, members)
            result.accepted += report.count("accepted")
            result.unchanged += report.count("unchanged")
        result.stix_ids = [item.obj["id"] for item in placed if not item.shared]
    except AccordError as exc:
        savepoint.rollback()
        result.errors = exc.errors or [FieldError("Event", exc.detail)]
        return result
    if errors:
        savepoint.rollback()
        result.errors = errors
        result.accepted = result.unchanged = 0
        return result
    savepoint.commit()
    result.status = "stored" if result.accepted else "unchanged"
    if warning_lists:
        result.warnings = warned_attributes(event)
    return result


def import_events(
    connection: Connection,
    account: Account,
    raw: bytes | list[Converted],
    *,
    settings: Settings,
    door: str,
    limits: PublishLimits = DEFAULT_LIMITS,
) -> ImportReport:
    """Import the MISP events of ``raw`` (or of :func:`convert_events`, run before the
    transaction) as ``account``'s party, each whole or not at all."""
    converted = convert_events(raw) if isinstance(raw, bytes) else raw
    rules = rules_for(connection, settings, party_id=account.party.id)

    def publisher(audience: str, members: list[dict[str, Any]]) -> PublishReport:
        return publish_objects(
            connection,
            account,
            members,
            audience=audience,
            tlp=None,
            door=door,
            limits=limits,
            target=f"misp-event:{current[0]}",
            node=settings.node_name,
        )

    current = [""]
    results: list[EventResult] = []
    for done in converted:
        current[0] = str(done.event.get("uuid"))
        results.append(
            store_event(
                connection,
                done.event,
                rules,
                publisher,
                warning_lists=bool(settings.misp_warning_lists),
                converted=done,
            )
        )
    report = ImportReport(results)
    audit.append(
        connection,
        audit.Actor(account.name, account.party.code, door),
        "misp.import",
        details={
            "stored": [e.uuid for e in results if e.status == "stored"],
            "unchanged": report.count("unchanged"),
            "refused": [(e.uuid, [x.message for x in e.errors][:5]) for e in results if e.errors],
        },
    )
    return report


_WARNED_KINDS = {
    "domain": "domain",
    "hostname": "domain",
    "url": "url",
    "uri": "url",
    "link": "url",
    "email": "email",
    "email-src": "email",
    "email-dst": "email",
    "md5": "hash",
    "sha1": "hash",
    "sha256": "hash",
}


def warned_attributes(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The attributes whose value a MISP warning list holds (MISP flags them so too)."""
    from accord.correlate.warnings import warnings_for

    found: list[dict[str, Any]] = []
    for attribute in convert._all_attributes(event):
        kind_name = str(attribute.get("type") or "")
        value = str(attribute.get("value") or "")
        first = kind_name.split("|")[0]
        part = value.split("|")[0]
        if first in ("ip-src", "ip-dst", "ip"):
            kind = "ipv6" if ":" in part else "ipv4"
        elif first in _WARNED_KINDS:
            kind = _WARNED_KINDS[first]
        elif first == "domain":
            kind = "domain"
        else:
            continue
        try:
            key = normalise(kind, part)
        except ValueError:
            continue
        lists = sorted({w.list_name for w in warnings_for(key)})
        if lists:
            found.append({"attribute": attribute.get("uuid"), "value": value, "lists": lists})
    return found


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


def of_event(items: list[Item], uuid: str) -> list[Item]:
    """The items that make the MISP event ``uuid`` (its grouping or report, what it holds,
    what names it, their creators): one event's file converts one event, not them all.
    All of ``items`` when none is its grouping (an event made of parts or of other
    objects)."""
    bodies = {item.stix_id: orjson.loads(item.body) for item in items}
    heads = [i for i in (f"grouping--{uuid}", f"report--{uuid}") if i in bodies]
    if not heads:
        return items
    wanted = set(heads)
    for head in heads:
        wanted |= set(bodies[head].get("object_refs") or [])
    wanted |= {k for k, b in bodies.items() if b.get("x_accord_misp_event") == uuid}
    wanted |= {str(bodies[k].get("created_by_ref")) for k in list(wanted) if k in bodies}
    return [item for item in items if item.stix_id in wanted]


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


def export_events(
    connection: Connection,
    account: Account,
    criteria: store.ObjectFilter,
    *,
    door: str,
) -> list[dict[str, Any]]:
    """The MISP events of what ``account`` may see under ``criteria``."""
    return events_of(visible_items(connection, account, criteria, door=door))


# --- The sharing-group mapping (the operator's) -----------------------------------------


def map_sharing_group(
    connection: Connection, principal: Principal, uuid: str, channel: str
) -> None:
    require_operator(principal, "mapping a MISP sharing group")
    misp_store.map_sharing_group(connection, uuid, channel)
    audit.append(
        connection,
        actor_of(principal),
        "misp.sharing-group.map",
        target=uuid,
        details={"channel": channel},
    )


def unmap_sharing_group(connection: Connection, principal: Principal, uuid: str) -> bool:
    require_operator(principal, "unmapping a MISP sharing group")
    done = misp_store.unmap_sharing_group(connection, uuid)
    audit.append(
        connection, actor_of(principal), "misp.sharing-group.unmap", target=uuid, details={}
    )
    return done


def sharing_groups(connection: Connection, principal: Principal) -> dict[str, str]:
    require_operator(principal, "listing the MISP sharing-group mapping")
    return misp_store.sharing_groups(connection)


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


def feed_items(
    connection: Connection, account: Account, criteria: store.ObjectFilter, *, event: str | None
) -> list[Item]:
    """What a feed (or, with ``event``, one event's file) is made of: read and audited."""
    items = visible_items(connection, account, criteria, door="misp-feed", action="misp.feed")
    return items if event is None else of_event(items, event)


def feed_events_of(items: list[Item]) -> dict[str, Any]:
    """The feed's events of items already read; misp-stix runs here, so a door calls it
    once the read's transaction is over (on SQLite it holds the store's one lock)."""
    return feed.feed_events(events_of(items))


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
