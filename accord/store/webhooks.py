"""Repository functions for a party's webhooks and their outbox (``deliveries``).

Webhooks are numbered per party by their rank among the party's webhooks (rows are never
deleted, only disabled, so the rank never changes): no number a party sees counts another
party's webhooks. The delivery worker claims rows with :func:`claim`, which on PostgreSQL
locks the webhooks it works on (``FOR UPDATE SKIP LOCKED``) so that two workers never send
for one webhook at once, and leases the rows it took by moving ``next_attempt_at``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, and_, func, insert, select, update

from accord.store.correlation import ALERT_COLUMNS
from accord.store.schema import alerts, deliveries, objects, parties, watches, webhooks


@dataclass(frozen=True, slots=True)
class Webhook:
    id: int
    number: int
    party_id: int
    url: str
    secret: str
    created_at: str
    disabled_at: str | None


def add(connection: Connection, party_id: int, url: str, secret: str, at: str) -> Webhook:
    connection.execute(
        insert(webhooks).values(party_id=party_id, url=url, secret=secret, created_at=at)
    )
    return party_hooks(connection, party_id, include_disabled=True)[-1]


def party_hooks(
    connection: Connection, party_id: int, *, include_disabled: bool = False
) -> list[Webhook]:
    """The party's webhooks, oldest first, with their numbers in the party."""
    rows = connection.execute(
        select(webhooks).where(webhooks.c.party_id == party_id).order_by(webhooks.c.id)
    )
    found = [
        Webhook(r.id, n, r.party_id, r.url, r.secret, r.created_at, r.disabled_at)
        for n, r in enumerate(rows, start=1)
    ]
    return found if include_disabled else [h for h in found if h.disabled_at is None]


def disable(connection: Connection, webhook_id: int, at: str) -> None:
    connection.execute(update(webhooks).where(webhooks.c.id == webhook_id).values(disabled_at=at))


def outbox_state(
    connection: Connection, webhook_ids: Sequence[int], max_attempts: int
) -> dict[int, dict[str, Any]]:
    """Per webhook: deliveries pending, given up (``max_attempts`` reached) and the newest
    error of a row not yet delivered."""
    state: dict[int, dict[str, Any]] = {
        hook: {"pending": 0, "failed": 0, "delivered": 0, "last_error": None}
        for hook in webhook_ids
    }
    if not webhook_ids:
        return state
    for row in connection.execute(
        select(
            deliveries.c.webhook_id,
            deliveries.c.delivered_at.is_not(None).label("done"),
            (deliveries.c.attempts >= max_attempts).label("exhausted"),
            func.count(),
        )
        .where(deliveries.c.webhook_id.in_(sorted(webhook_ids)))
        .group_by("webhook_id", "done", "exhausted")
    ):
        hook, done, exhausted, count = row
        key = "delivered" if done else "failed" if exhausted else "pending"
        state[hook][key] += int(count)
    for hook in webhook_ids:
        error = connection.execute(
            select(deliveries.c.last_error)
            .where(
                deliveries.c.webhook_id == hook,
                deliveries.c.delivered_at.is_(None),
                deliveries.c.last_error.is_not(None),
            )
            .order_by(deliveries.c.id.desc())
            .limit(1)
        ).scalar()
        state[hook]["last_error"] = error
    return state


# --- the delivery worker ---------------------------------------------------------------

CLAIM_COLUMNS = (
    deliveries.c.id,
    deliveries.c.webhook_id,
    deliveries.c.alert_id,
    deliveries.c.event,
    deliveries.c.attempts,
    deliveries.c.next_attempt_at,
    webhooks.c.url,
    webhooks.c.secret,
    webhooks.c.party_id,
    alerts.c.number.label("alert_number"),
    alerts.c.withdrawn.label("alert_withdrawn"),
)


def _pending(max_attempts: int) -> ColumnElement[bool]:
    return and_(deliveries.c.delivered_at.is_(None), deliveries.c.attempts < max_attempts)


def claim(
    connection: Connection,
    now: str,
    lease_until: str,
    *,
    max_attempts: int,
    per_webhook: int,
    webhook_limit: int = 50,
) -> list[Row[Any]]:
    """Take the due deliveries, in id order per webhook, and lease them until
    ``lease_until``. A webhook's rows are due only behind its oldest pending row: when that
    one waits (backing off, or leased by another worker), the webhook's later rows wait too,
    so that a receiver sees its deliveries in order."""
    hooks_query = (
        select(webhooks.c.id)
        .where(
            webhooks.c.disabled_at.is_(None),
            webhooks.c.id.in_(
                select(deliveries.c.webhook_id)
                .where(_pending(max_attempts), deliveries.c.next_attempt_at <= now)
                .distinct()
            ),
        )
        .order_by(webhooks.c.id)
        .limit(webhook_limit)
    )
    if connection.dialect.name == "postgresql":
        hooks_query = hooks_query.with_for_update(skip_locked=True)
    hook_ids = list(connection.execute(hooks_query).scalars())
    taken: list[Row[Any]] = []
    for hook in hook_ids:
        rows: list[Row[Any]] = list(
            connection.execute(
                select(*CLAIM_COLUMNS)
                .join(webhooks, webhooks.c.id == deliveries.c.webhook_id)
                .join(alerts, alerts.c.id == deliveries.c.alert_id)
                .where(deliveries.c.webhook_id == hook, _pending(max_attempts))
                .order_by(deliveries.c.id)
                .limit(per_webhook)
            )
        )
        run = []
        for row in rows:
            if row.next_attempt_at > now:
                break
            run.append(row)
        if run:
            lease(connection, [row.id for row in run], lease_until)
            taken += run
    return taken


def lease(connection: Connection, delivery_ids: Iterable[int], until: str) -> None:
    ids = sorted(delivery_ids)
    if ids:
        connection.execute(
            update(deliveries).where(deliveries.c.id.in_(ids)).values(next_attempt_at=until)
        )


def mark_done(connection: Connection, delivery_id: int, at: str, note: str | None) -> None:
    """Delivered (``note`` None), or settled without sending (``note`` says why)."""
    connection.execute(
        update(deliveries)
        .where(deliveries.c.id == delivery_id)
        .values(delivered_at=at, last_error=note)
    )


def mark_failed(connection: Connection, delivery_id: int, error: str, retry_at: str) -> None:
    connection.execute(
        update(deliveries)
        .where(deliveries.c.id == delivery_id)
        .values(attempts=deliveries.c.attempts + 1, last_error=error, next_attempt_at=retry_at)
    )


def alert_event_delivered(connection: Connection, webhook_id: int, alert_id: int) -> bool:
    """Whether the webhook's receiver acknowledged the "alert" event of this alert."""
    found = connection.execute(
        select(deliveries.c.id).where(
            deliveries.c.webhook_id == webhook_id,
            deliveries.c.alert_id == alert_id,
            deliveries.c.event == "alert",
            deliveries.c.delivered_at.is_not(None),
            deliveries.c.last_error.is_(None),
        )
    ).first()
    return found is not None


def alert_seen(
    connection: Connection, visible: ColumnElement[bool], party_id: int, alert_id: int
) -> bool:
    """Whether the party may still see the alerted version (deleted or not)."""
    found = connection.execute(
        select(alerts.c.id)
        .join(objects, objects.c.pk == alerts.c.object_pk)
        .where(alerts.c.id == alert_id, alerts.c.party_id == party_id, visible)
    ).first()
    return found is not None


def day_alerts(
    connection: Connection, visible: ColumnElement[bool], party_id: int, since: str, until: str
) -> list[Row[Any]]:
    """The party's real alerts raised in [since, until) on objects it may still see, not
    withdrawn, oldest first (an exercise's alerts are never in a digest)."""
    return list(
        connection.execute(
            select(*ALERT_COLUMNS)
            .join(objects, objects.c.pk == alerts.c.object_pk)
            .join(watches, watches.c.id == alerts.c.watch_id)
            .where(
                alerts.c.party_id == party_id,
                alerts.c.raised_at >= since,
                alerts.c.raised_at < until,
                alerts.c.withdrawn_at.is_(None),
                objects.c.deleted.is_(False),
                visible,
                watches.c.exercise.is_(None),
            )
            .order_by(alerts.c.number)
        )
    )


def party_codes(connection: Connection) -> dict[int, str]:
    return {row.id: row.code for row in connection.execute(select(parties.c.id, parties.c.code))}
