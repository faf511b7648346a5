"""POST /api/v1/screen: one query or a batch of up to 1,000 against the register."""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from pydantic import BaseModel, Field, ValidationError

from accord import audit
from accord.acts import screen as screen_acts
from accord.acts.context import NodeContext
from accord.api.auth import CurrentAccount, engine_of
from accord.api.responses import PROBLEM_RESPONSES, JSONBytes
from accord.errors import FieldError, InvalidInput, PayloadTooLarge
from accord.screening.index import ScreeningIndex
from accord.screening.service import DEFAULT_THRESHOLD, MAX_NAME, screen
from accord.screening.service import Query as ScreenQuery

router = APIRouter(prefix="/api/v1", tags=["screening"], responses=PROBLEM_RESPONSES)
MAX_BATCH = 1000
_LOCK = threading.Lock()


class NameQuery(BaseModel):
    id: str | None = None
    name: str = Field(description="In any script")
    type: str | None = Field(default=None, description="Person or Organization")
    birth_date: str | None = Field(default=None, description="YYYY-MM-DD or YYYY")
    nationality: str | None = None


class ScreenRequest(BaseModel):
    queries: list[Any] | None = Field(
        default=None,
        description="Up to 1,000 queries, each shaped as NameQuery; a malformed one gets an "
        "error in its place and does not stop the others",
        json_schema_extra={"items": NameQuery.model_json_schema()},
    )
    name: str | None = None
    type: str | None = None
    birth_date: str | None = None
    nationality: str | None = None


class PairOut(BaseModel):
    query: str
    register_word: str = Field(alias="register")
    how: str = Field(
        description="exact, romanisation, translated, name equivalent, Korean romanisation, "
        "sound correspondence, skeleton, edit distance, phonetic, initial, initials, written apart"
    )
    similarity: float


class LexiconEntryOut(BaseModel):
    form: str
    language: str
    english: str
    source: str = Field(description="CLDR territory XX (ICU n), curated, usage, or acronym")


class TranslationOut(BaseModel):
    text: str = Field(description="The query as read translated")
    entries: list[LexiconEntryOut]


class ExplanationOut(BaseModel):
    pairs: list[PairOut]
    unmatched_query: list[str]
    unmatched_register: list[str]
    reading: str | None = Field(
        default=None, description="translated, or transliterated letter by letter"
    )
    translation: TranslationOut | None = None
    capped: str | None = Field(default=None, description="Why the score was held down")
    qualifiers: list[str]
    note: str


class CalibrationOut(BaseModel):
    band: str
    observed_precision: float | None = Field(
        description="Share of matches in this score band that were right on the frozen test "
        "part of the cross-lingual labelled set"
    )
    matches_seen: int
    measured_on: str


class MatchOut(BaseModel):
    subject_id: int
    name: str
    matched_name: str
    score: float
    match: bool
    calibration: CalibrationOut | None
    references: list[str]
    explanation: ExplanationOut


class ResultOut(BaseModel):
    id: str
    error: str | None = None
    matches: list[MatchOut]


class ScreenResponse(BaseModel):
    threshold: float
    results: list[ResultOut]
    note: str


def app_index(request: Request) -> ScreeningIndex:
    """The app's index, caught up with the register (cheap when nothing changed); one per
    process, shared by screening and ingestion."""
    return index_of(request.app)


def index_of(app: FastAPI) -> ScreeningIndex:
    """As :func:`app_index`; `accord serve` calls it at start so that the first screening
    finds the index ready (loaded from its snapshot, or built). The index is the node
    context's (accord.acts.context)."""
    context: NodeContext = app.state.context
    return context.screening_index()


def register_linker_of(request: Request) -> Any:
    """Ingestion's register linker over the node's index, made again only when the register
    changed (making it reads every name)."""
    context: NodeContext = request.app.state.context
    return context.register_linker()


def _item(position: int, raw: Any) -> NameQuery | str:
    """One batch item, or why it cannot be read (naming where), so that it alone fails."""
    try:
        return NameQuery.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        place = f"queries[{position}]" + (f".{where}" if where else "")
        return f"{place}: {first['msg']}"


@router.post(
    "/screen",
    summary="Screen names against the register (a lead, never a decision)",
    responses={200: {"model": ScreenResponse, "description": "Matches per query, best first"}},
)
def screen_route(
    request: Request,
    account: CurrentAccount,
    body: ScreenRequest,
    threshold: Annotated[float, Query(ge=0, le=1)] = DEFAULT_THRESHOLD,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> JSONBytes:
    items: list[NameQuery | str]
    if body.queries is not None:
        if len(body.queries) > MAX_BATCH:
            raise PayloadTooLarge(f"{len(body.queries)} queries; a batch holds at most {MAX_BATCH}")
        items = [_item(n, raw) for n, raw in enumerate(body.queries)]
    else:
        if body.name and len(body.name) > MAX_NAME:
            raise InvalidInput(
                f"name is {len(body.name):,} characters long; the limit is {MAX_NAME:,}",
                errors=[FieldError("name", f"longer than {MAX_NAME} characters")],
            )
        items = [
            NameQuery(
                name=body.name or "",
                type=body.type,
                birth_date=body.birth_date,
                nationality=body.nationality,
            )
        ]
    index = app_index(request)
    results: list[dict[str, Any]] = [
        {"id": str(n), "error": q, "matches": []}
        if isinstance(q, str)
        else screen(
            index,
            ScreenQuery(q.id or str(n), q.name, q.type, q.birth_date, q.nationality),
            threshold=threshold,
            limit=limit,
        )
        for n, q in enumerate(items, start=1)
    ]
    with engine_of(request).begin() as connection:
        screen_acts.record(
            connection,
            audit.Actor(account.name, account.party.code, "api"),
            results,
            threshold=threshold,
        )
    note = "a match is a lead for a person to check, not a decision"
    return JSONBytes({"threshold": threshold, "results": results, "note": note})
