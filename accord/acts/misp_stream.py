"""MISP export streamed: the events of what a reader may see, made and converted one at a
time while the store is read page by page, so that an export of any size holds a bounded
number of events.

It gives exactly the events of :func:`accord.acts.misp_export.events_of` over everything the
reader may see, in the same order (per origin, in the order of each origin's first object:
its MISP events in the order stored, then the parts kept narrower than an event not read
with them, then one event of everything else), read through the same audited read
(:func:`accord.acts.read.list_objects`), each page in a transaction of its own that
commits, with its audit entry, before anything of that page is served.

What is held at once: one page of an origin's events' heads (their groupings or reports),
the events being converted (``2 * workers``), the largest event, and per origin the ids
already placed in an event, as 8-byte digests (``array('q')``: 8 bytes an object, about
30 MB for 10,000 events of 100 attributes), which is how "everything else" is told apart.
"One event of everything else" is one event: it is held whole, as misp-stix converts it
whole.
"""

from __future__ import annotations

import hashlib
import uuid as uuid_module
from array import array
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection, Engine, and_, or_

from accord.acts.misp_export import (
    PART_NAMESPACE,
    _cleaned,
    _epoch,
    _event_tags,
    _finish,
    _part_grouping,
)
from accord.acts.read import Item, _item, _Names, _record, list_objects, visibility
from accord.misp import convert, feed, header
from accord.store import misp as misp_store
from accord.store import objects as store
from accord.store.directory import Account
from accord.store.schema import objects

#: Heads (groupings, reports) read a page; each brings its event's objects by id.
HEADS_PAGE = 100
#: Objects read a page otherwise.
PAGE = 1000
#: Ids asked for in one query.
IDS = 500
HEADS = ("grouping", "report")


@dataclass(slots=True)
class Unit:
    """One event before misp-stix: its uuid as it will be served, its objects and tags, and
    (for an origin's remaining objects) what is set after the conversion."""

    uuid: str
    origin: str
    objects: list[dict[str, Any]]
    tags: list[dict[str, Any]]
    rest: dict[str, str] = field(default_factory=dict)


def _digest(stix_id: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(stix_id.encode(), digest_size=8).digest(), "big", signed=True
    )


class _Placed:
    """Ids already in an event, as sorted 8-byte digests (a collision, 2^-64, would only
    leave an object out of the origin's remaining objects' event)."""

    def __init__(self) -> None:
        self._new: array[int] = array("q")
        self._sorted: array[int] = array("q")

    def add(self, stix_ids: list[str]) -> None:
        self._new.extend(_digest(i) for i in stix_ids)

    def __contains__(self, stix_id: str) -> bool:
        if self._new:
            self._sorted = array("q", sorted([*self._sorted, *self._new]))
            self._new = array("q")
        key = _digest(stix_id)
        at = bisect_left(self._sorted, key)
        return at < len(self._sorted) and self._sorted[at] == key


def _labelled(body: dict[str, Any]) -> bool:
    return body.get("type") in HEADS and convert.MISP_TOOL_LABEL in (body.get("labels") or [])


class _Reader:
    """The audited reads of one export: each page in a transaction of its own."""

    def __init__(self, connection: Connection, account: Account, door: str, action: str) -> None:
        self.connection = connection
        self.account = account
        self.door = door
        self.action = action

    def pages(self, criteria: store.ObjectFilter, limit: int = PAGE) -> Iterator[list[Item]]:
        cursor: str | None = None
        while True:
            with self.connection.begin():
                page = list_objects(
                    self.connection,
                    self.account,
                    criteria,
                    cursor=cursor,
                    limit=limit,
                    door=self.door,
                    action=self.action,
                )
            if page.items:
                yield page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def unaudited(
        self,
        criteria: store.ObjectFilter,
        keep: Callable[[Item], bool] = lambda item: True,
        *,
        audit_kept: bool,
    ) -> Iterator[list[Item]]:
        """The selected versions page by page, read through the reader's predicate: only
        those ``keep`` keeps are handed out and (with ``audit_kept``) audited, in the
        page's transaction. What is read here and served elsewhere is audited there."""
        visible = visibility(self.account, criteria)
        after: int | None = None
        while True:
            with self.connection.begin():
                rows = store.page(self.connection, visible, criteria, after_pk=after, limit=PAGE)
                names = _Names(self.connection)
                kept = [i for i in (_item(row, names) for row in rows) if keep(i)]
                if audit_kept and kept:
                    _record(
                        self.connection,
                        self.account,
                        self.door,
                        self.action,
                        kept,
                        details={"objects": [f"{i.stix_id}@{i.version_key}" for i in kept]},
                    )
            if kept:
                yield kept
            if len(rows) < PAGE:
                return
            after = rows[-1].pk

    def by_id(self, criteria: store.ObjectFilter, stix_ids: list[str]) -> dict[str, Item]:
        found: dict[str, Item] = {}
        wanted = list(dict.fromkeys(stix_ids))
        for start in range(0, len(wanted), IDS):
            chunk = replace(criteria, ids=wanted[start : start + IDS])
            for items in self.pages(chunk):
                found.update((item.stix_id, item) for item in items)
        return found


def _origin_filter(connection: Connection, party_id: int, shown: str | None) -> ColumnElement[bool]:
    """The rows of one origin, never the index SQLite reads them by: an event's objects
    are read by id, and through the party's index SQLite walked every row of the origin
    for each event (:func:`accord.store.objects.of_party`)."""
    column = objects.c
    party = store.of_party(connection, party_id)
    if shown is not None:
        return and_(party, column.shown_origin == shown)
    return and_(party, column.shown_origin.is_(None))


def _origins(
    connection: Connection, account: Account, criteria: store.ObjectFilter
) -> list[tuple[str, list[ColumnElement[bool]]]]:
    """Each origin as readers are shown it, in the order of its first object, with the
    predicates that select its objects."""
    names = _Names(connection)
    visible = visibility(account, criteria)
    found: dict[str, list[ColumnElement[bool]]] = {}
    for party_id, shown in misp_store.origins_in_order(connection, visible, criteria):
        origin = shown if shown else names.party(party_id)
        found.setdefault(origin, []).append(_origin_filter(connection, party_id, shown))
    return list(found.items())


def _shared_uuids(
    connection: Connection,
    account: Account,
    criteria: store.ObjectFilter,
    origins: list[tuple[str, list[ColumnElement[bool]]]],
) -> set[str]:
    """The uuids more than one event would be served under (:func:`feed.distinct_uuids`
    needs the whole export to know them), counted before the first event is made: every
    head, every event a part kept narrower could make, every origin's event of its
    remaining objects. A candidate that is not made (a part read with its event, an origin
    with nothing remaining) can only make a uuid chosen to equal one of Accord's derived
    uuids a derived one too: never the reverse."""
    names = _Names(connection)
    visible = visibility(account, criteria)
    count: dict[str, int] = {}
    parts: set[tuple[str, str]] = set()
    after = 0
    while True:
        rows = misp_store.bodies_after(connection, visible, criteria, after_pk=after, limit=PAGE)
        for row in rows:
            if row.type not in HEADS and "x_accord_misp_event" not in row.body:
                continue
            body = orjson.loads(row.body)
            if _labelled(body):
                uuid = row.stix_id.split("--", 1)[1]
                count[uuid] = count.get(uuid, 0) + 1
            named = body.get("x_accord_misp_event")
            if isinstance(named, str):
                origin = row.shown_origin or names.party(row.origin_party_id)
                audience = (
                    names.channel(row.channel_id)
                    if row.audience_kind == "channel"
                    else row.audience_kind
                )
                parts.add((origin, f"{named}:{audience}"))
        if len(rows) < PAGE:
            break
        after = rows[-1].pk
    for _origin, name in parts:
        uuid = str(uuid_module.uuid5(PART_NAMESPACE, name))
        count[uuid] = count.get(uuid, 0) + 1
    for origin, _conditions in origins:
        uuid = str(uuid_module.uuid5(PART_NAMESPACE, f"objects-of:{origin}"))
        count[uuid] = count.get(uuid, 0) + 1
    return {uuid for uuid, n in count.items() if n > 1}


def units(
    connection: Connection,
    account: Account,
    criteria: store.ObjectFilter,
    *,
    door: str,
    action: str = "misp.export",
    only: str | None = None,
) -> Iterator[Unit]:
    """The events of what ``account`` may see under ``criteria``, before misp-stix, in the
    order of :func:`accord.acts.misp_export.events_of`."""
    with connection.begin():
        origins = _origins(connection, account, criteria)
        shared = _shared_uuids(connection, account, criteria, origins)
    reader = _Reader(connection, account, door, action)
    for origin, conditions in origins:
        mine = replace(criteria, extra=[*criteria.extra, or_(*conditions)])
        for unit in _origin_units(reader, mine, origin, only):
            if unit.uuid in shared:
                unit.uuid = _derived(origin, unit.uuid)
            yield unit


def _origin_units(
    reader: _Reader, criteria: store.ObjectFilter, origin: str, only: str | None = None
) -> Iterator[Unit]:
    """One origin's events, as :func:`accord.acts.misp_export._party_events` makes them.
    With ``only`` (a feed's event file), the events of other heads are not read: their
    heads' own lists say what they place."""
    placed = _Placed()
    # Its objects kept narrower than their event, which name the event they belong to.
    parts: list[tuple[str, str, str]] = []
    naming = objects.c.body.like("%x_accord_misp_event%")
    # Read unaudited: each is served (and audited) by its event's reads below.
    for items in reader.unaudited(
        replace(criteria, extra=[*criteria.extra, naming]), audit_kept=False
    ):
        for item in items:
            named = orjson.loads(item.body).get("x_accord_misp_event")
            if isinstance(named, str):
                parts.append((item.stix_id, named, str(item.sharing["audience"])))
    by_event: dict[str, list[str]] = {}
    for stix_id, named, _audience in parts:
        by_event.setdefault(named, []).append(stix_id)
    rest_uuid = str(uuid_module.uuid5(PART_NAMESPACE, f"objects-of:{origin}"))
    part_uuids = {_part_uuid(named, audience) for _stix_id, named, audience in parts}
    # An event file of a head's event: the other heads need not be read whole. (The parts'
    # and the remaining objects' events depend on every head's objects: read them all.)
    skipping = only is not None and only != rest_uuid and only not in part_uuids
    for heads in reader.pages(replace(criteria, types=HEADS), HEADS_PAGE):
        for head in heads:
            body = orjson.loads(head.body)
            if not _labelled(body):
                continue
            uuid = head.stix_id.split("--", 1)[1]
            listed = [r for r in body.get("object_refs") or [] if isinstance(r, str)]
            if skipping and only not in (uuid, _derived(origin, uuid)):
                placed.add([head.stix_id, *listed, *by_event.get(uuid, [])])
                continue
            found = reader.by_id(criteria, [*listed, *by_event.get(uuid, [])])
            bodies = {head.stix_id: body} | {k: orjson.loads(v.body) for k, v in found.items()}
            refs = [r for r in body.get("object_refs", []) if r in bodies]
            refs += [r for r in by_event.get(uuid, []) if r not in refs]
            body = {**body, "object_refs": refs}
            named_creators = {str(bodies[r].get("created_by_ref")) for r in [head.stix_id, *refs]}
            missing = [c for c in named_creators if c not in bodies]
            if missing:
                extra = reader.by_id(criteria, missing)
                bodies |= {k: orjson.loads(v.body) for k, v in extra.items()}
            creators = named_creators & set(bodies)
            refs += [r for r in creators if r not in refs]
            members = [body] + [bodies[r] for r in refs]
            placed.add([head.stix_id, *refs])
            yield Unit(uuid, origin, _cleaned(members), _event_tags(head))
    groups: dict[tuple[str, str], list[str]] = {}
    for stix_id, named, audience in parts:
        if stix_id not in placed:
            groups.setdefault((named, audience), []).append(stix_id)
    del parts, by_event
    for (named, audience), ids in groups.items():
        # Objects kept narrower than their event, read without it: an event of their own.
        found = reader.by_id(criteria, ids)
        chosen = [found[i] for i in ids if i in found]
        if not chosen:
            continue
        placed.add(ids)
        members = [orjson.loads(item.body) for item in chosen]
        grouping = _part_grouping(named, audience, members)
        uuid = grouping["id"].split("--", 1)[1]
        yield Unit(uuid, origin, _cleaned([grouping, *members]), _event_tags(chosen[0]))
    rest: list[dict[str, Any]] = []
    first: Item | None = None

    def remaining(item: Item) -> bool:
        return item.stix_id not in placed and not item.stix_id.startswith("marking-definition--")

    # Everything read again, and only what is left (served here) audited.
    for items in reader.unaudited(criteria, remaining, audit_kept=True):
        for item in items:
            first = first or item
            rest.append(orjson.loads(item.body))
    if first is not None:
        stamps = [str(b.get("modified") or "") for b in rest]
        latest = max(stamps)
        yield Unit(
            rest_uuid,
            origin,
            _cleaned(rest),
            _event_tags(first),
            rest={
                "info": f"Accord objects of {origin}",
                "timestamp": str(_epoch(latest)),
                "date": (latest or "1970-01-01")[:10],
            },
        )


def _part_uuid(named: str, audience: str) -> str:
    return str(uuid_module.uuid5(PART_NAMESPACE, f"{named}:{audience}"))


def _derived(origin: str, uuid: str) -> str:
    """The uuid an event is served under when another event has its uuid."""
    return str(uuid_module.uuid5(feed.NAMESPACE, f"{origin}:{uuid}"))


def finished(unit: Unit, event: dict[str, Any]) -> dict[str, Any]:
    """The served event (``{"Event": ...}``) of a unit misp-stix converted."""
    event.update(unit.rest)
    event["uuid"] = unit.uuid
    return _finish(event, unit.tags)


def stream_events(
    engine: Engine,
    account: Account,
    criteria: store.ObjectFilter,
    *,
    door: str,
    workers: int = 1,
    action: str = "misp.export",
    only: str | None = None,
) -> Iterator[dict[str, Any]]:
    """The MISP events of what ``account`` may see under ``criteria``, each yielded as soon
    as it is converted (``workers`` processes convert ahead, in order). With ``only``, the
    one event served under that uuid (a feed's event file): the others are read, not
    converted."""
    with engine.connect() as connection:
        made = units(connection, account, criteria, door=door, action=action, only=only)
        if only is not None:
            made = (u for u in made if u.uuid == only)
        held: deque[Unit] = deque()

        def objects_of() -> Iterator[list[dict[str, Any]]]:
            for unit in made:
                held.append(unit)
                yield unit.objects
                if only is not None:
                    return

        for event in convert.stix_to_events(objects_of(), workers):
            yield finished(held.popleft(), event)


def stream_headers(
    engine: Engine,
    account: Account,
    criteria: store.ObjectFilter,
    *,
    door: str,
    action: str = "misp.export",
) -> Iterator[dict[str, Any]]:
    """The events of :func:`stream_events`, in the same order and read the same way, with
    only their headers (:mod:`accord.misp.header`: what a feed's manifest lists), made from
    the stored objects without misp-stix. An event whose header is not modelled there is
    converted as :func:`stream_events` converts it."""
    with engine.connect() as connection:
        for unit in units(connection, account, criteria, door=door, action=action):
            made = header.header(unit.objects)
            if made is None:
                made = {
                    k: v
                    for k, v in convert.stix_to_event(unit.objects).items()
                    if k not in ("Attribute", "Object", "EventReport", "Galaxy")
                }
            yield finished(unit, made)
