"""Correlation and alerts when objects are stored: every door that stores (publish, a peer's
page, ingestion, register publishing) passes through :func:`on_stored`, in its transaction.

For each stored version: its correlation keys are written (one row per value, so the store
grows linearly in the objects sharing a value); the watches its values, register subjects
and names match raise an alert for their party, once per (watch, version), if and only if
that party may see the object (:func:`accord.policy.recipients`); each alert is queued in the
outbox for its party's webhooks in the same transaction, so nothing is lost across a
restart. A revoked version, or a register subject every jurisdiction delisted, withdraws the
alerts on the object's earlier versions; a deletion withdraws them too
(:func:`withdraw_deleted`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection

from accord.correlate.values import Key
from accord.correlate.warnings import warnings_for
from accord.correlate.watchnames import watch_names
from accord.policy import Audience, recipients
from accord.stix.timestamps import now_timestamp
from accord.stix.validate import StixObject
from accord.store import correlation as store
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
) -> list[int]:
    """Correlate and alert on the versions just stored (rows of ``party`` past ``after_pk``);
    the ids of the alerts raised."""
    if not stored:
        return []
    pks = {
        (r.stix_id, r.version_key): r.pk for r in store.rows_after(connection, after_pk, party.id)
    }
    rows: list[tuple[Any, ...]] = []
    placed: list[tuple[StixObject, int]] = []
    for obj in stored:
        pk = pks.get((obj.id, obj.version_key))
        if pk is None:
            continue
        placed.append((obj, pk))
        for key in obj.keys:
            rows.append(
                (pk, storage_kind(key), key.value, key.digest, key.lo, key.hi, key.source[:64])
            )
    store.insert_keys(connection, rows)
    _withdraw_earlier(connection, party, placed)
    return _raise(connection, party, audience, placed)


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
    _enqueue(connection, [(row.id, row.party_id) for row in found], "withdrawn")


def withdraw_deleted(connection: Connection, origin_party_id: int, stix_id: str) -> None:
    """Versions deleted by their originator: the alerts on them are withdrawn (and, deleted
    meaning gone, no longer shown at all)."""
    withdraw(connection, origin_party_id, {stix_id: "deleted"}, deleted_only=True)


def _raise(
    connection: Connection,
    party: Party,
    audience: Audience,
    placed: list[tuple[StixObject, int]],
) -> list[int]:
    live = [(obj, pk) for obj, pk in placed if not obj.revoked and not obj.delisted]
    if not live:
        return []
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    found: dict[tuple[int, int], tuple[int, dict[str, Any]]] = {}  # (watch, pk) -> party, why

    digests: dict[int, list[tuple[int, Key]]] = {}
    for obj, pk in live:
        for key in obj.keys:
            digests.setdefault(key.digest, []).append((pk, key))
    for watch in store.watches_for_values(connection, sorted(digests), today):
        for pk, key in digests.get(watch.value_key, ()):
            if key.kind != watch.value_kind and storage_kind(key) != watch.value_kind:
                continue
            found.setdefault((watch.id, pk), (watch.party_id, _value_reason(watch, key)))
    ranges = (
        store.range_watches(connection, today)
        if any(key.lo is not None for obj, _ in live for key in obj.keys)
        else []
    )
    for watch in ranges:
        family = watch.value_kind.removesuffix("-net")
        for obj, pk in live:
            for key in obj.keys:
                if (
                    key.kind == family
                    and key.lo is not None
                    and key.hi is not None
                    and key.lo <= watch.hi
                    and key.hi >= watch.lo
                ):
                    why = _value_reason(watch, key, how="inside the watched network")
                    found.setdefault((watch.id, pk), (watch.party_id, why))
    if any(obj.names for obj, _ in live):
        names = watch_names(connection, today)
        for obj, pk in live:
            for name in obj.names:
                for watch_id, match in names.matches(name):
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
                        found[(watch_id, pk)] = (names.party_of[watch_id], why)
    if not found:
        return []
    # Only a party that may see the object is told of it.
    seeing = recipients(connection, audience, party.id)
    raised = now_timestamp()
    stix_ids = {pk: obj.id for obj, pk in live}
    rows = [
        {
            "watch_id": watch_id,
            "party_id": watch_party,
            "object_pk": pk,
            "stix_id": stix_ids[pk],
            "reason": orjson.dumps(why).decode(),
            "raised_at": raised,
        }
        for (watch_id, pk), (watch_party, why) in sorted(found.items())
        if watch_party in seeing
    ]
    inserted = store.insert_alerts(connection, rows)
    _enqueue(connection, inserted, "alert")
    return [alert_id for alert_id, _ in inserted]


def _value_reason(watch: Any, key: Key, how: str = "equal after normalising") -> dict[str, Any]:
    return {
        "part": key.source or key.kind,
        "kind": key.kind,
        "value": key.value,
        "watched": watch.value,
        "how": how,
    }


def _enqueue(connection: Connection, alerts: list[tuple[int, int]], event: str) -> None:
    """Queue each (alert, party) for the party's webhooks."""
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


def warned(key: Key) -> list[str]:
    """The MISP warning lists a value is on (values too common to correlate)."""
    return [w.list_name for w in warnings_for(key)]
