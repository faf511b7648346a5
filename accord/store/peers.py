"""Peers: the remote TAXII collections a node pulls from, and where each pull resumes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from accord.errors import Conflict, NotFound, ValidationFailed
from accord.stix.markings import Tlp
from accord.stix.timestamps import now_timestamp
from accord.store.directory import get_party
from accord.store.schema import parties, peers

KINDS = ("accord", "taxii", "misp-feed")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}\Z")


@dataclass(frozen=True, slots=True)
class Peer:
    id: int
    name: str
    url: str
    collection_id: str
    token: str
    kind: str
    party: str | None
    audience: str | None
    cursor: str | None
    last_sync_at: str | None
    last_error: str | None
    #: The opaque position after the last tombstone applied ("" before the first).
    tombstone_after: str = ""
    #: misp-feed peers: the TLP of events that carry none, and the least any is given.
    tlp: str | None = None


def add_peer(
    connection: Connection,
    name: str,
    url: str,
    collection_id: str,
    token: str,
    *,
    kind: str = "accord",
    party: str | None = None,
    audience: str | None = None,
    tlp: str | None = None,
) -> Peer:
    if not _NAME.match(name):
        raise ValidationFailed(f"peer name {name!r}: use letters, digits, '.', '_' and '-'")
    if not url.startswith(("http://", "https://")):
        raise ValidationFailed(f"peer url {url!r}: expected the http(s) URL of a TAXII API root")
    if kind not in KINDS:
        raise ValidationFailed(f"peer kind {kind!r}: expected one of {', '.join(KINDS)}")
    if kind == "taxii" and not (party and audience):
        raise ValidationFailed(
            "a taxii peer needs --party (whose objects they are) and --audience (who sees them)"
        )
    if kind == "misp-feed" and not (party and audience):
        raise ValidationFailed(
            "a misp-feed peer needs --party (whose events they are) and --audience (the "
            "widest audience any of its events may have here)"
        )
    if kind != "misp-feed" and not collection_id:
        raise ValidationFailed(f"a {kind} peer needs --collection (the collection id on the peer)")
    if tlp is not None:
        try:
            tlp = Tlp.from_label(tlp).label
        except ValueError as exc:
            raise ValidationFailed(f"--tlp: {exc}") from None
    party_id = get_party(connection, party).id if party else None
    url = url if url.endswith("/") else url + "/"
    try:
        with connection.begin_nested():
            connection.execute(
                insert(peers).values(
                    name=name,
                    url=url,
                    collection_id=collection_id,
                    token=token,
                    kind=kind,
                    party_id=party_id,
                    audience=audience,
                    tlp=tlp,
                    created_at=now_timestamp(),
                )
            )
    except IntegrityError as exc:
        raise Conflict(f"a peer named {name!r} already exists") from exc
    return get_peer(connection, name)


_QUERY = select(peers, parties.c.code.label("party_code")).outerjoin(
    parties, parties.c.id == peers.c.party_id
)


def _peer(r: Any) -> Peer:
    return Peer(
        r.id,
        r.name,
        r.url,
        r.collection_id,
        r.token,
        r.kind,
        r.party_code,
        r.audience,
        r.cursor,
        r.last_sync_at,
        r.last_error,
        r.tombstone_after or "",
        r.tlp,
    )


def get_peer(connection: Connection, name: str) -> Peer:
    row = connection.execute(_QUERY.where(peers.c.name == name)).first()
    if row is None:
        raise NotFound(f"no peer named {name!r}")
    return _peer(row)


def list_peers(connection: Connection) -> list[Peer]:
    return [_peer(r) for r in connection.execute(_QUERY.order_by(peers.c.name))]


def record_progress(
    connection: Connection, peer_id: int, *, cursor: str | None, error: str | None
) -> None:
    """Where the next pull resumes; written in the transaction of the page it follows."""
    values: dict[str, object] = {"last_sync_at": now_timestamp(), "last_error": error}
    if cursor is not None:
        values["cursor"] = cursor
    connection.execute(update(peers).where(peers.c.id == peer_id).values(**values))


def record_tombstones(connection: Connection, peer_id: int, after: str) -> None:
    connection.execute(update(peers).where(peers.c.id == peer_id).values(tombstone_after=after))
