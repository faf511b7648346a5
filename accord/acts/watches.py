"""Watches and the alerts they raise: add, list and remove a watch; list, count and
acknowledge alerts.

A watch belongs to its party: every analyst of the party sees its alerts, and its own
author or an admin of the party removes it. Watches and alerts are numbered per party, so
that no number a party sees counts another party's. Every read of alerts checks again that
the party may still see each alerted object (it may have left the channel); an alert whose
object was deleted is gone, like the object.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, func, select

from accord import audit
from accord.acts.alerts import match_pending, storage_kind
from accord.acts.read import _Names
from accord.correlate.named import REFERENCE, name_values
from accord.correlate.values import Key, parse_value_spec
from accord.errors import NotFound, refused
from accord.exercise import marking
from accord.policy import visible_to
from accord.stix.timestamps import now_timestamp
from accord.store import correlation as store
from accord.store import exercise_alerts
from accord.store.directory import Account
from accord.store.schema import accounts, register_designations

MAX_NOTE = 2000
MAX_TEXT = 1000
#: Watches one party may hold at once.
MAX_WATCHES = 50_000
_TYPE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class WatchRequest:
    name: str | None = None
    subject: str | None = None
    value: str | None = None
    #: A saved query: the text the object list's ``q`` searches for (in names and
    #: descriptions, without case), optionally only in some STIX types.
    query: str | None = None
    types: tuple[str, ...] = ()
    note: str = ""
    expires: str | None = None
    #: An exercise watch: it matches only that exercise's objects (its channels), and a
    #: real watch only real intelligence.
    exercise: str | None = None


def add_watch(
    connection: Connection, account: Account, request: WatchRequest, *, door: str
) -> dict[str, Any]:
    """Add a watch for ``account``'s party; the watch as listed."""
    given = [f for f in ("name", "subject", "value", "query") if getattr(request, f) is not None]
    if len(given) != 1:
        raise refused("watch", "give exactly one of name, subject, value or query")
    if request.types and given[0] != "query":
        raise refused("types", "only a query watch is limited to types")
    kind = given[0]
    text = str(getattr(request, kind)).strip()
    if not text:
        raise refused(kind, "is empty")
    if len(text) > MAX_TEXT or "\x00" in text:
        raise refused(kind, f"at most {MAX_TEXT} characters, without NUL")
    if len(request.note) > MAX_NOTE or "\x00" in request.note:
        raise refused("note", f"at most {MAX_NOTE} characters, without NUL")
    expires = _expiry(request.expires)
    exercise = _exercise_of(connection, account, request.exercise)
    values: dict[str, Any] = {"lo": None, "hi": None, "value_key": None, "exercise": exercise}
    if kind == "name":
        keys = name_values(text)
        if not keys:
            raise refused("name", f"{text!r} holds no name to screen (too short?)")
        values.update(value_kind="name", value=keys[0])
    elif kind == "query":
        types = tuple(t.strip() for t in request.types if t.strip())
        bad = [t for t in types if not _TYPE.match(t)]
        if bad:
            raise refused("types", f"{bad[0][:60]!r} is not a STIX type")
        if len(text) < 3:
            raise refused("query", "at least 3 characters")
        value = orjson.dumps({"q": text.casefold(), "types": list(types)}).decode()
        values.update(value_kind="query", value=value)
    elif kind == "subject":
        if not REFERENCE.match(text):
            raise refused("subject", f"{text!r} is not a register reference such as QDe.088")
        known = connection.execute(
            select(register_designations.c.id)
            .where(func.upper(register_designations.c.reference) == text.upper())
            .limit(1)
        ).first()
        if known is None:
            raise refused("subject", f"no register subject has the reference {text!r}")
        key = Key("subject", text.upper())
        values.update(value_kind="subject", value=key.value, value_key=key.digest)
    else:
        try:
            key = parse_value_spec(text)
        except ValueError as exc:
            raise refused("value", str(exc)) from exc
        values.update(
            value_kind=storage_kind(key),
            value=key.value,
            value_key=key.digest,
            lo=key.lo,
            hi=key.hi,
        )
    held = store.watch_count(connection, account.party.id)
    if held >= MAX_WATCHES:
        raise refused("watch", f"the party holds {held:,} watches; the limit is {MAX_WATCHES:,}")
    audit.lock_head(connection)  # numbers per party are given under the write lock
    number = store.add_watch(
        connection,
        {
            "party_id": account.party.id,
            "account_id": account.id,
            "kind": kind,
            "text": text,
            "note": request.note,
            "expires_on": expires,
            "created_at": now_timestamp(),
            **values,
        },
    )
    audit.append(
        connection,
        audit.Actor(account.name, account.party.code, door),
        "watch.add",
        target=f"watch:{number}",
        details={"kind": kind, "text": text, "expires": expires, "exercise": exercise},
    )
    row = store.watch_by_number(connection, account.party.id, number)
    assert row is not None
    return _watch_json(row, {account.id: account.name})


def _exercise_of(connection: Connection, account: Account, name: str | None) -> str | None:
    """The exercise a watch is for: one whose channel the account's party is a member of
    on this node (any other answers as for an exercise that does not exist)."""
    if name is None:
        return None
    cleaned = name.strip()
    if not cleaned or not exercise_alerts.member_of(connection, cleaned, account.party.id):
        raise NotFound(f"no exercise named {cleaned[:80]!r}")
    return cleaned


def _expiry(raw: str | None) -> str | None:
    if raw is None or not str(raw).strip():
        return None
    try:
        day = date.fromisoformat(str(raw).strip())
    except ValueError as exc:
        raise refused("expires", f"{raw!r} is not a date YYYY-MM-DD") from exc
    if day < datetime.now(UTC).date():
        raise refused("expires", f"{day.isoformat()} is in the past")
    return day.isoformat()


def _watch_json(row: Any, authors: dict[int, str]) -> dict[str, Any]:
    return {
        "id": row.number,
        "kind": row.kind,
        "text": row.text,
        "matched_as": {"kind": row.value_kind, "value": row.value},
        "note": row.note,
        "expires": row.expires_on,
        "created": row.created_at,
        "account": authors.get(row.account_id, "?"),
        "exercise": row.exercise,
    }


def _authors(connection: Connection, party_id: int) -> dict[int, str]:
    rows = connection.execute(
        select(accounts.c.id, accounts.c.name).where(accounts.c.party_id == party_id)
    )
    return {row.id: row.name for row in rows}


def list_watches(
    connection: Connection, account: Account, *, mine: bool = False, door: str
) -> list[dict[str, Any]]:
    """The party's watches (or only the account's own)."""
    rows = store.watch_rows(connection, account.party.id, account.id if mine else None)
    authors = _authors(connection, account.party.id)
    audit.append(
        connection,
        audit.Actor(account.name, account.party.code, door),
        "read.watches",
        details={"count": len(rows)},
    )
    return [_watch_json(row, authors) for row in rows]


def remove_watch(connection: Connection, account: Account, number: int, *, door: str) -> None:
    """Remove a watch of the party: its author, or an admin of the party."""
    row = store.watch_by_number(connection, account.party.id, number)
    if row is None or (row.account_id != account.id and not account.can("admin")):
        raise NotFound(f"no watch {number} of yours")
    store.remove_watch(connection, row.id, now_timestamp())
    audit.append(
        connection,
        audit.Actor(account.name, account.party.code, door),
        "watch.remove",
        target=f"watch:{number}",
        details={"kind": row.kind, "text": row.text},
    )


def alert_json(row: Any, codes: dict[int, str]) -> dict[str, Any]:
    """An alert as the party is shown it (REST, console, webhooks, digest): ``codes`` are
    the parties' codes by id; an anonymised sighting shows its channel or hub instead."""
    return {
        "id": row.number,
        "watch": {"id": row.watch_number, "kind": row.watch_kind, "text": row.watch_text},
        "object_id": row.stix_id,
        "object": {
            "type": row.type,
            "name": row.name,
            "version": row.modified or row.version_key,
            "origin": row.shown_origin or codes.get(row.origin_party_id, "?"),
        },
        "reason": orjson.loads(row.reason),
        "raised": row.raised_at,
        "acknowledged": row.acknowledged_at,
        "acknowledged_by": row.acknowledged_by,
        "withdrawn": row.withdrawn,
        "exercise": exercise_shown(row.watch_exercise),
    }


def exercise_shown(exercise: str | None) -> dict[str, str] | None:
    """How an exercise's alert says so: its EXERCISE marking and the MISP taxonomy tag that
    its objects carry (None for a real alert)."""
    if exercise is None:
        return None
    return {"name": exercise, "marking": f"EXERCISE {exercise}", "tag": marking.tag(exercise)}


def remove_watch_on_host(connection: Connection, number: int, *, host: str) -> str:
    """The node's host (the operator, on the command line) removes watch ``number`` when
    exactly one party holds a watch of that number; the party's code. Several: the account
    must be named, since numbers are per party."""
    rows = store.watches_numbered(connection, number)
    if not rows:
        raise NotFound(f"no watch {number}")
    if len(rows) > 1:
        raise refused("account", f"{len(rows)} parties hold a watch {number}: name the account")
    row = rows[0]
    store.remove_watch(connection, row.id, now_timestamp())
    code = _Names(connection).party(row.party_id)
    audit.append(
        connection,
        audit.Actor(None, None, "cli"),
        "watch.remove",
        target=f"watch:{number}",
        details={"party": code, "kind": row.kind, "text": row.text, "by": host},
    )
    return code


def _alert_json(row: Any, names: _Names) -> dict[str, Any]:
    return alert_json(row, names.codes())


@dataclass(frozen=True, slots=True)
class AlertPage:
    items: list[dict[str, Any]]
    next: str | None
    unread: int

    def as_json(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "more": self.next is not None,
            "next": self.next,
            "unread": self.unread,
        }


def list_alerts(
    connection: Connection,
    account: Account,
    *,
    after: str | None = None,
    limit: int = 100,
    withdrawn: bool = False,
    unacknowledged: bool = False,
    since: str | None = None,
    until: str | None = None,
    exercise: str | None = None,
    door: str,
) -> AlertPage:
    """The party's alerts after the cursor, oldest first (what is queued is matched first,
    so that a reader never misses an alert the matcher has not reached yet): its real
    alerts, or, asked for by name, one exercise's (never both in one list)."""
    match_pending(connection)
    start = 0
    if after:
        if not after.isdigit() or len(after) > 12:
            raise refused("next", f"{after[:40]!r} is not a cursor this route gave")
        start = int(after)
    visible = visible_to(account.party.id)
    rows = store.alert_page(
        connection,
        visible,
        account.party.id,
        after=start,
        limit=limit + 1,
        withdrawn=withdrawn,
        unacknowledged=unacknowledged,
        since=since,
        until=until,
        exercise=exercise,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    names = _Names(connection)
    items = [_alert_json(row, names) for row in rows]
    audit.append(
        connection,
        audit.Actor(account.name, account.party.code, door),
        "read.alerts",
        details={
            "alerts": [row.number for row in rows],
            **({"exercise": exercise} if exercise else {}),
        },
    )
    return AlertPage(
        items,
        str(rows[-1].number) if more and rows else None,
        store.unread_count(connection, visible, account.party.id, exercise),
    )


def unread(connection: Connection, account: Account) -> int:
    """How many of the party's alerts nobody acknowledged (the console's header)."""
    match_pending(connection)
    return store.unread_count(connection, visible_to(account.party.id), account.party.id)


def acknowledge(
    connection: Connection, account: Account, number: int, *, door: str
) -> dict[str, Any]:
    """Acknowledge an alert of the party (once; again is a no-op)."""
    visible = visible_to(account.party.id)
    row = store.alert_by_number(connection, visible, account.party.id, number)
    if row is None:
        raise NotFound(f"no alert {number}")
    store.acknowledge(connection, row.id, account.name, now_timestamp())
    audit.append(
        connection,
        audit.Actor(account.name, account.party.code, door),
        "alert.ack",
        target=f"alert:{number}",
        details={"object": row.stix_id},
    )
    fresh = store.alert_by_number(connection, visible, account.party.id, number)
    assert fresh is not None
    return _alert_json(fresh, _Names(connection))
