"""Checks every request's parameters once, for every route (REST, TAXII, console), and the
limits object a route reads its bounds from.

A NUL or another control character in a query or path parameter is a 400 naming the
parameter on both stores (PostgreSQL cannot hold a NUL in text; SQLite would store it and
match nothing), and so is a parameter longer than ``max_parameter_length``.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Path, Query, Request

from accord.api.auth import settings_of
from accord.errors import FieldError, InvalidInput
from accord.limits import MAX_ROW_ID, Limits

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

PAGE_LIMIT = "1 or more; above the node's max_page_size, that many are served"

#: A register row id in a path: a whole number that a 64-bit column can hold.
#: ``?origin=``: which party's object, when several parties hold one id.
Origin = Annotated[
    str | None,
    Query(description="the originating party, when several parties hold this id"),
]
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="a positive whole number")]


def limits_of(request: Request) -> Limits:
    """The node's limits, made once per application from its settings."""
    limits: Limits | None = getattr(request.app.state, "limits", None)
    if limits is None:
        limits = Limits.from_settings(settings_of(request))
        request.app.state.limits = limits
    return limits


def _refuse(kind: str, name: str, why: str) -> InvalidInput:
    return InvalidInput(
        f"{kind} parameter {name!r} {why}", errors=[FieldError(f"{kind}.{name}", why)]
    )


async def check_parameters(request: Request) -> None:
    """An application-wide dependency: refuse control characters and oversized values in the
    query string and the path parameters before any route reads them."""
    longest = limits_of(request).parameter_length
    places = (("query", request.query_params.multi_items()), ("path", request.path_params.items()))
    for kind, items in places:
        for name, value in items:
            if not isinstance(value, str):
                continue
            if _CONTROL.search(name) or _CONTROL.search(value):
                raise _refuse(kind, name[:40], "holds a NUL or another control character")
            if len(value) > longest:
                raise _refuse(kind, name[:40], f"is longer than {longest:,} characters")
