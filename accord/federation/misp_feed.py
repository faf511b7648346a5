"""Pulling a MISP feed (``manifest.json``, ``{uuid}.json``) as a kind of peer.

Incremental by the manifest's timestamps: an event is fetched when the manifest lists it
with a timestamp other than the one stored for it here (new or updated), and withdrawn when
the manifest no longer lists it. Every changed event is fetched and checked against the
manifest before anything is stored: a feed whose manifest lies about its files (a file for
another event, another timestamp, not an event, missing) is an error naming the file, and
nothing of that pull is stored. Each event is then stored in a transaction of its own with
its new position (``misp_feed_events``), so a pull that stops resumes where it stopped.
Distribution follows :mod:`accord.misp.distribution`, capped by the peer's audience; events
without a TLP tag get the peer's TLP, and none gets less.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import orjson
from sqlalchemy import Engine

from accord.acts import misp as misp_acts
from accord.acts import misp_peer
from accord.config import Settings
from accord.federation.sync import SyncError, SyncResult, _get
from accord.limits import DEFAULT_LIMITS, Limits
from accord.misp.convert import read_events
from accord.prepare import PublishLimits
from accord.stix.markings import Tlp
from accord.store import misp as misp_store
from accord.store.peers import Peer, record_progress

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")


def _fetch(http: httpx.Client, url: str, headers: dict[str, str], limits: Limits) -> bytes:
    response = _get(http, url, {}, headers)
    if response.status_code != 200:
        raise SyncError(f"{url}: HTTP {response.status_code}: {response.text[:300]}")
    if len(response.content) > limits.body_bytes:
        raise SyncError(
            f"{url}: {len(response.content):,} bytes; the limit is {limits.body_bytes:,}"
        )
    return response.content


def _manifest(raw: bytes, url: str) -> dict[str, str]:
    try:
        decoded = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise SyncError(f"{url}: not JSON ({exc})") from None
    if not isinstance(decoded, dict):
        raise SyncError(f"{url}: expected an object of events by uuid")
    found: dict[str, str] = {}
    for uuid, entry in decoded.items():
        stamp = str(entry.get("timestamp", "")) if isinstance(entry, dict) else ""
        if not stamp.isdigit():
            raise SyncError(f"{url}: event {uuid!r} has no timestamp")
        if not UUID.match(uuid):
            raise SyncError(f"{url}: {uuid!r} is not an event uuid")
        found[uuid.lower()] = stamp
    return found


def _checked_event(raw: bytes, url: str, uuid: str, stamp: str) -> dict[str, Any]:
    """The event of a feed file, if it is the one the manifest announced."""
    try:
        events = read_events(raw)
    except Exception as exc:
        raise SyncError(f"{url}: not a MISP event ({exc})") from None
    if len(events) != 1:
        raise SyncError(f"{url}: {len(events)} events in one feed file")
    [event] = events
    if str(event.get("uuid", "")).lower() != uuid:
        raise SyncError(
            f"{url}: the manifest lies: it names event {uuid}, the file holds {event.get('uuid')}"
        )
    if str(event.get("timestamp", "")) != stamp:
        raise SyncError(
            f"{url}: the manifest lies: it gives timestamp {stamp}, the file holds "
            f"{event.get('timestamp')}"
        )
    return event


def sync_misp_feed(
    engine: Engine,
    peer: Peer,
    *,
    local_node: str,
    settings: Settings,
    client: httpx.Client | None = None,
    on_page: Callable[[SyncResult], None] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> SyncResult:
    """Pull what changed in a MISP feed; returns what happened."""
    assert peer.audience is not None
    headers = {"Accept": "application/json"}
    if peer.token:
        headers["Authorization"] = f"Bearer {peer.token}"
    result = SyncResult(peer.name)
    own_client = client is None
    http = client or httpx.Client(timeout=60)
    try:
        manifest_url = f"{peer.url}manifest.json"
        listed = _manifest(_fetch(http, manifest_url, headers, limits), manifest_url)
        with engine.connect() as connection:
            stored = misp_store.pulled_events(connection, peer.id)
        changed = [u for u, stamp in listed.items() if stored.get(u, ("",))[0] != stamp]
        fetched: list[dict[str, Any]] = []
        for uuid in sorted(changed, key=lambda u: (listed[u], u)):
            url = f"{peer.url}{uuid}.json"
            fetched.append(
                _checked_event(_fetch(http, url, headers, limits), url, uuid, listed[uuid])
            )
        level = Tlp.from_label(peer.tlp) if peer.tlp else None
        for event in fetched:
            uuid = str(event["uuid"]).lower()
            converted = misp_acts.convert_event(event)  # misp-stix's seconds hold no lock
            with engine.begin() as connection:
                rules = misp_acts.rules_for(
                    connection,
                    settings,
                    missing=peer.audience,
                    cap=peer.audience,
                    default_tlp=level,
                    floor_tlp=level,
                )
                outcome = misp_peer.receive_event(
                    connection,
                    peer,
                    event,
                    rules,
                    local_node=local_node,
                    limits=PublishLimits.of(limits),
                    converted=converted,
                )
                if outcome.status != "refused":
                    misp_store.record_event(
                        connection, peer.id, uuid, listed[uuid], outcome.stix_ids
                    )
                record_progress(connection, peer.id, cursor=None, error=None)
            result.pages += 1
            result.received += 1
            result.accepted += outcome.accepted
            result.unchanged += outcome.unchanged
            if outcome.status == "refused":
                result.rejected += 1
                result.reasons += [f"event {uuid}: {e.message}" for e in outcome.errors][:5]
            if on_page:
                on_page(result)
        for uuid in sorted(set(stored) - set(listed)):
            with engine.begin() as connection:
                result.deleted += misp_peer.withdraw_event(connection, peer, uuid, stored[uuid][1])
                misp_store.forget_event(connection, peer.id, uuid)
        with engine.begin() as connection:
            record_progress(connection, peer.id, cursor=None, error=None)
    except SyncError as exc:
        with engine.begin() as connection:
            record_progress(connection, peer.id, cursor=None, error=exc.detail)
        raise
    finally:
        if own_client:
            http.close()
    return result
