"""MISP doors: events in (``POST /api/v1/misp/events``) and out (``GET``), and every
collection served as a MISP feed under ``/misp/feeds/{collection}/`` (``manifest.json``,
``hashes.csv``, ``{uuid}.json``), read with the account's token (a MISP instance sends it
as a feed header: ``Authorization: Bearer ...``). Every read goes through
:mod:`accord.acts.misp`, hence the policy predicate and the audit, as TAXII's do."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from accord.acts import misp as acts
from accord.acts import misp_export
from accord.api.auth import CurrentAccount, Publisher, engine_of, settings_of
from accord.api.body import read_raw_body
from accord.api.responses import PROBLEM_RESPONSES, JSONBytes
from accord.errors import NotFound
from accord.misp import feed
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
        converted = acts.convert_events(raw)
        with engine_of(request).begin() as connection:
            report = acts.import_events(
                connection, account, converted, settings=settings, door="api", limits=limits
            )
        return report.as_dict()

    return JSONBytes(await run_in_threadpool(work))


@router.get(
    "/api/v1/misp/events",
    summary="Export what you may see as MISP events",
    response_class=JSONBytes,
)
def export_route(
    request: Request,
    account: CurrentAccount,
    collection: Annotated[
        str | None, Query(description="a TAXII collection id, or own, network, a channel")
    ] = None,
    added_after: Annotated[str | None, Query(description="only objects added after")] = None,
) -> JSONBytes:
    """A JSON list of ``{"Event": ...}``, loadable by ``pymisp.MISPEvent().load``."""
    with engine_of(request).begin() as connection:
        criteria = _criteria(request, connection, account, collection, added_after)
        items = misp_export.visible_items(connection, account, criteria, door="api")
    # misp-stix once the read's transaction is over: its seconds hold no lock.
    return JSONBytes(misp_export.events_of(items))


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
    request: Request, account: Any, collection: str, event: str | None = None
) -> dict[str, Any]:
    with engine_of(request).begin() as connection:
        criteria = _criteria(request, connection, account, collection, None)
        items = misp_export.feed_items(connection, account, criteria, event=event)
    return misp_export.feed_events_of(items)


@router.get("/misp/feeds/{collection}/manifest.json", summary="A collection's MISP feed manifest")
def feed_manifest(request: Request, account: CurrentAccount, collection: str) -> Response:
    return Response(
        feed.manifest(_feed(request, account, collection)), media_type="application/json"
    )


@router.get("/misp/feeds/{collection}/hashes.csv", summary="A collection's MISP feed hashes")
def feed_hashes(request: Request, account: CurrentAccount, collection: str) -> Response:
    return Response(feed.hashes(_feed(request, account, collection)), media_type="text/csv")


@router.get("/misp/feeds/{collection}/{name}", summary="One event of a collection's MISP feed")
def feed_event(request: Request, account: CurrentAccount, collection: str, name: str) -> Response:
    uuid = name.removesuffix(".json").lower()
    events = _feed(request, account, collection, uuid) if _UUID.match(uuid) else {}
    if uuid not in events or not name.endswith(".json"):
        raise NotFound(f"no event {name!r} in this feed")
    return Response(feed.event_file(events[uuid]), media_type="application/json")
