"""Exercises in storage: scenarios, director grants, runs, their events, and the purge of an
ended exercise's channel and objects (accord.acts.exercises decides and audits)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, Row, delete, false, insert, or_, select, true, update
from sqlalchemy.exc import IntegrityError

from accord.errors import Conflict
from accord.stix.timestamps import now_timestamp
from accord.store.exercise_alerts import purge_alerts_on_channel
from accord.store.schema import (
    accounts,
    alert_queue,
    channel_agreements,
    channel_members,
    channels,
    correlation_keys,
    exercise_directors,
    exercise_events,
    exercise_links,
    exercise_scenarios,
    exercises,
    misp_feed_events,
    objects,
    peers,
)

#: Every exercise channel's name starts so, on every node (how a node that only receives an
#: exercise knows its channel for one).
CHANNEL_PREFIX = "exercise-"


def is_exercise_channel_name(name: str | None) -> bool:
    return bool(name) and str(name).startswith(CHANNEL_PREFIX)


def exercise_channel_ids() -> Any:
    """A subquery of the ids of every exercise channel."""
    return select(channels.c.id).where(channels.c.name.like(CHANNEL_PREFIX + "%"))


def channel_name(connection: Connection, channel_id: int) -> str | None:
    return connection.execute(
        select(channels.c.name).where(channels.c.id == channel_id)
    ).scalar_one_or_none()


def add_scenario(connection: Connection, values: dict[str, Any]) -> int:
    if _scenario(connection, values["name"], values["party_id"]) is not None:
        raise Conflict(f"a scenario named {values['name']!r} is already imported")
    try:
        with connection.begin_nested():
            return int(
                connection.execute(
                    insert(exercise_scenarios).values(**values).returning(exercise_scenarios.c.id)
                ).scalar_one()
            )
    except IntegrityError as exc:
        raise Conflict(f"a scenario named {values['name']!r} is already imported") from exc


def _of_party(party_id: int | None) -> Any:
    column = exercise_scenarios.c.party_id
    return column.is_(None) if party_id is None else column == party_id


def _scenario(connection: Connection, name: str, party_id: int | None) -> Row[Any] | None:
    return connection.execute(
        select(exercise_scenarios).where(exercise_scenarios.c.name == name, _of_party(party_id))
    ).first()


def scenario_rows(connection: Connection, party_id: int | None, *, every: bool) -> list[Row[Any]]:
    """The node-wide scenarios and ``party_id``'s own (``every``: all, for the host)."""
    query = select(exercise_scenarios).order_by(exercise_scenarios.c.name)
    if not every:
        query = query.where(or_(_of_party(None), _of_party(party_id)))
    return list(connection.execute(query))


def scenario_by_name(
    connection: Connection, name: str, party_id: int | None, *, every: bool = False
) -> Row[Any] | None:
    """A scenario ``party_id`` may use: its party's own first, then a node-wide one (the
    host, ``every``, may name any: the node-wide one first)."""
    if every:
        return connection.execute(
            select(exercise_scenarios)
            .where(exercise_scenarios.c.name == name)
            .order_by(exercise_scenarios.c.party_id.is_not(None), exercise_scenarios.c.id)
        ).first()
    return _scenario(connection, name, party_id) or _scenario(connection, name, None)


def scenario_by_id(connection: Connection, scenario_id: int) -> Row[Any]:
    return connection.execute(
        select(exercise_scenarios).where(exercise_scenarios.c.id == scenario_id)
    ).one()


def grant_director(connection: Connection, account_id: int, by: str, at: str) -> bool:
    """False when the account already is a director."""
    if is_director(connection, account_id):
        return False
    connection.execute(
        insert(exercise_directors).values(account_id=account_id, granted_by=by, granted_at=at)
    )
    return True


def revoke_director(connection: Connection, account_id: int) -> bool:
    result = connection.execute(
        delete(exercise_directors).where(exercise_directors.c.account_id == account_id)
    )
    return bool(result.rowcount)


def is_director(connection: Connection, account_id: int) -> bool:
    return (
        connection.execute(
            select(exercise_directors.c.account_id).where(
                exercise_directors.c.account_id == account_id
            )
        ).first()
        is not None
    )


def director_names(connection: Connection) -> list[str]:
    return list(
        connection.execute(
            select(accounts.c.name)
            .join(exercise_directors, exercise_directors.c.account_id == accounts.c.id)
            .order_by(accounts.c.name)
        ).scalars()
    )


def account_name(connection: Connection, account_id: int) -> str:
    return str(
        connection.execute(select(accounts.c.name).where(accounts.c.id == account_id)).scalar_one()
    )


def add_exercise(connection: Connection, values: dict[str, Any]) -> int:
    try:
        with connection.begin_nested():
            return int(
                connection.execute(
                    insert(exercises).values(**values).returning(exercises.c.id)
                ).scalar_one()
            )
    except IntegrityError as exc:
        raise Conflict(f"an exercise named {values['name']!r} already exists") from exc


def exercise_by_name(connection: Connection, name: str) -> Row[Any] | None:
    return connection.execute(select(exercises).where(exercises.c.name == name)).first()


def exercise_by_channel(connection: Connection, channel_name: str) -> Row[Any] | None:
    """The exercise run on this node whose own channel is ``channel_name``."""
    return connection.execute(
        select(exercises).where(exercises.c.channel_name == channel_name)
    ).first()


def exercise_rows(connection: Connection, *, live_only: bool = False) -> list[Row[Any]]:
    query = select(exercises).order_by(exercises.c.id)
    if live_only:
        query = query.where(exercises.c.state.in_(("scheduled", "running")))
    return list(connection.execute(query))


def update_exercise(connection: Connection, exercise_id: int, values: dict[str, Any]) -> None:
    connection.execute(update(exercises).where(exercises.c.id == exercise_id).values(**values))


def lock_exercise(connection: Connection, exercise_id: int) -> Row[Any]:
    """The exercise's row, locked for this transaction (PostgreSQL; SQLite locks on write)."""
    return connection.execute(
        select(exercises).where(exercises.c.id == exercise_id).with_for_update()
    ).one()


def add_events(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        connection.execute(insert(exercise_events), list(rows))


def events(connection: Connection, exercise_id: int) -> list[Row[Any]]:
    return list(
        connection.execute(
            select(exercise_events)
            .where(exercise_events.c.exercise_id == exercise_id)
            .order_by(exercise_events.c.id)
        )
    )


def answers(connection: Connection, channel_ids: list[int], after_pk: int) -> list[Row[Any]]:
    """Latest, undeleted versions stored in an exercise's channels after ``after_pk``."""
    column = objects.c
    return list(
        connection.execute(
            select(
                column.pk,
                column.type,
                column.origin_party_id,
                column.added_key,
                column.stix_id,
                column.account_id,
            )
            .where(
                column.channel_id.in_(channel_ids),
                column.pk > after_pk,
                column.deleted == false(),
                column.is_latest == true(),
            )
            .order_by(column.pk)
        )
    )


def shared(connection: Connection, channel_id: int) -> list[Row[Any]]:
    """Every version in the exercise's channel, oldest first: what was shared, and when."""
    column = objects.c
    return list(
        connection.execute(
            select(
                column.stix_id, column.type, column.name, column.origin_party_id, column.added_key
            )
            .where(column.channel_id == channel_id, column.deleted == false())
            .order_by(column.pk)
        )
    )


def purge_channel(connection: Connection, channel_id: int) -> int:
    """Delete an exercise channel and everything stored in it (correlation rows, the queue,
    and alerts on its objects too: the alerts stay only as numbers); how many versions went."""
    purge_alerts_on_channel(connection, channel_id, now_timestamp())
    pks = select(objects.c.pk).where(objects.c.channel_id == channel_id)
    for table in (correlation_keys, alert_queue):
        connection.execute(delete(table).where(table.c.object_pk.in_(pks)))
    removed = connection.execute(delete(objects).where(objects.c.channel_id == channel_id))
    connection.execute(
        delete(channel_agreements).where(channel_agreements.c.channel_id == channel_id)
    )
    connection.execute(delete(channel_members).where(channel_members.c.channel_id == channel_id))
    connection.execute(delete(channels).where(channels.c.id == channel_id))
    return int(removed.rowcount or 0)


def not_in_exercise_channel() -> Any:
    """Rows outside every exercise channel (what default views show)."""
    return or_(
        objects.c.channel_id.is_(None),
        objects.c.channel_id.not_in(exercise_channel_ids()),
    )


# --- Exercises joined from another node ----------------------------------------------------


def add_link(connection: Connection, values: dict[str, Any]) -> int:
    try:
        with connection.begin_nested():
            return int(
                connection.execute(
                    insert(exercise_links).values(**values).returning(exercise_links.c.id)
                ).scalar_one()
            )
    except IntegrityError as exc:
        raise Conflict(f"exercise channel {values['channel_name']!r} is already joined") from exc


def link_by_channel(connection: Connection, channel_name: str) -> Row[Any] | None:
    return connection.execute(
        select(exercise_links).where(exercise_links.c.channel_name == channel_name)
    ).first()


def link_of_peer(connection: Connection, peer_name: str) -> Row[Any] | None:
    """The open joined exercise whose channels ``peer_name`` pulls, if any."""
    open_links = select(exercise_links).where(exercise_links.c.ended_at.is_(None))
    for row in connection.execute(open_links):
        if peer_name in orjson.loads(row.peers):
            return row
    return None


def update_link(connection: Connection, link_id: int, values: dict[str, Any]) -> None:
    connection.execute(
        update(exercise_links).where(exercise_links.c.id == link_id).values(**values)
    )


def remove_peers(connection: Connection, names: Sequence[str]) -> list[str]:
    """Delete these peers (and what a peer's pulls kept); the names of those that existed."""
    found = list(
        connection.execute(select(peers.c.id, peers.c.name).where(peers.c.name.in_(list(names))))
    )
    ids = [row.id for row in found]
    if ids:
        connection.execute(delete(misp_feed_events).where(misp_feed_events.c.peer_id.in_(ids)))
        connection.execute(delete(peers).where(peers.c.id.in_(ids)))
    return sorted(row.name for row in found)


def close_links(connection: Connection, channel_name: str, at: str) -> list[str]:
    """An exercise run here ended: remove the peers joined to pull its channels back from
    partner nodes (they have nothing left to serve); their names."""
    link = link_by_channel(connection, channel_name)
    if link is None or link.ended_at is not None:
        return []
    removed = remove_peers(connection, orjson.loads(link.peers))
    update_link(connection, link.id, {"ended_at": at})
    return removed
