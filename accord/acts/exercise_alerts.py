"""Alerts inside an exercise: what counts for an "acknowledge an alert" expectation.

An exercise's objects raise alerts only on that exercise's watches (accord.acts.alerts), so
the role's party acknowledging an alert of its exercise watches is an answer; an
acknowledgement of a real alert never is, nor one of another exercise's. An alert on the
party's own publication counts only when that publication was an inject (the director's
party may hold a role): a party alerting itself on its own answer drills nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Set

from sqlalchemy import Connection

from accord.exercise.scope import scope_of
from accord.store import exercise_alerts as store


def acknowledged_in_time(
    connection: Connection,
    channel_name: str,
    party_id: int,
    inject_ids: Set[str],
    window: tuple[int, int],
    seconds_of: Callable[[str], int],
) -> tuple[int, str, str] | None:
    """The first acknowledgement by ``party_id`` of an alert of the exercise whose channel
    is ``channel_name``, made inside ``window`` (scenario seconds, ``seconds_of`` converts a
    stored time): (scenario second, time, "alert:N"), or None."""
    exercise = scope_of(channel_name)
    if exercise is None:
        return None
    start, deadline = window
    for ack in store.acknowledged(connection, exercise, party_id):
        if ack.origin_party_id == party_id and ack.stix_id not in inject_ids:
            continue
        seconds = seconds_of(ack.acknowledged_at)
        if start <= seconds <= deadline:
            return seconds, ack.acknowledged_at, f"alert:{ack.number}"
    return None


def purge_watches(connection: Connection, channel_name: str, at: str) -> int:
    """The exercise whose channel is ``channel_name`` is purged: its watches go with it (the
    alerts on its objects go with the channel); the audit keeps their record."""
    exercise = scope_of(channel_name)
    return 0 if exercise is None else store.purge_watches(connection, exercise, at)
