"""POST /api/v1/ingest: an article (scraped text or HTML) in, structured intelligence out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from accord import audit
from accord.acts import ingest as service
from accord.api.auth import CurrentAccount, engine_of, settings_of
from accord.api.body import read_raw_body
from accord.api.params import limits_of
from accord.api.responses import PROBLEM_RESPONSES, JSONBytes
from accord.api.routes_screen import register_linker_of
from accord.errors import Forbidden, UnsupportedMediaType, ValidationFailed
from accord.ingest.pipeline import read_article
from accord.ingest.stix import to_bundle
from accord.stix.markings import Tlp

router = APIRouter(prefix="/api/v1", tags=["ingestion"], responses=PROBLEM_RESPONSES)
ACCEPTED = ("text/plain", "text/html", "application/xhtml+xml")


@router.post(
    "/ingest",
    summary="Read an article into persons, organisations, places and incidents with evidence",
    response_class=JSONBytes,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {media: {"schema": {"type": "string"}} for media in ACCEPTED},
        }
    },
)
async def ingest_route(
    request: Request,
    account: CurrentAccount,
    format: Annotated[str, Query(description="json or stix")] = "json",
    name: Annotated[str, Query(description="the article's name, for the record")] = "article",
    publish: Annotated[bool, Query(description="publish the STIX bundle")] = False,
    audience: Annotated[str | None, Query(description="with publish")] = None,
    tlp: Annotated[str | None, Query(description="with publish")] = None,
) -> JSONBytes:
    """The body is the article as text/plain or text/html. A failed read answers with a
    problem detail and publishes nothing."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media not in ACCEPTED:
        raise UnsupportedMediaType(
            f"Content-Type {media or '(none)'!r}: send the article as " + " or ".join(ACCEPTED)
        )
    if format not in ("json", "stix"):
        raise ValidationFailed(f"format {format!r}: use json or stix")
    level = None
    if publish:
        if not account.can("publisher"):
            raise Forbidden(f"account {account.name!r} may not publish")
        if not (audience and tlp):
            raise ValidationFailed("publish needs audience and tlp")
        try:
            level = Tlp.from_label(tlp)
        except ValueError as exc:
            raise ValidationFailed(str(exc)) from exc
    settings = settings_of(request)
    limits = limits_of(request)
    raw = await read_raw_body(request, limits.article_bytes)

    def work() -> dict[str, Any]:
        linker = register_linker_of(request)
        article = read_article(raw, name, linker, limits=limits)
        published = None
        with engine_of(request).begin() as connection:
            if level is not None:
                report = service.publish(
                    connection,
                    account,
                    article,
                    audience=audience or "",
                    tlp=level,
                    door="api",
                    node=settings.node_name,
                )
                published = report.as_dict()
            service.record_article(
                connection,
                audit.Actor(account.name, account.party.code, "api"),
                name,
                article,
                published["accepted"] if published else 0,
            )
        body: dict[str, Any] = to_bundle(article) if format == "stix" else service.public(article)
        if published is not None:
            body = {"result": body, "published": published}
        return body

    return JSONBytes(await run_in_threadpool(work))
