"""The console's exercise pages: the director's page, a player's, and nothing for others."""

from __future__ import annotations

import re

import pytest

from accord.acts import exercise_clock
from accord.store import directory
from tests.conftest import Node
from tests.console.test_console import csrf_of, sign_in
from tests.exercise.helpers import setup_parties, start


@pytest.fixture
def drill(node: Node) -> Node:
    setup_parties(node)
    t0 = directory.utc_now()
    start(node, t0)
    exercise_clock.tick(node.engine, t0)
    return node


def test_the_director_page_shows_every_party(drill: Node) -> None:
    sign_in(drill, "director")
    page = drill.client.get("/ui/exercises/drill-1")
    assert page.status_code == 200
    assert "You direct this exercise" in page.text and 'data-testid="scores"' in page.text
    assert "host-shares-indicator" in page.text and "kz-knb" in page.text
    assert "drill-1" in drill.client.get("/ui/exercises").text


def test_a_player_sees_its_part_and_records_a_lesson(drill: Node) -> None:
    csrf = sign_in(drill, "cn")
    page = drill.client.get("/ui/exercises/drill-1")
    assert page.status_code == 200 and "You play in it" in page.text
    assert "host-shares-indicator" not in page.text  # the host's expectation, not cn's
    assert 'data-testid="scores"' not in page.text
    saved = drill.client.post(
        "/ui/exercises/drill-1/lessons",
        data={"csrf": csrf_of(page.text) or csrf, "text": "Screen the manifest at once"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    empty = drill.client.post(
        "/ui/exercises/drill-1/lessons", data={"csrf": csrf_of(page.text), "text": " "}
    )
    assert empty.status_code == 400 and "exercise-error" in empty.text


@pytest.mark.parametrize("outsider", ["ru", "ru-reader", "ru-admin"])
def test_an_outsider_gets_nothing(drill: Node, outsider: str) -> None:
    csrf = sign_in(drill, outsider)
    assert drill.client.get("/ui/exercises/drill-1").status_code == 404
    assert "drill-1" not in drill.client.get("/ui/exercises").text
    posted = drill.client.post("/ui/exercises/drill-1/lessons", data={"csrf": csrf, "text": "x"})
    assert posted.status_code == 404
    assert "exercise-drill-1" not in drill.client.get("/ui/inbox").text


def test_an_exercise_object_page_says_exercise(drill: Node) -> None:
    sign_in(drill, "kz")
    inbox = drill.client.get("/ui/inbox?channel=exercise-drill-1")
    assert inbox.status_code == 200 and "Explosion at an embassy gate" in inbox.text
    found = re.search(r'href="(/ui/objects/report--[^"?]+)', inbox.text)
    assert found, inbox.text
    page = drill.client.get(found.group(1))
    assert page.status_code == 200 and 'data-testid="exercise-banner"' in page.text
    assert "Explosion at an embassy gate" not in drill.client.get("/ui/inbox").text
