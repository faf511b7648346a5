"""Administrative acts on the directory, each recorded in the audit log in its transaction.

The CLI and the API both call these, so an act is audited the same way whatever the door.
"""

from __future__ import annotations

from sqlalchemy import Connection

from accord import audit, policy
from accord.errors import NotFound
from accord.store import directory
from accord.store.directory import Account, Channel, Party


def add_party(
    connection: Connection, actor: audit.Actor, code: str, name: str, jurisdiction: str
) -> Party:
    party = directory.add_party(connection, code, name, jurisdiction)
    audit.append(
        connection,
        actor,
        "admin.party.add",
        target=code,
        details={"name": party.name, "jurisdiction": party.jurisdiction},
    )
    return party


def add_account(
    connection: Connection,
    actor: audit.Actor,
    name: str,
    party_code: str,
    role: str,
    lifetime_days: int = directory.DEFAULT_LIFETIME_DAYS,
) -> tuple[Account, str]:
    account, token = directory.add_account(connection, name, party_code, role, lifetime_days)
    audit.append(
        connection,
        actor,
        "admin.account.add",
        target=name,
        details={"party": party_code, "role": role},
    )
    return account, token


def _managed(connection: Connection, name: str, manager: Account | None) -> Account:
    """The account ``manager`` may manage (None: the node's operator, at the CLI); any other
    is reported exactly like a missing one, so that no caller learns another party's names."""
    try:
        account = directory.get_account(connection, name)
    except NotFound:
        account = None
    if account is None or (
        manager is not None and not policy.may_manage_account(manager, account.party.id)
    ):
        raise NotFound(f"no account named {name!r}")
    return account


def revoke_account(
    connection: Connection, actor: audit.Actor, name: str, *, manager: Account | None
) -> Account:
    """Revoke the account's token; its console sessions end in the same transaction."""
    _managed(connection, name, manager)
    account = directory.revoke_account(connection, name)
    audit.append(
        connection,
        actor,
        "admin.account.revoke",
        target=name,
        details={"revoked_at": account.revoked_at},
    )
    return account


def rotate_token(
    connection: Connection,
    actor: audit.Actor,
    name: str,
    *,
    manager: Account | None,
    lifetime_days: int | None = None,
) -> tuple[Account, str]:
    """A new token for the account (shown once); the old one and its sessions end at once.
    An account may always rotate its own token (``manager`` is then the account itself)."""
    if manager is None or manager.name != name:
        _managed(connection, name, manager)
    account, token = directory.rotate_token(connection, name, lifetime_days)
    audit.append(
        connection,
        actor,
        "admin.account.rotate",
        target=name,
        details={"token_expires_at": account.token_expires_at},
    )
    return account, token


def set_token_lifetime(
    connection: Connection, actor: audit.Actor, name: str, days: int, *, manager: Account | None
) -> Account:
    """The account's token now expires ``days`` from now, and every rotated one after it."""
    _managed(connection, name, manager)
    account = directory.set_token_lifetime(connection, name, days)
    audit.append(
        connection,
        actor,
        "admin.account.expiry",
        target=name,
        details={"lifetime_days": days, "token_expires_at": account.token_expires_at},
    )
    return account


def add_channel(
    connection: Connection, actor: audit.Actor, name: str, members: list[str], description: str = ""
) -> Channel:
    channel = directory.add_channel(connection, name, members, description)
    audit.append(
        connection,
        actor,
        "admin.channel.add",
        target=name,
        details={"members": list(channel.members)},
    )
    return channel


def change_members(
    connection: Connection, actor: audit.Actor, name: str, add: list[str], remove: list[str]
) -> Channel:
    channel = directory.change_members(connection, name, add, remove)
    audit.append(
        connection,
        actor,
        "admin.channel.members",
        target=name,
        details={"added": add, "removed": remove, "members": list(channel.members)},
    )
    return channel
