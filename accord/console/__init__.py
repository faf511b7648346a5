"""The analyst console: server-rendered pages of ``accord serve`` under ``/ui``.

Every page reads through the same functions as the API (:mod:`accord.read`,
:mod:`accord.publish`, the register's views), so the sharing policy and the audit log apply
to the console exactly as to any other door ("ui" in the audit log). Nothing is fetched from
outside the node: styles, scripts and the graph are served or drawn by the node itself.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"

_Message = MutableMapping[str, Any]


class ServerTiming:
    """How long the node took for a console page (``Server-Timing``, read by the bench).

    A pure ASGI middleware: the other paths pass straight through (Starlette's
    ``BaseHTTPMiddleware`` would cost every API request a task group and a stream)."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(
        self,
        scope: _Message,
        receive: Callable[[], Awaitable[_Message]],
        send: Callable[[_Message], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/ui/"):
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def timed(message: _Message) -> None:
            if message["type"] == "http.response.start":
                spent = (time.perf_counter() - start) * 1000
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"server-timing"
                ]
                headers.append((b"server-timing", f"app;dur={spent:.1f}".encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, timed)


def install(app: FastAPI) -> None:
    """Mount the console's pages and static files on ``app``."""
    from accord.console import (
        pages_alerts,
        pages_exercises,
        pages_ingest,
        pages_objects,
        pages_publish,
        pages_register,
        pages_screen,
        session,
    )

    app.add_middleware(ServerTiming)
    app.mount("/ui/static", StaticFiles(directory=str(STATIC)), name="console-static")
    for module in (
        session,
        pages_objects,
        pages_publish,
        pages_register,
        pages_screen,
        pages_ingest,
        pages_alerts,
        pages_exercises,
    ):
        # Every POST of every page, sign-in included, must come from this node's own pages.
        app.include_router(module.router, dependencies=[Depends(session.same_origin)])
