"""Ingestion in the console: an article in, its text shown with every extracted item at its
evidence; the analyst keeps, corrects, removes or adds items, then publishes the report."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from accord.acts import ingest as service
from accord.api.auth import engine_of, settings_of
from accord.api.params import limits_of
from accord.api.routes_screen import register_linker_of
from accord.console.pages_publish import outcome
from accord.console.render import render
from accord.console.session import PageAccount, actor, check_csrf
from accord.console.sharing import explain
from accord.errors import InvalidInput, PayloadTooLarge, ValidationFailed
from accord.ingest.model import Article, Location, Organisation, Person, Span
from accord.ingest.pipeline import read_article
from accord.stix.markings import Tlp

router = APIRouter(prefix="/ui", include_in_schema=False)
KINDS = {"p": "persons", "o": "organisations", "l": "locations", "i": "incidents"}
MAX_FIELDS = 20_000


async def _form(request: Request) -> FormData:
    limit = settings_of(request).max_body_bytes
    return await request.form(max_files=1, max_fields=MAX_FIELDS, max_part_size=limit)


def _text(form: FormData, key: str) -> str:
    value = form.get(key)
    return value if isinstance(value, str) else ""


@router.get("/ingest")
def ingest_page(request: Request, account: PageAccount) -> Response:
    return render(request, "ingest.html", account, text="", name="")


def segments(article: Article) -> list[dict[str, Any]]:
    """The article's text cut at every evidence boundary; each piece lists the items whose
    evidence covers it (spans may overlap: an incident's sentence holds its persons)."""
    text = article.text or ""
    spans: list[tuple[int, int, str]] = []
    for letter, key in KINDS.items():
        for n, item in enumerate(getattr(article, key)):
            for evidence in item.evidence:
                if 0 <= evidence.start < evidence.end <= len(text):
                    spans.append((evidence.start, evidence.end, f"{letter}{n}"))
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    starts: dict[int, list[str]] = {}
    for start, _, item in spans:
        starts.setdefault(start, []).append(item)
    out = []
    for begin, end in zip(cuts, cuts[1:], strict=False):
        covering = [item for s, e, item in spans if s <= begin and end <= e]
        out.append(
            {
                "text": text[begin:end],
                "covers": covering,
                "kinds": sorted({KINDS[c[0]] for c in covering}),
                "anchors": starts.get(begin, []) if covering else [],
            }
        )
    return out


def _review(request: Request, account: Any, article: Article, **extra: Any) -> Response:
    with engine_of(request).connect() as connection:
        guard = explain(
            connection, account, extra.pop("audience", "own"), extra.pop("tlp", "amber")
        )
    return render(
        request,
        "ingest_review.html",
        account,
        article=article,
        state=orjson.dumps(article.as_dict()).decode(),
        segments=segments(article),
        guard=guard,
        audience=extra.pop("chosen_audience", "own"),
        tlp=extra.pop("chosen_tlp", "amber"),
        **extra,
    )


@router.post("/ingest")
async def ingest_form(request: Request, account: PageAccount) -> Response:
    form = await _form(request)
    check_csrf(request, _text(form, "csrf"))
    upload = form.get("upload")
    name = _text(form, "name").strip() or "pasted article"
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read()
        name = upload.filename
    else:
        raw = _text(form, "text").encode("utf-8")
    if not raw.strip():
        raise InvalidInput("paste an article's text or HTML, or choose a file")
    if len(raw) > limits_of(request).article_bytes:
        raise PayloadTooLarge(
            f"{name} is {len(raw):,} bytes; an article may be at most "
            f"{limits_of(request).article_bytes:,} (max_article_bytes)"
        )

    def work() -> Article:
        return read_article(raw, name, register_linker_of(request), limits=limits_of(request))

    article = await run_in_threadpool(work)
    with engine_of(request).begin() as connection:
        service.record_article(connection, actor(account), name, article)
    return _review(request, account, article)


def _evidence(text: str, name: str) -> tuple[Span, ...]:
    """Where an added item's name first occurs in the text (case-blind), if it does."""
    found = re.search(re.escape(name), text, flags=re.IGNORECASE) if name else None
    if found is None:
        return ()
    return (Span(found.start(), found.end(), found.group(0)),)


def apply_edits(article: Article, form: FormData) -> Article:
    """The analyst's choices: items kept or removed, names and kinds corrected, items added.
    Incidents follow renamed and removed persons, organisations and places."""
    renamed: dict[tuple[str, str], str | None] = {}
    edited: dict[str, list[Any]] = {}
    for letter, key in KINDS.items():
        kept: list[Any] = []
        for n, item in enumerate(getattr(article, key)):
            field = f"{letter}{n}"
            kind = {"p": "person", "o": "organisation", "l": "location"}.get(letter)
            if _text(form, f"keep_{field}") != "on":
                if kind:
                    renamed[(kind, item.name)] = None
                continue
            new_name = _text(form, f"name_{field}").strip()
            if letter == "i":
                item = replace(item, type=new_name or item.type)
            elif new_name and new_name != item.name:
                renamed[(kind or "", item.name)] = new_name
                item = replace(item, name=new_name)
            if letter == "o" and _text(form, f"kind_{field}") in ("group", "organisation"):
                item = replace(item, kind=_text(form, f"kind_{field}"))
            kept.append(item)
        edited[key] = kept

    def follow(parties: tuple[Any, ...]) -> tuple[Any, ...]:
        members = []
        for party in parties:
            kind = "organisation" if party.kind == "group" else party.kind
            ref = (kind, party.name)
            if ref in renamed and renamed[ref] is None:
                continue
            members.append(replace(party, name=renamed.get(ref) or party.name))
        return tuple(members)

    edited["incidents"] = [
        replace(
            incident,
            perpetrators=follow(incident.perpetrators),
            victims=follow(incident.victims),
            places=follow(incident.places),
        )
        for incident in edited["incidents"]
    ]
    text = article.text or ""
    for n in range(5):
        kind = _text(form, f"add_kind_{n}")
        name = _text(form, f"add_name_{n}").strip()
        if not name:
            continue
        evidence = _evidence(text, name)
        if kind == "person":
            edited["persons"].append(Person(name=name, evidence=evidence))
        elif kind in ("organisation", "group"):
            edited["organisations"].append(Organisation(name=name, evidence=evidence, kind=kind))
        elif kind == "location":
            country = _text(form, f"add_country_{n}").strip().upper() or None
            edited["locations"].append(
                Location(name=name, evidence=evidence, type="place", country=country)
            )
        else:
            raise InvalidInput(
                f"added item {n + 1}: kind {kind!r} is not person, organisation, group or location"
            )
    return replace(
        article,
        persons=tuple(edited["persons"]),
        organisations=tuple(edited["organisations"]),
        locations=tuple(edited["locations"]),
        incidents=tuple(edited["incidents"]),
    )


@router.post("/ingest/publish")
async def ingest_publish(request: Request, account: PageAccount) -> Response:
    form = await _form(request)
    check_csrf(request, _text(form, "csrf"))
    try:
        state = orjson.loads(_text(form, "state"))
        assert isinstance(state, dict) and isinstance(state.get("text"), str)
        article = Article.from_dict(state)
    except (orjson.JSONDecodeError, AssertionError) as error:
        raise InvalidInput("the reviewed article is missing or damaged: ingest it again") from error
    except ValidationFailed as error:
        raise InvalidInput(
            f"the reviewed article is damaged ({error.detail}): ingest it again",
            errors=error.errors,
        ) from error
    article = apply_edits(article, form)
    audience, tlp = _text(form, "audience") or "own", _text(form, "tlp") or "amber"
    settings = settings_of(request)
    with engine_of(request).begin() as connection:
        guard = explain(connection, account, audience, tlp)
        report = None
        if guard.ok:
            report = service.publish(
                connection,
                account,
                article,
                audience=audience,
                tlp=Tlp.from_label(tlp),
                door="ui",
                node=settings.node_name,
            ).as_dict()
    return _review(
        request,
        account,
        article,
        audience=audience,
        tlp=tlp,
        chosen_audience=audience,
        chosen_tlp=tlp,
        report=report,
        refused=None if guard.ok else guard.message,
        status_code=outcome(report),
    )
