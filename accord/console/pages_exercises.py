"""Exercises in the console: the list of the exercises your party directs or plays in; an
exercise's page, the director's (timeline, injects sent and due, each party's expectations)
or a player's (its injects, its expectations, the lessons-learned form).

Every read and write goes through accord.acts (the same acts as REST), door "ui": an
account of a party outside an exercise is answered as for an exercise that does not exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from accord.acts import exercise_clock, exercises
from accord.api.auth import engine_of
from accord.console.render import redirect, render
from accord.console.session import PageAccount, check_csrf
from accord.errors import AccordError
from accord.policy import Principal

router = APIRouter(prefix="/ui", include_in_schema=False)


@router.get("/exercises")
def exercises_page(request: Request, account: PageAccount) -> Response:
    with engine_of(request).begin() as connection:
        found = exercises.list_exercises(connection, Principal(account, "ui"))
    return render(request, "exercises.html", account, exercises=found)


@router.get("/exercises/{name}")
def exercise_page(
    request: Request, name: str, account: PageAccount, problem: str | None = None
) -> Response:
    with engine_of(request).begin() as connection:
        state = exercise_clock.status(connection, Principal(account, "ui"), name)
    return render(request, "exercise.html", account, x=state, problem=problem)


@router.post("/exercises/{name}/lessons")
def lesson_post(
    request: Request,
    name: str,
    account: PageAccount,
    csrf: Annotated[str | None, Form()] = None,
    text: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    try:
        with engine_of(request).begin() as connection:
            exercise_clock.add_lesson(connection, Principal(account, "ui"), name, text)
    except AccordError as exc:
        if exc.status == 404:
            raise
        with engine_of(request).begin() as connection:
            state = exercise_clock.status(connection, Principal(account, "ui"), name)
        return render(
            request, "exercise.html", account, x=state, problem=exc.detail, status_code=exc.status
        )
    return redirect(f"/ui/exercises/{name}?saved=1")
