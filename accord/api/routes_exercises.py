"""Joint exercises over REST, under /api/v1/exercises.

A director (an account its party's admin made one) imports scenarios, starts, steers and
reports on its party's exercises; a player (an account of a party holding a role) reads its
own view and enters lessons learned; any other account is answered as for an exercise that
does not exist. The acts are accord.acts.exercises, exercise_clock and exercise_report.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field, ValidationError

from accord.acts import exercise_clock, exercise_links, exercise_report, exercises
from accord.api.auth import Admin, CurrentAccount, engine_of, settings_of
from accord.api.body import read_json_body
from accord.api.responses import PROBLEM_RESPONSES
from accord.errors import FieldError, InvalidInput, refused
from accord.exercise import cexf
from accord.policy import Principal

router = APIRouter(prefix="/api/v1/exercises", tags=["exercises"], responses=PROBLEM_RESPONSES)
MAX_SCENARIO = 4_000_000
MAX_BODY = 64 * 1024


def _principal(account: Any) -> Principal:
    return Principal(account, "api")


class InjectOut(BaseModel):
    id: str
    title: str
    from_: str = Field(alias="from")
    to: list[str]
    status: Literal["sent", "due", "waiting"]
    due_seconds: int | None
    sent_at: str | None
    sent_seconds: int | None
    channel: str | None = Field(default=None, description="The channel of its recipients")


class ExpectationOut(BaseModel):
    id: str
    role: str
    party: str | None
    do: str
    type: str | None
    status: Literal["met", "missed", "pending"]
    points: int
    max_points: int
    started_seconds: int | None
    deadline_seconds: int | None
    target_seconds: int
    resolved_at: str | None
    resolved_seconds: int | None
    response_seconds: int | None
    by: str | None
    object: str | None


class ChannelOut(BaseModel):
    name: str
    roles: list[str]


class StatusOut(BaseModel):
    name: str
    scenario: str
    title: str
    state: Literal["scheduled", "running", "paused", "ended"]
    view: Literal["director", "player"]
    speed: int
    start: str
    scenario_seconds: int
    channel: str
    channels: list[ChannelOut] = Field(
        default_factory=list, description="Its channels this view may know of (a player: its own)"
    )
    injects: list[InjectOut]
    expectations: list[ExpectationOut]
    roles: dict[str, str] | None = Field(default=None, description="Director's view only")
    scores: dict[str, dict[str, int]] | None = Field(
        default=None, description="Director's view only"
    )


class ExerciseItem(BaseModel):
    name: str
    scenario: str
    state: str
    speed: int
    start: str
    view: Literal["director", "player"]


class ExerciseList(BaseModel):
    exercises: list[ExerciseItem]


class ScenarioItem(BaseModel):
    name: str
    title: str
    roles: list[str]
    injects: int
    expectations: int
    imported_at: str


class ScenarioList(BaseModel):
    scenarios: list[ScenarioItem]


class StartIn(BaseModel):
    scenario: str
    name: str
    roles: dict[str, str] = Field(description="role -> party code")
    speed: int = 1
    start: datetime | None = None


class Started(BaseModel):
    name: str
    channel: str
    state: str


class MarkIn(BaseModel):
    status: Literal["met", "missed"]


class LessonIn(BaseModel):
    text: str


class Done(BaseModel):
    ok: bool = True
    detail: dict[str, Any] = Field(default_factory=dict)


M = TypeVar("M", bound=BaseModel)


async def _body(request: Request, model: type[M]) -> M:
    """The JSON body as ``model``; a refusal naming each bad field otherwise."""
    raw = await read_json_body(request, MAX_BODY, ("application/json",))
    try:
        return model.model_validate(orjson.loads(raw))
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"the body is not JSON: {exc}") from exc
    except ValidationError as exc:
        found = [
            FieldError(".".join(str(p) for p in e["loc"]) or "body", e["msg"]) for e in exc.errors()
        ]
        raise InvalidInput(f"{found[0].field}: {found[0].message}", errors=found) from None


@router.get("", summary="The exercises your party directs or plays in")
def list_route(request: Request, account: CurrentAccount) -> ExerciseList:
    with engine_of(request).begin() as connection:
        found = exercises.list_exercises(connection, _principal(account))
    return ExerciseList.model_validate({"exercises": found})


@router.get("/scenarios", summary="Imported scenarios (directors)")
def scenarios_route(request: Request, account: CurrentAccount) -> ScenarioList:
    with engine_of(request).begin() as connection:
        found = exercises.list_scenarios(connection, _principal(account))
    return ScenarioList.model_validate({"scenarios": found})


@router.post(
    "/scenarios",
    summary="Import a scenario (Accord's format or MISP CEXF; directors)",
    status_code=201,
)
async def import_route(request: Request, account: CurrentAccount) -> ScenarioItem:
    raw = await read_json_body(request, MAX_SCENARIO, ("application/json",))
    with engine_of(request).begin() as connection:
        scenario = exercises.import_scenario(
            connection, _principal(account), cexf.to_scenario_bytes(raw)
        )
        listed = exercises.list_scenarios(connection, _principal(account))
    return ScenarioItem.model_validate(next(s for s in listed if s["name"] == scenario.name))


@router.post("", summary="Start an exercise (a director)", status_code=201)
async def start_route(request: Request, account: CurrentAccount) -> Started:
    body = await _body(request, StartIn)
    with engine_of(request).begin() as connection:
        started = exercises.start_exercise(
            connection,
            _principal(account),
            body.scenario,
            body.name,
            body.roles,
            speed=body.speed,
            start=body.start,
        )
    return Started.model_validate(started)


@router.put("/directors/{account_name}", summary="Make an account of your party a director")
def grant_route(request: Request, account_name: str, account: Admin) -> Done:
    with engine_of(request).begin() as connection:
        granted = exercises.grant_director(connection, _principal(account), account_name)
    return Done(detail={"granted": granted})


@router.delete("/directors/{account_name}", summary="Take the director grant back")
def revoke_route(request: Request, account_name: str, account: Admin) -> Done:
    with engine_of(request).begin() as connection:
        revoked = exercises.revoke_director(connection, _principal(account), account_name)
    return Done(detail={"revoked": revoked})


@router.get("/{name}", summary="An exercise: the director's view, or a player's")
def status_route(request: Request, name: str, account: CurrentAccount) -> StatusOut:
    with engine_of(request).begin() as connection:
        state = exercise_clock.status(connection, _principal(account), name)
    return StatusOut.model_validate(state)


@router.post(
    "/{name}/expectations/{expectation}", summary="Mark an expectation met or missed (director)"
)
async def mark_route(
    request: Request, name: str, expectation: str, account: CurrentAccount
) -> Done:
    body = await _body(request, MarkIn)
    with engine_of(request).begin() as connection:
        done = exercise_clock.mark(connection, _principal(account), name, expectation, body.status)
    return Done(detail=done)


@router.post("/{name}/lessons", summary="Enter a lesson learned (a player)", status_code=201)
async def lesson_route(request: Request, name: str, account: CurrentAccount) -> Done:
    body = await _body(request, LessonIn)
    with engine_of(request).begin() as connection:
        exercise_clock.add_lesson(connection, _principal(account), name, body.text)
    return Done()


class ExportedChannel(BaseModel):
    name: str
    members: list[str]


class ChannelsDocument(BaseModel):
    accord_exercise_channels: int
    exercise: str
    director: str
    node: str
    state: str
    channels: list[ExportedChannel]


@router.get(
    "/{name}/channels",
    summary="The exercise's channels some parties are members of, for a partner node to join",
)
def channels_route(
    request: Request,
    name: str,
    account: CurrentAccount,
    party: Annotated[list[str] | None, Query(description="The partner node's parties")] = None,
) -> ChannelsDocument:
    with engine_of(request).begin() as connection:
        document = exercise_links.channels_document(
            connection, _principal(account), name, party or [], settings_of(request).node_name
        )
    return ChannelsDocument.model_validate(document)


MEDIA = {"json": "application/json", "html": "text/html; charset=utf-8", "pdf": "application/pdf"}


@router.get(
    "/{name}/report",
    summary="The after-action report (its director): json, html or pdf",
    response_class=Response,
    responses={200: {"content": {m: {} for m in MEDIA.values()}}},
)
def report_route(
    request: Request, name: str, account: CurrentAccount, format: str = "json"
) -> Response:
    if format not in MEDIA:
        raise refused("format", f"{format!r}: expected json, html or pdf")
    with engine_of(request).begin() as connection:
        body = exercise_report.report(connection, _principal(account), name)
    return Response(exercise_report.render(body, format), media_type=MEDIA[format])


# Declared last: /{name}/lessons and the others above come first.
@router.post("/{name}/{action}", summary="Pause, resume or end an exercise (its director)")
def steer_route(
    request: Request, name: str, action: Literal["pause", "resume", "end"], account: CurrentAccount
) -> Done:
    with engine_of(request).begin() as connection:
        done = exercises.set_state(connection, _principal(account), name, action)
    return Done(detail=done)
