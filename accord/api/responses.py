"""JSON responses serialised with orjson, and the problem-details media type."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse

PROBLEM_MEDIA_TYPE = "application/problem+json"
TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"


class JSONBytes(JSONResponse):
    """A JSON response serialised by orjson (stored objects are embedded as raw fragments);
    a JSONResponse, so that the OpenAPI document describes its body as JSON."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class ProblemResponse(JSONBytes):
    media_type = PROBLEM_MEDIA_TYPE


class TaxiiErrorResponse(JSONBytes):
    media_type = TAXII_MEDIA_TYPE


#: RFC 9457 problem details, as every REST route answers an error (``accord.api.problems``).
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "urn:accord:problem:<slug>"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "each field refused: where and why",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "index": {"type": "integer"},
                    "object_id": {"type": "string"},
                },
            },
        },
    },
}

#: The error message of TAXII 2.1 section 3.6.1, as every TAXII route answers an error.
TAXII_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "TAXII error",
    "required": ["title"],
    "properties": {
        "title": {"type": "string"},
        "description": {"type": "string"},
        "error_code": {"type": "string"},
        "http_status": {"type": "string"},
    },
}

_WHY = {
    400: "A parameter or the body cannot be read (the problem names it)",
    401: "No valid account token",
    403: "The account's role does not allow this",
    404: "Not found, or not visible to the caller",
    406: "No acceptable media type",
    409: "Conflicts with existing data",
    413: "Over a size limit of the node",
    415: "Unsupported media type",
    422: "Read, but refused (each field refused is listed)",
    429: "Over a request limit of the account or its party: retry after `Retry-After` seconds",
    503: "The store failed",
}


#: Schemas the error responses refer to, added to the document's components by create_app.
ERROR_SCHEMAS = {"Problem": PROBLEM_SCHEMA, "TaxiiError": TAXII_ERROR_SCHEMA}


def _errors(media_type: str, schema: str) -> dict[int | str, dict[str, Any]]:
    reference = {"$ref": f"#/components/schemas/{schema}"}
    found: dict[int | str, dict[str, Any]] = {
        status: {"description": why, "content": {media_type: {"schema": reference}}}
        for status, why in _WHY.items()
    }
    found[429]["headers"] = {
        "Retry-After": {
            "description": "Seconds to wait before trying again",
            "schema": {"type": "integer", "minimum": 1},
        }
    }
    return found


#: ``responses=`` of every REST router: each error is an RFC 9457 problem detail.
PROBLEM_RESPONSES = _errors(PROBLEM_MEDIA_TYPE, "Problem")
#: ``responses=`` of the TAXII router: each error is a TAXII error message.
TAXII_ERROR_RESPONSES = _errors(TAXII_MEDIA_TYPE, "TaxiiError")
