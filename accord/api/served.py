"""The application of one worker of ``accord serve --workers N``.

Each worker is a process of its own (uvicorn's supervisor spawns it and imports
:func:`worker_app`); it reads the node's settings from the ``ACCORD_*`` environment that
``accord serve`` set for it, serves HTTP only (the background work runs in the serving
process's leader, :mod:`accord.node_tasks`) and loads its own screening index from the
snapshot at start.
"""

from __future__ import annotations

import threading

from fastapi import FastAPI

from accord.api.app import create_app
from accord.config import Settings


def worker_app() -> FastAPI:
    app = create_app(Settings.from_env())
    warm(app)
    return app


def warm(app: FastAPI) -> None:
    """Load the screening index before the first screening asks (from its snapshot: about
    a second for 100,000 names); requests meanwhile wait for it, never see a partial one."""
    from accord.api.routes_screen import index_of

    threading.Thread(target=index_of, args=(app,), name="accord-index", daemon=True).start()
