"""The application factory: ``create_app(settings)`` builds a fresh app with its own engine."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import Engine

from accord import __version__
from accord.api import problems, routes_admin, routes_objects
from accord.api.responses import JSONBytes
from accord.config import Settings
from accord.store.engine import make_engine


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    """Build the node's HTTP application; pass ``engine`` to share one with the caller."""
    app = FastAPI(
        title="Accord",
        version=__version__,
        description=(
            "A node of Accord: STIX 2.1 intelligence shared between parties with exact "
            "audiences, TLP 2.0 markings and originator control, every read and write audited. "
            "Every route but /health needs `Authorization: Bearer <token>`."
        ),
        default_response_class=JSONBytes,
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(
        settings.database_url, sqlite_synchronous=settings.sqlite_synchronous
    )
    problems.install(app)

    @app.get("/health", tags=["health"], summary="Liveness: no authentication, no data")
    def health() -> JSONBytes:
        return JSONBytes({"status": "ok", "node": settings.node_name, "version": __version__})

    app.include_router(routes_objects.router)
    app.include_router(routes_admin.router)
    return app
