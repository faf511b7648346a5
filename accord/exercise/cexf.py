"""MISP's Common Exercise Format (CEXF) to and from Accord scenarios.

CEXF has four keys: ``exercise`` (metadata), ``inject_flow`` (when each inject goes:
``startex``, or ``inject-resolution`` of an earlier inject's evaluation), ``inject_payloads``
(what an inject carries) and ``injects`` (an action, its payload, and ``inject_evaluation``:
results with a ``score_range``). What maps:

=========================  =============================================================
Accord                     CEXF
=========================  =============================================================
name, title, objectives    exercise.meta.accord_name, exercise.name, exercise.expanded
roles                      exercise.meta.roles (CEXF has no roles: imported files without
                           them get ``director`` and ``players``)
inject                     injects[] (action ``publish_stix_bundle``, target_tool Accord),
                           its bundle an inject_payloads[] entry of type ``stix-bundle``
at (+offset)               inject_flow[].timing.triggered_at (seconds), trigger startex
when {met: E}              trigger ``inject-resolution``, requirements {inject_uuid of E's
                           inject, resolution_requirement: E}; ``missed`` has no CEXF
                           word and travels as requirements.x_accord_outcome
expectation                inject_evaluation[] of its ``after`` inject: result (its id),
                           parameters [{"accord": {...}}], score_range [0, points]
=========================  =============================================================

An imported CEXF payload that is not a STIX bundle becomes a STIX ``note`` carrying the
payload's parameters, and an evaluation without Accord parameters becomes a free task
(``manual``) the director marks, worth the top of its score range, within one hour.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from accord.errors import FieldError, ValidationFailed

NAMESPACE = uuid.UUID("9e0c7d2a-5b1f-4c3e-8a6d-0f1e2d3c4b5a")
KEYS = ("exercise", "inject_flow", "inject_payloads", "injects")


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(parts)))


def is_cexf(data: Any) -> bool:
    return isinstance(data, dict) and all(key in data for key in KEYS)


def to_scenario_bytes(raw: bytes) -> bytes:
    """A CEXF file as an Accord scenario's bytes; anything else unchanged."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return raw
    return orjson.dumps(to_scenario(data)) if is_cexf(data) else raw


def from_scenario(scenario: dict[str, Any]) -> dict[str, Any]:
    """An Accord scenario (as imported, already checked) as CEXF."""
    name = str(scenario["name"])
    inject_uuid = {i["id"]: _uuid(name, "inject", i["id"]) for i in scenario["injects"]}
    owner = {}  # expectation id -> the inject whose evaluation carries it
    for expectation in scenario.get("expectations", []):
        owner[expectation["id"]] = expectation.get("after") or scenario["injects"][0]["id"]
    injects, payloads, flow = [], [], []
    for inject in scenario["injects"]:
        payload_uuid = _uuid(name, "payload", inject["id"])
        payloads.append(
            {
                "uuid": payload_uuid,
                "name": inject["id"],
                "type": "stix-bundle",
                "parameters": {
                    "bundle": inject["bundle"],
                    "from": inject["from"],
                    "to": inject["to"],
                    "tlp": inject.get("tlp", "amber"),
                },
            }
        )
        evaluations = [
            {
                "result": e["id"],
                "parameters": [{"accord": {k: v for k, v in e.items() if k != "points"}}],
                "score_range": [0, int(e.get("points", 0))],
            }
            for e in scenario.get("expectations", [])
            if owner[e["id"]] == inject["id"]
        ]
        injects.append(
            {
                "uuid": inject_uuid[inject["id"]],
                "name": inject.get("title") or inject["id"],
                "action": "publish_stix_bundle",
                "action_payload_resource_uuid": payload_uuid,
                "target_tool": "Accord",
                "inject_evaluation": evaluations,
                "x_accord_id": inject["id"],
                "x_accord_title": inject.get("title", ""),
            }
        )
        step: dict[str, Any] = {
            "inject_uuid": inject_uuid[inject["id"]],
            "timing": {"triggered_at": _seconds(inject.get("at", "+0s"))},
            "trigger": "startex",
            "requirements": [],
            "reporting_callback": [],
        }
        when = inject.get("when")
        if when:
            outcome, target = next(iter(when.items()))
            step["trigger"] = "inject-resolution"
            step["requirements"] = {
                "inject_uuid": inject_uuid[owner[target]],
                "resolution_requirement": target,
                **({"x_accord_outcome": outcome} if outcome != "met" else {}),
            }
        flow.append(step)
    return {
        "exercise": {
            "uuid": _uuid(name),
            "name": scenario.get("title", name),
            "namespace": "accord",
            "description": scenario.get("title", name),
            "expanded": "\n".join(scenario.get("objectives", [])),
            "tags": [f'exercise:accord="{name}"'],
            "meta": {"accord_name": name, "roles": scenario["roles"]},
            "version": "1",
        },
        "inject_flow": flow,
        "inject_payloads": payloads,
        "injects": injects,
    }


def _seconds(text: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    cleaned = text.lstrip("+")
    return int(cleaned[:-1]) * units[cleaned[-1]] if cleaned[:-1].isdigit() else 0


def _refuse(where: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"CEXF {where}: {message}", errors=[FieldError(where, message)])


def to_scenario(data: dict[str, Any]) -> dict[str, Any]:
    """A CEXF exercise as an Accord scenario (then checked like any scenario file)."""
    for key in KEYS[1:]:
        if not isinstance(data[key], list):
            raise _refuse(key, "expected a list")
    meta: dict[str, Any] = data["exercise"] if isinstance(data["exercise"], dict) else {}
    extra: dict[str, Any] = meta["meta"] if isinstance(meta.get("meta"), dict) else {}
    title = str(meta.get("name") or "CEXF exercise")
    name = str(extra.get("accord_name") or _slug(title))
    roles = extra.get("roles") or ["director", "players"]
    payloads = {p.get("uuid"): p for p in data["inject_payloads"] if isinstance(p, dict)}
    by_uuid: dict[str, dict[str, Any]] = {}
    for index, item in enumerate(data["injects"]):
        if not isinstance(item, dict) or not isinstance(item.get("uuid"), str):
            raise _refuse(f"injects[{index}]", "expected an object with a uuid")
        by_uuid[item["uuid"]] = item
    ids = {
        u: str(i.get("x_accord_id") or f"inject-{n + 1}")
        for n, (u, i) in enumerate(by_uuid.items())
    }
    injects, expectations = [], []
    for index, step in enumerate(data["inject_flow"]):
        if not isinstance(step, dict) or step.get("inject_uuid") not in by_uuid:
            raise _refuse(f"inject_flow[{index}].inject_uuid", "names no inject of injects")
        item = by_uuid[step["inject_uuid"]]
        inject_id = ids[item["uuid"]]
        payload: dict[str, Any] = payloads.get(item.get("action_payload_resource_uuid"), {})
        parameters: dict[str, Any] = (
            payload["parameters"] if isinstance(payload.get("parameters"), dict) else {}
        )
        timing: dict[str, Any] = step["timing"] if isinstance(step.get("timing"), dict) else {}
        inject: dict[str, Any] = {
            "id": inject_id,
            "title": str(item.get("x_accord_title", item.get("name", ""))),
            "at": f"+{int(timing.get('triggered_at') or 0)}s",
            "from": parameters.get("from", roles[0]),
            "to": parameters.get("to", roles[1:] or roles),
            "tlp": parameters.get("tlp", "amber"),
            "bundle": parameters.get("bundle") or _note_bundle(name, inject_id, item, payload),
        }
        requirements = step.get("requirements")
        if step.get("trigger") == "inject-resolution" and isinstance(requirements, dict):
            target = str(requirements.get("resolution_requirement", ""))
            outcome = str(requirements.get("x_accord_outcome", "met"))
            required = by_uuid.get(str(requirements.get("inject_uuid")), {})
            evaluations = [e.get("result") for e in required.get("inject_evaluation", [])]
            if target not in evaluations and evaluations:
                target = str(evaluations[0])
            inject["when"] = {outcome: _expectation_id(target)}
        injects.append(inject)
        for evaluation in item.get("inject_evaluation", []):
            expectations.append(_expectation(evaluation, inject_id, roles))
    scenario: dict[str, Any] = {
        "name": name,
        "title": title,
        "objectives": [line for line in str(meta.get("expanded", "")).splitlines() if line],
        "roles": roles,
        "injects": injects,
        "expectations": expectations,
    }
    return scenario


def _expectation(evaluation: dict[str, Any], inject_id: str, roles: list[str]) -> dict[str, Any]:
    score = evaluation.get("score_range") or [0, 0]
    points = int(score[-1]) if isinstance(score, list) and score else 0
    for parameter in evaluation.get("parameters") or []:
        if isinstance(parameter, dict) and isinstance(parameter.get("accord"), dict):
            return {**parameter["accord"], "points": points}
    return {
        "id": _expectation_id(str(evaluation.get("result", "task"))),
        "role": roles[-1],
        "after": inject_id,
        "within": "1h",
        "do": "manual",
        "points": points,
        "description": str(evaluation.get("result", "")),
    }


def _expectation_id(text: str) -> str:
    return _slug(text) or "task"


def _slug(text: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in text.lower().strip())
    return "-".join(part for part in out.split("-") if part)[:50]


def _note_bundle(
    name: str, inject_id: str, item: dict[str, Any], payload: dict[str, Any]
) -> dict[str, Any]:
    """A payload that is not STIX, as a STIX note for the players."""
    stamp = "2026-01-01T00:00:00.000Z"
    content = orjson.dumps(payload.get("parameters", {}), option=orjson.OPT_INDENT_2).decode()
    return {
        "type": "bundle",
        "id": f"bundle--{_uuid(name, 'bundle', inject_id)}",
        "objects": [
            {
                "type": "note",
                "spec_version": "2.1",
                "id": f"note--{_uuid(name, 'note', inject_id)}",
                "created": stamp,
                "modified": stamp,
                "abstract": str(item.get("name") or inject_id)[:200],
                "content": f"{item.get('action', 'inject')}: {content}",
                "object_refs": [f"note--{_uuid(name, 'note', inject_id)}"],
            }
        ],
    }
