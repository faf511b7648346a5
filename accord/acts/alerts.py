"""Correlation and alerts when objects are stored.

Every door that stores (publish, a peer's page, ingestion, register publishing) passes
through :func:`on_stored`, in its transaction: the versions are queued (``alert_queue``),
and a revoked version, or a register subject every jurisdiction delisted, withdraws the
alerts on the object's earlier versions there and then (a deletion too:
:func:`withdraw_deleted`).

The matcher (:func:`match_pending`) takes the queue in order: it finds each version's keys
(its values, from patterns parsed with stix2-patterns; its names as the screening engine
reads them; its register subjects), writes them (one row per value, so the store grows
linearly in the objects sharing a value) and matches them against the watches, raising an
alert once per (watch, version), only for a party that may see the object when it is
matched, each queued in the webhook outbox in the same transaction, so that nothing is lost
or raised twice across a crash. Parsing patterns and screening names cost more than storing
an object, so publishing leaves them to the matcher: a thread of ``accord serve``, the
delivery worker, and every read of alerts or correlations, which first drains the queue.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Engine

from accord import audit
from accord.correlate.keys import analyse
from accord.correlate.values import Key
from accord.correlate.watchnames import watch_names
from accord.policy import Audience, recipients
from accord.stix.timestamps import now_timestamp
from accord.stix.validate import StixObject
from accord.store import correlation as store
from accord.store import exercise_alerts
from accord.store.directory import Party


def storage_kind(key: Key) -> str:
    """An IP network is stored apart from addresses ("ipv4-net"), for containment."""
    if key.kind in ("ipv4", "ipv6") and key.lo is not None and key.lo != key.hi:
        return key.kind + "-net"
    return key.kind


def on_stored(
    connection: Connection,
    party: Party,
    audience: Audience,
    stored: Sequence[StixObject],
    after_pk: int,
) -> None:
    """Queue the versions just stored (rows of ``party`` past ``after_pk``) for the
    matcher, and withdraw the alerts a revocation or a delisting ends."""
    if not stored:
        return
    written = store.rows_after(connection, after_pk, party.id)
    pks = {(r.stix_id, r.version_key): r.pk for r in written}
    placed = [
        (obj, pks[(obj.id, obj.version_key)]) for obj in stored if (obj.id, obj.version_key) in pks
    ]
    _withdraw_earlier(connection, party, placed)
    at = now_timestamp()
    store.queue(connection, [(pk, at) for obj, pk in placed if obj.correlate])


def _withdraw_earlier(
    connection: Connection, party: Party, placed: list[tuple[StixObject, int]]
) -> None:
    ending = {
        obj.id: ("revoked" if obj.revoked else "delisted")
        for obj, _ in placed
        if obj.revoked or obj.delisted
    }
    if ending:
        withdraw(connection, party.id, ending)


def withdraw(
    connection: Connection,
    origin_party_id: int,
    reasons: dict[str, str],
    *,
    deleted_only: bool = False,
) -> None:
    """Withdraw the alerts on these objects of ``origin_party_id`` (id -> why), and tell
    the webhooks that carried them."""
    found = store.alerts_on_object(connection, origin_party_id, reasons, deleted_only=deleted_only)
    if not found:
        return
    at = now_timestamp()
    by_reason: dict[str, list[int]] = {}
    for row in found:
        by_reason.setdefault(reasons[row.stix_id], []).append(row.id)
    for reason, ids in by_reason.items():
        store.withdraw(connection, ids, reason, at)
    real = [(row.id, row.party_id) for row in found if row.exercise is None]
    _enqueue(connection, real, "withdrawn")


def withdraw_deleted(connection: Connection, origin_party_id: int, stix_id: str) -> None:
    """Versions deleted by their originator: the alerts on them are withdrawn (and, deleted
    meaning gone, no longer shown at all)."""
    withdraw(connection, origin_party_id, {stix_id: "deleted"}, deleted_only=True)


LOG = logging.getLogger("accord.alerts")
#: Versions matched per transaction of :func:`match_pending` (the write lock is held
#: meanwhile: a batch takes a fraction of a second).
BATCH = 500


def match_pending(connection: Connection, limit: int = BATCH) -> int:
    """Correlate the oldest queued versions and match them against the watches, in the
    caller's transaction (under the write lock, so that alert numbers and the queue stay
    exact); how many versions were taken from the queue.

    Each version's keys (its values, names and register subjects) are written, so that it
    correlates with the others. It raises alerts if it is still the latest and undeleted
    version, and only for a party that may see it now; a revoked or delisted one raises
    none."""
    audit.lock_head(connection)
    queued = store.pending(connection, limit)
    if not queued:
        return 0
    keys: dict[int, tuple[Key, ...]] = {}
    names: dict[int, tuple[str, ...]] = {}
    texts: dict[int, tuple[str, str]] = {}
    ending: set[int] = set()
    rows: list[tuple[Any, ...]] = []
    for row in queued:
        if row.deleted:
            continue
        body = orjson.loads(row.body)
        found = analyse(body)
        keys[row.pk], names[row.pk] = found["keys"], found["names"]
        texts[row.pk] = (str(body.get("type")), _searchable(body))
        if found["delisted"] or body.get("revoked") is True or not row.is_latest:
            ending.add(row.pk)
        rows += [
            (row.pk, storage_kind(k), k.value, k.digest, k.lo, k.hi, k.source[:64])
            for k in found["keys"]
        ]
    store.insert_keys(connection, rows)
    live = [row for row in queued if row.pk in keys and row.pk not in ending]
    # An exercise's objects match only that exercise's watches, real ones only real watches.
    found_scopes = exercise_alerts.scopes(connection)
    scope = {
        row.pk: found_scopes.get(row.channel_id) if row.audience_kind == "channel" else None
        for row in live
    }
    found_matches = _matches(
        connection,
        live,
        {row.pk: keys[row.pk] for row in live},
        {row.pk: names[row.pk] for row in live},
        scope,
    )
    _query_matches(connection, live, texts, found_matches, scope)
    if found_matches:
        audiences: dict[tuple[str, int | None, int], set[int]] = {}
        alert_rows: list[dict[str, Any]] = []
        drill_rows: list[dict[str, Any]] = []
        raised = now_timestamp()
        by_pk = {row.pk: row for row in live}
        for (watch_id, pk), (watch_party, why) in sorted(found_matches.items()):
            row = by_pk[pk]
            sharing = (row.audience_kind, row.channel_id, row.origin_party_id)
            if sharing not in audiences:
                audience = Audience(row.audience_kind, row.channel_id)
                audiences[sharing] = recipients(connection, audience, row.origin_party_id)
            if watch_party not in audiences[sharing]:
                continue  # only a party that may see the object is told of it
            (drill_rows if scope[pk] is not None else alert_rows).append(
                {
                    "watch_id": watch_id,
                    "party_id": watch_party,
                    "object_pk": pk,
                    "stix_id": row.stix_id,
                    "reason": orjson.dumps(why).decode(),
                    "raised_at": raised,
                }
            )
        inserted = store.insert_alerts(connection, alert_rows)
        _enqueue(connection, inserted, "alert")
        # An exercise's alerts are never delivered to a webhook: a webhook feeds the party's
        # real systems, where a drill's indicator would be taken for a real one.
        store.insert_alerts(connection, drill_rows)
    store.dequeue(connection, [row.pk for row in queued])
    return len(queued)


def drain(engine: Engine) -> int:
    """Match everything queued, a batch per transaction; how many versions were matched."""
    total = 0
    while True:
        with engine.begin() as connection:
            done = match_pending(connection)
        total += done
        if done < BATCH:
            return total


def match_forever(engine: Engine, stop: threading.Event, interval: float = 0.2) -> None:
    """Drain the queue every ``interval`` seconds until ``stop`` is set (``accord serve``'s
    matcher thread). A failure is logged and retried at the next turn: the queue keeps
    what was not matched."""
    while not stop.is_set():
        try:
            drain(engine)
        except Exception:  # a broken turn must not end the thread; the queue holds the work
            LOG.exception("matching queued objects against the watches failed")
        stop.wait(interval)


def _matches(
    connection: Connection,
    live: list[Any],
    keys: dict[int, tuple[Key, ...]],
    names_by_pk: dict[int, tuple[str, ...]],
    scope: dict[int, str | None],
) -> dict[tuple[int, int], tuple[int, dict[str, Any]]]:
    """(watch, version) -> (the watch's party, why) for every watch the versions match: a
    version of an exercise (``scope``) only that exercise's watches, a real one real ones."""
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    found: dict[tuple[int, int], tuple[int, dict[str, Any]]] = {}
    digests: dict[int, list[tuple[int, Key]]] = {}
    for pk, held in keys.items():
        for key in held:
            digests.setdefault(key.digest, []).append((pk, key))
    if digests:
        for watch in store.watches_for_values(connection, sorted(digests), today):
            for pk, key in digests.get(watch.value_key, ()):
                if watch.exercise != scope[pk]:
                    continue
                if watch.value_kind in (key.kind, storage_kind(key)):
                    found.setdefault((watch.id, pk), (watch.party_id, _value_reason(watch, key)))
    addresses = [(pk, key) for pk, held in keys.items() for key in held if key.lo is not None]
    if addresses:
        for watch in store.range_watches(connection, today):
            family = watch.value_kind.removesuffix("-net")
            for pk, key in addresses:
                if watch.exercise != scope[pk]:
                    continue
                if key.kind == family and key.lo <= watch.hi and (key.hi or key.lo) >= watch.lo:
                    why = _value_reason(watch, key, how="inside the watched network")
                    found.setdefault((watch.id, pk), (watch.party_id, why))
    named = [(row.pk, names_by_pk[row.pk]) for row in live if names_by_pk[row.pk]]
    if named:
        index = watch_names(connection, today)
        for pk, names in named:
            for name in names:
                for watch_id, match in index.matches(name):
                    if index.exercise_of.get(watch_id) != scope[pk]:
                        continue
                    why = {
                        "part": "name",
                        "value": name,
                        "watched": match["name"],
                        "how": "screening",
                        "score": match["score"],
                        "calibration": match["calibration"],
                        "explanation": match["explanation"],
                    }
                    known = found.get((watch_id, pk))
                    if known is None or known[1].get("score", 2) < match["score"]:
                        found[(watch_id, pk)] = (index.party_of[watch_id], why)
    return found


def _searchable(body: dict[str, Any]) -> str:
    """What a saved query searches, as the object list's ``q`` does: name and description."""
    parts = [body.get("name"), body.get("description")]
    return "\n".join(p for p in parts if isinstance(p, str)).casefold()


def _query_matches(
    connection: Connection,
    live: list[Any],
    texts: dict[int, tuple[str, str]],
    found: dict[tuple[int, int], tuple[int, dict[str, Any]]],
    scope: dict[int, str | None],
) -> None:
    """Saved-query watches: the query's text in the name or description, of its types (of
    the watch's exercise, or real)."""
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    queries = store.query_watches(connection, today)
    for watch in queries:
        spec = orjson.loads(watch.value)
        types = set(spec.get("types") or ())
        for row in live:
            if watch.exercise != scope[row.pk]:
                continue
            stix_type, text = texts[row.pk]
            if (not types or stix_type in types) and spec["q"] in text:
                why = {"part": "name or description", "value": spec["q"], "how": "saved query"}
                found.setdefault((watch.id, row.pk), (watch.party_id, why))


def _value_reason(watch: Any, key: Key, how: str = "equal after normalising") -> dict[str, Any]:
    return {
        "part": key.source or key.kind,
        "kind": key.kind,
        "value": key.value,
        "watched": watch.value,
        "how": how,
    }


def _enqueue(connection: Connection, alerts: list[tuple[int, int]], event: str) -> None:
    """Queue each (alert, party) for the party's webhooks (an exercise's alert never)."""
    hooks = store.party_webhooks(connection, {party for _, party in alerts})
    if not hooks:
        return
    at = now_timestamp()
    store.enqueue(
        connection,
        [
            {
                "webhook_id": hook,
                "alert_id": alert,
                "event": event,
                "created_at": at,
                "next_attempt_at": at,
            }
            for alert, party in alerts
            for hook in hooks.get(party, ())
        ],
    )
