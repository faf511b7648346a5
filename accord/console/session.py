"""Signing in to the console: an account token exchanged for a server-side session.

The cookie holds a random session id (never the account token), HttpOnly and
SameSite=Strict, scoped to ``/ui``; the node stores only its SHA-256 (``store.sessions``)
and ends it at sign-out, after the idle or absolute timeout, and when the account's token
expires, is revoked or rotated. Every form that changes something carries a token derived
from the session id (CSRF), checked on the server, and every POST under ``/ui``, sign-in
included, must come from the node's own origin.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accord import audit
from accord.acts import session as session_acts
from accord.api.auth import engine_of, settings_of
from accord.api.throttle import admit, count_failure, refuse_failing
from accord.console.render import render
from accord.errors import AccordError, Forbidden
from accord.store.directory import Account, list_channels

router = APIRouter(prefix="/ui", include_in_schema=False)
COOKIE = "accord_session"


class SignInNeeded(AccordError):
    status = 401
    slug = "unauthorized"
    title = "Sign-in needed"


def csrf_token(session_id: str) -> str:
    """The form token of a session: derived from its session id, never stored."""
    return hashlib.sha256(b"accord-console-csrf:" + session_id.encode("utf-8")).hexdigest()[:32]


def session_token(request: Request) -> str | None:
    """The session id the browser sent (not an account token: those never enter a cookie)."""
    return request.cookies.get(COOKIE) or None


def _origin(url: str) -> str | None:
    """``scheme://host[:port]`` of a URL, lower-cased, the scheme's default port dropped."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default = 443 if parts.scheme == "https" else 80
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def same_origin(request: Request) -> None:
    """Every state-changing request under ``/ui`` (sign-in included) must come from a page of
    this node: its ``Origin``, or when a browser sends none its ``Referer``, must be the
    node's own origin. A request with neither is refused too."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    own = _origin(str(request.base_url))
    sent = request.headers.get("origin")
    if sent is None or sent == "null":
        referer = request.headers.get("referer")
        claimed = _origin(referer) if referer else None
    else:
        claimed = _origin(sent)
    if claimed is None or claimed != own:
        raise Forbidden(
            "this form was not sent from a page of this node (its Origin is "
            f"{sent or 'missing'}, expected {own}): open the console at {own}/ui/ and retry"
        )


def page_account(request: Request) -> Account:
    """The signed-in account of a page; pages without one send the browser to sign in."""
    session_id = session_token(request)
    account = None
    if session_id:
        settings = settings_of(request)
        with engine_of(request).begin() as connection:
            account = session_acts.current(
                connection, session_id, idle_seconds=settings.console_idle_timeout
            )
            if account is not None:  # for the header of the page, in the same connection
                channels = list_channels(connection, account.party.id)
                request.state.channels = [c.name for c in channels]
    if account is None or session_id is None:
        raise SignInNeeded("sign in with an account token to see this page")
    admit(request, account)  # the console counts against the same limits as REST and TAXII
    request.state.account = account
    request.state.csrf = csrf_token(session_id)
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
    settings = settings_of(request)
    refuse_failing(request)  # the same budget of failures per address as the API's tokens
    with engine_of(request).begin() as connection:
        session_id = session_acts.sign_in(
            connection,
            token,
            session_token(request),
            idle_seconds=settings.console_idle_timeout,
            absolute_seconds=settings.console_absolute_timeout,
        )
    if session_id is None:
        if token:
            count_failure(request)
        error = (
            "That token is not valid: unknown, expired or revoked, or its account is disabled."
            if token
            else None
        )
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
        session_id,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/ui",
    )
    return redirect


@router.post("/sign-out")
def sign_out(request: Request, csrf: Annotated[str | None, Form()] = None) -> Response:
    check_csrf(request, csrf)
    session_id = session_token(request)
    if session_id:
        with engine_of(request).begin() as connection:
            session_acts.sign_out(connection, session_id)
    response = RedirectResponse("/ui/sign-in", status_code=303)
    response.delete_cookie(COOKIE, path="/ui")
    return response
