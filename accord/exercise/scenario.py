"""Exercise scenarios: reading and checking a scenario file (JSON, or YAML when PyYAML is
installed; JSON is YAML too), every refusal naming its place (``injects[0].at``).

A scenario has roles (placeholders such as ``host``, filled with parties when an exercise
starts), injects (a STIX bundle published into the exercise's channel, at ``+offset`` of
scenario time or when an earlier expectation is met or missed) and expectations (who must
do what by when, for points). The JSON Schema is ``docs/exercise-scenario.schema.json``;
this module is the judge (it also checks what a schema cannot: references, cycles, the
bundle's objects).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from accord.errors import FieldError, ValidationFailed
from accord.prepare import prepare
from accord.stix.markings import Tlp

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
DURATION = re.compile(r"^\+?(\d+)(s|m|h|d)$")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
#: What an expectation may ask for (``manual``: a free task the director marks by hand).
KINDS = ("publish", "share", "sighting", "acknowledge", "manual")
#: The exercise's own channel, as an audience.
EXERCISE_AUDIENCE = "{exercise}"
MAX_BYTES = 4_000_000


@dataclass(frozen=True, slots=True)
class Inject:
    id: str
    sender: str
    to: tuple[str, ...]
    tlp: Tlp
    objects: tuple[dict[str, Any], ...]
    #: Seconds of scenario time after the start (or after its trigger).
    offset: int
    #: ("met" | "missed", expectation id) or None for a timed inject.
    trigger: tuple[str, str] | None = None
    title: str = ""


@dataclass(frozen=True, slots=True)
class Expectation:
    id: str
    role: str
    kind: str
    points: int
    #: The inject whose sending starts the clock (None: the exercise's start).
    after: str | None
    #: Seconds of scenario time allowed.
    within: int
    type: str | None = None
    audience: str = EXERCISE_AUDIENCE
    with_role: str | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    title: str
    objectives: tuple[str, ...]
    roles: tuple[str, ...]
    injects: tuple[Inject, ...]
    expectations: tuple[Expectation, ...]
    raw: dict[str, Any] = field(compare=False, repr=False)

    def inject(self, inject_id: str) -> Inject:
        return next(i for i in self.injects if i.id == inject_id)

    def expectation(self, expectation_id: str) -> Expectation:
        return next(e for e in self.expectations if e.id == expectation_id)


class _Checker:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def refuse(self, where: str, message: str) -> None:
        self.errors.append(FieldError(where, message))

    def text(self, data: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
        value = data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.refuse(f"{where}{key}", "expected a non-empty string")
            return ""
        return value

    def name(self, data: dict[str, Any], key: str, where: str) -> str:
        value = self.text(data, key, where)
        if value and not NAME.match(value):
            self.refuse(
                f"{where}{key}", f"{value!r}: expected lower-case letters, digits and hyphens"
            )
        return value

    def duration(self, value: Any, where: str, *, past: str) -> int:
        if not isinstance(value, str):
            self.refuse(where, "expected a duration such as +30m (s, m, h or d)")
            return 0
        if value.strip().startswith("-"):
            self.refuse(where, f"{value!r}: {past}")
            return 0
        found = DURATION.match(value.strip())
        if found is None:
            self.refuse(where, f"{value!r}: expected a duration such as +30m (s, m, h or d)")
            return 0
        return int(found.group(1)) * UNITS[found.group(2)]

    def role(self, value: Any, where: str, roles: set[str]) -> str:
        if not isinstance(value, str) or value not in roles:
            known = ", ".join(sorted(roles)) or "none"
            self.refuse(where, f"unknown role {value!r} (the scenario's roles: {known})")
            return ""
        return value


def load(raw: bytes, filename: str = "") -> Scenario:
    """Read and check a scenario file's bytes; :class:`ValidationFailed` names every fault."""
    if len(raw) > MAX_BYTES:
        raise ValidationFailed(
            f"the scenario file is larger than {MAX_BYTES} bytes",
            errors=[FieldError("file", "too large")],
        )
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if not filename.endswith((".yaml", ".yml")):
            raise ValidationFailed(
                f"the scenario is not valid JSON: {exc}", errors=[FieldError("file", str(exc))]
            ) from None
        data = _yaml(raw)
    return parse(data)


def _yaml(raw: bytes) -> Any:
    import yaml  # type: ignore[import-untyped]

    try:
        # Aliases are refused before anything is built: a few hundred bytes of nested
        # aliases ("billion laughs") would otherwise expand into billions of nodes.
        for event in yaml.parse(raw, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                raise ValidationFailed(
                    f"YAML aliases are not accepted in a scenario (line {mark.line + 1})",
                    errors=[FieldError("file", f"alias at line {mark.line + 1}")],
                )
        return yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ValidationFailed(
            f"the scenario is not valid YAML: {exc}", errors=[FieldError("file", str(exc))]
        ) from None


def parse(data: Any) -> Scenario:
    """Check a decoded scenario; every fault is reported with its place."""
    check = _Checker()
    if not isinstance(data, dict):
        raise ValidationFailed(
            "a scenario is a JSON object", errors=[FieldError("file", "expected an object")]
        )
    name = check.name(data, "name", "")
    title = check.text(data, "title", "", required=False) or name
    objectives = data.get("objectives", [])
    if not isinstance(objectives, list) or not all(isinstance(o, str) for o in objectives):
        check.refuse("objectives", "expected a list of strings")
        objectives = []
    raw_roles = data.get("roles")
    roles: list[str] = []
    if not isinstance(raw_roles, list) or not raw_roles:
        check.refuse("roles", "expected a non-empty list of role names")
    else:
        for index, role in enumerate(raw_roles):
            if not isinstance(role, str) or not NAME.match(role):
                check.refuse(f"roles[{index}]", "expected a lower-case name such as host")
            elif role in roles:
                check.refuse(f"roles[{index}]", f"role {role!r} is listed twice")
            else:
                roles.append(role)
    known = set(roles)
    expectations = _expectations(check, data.get("expectations", []), known)
    injects = _injects(check, data.get("injects"), known, {e.id for e in expectations})
    inject_ids = {i.id for i in injects}
    for index, expectation in enumerate(expectations):
        if expectation.after is not None and expectation.after not in inject_ids:
            check.refuse(f"expectations[{index}].after", f"unknown inject {expectation.after!r}")
    if not check.errors:
        _refuse_cycles(check, injects, expectations)
    if check.errors:
        first = check.errors[0]
        raise ValidationFailed(
            f"the scenario is refused: {first.field}: {first.message}"
            + (f" (and {len(check.errors) - 1} more)" if len(check.errors) > 1 else ""),
            errors=check.errors,
        )
    return Scenario(
        name, title, tuple(objectives), tuple(roles), tuple(injects), tuple(expectations), data
    )


def _entries(
    check: _Checker, raw: list[Any], section: str, noun: str
) -> Iterator[tuple[str, dict[str, Any], str]]:
    """Each object of a section's list with its place (``injects[0].``) and checked id;
    an entry that is not an object, or an id used twice, is refused."""
    seen: set[str] = set()
    for index, item in enumerate(raw):
        where = f"{section}[{index}]."
        if not isinstance(item, dict):
            check.refuse(f"{section}[{index}]", "expected an object")
            continue
        item_id = check.name(item, "id", where)
        if item_id in seen:
            check.refuse(f"{where}id", f"{noun} id {item_id!r} is used twice")
        seen.add(item_id)
        yield where, item, item_id


def _injects(check: _Checker, raw: Any, roles: set[str], expectations: set[str]) -> list[Inject]:
    if not isinstance(raw, list) or not raw:
        check.refuse("injects", "expected a non-empty list of injects")
        return []
    found: list[Inject] = []
    for where, item, inject_id in _entries(check, raw, "injects", "inject"):
        sender = check.role(item.get("from"), f"{where}from", roles)
        to = item.get("to")
        targets: list[str] = []
        if not isinstance(to, list) or not to:
            check.refuse(f"{where}to", "expected a non-empty list of roles")
        else:
            targets = [check.role(r, f"{where}to[{n}]", roles) for n, r in enumerate(to)]
        tlp = Tlp.AMBER
        try:
            tlp = Tlp.from_label(str(item.get("tlp", "amber")))
        except ValueError as exc:
            check.refuse(f"{where}tlp", str(exc))
        trigger = _trigger(check, item, where, expectations)
        offset = 0
        if "at" in item:
            offset = check.duration(
                item["at"], f"{where}at", past="an inject cannot be sent before the exercise starts"
            )
        elif trigger is None:
            check.refuse(f"{where}at", "an inject needs at (+offset) or when (a trigger)")
        objects = _bundle(check, item.get("bundle"), f"{where}bundle")
        found.append(
            Inject(
                inject_id,
                sender,
                tuple(targets),
                tlp,
                tuple(objects),
                offset,
                trigger,
                str(item.get("title", "")),
            )
        )
    return found


def _trigger(
    check: _Checker, item: dict[str, Any], where: str, expectations: set[str]
) -> tuple[str, str] | None:
    when = item.get("when")
    if when is None:
        return None
    if not isinstance(when, dict) or len(when) != 1 or next(iter(when)) not in ("met", "missed"):
        check.refuse(f"{where}when", 'expected {"met": EXPECTATION} or {"missed": EXPECTATION}')
        return None
    outcome, target = next(iter(when.items()))
    if target not in expectations:
        check.refuse(f"{where}when.{outcome}", f"unknown expectation {target!r}")
        return None
    return (outcome, str(target))


def _bundle(check: _Checker, bundle: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(bundle, dict) or bundle.get("type") != "bundle":
        check.refuse(where, 'expected a STIX bundle ({"type": "bundle", "objects": [...]})')
        return []
    items = bundle.get("objects")
    if not isinstance(items, list) or not items:
        check.refuse(f"{where}.objects", "expected a non-empty list of STIX objects")
        return []
    prepared = prepare(items)
    for result in prepared.results():
        for error in result.errors:
            check.refuse(f"{where}.objects[{result.index}].{error.field}", error.message)
    return [dict(item) for item in items if isinstance(item, dict)]


def _expectations(check: _Checker, raw: Any, roles: set[str]) -> list[Expectation]:
    if not isinstance(raw, list):
        check.refuse("expectations", "expected a list of expectations")
        return []
    found: list[Expectation] = []
    for where, item, expectation_id in _entries(check, raw, "expectations", "expectation"):
        role = check.role(item.get("role"), f"{where}role", roles)
        kind = item.get("do")
        if kind not in KINDS:
            check.refuse(
                f"{where}do", f"unknown expectation kind {kind!r}: expected one of {KINDS}"
            )
        points = item.get("points", 0)
        if not isinstance(points, int) or isinstance(points, bool) or points < 0:
            check.refuse(f"{where}points", "expected a whole number of points, 0 or more")
            points = 0
        within = check.duration(
            item.get("within"), f"{where}within", past="a time allowed cannot be negative"
        )
        after = item.get("after")
        if after is not None and not isinstance(after, str):
            check.refuse(f"{where}after", "expected an inject id")
            after = None
        object_type = item.get("type")
        if kind in ("publish", "share") and not isinstance(object_type, str):
            check.refuse(f"{where}type", f"a {kind} expectation names the STIX type expected")
        audience = item.get("audience", EXERCISE_AUDIENCE)
        if audience != EXERCISE_AUDIENCE:
            check.refuse(
                f"{where}audience",
                f"{audience!r}: an exercise's answers go to its own channel, {EXERCISE_AUDIENCE}",
            )
        with_role = None
        if kind == "share":
            with_role = check.role(item.get("with"), f"{where}with", roles)
        found.append(
            Expectation(
                expectation_id,
                role,
                str(kind),
                points,
                after,
                within,
                object_type if isinstance(object_type, str) else None,
                EXERCISE_AUDIENCE,
                with_role,
                str(item.get("description", "")),
            )
        )
    return found


def _refuse_cycles(check: _Checker, injects: list[Inject], expectations: list[Expectation]) -> None:
    """An inject waits on an expectation (``when``), an expectation on an inject (``after``):
    a cycle would never start."""
    edges: dict[str, list[str]] = {}
    for inject in injects:
        if inject.trigger is not None:
            edges.setdefault(f"inject:{inject.id}", []).append(f"expectation:{inject.trigger[1]}")
    for expectation in expectations:
        if expectation.after is not None:
            edges.setdefault(f"expectation:{expectation.id}", []).append(
                f"inject:{expectation.after}"
            )
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for target in edges.get(node, []):
            if state.get(target) == 1:
                return [*path, node, target]
            if state.get(target) is None and (cycle := visit(target, [*path, node])):
                return cycle
        state[node] = 2
        return None

    for start in sorted(edges):
        if state.get(start) is None and (cycle := visit(start, [])):
            loop = cycle[cycle.index(cycle[-1]) :]
            first = next(node for node in loop if node.startswith("inject:"))
            index = next(n for n, i in enumerate(injects) if f"inject:{i.id}" == first)
            check.refuse(
                f"injects[{index}].when", "a cycle of triggers never starts: " + " -> ".join(loop)
            )
            return


def parse_duration(text: str) -> int:
    """Seconds in a duration such as ``30m`` (the CLI's options)."""
    found = DURATION.match(text.strip())
    if found is None:
        raise ValueError(f"{text!r}: expected a duration such as 30m")
    return int(found.group(1)) * UNITS[found.group(2)]
