"""The inbox (what partners shared, newest first) and the object page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from accord.acts import audit_view, correlations, read, sightings
from accord.api.auth import engine_of
from accord.console.render import parse_day, render
from accord.console.session import PageAccount
from accord.console.stix_view import fields, layout, outgoing_refs, short
from accord.errors import NotFound
from accord.policy import Principal, slices_from
from accord.stix.timestamps import timestamp_key
from accord.store import objects as store
from accord.store.directory import Account, list_parties
from accord.store.schema import objects

router = APIRouter(prefix="/ui", include_in_schema=False)
PAGE_SIZE = 50
TYPES = (
    "report",
    "intrusion-set",
    "threat-actor",
    "identity",
    "indicator",
    "campaign",
    "attack-pattern",
    "malware",
    "location",
    "note",
    "relationship",
    "sighting",
)


@router.get("/inbox")
def inbox(
    request: Request,
    account: PageAccount,
    channel: str | None = None,
    type: str | None = None,
    party: str | None = None,
    since: str | None = None,
    until: str | None = None,
    cursor: str | None = None,
) -> Response:
    first, last = parse_day(since, "since"), parse_day(until, "until")
    with engine_of(request).begin() as connection:
        parties = list_parties(connection)
        criteria = store.ObjectFilter(types=[type] if type else (), newest_first=True)
        if channel:
            criteria.audience = read.audience_filter(connection, account, channel)
        if party:
            found = next((p for p in parties if p.code == party), None)
            if found is None:
                raise NotFound(f"no party {party!r}")
            criteria.origin_party_id = found.id
            if found.id != account.party.id:
                criteria.slices = slices_from(connection, account.party.id, found.id)
        if first:
            criteria.added_after_key = timestamp_key(f"{first.isoformat()}T00:00:00Z")
        if last and last < date.max:  # through the last day there is: no bound at all
            end = timestamp_key(f"{(last + timedelta(days=1)).isoformat()}T00:00:00Z")
            criteria.extra.append(objects.c.added_key < end)
        page = read.list_objects(
            connection, account, criteria, cursor=cursor, limit=PAGE_SIZE, door="ui"
        )
    filters = {"channel": channel, "type": type, "party": party, "since": since, "until": until}
    chosen = {k: v for k, v in filters.items() if v}
    next_url = None
    if page.next_cursor:
        next_url = "/ui/inbox?" + urlencode({**chosen, "cursor": page.next_cursor})
    rows = []
    for item in page.items:
        body = orjson.loads(item.body)
        rows.append(
            {
                "id": item.stix_id,
                "type": body.get("type"),
                "name": body.get("name") or _summary(body),
                "sharing": item.sharing,
            }
        )
    return render(
        request,
        "inbox.html",
        account,
        rows=rows,
        filters=filters,
        types=TYPES,
        parties=parties,
        next_url=next_url,
        first_page=cursor is None,
    )


def _summary(body: dict[str, Any]) -> str:
    if body.get("type") == "relationship":
        return f"{body.get('relationship_type', 'related-to')} relationship"
    for key in ("value", "content", "abstract", "pattern", "description"):
        if isinstance(body.get(key), str):
            return short(body[key], 80)
    return str(body.get("id", ""))


def _names_of(connection: Connection, account: Account, ids: list[str]) -> dict[str, str]:
    """Names of the visible objects among ``ids`` (a read like any other: filtered by the
    policy and audited); the others are not shown to the caller."""
    wanted = sorted(set(ids))[:200]
    if not wanted:
        return {}
    page = read.list_objects(
        connection,
        account,
        store.ObjectFilter(ids=wanted, few_matches=True),
        cursor=None,
        limit=len(wanted),
        door="ui",
    )
    out = {}
    for item in page.items:
        body = orjson.loads(item.body)
        out[item.stix_id] = str(body.get("name") or _summary(body))
    return out


def _trail(connection: Connection, account: Account, stix_id: str) -> list[dict[str, Any]]:
    """An admin's audit trail of an object: its own party's entries about it and, for an
    object its party originated, which other parties read it (never who)."""
    principal = Principal(account, "ui")
    entries = audit_view.party_entries(connection, principal, target=stix_id, limit=50)
    for receipt in audit_view.receipts(connection, principal, target=stix_id, limit=50):
        entries.append({**receipt, "account": None, "action": "read (receipt)", "target": stix_id})
    entries.sort(key=lambda entry: entry["seq"], reverse=True)
    return entries[:50]


@router.get("/objects/{stix_id}")
def object_page(
    request: Request,
    account: PageAccount,
    stix_id: str,
    version: Annotated[str | None, Query()] = None,
    origin: Annotated[str | None, Query()] = None,
) -> Response:
    with engine_of(request).begin() as connection:
        versions = read.object_versions(connection, account, stix_id, door="ui")
        # Each origin party holds its own object under an id: show one (the asked-for, else
        # the reader's own party's, else the first published) and link the others.
        origins = list(dict.fromkeys(v.sharing["origin"] for v in versions))
        if origin is None:
            origin = account.party.code if account.party.code in origins else origins[0]
        elif origin not in origins:
            raise NotFound(f"no object {stix_id!r} of party {origin!r}")
        other_origins = [o for o in origins if o != origin]
        versions = [v for v in versions if v.sharing["origin"] == origin]
        chosen = next((v for v in versions if v.version == version), None)
        if version and chosen is None:
            raise NotFound(f"no version {version} of {stix_id}")
        if chosen is None:
            chosen = next((v for v in versions if v.sharing["latest"]), versions[-1])
        body = orjson.loads(chosen.body)
        related = read.relationships(connection, account, stix_id, door="ui")
        refs = outgoing_refs(body)
        neighbour_ids = [ref for _, ref in refs]
        edges_in: list[tuple[str, str, bool, str]] = []  # (other end, relation, outgoing, rel id)
        for rel in related:
            rel_body = orjson.loads(rel.body)
            kind = rel_body.get("relationship_type") or rel_body.get("type", "related")
            source = rel_body.get("source_ref") or rel_body.get("sighting_of_ref")
            target = rel_body.get("target_ref")
            if rel_body.get("type") == "sighting":
                target = rel_body.get("sighting_of_ref")
                source = rel.stix_id
            outgoing = source == stix_id
            other = target if outgoing else source
            if isinstance(other, str):
                edges_in.append((other, kind, outgoing, rel.stix_id))
                neighbour_ids.append(other)
        names = _names_of(connection, account, neighbour_ids)
        trail = _trail(connection, account, stix_id) if account.can("admin") else []
        # Both answer for the latest version of the origin shown, as the reader may see it.
        seen = sightings.sightings(connection, account, stix_id, door="ui", origin=origin)
        shared = correlations.correlations(connection, account, stix_id, origin=origin, door="ui")
    neighbours = [
        (
            ref,
            names.get(ref, ref.split("--")[0]),
            key.removesuffix("_refs").removesuffix("_ref"),
            True,
            ref in names,
        )
        for key, ref in refs
    ] + [
        (other, names.get(other, other.split("--")[0]), kind, outgoing, other in names)
        for other, kind, outgoing, _ in edges_in
    ]
    nodes, edges = layout((stix_id, str(body.get("name") or body.get("type"))), neighbours[:40])
    links = [
        {"property": key, "id": ref, "name": names.get(ref), "outgoing": True} for key, ref in refs
    ] + [
        {
            "property": kind,
            "id": other,
            "name": names.get(other),
            "outgoing": outgoing,
            "via": rel_id,
        }
        for other, kind, outgoing, rel_id in edges_in
    ]
    return render(
        request,
        "object.html",
        account,
        obj=body,
        item=chosen,
        versions=versions,
        fields=fields(body),
        nodes=nodes,
        edges=edges,
        links=links,
        short=short,
        trail=trail,
        other_origins=other_origins,
        sightings=seen,
        correlations=shared,
        may_share=account.can("publisher") and chosen.sharing["origin"] == account.party.code,
    )


@router.get("/objects/{stix_id}/json")
def object_json(
    request: Request,
    account: PageAccount,
    stix_id: str,
    version: Annotated[str | None, Query()] = None,
    origin: Annotated[str | None, Query()] = None,
) -> Response:
    with engine_of(request).begin() as connection:
        item = read.get_object(
            connection, account, stix_id, version=version, door="ui", origin=origin
        )
    pretty = orjson.dumps(orjson.loads(item.body), option=orjson.OPT_INDENT_2)
    return Response(pretty, media_type="application/json")
