"""The register: find a subject, its page (names, designations on a timeline, linked
intelligence), and the divergence matrix across jurisdictions."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func

from accord.acts import read
from accord.acts import register as register_acts
from accord.api.auth import engine_of
from accord.api.params import RowId
from accord.console.render import parse_day, render
from accord.console.session import PageAccount, actor
from accord.register.stix import subject_id as stix_subject_id
from accord.store import objects as store
from accord.store.directory import list_parties
from accord.store.schema import objects

router = APIRouter(prefix="/ui/register", include_in_schema=False)
DEFAULT_JURISDICTIONS = ""  # every jurisdiction the register holds
DIVERGENCE_PAGE = 100
STATUS_ORDER = ("listed", "suspended", "delisted", "absent")


@router.get("")
def search(request: Request, account: PageAccount, q: str = "") -> Response:
    found: list[tuple[int, str]] = []
    with engine_of(request).begin() as connection:
        if q.strip():
            found = register_acts.find(connection, actor(account), q.strip())
    return render(request, "register.html", account, q=q, found=found)


def timeline(events: list[dict[str, Any]], today: date) -> dict[str, Any]:
    """Per jurisdiction, the spans of each status between its events, as shares of the time
    from the first event to today (for a bar per jurisdiction)."""
    dated = [e for e in events if e.get("on_date")]
    if not dated:
        return {"start": None, "end": today.isoformat(), "rows": []}
    start = date.fromisoformat(min(e["on_date"] for e in dated)[:10])
    total = max((today - start).days, 1)
    by_place: dict[str, list[dict[str, Any]]] = {}
    for event in dated:
        by_place.setdefault(event["jurisdiction"], []).append(event)
    rows = []
    for place, items in sorted(by_place.items()):
        items.sort(key=lambda e: e["on_date"])
        spans = []
        for n, event in enumerate(items):
            begin = date.fromisoformat(event["on_date"][:10])
            finish = (
                date.fromisoformat(items[n + 1]["on_date"][:10]) if n + 1 < len(items) else today
            )
            spans.append(
                {
                    "status": event["status"],
                    "from": event["on_date"],
                    "left": round(100 * (begin - start).days / total, 2),
                    "width": round(max(100 * (finish - begin).days / total, 0.6), 2),
                    "reference": event.get("reference"),
                }
            )
        rows.append({"jurisdiction": place, "spans": spans})
    return {"start": start.isoformat(), "end": today.isoformat(), "rows": rows}


@router.get("/subjects/{subject_id}")
def subject(request: Request, account: PageAccount, subject_id: RowId) -> Response:
    with engine_of(request).begin() as connection:
        shown, events = register_acts.show_with_history(connection, actor(account), subject_id)
        names = sorted({n["name"] for n in shown["names"]} | {shown["name"]})
        folded = sorted({*names, *(n.lower() for n in names)})
        stix_type = "threat-actor" if shown["kind"] == "person" else "intrusion-set"
        # The subject as any party may have published it (ids are namespaced by party).
        ids = [
            stix_subject_id(stix_type, r, code)
            for r in shown["records"][:1]
            for code in ("", *(p.code for p in list_parties(connection)))
        ]
        # Two indexed lookups (names case-blind, the subject's own STIX ids), merged: one
        # query with OR between them would scan the store.
        by_name = store.ObjectFilter(newest_first=True, few_matches=True)
        by_name.extra.append(func.lower(objects.c.name).in_(folded))
        found: dict[str, read.Item] = {}
        for criteria in (by_name, store.ObjectFilter(ids=ids, newest_first=True, few_matches=True)):
            page = read.list_objects(
                connection, account, criteria, cursor=None, limit=50, door="ui"
            )
            for item in page.items:
                found.setdefault(item.stix_id, item)
        linked = sorted(found.values(), key=lambda i: i.sharing["added"], reverse=True)[:50]
    scripts: dict[str, list[dict[str, Any]]] = {}
    for name in shown["names"]:
        scripts.setdefault(name["script"], []).append(name)
    return render(
        request,
        "subject.html",
        account,
        subject=shown,
        scripts=scripts,
        events=events,
        timeline=timeline(events, date.today()),
        linked=[(item, orjson.loads(item.body)) for item in linked],
    )


@router.get("/divergence")
def divergence(
    request: Request,
    account: PageAccount,
    jurisdictions: str = DEFAULT_JURISDICTIONS,
    as_of: str = "",
    page: int = 1,
    listed_by: int = 1,
) -> Response:
    when = parse_day(as_of, "as of")
    chosen = [j.strip().upper() for j in jurisdictions.split(",") if j.strip()]
    with engine_of(request).begin() as connection:
        columns, rows = register_acts.divergence(
            connection, actor(account), chosen or None, when, as_of or None
        )
    if listed_by > 1:  # where lists meet and still differ, not what one list holds alone
        rows = [
            row
            for row in rows
            if sum(c["status"] == "listed" for c in row["jurisdictions"].values()) >= listed_by
        ]
    page = max(page, 1)
    pages = max((len(rows) + DIVERGENCE_PAGE - 1) // DIVERGENCE_PAGE, 1)
    shown = rows[(page - 1) * DIVERGENCE_PAGE : page * DIVERGENCE_PAGE]
    return render(
        request,
        "divergence.html",
        account,
        columns=columns,
        rows=shown,
        total=len(rows),
        page=page,
        pages=pages,
        jurisdictions=",".join(chosen),
        as_of=(when or date.today()).isoformat(),
        statuses=STATUS_ORDER,
        listed_by=listed_by,
    )
