"""The analyst console: server-rendered pages of ``accord serve`` under ``/ui``.

Every page reads through the same functions as the API (:mod:`accord.read`,
:mod:`accord.publish`, the register's views), so the sharing policy and the audit log apply
to the console exactly as to any other door ("ui" in the audit log). Nothing is fetched from
outside the node: styles, scripts and the graph are served or drawn by the node itself.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Mount the console's pages and static files on ``app``."""
    from accord.console import (
        pages_ingest,
        pages_objects,
        pages_publish,
        pages_register,
        pages_screen,
        session,
    )

    app.mount("/ui/static", StaticFiles(directory=str(STATIC)), name="console-static")
    for module in (
        session,
        pages_objects,
        pages_publish,
        pages_register,
        pages_screen,
        pages_ingest,
    ):
        app.include_router(module.router)
