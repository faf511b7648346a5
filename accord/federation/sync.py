"""Pulling from peers over TAXII 2.1: incremental, idempotent, resumable.

Each page is stored in one transaction together with the cursor that follows it, so a crash
of either side loses nothing and repeats nothing that was committed: the next pull starts
after the last stored page, and objects seen twice are identical re-posts. From an Accord
peer the cursor is the server's own position token (it does not expire); from any other
TAXII server it is the ``X-TAXII-Date-Added-Last`` of the page, sent back as ``added_after``.
Network errors and 5xx answers are retried with exponential backoff.
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from threading import Event
from typing import Any

import httpx
from sqlalchemy import Engine

from accord.acts import exercise_links
from accord.acts.receive import Origin, apply_tombstone, receive
from accord.config import Settings
from accord.errors import AccordError
from accord.federation.collections import collection_id
from accord.federation.media import TAXII
from accord.limits import DEFAULT_LIMITS, Limits
from accord.prepare import PublishLimits
from accord.store import directory
from accord.store import exercises as store_exercises
from accord.store.peers import Peer, record_progress, record_tombstones

PAGE = 1000
log = logging.getLogger("accord.sync")
RETRIES = 5


class SyncError(AccordError):
    status = 502
    slug = "sync-failed"
    title = "Sync with a peer failed"


@dataclass
class SyncResult:
    peer: str
    pages: int = 0
    received: int = 0
    accepted: int = 0
    unchanged: int = 0
    rejected: int = 0
    deleted: int = 0
    reasons: list[str] = field(default_factory=list)
    #: A joined exercise its director ended: its channels purged here, its peers removed.
    exercise_ended: bool = False


def audience_of(engine: Engine, peer: Peer) -> str:
    """The local audience of the collection a peer serves."""
    if peer.kind == "taxii":
        assert peer.audience is not None
        return peer.audience
    with engine.connect() as connection:
        names = ["network"] + [c.name for c in directory.list_channels(connection)]
    for name in names:
        if collection_id(name) == peer.collection_id:
            return name
    raise SyncError(
        f"peer {peer.name!r}: collection {peer.collection_id} is no audience known here "
        "(the network, or a channel defined on this node)"
    )


def authorization(peer: Peer) -> str:
    """Bearer for an Accord token; HTTP Basic for a foreign server's ``user:password``."""
    if peer.kind == "taxii" and ":" in peer.token:
        return "Basic " + base64.b64encode(peer.token.encode("utf-8")).decode("ascii")
    return f"Bearer {peer.token}"


def _get(
    client: httpx.Client, url: str, params: dict[str, Any], headers: dict[str, str]
) -> httpx.Response:
    delay = 0.5
    for attempt in range(RETRIES):
        try:
            response = client.get(url, params=params, headers=headers)
            if response.status_code < 500:
                return response
            problem = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            problem = f"{type(exc).__name__}: {exc}"
        if attempt < RETRIES - 1:
            time.sleep(delay)
            delay *= 2
    raise SyncError(f"{url}: gave up after {RETRIES} tries ({problem})")


def sync_peer(
    engine: Engine,
    peer: Peer,
    *,
    local_node: str,
    client: httpx.Client | None = None,
    on_page: Callable[[SyncResult], None] | None = None,
    max_pages: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
    settings: Settings | None = None,
) -> SyncResult:
    """Pull everything new from one peer; returns what happened."""
    if peer.kind == "misp-feed":
        from accord.federation.misp_feed import sync_misp_feed  # it builds on this module

        return sync_misp_feed(
            engine,
            peer,
            local_node=local_node,
            settings=settings or Settings(),
            client=client,
            on_page=on_page,
            limits=limits,
        )
    audience = audience_of(engine, peer)
    origin = Origin(peer.name, peer.party, audience)
    url = f"{peer.url}collections/{peer.collection_id}/objects/"
    headers = {"Accept": TAXII, "Authorization": authorization(peer), "X-Accord-Provenance": "1"}
    result = SyncResult(peer.name)
    own_client = client is None
    http = client or httpx.Client(timeout=60)
    cursor = peer.cursor
    try:
        if peer.kind == "accord" and _exercise_ended(engine, peer, http, headers):
            result.exercise_ended = True
            return result
        params: dict[str, Any] = {"limit": PAGE}
        if cursor:
            params["next" if peer.kind == "accord" else "added_after"] = cursor
        while max_pages is None or result.pages < max_pages:
            response = _get(http, url, params, headers)
            if response.status_code != 200:
                raise SyncError(f"{url}: HTTP {response.status_code}: {response.text[:300]}")
            if len(response.content) > limits.body_bytes:
                raise SyncError(
                    f"{url}: a page of {len(response.content):,} bytes; the limit is "
                    f"{limits.body_bytes:,}"
                )
            body = response.json()
            objects = body.get("objects", [])
            if peer.kind == "accord":
                cursor = body.get("x_accord_cursor") or cursor
            else:
                cursor = response.headers.get("X-TAXII-Date-Added-Last") or cursor
            with engine.begin() as connection:
                report = receive(
                    connection,
                    origin,
                    objects,
                    body.get("x_accord_provenance_list") or body.get("x_accord_provenance", {}),
                    local_node=local_node,
                    limits=PublishLimits.of(limits),
                )
                record_progress(connection, peer.id, cursor=cursor, error=None)
            result.pages += 1
            result.received += len(objects)
            result.accepted += report.count("accepted")
            result.unchanged += report.count("unchanged")
            result.rejected += report.count("rejected")
            result.reasons += [f"{e.object_id}: {e.message}" for e in report.errors][:20]
            if on_page:
                on_page(result)
            if not body.get("more"):
                break
            params = {"limit": PAGE, "next": body["next"]}
        if peer.kind == "accord":
            result.deleted = _pull_tombstones(engine, peer, http, headers)
    except SyncError as exc:
        with engine.begin() as connection:
            record_progress(connection, peer.id, cursor=None, error=exc.detail)
        raise
    finally:
        if own_client:
            http.close()
    return result


def _exercise_ended(
    engine: Engine, peer: Peer, http: httpx.Client, headers: dict[str, str]
) -> bool:
    """For a peer of an exercise joined here (``accord exercise join``): ask the director's
    node whether the exercise ended, and if it did, purge it here (accord.acts.exercise_links
    decides whether the answer is the exercise's own)."""
    with engine.connect() as connection:
        if store_exercises.link_of_peer(connection, peer.name) is None:
            return False
    url = f"{peer.url}collections/{peer.collection_id}/x-accord-exercise/"
    response = _get(http, url, {}, headers)
    if response.status_code != 200:
        return False  # an older node, or not (yet) a member there: the objects tell
    try:
        answer = response.json()
    except ValueError:
        return False
    with engine.begin() as connection:
        return exercise_links.honour_end(connection, peer, answer) is not None


def _pull_tombstones(
    engine: Engine, peer: Peer, http: httpx.Client, headers: dict[str, str]
) -> int:
    """Apply the peer's deletions of versions this node received through it, then record
    where they stop. A deletion applies only to versions of the same origin party that
    passed through the peer's node (provenance), so a peer cannot delete others' objects."""
    url = f"{peer.url}collections/{peer.collection_id}/x-accord-tombstones/"
    after, applied = peer.tombstone_after, 0
    while True:
        response = _get(http, url, {"after": after, "limit": PAGE}, headers)
        if response.status_code == 400 and after:
            # The position no longer resolves (what it named left this collection): start
            # over; applying a deletion twice changes nothing.
            after = ""
            continue
        if response.status_code != 200:
            raise SyncError(f"{url}: HTTP {response.status_code}: {response.text[:300]}")
        body = response.json()
        entries = body.get("tombstones", [])
        with engine.begin() as connection:
            for entry in entries:
                applied += apply_tombstone(connection, entry, str(body.get("node", "")))
            if entries and isinstance(body.get("next"), str):
                after = body["next"]
                record_tombstones(connection, peer.id, after)
        if not body.get("more"):
            return applied


def sync_all(
    engine: Engine,
    *,
    local_node: str,
    only: str | None = None,
    on_page: Callable[[SyncResult], None] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    settings: Settings | None = None,
) -> list[SyncResult | SyncError]:
    """Pull from every peer (or one); a failing peer does not stop the others."""
    from accord.store.peers import get_peer, list_peers

    with engine.connect() as connection:
        chosen = [get_peer(connection, only)] if only else list_peers(connection)
    outcomes: list[SyncResult | SyncError] = []
    for peer in chosen:
        with engine.connect() as connection:
            if not any(p.id == peer.id for p in list_peers(connection)):
                continue  # removed by this round (a joined exercise that ended)
        try:
            outcomes.append(
                sync_peer(
                    engine,
                    peer,
                    local_node=local_node,
                    on_page=on_page,
                    limits=limits,
                    settings=settings,
                )
            )
        except SyncError as exc:
            outcomes.append(exc)
    return outcomes


def sync_forever(
    engine: Engine,
    *,
    local_node: str,
    interval: float,
    stop: Event,
    limits: Limits = DEFAULT_LIMITS,
    settings: Settings | None = None,
) -> None:
    """The background loop of ``accord serve``: pull from every peer, then wait."""
    while not stop.is_set():
        try:
            sync_all(engine, local_node=local_node, limits=limits, settings=settings)
        except Exception:  # keep the loop alive; each peer's error is recorded on the peer
            log.exception("sync round failed")
        stop.wait(interval)
