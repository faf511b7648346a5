"""Directory routes: parties, channels and accounts (admins), and who the caller is."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from accord import admin, audit
from accord.api.auth import Admin, CurrentAccount, engine_of
from accord.api.params import PAGE_LIMIT, limits_of
from accord.api.responses import PROBLEM_RESPONSES, JSONBytes
from accord.store import directory
from accord.store.directory import Account, Channel

router = APIRouter(prefix="/api/v1", tags=["directory"], responses=PROBLEM_RESPONSES)


class PartyIn(BaseModel):
    code: str = Field(description="short code, e.g. kz-knb")
    name: str
    jurisdiction: str = Field(description="ISO 3166 alpha-2, or UN, EU, SCO, CSTO...")


class AccountIn(BaseModel):
    name: str
    party: str
    role: str = Field(description="reader, publisher or admin")


class ChannelIn(BaseModel):
    name: str
    members: list[str]
    description: str = ""


class MembersChange(BaseModel):
    add: list[str] = []
    remove: list[str] = []


def _actor(account: Account) -> audit.Actor:
    return audit.Actor(account.name, account.party.code, "api")


def _account_json(account: Account) -> dict[str, Any]:
    return {
        "name": account.name,
        "role": account.role,
        "party": asdict(account.party),
        "disabled": account.disabled,
    }


def _channel(channel: Channel) -> dict[str, Any]:
    return {
        "name": channel.name,
        "description": channel.description,
        "members": list(channel.members),
    }


@router.get("/me", summary="The calling account, its party and its channels")
def me(request: Request, account: CurrentAccount) -> JSONBytes:
    with engine_of(request).connect() as connection:
        channels = directory.list_channels(connection, account.party.id)
    return JSONBytes({**_account_json(account), "channels": [_channel(c) for c in channels]})


@router.get("/parties", summary="Every party of the network")
def list_parties(request: Request, _account: CurrentAccount) -> JSONBytes:
    with engine_of(request).connect() as connection:
        return JSONBytes({"parties": [asdict(p) for p in directory.list_parties(connection)]})


@router.post("/parties", status_code=201, summary="Add a party (admin)")
def add_party(request: Request, account: Admin, body: PartyIn) -> JSONBytes:
    with engine_of(request).begin() as connection:
        party = admin.add_party(
            connection, _actor(account), body.code, body.name, body.jurisdiction
        )
    return JSONBytes(asdict(party), status_code=201)


@router.get("/channels", summary="Channels: all for admins, your party's for others")
def list_channels(request: Request, account: CurrentAccount) -> JSONBytes:
    with engine_of(request).connect() as connection:
        party_id = None if account.can("admin") else account.party.id
        channels = directory.list_channels(connection, party_id)
    return JSONBytes({"channels": [_channel(c) for c in channels]})


@router.post("/channels", status_code=201, summary="Add a channel with its member parties (admin)")
def add_channel(request: Request, account: Admin, body: ChannelIn) -> JSONBytes:
    with engine_of(request).begin() as connection:
        channel = admin.add_channel(
            connection, _actor(account), body.name, body.members, body.description
        )
    return JSONBytes(_channel(channel), status_code=201)


@router.patch("/channels/{name}", summary="Add or remove member parties (admin)")
def change_members(request: Request, account: Admin, name: str, body: MembersChange) -> JSONBytes:
    with engine_of(request).begin() as connection:
        channel = admin.change_members(connection, _actor(account), name, body.add, body.remove)
    return JSONBytes(_channel(channel))


@router.get("/accounts", summary="Every account (admin)")
def list_accounts(request: Request, _account: Admin) -> JSONBytes:
    with engine_of(request).connect() as connection:
        return JSONBytes(
            {"accounts": [_account_json(a) for a in directory.list_accounts(connection)]}
        )


@router.post(
    "/accounts", status_code=201, summary="Add an account; its token is shown once (admin)"
)
def add_account(request: Request, account: Admin, body: AccountIn) -> JSONBytes:
    with engine_of(request).begin() as connection:
        created, token = admin.add_account(
            connection, _actor(account), body.name, body.party, body.role
        )
    return JSONBytes({**_account_json(created), "token": token}, status_code=201)


@router.get("/audit/verify", tags=["audit"], summary="Check the audit chain (admin)")
def audit_verify(request: Request, _account: Admin) -> JSONBytes:
    with engine_of(request).connect() as connection:
        return JSONBytes(audit.verify(connection).as_dict())


@router.get(
    "/audit", tags=["audit"], summary="Newest audit entries, optionally for one target (admin)"
)
def audit_entries(
    request: Request,
    _account: Admin,
    target: str | None = None,
    limit: Annotated[int, Query(description=PAGE_LIMIT)] = 100,
) -> JSONBytes:
    count = limits_of(request).page(limit)
    with engine_of(request).connect() as connection:
        return JSONBytes({"entries": audit.recent(connection, target=target, limit=count)})
