"""Who is calling: a bearer token (or HTTP Basic: the account's name, and its token as the
password) maps to an account while the token is usable (not expired, not revoked)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from accord.api.throttle import admit, count_failure, refuse_failing
from accord.config import Settings
from accord.errors import Forbidden, Unauthorized
from accord.store.directory import Account, account_by_token, expiry_of_expired
from accord.store.engine import reader

bearer = HTTPBearer(auto_error=False, description="An account token from `accord account add`.")


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


#: One answer for every token that does not work, whoever it belongs to.
NOT_VALID = "the token is not valid: unknown, expired or revoked, or its account is disabled"


def credentials_from_header(header: str | None) -> tuple[str | None, str] | None:
    """``(None, T)`` for ``Authorization: Bearer T`` (or ``Token T``, what taxii2-client's
    TokenAuth and so OpenCTI's TAXII connector send), ``(name, T)`` for
    ``Authorization: Basic base64(name:T)``, or None when there is no token."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    scheme = scheme.lower()
    if scheme in ("bearer", "token"):
        token = value.strip()
        return (None, token) if token else None
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        name, _, token = decoded.partition(":")
        return (name, token) if token else None
    return None


def current_account(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Account:
    refuse_failing(request)  # an address that keeps failing is refused before any lookup
    try:
        account = _authenticate(request)
    except Unauthorized:
        count_failure(request)
        raise
    admit(request, account)
    return account


def _authenticate(request: Request) -> Account:
    credentials = credentials_from_header(request.headers.get("authorization"))
    if credentials is None:
        raise Unauthorized("this route needs an account token: 'Authorization: Bearer <token>'")
    name, token = credentials
    with reader(engine_of(request)) as connection:
        account = account_by_token(connection, token)
        if account is not None and name is not None and name != account.name:
            account = None  # HTTP Basic: the user name must be the token's account
        elif account is None and name is None:
            expired = expiry_of_expired(connection, token)
            if expired is not None:  # the caller holds the token: it may learn why it ended
                raise Unauthorized(
                    f"the token expired at {expired}: ask an admin of your party to rotate it"
                )
    if account is None:
        raise Unauthorized(NOT_VALID)
    return account


def require(role: str) -> Callable[[Account], Awaitable[Account]]:
    """A dependency that lets through accounts of ``role`` or stronger."""

    async def check(account: Annotated[Account, Depends(current_account)]) -> Account:
        if not account.can(role):
            raise Forbidden(
                f"this route needs the {role} role; account {account.name!r} is a {account.role}"
            )
        return account

    return check


CurrentAccount = Annotated[Account, Depends(current_account)]
Publisher = Annotated[Account, Depends(require("publisher"))]
Admin = Annotated[Account, Depends(require("admin"))]
Operator = Annotated[Account, Depends(require("operator"))]
