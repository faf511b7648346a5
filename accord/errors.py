"""The one exception tree of Accord.

Each class knows its HTTP status and its problem type; ``accord.api.problems`` turns any of
them into an RFC 9457 problem detail, and the CLI prints ``detail`` and exits non-zero.
Third-party errors are translated where they enter (``raise StoreError(...) from exc``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, ClassVar

PROBLEM_BASE = "urn:accord:problem:"


@dataclass(frozen=True, slots=True)
class FieldError:
    """One thing wrong with one field of one object: where it is and why it is refused."""

    field: str
    message: str
    index: int | None = None
    object_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


class AccordError(Exception):
    """Base of every error Accord raises on purpose."""

    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal"
    title: ClassVar[str] = "Internal error"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[FieldError] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.extra = extra or {}

    @property
    def problem_type(self) -> str:
        return PROBLEM_BASE + self.slug

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        """The RFC 9457 problem detail body for this error."""
        body: dict[str, Any] = {
            "type": self.problem_type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = [e.as_dict() for e in self.errors]
        body.update(self.extra)
        return body


class InvalidInput(AccordError):
    status = 400
    slug = "invalid-input"
    title = "The request could not be read"


class Unauthorized(AccordError):
    status = 401
    slug = "unauthorized"
    title = "Authentication required"


class Forbidden(AccordError):
    status = 403
    slug = "forbidden"
    title = "Not allowed for this account"


class NotFound(AccordError):
    status = 404
    slug = "not-found"
    title = "Not found"


class NotAcceptable(AccordError):
    status = 406
    slug = "not-acceptable"
    title = "No acceptable media type"


class Conflict(AccordError):
    status = 409
    slug = "conflict"
    title = "Conflicts with existing data"


class PayloadTooLarge(AccordError):
    status = 413
    slug = "payload-too-large"
    title = "Request body too large"


class UnsupportedMediaType(AccordError):
    status = 415
    slug = "unsupported-media-type"
    title = "Unsupported media type"


class ValidationFailed(AccordError):
    """Input that was read but is not acceptable; ``errors`` says which field of which object."""

    status = 422
    slug = "validation-failed"
    title = "Invalid input"


class ObjectsRejected(ValidationFailed):
    """Some objects of a bundle were refused; the valid ones were stored (see ``results``)."""

    slug = "objects-rejected"
    title = "Some objects were rejected"


class PolicyViolation(AccordError):
    """A sharing choice the policy refuses, such as TLP:RED to the whole network."""

    status = 422
    slug = "policy-violation"
    title = "Refused by the sharing policy"


class TooManyRequests(AccordError):
    """Over a request limit of the node (``accord.limits.RequestGuard``): try again after
    ``retry_after`` seconds (the ``Retry-After`` header)."""

    status = 429
    slug = "too-many-requests"
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = max(1, retry_after)
        self.headers = {"Retry-After": str(self.retry_after)}


class StoreError(AccordError):
    status = 503
    slug = "store-unavailable"
    title = "The store failed"


def refused(field: str, message: str) -> InvalidInput:
    """Bad input in one named field: the message names it, and so does the error list."""
    return InvalidInput(f"{field}: {message}", errors=[FieldError(field, message)])
