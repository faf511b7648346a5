"""The analyst console: server-rendered pages of ``accord serve`` under ``/ui``.

Every page reads through the same functions as the API (:mod:`accord.read`,
:mod:`accord.publish`, the register's views), so the sharing policy and the audit log apply
to the console exactly as to any other door ("ui" in the audit log). Nothing is fetched from
outside the node: styles, scripts and the graph are served or drawn by the node itself.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import Depends, FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


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

    @app.middleware("http")
    async def server_timing(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """How long the node took for a console page (``Server-Timing``, read by the bench)."""
        if not request.url.path.startswith("/ui/"):
            return await call_next(request)
        start = time.perf_counter()
        response = await call_next(request)
        spent = (time.perf_counter() - start) * 1000
        response.headers["Server-Timing"] = f"app;dur={spent:.1f}"
        return response

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
