"""Account tokens: revoke, rotate and set the lifetime of an account's token.

Only an admin of the account's own party may do so (:func:`accord.policy.may_manage_account`);
anyone else is answered 404 exactly as for a missing account. Any account may rotate its own
token (``POST /api/v1/me/rotate``): the holder of a token that may have leaked should not have
to wait for an admin to make it worthless.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from accord.acts import admin
from accord.api.auth import Admin, CurrentAccount, engine_of
from accord.api.responses import PROBLEM_RESPONSES, JSONBytes
from accord.api.routes_admin import _account_json
from accord.policy import Principal
from accord.store.directory import MAX_LIFETIME_DAYS

router = APIRouter(prefix="/api/v1", tags=["directory"], responses=PROBLEM_RESPONSES)


class TokenLifetime(BaseModel):
    expires_in_days: int = Field(
        ge=1,
        le=MAX_LIFETIME_DAYS,
        description="the token expires this many days from now, and so does every rotated one",
    )


class Rotation(BaseModel):
    expires_in_days: int | None = Field(
        default=None,
        ge=1,
        le=MAX_LIFETIME_DAYS,
        description="a new lifetime for the account (default: the lifetime it has)",
    )


@router.post(
    "/accounts/{name}/revoke",
    summary="Revoke an account's token at once, and end its console sessions (admin of its party)",
)
def revoke(request: Request, account: Admin, name: str) -> JSONBytes:
    with engine_of(request).begin() as connection:
        revoked = admin.revoke_account(connection, Principal(account, "api"), name)
    return JSONBytes(_account_json(revoked))


@router.post(
    "/accounts/{name}/rotate",
    summary="Give an account a new token, shown once; the old one stops working (admin of its "
    "party)",
)
def rotate(request: Request, account: Admin, name: str, body: Rotation | None = None) -> JSONBytes:
    days = body.expires_in_days if body else None
    with engine_of(request).begin() as connection:
        rotated, token = admin.rotate_token(
            connection, Principal(account, "api"), name, lifetime_days=days
        )
    return JSONBytes({**_account_json(rotated), "token": token})


@router.patch(
    "/accounts/{name}",
    summary="Set the lifetime of an account's token, from now (admin of its party)",
)
def set_lifetime(request: Request, account: Admin, name: str, body: TokenLifetime) -> JSONBytes:
    with engine_of(request).begin() as connection:
        changed = admin.set_token_lifetime(
            connection, Principal(account, "api"), name, body.expires_in_days
        )
    return JSONBytes(_account_json(changed))


@router.post(
    "/me/rotate",
    summary="Replace the calling account's own token; the one used for this call stops working",
)
def rotate_own(request: Request, account: CurrentAccount) -> JSONBytes:
    """The new token keeps the account's lifetime: only an admin of the party changes it."""
    with engine_of(request).begin() as connection:
        rotated, token = admin.rotate_token(connection, Principal(account, "api"), account.name)
    return JSONBytes({**_account_json(rotated), "token": token})
