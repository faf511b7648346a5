"""The door's half of the request limits (:class:`accord.limits.RequestGuard`).

:func:`admit` runs in authentication, once the caller's account and party are known: over
a limit it raises ``TooManyRequests`` (429 with ``Retry-After``, as a problem detail or, on
``/taxii2/``, a TAXII error). :class:`ReleaseAdmissions` wraps the application and
releases each request's admission once its answer is done, however it ended.

Requests that fail authentication have no account to count against: they are counted per
client address (:func:`refuse_failing`, :func:`count_failure`), so that a flood of bad
tokens from one address is refused before its tokens are looked up, and nobody else's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request

from accord.api.durable import ASGIApp, Receive, Scope, Send
from accord.limits import FailureGuard, RequestGuard
from accord.store.directory import Account

_RELEASES = "accord_releases"


class ReleaseAdmissions:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        releases: list[Callable[[], None]] = []
        scope.setdefault("state", {})[_RELEASES] = releases
        try:
            await self.app(scope, receive, send)
        finally:
            for release in releases:
                release()


def admit(request: Request, account: Account) -> None:
    """Count this request against its account's and party's limits (or refuse it)."""
    guard: RequestGuard | None = getattr(request.app.state, "guard", None)
    releases: Any = request.scope.get("state", {}).get(_RELEASES)
    if guard is None or releases is None:
        return
    releases.append(guard.admit(account.name, account.party.code))


def client_address(request: Request) -> str:
    """The caller's address (the TCP peer, or what a proxy uvicorn trusts forwarded)."""
    client = request.client
    return client.host if client is not None else "unknown"


def refuse_failing(request: Request) -> None:
    """429 when the caller's address has spent its authentication failures
    (:class:`accord.limits.FailureGuard`), before any credential is looked at."""
    failures: FailureGuard | None = getattr(request.app.state, "failures", None)
    if failures is not None:
        failures.check(client_address(request))


def count_failure(request: Request) -> None:
    """One more failed authentication from the caller's address."""
    failures: FailureGuard | None = getattr(request.app.state, "failures", None)
    if failures is not None:
        failures.failed(client_address(request))
