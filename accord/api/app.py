"""The application factory: ``create_app(settings)`` builds a fresh app with its own engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

from accord import __version__, console
from accord.acts.context import NodeContext
from accord.api import (
    problems,
    routes_accounts,
    routes_admin,
    routes_alerts,
    routes_exercises,
    routes_ingest,
    routes_misp,
    routes_objects,
    routes_register,
    routes_screen,
    routes_sightings,
    routes_taxii,
)
from accord.api.durable import DurableAnswers
from accord.api.params import check_parameters
from accord.api.responses import ERROR_SCHEMAS, JSONBytes
from accord.api.throttle import ReleaseAdmissions
from accord.config import Settings
from accord.limits import FailureGuard, Limits, RequestGuard


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    """Build the node's HTTP application; pass ``engine`` to share one with the caller.

    The node's context (engine, settings, limits, screening index) is built once here and
    injected into every act through ``app.state.context``; the application's lifespan
    disposes of it (of the engine only when the context made it)."""
    context = NodeContext.build(settings, engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            context.close()

    app = FastAPI(
        lifespan=lifespan,
        title="Accord",
        version=__version__,
        description=(
            "A node of Accord: STIX 2.1 intelligence shared between parties with exact "
            "audiences, TLP 2.0 markings and originator control, every read and write audited. "
            "Every route but /health needs `Authorization: Bearer <token>`."
        ),
        default_response_class=JSONBytes,
        docs_url=None,
        redoc_url=None,
        # Every route's query and path parameters are checked once (NUL, control, length).
        dependencies=[Depends(check_parameters)],
    )
    app.state.settings = settings
    app.state.limits = Limits.from_settings(settings)
    app.state.context = context
    app.state.engine = context.engine
    problems.install(app)
    app.add_middleware(DurableAnswers, batcher=context.audit_batcher)
    app.state.guard = RequestGuard.from_settings(settings)
    app.state.failures = FailureGuard(settings.address_auth_failures_per_minute)
    app.add_middleware(ReleaseAdmissions)

    @app.get("/health", tags=["health"], summary="Liveness: no authentication, no data")
    def health() -> JSONBytes:
        return JSONBytes({"status": "ok", "node": settings.node_name, "version": __version__})

    _serve_docs_offline(app)

    @app.get("/", tags=["health"], summary="Where things are (no authentication, no data)")
    def root() -> JSONBytes:
        return JSONBytes(
            {
                "name": "Accord",
                "version": __version__,
                "node": settings.node_name,
                "console": "/ui/",
                "docs": "/docs",
                "openapi": "/openapi.json",
                "api": "/api/v1",
                "health": "/health",
            }
        )

    app.include_router(routes_objects.router)
    app.include_router(routes_admin.router)
    app.include_router(routes_accounts.router)
    app.include_router(routes_taxii.router)
    app.include_router(routes_register.router)
    app.include_router(routes_screen.router)
    app.include_router(routes_ingest.router)
    app.include_router(routes_alerts.router)
    app.include_router(routes_sightings.router)
    app.include_router(routes_exercises.router)
    app.include_router(routes_misp.router)
    console.install(app)
    _describe_errors(app)
    return app


def _describe_errors(app: FastAPI) -> None:
    """The problem-detail and TAXII error schemas the routers' error responses refer to."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            document.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
        return app.openapi_schema or document

    app.openapi = openapi  # type: ignore[method-assign]


def _serve_docs_offline(app: FastAPI) -> None:
    """Swagger UI from files shipped in the package (swagger-ui-bundle), never from a CDN:
    nodes run on networks that reach nothing outside."""
    app.mount("/static/swagger", StaticFiles(directory=str(swagger_ui_path)), name="swagger")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Accord API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
        )
