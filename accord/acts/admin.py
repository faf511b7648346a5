"""Administrative acts on the directory, each checked by :mod:`accord.policy` and recorded in
the audit log in its transaction.

The CLI (the node's host, acting as the operator), the API and the console all call these,
so an act is decided and audited the same way whatever the door.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from accord import audit
from accord.errors import Forbidden, NotFound
from accord.policy import (
    Principal,
    account_creation_refusal,
    may_manage_account,
    may_see_channel,
    require_operator,
    require_party_admin,
)
from accord.store import directory, peers
from accord.store.directory import Account, Channel, Party
from accord.store.peers import Peer


def actor_of(principal: Principal) -> audit.Actor:
    account = principal.account
    if account is None:
        return audit.Actor(principal.host_name, None, principal.door)
    return audit.Actor(account.name, account.party.code, principal.door)


def add_party(
    connection: Connection, principal: Principal, code: str, name: str, jurisdiction: str
) -> Party:
    require_operator(principal, "adding a party")
    party = directory.add_party(connection, code, name, jurisdiction)
    audit.append(
        connection,
        actor_of(principal),
        "admin.party.add",
        target=code,
        details={"name": party.name, "jurisdiction": party.jurisdiction},
    )
    return party


def add_account(
    connection: Connection,
    principal: Principal,
    name: str,
    party_code: str,
    role: str,
    lifetime_days: int = directory.DEFAULT_LIFETIME_DAYS,
) -> tuple[Account, str]:
    party = directory.get_party(connection, party_code)
    refusal = account_creation_refusal(
        principal, party, role, party_has_admin=directory.has_admin(connection, party.id)
    )
    if refusal:
        raise Forbidden(refusal)
    account, token = directory.add_account(connection, name, party_code, role, lifetime_days)
    audit.append(
        connection,
        actor_of(principal),
        "admin.account.add",
        target=name,
        details={"party": party_code, "role": role},
    )
    return account, token


def _managed(connection: Connection, principal: Principal, name: str, *, grants: bool) -> Account:
    """The account ``principal`` may manage; any other is reported exactly like a missing
    one, so that no caller learns another party's account names.

    A party's admins manage its accounts. The node's host (the CLI, as operator) may end or
    shorten any account's access (revoke, expiry: that never gives anyone more), but may
    hand out a new token (``grants``) only for a party it is still setting up (no admin
    yet), as for creating accounts."""
    try:
        account = directory.get_account(connection, name)
    except NotFound:
        account = None
    if account is None:
        raise NotFound(f"no account named {name!r}")
    if principal.account is not None:
        if principal.account.name == account.name and grants:
            return account  # an account may always rotate its own token
        if not may_manage_account(principal, account.party.id):
            raise NotFound(f"no account named {name!r}")
        return account
    if grants and directory.has_admin(connection, account.party.id):
        raise Forbidden(
            f"party {account.party.code!r} has its own admin: only its admins (or the account "
            "itself) rotate its tokens"
        )
    return account


def revoke_account(connection: Connection, principal: Principal, name: str) -> Account:
    """Revoke the account's token; its console sessions end in the same transaction."""
    _managed(connection, principal, name, grants=False)
    account = directory.revoke_account(connection, name)
    audit.append(
        connection,
        actor_of(principal),
        "admin.account.revoke",
        target=name,
        details={"revoked_at": account.revoked_at},
    )
    return account


def rotate_token(
    connection: Connection,
    principal: Principal,
    name: str,
    *,
    lifetime_days: int | None = None,
) -> tuple[Account, str]:
    """A new token for the account (shown once); the old one and its sessions end at once."""
    _managed(connection, principal, name, grants=True)
    account, token = directory.rotate_token(connection, name, lifetime_days)
    audit.append(
        connection,
        actor_of(principal),
        "admin.account.rotate",
        target=name,
        details={"token_expires_at": account.token_expires_at},
    )
    return account, token


def set_token_lifetime(
    connection: Connection, principal: Principal, name: str, days: int
) -> Account:
    """The account's token now expires ``days`` from now, and every rotated one after it.
    Lengthening gives the holder more: only the party's own admins do that."""
    _managed(connection, principal, name, grants=principal.account is None)
    account = directory.set_token_lifetime(connection, name, days)
    audit.append(
        connection,
        actor_of(principal),
        "admin.account.expiry",
        target=name,
        details={"lifetime_days": days, "token_expires_at": account.token_expires_at},
    )
    return account


def verify_audit(connection: Connection, principal: Principal) -> dict[str, Any]:
    """The audit chain's integrity: the operator's, who sees counts and breaks, never what
    other parties' entries say. The check is itself audited."""
    require_operator(principal, "verifying the audit chain")
    report = audit.verify(connection).as_dict()
    audit.append(
        connection,
        actor_of(principal),
        "read.audit.verify",
        details={"ok": report["ok"], "entries": report["entries"]},
    )
    return report


def add_peer(
    connection: Connection,
    principal: Principal,
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
    """A peer this node pulls from: the operator's act."""
    require_operator(principal, "adding a peer")
    peer = peers.add_peer(
        connection,
        name,
        url,
        collection_id,
        token,
        kind=kind,
        party=party,
        audience=audience,
        tlp=tlp,
    )
    audit.append(
        connection,
        actor_of(principal),
        "admin.peer.add",
        target=name,
        details={"url": peer.url, "collection": collection_id, "kind": kind},
    )
    return peer


def list_accounts(connection: Connection, principal: Principal) -> list[Account]:
    """An admin sees its own party's accounts; the host (CLI) every account. An operator
    account sees its own party's (and :func:`party_summary` for the others)."""
    if principal.account is None:
        return directory.list_accounts(connection)
    party = require_party_admin(principal, "listing accounts")
    accounts = directory.list_accounts(connection, party.id)
    audit.append(
        connection,
        actor_of(principal),
        "read.accounts",
        details={"party": party.code, "accounts": len(accounts)},
    )
    return accounts


def party_summary(connection: Connection, principal: Principal) -> list[dict[str, Any]]:
    """For the operator: each party, how many accounts it has and whether it has an admin
    (what setting up a party needs), never who they are."""
    require_operator(principal, "the parties' account summary")
    counts: dict[str, int] = {}
    for account in directory.list_accounts(connection):
        counts[account.party.code] = counts.get(account.party.code, 0) + 1
    summary = [
        {
            "party": party.code,
            "accounts": counts.get(party.code, 0),
            "has_admin": directory.has_admin(connection, party.id),
        }
        for party in directory.list_parties(connection)
    ]
    audit.append(connection, actor_of(principal), "read.accounts.summary")
    return summary


def add_channel(
    connection: Connection,
    principal: Principal,
    name: str,
    members: list[str],
    description: str = "",
) -> Channel:
    """A new channel, empty, with its first members (the operator: nothing is exposed yet)."""
    require_operator(principal, "adding a channel")
    channel = directory.add_channel(connection, name, members, description)
    audit.append(
        connection,
        actor_of(principal),
        "admin.channel.add",
        target=name,
        details={"members": list(channel.members)},
    )
    return channel


def visible_channel(connection: Connection, principal: Principal, name: str) -> Channel:
    """A channel the principal may know of; any other is answered as missing."""
    try:
        channel = directory.get_channel(connection, name)
    except NotFound:
        channel = None
    if channel is None or not may_see_channel(
        principal, directory.member_ids(connection, channel.id)
    ):
        raise NotFound(f"no channel named {name!r}")
    return channel


def list_channels(connection: Connection, principal: Principal) -> list[Channel]:
    """Members see their party's channels; the operator sees every channel."""
    if principal.is_operator:
        return directory.list_channels(connection)
    party = principal.party
    assert party is not None
    return directory.list_channels(connection, party.id)


@dataclass(slots=True)
class MembershipChange:
    """What a membership request did: who joined and left now, who still waits, and for
    which members' agreement."""

    channel: Channel
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    pending: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.channel.name,
            "description": self.channel.description,
            "members": list(self.channel.members),
            "added": self.added,
            "removed": self.removed,
            "pending": [
                {"party": code, "waiting_for": waiting} for code, waiting in self.pending.items()
            ],
        }


def pending_of(connection: Connection, channel: Channel) -> dict[str, list[str]]:
    """Each candidate of a channel and the member parties whose agreement it still needs."""
    codes = directory.party_codes(connection)
    members = directory.member_ids(connection, channel.id)
    pending: dict[str, list[str]] = {}
    for candidate, agreed in sorted(directory.agreements(connection, channel.id).items()):
        if candidate in members:
            continue
        pending[codes[candidate]] = sorted(codes[m] for m in members - agreed)
    return pending


def change_members(
    connection: Connection, principal: Principal, name: str, add: list[str], remove: list[str]
) -> MembershipChange:
    """Ask for parties to join and leave a channel.

    Joining is an agreement: it exposes everything already in the channel, so a party joins
    only when the admin of every current member party has agreed (asking counts as the
    asking party's agreement). Leaving is at once, and only for one's own party (or by the
    operator). The operator of a node that is not a member cannot agree for anyone."""
    channel = visible_channel(connection, principal, name)
    actor = actor_of(principal)
    party = principal.party
    account = principal.account
    is_admin = account is not None and account.can("admin")
    if not is_admin and not principal.is_operator:
        raise Forbidden("changing a channel's members needs an admin of a member party")
    change = MembershipChange(channel)
    for code in dict.fromkeys(remove):
        leaving = directory.get_party(connection, code)
        if not principal.is_operator and (party is None or leaving.id != party.id):
            raise Forbidden(
                "a party may only take itself out of a channel; the others leave by their "
                "own admins' decision"
            )
        if code in directory.get_channel(connection, name).members:
            directory.change_members(connection, name, [], [code])
            change.removed.append(code)
    members = directory.member_ids(connection, channel.id)
    for code in dict.fromkeys(add):
        candidate = directory.get_party(connection, code)
        if candidate.id in members:
            continue
        if not is_admin or party is None or party.id not in members or account is None:
            raise Forbidden(
                "who joins a channel is decided by the admins of its member parties; "
                "the node operator cannot agree for them"
            )
        directory.record_agreement(connection, channel.id, candidate.id, party.id, account.name)
    # Leaving can complete an agreement as much as agreeing can: check every candidate.
    members = directory.member_ids(connection, channel.id)
    codes = directory.party_codes(connection)
    for candidate_id, agreed in directory.agreements(connection, channel.id).items():
        if candidate_id not in members and members <= agreed:
            directory.change_members(connection, name, [codes[candidate_id]], [])
            directory.clear_agreements(connection, channel.id, candidate_id)
            change.added.append(codes[candidate_id])
    change.channel = directory.get_channel(connection, name)
    change.pending = pending_of(connection, change.channel)
    requested = [c for c in add if c not in change.added]
    if requested:
        audit.append(
            connection,
            actor,
            "admin.channel.agree",
            target=name,
            details={"agreed_to": requested, "by": party.code if party else None},
        )
    if change.added or change.removed:
        audit.append(
            connection,
            actor,
            "admin.channel.members",
            target=name,
            details={
                "added": change.added,
                "removed": change.removed,
                "members": list(change.channel.members),
            },
        )
    return change
