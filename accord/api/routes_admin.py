"""Directory routes: parties, channels and accounts (admins), and who the caller is."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from accord.acts import admin, audit_view
from accord.api.auth import Admin, CurrentAccount, Operator, engine_of, settings_of
from accord.api.params import PAGE_LIMIT, limits_of
from accord.api.responses import PROBLEM_RESPONSES, JSONBytes
from accord.policy import Principal
from accord.store import directory
from accord.store.directory import Account, Channel
from accord.store.engine import reader

router = APIRouter(prefix="/api/v1", tags=["directory"], responses=PROBLEM_RESPONSES)


class PartyIn(BaseModel):
    code: str = Field(description="short code, e.g. kz-knb")
    name: str
    jurisdiction: str = Field(description="ISO 3166 alpha-2, or UN, EU, SCO, CSTO...")


class AccountIn(BaseModel):
    name: str
    party: str
    role: str = Field(description="reader, publisher, admin or operator")
    expires_in_days: int | None = Field(
        default=None, description="token lifetime in days (default: the node's setting)"
    )


class ChannelIn(BaseModel):
    name: str
    members: list[str]
    description: str = ""


class MembersChange(BaseModel):
    add: list[str] = []
    remove: list[str] = []


def _principal(account: Account) -> Principal:
    return Principal(account, "api")


def _account_json(account: Account) -> dict[str, Any]:
    return {
        "name": account.name,
        "role": account.role,
        "party": asdict(account.party),
        "disabled": account.disabled,
        "token_expires_at": account.token_expires_at,
        "revoked_at": account.revoked_at,
    }


def _channel(channel: Channel) -> dict[str, Any]:
    return {
        "name": channel.name,
        "description": channel.description,
        "members": list(channel.members),
    }


@router.get("/me", summary="The calling account, its party and its channels")
def me(request: Request, account: CurrentAccount) -> JSONBytes:
    with reader(engine_of(request)) as connection:
        channels = directory.list_channels(connection, account.party.id)
    return JSONBytes({**_account_json(account), "channels": [_channel(c) for c in channels]})


@router.get("/parties", summary="Every party of the network")
def list_parties(request: Request, _account: CurrentAccount) -> JSONBytes:
    with engine_of(request).connect() as connection:
        return JSONBytes({"parties": [asdict(p) for p in directory.list_parties(connection)]})


@router.post("/parties", status_code=201, summary="Add a party (operator)")
def add_party(request: Request, account: Operator, body: PartyIn) -> JSONBytes:
    with engine_of(request).begin() as connection:
        party = admin.add_party(
            connection, _principal(account), body.code, body.name, body.jurisdiction
        )
    return JSONBytes(asdict(party), status_code=201)


@router.get("/channels", summary="Your party's channels (every channel for the node's operator)")
def list_channels(request: Request, account: CurrentAccount) -> JSONBytes:
    with engine_of(request).connect() as connection:
        channels = admin.list_channels(connection, _principal(account))
    return JSONBytes({"channels": [_channel(c) for c in channels]})


@router.get(
    "/channels/{name}",
    summary="A channel of your party, with the parties waiting to join and for whom",
)
def get_channel(request: Request, account: CurrentAccount, name: str) -> JSONBytes:
    with engine_of(request).connect() as connection:
        channel = admin.visible_channel(connection, _principal(account), name)
        change = admin.MembershipChange(channel, pending=admin.pending_of(connection, channel))
    return JSONBytes(change.as_dict())


@router.post(
    "/channels", status_code=201, summary="Add a channel with its member parties (operator)"
)
def add_channel(request: Request, account: Operator, body: ChannelIn) -> JSONBytes:
    with engine_of(request).begin() as connection:
        channel = admin.add_channel(
            connection, _principal(account), body.name, body.members, body.description
        )
    return JSONBytes(_channel(channel), status_code=201)


@router.patch(
    "/channels/{name}",
    summary="Agree that parties join (they join once every member agreed), or leave (admin)",
)
def change_members(request: Request, account: Admin, name: str, body: MembersChange) -> JSONBytes:
    with engine_of(request).begin() as connection:
        change = admin.change_members(connection, _principal(account), name, body.add, body.remove)
    return JSONBytes(change.as_dict())


@router.get(
    "/accounts",
    summary="Your party's accounts (admin); the operator also gets each party's account count",
)
def list_accounts(request: Request, account: Admin) -> JSONBytes:
    principal = _principal(account)
    with engine_of(request).begin() as connection:
        body: dict[str, Any] = {
            "accounts": [_account_json(a) for a in admin.list_accounts(connection, principal)]
        }
        if principal.is_operator:
            body["parties"] = admin.party_summary(connection, principal)
    return JSONBytes(body)


@router.post(
    "/accounts",
    status_code=201,
    summary="Add an account to your party; its token is shown once (admin)",
)
def add_account(request: Request, account: Admin, body: AccountIn) -> JSONBytes:
    with engine_of(request).begin() as connection:
        lifetime = body.expires_in_days
        if lifetime is None:
            lifetime = settings_of(request).token_lifetime_days
        created, token = admin.add_account(
            connection, _principal(account), body.name, body.party, body.role, lifetime
        )
    return JSONBytes({**_account_json(created), "token": token}, status_code=201)


@router.get("/audit/verify", tags=["audit"], summary="Check the audit chain (operator)")
def audit_verify(request: Request, account: Operator) -> JSONBytes:
    with engine_of(request).begin() as connection:
        return JSONBytes(admin.verify_audit(connection, _principal(account)))


@router.get(
    "/audit",
    tags=["audit"],
    summary="Your party's audit entries, newest first, optionally for one target (admin)",
)
def audit_entries(
    request: Request,
    account: Admin,
    target: str | None = None,
    limit: Annotated[int, Query(description=PAGE_LIMIT)] = 100,
    before: Annotated[int | None, Query(ge=1, le=2**62, description="entries before seq")] = None,
) -> JSONBytes:
    count = limits_of(request).page(limit)
    with engine_of(request).begin() as connection:
        entries = audit_view.party_entries(
            connection, _principal(account), target=target, limit=count, before=before
        )
    return JSONBytes({"entries": entries})


@router.get(
    "/audit/receipts",
    tags=["audit"],
    summary="Which parties read the objects your party originated, and when (admin)",
)
def audit_receipts(
    request: Request,
    account: Admin,
    target: str | None = None,
    limit: Annotated[int, Query(description=PAGE_LIMIT)] = 100,
) -> JSONBytes:
    count = limits_of(request).page(limit)
    with engine_of(request).begin() as connection:
        found = audit_view.receipts(connection, _principal(account), target=target, limit=count)
    return JSONBytes({"receipts": found})
