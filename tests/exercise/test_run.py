"""Running an exercise with a controlled clock: injects go out through the publish path with
the EXERCISE marking, answers are observed, misses counted, triggers fire; isolation from
real intelligence; ending purges everything but the events and the audit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select

from accord.acts import exercise_clock, exercises
from accord.acts.alerts import match_pending
from accord.errors import Forbidden, NotFound
from accord.exercise import marking
from accord.store import directory
from accord.store.schema import audit_log, channels, objects
from tests.alerting import alerts, publish, watch
from tests.conftest import HOST, Database, Node
from tests.exercise.helpers import MINIMAL, indicator, later, principal, scenario, setup_parties
from tests.exercise.helpers import start as start_exercise
from tests.exercise.helpers import status as status_of


def _now() -> datetime:
    return directory.utc_now()


@pytest.fixture
def drill(node: Node) -> Node:
    setup_parties(node)
    return node


def _listed(node: Node, account: str, query: str = "") -> list[dict[str, Any]]:
    response = node.client.get(f"/api/v1/objects{query}", headers=node.headers(account))
    assert response.status_code == 200, response.text
    return [item["object"] for item in response.json()["items"]]


def test_a_run_sends_the_inject_and_counts_the_answer(drill: Node) -> None:
    t0 = _now()
    start_exercise(drill, t0)
    assert exercise_clock.tick(drill.engine, t0) == 1
    state = status_of(drill, t0)
    assert state["injects"][0]["status"] == "sent" and state["injects"][0]["sent_at"]
    assert state["expectations"][0]["status"] == "pending"
    # The inject is in the exercise channel, marked, under a derived id.
    report = _listed(drill, "kz", "?channel=exercise-drill-1&type=report")[0]
    assert report["id"] != MINIMAL["injects"][0]["bundle"]["objects"][0]["id"]
    assert marking.is_marked(report, "drill-1")
    assert marking.tag("drill-1") in report["labels"]
    assert report["object_refs"] == ["location--0c7b5a3e-8f2d-4e1a-b6c9-1a2b3c4d5e70"]
    publish(drill, "kz", indicator(), "exercise-drill-1")
    exercise_clock.tick(drill.engine, later(t0, 5))
    expectation = status_of(drill, later(t0, 5))["expectations"][0]
    assert expectation["status"] == "met" and expectation["points"] == 10
    assert expectation["party"] == "kz-knb" and expectation["by"] == "observed"
    assert 0 <= expectation["response_seconds"] <= 1800


def test_an_answer_from_the_wrong_party_or_late_is_a_miss(drill: Node) -> None:
    t0 = _now()
    start_exercise(drill, t0)
    exercise_clock.tick(drill.engine, t0)
    publish(drill, "cn", indicator(), "exercise-drill-1")  # the partner, not the host
    exercise_clock.tick(drill.engine, later(t0, 31))
    expectation = status_of(drill, later(t0, 31))["expectations"][0]
    assert expectation["status"] == "missed" and expectation["points"] == 0
    assert expectation["resolved_seconds"] == 1800


def test_a_trigger_sends_the_next_inject_on_a_miss(drill: Node) -> None:
    data = scenario()
    follow = dict(data["injects"][0], id="reminder", when={"missed": "host-shares-indicator"})
    follow["at"] = "+1m"
    data["injects"].append(follow)
    t0 = _now()
    start_exercise(drill, t0, data=data)
    exercise_clock.tick(drill.engine, t0)
    assert status_of(drill, t0)["injects"][1]["status"] == "waiting"
    exercise_clock.tick(drill.engine, later(t0, 30.5))
    assert status_of(drill, later(t0, 30.5))["injects"][1]["status"] == "due"
    exercise_clock.tick(drill.engine, later(t0, 32))
    sent = status_of(drill, later(t0, 32))["injects"][1]
    assert sent["status"] == "sent" and sent["sent_seconds"] >= 1860


def test_pause_stops_the_clock_and_manual_marks(drill: Node) -> None:
    data = scenario()
    data["expectations"].append(
        {
            "id": "brief-minister",
            "role": "partner",
            "after": "first-report",
            "within": "1h",
            "do": "manual",
            "points": 5,
        }
    )
    t0 = _now()
    start_exercise(drill, t0, data=data)
    exercise_clock.tick(drill.engine, t0)
    director = principal(drill, "director")
    with drill.engine.begin() as connection:
        exercises.set_state(connection, director, "drill-1", "pause", later(t0, 1))
    exercise_clock.tick(drill.engine, later(t0, 100))  # paused: nothing is missed
    assert status_of(drill, later(t0, 100))["expectations"][0]["status"] == "pending"
    with drill.engine.begin() as connection:
        exercises.set_state(connection, director, "drill-1", "resume", later(t0, 100))
        exercise_clock.mark(
            connection, director, "drill-1", "brief-minister", "met", later(t0, 101)
        )
    state = status_of(drill, later(t0, 101))
    assert state["scenario_seconds"] == pytest.approx(120, abs=1)
    assert (
        state["expectations"][1]["status"] == "met" and state["expectations"][1]["by"] == "director"
    )
    assert state["scores"]["cn-mps"]["points"] == 5


def test_players_see_their_part_and_outsiders_nothing(drill: Node) -> None:
    t0 = _now()
    start_exercise(drill, t0)
    exercise_clock.tick(drill.engine, t0)
    for outsider in ("ru", "ru-reader", "ru-admin"):
        by = principal(drill, outsider)
        with drill.engine.begin() as connection, pytest.raises(NotFound):
            exercise_clock.status(connection, by, "drill-1")
        with drill.engine.begin() as connection:
            assert exercises.list_exercises(connection, by) == []
    partner = status_of(drill, t0, who="cn-reader")
    assert partner["view"] == "player" and partner["expectations"] == []
    assert "scores" not in partner and "roles" not in partner
    host = status_of(drill, t0, who="kz")
    assert [e["id"] for e in host["expectations"]] == ["host-shares-indicator"]
    for player in ("kz", "kz-admin", "cn-admin", "sco"):  # players, even admins, do not steer
        by = principal(drill, player)
        with drill.engine.begin() as connection, pytest.raises((Forbidden, NotFound)):
            exercises.set_state(connection, by, "drill-1", "end")
    hub_admin = principal(drill, "sco-admin")
    with drill.engine.begin() as connection, pytest.raises(Forbidden):
        exercises.start_exercise(connection, hub_admin, "embassy-drill", "x", {}, now=t0)


def test_only_a_party_admin_grants_its_own_accounts(drill: Node) -> None:
    publisher, kz_admin = principal(drill, "kz"), principal(drill, "kz-admin")
    with drill.engine.begin() as connection, pytest.raises(Forbidden):
        exercises.grant_director(connection, publisher, "kz")
    with drill.engine.begin() as connection, pytest.raises(Exception, match="no account"):
        exercises.grant_director(connection, kz_admin, "cn")
    with drill.engine.begin() as connection, pytest.raises(Exception, match="reader"):
        exercises.grant_director(connection, kz_admin, "kz-reader")


def test_exercise_objects_stay_out_of_real_views_and_alerts(drill: Node) -> None:
    watch(drill, "kz", value="domain-name:bad.example")
    t0 = _now()
    data = scenario()
    data["injects"][0]["bundle"]["objects"].append(indicator())
    start_exercise(drill, t0, data=data)
    exercise_clock.tick(drill.engine, t0)
    publish(drill, "kz", indicator(), "exercise-drill-1")
    with drill.engine.begin() as connection:
        match_pending(connection)
    assert alerts(drill, "kz") == []  # an exercise indicator never alerts a real watch
    for account in ("kz", "cn", "sco", "director"):
        assert _listed(drill, account) == []  # not in the default list
    assert len(_listed(drill, "kz", "?channel=exercise-drill-1")) == 4
    # A real indicator of the same value alerts, and correlates with nothing of the drill.
    real = indicator()
    publish(drill, "kz", real, "network")
    with drill.engine.begin() as connection:
        match_pending(connection)
    found = alerts(drill, "kz")
    assert len(found) == 1
    correlations = drill.client.get(
        f"/api/v1/objects/{real['id']}/correlations", headers=drill.headers("kz")
    )
    if correlations.status_code == 200:
        assert "exercise" not in correlations.text


def test_ending_purges_all_but_events_and_audit(drill: Node) -> None:
    t0 = _now()
    start_exercise(drill, t0)
    exercise_clock.tick(drill.engine, t0)
    publish(drill, "kz", indicator(), "exercise-drill-1")
    exercise_clock.tick(drill.engine, later(t0, 2))
    with drill.engine.connect() as connection:
        before = connection.execute(select(func.count()).select_from(audit_log)).scalar_one()
    director = principal(drill, "director")
    with drill.engine.begin() as connection:
        done = exercises.set_state(connection, director, "drill-1", "end")
    assert done["state"] == "ended"
    with drill.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(objects)).scalar_one() == 0
        assert (
            connection.execute(
                select(channels.c.id).where(channels.c.name == "exercise-drill-1")
            ).first()
            is None
        )
        after = connection.execute(select(func.count()).select_from(audit_log)).scalar_one()
        entry = connection.execute(
            select(audit_log.c.details).where(audit_log.c.action == "exercise.end")
        ).scalar_one()
    assert after == before + 1 and orjson.loads(entry)["purged"] == 3
    state = status_of(drill, t0)
    assert state["state"] == "ended" and state["expectations"][0]["status"] == "met"
    assert exercise_clock.tick(drill.engine, later(t0, 100)) == 0


def test_bad_starts_are_refused_with_the_option(drill: Node) -> None:
    t0 = _now()
    with drill.engine.begin() as connection:
        exercises.import_scenario(connection, HOST, orjson.dumps(MINIMAL))
    director = principal(drill, "director")
    cases = [
        ({"host": "kz-knb", "partner": "cn-mps"}, {}, "role"),
        ({"host": "kz-knb", "partner": "cn-mps", "hub": "nowhere"}, {}, "role"),
        ({"host": "kz-knb", "partner": "cn-mps", "hub": "sco-hub", "spy": "ru-nac"}, {}, "role"),
        ({"host": "kz-knb", "partner": "cn-mps", "hub": "sco-hub"}, {"speed": 0}, "speed"),
        (
            {"host": "kz-knb", "partner": "cn-mps", "hub": "sco-hub"},
            {"start": later(t0, -600)},
            "start",
        ),
    ]
    for roles, options, field in cases:
        with drill.engine.begin() as connection, pytest.raises(Exception) as caught:
            exercises.start_exercise(
                connection, director, "embassy-drill", "d", roles, now=t0, **options
            )
        assert caught.value.errors[0].field == field  # type: ignore[attr-defined]


def test_a_partys_scenarios_are_its_own(drill: Node) -> None:
    drill.account("kz-director", "kz-knb", "publisher")
    kz_admin = principal(drill, "kz-admin")
    with drill.engine.begin() as connection:
        exercises.grant_director(connection, kz_admin, "kz-director")
    hub, kz = principal(drill, "director"), principal(drill, "kz-director")
    private = scenario(name="hub-only", title="The hub's own drill")
    with drill.engine.begin() as connection:
        exercises.import_scenario(connection, hub, orjson.dumps(private))
    with drill.engine.begin() as connection:
        assert [s["name"] for s in exercises.list_scenarios(connection, kz)] == []
    for attempt in (
        lambda c: exercises.scenario_document(c, kz, "hub-only"),
        lambda c: exercises.start_exercise(
            c, kz, "hub-only", "steal", {"host": "kz-knb", "partner": "cn-mps", "hub": "sco-hub"}
        ),
    ):
        with drill.engine.begin() as connection, pytest.raises(NotFound):
            attempt(connection)
    # The same name in another party is another scenario; the host's are everyone's.
    with drill.engine.begin() as connection:
        exercises.import_scenario(connection, kz, orjson.dumps(private))
        exercises.import_scenario(connection, HOST, orjson.dumps(MINIMAL))
    with drill.engine.begin() as connection:
        assert {s["name"] for s in exercises.list_scenarios(connection, kz)} == {
            "hub-only",
            "embassy-drill",
        }


def test_a_revoked_director_sends_nothing(drill: Node) -> None:
    t0 = _now()
    data = scenario()
    data["injects"][0]["at"] = "+10m"
    start_exercise(drill, t0, data=data)
    hub_admin = principal(drill, "sco-admin")
    with drill.engine.begin() as connection:
        exercises.revoke_director(connection, hub_admin, "director")
    exercise_clock.tick(drill.engine, later(t0, 11))
    state = status_of(drill, later(t0, 11))
    assert state["state"] == "paused" and state["injects"][0]["status"] == "due"
    with drill.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(objects)).scalar_one() == 0


def test_the_demo_loads_its_exercise_paused(database: Database) -> None:
    from accord.demo import load_demo

    with database.engine.begin() as connection:
        load_demo(connection, HOST)
    with database.engine.begin() as connection:
        state = exercise_clock.status(connection, HOST, "embassy-demo")
    assert state["state"] == "paused" and len(state["injects"]) == 4
    assert state["roles"]["transit"] == "ru-nac"
    assert exercise_clock.tick(database.engine, later(_now(), 600)) == 0  # paused: nothing
