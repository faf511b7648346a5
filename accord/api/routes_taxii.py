"""The TAXII 2.1 server under ``/taxii2/`` (OASIS TAXII Version 2.1, Committee Spec 01).

Every read goes through :mod:`accord.read` (the policy predicate and the audit log) and every
write through :mod:`accord.publish`, exactly as the REST API does; a collection only narrows
the audience. Handlers cite the section of the specification they implement.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from accord import __version__
from accord.acts import exercise_links, read
from accord.acts import taxii as taxii_acts
from accord.acts.publish import publish_objects
from accord.acts.read import Item, audience_filter
from accord.api.auth import CurrentAccount, engine_of, settings_of
from accord.api.body import read_raw_body
from accord.api.params import limits_of
from accord.api.responses import TAXII_ERROR_RESPONSES, JSONBytes
from accord.errors import InvalidInput, NotFound, ValidationFailed
from accord.federation.collections import Collection, collection_for, collections_for
from accord.federation.media import STIX, TAXII, check_content_type, negotiate
from accord.prepare import PublishLimits
from accord.stix.observables import is_content_key
from accord.stix.timestamps import key_to_timestamp, now_timestamp, timestamp_key
from accord.store import objects as store
from accord.store.directory import Account

API_ROOT = "/taxii2/api/"
PROVENANCE_HEADER = "x-accord-provenance"
router = APIRouter(prefix="/taxii2", tags=["taxii"], responses=TAXII_ERROR_RESPONSES)


class TaxiiResponse(JSONBytes):
    media_type = TAXII


def _accepts(request: Request) -> str:
    return negotiate(request.headers.get("accept"))


Negotiated = Annotated[str, Depends(_accepts)]


def route(method: str, path: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
    """Register ``path`` with and without its trailing slash: clients drop it."""

    def register(handler: Callable[..., Any]) -> Any:
        decorator = router.api_route(path, methods=[method], response_class=TaxiiResponse, **kwargs)
        bare = router.api_route(path.rstrip("/"), methods=[method], include_in_schema=False)
        return bare(decorator(handler))

    return register


def _headers(items: list[Item]) -> dict[str, str]:
    """Section 3.3.1: X-TAXII-Date-Added-First and -Last on every page."""
    if not items:
        return {}
    added = [item.sharing["added"] for item in items]
    return {"X-TAXII-Date-Added-First": min(added), "X-TAXII-Date-Added-Last": max(added)}


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _versions(value: str | None) -> list[str]:
    """Section 3.4.2 match[version]: last (default), first, all, or timestamps."""
    tokens = _split(value) or ["last"]
    out = []
    for token in tokens:
        if token in ("last", "first", "all"):
            out.append(token)
        else:
            key = timestamp_key(token)
            if key is None:
                raise ValidationFailed(
                    f"match[version] {token!r}: use last, first, all or a timestamp"
                )
            out.append(key)
    return out


def _criteria(
    connection: Connection,
    account: Account,
    collection: Collection,
    request: Request,
    ids: list[str] | None = None,
) -> store.ObjectFilter:
    params = request.query_params
    added_after = params.get("added_after")
    added_key = None
    if added_after:
        added_key = timestamp_key(added_after)
        if added_key is None:
            raise ValidationFailed(f"added_after {added_after!r} is not a timestamp")
    return store.ObjectFilter(
        # TLP:RED and AMBER+STRICT received from elsewhere never leave this node's hands.
        forwarded_by=settings_of(request).node_name,
        types=_split(params.get("match[type]")),
        ids=ids if ids is not None else _split(params.get("match[id]")),
        added_after_key=added_key,
        audience=audience_filter(connection, account, collection.audience),
        include_revoked=True,
        versions=_versions(params.get("match[version]")),
        spec_versions=_split(params.get("match[spec_version]")),
    )


def _limit(request: Request) -> int:
    """Section 3.4.1: the server may return fewer than ``limit``; below 1 is a 400."""
    return limits_of(request).page(request.query_params.get("limit"))


def _page(
    request: Request,
    account: Account,
    collection_id: str,
    action: str,
    ids: list[str] | None = None,
    every_version: bool = False,
) -> read.Page:
    with engine_of(request).begin() as connection:
        collection = collection_for(connection, account, collection_id)
        criteria = _criteria(connection, account, collection, request, ids)
        if every_version:
            criteria.versions = ["all"]
        return read.list_objects(
            connection,
            account,
            criteria,
            cursor=request.query_params.get("next"),
            limit=_limit(request),
            door="taxii",
            action=action,
        )


@route("GET", "/", summary="Server discovery (TAXII 2.1 section 4.1)")
def discovery(request: Request, _account: CurrentAccount, media: Negotiated) -> TaxiiResponse:
    settings = settings_of(request)
    return TaxiiResponse(
        {
            "title": f"Accord node {settings.node_name}",
            "description": "Counter-terrorism intelligence shared under exact audiences.",
            "default": API_ROOT,
            "api_roots": [API_ROOT],
        }
    )


@route("GET", "/api/", summary="API root information (section 4.2)")
def api_root(request: Request, _account: CurrentAccount, media: Negotiated) -> TaxiiResponse:
    return TaxiiResponse(
        {
            "title": "Accord",
            "description": f"Accord {__version__}",
            "versions": [TAXII],
            "max_content_length": settings_of(request).max_body_bytes,
        }
    )


@route("GET", "/api/status/{status_id}/", summary="A status resource (section 4.3)")
def status(
    request: Request, account: CurrentAccount, media: Negotiated, status_id: str
) -> TaxiiResponse:
    with engine_of(request).begin() as connection:
        body = taxii_acts.status(connection, account, status_id)
    return TaxiiResponse(body)


@route("GET", "/api/collections/", summary="The caller's collections (section 5.1)")
def collections(request: Request, account: CurrentAccount, media: Negotiated) -> TaxiiResponse:
    with engine_of(request).connect() as connection:
        found = collections_for(connection, account)
    return TaxiiResponse({"collections": [c.resource() for c in found]})


@route("GET", "/api/collections/{collection_id}/", summary="One collection (section 5.2)")
def collection(
    request: Request, account: CurrentAccount, media: Negotiated, collection_id: str
) -> TaxiiResponse:
    with engine_of(request).connect() as connection:
        return TaxiiResponse(collection_for(connection, account, collection_id).resource())


def _manifest_entry(item: Item) -> dict[str, Any]:
    """Section 5.3 (manifest record): ``version`` is the object's ``modified``, else its
    ``created`` (marking definitions); an observable (SCO) has neither and is versioned by
    its date added, as the OASIS reference server medallion does. ``match[version]`` takes
    the same value (:func:`accord.store.objects._version_match`)."""
    if item.modified:
        version = item.modified
    elif item.version_key and not is_content_key(item.version_key):
        version = key_to_timestamp(item.version_key)
    else:
        version = item.sharing["added"]
    return {
        "id": item.stix_id,
        "date_added": item.sharing["added"],
        "version": version,
        "media_type": STIX,
    }


def _envelope(page: read.Page, key: str, entries: list[Any]) -> dict[str, Any]:
    """Section 3.7: ``more``, and ``next`` whenever more is true (clients follow only next)."""
    body: dict[str, Any] = {"more": page.next_cursor is not None}
    if page.next_cursor:
        body["next"] = page.next_cursor
    if entries:
        body[key] = entries
    return body


@route("GET", "/api/collections/{collection_id}/manifest/", summary="Manifest (section 5.3)")
def manifest(
    request: Request, account: CurrentAccount, media: Negotiated, collection_id: str
) -> TaxiiResponse:
    page = _page(request, account, collection_id, "read.manifest")
    entries = [_manifest_entry(item) for item in page.items]
    return TaxiiResponse(_envelope(page, "objects", entries), headers=_headers(page.items))


@route("GET", "/api/collections/{collection_id}/objects/", summary="Get objects (section 5.4)")
def get_objects(
    request: Request, account: CurrentAccount, media: Negotiated, collection_id: str
) -> TaxiiResponse:
    page = _page(request, account, collection_id, "read.list")
    objects = [orjson.Fragment(item.body) for item in page.items]
    body = _envelope(page, "objects", objects)
    if request.headers.get(PROVENANCE_HEADER) == "1":
        body.update(_provenance(page))
    return TaxiiResponse(body, headers=_headers(page.items))


def _provenance(page: read.Page) -> dict[str, Any]:
    """For Accord peers only (they ask with X-Accord-Provenance: 1), custom envelope
    properties: each object's origin party, node, hops and marking, so that the receiving
    node keeps them, and the cursor after the last object, to resume from."""
    sharing = {
        f"{item.stix_id}@{item.version_key}": {
            "origin": item.sharing["origin"],
            "node": item.sharing["origin_node"],
            "hops": item.sharing["hops"],
            "tlp": item.sharing["tlp"],
        }
        for item in page.items
    }
    aligned = [
        {
            "origin": item.sharing["origin"],
            "node": item.sharing["origin_node"],
            "hops": item.sharing["hops"],
            "tlp": item.sharing["tlp"],
        }
        for item in page.items
    ]
    # The list is aligned with the page's objects (two parties may hold one id); the
    # mapping is kept for nodes of earlier releases.
    body: dict[str, Any] = {"x_accord_provenance": sharing, "x_accord_provenance_list": aligned}
    if page.items:
        last = page.items[-1]
        body["x_accord_cursor"] = last.cursor
    return body


@route(
    "POST",
    "/api/collections/{collection_id}/objects/",
    status_code=202,
    summary="Add objects (section 5.5)",
)
async def add_objects(
    request: Request, account: CurrentAccount, media: Negotiated, collection_id: str
) -> TaxiiResponse:
    settings = settings_of(request)
    check_content_type(request.headers.get("content-type"))
    raw = await read_raw_body(request, settings.max_body_bytes)
    limits = PublishLimits.from_settings(settings)

    def work() -> dict[str, Any]:
        try:
            envelope = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise InvalidInput(f"malformed JSON at line {exc.lineno} column {exc.colno}") from exc
        items = envelope.get("objects") if isinstance(envelope, dict) else None
        if not isinstance(items, list):
            raise InvalidInput("the body must be a TAXII envelope with a list of objects")
        with engine_of(request).begin() as connection:
            target = collection_for(connection, account, collection_id)
            report = publish_objects(
                connection,
                account,
                items,
                audience=target.audience,
                tlp=None,
                door="taxii",
                limits=limits,
                target=collection_id,
                node=settings.node_name,
            )
            body = _status_body(report.results)
            taxii_acts.record_status(connection, account, body)
        return body

    return TaxiiResponse(await run_in_threadpool(work), status_code=202)


def _status_body(results: list[Any]) -> dict[str, Any]:
    """Section 4.3.1: every object counted once, as a success (stored, or an exact
    duplicate) or a failure with the reason; nothing is left pending. A status ``version``
    is a timestamp: an observable's content key is not one, and is left out."""
    successes, failures = [], []
    for result in results:
        entry: dict[str, Any] = {"id": result.id or f"(object {result.index})"}
        if result.version and not is_content_key(result.version):
            entry["version"] = result.version
        if result.status == "rejected":
            entry["message"] = "; ".join(f"{e.field}: {e.message}" for e in result.errors)
            failures.append(entry)
        else:
            entry["message"] = result.status
            successes.append(entry)
    return {
        "id": str(uuid.uuid4()),
        "status": "complete",
        "request_timestamp": now_timestamp(),
        "total_count": len(results),
        "success_count": len(successes),
        "successes": successes,
        "failure_count": len(failures),
        "failures": failures,
        "pending_count": 0,
        "pendings": [],
    }


@route(
    "GET",
    "/api/collections/{collection_id}/objects/{object_id}/",
    summary="Get an object (section 5.6)",
)
def get_object(
    request: Request,
    account: CurrentAccount,
    media: Negotiated,
    collection_id: str,
    object_id: str,
) -> TaxiiResponse:
    page = _page(request, account, collection_id, "read.object", ids=[object_id])
    if not page.items:
        raise NotFound(f"no object {object_id!r} in this collection")
    objects = [orjson.Fragment(item.body) for item in page.items]
    return TaxiiResponse(_envelope(page, "objects", objects), headers=_headers(page.items))


@route(
    "DELETE",
    "/api/collections/{collection_id}/objects/{object_id}/",
    summary="Delete an object (section 5.7): a tombstone, by its originator only",
)
def delete_object(
    request: Request,
    account: CurrentAccount,
    media: Negotiated,
    collection_id: str,
    object_id: str,
) -> TaxiiResponse:
    versions = _split(request.query_params.get("match[version]"))
    keys = _versions(",".join(versions)) if versions else []
    with engine_of(request).begin() as connection:
        collection = collection_for(connection, account, collection_id)
        taxii_acts.delete(connection, account, collection.audience, object_id, keys)
    return TaxiiResponse({})


@route(
    "GET",
    "/api/collections/{collection_id}/objects/{object_id}/versions/",
    summary="Object versions (section 5.8)",
)
def versions(
    request: Request,
    account: CurrentAccount,
    media: Negotiated,
    collection_id: str,
    object_id: str,
) -> TaxiiResponse:
    page = _page(
        request, account, collection_id, "read.versions", ids=[object_id], every_version=True
    )
    if not page.items:
        raise NotFound(f"no object {object_id!r} in this collection")
    listed = sorted(_manifest_entry(item)["version"] for item in page.items)
    return TaxiiResponse(_envelope(page, "versions", listed), headers=_headers(page.items))


@route(
    "GET",
    "/api/collections/{collection_id}/x-accord-tombstones/",
    summary="Deletions after a point, for Accord peers (an extension, not TAXII)",
)
def tombstones(
    request: Request, account: CurrentAccount, media: Negotiated, collection_id: str
) -> TaxiiResponse:
    """Deletions federate: a peer applies those of versions it received from this node.
    ``after`` is the opaque ``next`` of the previous page (see accord.acts.taxii)."""
    raw = request.query_params.get("after", "")
    limit = _limit(request)
    with engine_of(request).begin() as connection:
        collection = collection_for(connection, account, collection_id)
        criteria = _criteria(connection, account, collection, request)
        page = taxii_acts.tombstones(
            connection, account, criteria, after=raw, limit=limit, collection_id=collection_id
        )
    return TaxiiResponse(page.as_json(settings_of(request).node_name))


@route(
    "GET",
    "/api/collections/{collection_id}/x-accord-exercise/",
    summary="The state of the exercise of an exercise channel, for Accord peers (not TAXII)",
)
def exercise_state(
    request: Request, account: CurrentAccount, media: Negotiated, collection_id: str
) -> TaxiiResponse:
    """A partner node's sync learns here that the exercise ended (then purges its copies);
    answered also once the channel is gone, to its member parties only (see
    accord.acts.exercise_links)."""
    with engine_of(request).begin() as connection:
        answer = exercise_links.state_for_peer(connection, account, collection_id)
    return TaxiiResponse(answer)
