"""The HTTP API: ``create_app(settings)`` builds a FastAPI application; nothing at import time."""

from accord.api.app import create_app

__all__ = ["create_app"]
