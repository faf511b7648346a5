"""Watches, alerts and correlations over REST.

POST/GET /api/v1/watches, DELETE /api/v1/watches/{id}; GET /api/v1/alerts (cursor),
POST /api/v1/alerts/{id}/ack; GET /api/v1/objects/{id}/correlations.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from accord.acts import correlations as correlation_acts
from accord.acts import watches as watch_acts
from accord.api.auth import CurrentAccount, engine_of, settings_of
from accord.api.body import read_json_body
from accord.api.params import PAGE_LIMIT, Origin, RowId, limits_of
from accord.api.responses import PROBLEM_RESPONSES, JSONBytes
from accord.errors import FieldError, InvalidInput

router = APIRouter(prefix="/api/v1", tags=["alerts"], responses=PROBLEM_RESPONSES)
MAX_WATCH_BODY = 16 * 1024


class WatchIn(BaseModel):
    name: str | None = Field(default=None, description="A person or group name, any script")
    subject: str | None = Field(default=None, description="A register reference: QDe.088")
    value: str | None = Field(
        default=None, description="TYPE:VALUE, e.g. domain-name:example.org, ipv4-addr:10.0.0.0/8"
    )
    query: str | None = Field(
        default=None, description="A saved query: text searched in names and descriptions"
    )
    types: str | None = Field(
        default=None, description="With query: comma-separated STIX types it is limited to"
    )
    note: str = ""
    expires: str | None = Field(default=None, description="YYYY-MM-DD, the last day it holds")
    exercise: str | None = Field(
        default=None,
        description="An exercise your party takes part in: the watch then matches only that "
        "exercise's objects (a real watch never does)",
    )


class MatchedAs(BaseModel):
    kind: str
    value: str


class WatchOut(BaseModel):
    id: int = Field(description="The watch's number in its party")
    kind: str = Field(description="name | subject | value | query")
    text: str
    matched_as: MatchedAs
    note: str
    expires: str | None
    created: str
    account: str
    exercise: str | None = Field(default=None, description="The exercise it watches, or null")


class WatchList(BaseModel):
    watches: list[WatchOut]


class AlertWatch(BaseModel):
    id: int
    kind: str
    text: str


class AlertObject(BaseModel):
    type: str
    name: str | None
    version: str
    origin: str


class AlertExercise(BaseModel):
    name: str
    marking: str = Field(description="EXERCISE <name>: not real intelligence")
    tag: str = Field(description='The MISP taxonomy tag, exercise:accord="<name>"')


class AlertOut(BaseModel):
    id: int = Field(description="The alert's number in its party")
    watch: AlertWatch
    object_id: str
    object: AlertObject
    reason: dict[str, Any] = Field(
        description="Which part of the object matched and how: part, value, watched, how; "
        "for a name, the screening score, calibration and explanation"
    )
    raised: str
    acknowledged: str | None
    acknowledged_by: str | None
    withdrawn: str | None = Field(description="revoked | deleted | delisted, or null")
    exercise: AlertExercise | None = Field(
        default=None, description="An exercise's alert (EXERCISE marking), or null for a real one"
    )


class AlertPageOut(BaseModel):
    items: list[AlertOut]
    more: bool
    next: str | None
    unread: int


class CorrelatedObject(BaseModel):
    id: str
    type: str
    name: str | None
    origin: str
    shared: str = Field(description="The value as the other object holds it")
    source: str
    score: float | None = None
    explanation: dict[str, Any] | None = None
    how: str | None = None


class Correlation(BaseModel):
    kind: str
    value: str
    source: str
    objects: list[CorrelatedObject]


class Flagged(BaseModel):
    kind: str
    value: str
    reason: str = Field(description="warninglist | too_common")
    lists: list[str] | None = None
    limit: int | None = None


class CorrelatedFrom(BaseModel):
    id: str
    origin: str


class CorrelationsOut(BaseModel):
    object: CorrelatedFrom
    correlations: list[Correlation]
    flagged: list[Flagged]


@router.post(
    "/watches",
    summary="Watch a name, a register subject or a value",
    status_code=201,
    responses={201: {"model": WatchOut, "description": "The watch"}},
)
async def add_watch_route(request: Request, account: CurrentAccount) -> JSONBytes:
    raw = await read_json_body(request, MAX_WATCH_BODY, ("application/json",))
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"the body is not JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    fields = {"name", "subject", "value", "query", "types", "note", "expires", "exercise"}
    unknown = sorted(set(body) - fields)
    if unknown:
        raise InvalidInput(
            f"unknown field {unknown[0]!r}",
            errors=[FieldError(u, "not a field of a watch") for u in unknown],
        )
    for name, value in body.items():
        if value is not None and not isinstance(value, str):
            raise InvalidInput(f"{name}: must be a string", errors=[FieldError(name, "a string")])
    request_ = watch_acts.WatchRequest(
        name=body.get("name"),
        subject=body.get("subject"),
        value=body.get("value"),
        query=body.get("query"),
        types=tuple((body.get("types") or "").split(",")) if body.get("types") else (),
        note=body.get("note") or "",
        expires=body.get("expires"),
        exercise=body.get("exercise"),
    )

    def work() -> dict[str, Any]:
        with engine_of(request).begin() as connection:
            return watch_acts.add_watch(connection, account, request_, door="api")

    return JSONBytes(await run_in_threadpool(work), status_code=201)


@router.get(
    "/watches",
    summary="Your party's watches",
    responses={200: {"model": WatchList, "description": "The watches"}},
)
def list_watches_route(
    request: Request,
    account: CurrentAccount,
    mine: Annotated[bool, Query(description="only the watches you added")] = False,
) -> JSONBytes:
    with engine_of(request).begin() as connection:
        found = watch_acts.list_watches(connection, account, mine=mine, door="api")
    return JSONBytes({"watches": found})


@router.delete("/watches/{watch_id}", summary="Remove a watch", status_code=204)
def remove_watch_route(request: Request, account: CurrentAccount, watch_id: RowId) -> JSONBytes:
    with engine_of(request).begin() as connection:
        watch_acts.remove_watch(connection, account, watch_id, door="api")
    return JSONBytes(None, status_code=204)


@router.get(
    "/alerts",
    summary="Your party's alerts, oldest first, after a cursor",
    responses={200: {"model": AlertPageOut, "description": "A page of alerts"}},
)
def alerts_route(
    request: Request,
    account: CurrentAccount,
    next: Annotated[str | None, Query(description="the cursor a previous page gave")] = None,
    limit: Annotated[int, Query(ge=1, description=PAGE_LIMIT)] = 100,
    unacknowledged: Annotated[bool, Query(description="only those nobody acknowledged")] = False,
    withdrawn: Annotated[bool, Query(description="include withdrawn alerts")] = False,
    exercise: Annotated[
        str | None,
        Query(
            max_length=63,
            description="only this exercise's alerts (without it: real alerts only)",
        ),
    ] = None,
) -> JSONBytes:
    with engine_of(request).begin() as connection:
        page = watch_acts.list_alerts(
            connection,
            account,
            after=next,
            limit=limits_of(request).page(limit),
            unacknowledged=unacknowledged,
            withdrawn=withdrawn,
            exercise=exercise,
            door="api",
        )
    return JSONBytes(page.as_json())


@router.post(
    "/alerts/{alert_id}/ack",
    summary="Acknowledge an alert",
    responses={200: {"model": AlertOut, "description": "The alert, acknowledged"}},
)
def ack_route(request: Request, account: CurrentAccount, alert_id: RowId) -> JSONBytes:
    with engine_of(request).begin() as connection:
        alert = watch_acts.acknowledge(connection, account, alert_id, door="api")
    return JSONBytes(alert)


@router.get(
    "/objects/{stix_id}/correlations",
    summary="What an object shares with the other objects you may see",
    tags=["objects"],
    responses={200: {"model": CorrelationsOut, "description": "Correlations, flags"}},
)
def correlations_route(
    request: Request,
    account: CurrentAccount,
    stix_id: str,
    origin: Origin = None,
) -> JSONBytes:
    fanout = settings_of(request).correlation_fanout
    with engine_of(request).begin() as connection:
        found = correlation_acts.correlations(
            connection, account, stix_id, origin=origin, door="api", fanout=fanout
        )
    return JSONBytes(found)
