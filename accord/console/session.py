"""Signing in to the console: an account token exchanged for a session cookie.

The cookie holds the token itself, HttpOnly and SameSite=Strict, scoped to ``/ui``; every
form that changes something carries a token derived from it (CSRF), checked on the server.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accord import audit
from accord.api.auth import engine_of
from accord.console.render import render
from accord.errors import AccordError, Forbidden
from accord.store.directory import Account, account_by_token, list_channels

router = APIRouter(prefix="/ui", include_in_schema=False)
COOKIE = "accord_session"


class SignInNeeded(AccordError):
    status = 401
    slug = "unauthorized"
    title = "Sign-in needed"


def csrf_token(token: str) -> str:
    """The form token of a session: derived from its account token, never stored."""
    return hashlib.sha256(b"accord-console-csrf:" + token.encode("utf-8")).hexdigest()[:32]


def session_token(request: Request) -> str | None:
    return request.cookies.get(COOKIE) or None


def page_account(request: Request) -> Account:
    """The signed-in account of a page; pages without one send the browser to sign in."""
    token = session_token(request)
    account = None
    if token:
        with engine_of(request).connect() as connection:
            account = account_by_token(connection, token)
            if account is not None:  # for the header of the page, in the same connection
                channels = list_channels(connection, account.party.id)
                request.state.channels = [c.name for c in channels]
    if account is None:
        raise SignInNeeded("sign in with an account token to see this page")
    request.state.account = account
    request.state.csrf = csrf_token(token or "")
    return account


def check_csrf(request: Request, given: str | None) -> None:
    token = session_token(request) or ""
    if not given or not hmac.compare_digest(given, csrf_token(token)):
        raise Forbidden("the form is stale or came from another site: reload the page and retry")


PageAccount = Annotated[Account, Depends(page_account)]


def actor(account: Account) -> audit.Actor:
    """Who did it, as the audit log records a console page's reads and writes."""
    return audit.Actor(account.name, account.party.code, "ui")


def sign_in_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/ui/sign-in?next={quote(target)}", status_code=303)


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/ui/") and not value.startswith("//"):
        return value
    return "/ui/inbox"


@router.get("", response_class=HTMLResponse)
@router.get("/", response_class=HTMLResponse)
def home() -> Response:
    return RedirectResponse("/ui/inbox", status_code=303)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, next: str | None = None) -> Response:
    return render(request, "sign_in.html", None, next=_safe_next(next), error=None)


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(
    request: Request,
    token: Annotated[str, Form()] = "",
    next: Annotated[str | None, Form()] = None,
) -> Response:
    token = token.strip()
    with engine_of(request).begin() as connection:
        account = account_by_token(connection, token) if token else None
        if account is not None:
            audit.append(connection, actor(account), "ui.sign-in")
    if account is None:
        error = "That token is not valid, or its account is disabled." if token else None
        response = render(
            request,
            "sign_in.html",
            None,
            next=_safe_next(next),
            error=error or "Enter your account token.",
            status_code=401,
        )
        return response
    redirect = RedirectResponse(_safe_next(next), status_code=303)
    redirect.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/ui",
    )
    return redirect


@router.post("/sign-out")
def sign_out(request: Request, csrf: Annotated[str | None, Form()] = None) -> Response:
    check_csrf(request, csrf)
    response = RedirectResponse("/ui/sign-in", status_code=303)
    response.delete_cookie(COOKIE, path="/ui")
    return response
