"""MISP state: the operator's sharing-group -> channel mapping, and misp-feed pull state."""

from __future__ import annotations

import re
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection, Row, delete, func, insert, select, update

from accord.errors import NotFound, ValidationFailed
from accord.stix.timestamps import now_timestamp
from accord.store.objects import ObjectFilter
from accord.store.objects import _conditions as _conditions  # the read path's criteria
from accord.store.schema import channels, misp_feed_events, misp_sharing_groups, objects

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")


def check_uuid(value: str) -> str:
    if not _UUID.match(value):
        raise ValidationFailed(f"{value!r} is not a UUID")
    return value.lower()


def map_sharing_group(connection: Connection, uuid: str, channel: str) -> None:
    """Map (or re-map) a MISP sharing group to a channel of this node."""
    uuid = check_uuid(uuid)
    row = connection.execute(select(channels.c.id).where(channels.c.name == channel)).first()
    if row is None:
        raise NotFound(f"no channel named {channel!r}")
    connection.execute(delete(misp_sharing_groups).where(misp_sharing_groups.c.uuid == uuid))
    connection.execute(
        insert(misp_sharing_groups).values(uuid=uuid, channel_id=row.id, created_at=now_timestamp())
    )


def unmap_sharing_group(connection: Connection, uuid: str) -> bool:
    result = connection.execute(
        delete(misp_sharing_groups).where(misp_sharing_groups.c.uuid == check_uuid(uuid))
    )
    return bool(result.rowcount)


def sharing_groups(connection: Connection) -> dict[str, str]:
    """Every mapping: sharing group UUID -> channel name."""
    rows = connection.execute(
        select(misp_sharing_groups.c.uuid, channels.c.name).join(
            channels, channels.c.id == misp_sharing_groups.c.channel_id
        )
    )
    return {row.uuid: row.name for row in rows}


def pulled_events(connection: Connection, peer_id: int) -> dict[str, tuple[str, list[str]]]:
    """The events of a misp-feed peer stored here: uuid -> (timestamp, STIX ids)."""
    rows = connection.execute(select(misp_feed_events).where(misp_feed_events.c.peer_id == peer_id))
    return {row.event_uuid: (row.timestamp, orjson.loads(row.stix_ids)) for row in rows}


def record_event(
    connection: Connection, peer_id: int, uuid: str, timestamp: str, stix_ids: list[str]
) -> None:
    values = {"timestamp": timestamp, "stix_ids": orjson.dumps(sorted(set(stix_ids))).decode()}
    done = connection.execute(
        update(misp_feed_events)
        .where(misp_feed_events.c.peer_id == peer_id, misp_feed_events.c.event_uuid == uuid)
        .values(**values)
    )
    if not done.rowcount:
        connection.execute(
            insert(misp_feed_events).values(peer_id=peer_id, event_uuid=uuid, **values)
        )


def forget_event(connection: Connection, peer_id: int, uuid: str) -> None:
    connection.execute(
        delete(misp_feed_events).where(
            misp_feed_events.c.peer_id == peer_id, misp_feed_events.c.event_uuid == uuid
        )
    )


# --- What a streamed MISP export reads besides its audited pages ------------------------


def origins_in_order(
    connection: Connection, visible: ColumnElement[bool], criteria: ObjectFilter
) -> list[tuple[int, str | None]]:
    """The (origin party, shown origin) of what ``visible`` and ``criteria`` select, in the
    order of their first version (an export is made per origin, in that order)."""
    column = objects.c
    first = func.min(column.pk)
    query = (
        select(column.origin_party_id, column.shown_origin, first)
        .where(*_conditions(visible, criteria))
        .group_by(column.origin_party_id, column.shown_origin)
        .order_by(first)
    )
    return [(row[0], row[1]) for row in connection.execute(query)]


def bodies_after(
    connection: Connection,
    visible: ColumnElement[bool],
    criteria: ObjectFilter,
    *,
    after_pk: int,
    limit: int,
) -> list[Row[Any]]:
    """Up to ``limit`` selected versions after ``after_pk`` (pk order): pk, id, type,
    origin, audience and body; the uuid pre-pass of an export reads these (unaudited: what
    it reads is served, and audited, by the export's own pages)."""
    column = objects.c
    query = (
        select(
            column.pk,
            column.stix_id,
            column.type,
            column.origin_party_id,
            column.shown_origin,
            column.audience_kind,
            column.channel_id,
            column.body,
        )
        .where(*_conditions(visible, criteria), column.pk > after_pk)
        .order_by(column.pk)
        .limit(limit)
    )
    return list(connection.execute(query))
