"""``accord serve`` runs the exercise clock in the background: an exercise started in its
database gets its first inject without anyone calling tick."""

from __future__ import annotations

import time
from pathlib import Path

import orjson
import pytest

from accord.acts import admin, exercise_clock, exercises
from accord.policy import Principal
from accord.store import directory
from tests.conftest import HOST, Database
from tests.exercise.helpers import MINIMAL
from tests.servers import served


@pytest.mark.slow
def test_serve_steps_the_clock(database: Database, tmp_path: Path) -> None:
    with database.engine.begin() as connection:
        for code in ("kz-knb", "cn-mps", "sco-hub"):
            admin.add_party(connection, HOST, code, code, "KZ")
        director, _ = admin.add_account(connection, HOST, "director", "sco-hub", "publisher")
        hub_admin, _ = admin.add_account(connection, HOST, "hub-admin", "sco-hub", "admin")
        exercises.grant_director(connection, Principal(hub_admin, "cli"), "director")
        exercises.import_scenario(connection, HOST, orjson.dumps(MINIMAL))
        exercises.start_exercise(
            connection,
            Principal(director, "cli"),
            "embassy-drill",
            "served",
            {"host": "kz-knb", "partner": "cn-mps", "hub": "sco-hub"},
            speed=60,
        )
    with served(database, tmp_path / "serve.log"):
        deadline = time.monotonic() + 30
        status = "due"
        while time.monotonic() < deadline and status != "sent":
            time.sleep(0.2)
            with database.engine.begin() as connection:
                state = exercise_clock.status(connection, HOST, "served", directory.utc_now())
            status = state["injects"][0]["status"]
        assert status == "sent", (tmp_path / "serve.log").read_text()
