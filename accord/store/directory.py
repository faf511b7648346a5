"""Parties, accounts and channels: who exists on this node and who belongs to which audience."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, bindparam, delete, false, insert, select, update
from sqlalchemy.exc import IntegrityError

from accord.errors import Conflict, NotFound, ValidationFailed
from accord.stix.timestamps import now_timestamp
from accord.store.schema import (
    accounts,
    channel_agreements,
    channel_members,
    channels,
    console_sessions,
    parties,
)

#: Weakest first: a stronger role can do what a weaker one can for its own party.
ROLES = ("reader", "publisher", "admin", "operator")
RESERVED_AUDIENCES = ("own", "network")
#: Jurisdictions that are not states: international and regional bodies.
BLOC_JURISDICTIONS = frozenset(
    {"UN", "EU", "SCO", "SCO-RATS", "CSTO", "CIS", "OSCE", "ASEAN", "AU", "GCC", "NATO", "INTERPOL"}
)
_CODE = re.compile(r"[a-z0-9][a-z0-9-]{1,62}\Z")
_ACCOUNT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{1,127}\Z")
#: Days a token lives when nobody says otherwise (``Settings.token_lifetime_days``).
DEFAULT_LIFETIME_DAYS = 90
#: The longest lifetime a token may be given: ten years, not forever.
MAX_LIFETIME_DAYS = 3650


@dataclass(frozen=True, slots=True)
class Party:
    id: int
    code: str
    name: str
    jurisdiction: str


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    name: str
    role: str
    party: Party
    disabled: bool = False
    #: When the account's token stops working (a timestamp like every other column).
    token_expires_at: str = ""
    #: When the token was revoked; a revoked token never works again (rotate for a new one).
    revoked_at: str | None = None

    def can(self, role: str) -> bool:
        """True when this account's role is ``role`` or a stronger one."""
        return ROLES.index(self.role) >= ROLES.index(role)


@dataclass(frozen=True, slots=True)
class Channel:
    id: int
    name: str
    description: str
    members: tuple[str, ...]


def hash_token(token: str) -> str:
    """Tokens are 256-bit random values, so one SHA-256 is a safe one-way store."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def stamp(moment: datetime) -> str:
    """``moment`` as the fixed-width UTC timestamp of every column, so that string order is
    time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def utc_now() -> datetime:
    return datetime.now(UTC)


def check_lifetime(days: int) -> int:
    if not 1 <= days <= MAX_LIFETIME_DAYS:
        raise ValidationFailed(
            f"token lifetime {days} days: use 1 to {MAX_LIFETIME_DAYS} days (tokens always end)"
        )
    return days


def new_token() -> str:
    return "acc_" + secrets.token_urlsafe(32)


def check_jurisdiction(code: str) -> str:
    value = code.strip().upper()
    if re.fullmatch(r"[A-Z]{2}", value) or value in BLOC_JURISDICTIONS:
        return value
    raise ValidationFailed(
        f"jurisdiction {code!r} is neither an ISO 3166 alpha-2 code nor one of "
        + ", ".join(sorted(BLOC_JURISDICTIONS))
    )


def add_party(connection: Connection, code: str, name: str, jurisdiction: str) -> Party:
    if not _CODE.match(code):
        raise ValidationFailed(f"party code {code!r}: use 2-63 characters of a-z, 0-9 and '-'")
    if not name.strip():
        raise ValidationFailed("a party needs a name")
    values = {"code": code, "name": name.strip(), "jurisdiction": check_jurisdiction(jurisdiction)}
    try:
        with connection.begin_nested():
            new_id = connection.execute(
                insert(parties).values(created_at=now_timestamp(), **values).returning(parties.c.id)
            ).scalar_one()
    except IntegrityError as exc:
        raise Conflict(f"a party with code {code!r} already exists") from exc
    return Party(id=new_id, **values)


def _party(row: object) -> Party:
    return Party(row.id, row.code, row.name, row.jurisdiction)  # type: ignore[attr-defined]


def get_party(connection: Connection, code: str) -> Party:
    row = connection.execute(select(parties).where(parties.c.code == code)).first()
    if row is None:
        raise NotFound(f"no party with code {code!r}")
    return _party(row)


def list_parties(connection: Connection) -> list[Party]:
    return [_party(row) for row in connection.execute(select(parties).order_by(parties.c.code))]


def party_codes(connection: Connection) -> dict[int, str]:
    return {row.id: row.code for row in connection.execute(select(parties.c.id, parties.c.code))}


def add_account(
    connection: Connection,
    name: str,
    party_code: str,
    role: str,
    lifetime_days: int = DEFAULT_LIFETIME_DAYS,
    *,
    now: datetime | None = None,
) -> tuple[Account, str]:
    """Create an account; returns it with its token, which is shown once and never stored.
    The token expires after ``lifetime_days``, and so does every rotated one."""
    if not _ACCOUNT.match(name):
        raise ValidationFailed(f"account name {name!r}: use 2-128 letters, digits and . _ @ -")
    if role not in ROLES:
        raise ValidationFailed(f"role {role!r}: expected one of {', '.join(ROLES)}")
    check_lifetime(lifetime_days)
    party = get_party(connection, party_code)
    token = new_token()
    moment = now or utc_now()
    expires_at = stamp(moment + timedelta(days=lifetime_days))
    try:
        with connection.begin_nested():
            new_id = connection.execute(
                insert(accounts)
                .values(
                    name=name,
                    party_id=party.id,
                    role=role,
                    token_hash=hash_token(token),
                    disabled=False,
                    created_at=stamp(moment),
                    token_expires_at=expires_at,
                    token_lifetime_days=lifetime_days,
                )
                .returning(accounts.c.id)
            ).scalar_one()
    except IntegrityError as exc:
        raise Conflict(f"an account named {name!r} already exists") from exc
    account = Account(new_id, name, role, party, token_expires_at=expires_at)
    return account, token


_ACCOUNT_QUERY = select(
    accounts.c.id,
    accounts.c.name,
    accounts.c.role,
    accounts.c.disabled,
    accounts.c.token_expires_at,
    accounts.c.revoked_at,
    parties.c.id.label("party_id"),
    parties.c.code,
    parties.c.name.label("party_name"),
    parties.c.jurisdiction,
).join(parties, parties.c.id == accounts.c.party_id)


def _account(row: object) -> Account:
    r = row
    party = Party(r.party_id, r.code, r.party_name, r.jurisdiction)  # type: ignore[attr-defined]
    return Account(
        r.id,  # type: ignore[attr-defined]
        r.name,  # type: ignore[attr-defined]
        r.role,  # type: ignore[attr-defined]
        party,
        bool(r.disabled),  # type: ignore[attr-defined]
        r.token_expires_at,  # type: ignore[attr-defined]
        r.revoked_at,  # type: ignore[attr-defined]
    )


def usable(account: Account, now: datetime | None = None) -> bool:
    """May this account's token (and its console sessions) be used at ``now``?"""
    if account.disabled or account.revoked_at is not None:
        return False
    return account.token_expires_at > stamp(now or utc_now())


def _holder_of(connection: Connection, token: str) -> Account | None:
    """The account whose token hash is ``token``'s, usable or not (by hash: no timing oracle)."""
    row = connection.execute(_BY_TOKEN_HASH, {"token_hash": hash_token(token)}).first()
    return None if row is None else _account(row)


#: Built once: every request looks its caller up with it (building a statement costs more
#: than running it).
_BY_TOKEN_HASH = _ACCOUNT_QUERY.where(accounts.c.token_hash == bindparam("token_hash"))


def account_by_token(
    connection: Connection, token: str, now: datetime | None = None
) -> Account | None:
    """The account holding ``token`` while the token is usable: not expired, not revoked,
    the account not disabled."""
    account = _holder_of(connection, token)
    return account if account is not None and usable(account, now) else None


def expiry_of_expired(
    connection: Connection, token: str, now: datetime | None = None
) -> str | None:
    """When ``token`` expired, if it is an expired token of an enabled, unrevoked account:
    for telling its own holder why it stopped working (never anyone else)."""
    account = _holder_of(connection, token)
    if (
        account is None
        or account.disabled
        or account.revoked_at is not None
        or usable(account, now)
    ):
        return None
    return account.token_expires_at


def end_account_sessions(connection: Connection, account_id: int) -> int:
    """Delete every console session of an account; returns how many there were."""
    result = connection.execute(
        delete(console_sessions).where(console_sessions.c.account_id == account_id)
    )
    return int(result.rowcount or 0)


def revoke_account(connection: Connection, name: str, now: datetime | None = None) -> Account:
    """Revoke the account's token at once, and end its console sessions in this transaction.
    Revoking again keeps the first date; only a rotation issues a working token again."""
    account = get_account(connection, name)
    if account.revoked_at is None:
        connection.execute(
            update(accounts)
            .where(accounts.c.id == account.id)
            .values(revoked_at=stamp(now or utc_now()))
        )
    end_account_sessions(connection, account.id)
    return get_account(connection, name)


def rotate_token(
    connection: Connection,
    name: str,
    lifetime_days: int | None = None,
    now: datetime | None = None,
) -> tuple[Account, str]:
    """Replace the account's token: the old one stops working at once, console sessions end,
    a revocation is lifted, and the new token (returned, shown once) lives the account's
    lifetime (or ``lifetime_days``, which becomes the account's lifetime)."""
    account = get_account(connection, name)
    moment = now or utc_now()
    values: dict[str, object] = {}
    if lifetime_days is not None:
        values["token_lifetime_days"] = check_lifetime(lifetime_days)
        days = lifetime_days
    else:
        days = connection.execute(
            select(accounts.c.token_lifetime_days).where(accounts.c.id == account.id)
        ).scalar_one()
    token = new_token()
    connection.execute(
        update(accounts)
        .where(accounts.c.id == account.id)
        .values(
            token_hash=hash_token(token),
            token_rotated_at=stamp(moment),
            token_expires_at=stamp(moment + timedelta(days=days)),
            revoked_at=None,
            **values,
        )
    )
    end_account_sessions(connection, account.id)
    return get_account(connection, name), token


def set_token_lifetime(
    connection: Connection, name: str, days: int, now: datetime | None = None
) -> Account:
    """Give the account a lifetime of ``days``: its token now expires ``days`` from now, and
    so will every rotated one. A revoked token stays revoked."""
    check_lifetime(days)
    account = get_account(connection, name)
    connection.execute(
        update(accounts)
        .where(accounts.c.id == account.id)
        .values(
            token_lifetime_days=days,
            token_expires_at=stamp((now or utc_now()) + timedelta(days=days)),
        )
    )
    return get_account(connection, name)


def get_account(connection: Connection, name: str) -> Account:
    row = connection.execute(_ACCOUNT_QUERY.where(accounts.c.name == name)).first()
    if row is None:
        raise NotFound(f"no account named {name!r}")
    return _account(row)


def list_accounts(connection: Connection, party_id: int | None = None) -> list[Account]:
    """Every account, or those of one party."""
    query = _ACCOUNT_QUERY.order_by(accounts.c.name)
    if party_id is not None:
        query = query.where(accounts.c.party_id == party_id)
    return [_account(r) for r in connection.execute(query)]


def has_admin(connection: Connection, party_id: int) -> bool:
    """Does the party have an enabled admin (or operator) account?"""
    row = connection.execute(
        select(accounts.c.id).where(
            accounts.c.party_id == party_id,
            accounts.c.role.in_(("admin", "operator")),
            accounts.c.disabled == false(),
        )
    ).first()
    return row is not None


def add_channel(
    connection: Connection,
    name: str,
    member_codes: list[str],
    description: str = "",
    *,
    minimum: int = 2,
) -> Channel:
    """A new, empty channel. ``minimum`` 1 is for an exercise's sub-channel whose inject
    reaches only the director's own party."""
    if not _CODE.match(name) or name in RESERVED_AUDIENCES:
        raise ValidationFailed(
            f"channel name {name!r}: use 2-63 characters of a-z, 0-9 and '-', not own or network"
        )
    members = sorted(set(member_codes))
    if len(members) < minimum:
        raise ValidationFailed("a channel needs at least two member parties")
    found = [get_party(connection, code) for code in members]
    try:
        with connection.begin_nested():
            channel_id = connection.execute(
                insert(channels)
                .values(name=name, description=description, created_at=now_timestamp())
                .returning(channels.c.id)
            ).scalar_one()
    except IntegrityError as exc:
        raise Conflict(f"a channel named {name!r} already exists") from exc
    connection.execute(
        insert(channel_members), [{"channel_id": channel_id, "party_id": p.id} for p in found]
    )
    return Channel(channel_id, name, description, tuple(members))


def get_channel(connection: Connection, name: str) -> Channel:
    row = connection.execute(select(channels).where(channels.c.name == name)).first()
    if row is None:
        raise NotFound(f"no channel named {name!r}")
    return _with_members(connection, row.id, row.name, row.description)


def _with_members(connection: Connection, channel_id: int, name: str, description: str) -> Channel:
    codes = connection.execute(
        select(parties.c.code)
        .join(channel_members, channel_members.c.party_id == parties.c.id)
        .where(channel_members.c.channel_id == channel_id)
        .order_by(parties.c.code)
    ).scalars()
    return Channel(channel_id, name, description, tuple(codes))


def list_channels(connection: Connection, party_id: int | None = None) -> list[Channel]:
    """Every channel, or only those ``party_id`` belongs to."""
    query = select(channels).order_by(channels.c.name)
    if party_id is not None:
        query = query.where(
            channels.c.id.in_(
                select(channel_members.c.channel_id).where(channel_members.c.party_id == party_id)
            )
        )
    found = list(connection.execute(query))
    members: dict[int, list[str]] = {row.id: [] for row in found}
    if members:
        for channel_id, code in connection.execute(
            _MEMBER_CODES.where(channel_members.c.channel_id.in_(list(members)))
        ):
            members[channel_id].append(code)
    return [Channel(r.id, r.name, r.description, tuple(members[r.id])) for r in found]


_MEMBER_CODES = (
    select(channel_members.c.channel_id, parties.c.code)
    .join(parties, channel_members.c.party_id == parties.c.id)
    .order_by(channel_members.c.channel_id, parties.c.code)
)


def member_ids(connection: Connection, channel_id: int) -> set[int]:
    return set(
        connection.execute(
            select(channel_members.c.party_id).where(channel_members.c.channel_id == channel_id)
        ).scalars()
    )


def record_agreement(
    connection: Connection, channel_id: int, candidate_id: int, member_id: int, account: str
) -> None:
    """A member party's agreement that ``candidate_id`` joins the channel (idempotent)."""
    exists = connection.execute(
        select(channel_agreements.c.channel_id).where(
            channel_agreements.c.channel_id == channel_id,
            channel_agreements.c.candidate_party_id == candidate_id,
            channel_agreements.c.member_party_id == member_id,
        )
    ).first()
    if exists is None:
        connection.execute(
            insert(channel_agreements).values(
                channel_id=channel_id,
                candidate_party_id=candidate_id,
                member_party_id=member_id,
                account=account,
                at=now_timestamp(),
            )
        )


def agreements(connection: Connection, channel_id: int) -> dict[int, set[int]]:
    """Pending candidates of a channel and the member parties that agreed to each."""
    found: dict[int, set[int]] = {}
    rows = connection.execute(
        select(channel_agreements.c.candidate_party_id, channel_agreements.c.member_party_id).where(
            channel_agreements.c.channel_id == channel_id
        )
    )
    for row in rows:
        found.setdefault(row.candidate_party_id, set()).add(row.member_party_id)
    return found


def clear_agreements(connection: Connection, channel_id: int, candidate_id: int) -> None:
    connection.execute(
        delete(channel_agreements).where(
            channel_agreements.c.channel_id == channel_id,
            channel_agreements.c.candidate_party_id == candidate_id,
        )
    )


def change_members(connection: Connection, name: str, add: list[str], remove: list[str]) -> Channel:
    """Add or remove member parties; visibility follows at once (it is computed per query)."""
    channel = get_channel(connection, name)
    for code in add:
        party = get_party(connection, code)
        if code not in channel.members:
            connection.execute(
                insert(channel_members).values(channel_id=channel.id, party_id=party.id)
            )
    for code in remove:
        party = get_party(connection, code)
        connection.execute(
            delete(channel_members).where(
                channel_members.c.channel_id == channel.id,
                channel_members.c.party_id == party.id,
            )
        )
    return get_channel(connection, name)
