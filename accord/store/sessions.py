"""Console sessions kept on the server: a random id in the browser, its SHA-256 here.

A session ends when its account signs out, when it has been idle too long, at its absolute
deadline, when its account's token expires, and when the token is revoked or rotated
(:func:`accord.store.directory.end_account_sessions`, in the same transaction).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, insert, or_, select, update

from accord.store.directory import (
    _ACCOUNT_QUERY,
    Account,
    _account,
    hash_token,
    stamp,
    usable,
    utc_now,
)
from accord.store.schema import accounts, console_sessions

#: The last use of a session is written at most this often: a page view need not be a write.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class Lookup:
    """What a session id stands for: the signed-in account, or, when the session has just
    ended by a timeout, the account whose session it was and why (for the audit log)."""

    account: Account | None = None
    ended: Account | None = None
    reason: str | None = None


def start(
    connection: Connection, account: Account, *, absolute_seconds: int, now: datetime | None = None
) -> str:
    """Open a session for ``account``; returns the session id, which is never stored."""
    moment = now or utc_now()
    session_id = secrets.token_urlsafe(32)
    connection.execute(
        insert(console_sessions).values(
            id_hash=hash_token(session_id),
            account_id=account.id,
            created_at=stamp(moment),
            last_seen_at=stamp(moment),
            expires_at=stamp(moment + timedelta(seconds=absolute_seconds)),
        )
    )
    return session_id


def _expiry_reason(
    row: object, account: Account, idle_seconds: int, moment: datetime
) -> str | None:
    if row.expires_at <= stamp(moment):  # type: ignore[attr-defined]
        return "absolute timeout"
    if row.last_seen_at <= stamp(moment - timedelta(seconds=idle_seconds)):  # type: ignore[attr-defined]
        return "idle timeout"
    if not account.disabled and account.revoked_at is None and not usable(account, moment):
        return "token expired"
    return None


def lookup(
    connection: Connection, session_id: str, *, idle_seconds: int, now: datetime | None = None
) -> Lookup:
    """The account of a live session, its last use recorded; an ended session is deleted."""
    moment = now or utc_now()
    id_hash = hash_token(session_id)
    row = connection.execute(
        _ACCOUNT_QUERY.add_columns(console_sessions.c.last_seen_at, console_sessions.c.expires_at)
        .join(console_sessions, console_sessions.c.account_id == accounts.c.id)
        .where(console_sessions.c.id_hash == id_hash)
    ).first()
    if row is None:
        return Lookup()
    account = _account(row)
    reason = _expiry_reason(row, account, idle_seconds, moment)
    if reason is not None or not usable(account, moment):
        connection.execute(delete(console_sessions).where(console_sessions.c.id_hash == id_hash))
        return Lookup(ended=account if reason else None, reason=reason)
    if row.last_seen_at <= stamp(moment - TOUCH_EVERY):
        connection.execute(
            update(console_sessions)
            .where(console_sessions.c.id_hash == id_hash)
            .values(last_seen_at=stamp(moment))
        )
    return Lookup(account=account)


def end(connection: Connection, session_id: str) -> Account | None:
    """Sign-out: delete the session; returns its account, or None if it had already ended."""
    id_hash = hash_token(session_id)
    row = connection.execute(
        _ACCOUNT_QUERY.join(console_sessions, console_sessions.c.account_id == accounts.c.id).where(
            console_sessions.c.id_hash == id_hash
        )
    ).first()
    if row is None:
        return None
    connection.execute(delete(console_sessions).where(console_sessions.c.id_hash == id_hash))
    return _account(row)


def purge(
    connection: Connection, *, idle_seconds: int, now: datetime | None = None
) -> list[tuple[Account, str]]:
    """Delete every session past its idle or absolute timeout; returns their accounts and
    reasons, so that the audit log records each ending."""
    moment = now or utc_now()
    idle_limit = stamp(moment - timedelta(seconds=idle_seconds))
    expired = or_(
        console_sessions.c.expires_at <= stamp(moment),
        console_sessions.c.last_seen_at <= idle_limit,
    )
    rows = connection.execute(
        _ACCOUNT_QUERY.add_columns(
            console_sessions.c.id_hash,
            console_sessions.c.last_seen_at,
            console_sessions.c.expires_at,
        )
        .join(console_sessions, console_sessions.c.account_id == accounts.c.id)
        .where(expired)
    ).all()
    ended = []
    for row in rows:
        account = _account(row)
        ended.append((account, _expiry_reason(row, account, idle_seconds, moment) or "expired"))
    if rows:
        connection.execute(
            delete(console_sessions).where(
                console_sessions.c.id_hash.in_([row.id_hash for row in rows])
            )
        )
    return ended


def count(connection: Connection, account_id: int) -> int:
    """How many sessions an account has open (for tests and the operator)."""
    return len(
        connection.execute(
            select(console_sessions.c.id_hash).where(console_sessions.c.account_id == account_id)
        ).all()
    )
