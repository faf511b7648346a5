"""The exercise clock, and reading and marking an exercise's progress.

:func:`tick` is the clock's one step, for every live exercise at wall time ``now`` (given,
so tests run scenarios at any speed): it sends the injects that are due through the one
publish path (:func:`accord.acts.publish.publish_objects`, door ``exercise``, as the
director's account, into the exercise's channel, with the scenario's TLP and the EXERCISE
marking on every object), reads the answers stored in the exercise's channel since the last
step (published here or received from a peer, exactly as real intelligence), counts those
that meet an open expectation, records the expectations whose time ran out as missed, and
sends the injects those outcomes trigger. Each exercise's step is one transaction.

:func:`run_clock` is the loop ``accord serve`` runs in a thread until its stop event.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, Row

from accord import audit
from accord.acts.admin import actor_of
from accord.acts.exercise_alerts import acknowledged_in_time
from accord.acts.exercises import (
    access,
    channel_plan,
    director_access,
    role_parties,
    scenario_from_row,
)
from accord.acts.publish import LOCAL_NODE, PublishReport, publish_objects
from accord.errors import refused
from accord.exercise import marking
from accord.exercise.progress import Progress, progress_of
from accord.exercise.scenario import Expectation, Inject
from accord.policy import Principal
from accord.store import directory
from accord.store import exercises as store

LOG = logging.getLogger("accord.exercise")
#: Rounds of trigger resolution per step (a chain of triggers settles within them).
ROUNDS = 16


def tick(engine: Engine, now: datetime, *, node: str = LOCAL_NODE) -> int:
    """One step of every live exercise; how many events it recorded."""
    with engine.connect() as connection:
        live = [row.id for row in store.exercise_rows(connection, live_only=True)]
    recorded = 0
    for exercise_id in live:
        with engine.begin() as connection:
            recorded += step(connection, exercise_id, now, node=node)
    return recorded


def _progress(
    connection: Connection, row: Row[Any], stored: list[Row[Any]] | None = None
) -> Progress:
    scenario = scenario_from_row(store.scenario_by_id(connection, row.scenario_id))
    if stored is None:
        stored = store.events(connection, row.id)
    return progress_of(scenario, role_parties(connection, row), stored)


def _seconds(row: Row[Any], moment: datetime) -> int:
    paused = marking.parse_stamp(row.paused_at) if row.paused_at else None
    return marking.scenario_seconds(
        moment,
        start=marking.parse_stamp(row.start_at),
        speed=row.speed,
        paused_ms=row.paused_ms,
        paused_at=paused,
    )


def step(connection: Connection, exercise_id: int, now: datetime, *, node: str) -> int:
    row = store.lock_exercise(connection, exercise_id)
    if row.state == "scheduled":
        if now < marking.parse_stamp(row.start_at):
            return 0
        store.update_exercise(connection, row.id, {"state": "running"})
    elif row.state != "running":
        return 0
    stored = store.events(connection, row.id)
    progress = _progress(connection, row, stored)
    current = _seconds(row, now)
    director = directory.get_account(connection, store.account_name(connection, row.account_id))
    if not directory.usable(director) or not store.is_director(connection, director.id):
        # Injects are published as the director: without a usable director nothing is sent,
        # and the exercise waits (paused) for another director of its party to resume it.
        at = marking.stamp(now)
        store.update_exercise(connection, row.id, {"state": "paused", "paused_at": at})
        store.add_events(
            connection,
            [
                _event(
                    row.id,
                    "state",
                    "pause",
                    "pause",
                    at,
                    current,
                    details={"why": "the director cannot act"},
                )
            ],
        )
        return 1
    codes = directory.party_codes(connection)
    events: list[dict[str, Any]] = []

    def record(kind: str, item: str, status: str, seconds: int, **extra: Any) -> None:
        at = extra.pop("at", marking.stamp(now))
        events.append(_event(row.id, kind, item, status, at, seconds, **extra))

    def rebuild() -> Progress:
        rows = [*stored, *(_EventRow(e) for e in events)]
        return progress_of(progress.scenario, progress.roles, rows)

    channels = channel_plan(connection, row)
    answers = store.answers(connection, _channel_ids(connection, channels.names()), row.seen_pk)
    for _ in range(ROUNDS):
        changed = False
        for inject in progress.due_injects(current):
            audience = channels.of_inject[inject.id]
            published = _send(connection, row, director, inject, audience, node)
            accepted = [r.id for r in published.results if r.status != "rejected" and r.id]
            refusals = [e.as_dict() for e in published.errors]
            record(
                "inject",
                inject.id,
                "sent",
                current,
                details={"objects": accepted, "to": list(inject.to), "refused": refusals},
            )
            progress = rebuild()
            changed = True
        inject_ids = progress.inject_objects()
        for expectation in progress.open_expectations():
            party_code = progress.roles[expectation.role]
            found = _answer(connection, row, expectation, progress, answers, inject_ids, codes)
            if found is not None:
                seconds, at, stix_id = found
                record(
                    "expectation",
                    expectation.id,
                    "met",
                    seconds,
                    at=at,
                    points=expectation.points,
                    party_id=_party_id(codes, party_code),
                    details={"by": "observed", "object": stix_id},
                )
                changed = True
            elif (deadline := progress.deadline(expectation)) is not None and current > deadline:
                record(
                    "expectation",
                    expectation.id,
                    "missed",
                    deadline,
                    party_id=_party_id(codes, party_code),
                    details={"by": "clock"},
                )
                changed = True
            if changed:
                progress = rebuild()
        if not changed:
            break
    if answers:
        store.update_exercise(connection, row.id, {"seen_pk": max(a.pk for a in answers)})
    store.add_events(connection, events)
    return len(events)


def _event(
    exercise_id: int,
    kind: str,
    item: str,
    status: str,
    at: str,
    seconds: int,
    *,
    points: int = 0,
    party_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One exercise event row, as :func:`accord.store.exercises.add_events` takes it."""
    return {
        "exercise_id": exercise_id,
        "kind": kind,
        "item": item,
        "status": status,
        "at": at,
        "scenario_seconds": seconds,
        "points": points,
        "party_id": party_id,
        "details": orjson.dumps(details or {}).decode(),
    }


class _EventRow:
    """A recorded-but-not-yet-stored event, read like a stored one."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _party_id(codes: dict[int, str], code: str) -> int | None:
    return next((pid for pid, c in codes.items() if c == code), None)


def _channel_ids(connection: Connection, names: list[str]) -> list[int]:
    return [directory.get_channel(connection, name).id for name in names]


def _send(
    connection: Connection,
    row: Row[Any],
    director: directory.Account,
    inject: Inject,
    audience: str,
    node: str,
) -> PublishReport:
    """Publish an inject to its channel (its recipients' and the director's party's). The
    exercise's marking definition goes to the exercise's own channel, which every role
    party reads (an object keeps the audience of its first version)."""
    objects = marking.inject_objects(row.name, inject.objects, row.created_at)
    target = f"exercise:{row.name}#{inject.id}"
    if audience != row.channel_name:
        definition, objects = objects[:1], objects[1:]
        publish_objects(
            connection,
            director,
            definition,
            audience=row.channel_name,
            tlp=inject.tlp,
            door="exercise",
            target=target,
            node=node,
        )
    return publish_objects(
        connection,
        director,
        objects,
        audience=audience,
        tlp=inject.tlp,
        door="exercise",
        target=target,
        node=node,
    )


def _answer(
    connection: Connection,
    row: Row[Any],
    expectation: Expectation,
    progress: Progress,
    answers: list[Row[Any]],
    inject_ids: set[str],
    codes: dict[int, str],
) -> tuple[int, str, str] | None:
    """The first answer that meets an open expectation: (scenario second, time, object)."""
    start = progress.started(expectation)
    deadline = progress.deadline(expectation)
    if start is None or deadline is None or expectation.kind == "manual":
        return None
    code = progress.roles[expectation.role]
    if expectation.kind == "acknowledge":
        party_id = _party_id(codes, code)
        if party_id is None:
            return None
        return acknowledged_in_time(
            connection,
            row.channel_name,
            party_id,
            inject_ids,
            (start, deadline),
            lambda at: _seconds(row, marking.parse_stamp(at)),
        )
    wanted = "sighting" if expectation.kind == "sighting" else expectation.type
    for answer in answers:
        if codes.get(answer.origin_party_id) != code or answer.type != wanted:
            continue
        if answer.stix_id in inject_ids:
            continue
        moment = marking.parse_stamp(answer.added_key)
        seconds = _seconds(row, moment)
        if start <= seconds <= deadline:
            return seconds, marking.stamp(moment), answer.stix_id
    return None


def run_clock(
    engine: Engine,
    stop: threading.Event,
    *,
    interval: float = 1.0,
    node: str = LOCAL_NODE,
    clock: Callable[[], datetime] = directory.utc_now,
) -> None:
    """Step every live exercise each ``interval`` seconds until ``stop`` is set."""
    while not stop.is_set():
        try:
            tick(engine, clock(), node=node)
        except Exception:  # the loop outlives one bad step; the next retries it
            LOG.exception("exercise clock step failed")
        stop.wait(interval)


# --- Reading and marking -----------------------------------------------------------------


def status(
    connection: Connection, principal: Principal, name: str, now: datetime | None = None
) -> dict[str, Any]:
    """The director's view (everything), or a player's (its injects, its expectations)."""
    row, view = access(connection, principal, name)
    progress = _progress(connection, row)
    moment = now or directory.utc_now()
    current = _seconds(row, moment) if row.state in ("running", "paused") else 0
    injects = progress.injects(current)
    expectations = progress.expectations()
    planned = channel_plan(connection, row)
    channels = planned.channels
    for inject in injects:
        inject["channel"] = planned.of_inject.get(inject["id"])
    if view == "player":
        assert principal.account is not None
        code = principal.account.party.code
        mine = {r for r, party in progress.roles.items() if party == code}
        injects = [i for i in injects if i["status"] == "sent" and mine & set(i["to"])]
        expectations = [e for e in expectations if e["role"] in mine]
        channels = tuple(c for c in channels if code in c.members)
    audit.append(connection, actor_of(principal), "exercise.status", target=name)
    body: dict[str, Any] = {
        "name": row.name,
        "scenario": progress.scenario.name,
        "title": progress.scenario.title,
        "state": row.state,
        "view": view,
        "speed": row.speed,
        "start": row.start_at,
        "scenario_seconds": current,
        "channel": row.channel_name,
        # The exercise's channels this view may know of (a player: its party's), with the
        # roles each is for: an inject is published to the one of exactly its recipients.
        "channels": [{"name": c.name, "roles": list(c.roles)} for c in channels],
        "injects": injects,
        "expectations": expectations,
    }
    if view == "director":
        body["roles"] = progress.roles
        body["scores"] = progress.scores()
    return body


def mark(
    connection: Connection,
    principal: Principal,
    name: str,
    expectation_id: str,
    outcome: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The director marks an open expectation met or missed (a free task, or a judgement)."""
    row = director_access(connection, principal, name)
    row = store.lock_exercise(connection, row.id)
    if outcome not in ("met", "missed"):
        raise refused("status", f"{outcome!r}: expected met or missed")
    progress = _progress(connection, row)
    expectation = next((e for e in progress.scenario.expectations if e.id == expectation_id), None)
    if expectation is None:
        raise refused("expectation", f"no expectation {expectation_id!r} in this exercise")
    if expectation_id in progress.resolved:
        raise refused(
            "expectation",
            f"{expectation_id!r} is already {progress.resolved[expectation_id].status}",
        )
    if progress.started(expectation) is None:
        raise refused("expectation", f"{expectation_id!r} has not started (its inject is not sent)")
    moment = now or directory.utc_now()
    codes = directory.party_codes(connection)
    store.add_events(
        connection,
        [
            {
                "exercise_id": row.id,
                "kind": "expectation",
                "item": expectation_id,
                "status": outcome,
                "at": marking.stamp(moment),
                "scenario_seconds": _seconds(row, moment),
                "points": expectation.points if outcome == "met" else 0,
                "party_id": _party_id(codes, progress.roles[expectation.role]),
                "details": orjson.dumps({"by": "director"}).decode(),
            }
        ],
    )
    audit.append(
        connection,
        actor_of(principal),
        "exercise.mark",
        target=name,
        details={"expectation": expectation_id, "status": outcome},
    )
    return {"expectation": expectation_id, "status": outcome}


def add_lesson(
    connection: Connection, principal: Principal, name: str, text: str, now: datetime | None = None
) -> None:
    """A player (or the director) enters a lesson learned."""
    row, _ = access(connection, principal, name)
    if principal.account is None:
        raise refused("account", "lessons are entered by an account (a player or director)")
    cleaned = text.strip()
    if not cleaned or len(cleaned) > 10_000:
        raise refused("text", "expected 1 to 10,000 characters")
    moment = now or directory.utc_now()
    store.add_events(
        connection,
        [
            {
                "exercise_id": row.id,
                "kind": "lesson",
                "item": "lesson",
                "status": "entered",
                "at": marking.stamp(moment),
                "scenario_seconds": 0,
                "points": 0,
                "party_id": principal.account.party.id,
                "details": orjson.dumps(
                    {"text": cleaned, "account": principal.account.name}
                ).decode(),
            }
        ],
    )
    audit.append(connection, actor_of(principal), "exercise.lesson", target=name)
