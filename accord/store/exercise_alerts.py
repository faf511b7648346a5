"""Exercise scopes in storage: which channels are which exercise's, the acknowledgements of
an exercise's alerts, and the purge of an exercise's watches and alerts
(accord.acts.alerts, accord.acts.watches and accord.acts.exercise_clock decide)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, delete, false, or_, select, true, update

from accord.exercise.scope import PREFIX, scope_of
from accord.store.schema import alerts, channel_members, channels, deliveries, objects, watches


def _exercise_channels(connection: Connection) -> list[Row[Any]]:
    return list(
        connection.execute(
            select(channels.c.id, channels.c.name).where(channels.c.name.like(PREFIX + "%"))
        )
    )


def scopes(connection: Connection) -> dict[int, str]:
    """Channel id -> the exercise it belongs to, for every exercise channel on this node
    (a channel missing here is real intelligence)."""
    rows = _exercise_channels(connection)
    found = {row.id: scope_of(row.name) for row in rows}
    return {channel_id: scope for channel_id, scope in found.items() if scope is not None}


def scope_channels(connection: Connection, exercise: str) -> list[int]:
    """The ids of the channels of one exercise."""
    return sorted(cid for cid, scope in scopes(connection).items() if scope == exercise)


def in_scope(exercise: str | None, found: dict[int, str]) -> ColumnElement[bool]:
    """Object rows of one exercise (``found`` from :func:`scopes`), or, for None, rows of
    real intelligence (outside every exercise channel)."""
    if exercise is None:
        if not found:
            return true()
        return or_(objects.c.channel_id.is_(None), objects.c.channel_id.not_in(sorted(found)))
    ids = sorted(cid for cid, scope in found.items() if scope == exercise)
    return objects.c.channel_id.in_(ids) if ids else false()


def member_of(connection: Connection, exercise: str, party_id: int) -> bool:
    """Whether the party is a member of a channel of the exercise on this node."""
    ids = scope_channels(connection, exercise)
    if not ids:
        return False
    return (
        connection.execute(
            select(channel_members.c.channel_id).where(
                channel_members.c.channel_id.in_(ids), channel_members.c.party_id == party_id
            )
        ).first()
        is not None
    )


def acknowledged(connection: Connection, exercise: str, party_id: int) -> list[Row[Any]]:
    """The party's acknowledged alerts of one exercise (its exercise watches'), oldest
    acknowledgement first: number, acknowledgement time, object and its origin party."""
    return list(
        connection.execute(
            select(
                alerts.c.number,
                alerts.c.acknowledged_at,
                alerts.c.stix_id,
                objects.c.origin_party_id,
            )
            .join(watches, watches.c.id == alerts.c.watch_id)
            .join(objects, objects.c.pk == alerts.c.object_pk)
            .where(
                alerts.c.party_id == party_id,
                watches.c.exercise == exercise,
                alerts.c.acknowledged_at.is_not(None),
            )
            .order_by(alerts.c.acknowledged_at, alerts.c.number)
        )
    )


def purge_alerts_on_channel(connection: Connection, channel_id: int, at: str) -> None:
    """An exercise channel is purged: the alerts on its objects lose what they said (object,
    reason) and stay only as numbers, so that a party's numbering never gives a purged
    alert's number to a later alert; their deliveries (never sent: exercise alerts go to no
    webhook) go."""
    pks = select(objects.c.pk).where(objects.c.channel_id == channel_id)
    ids = select(alerts.c.id).where(alerts.c.object_pk.in_(pks))
    connection.execute(delete(deliveries).where(deliveries.c.alert_id.in_(ids)))
    connection.execute(
        update(alerts)
        .where(alerts.c.object_pk.in_(pks))
        .values(
            object_pk=-alerts.c.id, stix_id="", reason="{}", withdrawn_at=at, withdrawn="purged"
        )
    )


def purge_watches(connection: Connection, exercise: str, at: str) -> int:
    """An exercise is over: its watches lose what they watched and are removed (numbers
    kept, as for alerts); how many."""
    result = connection.execute(
        update(watches)
        .where(watches.c.exercise == exercise)
        .values(
            text="",
            value="",
            value_key=None,
            lo=None,
            hi=None,
            note="",
            removed_at=at,
        )
    )
    return int(result.rowcount or 0)
