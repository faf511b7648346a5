"""Screening in the console: paste names or upload a manifest; scores with their reasons,
part by part; the results as CSV."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from accord.acts import screen as screen_acts
from accord.api.auth import engine_of
from accord.api.routes_screen import MAX_BATCH, app_index
from accord.console.render import render
from accord.console.session import PageAccount, actor, check_csrf
from accord.errors import InvalidInput, PayloadTooLarge
from accord.screening.manifest import CSV_OUT, query_of, read_rows, write_csv_row
from accord.screening.service import DEFAULT_THRESHOLD, Query, screen

router = APIRouter(prefix="/ui", include_in_schema=False)
MAX_UPLOAD = 2_000_000


@router.get("/screen")
def screen_page(request: Request, account: PageAccount) -> Response:
    return render(
        request, "screen.html", account, names="", results=None, threshold=DEFAULT_THRESHOLD
    )


def _queries(names: str, upload: bytes | None, source: str) -> list[tuple[Query, str | None]]:
    """(query, why it cannot be screened) per pasted line or manifest row."""
    queries: list[tuple[Query, str | None]] = []
    if upload:
        text = upload.decode("utf-8", errors="surrogateescape")
        for line, row, problem in read_rows(io.StringIO(text, newline=""), source):
            queries.append((query_of(line, row), problem))
    else:
        lines = [line.strip() for line in names.splitlines()]
        queries = [(Query(str(n), line), None) for n, line in enumerate(lines, 1) if line]
    if not queries:
        raise InvalidInput("paste at least one name, one per line, or choose a CSV file")
    if len(queries) > MAX_BATCH:
        raise PayloadTooLarge(
            f"{len(queries)} names: the console screens up to {MAX_BATCH} at a time; "
            "use `accord screen --file` for a whole manifest"
        )
    return queries


@router.post("/screen")
async def screen_form(
    request: Request,
    account: PageAccount,
    csrf: Annotated[str | None, Form()] = None,
    names: Annotated[str, Form()] = "",
    threshold: Annotated[float, Form(ge=0, le=1)] = DEFAULT_THRESHOLD,
    format: Annotated[str, Form()] = "html",
    upload: Annotated[UploadFile | None, File()] = None,
) -> Response:
    check_csrf(request, csrf)
    raw = None
    source = "the pasted names"
    if upload is not None and upload.filename:
        raw = await upload.read(MAX_UPLOAD + 1)
        source = upload.filename
        if len(raw) > MAX_UPLOAD:
            raise PayloadTooLarge(f"{upload.filename} is over {MAX_UPLOAD:,} bytes")
    queries = _queries(names, raw, source)

    def work() -> list[dict[str, Any]]:
        index = app_index(request)
        return [
            {"id": q.id, "name": q.name, "error": problem, "matches": []}
            if problem
            else {"name": q.name, **screen(index, q, threshold=threshold, limit=5)}
            for q, problem in queries
        ]

    results = await run_in_threadpool(work)
    with engine_of(request).begin() as connection:
        screen_acts.record(connection, actor(account), results, threshold=threshold, target=source)
    if format == "csv":
        sink = io.StringIO()
        writer = csv.writer(sink)
        writer.writerow(CSV_OUT)
        for result in results:
            write_csv_row(writer, result)
        return Response(
            sink.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="screening-results.csv"'},
        )
    return render(
        request, "screen.html", account, names=names, results=results, threshold=threshold
    )
