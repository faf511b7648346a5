"""REST routes of the unified register: divergence, a subject, its history."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request

from accord import audit
from accord.api.auth import CurrentAccount, engine_of
from accord.api.responses import JSONBytes
from accord.errors import ValidationFailed
from accord.register import views

router = APIRouter(prefix="/api/v1/register", tags=["register"])


def _actor(account: CurrentAccount) -> audit.Actor:
    return audit.Actor(account.name, account.party.code, "api")


@router.get("/divergence", summary="Subjects on which jurisdictions disagree, as of a date")
def divergence(
    request: Request,
    account: CurrentAccount,
    jurisdictions: Annotated[str | None, Query(description="e.g. UN,RU,CN,US")] = None,
    as_of: Annotated[str | None, Query(description="YYYY-MM-DD, default today")] = None,
) -> JSONBytes:
    try:
        when = date.fromisoformat(as_of) if as_of else None
    except ValueError as exc:
        raise ValidationFailed(f"as_of {as_of!r}: use YYYY-MM-DD") from exc
    chosen = [j.strip().upper() for j in jurisdictions.split(",")] if jurisdictions else None
    with engine_of(request).begin() as connection:
        columns, rows = views.divergence(connection, chosen, when)
        audit.append(connection, _actor(account), "register.divergence",
                     details={"jurisdictions": columns, "as_of": as_of})  # fmt: skip
    return JSONBytes({"as_of": (when or date.today()).isoformat(), "jurisdictions": columns,
                      "subjects": rows})  # fmt: skip


@router.get("/subjects/{subject_id}", summary="A subject: names, designations, provenance")
def subject(request: Request, account: CurrentAccount, subject_id: int) -> JSONBytes:
    with engine_of(request).begin() as connection:
        found = views.show(connection, subject_id)
        audit.append(connection, _actor(account), "register.show", target=str(subject_id))
    return JSONBytes(found)


@router.get("/subjects/{subject_id}/history", summary="Every dated change of a subject")
def history(request: Request, account: CurrentAccount, subject_id: int) -> JSONBytes:
    with engine_of(request).begin() as connection:
        events = views.history(connection, subject_id)
        audit.append(connection, _actor(account), "register.history", target=str(subject_id))
    return JSONBytes({"subject": subject_id, "events": events})
