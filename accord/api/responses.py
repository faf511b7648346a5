"""JSON responses serialised with orjson, and the problem-details media type."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

PROBLEM_MEDIA_TYPE = "application/problem+json"


class JSONBytes(Response):
    """A JSON response serialised by orjson (stored objects are embedded as raw fragments)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class ProblemResponse(JSONBytes):
    media_type = PROBLEM_MEDIA_TYPE


class TaxiiErrorResponse(JSONBytes):
    media_type = "application/taxii+json;version=2.1"
