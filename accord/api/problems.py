"""Every error becomes an RFC 9457 problem detail; one handler table, no ad-hoc HTTPException."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from accord.api.responses import ProblemResponse, TaxiiErrorResponse
from accord.errors import PROBLEM_BASE, AccordError, FieldError

log = logging.getLogger("accord.api")

_HTTP_SLUGS = {404: "not-found", 405: "method-not-allowed", 401: "unauthorized"}


def _problem(status: int, slug: str, title: str, detail: str, instance: str) -> ProblemResponse:
    body = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    return ProblemResponse(body, status_code=status)


def _with_auth_header(response: Response, status: int) -> Response:
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="accord", Basic realm="accord"'
    return response


def _is_taxii(request: Request) -> bool:
    return request.url.path.startswith("/taxii2")


def _is_console(request: Request) -> bool:
    path = request.url.path
    return (path == "/ui" or path.startswith("/ui/")) and not path.startswith("/ui/static/")


def _console_error(request: Request, status: int, title: str, detail: str) -> Response:
    from accord.console.render import error_page

    return error_page(request, status, title, detail)


def _taxii_error(status: int, title: str, detail: str, code: str) -> Response:
    """The error message of TAXII 2.1 section 3.6.1, in the TAXII media type."""
    body = {"title": title, "description": detail, "error_code": code, "http_status": str(status)}
    return TaxiiErrorResponse(body, status_code=status)


async def accord_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AccordError)
    response = await _accord_error(request, exc)
    response.headers.update(getattr(exc, "headers", {}))  # Retry-After of a 429
    return response


async def _accord_error(request: Request, exc: AccordError) -> Response:
    if _is_taxii(request):
        response = _taxii_error(exc.status, exc.title, exc.detail, exc.slug)
        if exc.errors:
            response = _taxii_error(
                exc.status,
                exc.title,
                exc.detail + ": " + "; ".join(f"{e.field}: {e.message}" for e in exc.errors),
                exc.slug,
            )
        return _with_auth_header(response, exc.status)
    if _is_console(request):
        return _console_error(request, exc.status, exc.title, exc.detail)
    response = ProblemResponse(exc.problem(request.url.path), status_code=exc.status)
    return _with_auth_header(response, exc.status)


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        FieldError(".".join(str(p) for p in err.get("loc", ())), str(err.get("msg", "invalid")))
        for err in exc.errors()
    ]
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
    if _is_console(request):
        return _console_error(request, 422, "Invalid input", detail)
    if _is_taxii(request):
        return _taxii_error(422, "Invalid input", detail, "validation-failed")
    body = {
        "type": PROBLEM_BASE + "validation-failed",
        "title": "Invalid input",
        "status": 422,
        "detail": detail,
        "instance": request.url.path,
        "errors": [e.as_dict() for e in errors],
    }
    return ProblemResponse(body, status_code=422)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    slug = _HTTP_SLUGS.get(exc.status_code, "http-error")
    if _is_taxii(request):
        taxii = _taxii_error(exc.status_code, str(exc.detail), str(exc.detail), slug)
        return _with_auth_header(taxii, exc.status_code)
    if _is_console(request):
        return _console_error(request, exc.status_code, str(exc.detail), str(exc.detail))
    response = _problem(exc.status_code, slug, str(exc.detail), str(exc.detail), request.url.path)
    return _with_auth_header(response, exc.status_code)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    if _is_console(request):
        detail = "the node failed to handle this request; the error is in its log"
        return _console_error(request, 500, "Internal error", detail)
    return _problem(
        500,
        "internal",
        "Internal error",
        "the node failed to handle this request; the error is in its log",
        request.url.path,
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(AccordError, accord_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
