"""The after-action report of an exercise (its director's): the act gathers the figures
from the recorded events; accord.exercise.report renders them (HTML, PDF, JSON)."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection

from accord import audit
from accord.acts.admin import actor_of
from accord.acts.exercise_clock import _progress
from accord.acts.exercises import director_access, shared_record
from accord.exercise import report as rendering
from accord.policy import Principal
from accord.store import directory
from accord.store import exercises as store


def report(connection: Connection, principal: Principal, name: str) -> dict[str, Any]:
    """Objectives, timeline, per-party scores and response times against the targets, what
    was shared with whom and when, missed expectations, lessons learned."""
    row = director_access(connection, principal, name)
    progress = _progress(connection, row)
    expectations = progress.expectations()
    codes = directory.party_codes(connection)
    events = store.events(connection, row.id)
    timeline = [
        {
            "kind": event.kind,
            "item": event.item,
            "status": event.status,
            "at": event.at,
            "scenario_seconds": event.scenario_seconds,
            "party": codes.get(event.party_id) if event.party_id else None,
            "points": event.points,
        }
        for event in events
        if event.kind in ("inject", "expectation")
    ]
    # Who entered a lesson is shown to its own party only: another party's (and the
    # operator's) report names the party, never which of its people.
    own = principal.account.party.id if principal.account is not None else None
    lessons = [
        {
            "party": codes.get(event.party_id),
            "at": event.at,
            **{
                k: v
                for k, v in orjson.loads(event.details).items()
                if k == "text" or (k == "account" and event.party_id == own)
            },
        }
        for event in events
        if event.kind == "lesson"
    ]
    shared, members = shared_record(connection, row)
    audit.append(connection, actor_of(principal), "exercise.report", target=name)
    return {
        "name": row.name,
        "scenario": progress.scenario.name,
        "title": progress.scenario.title,
        "objectives": list(progress.scenario.objectives),
        "state": row.state,
        "speed": row.speed,
        "start": row.start_at,
        "ended": row.ended_at,
        "roles": progress.roles,
        "injects": progress.injects(0),
        "expectations": expectations,
        "scores": progress.scores(),
        "missed": [e for e in expectations if e["status"] == "missed"],
        "timeline": timeline,
        "shared": shared,
        "shared_with": members,
        "lessons": lessons,
    }


def render(body: dict[str, Any], format: str) -> bytes:
    return rendering.render(body, format)
