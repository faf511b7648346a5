"""REST routes of the unified register: divergence, a subject, its history."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from accord import audit
from accord.acts import register as register_acts
from accord.api.auth import CurrentAccount, Publisher, engine_of
from accord.api.params import RowId
from accord.api.responses import PROBLEM_RESPONSES, JSONBytes
from accord.errors import ValidationFailed
from accord.register import links

router = APIRouter(prefix="/api/v1/register", tags=["register"], responses=PROBLEM_RESPONSES)


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
        columns, rows = register_acts.divergence(connection, _actor(account), chosen, when, as_of)
    return JSONBytes(
        {"as_of": (when or date.today()).isoformat(), "jurisdictions": columns, "subjects": rows}
    )


@router.get("/subjects/{subject_id}", summary="A subject: names, designations, provenance")
def subject(request: Request, account: CurrentAccount, subject_id: RowId) -> JSONBytes:
    with engine_of(request).begin() as connection:
        found = register_acts.show(connection, _actor(account), subject_id)
    return JSONBytes(found)


@router.get("/subjects/{subject_id}/history", summary="Every dated change of a subject")
def history(request: Request, account: CurrentAccount, subject_id: RowId) -> JSONBytes:
    with engine_of(request).begin() as connection:
        events = register_acts.history(connection, _actor(account), subject_id)
    return JSONBytes({"subject": subject_id, "events": events})


class LinkIn(BaseModel):
    record_a: str
    record_b: str
    decision: str = "same"
    note: str = ""


def _link(found: links.Link) -> dict[str, object]:
    return asdict(found)


@router.get("/links", summary="Analysts' link decisions")
def list_links(request: Request, _account: CurrentAccount) -> JSONBytes:
    with engine_of(request).connect() as connection:
        return JSONBytes({"links": [_link(item) for item in links.list_links(connection)]})


@router.post("/links", status_code=201, summary="Decide two records are the same subject, or not")
def add_link(request: Request, account: Publisher, body: LinkIn) -> JSONBytes:
    with engine_of(request).begin() as connection:
        made = register_acts.link(
            connection, _actor(account), body.record_a, body.record_b, body.decision, body.note
        )
    return JSONBytes(_link(made), status_code=201)


@router.delete("/links/{link_id}", summary="Undo a link decision")
def undo_link(request: Request, account: Publisher, link_id: RowId) -> JSONBytes:
    with engine_of(request).begin() as connection:
        undone = register_acts.undo_link(connection, _actor(account), link_id)
    return JSONBytes(_link(undone))
