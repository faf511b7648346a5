"""The door's half of audit group commit: no answer starts before its read entries commit.

A pure ASGI middleware around the application: each HTTP request collects the read entries
its act submits (:mod:`accord.audit_batch`); when the answer is about to start, the
middleware waits until the batches holding them have committed, and answers the store's
error (503, as a problem detail or a TAXII error) instead when one failed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import Request

from accord.audit_batch import Batcher, collecting
from accord.errors import StoreError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class DurableAnswers:
    def __init__(self, app: ASGIApp, batcher: Callable[[], Batcher | None]) -> None:
        self.app = app
        self.batcher = batcher

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        batcher = self.batcher() if scope["type"] == "http" else None
        if batcher is None:
            await self.app(scope, receive, send)
            return
        failed = False

        async def held(message: Message) -> None:
            nonlocal failed
            if message["type"] == "http.response.start":
                error = await _wait(collector.close())
                if error is not None:
                    failed = True
                    await _answer_error(scope, receive, send, error)
                    return
            elif failed:
                return  # the body of an answer replaced by the error
            await send(message)

        with collecting(batcher) as collector:
            try:
                await self.app(scope, receive, held)
            finally:
                # An answer that never started (the client left, an unexpected error):
                # the entries still commit before the request ends.
                await _wait(collector.close())


async def _wait(pending: list[Any]) -> StoreError | None:
    error: StoreError | None = None
    for done in pending:
        try:
            await asyncio.wrap_future(done)
        except StoreError as exc:
            error = exc
    return error


async def _answer_error(scope: Scope, receive: Receive, send: Send, error: StoreError) -> None:
    from accord.api.problems import accord_error

    response = await accord_error(Request(scope, receive), error)
    await response(scope, receive, send)
