"""Administrative acts on the directory, each recorded in the audit log in its transaction.

The CLI and the API both call these, so an act is audited the same way whatever the door.
"""

from __future__ import annotations

from sqlalchemy import Connection

from accord import audit
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
    connection: Connection, actor: audit.Actor, name: str, party_code: str, role: str
) -> tuple[Account, str]:
    account, token = directory.add_account(connection, name, party_code, role)
    audit.append(
        connection,
        actor,
        "admin.account.add",
        target=name,
        details={"party": party_code, "role": role},
    )
    return account, token


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
