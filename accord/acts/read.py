"""The one read path for intelligence: visibility predicate in the query, audit entry after.

Every door that shows objects (REST, TAXII, the UI, a peer's sync) calls these functions, so
that each read is filtered by :func:`accord.policy.visible_to` inside SQL and recorded in the
audit log with who read what, when and through which door.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection, Row, and_, select

from accord import audit
from accord.acts.audit_view import record_receipts
from accord.errors import InvalidInput, NotFound
from accord.policy import forwardable_to, visible_to
from accord.stix.markings import Tlp
from accord.stix.observables import is_content_key
from accord.stix.timestamps import key_to_timestamp, timestamp_key
from accord.store import objects as store
from accord.store.directory import Account
from accord.store.schema import channel_members, channels, parties


@dataclass(frozen=True, slots=True)
class Item:
    """One object version as a reader receives it: the object and how it is shared."""

    stix_id: str
    version_key: str
    modified: str | None
    body: str
    sharing: dict[str, Any]
    #: The real origin party: for read receipts and the audit only, never shown or put in
    #: a cursor (an anonymised sighting shows its ``shown_origin`` instead).
    origin_party_id: int = 0
    shown_origin: str | None = None

    @property
    def cursor(self) -> str:
        """The position after this item, as a cursor."""
        return encode_cursor(
            self.stix_id, self.version_key, self.shown_origin or self.origin_party_id
        )

    @property
    def version(self) -> str | None:
        """The version to name in ``?version=``: ``modified``, or an observable's content
        key (SCOs carry no timestamp; see :mod:`accord.stix.observables`)."""
        if self.modified is None and is_content_key(self.version_key):
            return self.version_key
        return self.modified

    def as_json(self) -> dict[str, Any]:
        return {
            "object": orjson.Fragment(self.body),
            "version": self.version,
            "sharing": self.sharing,
        }


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Item]
    next_cursor: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "items": [item.as_json() for item in self.items],
            "more": self.next_cursor is not None,
            "next": self.next_cursor,
        }


class _Names:
    """Party codes and channel names for the ``sharing`` block, fetched once per request."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._parties: dict[int, str] | None = None
        self._channels: dict[int, str] | None = None

    def party(self, party_id: int) -> str:
        return self.codes().get(party_id, "?")

    def codes(self) -> dict[int, str]:
        """Every party's code by id."""
        if self._parties is None:
            rows = self.connection.execute(select(parties.c.id, parties.c.code))
            self._parties = {row.id: row.code for row in rows}
        return self._parties

    def channel(self, channel_id: int) -> str:
        if self._channels is None:
            rows = self.connection.execute(select(channels.c.id, channels.c.name))
            self._channels = {row.id: row.name for row in rows}
        return self._channels.get(channel_id, "?")


def origin_shown(row: Row[Any], names: _Names) -> str:
    """The origin every reader is shown: an anonymised sighting's channel or hub (its real
    party is kept for the audit only), else the origin party's code."""
    return str(row.shown_origin) if row.shown_origin else names.party(row.origin_party_id)


def _item(row: Row[Any], names: _Names) -> Item:
    audience = (
        names.channel(row.channel_id) if row.audience_kind == "channel" else row.audience_kind
    )
    sharing = {
        "audience": audience,
        "tlp": Tlp(row.tlp).label,
        "origin": origin_shown(row, names),
        "added": key_to_timestamp(row.added_key),
        "latest": bool(row.is_latest),
        "origin_node": row.origin_node,
        "hops": orjson.loads(row.hops),
    }
    return Item(
        row.stix_id,
        row.version_key,
        row.modified,
        row.body,
        sharing,
        row.origin_party_id,
        row.shown_origin or None,
    )


def _record(
    connection: Connection,
    account: Account,
    door: str,
    action: str,
    items: list[Item],
    *,
    target: str | None = None,
    details: dict[str, Any],
) -> None:
    """The read's audit entry, and read receipts for the originators of what was read."""
    read = [(item.origin_party_id, f"{item.stix_id}@{item.version_key}") for item in items]
    record_read(connection, account, door, action, read, target=target, details=details)


def record_read(
    connection: Connection,
    account: Account,
    door: str,
    action: str,
    read: list[tuple[int, str]],
    *,
    target: str | None = None,
    details: dict[str, Any],
) -> None:
    """As :func:`_record`, for reads given as (origin party id, "id@version")."""
    party_id, party = account.party.id, account.party.code

    def receipts(connection: Connection, seq: int, at: str) -> None:
        record_receipts(connection, seq, at, party_id, party, door, read)

    actor = audit.Actor(account.name, party, door)
    audit.record(connection, audit.Entry(actor, action, target, details, receipts))


def encode_cursor(stix_id: str, version_key: str, origin: int | str) -> str:
    """A position as the last (id, version, origin) seen: resolved through the reader's
    predicate, it can only point at what the reader may see. Cursors are plain (base64
    JSON), so ``origin`` is what the reader is shown: the origin party's id, or an
    anonymised sighting's shown origin, never the party behind it (:attr:`Item.cursor`)."""
    raw = orjson.dumps([stix_id, version_key, origin])
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _origin_ok(value: Any) -> bool:
    if isinstance(value, str):
        return 0 < len(value) <= 140
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31


def decode_cursor(cursor: str) -> tuple[str, str, int | str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = orjson.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if (
            isinstance(value, list)
            and len(value) == 3
            and isinstance(value[0], str)
            and isinstance(value[1], str)
            and _origin_ok(value[2])
        ):
            return value[0], value[1], value[2]
    except (ValueError, binascii.Error, UnicodeEncodeError):
        pass
    raise InvalidInput("the cursor is not one this node issued")


def audience_filter(connection: Connection, account: Account, name: str) -> tuple[str, int | None]:
    """``own``, ``network`` or a channel of the caller's party; other channels do not exist."""
    if name in ("own", "network"):
        return (name, None)
    row = connection.execute(
        select(channels.c.id)
        .join(channel_members, channel_members.c.channel_id == channels.c.id)
        .where(channels.c.name == name, channel_members.c.party_id == account.party.id)
    ).first()
    if row is None:
        raise NotFound(f"no channel named {name!r} among those of party {account.party.code!r}")
    return ("channel", row.id)


def visibility(account: Account, criteria: store.ObjectFilter) -> ColumnElement[bool]:
    """What ``account`` may read under ``criteria``: :func:`accord.policy.visible_to`, and,
    when the node passes objects on to a peer or TAXII client, what may leave it."""
    visible = visible_to(account.party.id)
    if criteria.forwarded_by is not None:
        visible = and_(visible, forwardable_to(account.party.id, criteria.forwarded_by))
    return visible


def list_objects(
    connection: Connection,
    account: Account,
    criteria: store.ObjectFilter,
    *,
    cursor: str | None,
    limit: int,
    door: str,
    action: str = "read.list",
) -> Page:
    """One page of the objects ``account`` may see, matching ``criteria``."""
    visible = visibility(account, criteria)
    after_pk = None
    if cursor:
        stix_id, version_key, origin = decode_cursor(cursor)
        after_pk = store.position_of(connection, visible, stix_id, version_key, origin)
        if after_pk is None:
            raise InvalidInput("the cursor is not one this node issued")
    rows = store.page(connection, visible, criteria, after_pk=after_pk, limit=limit + 1)
    names = _Names(connection)
    items = [_item(row, names) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit and items:
        next_cursor = items[-1].cursor
    _record(
        connection,
        account,
        door,
        action,
        items,
        details={"objects": [f"{i.stix_id}@{i.version_key}" for i in items]},
    )
    return Page(items, next_cursor)


def _of_origin(rows: list[Row[Any]], names: _Names, origin: str | None) -> list[Row[Any]]:
    """The rows of one origin (as shown: an anonymised sighting is found by its shown
    origin, never by its real party), or of all, each party's versions together and the
    parties in the order they first published under the id (versions keep their order)."""
    if origin is not None:
        return [row for row in rows if origin_shown(row, names) == origin]
    first: dict[int, int] = {}
    for row in rows:
        first[row.origin_party_id] = min(first.get(row.origin_party_id, row.pk), row.pk)
    return sorted(rows, key=lambda row: first[row.origin_party_id])


def object_versions(
    connection: Connection,
    account: Account,
    stix_id: str,
    *,
    door: str,
    origin: str | None = None,
) -> list[Item]:
    """Every version under one id the caller may see (of each origin party that holds the
    id, or of ``origin`` only), oldest first; 404 when none. Deleted versions are gone."""
    names = _Names(connection)
    rows = _of_origin(
        store.versions(connection, visible_to(account.party.id), stix_id), names, origin
    )
    if not rows:
        raise NotFound(f"no object {stix_id!r}")
    items = [_item(row, names) for row in rows]
    _record(
        connection,
        account,
        door,
        "read.versions",
        items,
        target=stix_id,
        details={"versions": [i.version_key for i in items]},
    )
    return items


def get_object(
    connection: Connection,
    account: Account,
    stix_id: str,
    *,
    version: str | None,
    door: str,
    origin: str | None = None,
) -> Item:
    """The latest visible version of an object, or the version given: its ``modified``;
    for an observable (no timestamp of its own) its content key or its date added, the
    version TAXII gives it.

    Each origin party holds its own object under an id; when the caller may see several,
    ``origin`` chooses, and otherwise its own party's comes first, then the one published
    first. The versions route lists them all."""
    names = _Names(connection)
    chosen = chosen_version(
        connection, account, stix_id, version=version, origin=origin, names=names
    )
    item = _item(chosen, names)
    _record(
        connection,
        account,
        door,
        "read.object",
        [item],
        target=stix_id,
        details={"version": item.version_key, "origin": item.sharing["origin"]},
    )
    return item


def chosen_version(
    connection: Connection,
    account: Account,
    stix_id: str,
    *,
    version: str | None,
    origin: str | None,
    names: _Names,
) -> Row[Any]:
    """The stored row :func:`get_object` answers with (NotFound when none is visible)."""
    rows = _of_origin(
        store.versions(connection, visible_to(account.party.id), stix_id), names, origin
    )
    if version is None:
        candidates = [row for row in rows if row.is_latest]
    elif is_content_key(version):
        candidates = [row for row in rows if row.version_key == version]
    else:
        wanted = timestamp_key(version)
        if wanted is None:
            raise InvalidInput(
                f"version {version!r} is neither a STIX timestamp nor an observable's "
                "content key (sha256:...)"
            )
        candidates = [
            row
            for row in rows
            if row.version_key == wanted
            or (is_content_key(row.version_key) and row.added_key == wanted)
        ]
    if not candidates:
        raise NotFound(f"no object {stix_id!r}" + (f" at version {version}" if version else ""))
    # rows come grouped by origin in the order the parties first published (_of_origin)
    order = {o: n for n, o in enumerate(dict.fromkeys(row.origin_party_id for row in rows))}
    own = account.party.id
    chosen = min(
        candidates, key=lambda row: (row.origin_party_id != own, order[row.origin_party_id])
    )
    return chosen


def relationships(
    connection: Connection, account: Account, stix_id: str, *, door: str, limit: int = 200
) -> list[Item]:
    """The latest visible relationships and sightings that name ``stix_id`` at one end."""
    rows = store.related(connection, visible_to(account.party.id), stix_id, limit)
    names = _Names(connection)
    items = []
    for row in rows:
        body = orjson.loads(row.body)
        ends = (body.get("source_ref"), body.get("target_ref"), body.get("sighting_of_ref"))
        if stix_id in ends:  # id keys may collide; the ids decide
            items.append(_item(row, names))
    if items:
        _record(
            connection,
            account,
            door,
            "read.related",
            items,
            target=stix_id,
            details={"objects": [f"{i.stix_id}@{i.version_key}" for i in items]},
        )
    return items
