"""Delivering alerts to a party's webhooks: signing, sending, backing off.

The outbox (``deliveries``) is written in the transaction that raised or withdrew an alert
(:mod:`accord.acts.alerts`), so nothing is lost across a restart. A worker
(:func:`deliver_once`, looped by :func:`deliver_forever`) takes the due rows in a short
transaction and leases them (``next_attempt_at`` moves past the time their sending can
take, renewed while it works), POSTs each to its webhook's URL, and records the answer in a
transaction of its own, committed right after:

- a 2xx answer is the receiver's acknowledgement: ``delivered_at`` is set;
- anything else (refused, timed out, a non-2xx or a redirect, which is never followed)
  counts an attempt, keeps a short ``last_error`` and backs off (2**attempts seconds, capped
  at an hour, with jitter); after ``max_attempts`` the row stays, with its error, and is
  retried no more (``webhook list`` shows it).

**At least once, with an idempotency key.** If the worker dies after the receiver answered
2xx but before the commit, that one delivery is sent again once its lease runs out, with the
same ``X-Accord-Delivery`` key; once committed it is never sent again. Receivers drop
duplicates by that key. The key is ``<alert number>-<event>`` ("17-alert", "17-withdrawn"):
the alert's number in its party, never the outbox's node-wide row id, whose gaps would
count the other parties' deliveries.

**Order.** A webhook's rows are sent in id order; a row waiting (backing off) holds back the
webhook's later rows. On PostgreSQL the worker locks the webhooks it claims (``FOR UPDATE
SKIP LOCKED``), so several workers may run and never send one row at once; on SQLite run one
worker per database (``accord serve`` or ``accord deliver``, not both).

**Nothing the party may no longer see.** Before an "alert" event is sent, the alert is read
again through :func:`accord.policy.visible_to`: if the party left the channel, the object was
deleted or the alert withdrawn, the row is settled with "withdrawn before delivery" and
nothing is sent. A "withdrawn" event goes only to a webhook that was given the alert, and
only while the party may still see the alerted version.

**Signature.** ``X-Accord-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes under the
webhook's secret>``; :func:`verify` is what a receiver does.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
from sqlalchemy import Engine, Row

from accord.acts import alerts as alert_acts
from accord.acts.watches import alert_json
from accord.policy import visible_to
from accord.store import correlation
from accord.store import webhooks as store

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
SIGNATURE_HEADER = "X-Accord-Signature"
DELIVERY_HEADER = "X-Accord-Delivery"
EVENT_HEADER = "X-Accord-Event"
#: Why a row was settled without being sent.
WITHDRAWN_BEFORE = "withdrawn before delivery"
NEVER_GIVEN = "alert never delivered to this webhook"


def utc_now() -> datetime:
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    """A timestamp as the store keeps them (:func:`accord.stix.timestamps.now_timestamp`)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def sign(secret: str, body: bytes) -> str:
    """The ``X-Accord-Signature`` value of ``body``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """A receiver's check: does ``signature`` sign exactly ``body`` under ``secret``?"""
    return hmac.compare_digest(sign(secret, body), signature)


def delivery_key(alert_number: int, event: str) -> str:
    return f"{alert_number}-{event}"


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    timeout: float = 10.0
    max_attempts: int = 12
    backoff_cap: float = 3600.0
    #: How long a claim holds rows before another worker (or a restarted one) may take them.
    lease: float = 60.0
    per_webhook: int = 20

    def backoff(self, attempts: int) -> timedelta:
        base = min(2.0 ** min(attempts, 30), self.backoff_cap)
        return timedelta(seconds=base * (1 + random.uniform(0, 0.1)))


@dataclass
class DeliveryRound:
    sent: int = 0
    failed: int = 0
    settled: int = 0
    errors: list[str] = field(default_factory=list)


def _body(engine: Engine, row: Row[Any], at: str) -> bytes | None:
    """The body to send, or None when the row was settled without sending (committed)."""
    with engine.begin() as connection:
        visible = visible_to(row.party_id)
        if row.event == "alert":
            alert = correlation.alert_by_number(connection, visible, row.party_id, row.alert_number)
            # An exercise's alert is never queued for a webhook; if one were, it is not sent.
            if alert is None or alert.withdrawn_at is not None or alert.watch_exercise:
                store.mark_done(connection, row.id, at, WITHDRAWN_BEFORE)
                return None
            payload: dict[str, Any] = alert_json(alert, store.party_codes(connection))
        else:
            if not store.alert_seen(connection, visible, row.party_id, row.alert_id):
                store.mark_done(connection, row.id, at, WITHDRAWN_BEFORE)
                return None
            if not store.alert_event_delivered(connection, row.webhook_id, row.alert_id):
                store.mark_done(connection, row.id, at, NEVER_GIVEN)
                return None
            payload = {"id": row.alert_number, "withdrawn": row.alert_withdrawn}
    key = delivery_key(row.alert_number, row.event)
    return orjson.dumps({"event": row.event, "delivery": key, "alert": payload})


def _send(client: httpx.Client, row: Row[Any], body: bytes, timeout: float) -> str | None:
    """POST one delivery; None on a 2xx, else a short error."""
    headers = {
        "Content-Type": "application/json",
        DELIVERY_HEADER: delivery_key(row.alert_number, row.event),
        SIGNATURE_HEADER: sign(row.secret, body),
        EVENT_HEADER: row.event,
    }
    try:
        response = client.post(row.url, content=body, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"[:200]
    if 200 <= response.status_code < 300:
        return None
    if 300 <= response.status_code < 400:
        return f"HTTP {response.status_code} (redirects are not followed)"
    return f"HTTP {response.status_code}"


def deliver_once(
    engine: Engine,
    *,
    client: httpx.Client | None = None,
    now: Clock = utc_now,
    policy: DeliveryPolicy = DeliveryPolicy(),
) -> DeliveryRound:
    """One round: match what the matcher has queued (its alerts join the outbox), claim
    what is due, send it webhook by webhook, record each answer."""
    result = DeliveryRound()
    alert_acts.drain(engine)
    lease = timedelta(seconds=policy.lease)
    started = now()
    lease_until = started + lease
    with engine.begin() as connection:
        rows = store.claim(
            connection,
            stamp(started),
            stamp(lease_until),
            max_attempts=policy.max_attempts,
            per_webhook=policy.per_webhook,
        )
    if not rows:
        return result
    by_hook: dict[int, list[Row[Any]]] = {}
    for row in rows:
        by_hook.setdefault(row.webhook_id, []).append(row)
    outstanding = {row.id for row in rows}
    own = client or httpx.Client(follow_redirects=False, trust_env=False)
    try:
        for hook_rows in by_hook.values():
            for index, row in enumerate(hook_rows):
                moment = now()
                if moment + timedelta(seconds=policy.timeout + 5) > lease_until:
                    lease_until = moment + lease  # renew what this round still holds
                    with engine.begin() as connection:
                        store.lease(connection, outstanding, stamp(lease_until))
                outstanding.discard(row.id)
                body = _body(engine, row, stamp(moment))
                if body is None:
                    result.settled += 1
                    continue
                error = _send(own, row, body, policy.timeout)
                moment = now()
                with engine.begin() as connection:
                    if error is None:
                        store.mark_done(connection, row.id, stamp(moment), None)
                        result.sent += 1
                        continue
                    retry = moment + policy.backoff(row.attempts + 1)
                    store.mark_failed(connection, row.id, error, stamp(retry))
                    # The webhook's later rows wait behind this one (due, but held back).
                    rest = [r.id for r in hook_rows[index + 1 :]]
                    store.lease(connection, rest, stamp(moment))
                    outstanding.difference_update(rest)
                result.failed += 1
                result.errors.append(error)
                log.info("webhook delivery %s failed: %s", row.id, error)
                break
    finally:
        if client is None:
            own.close()
    return result


def deliver_forever(
    engine: Engine,
    stop: threading.Event,
    *,
    interval: float = 5.0,
    policy: DeliveryPolicy = DeliveryPolicy(),
    on_round: Callable[[DeliveryRound], None] | None = None,
) -> None:
    """Deliver until ``stop`` is set, waiting ``interval`` seconds when nothing was due."""
    with httpx.Client(follow_redirects=False, trust_env=False) as client:
        while not stop.is_set():
            try:
                done = deliver_once(engine, client=client, policy=policy)
            except Exception:  # a database hiccup must not end the worker
                log.exception("webhook delivery round failed")
                done = DeliveryRound()
            if on_round is not None and (done.sent or done.failed or done.settled):
                on_round(done)
            if not (done.sent or done.settled):
                stop.wait(interval)
