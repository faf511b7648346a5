"""Watches and alerts in the console: the party's alerts with the object and the reason,
acknowledged one by one; the party's watches, added and removed from a form.

Every read and write goes through :mod:`accord.acts.watches` (the same functions as the
REST API), so alerts are the party's own, on objects it may still see, and audited ("ui").
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from accord.acts import watches as watch_acts
from accord.api.auth import engine_of
from accord.api.params import RowId
from accord.console.render import redirect, render
from accord.console.session import PageAccount, check_csrf
from accord.errors import FieldError, InvalidInput
from accord.store.directory import list_parties

router = APIRouter(prefix="/ui", include_in_schema=False)
PAGE_SIZE = 50
KINDS = ("name", "subject", "value", "query")


def _flag(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true", "on", "yes")


def _back(value: str | None) -> str:
    """Where to go after acknowledging: back to an alerts page, never anywhere else."""
    if value and value.startswith("/ui/alerts") and "//" not in value and "\\" not in value:
        return value
    return "/ui/alerts"


@router.get("/alerts")
def alerts_page(
    request: Request,
    account: PageAccount,
    unacknowledged: str | None = None,
    withdrawn: str | None = None,
    next: str | None = None,
    exercise: str | None = None,
) -> Response:
    after = next
    only_new, with_withdrawn = _flag(unacknowledged), _flag(withdrawn)
    exercise = (exercise or "").strip()[:63] or None
    with engine_of(request).begin() as connection:
        page = watch_acts.list_alerts(
            connection,
            account,
            after=after,
            limit=PAGE_SIZE,
            unacknowledged=only_new,
            withdrawn=with_withdrawn,
            exercise=exercise,
            door="ui",
        )
        codes = {p.code for p in list_parties(connection)}
    chosen = {"unacknowledged": "1"} if only_new else {}
    if with_withdrawn:
        chosen["withdrawn"] = "1"
    if exercise:
        chosen["exercise"] = exercise
    shown = {**chosen, "next": after} if after else chosen
    here = "/ui/alerts" + (f"?{urlencode(shown)}" if shown else "")
    next_url = None
    if page.next:
        next_url = "/ui/alerts?" + urlencode({**chosen, "next": page.next})
    rows = [_row(item, codes) for item in page.items]
    return render(
        request,
        "alerts.html",
        account,
        rows=rows,
        only_new=only_new,
        with_withdrawn=with_withdrawn,
        next_url=next_url,
        first_page=after is None,
        here=here,
        unread_total=page.unread,
        exercise=exercise,
    )


def _row(item: dict[str, Any], codes: set[str]) -> dict[str, Any]:
    """An alert as the page shows it, with a link to its object. The origin goes into the
    link only when it is a party's code: an anonymised origin is shown, never resolved."""
    origin = item["object"]["origin"]
    link = f"/ui/objects/{item['object_id']}"
    if origin in codes:
        link += "?" + urlencode({"origin": origin})
    return {**item, "link": link}


@router.post("/alerts/{alert_id}/ack")
def acknowledge(
    request: Request,
    account: PageAccount,
    alert_id: RowId,
    csrf: Annotated[str | None, Form()] = None,
    back: Annotated[str | None, Form()] = None,
) -> Response:
    check_csrf(request, csrf)
    with engine_of(request).begin() as connection:
        watch_acts.acknowledge(connection, account, alert_id, door="ui")
    return redirect(_back(back))


def _watches_page(
    request: Request,
    account: PageAccount,
    *,
    form: dict[str, str],
    problem: InvalidInput | None = None,
) -> Response:
    with engine_of(request).begin() as connection:
        found = watch_acts.list_watches(connection, account, door="ui")
    return render(
        request,
        "watches.html",
        account,
        status_code=422 if problem else 200,
        watches=found,
        kinds=KINDS,
        form=form,
        problem=problem.detail if problem else None,
        fields={e.field for e in problem.errors} if problem else set(),
    )


EMPTY_FORM = {"kind": "name", "text": "", "note": "", "expires": "", "exercise": ""}


@router.get("/watches")
def watches_page(request: Request, account: PageAccount) -> Response:
    return _watches_page(request, account, form=dict(EMPTY_FORM))


@router.post("/watches")
def add_watch(
    request: Request,
    account: PageAccount,
    csrf: Annotated[str | None, Form()] = None,
    kind: Annotated[str, Form()] = "name",
    text: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    expires: Annotated[str, Form()] = "",
    exercise: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    form = {"kind": kind, "text": text, "note": note, "expires": expires, "exercise": exercise}
    try:
        if kind not in KINDS:
            message = f"{kind[:40]!r}: choose name, subject, value or query"
            raise InvalidInput(f"kind: {message}", errors=[FieldError("kind", message)])
        wanted = watch_acts.WatchRequest(
            name=text if kind == "name" else None,
            subject=text if kind == "subject" else None,
            value=text if kind == "value" else None,
            query=text if kind == "query" else None,
            note=note,
            expires=expires or None,
            exercise=exercise.strip() or None,
        )
        with engine_of(request).begin() as connection:
            watch_acts.add_watch(connection, account, wanted, door="ui")
    except InvalidInput as problem:
        return _watches_page(request, account, form=form, problem=problem)
    return redirect("/ui/watches")


@router.post("/watches/{watch_id}/remove")
def remove_watch(
    request: Request,
    account: PageAccount,
    watch_id: RowId,
    csrf: Annotated[str | None, Form()] = None,
) -> Response:
    check_csrf(request, csrf)
    with engine_of(request).begin() as connection:
        watch_acts.remove_watch(connection, account, watch_id, door="ui")
    return redirect("/ui/watches")
