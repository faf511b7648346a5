"""Publishing and sharing from the console, with guard rails in plain words."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from accord.acts import read
from accord.acts.publish import PublishReport, publish_bytes
from accord.api.auth import engine_of, settings_of
from accord.api.responses import JSONBytes
from accord.console.render import render
from accord.console.session import PageAccount, check_csrf
from accord.console.sharing import Guard, explain
from accord.errors import AccordError, Forbidden, InvalidInput
from accord.prepare import PublishLimits
from accord.stix.markings import Tlp
from accord.stix.timestamps import now_timestamp
from accord.store.directory import Account

router = APIRouter(prefix="/ui", include_in_schema=False)


@router.get("/sharing")
def sharing(
    request: Request, account: PageAccount, audience: str = "own", tlp: str = "amber"
) -> JSONBytes:
    """What a choice of audience and marking would do (the forms ask as the user chooses)."""
    with engine_of(request).connect() as connection:
        return JSONBytes(explain(connection, account, audience, tlp).as_dict())


def publish_checked(
    request: Request, account: Account, raw: bytes, audience: str, tlp: str
) -> tuple[Guard, PublishReport | None]:
    """Publish ``raw`` when the guard rails allow it; the guard says why not otherwise."""
    settings = settings_of(request)
    with engine_of(request).begin() as connection:
        guard = explain(connection, account, audience, tlp)
        if not guard.ok:
            return guard, None
        report = publish_bytes(
            connection,
            account,
            raw,
            audience=audience,
            tlp=Tlp.from_label(tlp),
            door="ui",
            limits=PublishLimits.from_settings(settings),
            node=settings.node_name,
        )
    return guard, report


def outcome(report: PublishReport | dict[str, Any] | None) -> int:
    """The page's status: 200 when everything was published, 422 when anything was not."""
    if report is None:
        return 422
    rejected = report["rejected"] if isinstance(report, dict) else report.count("rejected")
    return 422 if rejected else 200


@router.get("/publish")
def publish_page(request: Request, account: PageAccount) -> Response:
    with engine_of(request).connect() as connection:
        guard = explain(connection, account, "own", "amber")
    return render(
        request,
        "publish.html",
        account,
        guard=guard,
        text="",
        report=None,
        audience="own",
        tlp="amber",
    )


@router.post("/publish")
async def publish_form(
    request: Request,
    account: PageAccount,
    csrf: Annotated[str | None, Form()] = None,
    audience: Annotated[str, Form()] = "own",
    tlp: Annotated[str, Form()] = "amber",
    text: Annotated[str, Form()] = "",
    upload: Annotated[UploadFile | None, File()] = None,
) -> Response:
    check_csrf(request, csrf)
    raw = text.encode("utf-8")
    if upload is not None and upload.filename:
        raw = await upload.read(settings_of(request).max_body_bytes + 1)
    try:
        guard, report = publish_checked(request, account, raw, audience, tlp)
        problem = None
    except AccordError as error:
        guard, report, problem = Guard(False, error.detail, []), None, error.detail
    status = outcome(report)
    return render(
        request,
        "publish.html",
        account,
        status_code=status,
        guard=guard,
        text=raw.decode("utf-8", "replace") if report is None or status != 200 else "",
        report=report.as_dict() if report else None,
        problem=problem,
        audience=audience,
        tlp=tlp,
    )


def _copy_for(obj: dict[str, Any], tlp: Tlp, new_id: bool) -> list[dict[str, Any]]:
    """A new version of ``obj`` under ``tlp``; with ``new_id``, a copy with a new identity and
    a derived-from relationship to the original. An observable (SCO) carries no timestamps:
    its new content is its new version."""
    now = now_timestamp()
    dated = "modified" in obj
    copy = {k: v for k, v in obj.items() if k != "object_marking_refs"}
    copy["object_marking_refs"] = [tlp.marking_id]
    if dated:
        copy["modified"] = now
    if not new_id:
        return [copy]
    copy["id"] = f"{obj['type']}--{uuid.uuid4()}"
    if dated:
        copy["created"] = now
    relation = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": f"relationship--{uuid.uuid4()}",
        "created": now,
        "modified": now,
        "relationship_type": "derived-from",
        "source_ref": copy["id"],
        "target_ref": obj["id"],
        "object_marking_refs": [tlp.marking_id],
    }
    if obj.get("created_by_ref"):
        relation["created_by_ref"] = obj["created_by_ref"]
    return [copy, relation]


def _own_object(request: Request, account: Account, stix_id: str) -> read.Item:
    with engine_of(request).begin() as connection:
        item = read.get_object(connection, account, stix_id, version=None, door="ui")
    if item.sharing["origin"] != account.party.code:
        raise Forbidden(
            f"originator control: only {item.sharing['origin']}, which published this object, "
            "decides who receives it; ask them to share it with more parties"
        )
    return item


@router.get("/objects/{stix_id}/share")
def share_page(request: Request, account: PageAccount, stix_id: str) -> Response:
    item = _own_object(request, account, stix_id)
    current = item.sharing["audience"]
    with engine_of(request).connect() as connection:
        guard = explain(connection, account, current, item.sharing["tlp"])
    return render(
        request,
        "share.html",
        account,
        item=item,
        obj=orjson.loads(item.body),
        guard=guard,
        report=None,
        audience=current,
        tlp=item.sharing["tlp"],
    )


@router.post("/objects/{stix_id}/share")
def share(
    request: Request,
    account: PageAccount,
    stix_id: str,
    csrf: Annotated[str | None, Form()] = None,
    audience: Annotated[str, Form()] = "own",
    tlp: Annotated[str, Form()] = "amber",
) -> Response:
    check_csrf(request, csrf)
    item = _own_object(request, account, stix_id)
    obj = orjson.loads(item.body)
    try:
        level = Tlp.from_label(tlp)
    except ValueError as error:
        raise InvalidInput(str(error)) from error
    objects = _copy_for(obj, level, new_id=audience != item.sharing["audience"])
    raw = orjson.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects})
    guard, report = publish_checked(request, account, raw, audience, tlp)
    status = outcome(report)
    return render(
        request,
        "share.html",
        account,
        status_code=status,
        item=item,
        obj=obj,
        guard=guard,
        report=report.as_dict() if report else None,
        audience=audience,
        tlp=tlp,
    )
