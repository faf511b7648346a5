"""Where an exercise stands, from its scenario and its recorded events (pure: no storage).

Scenario time is in seconds. An inject is due at its offset, or, when it waits on a
trigger, at the moment its expectation was met or missed plus its offset. An expectation's
clock starts when its ``after`` inject was sent (or at the start) and runs ``within``
seconds; it is met by the first answer inside that window, missed once the window closes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from accord.exercise.scenario import Expectation, Inject, Scenario


@dataclass(slots=True)
class Sent:
    seconds: int
    at: str
    objects: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Resolved:
    status: str  # met | missed
    seconds: int
    at: str
    points: int
    details: dict[str, Any]


@dataclass(slots=True)
class Progress:
    scenario: Scenario
    roles: dict[str, str]
    sent: dict[str, Sent]
    resolved: dict[str, Resolved]

    def started(self, expectation: Expectation) -> int | None:
        """Scenario second at which the expectation's clock started (None: not yet)."""
        if expectation.after is None:
            return 0
        sent = self.sent.get(expectation.after)
        return None if sent is None else sent.seconds

    def deadline(self, expectation: Expectation) -> int | None:
        start = self.started(expectation)
        return None if start is None else start + expectation.within

    def due(self, inject: Inject) -> int | None:
        """Scenario second at which the inject is due (None: its trigger has not fired)."""
        if inject.trigger is None:
            return inject.offset
        outcome, expectation_id = inject.trigger
        resolved = self.resolved.get(expectation_id)
        if resolved is None or resolved.status != outcome:
            return None
        return resolved.seconds + inject.offset

    def due_injects(self, now: int) -> list[Inject]:
        found = []
        for inject in self.scenario.injects:
            due = self.due(inject)
            if inject.id not in self.sent and due is not None and due <= now:
                found.append(inject)
        return found

    def open_expectations(self) -> list[Expectation]:
        """Expectations whose clock runs and that are neither met nor missed."""
        return [
            e
            for e in self.scenario.expectations
            if e.id not in self.resolved and self.started(e) is not None
        ]

    def inject_objects(self) -> set[str]:
        return {stix_id for sent in self.sent.values() for stix_id in sent.objects}

    def injects(self, now: int) -> list[dict[str, Any]]:
        out = []
        for inject in self.scenario.injects:
            sent = self.sent.get(inject.id)
            due = self.due(inject)
            out.append(
                {
                    "id": inject.id,
                    "title": inject.title,
                    "from": inject.sender,
                    "to": list(inject.to),
                    "status": "sent" if sent else ("due" if due is not None else "waiting"),
                    "due_seconds": due,
                    "sent_at": sent.at if sent else None,
                    "sent_seconds": sent.seconds if sent else None,
                }
            )
        return out

    def expectations(self) -> list[dict[str, Any]]:
        out = []
        for expectation in self.scenario.expectations:
            resolved = self.resolved.get(expectation.id)
            start = self.started(expectation)
            response = None
            if resolved is not None and resolved.status == "met" and start is not None:
                response = resolved.seconds - start
            out.append(
                {
                    "id": expectation.id,
                    "role": expectation.role,
                    "party": self.roles.get(expectation.role),
                    "do": expectation.kind,
                    "type": expectation.type,
                    "status": resolved.status if resolved else "pending",
                    "points": resolved.points if resolved else 0,
                    "max_points": expectation.points,
                    "started_seconds": start,
                    "deadline_seconds": self.deadline(expectation),
                    "target_seconds": expectation.within,
                    "resolved_at": resolved.at if resolved else None,
                    "resolved_seconds": resolved.seconds if resolved else None,
                    "response_seconds": response,
                    "by": resolved.details.get("by") if resolved else None,
                    "object": resolved.details.get("object") if resolved else None,
                }
            )
        return out

    def scores(self) -> dict[str, dict[str, int]]:
        """Per party: points won, points possible, expectations met and missed."""
        out: dict[str, dict[str, int]] = {}
        for item in self.expectations():
            party = str(item["party"])
            score = out.setdefault(party, {"points": 0, "max_points": 0, "met": 0, "missed": 0})
            score["points"] += int(item["points"])
            score["max_points"] += int(item["max_points"])
            if item["status"] in ("met", "missed"):
                score[str(item["status"])] += 1
        return out


def progress_of(scenario: Scenario, roles: dict[str, str], events: list[Any]) -> Progress:
    """Rebuild the progress from the exercise's event rows (in order)."""
    import orjson

    sent: dict[str, Sent] = {}
    resolved: dict[str, Resolved] = {}
    for row in events:
        details = orjson.loads(row.details)
        if row.kind == "inject" and row.status == "sent":
            sent[row.item] = Sent(row.scenario_seconds, row.at, list(details.get("objects", [])))
        elif row.kind == "expectation" and row.item not in resolved:
            resolved[row.item] = Resolved(
                row.status, row.scenario_seconds, row.at, row.points, details
            )
    return Progress(scenario, roles, sent, resolved)
