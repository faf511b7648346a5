"""The EXERCISE marking and the objects an inject publishes.

Every object an exercise publishes carries, visibly:

* the exercise's STIX marking definition (a statement marking, ``EXERCISE``, one per
  exercise, id derived from its name) in ``object_marking_refs``;
* the MISP ``exercise`` taxonomy's machine tag as a label (SDOs and SROs; cyber-observables
  have no labels in STIX 2.1, and carry the marking only).

An inject's ids are derived per exercise (UUIDv5 of the exercise and the scenario's id), and
references inside the bundle follow, so that two runs of one scenario never collide and an
exercise's objects never share an id with real intelligence.
"""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

#: Namespace of the ids Accord derives for exercises.
NAMESPACE = uuid.UUID("4f1e5b8a-2c3d-4e6f-9a0b-1c2d3e4f5a6b")
#: STIX types without ``labels`` (cyber-observables and meta objects).
NO_LABELS = {
    "artifact",
    "autonomous-system",
    "directory",
    "domain-name",
    "email-addr",
    "email-message",
    "file",
    "ipv4-addr",
    "ipv6-addr",
    "mac-addr",
    "mutex",
    "network-traffic",
    "process",
    "software",
    "url",
    "user-account",
    "windows-registry-key",
    "x509-certificate",
    "marking-definition",
    "language-content",
    "extension-definition",
}


def tag(exercise: str) -> str:
    """The MISP taxonomy machine tag of an exercise (namespace ``exercise``)."""
    return f'exercise:accord="{exercise}"'


def marking_id(exercise: str) -> str:
    return f"marking-definition--{uuid.uuid5(NAMESPACE, 'marking:' + exercise)}"


def marking_definition(exercise: str, created: str) -> dict[str, Any]:
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": marking_id(exercise),
        "created": created,
        "name": f"EXERCISE {exercise}",
        "definition_type": "statement",
        "definition": {
            "statement": f"EXERCISE EXERCISE EXERCISE - {exercise}: not real intelligence"
        },
    }


def is_marked(body: dict[str, Any], exercise: str) -> bool:
    return marking_id(exercise) in (body.get("object_marking_refs") or [])


def derived_id(exercise: str, stix_id: str) -> str:
    kind = stix_id.split("--", 1)[0]
    return f"{kind}--{uuid.uuid5(NAMESPACE, exercise + ':' + stix_id)}"


def inject_objects(
    exercise: str, objects: tuple[dict[str, Any], ...], created: str
) -> list[dict[str, Any]]:
    """The objects an inject publishes: the marking definition first, then the scenario's
    objects under derived ids, marked and labelled."""
    renamed = {
        str(o["id"]): derived_id(exercise, str(o["id"])) for o in objects if isinstance(o, dict)
    }
    marked: list[dict[str, Any]] = [marking_definition(exercise, created)]
    mark = marking_id(exercise)
    for item in objects:
        body = _renamed(copy.deepcopy(item), renamed)
        refs = [r for r in body.get("object_marking_refs") or [] if r != mark]
        body["object_marking_refs"] = [*refs, mark]
        if body.get("type") not in NO_LABELS:
            labels = [label for label in body.get("labels") or [] if label != tag(exercise)]
            body["labels"] = [*labels, tag(exercise)]
        marked.append(body)
    return marked


def _renamed(value: Any, renamed: dict[str, str]) -> Any:
    if isinstance(value, str):
        return renamed.get(value, value)
    if isinstance(value, list):
        return [_renamed(v, renamed) for v in value]
    if isinstance(value, dict):
        return {k: _renamed(v, renamed) for k, v in value.items()}
    return value


# --- Scenario time -----------------------------------------------------------------------


def parse_stamp(text: str) -> datetime:
    """A stored timestamp (``...Z``, or an object's added key) as an aware datetime."""
    cleaned = text.rstrip("Z")
    if "." in cleaned:
        head, fraction = cleaned.split(".", 1)
        cleaned = f"{head}.{fraction[:6]}"
    return datetime.fromisoformat(cleaned).replace(tzinfo=UTC)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def scenario_seconds(
    moment: datetime, *, start: datetime, speed: int, paused_ms: int, paused_at: datetime | None
) -> int:
    """Scenario time at wall time ``moment``: wall time since the start, less the time spent
    paused (a pause in progress stops the clock), times the speed."""
    if paused_at is not None and moment > paused_at:
        moment = paused_at
    elapsed = moment - start - timedelta(milliseconds=paused_ms)
    return max(0, int(elapsed.total_seconds() * speed))


def wall_time(seconds: int, *, start: datetime, speed: int, paused_ms: int) -> datetime:
    """The wall time at which scenario time reaches ``seconds`` (pauses so far included)."""
    return start + timedelta(milliseconds=paused_ms) + timedelta(seconds=seconds / speed)
