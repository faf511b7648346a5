"""Who is calling: a bearer token (or HTTP Basic with the token as password) maps to an account."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from accord.config import Settings
from accord.errors import Forbidden, Unauthorized
from accord.store.directory import Account, account_by_token

bearer = HTTPBearer(auto_error=False, description="An account token from `accord account add`.")


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def token_from_header(header: str | None) -> str | None:
    """The token of ``Authorization: Bearer T`` or ``Authorization: Basic base64(name:T)``."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer":
        return value.strip() or None
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return None


def current_account(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Account:
    token = token_from_header(request.headers.get("authorization"))
    if token is None:
        raise Unauthorized("this route needs an account token: 'Authorization: Bearer <token>'")
    with engine_of(request).connect() as connection:
        account = account_by_token(connection, token)
    if account is None:
        raise Unauthorized("the token is not valid or its account is disabled")
    return account


def require(role: str) -> Callable[[Account], Account]:
    """A dependency that lets through accounts of ``role`` or stronger."""

    def check(account: Annotated[Account, Depends(current_account)]) -> Account:
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
