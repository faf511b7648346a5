"""Repository functions for correlation keys, watches, alerts and webhook deliveries.

Reads of objects through correlation keys take a ``visible`` predicate (from
:func:`accord.policy.visible_to`) like every other read of intelligence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    true,
    update,
)

from accord.store.objects import bulk_insert
from accord.store.schema import (
    alert_queue,
    alerts,
    correlation_keys,
    deliveries,
    objects,
    watches,
    webhooks,
)

#: Columns of the rows :func:`insert_keys` writes, in order.
KEY_COLUMNS = ("object_pk", "kind", "value", "value_key", "lo", "hi", "source")
CHUNK = 900


def last_pk(connection: Connection) -> int:
    """The newest object row's key (0 on an empty store)."""
    return int(connection.execute(select(func.coalesce(func.max(objects.c.pk), 0))).scalar_one())


def rows_after(connection: Connection, after_pk: int, origin_party_id: int) -> list[Row[Any]]:
    """The versions one publish just wrote: its party's rows past ``after_pk`` (the caller
    holds the write lock, so nobody else wrote meanwhile)."""
    return list(
        connection.execute(
            select(objects.c.pk, objects.c.stix_id, objects.c.version_key).where(
                objects.c.pk > after_pk, objects.c.origin_party_id == origin_party_id
            )
        )
    )


def insert_keys(connection: Connection, rows: list[tuple[Any, ...]]) -> None:
    """Insert correlation keys (values in the order of KEY_COLUMNS), as objects are."""
    bulk_insert(connection, "correlation_keys", KEY_COLUMNS, rows)


def keys_of(connection: Connection, object_pk: int) -> list[Row[Any]]:
    return list(
        connection.execute(
            select(correlation_keys).where(correlation_keys.c.object_pk == object_pk)
        )
    )


MATCH_COLUMNS = (
    objects.c.pk,
    objects.c.stix_id,
    objects.c.type,
    objects.c.name,
    objects.c.origin_party_id,
    objects.c.shown_origin,
    objects.c.version_key,
    objects.c.modified,
    correlation_keys.c.kind,
    correlation_keys.c.value,
    correlation_keys.c.source,
)


def matching(
    connection: Connection,
    visible: ColumnElement[bool],
    *,
    value_key: int | None = None,
    kind: str | None = None,
    lo: str | None = None,
    hi: str | None = None,
    exclude: tuple[int, str] | None = None,
    scope: ColumnElement[bool] | None = None,
    limit: int,
) -> list[Row[Any]]:
    """The latest visible, unrevoked versions holding a key: equal to ``value_key``, or (IP
    addresses and networks, ``kind`` "ipv4"/"ipv6") whose range overlaps [lo, hi].
    ``exclude`` is the (origin party, id) of the object asked about. At most ``limit``
    rows. ``scope`` keeps an exercise's objects to their exercise and real ones to real
    intelligence (:func:`accord.store.exercise_alerts.in_scope`)."""
    conditions: list[ColumnElement[bool]] = [
        objects.c.is_latest.is_(True),
        objects.c.deleted.is_(False),
        # A revoked object is no longer its producer's claim: it connects nothing.
        objects.c.revoked.is_(False),
        visible,
    ]
    if value_key is not None:
        conditions.append(correlation_keys.c.value_key == value_key)
    else:
        assert kind is not None and lo is not None and hi is not None
        conditions.append(
            or_(
                # Addresses inside the range (an index range on (kind, lo)).
                and_(
                    correlation_keys.c.kind == kind,
                    correlation_keys.c.lo >= lo,
                    correlation_keys.c.lo <= hi,
                ),
                # Networks that overlap it (networks are few).
                and_(
                    correlation_keys.c.kind == kind + "-net",
                    correlation_keys.c.lo <= hi,
                    correlation_keys.c.hi >= lo,
                ),
            )
        )
    if exclude is not None:
        conditions.append(
            or_(objects.c.origin_party_id != exclude[0], objects.c.stix_id != exclude[1])
        )
    if scope is not None:
        conditions.append(scope)
    query = (
        select(*MATCH_COLUMNS)
        .join(objects, objects.c.pk == correlation_keys.c.object_pk)
        .where(*conditions)
        .order_by(objects.c.pk.desc())
        .limit(limit)
    )
    return list(connection.execute(query))


def _next_numbers(connection: Connection, table: Any, party_ids: set[int]) -> dict[int, int]:
    """The next per-party number of each party's rows (the caller holds the write lock)."""
    found = {
        row[0]: row[1]
        for row in connection.execute(
            select(table.c.party_id, func.max(table.c.number))
            .where(table.c.party_id.in_(sorted(party_ids)))
            .group_by(table.c.party_id)
        )
    }
    return {party: int(found.get(party) or 0) + 1 for party in party_ids}


# --- the matching queue ----------------------------------------------------------------


def queue(connection: Connection, rows: list[tuple[int, str]]) -> None:
    if rows:
        connection.execute(
            insert(alert_queue), [{"object_pk": pk, "queued_at": at} for pk, at in rows]
        )


def pending(connection: Connection, limit: int) -> list[Row[Any]]:
    """The oldest queued versions, with what matching needs of them. The queue is read
    first and the objects by key (a join let SQLite walk the whole objects table)."""
    pks = list(
        connection.execute(
            select(alert_queue.c.object_pk).order_by(alert_queue.c.object_pk).limit(limit)
        ).scalars()
    )
    if not pks:
        return []
    rows = list(
        connection.execute(
            select(
                objects.c.pk,
                objects.c.stix_id,
                objects.c.body,
                objects.c.is_latest,
                objects.c.deleted,
                objects.c.audience_kind,
                objects.c.channel_id,
                objects.c.origin_party_id,
            )
            .where(objects.c.pk.in_(pks))
            .order_by(objects.c.pk)
        )
    )
    missing = set(pks) - {row.pk for row in rows}
    if missing:  # never expected: a queued version whose row is gone would block the queue
        dequeue(connection, sorted(missing))
    return rows  # type: ignore[return-value]


def dequeue(connection: Connection, pks: Sequence[int]) -> None:
    for start in range(0, len(pks), CHUNK):
        connection.execute(
            delete(alert_queue).where(alert_queue.c.object_pk.in_(pks[start : start + CHUNK]))
        )


# --- watches ---------------------------------------------------------------------------


def add_watch(connection: Connection, values: dict[str, Any]) -> int:
    """Insert a watch; its number in its party."""
    number = _next_numbers(connection, watches, {values["party_id"]})[values["party_id"]]
    connection.execute(insert(watches).values(**values, number=number))
    return number


def watch_rows(
    connection: Connection, party_id: int, account_id: int | None = None
) -> list[Row[Any]]:
    query = select(watches).where(watches.c.party_id == party_id, watches.c.removed_at.is_(None))
    if account_id is not None:
        query = query.where(watches.c.account_id == account_id)
    return list(connection.execute(query.order_by(watches.c.id)))


def watches_numbered(connection: Connection, number: int) -> list[Row[Any]]:
    """Every party's live watch of that number (the host's view)."""
    return list(
        connection.execute(
            select(watches).where(watches.c.number == number, watches.c.removed_at.is_(None))
        )
    )


def watch_count(connection: Connection, party_id: int) -> int:
    """How many watches the party holds (not removed)."""
    return int(
        connection.execute(
            select(func.count())
            .select_from(watches)
            .where(watches.c.party_id == party_id, watches.c.removed_at.is_(None))
        ).scalar_one()
    )


def watch_by_number(connection: Connection, party_id: int, number: int) -> Row[Any] | None:
    return connection.execute(
        select(watches).where(
            watches.c.party_id == party_id,
            watches.c.number == number,
            watches.c.removed_at.is_(None),
        )
    ).first()


def remove_watch(connection: Connection, watch_id: int, at: str) -> None:
    connection.execute(update(watches).where(watches.c.id == watch_id).values(removed_at=at))


def active_watch_filter(today: str) -> ColumnElement[bool]:
    return and_(
        watches.c.removed_at.is_(None),
        or_(watches.c.expires_on.is_(None), watches.c.expires_on >= today),
    )


def watches_for_values(
    connection: Connection, digests: Sequence[int], today: str
) -> list[Row[Any]]:
    found: list[Row[Any]] = []
    for start in range(0, len(digests), CHUNK):
        chunk = digests[start : start + CHUNK]
        found += connection.execute(
            select(watches).where(watches.c.value_key.in_(chunk), active_watch_filter(today))
        )
    return found


def range_watches(connection: Connection, today: str) -> list[Row[Any]]:
    """Active watches on IP networks (few: compared in Python)."""
    return list(
        connection.execute(
            select(watches).where(
                watches.c.lo.is_not(None), watches.c.lo != watches.c.hi, active_watch_filter(today)
            )
        )
    )


def query_watches(connection: Connection, today: str) -> list[Row[Any]]:
    """Active saved-query watches (a few per party: compared in Python)."""
    return list(
        connection.execute(
            select(watches.c.id, watches.c.party_id, watches.c.value, watches.c.exercise).where(
                watches.c.kind == "query", active_watch_filter(today)
            )
        )
    )


def name_watches(connection: Connection, today: str) -> list[Row[Any]]:
    return list(
        connection.execute(
            select(watches.c.id, watches.c.party_id, watches.c.text, watches.c.exercise).where(
                watches.c.kind == "name", active_watch_filter(today)
            )
        )
    )


def watch_signature(connection: Connection) -> tuple[Any, ...]:
    """Changes whenever a watch is added or removed."""
    row = connection.execute(
        select(func.count(), func.max(watches.c.id), func.max(watches.c.removed_at)).where(
            watches.c.kind == "name"
        )
    ).one()
    return tuple(row)


# --- alerts ----------------------------------------------------------------------------


def insert_alerts(connection: Connection, rows: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Insert alerts not raised before (one per watch and object version); (id, party) of
    each inserted."""
    if not rows:
        return []
    pairs = {(r["watch_id"], r["object_pk"]) for r in rows}
    existing: set[tuple[int, int]] = set()
    pks = sorted({p for _, p in pairs})
    for start in range(0, len(pks), CHUNK):
        existing |= {
            (row[0], row[1])
            for row in connection.execute(
                select(alerts.c.watch_id, alerts.c.object_pk).where(
                    alerts.c.object_pk.in_(pks[start : start + CHUNK])
                )
            )
        }
    numbers = _next_numbers(connection, alerts, {row["party_id"] for row in rows})
    fresh: list[dict[str, Any]] = []
    for row in rows:
        pair = (row["watch_id"], row["object_pk"])
        if pair in existing:
            continue
        existing.add(pair)
        number = numbers[row["party_id"]]
        numbers[row["party_id"]] = number + 1
        fresh.append({**row, "number": number})
    if not fresh:
        return []
    connection.execute(insert(alerts), fresh)
    # Read the ids back by (party, number): unique, and just given under the write lock.
    wanted = {(row["party_id"], row["number"]) for row in fresh}
    ids: list[tuple[int, int]] = []
    for party_id in {row["party_id"] for row in fresh}:
        low = min(n for p, n in wanted if p == party_id)
        for found in connection.execute(
            select(alerts.c.id, alerts.c.number).where(
                alerts.c.party_id == party_id, alerts.c.number >= low
            )
        ):
            if (party_id, found.number) in wanted:
                ids.append((int(found.id), party_id))
    return ids


def alerts_on_object(
    connection: Connection,
    origin_party_id: int,
    stix_ids: Iterable[str],
    *,
    deleted_only: bool = False,
) -> list[Row[Any]]:
    """Alerts not yet withdrawn on any version of these objects of one origin party (or on
    their deleted versions only)."""
    ids = sorted(set(stix_ids))
    found: list[Row[Any]] = []
    for start in range(0, len(ids), CHUNK):
        found += connection.execute(
            select(
                alerts.c.id,
                alerts.c.party_id,
                alerts.c.object_pk,
                objects.c.stix_id,
                watches.c.exercise,
            )
            .join(objects, objects.c.pk == alerts.c.object_pk)
            .join(watches, watches.c.id == alerts.c.watch_id)
            .where(
                objects.c.origin_party_id == origin_party_id,
                objects.c.stix_id.in_(ids[start : start + CHUNK]),
                alerts.c.withdrawn_at.is_(None),
                objects.c.deleted.is_(True) if deleted_only else true(),
            )
        )
    return found


def withdraw(connection: Connection, alert_ids: Sequence[int], reason: str, at: str) -> None:
    for start in range(0, len(alert_ids), CHUNK):
        connection.execute(
            update(alerts)
            .where(alerts.c.id.in_(alert_ids[start : start + CHUNK]))
            .values(withdrawn_at=at, withdrawn=reason)
        )


ALERT_COLUMNS = (
    alerts.c.id,
    alerts.c.number,
    alerts.c.watch_id,
    alerts.c.object_pk,
    alerts.c.stix_id,
    alerts.c.reason,
    alerts.c.raised_at,
    alerts.c.acknowledged_at,
    alerts.c.acknowledged_by,
    alerts.c.withdrawn_at,
    alerts.c.withdrawn,
    objects.c.type,
    objects.c.name,
    objects.c.version_key,
    objects.c.modified,
    objects.c.origin_party_id,
    objects.c.shown_origin,
    watches.c.number.label("watch_number"),
    watches.c.kind.label("watch_kind"),
    watches.c.text.label("watch_text"),
    watches.c.account_id.label("watch_account_id"),
    watches.c.exercise.label("watch_exercise"),
)


def _of_exercise(exercise: str | None) -> ColumnElement[bool]:
    """Alerts of one exercise's watches, or (None) of real watches only: a default list
    never shows a drill's alerts."""
    return watches.c.exercise.is_(None) if exercise is None else watches.c.exercise == exercise


def alert_page(
    connection: Connection,
    visible: ColumnElement[bool],
    party_id: int,
    *,
    after: int,
    limit: int,
    withdrawn: bool = False,
    unacknowledged: bool = False,
    since: str | None = None,
    until: str | None = None,
    exercise: str | None = None,
) -> list[Row[Any]]:
    """A party's alerts past ``after`` (oldest first) on objects it may still see: real
    ones, or one exercise's."""
    conditions: list[ColumnElement[bool]] = [
        alerts.c.party_id == party_id,
        alerts.c.number > after,
        objects.c.deleted.is_(False),
        visible,
        _of_exercise(exercise),
    ]
    if not withdrawn:
        conditions.append(alerts.c.withdrawn_at.is_(None))
    if unacknowledged:
        conditions.append(alerts.c.acknowledged_at.is_(None))
    if since is not None:
        conditions.append(alerts.c.raised_at >= since)
    if until is not None:
        conditions.append(alerts.c.raised_at < until)
    query = (
        select(*ALERT_COLUMNS)
        .join(objects, objects.c.pk == alerts.c.object_pk)
        .join(watches, watches.c.id == alerts.c.watch_id)
        .where(*conditions)
        .order_by(alerts.c.number)
        .limit(limit)
    )
    return list(connection.execute(query))


def unread_count(
    connection: Connection,
    visible: ColumnElement[bool],
    party_id: int,
    exercise: str | None = None,
) -> int:
    query = (
        select(func.count())
        .select_from(
            alerts.join(objects, objects.c.pk == alerts.c.object_pk).join(
                watches, watches.c.id == alerts.c.watch_id
            )
        )
        .where(
            alerts.c.party_id == party_id,
            alerts.c.acknowledged_at.is_(None),
            alerts.c.withdrawn_at.is_(None),
            objects.c.deleted.is_(False),
            visible,
            _of_exercise(exercise),
        )
    )
    return int(connection.execute(query).scalar_one())


def alert_by_number(
    connection: Connection, visible: ColumnElement[bool], party_id: int, number: int
) -> Row[Any] | None:
    found = connection.execute(
        select(*ALERT_COLUMNS)
        .join(objects, objects.c.pk == alerts.c.object_pk)
        .join(watches, watches.c.id == alerts.c.watch_id)
        .where(
            alerts.c.number == number,
            alerts.c.party_id == party_id,
            objects.c.deleted.is_(False),
            visible,
        )
    ).first()
    return found  # type: ignore[return-value]


def acknowledge(connection: Connection, alert_id: int, account: str, at: str) -> None:
    connection.execute(
        update(alerts)
        .where(alerts.c.id == alert_id, alerts.c.acknowledged_at.is_(None))
        .values(acknowledged_at=at, acknowledged_by=account)
    )


# --- webhooks and their outbox ---------------------------------------------------------


def party_webhooks(connection: Connection, party_ids: Iterable[int]) -> dict[int, list[int]]:
    """Active webhook ids per party."""
    ids = sorted(set(party_ids))
    if not ids:
        return {}
    found: dict[int, list[int]] = {}
    for row in connection.execute(
        select(webhooks.c.id, webhooks.c.party_id).where(
            webhooks.c.party_id.in_(ids), webhooks.c.disabled_at.is_(None)
        )
    ):
        found.setdefault(row.party_id, []).append(row.id)
    return found


def enqueue(connection: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        connection.execute(insert(deliveries), rows)
