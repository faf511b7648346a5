"""REST routes for intelligence: publish, search, read an object and its versions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from accord.acts import read
from accord.acts.publish import publish_bytes
from accord.api.auth import CurrentAccount, Publisher, engine_of, settings_of
from accord.api.body import read_json_body
from accord.api.params import PAGE_LIMIT, Origin, limits_of
from accord.api.responses import PROBLEM_RESPONSES, JSONBytes
from accord.errors import ObjectsRejected, ValidationFailed
from accord.prepare import PublishLimits
from accord.stix.markings import Tlp
from accord.stix.timestamps import timestamp_key
from accord.store.objects import ObjectFilter

router = APIRouter(prefix="/api/v1/objects", tags=["objects"], responses=PROBLEM_RESPONSES)
STIX_MEDIA_TYPES = ("application/json", "application/stix+json")


@router.post(
    "",
    summary="Publish a STIX 2.1 bundle or object to an audience under a TLP marking",
    response_class=JSONBytes,
)
async def publish_route(
    request: Request,
    account: Publisher,
    audience: Annotated[str, Query(description="own, network, or a channel of your party")],
    tlp: Annotated[str, Query(description="clear, green, amber, amber+strict or red")],
    anonymise: Annotated[
        str | None,
        Query(
            description="sightings only: show them as from the channel (channel:<name>) or "
            "the hub (hub), not your party; the audit keeps your party"
        ),
    ] = None,
) -> JSONBytes:
    """Each object gets its own result. When any is rejected the answer is a 422 problem
    detail whose ``results`` show which objects were nonetheless accepted and stored."""
    settings = settings_of(request)
    try:
        level = Tlp.from_label(tlp)
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from exc
    raw = await read_json_body(request, settings.max_body_bytes, STIX_MEDIA_TYPES)
    limits = PublishLimits.from_settings(settings)

    def work() -> dict[str, Any]:
        with engine_of(request).begin() as connection:
            report = publish_bytes(
                connection,
                account,
                raw,
                audience=audience,
                tlp=level,
                door="api",
                limits=limits,
                node=settings.node_name,
                anonymise=anonymise,
            )
        return report.as_dict()

    body = await run_in_threadpool(work)
    if body["rejected"]:
        raise ObjectsRejected(
            f"{body['rejected']} of {len(body['results'])} objects were rejected; "
            f"{body['accepted']} accepted and {body['unchanged']} unchanged were stored",
            errors=[],
            extra={**body, "errors": [e for r in body["results"] for e in r.get("errors", [])]},
        )
    return JSONBytes(body)


def _split(values: list[str] | None) -> list[str]:
    return [part for value in values or () for part in value.split(",") if part]


@router.get("", summary="Search the objects you may see", response_class=JSONBytes)
def list_route(
    request: Request,
    account: CurrentAccount,
    type: Annotated[list[str] | None, Query(description="STIX types, comma-separated")] = None,
    id: Annotated[list[str] | None, Query(description="STIX ids, comma-separated")] = None,
    created_by: Annotated[str | None, Query(description="created_by_ref")] = None,
    added_after: Annotated[str | None, Query(description="STIX timestamp")] = None,
    q: Annotated[str | None, Query(description="text in name or description")] = None,
    channel: Annotated[str | None, Query(description="own, network or a channel")] = None,
    include_revoked: bool = False,
    limit: Annotated[int, Query(description=PAGE_LIMIT)] = 100,
    cursor: str | None = None,
) -> JSONBytes:
    added_key = None
    if added_after is not None:
        added_key = timestamp_key(added_after)
        if added_key is None:
            raise ValidationFailed(f"added_after {added_after!r} is not a STIX timestamp")
    with engine_of(request).begin() as connection:
        criteria = ObjectFilter(
            types=_split(type),
            ids=_split(id),
            created_by_ref=created_by,
            added_after_key=added_key,
            text=q or None,
            audience=read.audience_filter(connection, account, channel) if channel else None,
            include_revoked=include_revoked,
        )
        page = read.list_objects(
            connection,
            account,
            criteria,
            cursor=cursor,
            limit=limits_of(request).page(limit),
            door="api",
        )
    return JSONBytes(page.as_json())


@router.get("/{stix_id}", summary="The latest version of an object, or one version")
def get_route(
    request: Request,
    account: CurrentAccount,
    stix_id: str,
    version: Annotated[
        str | None,
        Query(
            description="the modified timestamp; for an observable (SCO), its content key "
            "(sha256:...) or its date added"
        ),
    ] = None,
    origin: Origin = None,
) -> JSONBytes:
    with engine_of(request).begin() as connection:
        item = read.get_object(
            connection, account, stix_id, version=version, door="api", origin=origin
        )
    return JSONBytes(item.as_json())


@router.get("/{stix_id}/versions", summary="Every version of an object you may see")
def versions_route(
    request: Request,
    account: CurrentAccount,
    stix_id: str,
    origin: Origin = None,
) -> JSONBytes:
    with engine_of(request).begin() as connection:
        items = read.object_versions(connection, account, stix_id, door="api", origin=origin)
    return JSONBytes({"versions": [item.as_json() for item in items]})
