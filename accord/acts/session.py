"""Console session acts: sign in (a token for a server-side session), find the session of a
request, sign out. Each is audited here; ``accord.console.session`` only handles cookies,
forms and pages."""

from __future__ import annotations

from sqlalchemy import Connection

from accord import audit
from accord.store import sessions
from accord.store.directory import Account, account_by_token


def _actor(account: Account) -> audit.Actor:
    return audit.Actor(account.name, account.party.code, "ui")


def current(connection: Connection, session_id: str, *, idle_seconds: int) -> Account | None:
    """The account of a live session; a session that timed out ends here, audited."""
    found = sessions.lookup(connection, session_id, idle_seconds=idle_seconds)
    if found.ended is not None:
        audit.append(
            connection, _actor(found.ended), "ui.session-expired", details={"reason": found.reason}
        )
    return found.account


def sign_in(
    connection: Connection,
    token: str,
    previous: str | None,
    *,
    idle_seconds: int,
    absolute_seconds: int,
) -> str | None:
    """A new session id for a valid token (None otherwise). Sessions past their time end
    first; a browser holds one session at a time, so its previous one ends too."""
    for ended, reason in sessions.purge(connection, idle_seconds=idle_seconds):
        audit.append(connection, _actor(ended), "ui.session-expired", details={"reason": reason})
    account = account_by_token(connection, token) if token else None
    if account is None:
        return None
    if previous:
        replaced = sessions.end(connection, previous)
        if replaced is not None:
            audit.append(
                connection, _actor(replaced), "ui.sign-out", details={"reason": "signed in again"}
            )
    session_id = sessions.start(connection, account, absolute_seconds=absolute_seconds)
    audit.append(connection, _actor(account), "ui.sign-in")
    return session_id


def sign_out(connection: Connection, session_id: str) -> None:
    account = sessions.end(connection, session_id)
    if account is not None:
        audit.append(connection, _actor(account), "ui.sign-out")
