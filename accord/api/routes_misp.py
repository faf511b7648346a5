"""MISP doors: events in (``POST /api/v1/misp/events``) and out (``GET``), and every
collection served as a MISP feed under ``/misp/feeds/{collection}/`` (``manifest.json``,
``hashes.csv``, ``{uuid}.json``), read with the account's token (a MISP instance sends it
as a feed header: ``Authorization: Bearer ...``). Every read goes through
:mod:`accord.acts.misp`, hence the policy predicate and the audit, as TAXII's do."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from accord.acts import misp as acts
from accord.acts import misp_export, misp_stream
from accord.api.auth import CurrentAccount, Publisher, engine_of, settings_of
from accord.api.body import read_raw_body
from accord.api.responses import PROBLEM_RESPONSES, JSONBytes
from accord.errors import NotFound
from accord.misp import feed
from accord.misp.pool import workers_of
from accord.prepare import PublishLimits
from accord.store.directory import Account
from accord.store.objects import ObjectFilter

router = APIRouter(tags=["misp"], responses=PROBLEM_RESPONSES)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


@router.post(
    "/api/v1/misp/events",
    summary="Import MISP events: one, a list, or a MISP feed's event file",
    response_class=JSONBytes,
)
async def import_route(request: Request, account: Publisher) -> JSONBytes:
    """Each event is stored whole or refused whole (its ``errors`` say why): a sharing
    group mapped to no channel, an attribute misp-stix cannot convert, an object the
    publish path refuses. Audiences come from MISP's distribution, never wider."""
    settings = settings_of(request)
    raw = await read_raw_body(request, settings.max_body_bytes)
    limits = PublishLimits.from_settings(settings)

    def work() -> dict[str, Any]:
        # misp-stix first, with no transaction open: its seconds hold no lock.
        converted = acts.convert_events(raw, _workers(request))
        with engine_of(request).begin() as connection:
            report = acts.import_events(
                connection, account, converted, settings=settings, door="api", limits=limits
            )
        return report.as_dict()

    return JSONBytes(await run_in_threadpool(work))


@router.get(
    "/api/v1/misp/events",
    summary="Export what you may see as MISP events",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/json": {}}}},
)
def export_route(
    request: Request,
    account: CurrentAccount,
    collection: Annotated[
        str | None, Query(description="a TAXII collection id, or own, network, a channel")
    ] = None,
    added_after: Annotated[str | None, Query(description="only objects added after")] = None,
) -> StreamingResponse:
    """A JSON list of ``{"Event": ...}``, loadable by ``pymisp.MISPEvent().load``, streamed
    as the events are converted (each page of the store read, and audited, as it goes)."""
    with engine_of(request).begin() as connection:
        criteria = _criteria(request, connection, account, collection, added_after)
    events = misp_stream.stream_events(
        engine_of(request), account, criteria, door="api", workers=_workers(request)
    )
    return StreamingResponse(_json_list(events), media_type="application/json")


def _json_list(events: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    yield b"["
    for position, event in enumerate(events):
        yield (b"," if position else b"") + orjson.dumps(event)
    yield b"]"


def _workers(request: Request) -> int:
    return workers_of(settings_of(request).misp_workers)


def _criteria(
    request: Request,
    connection: Connection,
    account: Account,
    collection: str | None,
    added_after: str | None,
) -> ObjectFilter:
    """The criteria of a MISP read (export or feed) through this node's name."""
    return misp_export.criteria_for(
        connection,
        account,
        collection=collection,
        added_after=added_after,
        node_name=settings_of(request).node_name,
    )


def _feed(
    request: Request, account: Any, collection: str, only: str | None = None
) -> Iterator[tuple[str, Any]]:
    """The feed's events (uuid, PyMISP event) one at a time; the collection is checked (a
    404 for one the caller may not read) before the first is made."""
    with engine_of(request).begin() as connection:
        criteria = _criteria(request, connection, account, collection, None)
    events = misp_stream.stream_events(
        engine_of(request),
        account,
        criteria,
        door="misp-feed",
        action="misp.feed",
        workers=_workers(request),
        only=only,
    )
    return feed.feed_stream(events)


@router.get("/misp/feeds/{collection}/manifest.json", summary="A collection's MISP feed manifest")
def feed_manifest(request: Request, account: CurrentAccount, collection: str) -> Response:
    # The events' headers only, from the stored objects: no misp-stix (accord.misp.header).
    with engine_of(request).begin() as connection:
        criteria = _criteria(request, connection, account, collection, None)
    headers = misp_stream.stream_headers(
        engine_of(request), account, criteria, door="misp-feed", action="misp.feed"
    )
    return Response(feed.manifest(feed.feed_stream(headers)), media_type="application/json")


@router.get(
    "/misp/feeds/{collection}/hashes.csv",
    summary="A collection's MISP feed hashes",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
def feed_hashes(request: Request, account: CurrentAccount, collection: str) -> StreamingResponse:
    return StreamingResponse(
        feed.hashes(_feed(request, account, collection)), media_type="text/csv"
    )


@router.get("/misp/feeds/{collection}/{name}", summary="One event of a collection's MISP feed")
def feed_event(request: Request, account: CurrentAccount, collection: str, name: str) -> Response:
    uuid = name.removesuffix(".json").lower()
    found = None
    if _UUID.match(uuid) and name.endswith(".json"):
        found = next(iter(_feed(request, account, collection, uuid)), None)
    else:
        _criteria_checked(request, account, collection)
    if found is None:
        raise NotFound(f"no event {name!r} in this feed")
    return Response(feed.event_file(found[1]), media_type="application/json")


def _criteria_checked(request: Request, account: Any, collection: str) -> None:
    """A collection the caller may not read is a 404 whatever file is asked for."""
    with engine_of(request).begin() as connection:
        _criteria(request, connection, account, collection, None)
