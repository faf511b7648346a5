"""Alerts inside an exercise: exercise watches match only their exercise's objects (its
channel and sub-channels), never real intelligence nor another exercise, in both directions;
exercise alerts carry the EXERCISE marking, stay out of default lists and webhooks, are
purged with the exercise; "acknowledge an alert" expectations count only them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from accord.acts import exercise_clock, exercise_report, exercises
from accord.acts import webhooks as hook_acts
from accord.acts.alerts import match_pending
from accord.cli import app
from accord.exercise import marking
from accord.exercise.scope import scope_of
from accord.store import directory
from accord.store.schema import alerts as alert_rows
from accord.store.schema import audit_log, correlation_keys, deliveries, watches
from tests.alerting import alerts, publish, watch
from tests.conftest import HOST, Node
from tests.exercise.helpers import indicator, later, principal, scenario, setup_parties
from tests.exercise.helpers import start as start_exercise
from tests.exercise.helpers import status as status_of

DRILL = "drill.example"


@pytest.fixture
def drill(node: Node) -> Node:
    setup_parties(node)
    return node


def _ack_scenario(value: str = DRILL, within: str = "30m") -> dict[str, Any]:
    """The minimal scenario, its inject carrying an indicator of ``value``, and an
    expectation that the host acknowledges an alert."""
    data = scenario()
    data["injects"][0]["bundle"]["objects"].append(indicator(value))
    data["expectations"].append(
        {
            "id": "host-acks-alert",
            "role": "host",
            "after": "first-report",
            "within": within,
            "do": "acknowledge",
            "points": 5,
        }
    )
    return data


def _exercise_alerts(node: Node, account: str, exercise: str) -> list[dict[str, Any]]:
    response = node.client.get(f"/api/v1/alerts?exercise={exercise}", headers=node.headers(account))
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def _ack(node: Node, account: str, number: int) -> int:
    response = node.client.post(f"/api/v1/alerts/{number}/ack", headers=node.headers(account))
    return response.status_code


def _match(node: Node) -> None:
    with node.engine.begin() as connection:
        match_pending(connection)


def _expectation(node: Node, now: datetime, item: str, name: str = "drill-1") -> dict[str, Any]:
    found = [e for e in status_of(node, now, name)["expectations"] if e["id"] == item]
    assert len(found) == 1
    return found[0]


def _correlated(node: Node, account: str, stix_id: str) -> set[str]:
    response = node.client.get(
        f"/api/v1/objects/{stix_id}/correlations", headers=node.headers(account)
    )
    assert response.status_code == 200, response.text
    return {o["id"] for c in response.json()["correlations"] for o in c["objects"]}


def _inject_indicator(node: Node, account: str, exercise: str = "drill-1") -> dict[str, Any]:
    response = node.client.get(
        f"/api/v1/objects?channel=exercise-{exercise}&type=indicator",
        headers=node.headers(account),
    )
    assert response.status_code == 200, response.text
    items = [item["object"] for item in response.json()["items"]]
    injected = [o for o in items if marking.is_marked(o, exercise)]
    assert len(injected) == 1
    return injected[0]


# --- A whole scenario at high speed -----------------------------------------------------


def test_an_inject_alerts_the_role_party_and_its_ack_meets_the_expectation(drill: Node) -> None:
    t0 = directory.utc_now()
    start_exercise(drill, t0, data=_ack_scenario())
    made = watch(drill, "kz", value=f"domain-name:{DRILL}", exercise="drill-1")
    assert made["exercise"] == "drill-1"
    exercise_clock.tick(drill.engine, t0)  # the inject goes out and matches the watch
    assert alerts(drill, "kz") == []  # never in the default (real) list
    real_page = drill.client.get("/api/v1/alerts", headers=drill.headers("kz")).json()
    assert real_page["unread"] == 0
    found = _exercise_alerts(drill, "kz", "drill-1")
    assert len(found) == 1
    alert = found[0]
    assert alert["exercise"] == {
        "name": "drill-1",
        "marking": "EXERCISE drill-1",
        "tag": 'exercise:accord="drill-1"',
    }
    assert alert["object_id"] == _inject_indicator(drill, "kz")["id"]
    assert _expectation(drill, t0, "host-acks-alert")["status"] == "pending"
    assert _ack(drill, "kz", alert["id"]) == 200
    exercise_clock.tick(drill.engine, later(t0, 5))
    met = _expectation(drill, later(t0, 5), "host-acks-alert")
    assert met["status"] == "met" and met["points"] == 5 and met["party"] == "kz-knb"
    assert met["object"] == f"alert:{alert['id']}" and met["by"] == "observed"
    assert 0 <= met["response_seconds"] <= 1800 and met["resolved_at"]
    # The report carries the same expectation, with its times and points.
    director = principal(drill, "director")
    with drill.engine.begin() as connection:
        body = exercise_report.report(connection, director, "drill-1")
    reported = [e for e in body["expectations"] if e["id"] == "host-acks-alert"][0]
    assert reported["status"] == "met" and reported["points"] == 5
    assert reported["resolved_at"] == met["resolved_at"]
    assert reported["response_seconds"] == met["response_seconds"]


def test_no_ack_or_an_ack_of_a_real_alert_is_a_miss(drill: Node) -> None:
    real = watch(drill, "kz", value="domain-name:real.example")
    publish(drill, "cn", indicator("real.example"), "network")
    _match(drill)
    t0 = directory.utc_now()
    start_exercise(drill, t0, data=_ack_scenario())
    watch(drill, "kz", value=f"domain-name:{DRILL}", exercise="drill-1")
    exercise_clock.tick(drill.engine, t0)
    real_alert = alerts(drill, "kz")
    assert len(real_alert) == 1 and real_alert[0]["watch"]["id"] == real["id"]
    assert real_alert[0]["exercise"] is None
    assert _ack(drill, "kz", real_alert[0]["id"]) == 200  # a real alert: does not count
    exercise_clock.tick(drill.engine, later(t0, 10))
    assert _expectation(drill, later(t0, 10), "host-acks-alert")["status"] == "pending"
    exercise_clock.tick(drill.engine, later(t0, 31))
    missed = _expectation(drill, later(t0, 31), "host-acks-alert")
    assert missed["status"] == "missed" and missed["points"] == 0
    assert missed["resolved_seconds"] == 1800
    # Acknowledging the exercise alert after the deadline changes nothing.
    late = _exercise_alerts(drill, "kz", "drill-1")[0]
    assert _ack(drill, "kz", late["id"]) == 200
    exercise_clock.tick(drill.engine, later(t0, 32))
    assert _expectation(drill, later(t0, 32), "host-acks-alert")["status"] == "missed"


def test_a_partners_answer_alerts_and_counts_but_the_partys_own_does_not(drill: Node) -> None:
    data = _ack_scenario(value="unrelated.example")
    t0 = directory.utc_now()
    start_exercise(drill, t0, data=data)
    watch(drill, "kz", value="domain-name:answer.example", exercise="drill-1")
    exercise_clock.tick(drill.engine, t0)
    assert _exercise_alerts(drill, "kz", "drill-1") == []
    publish(drill, "kz", indicator("answer.example"), "exercise-drill-1")  # its own
    _match(drill)
    own = _exercise_alerts(drill, "kz", "drill-1")
    assert len(own) == 1 and own[0]["object"]["origin"] == "kz-knb"
    assert _ack(drill, "kz", own[0]["id"]) == 200
    exercise_clock.tick(drill.engine, later(t0, 3))
    assert _expectation(drill, later(t0, 3), "host-acks-alert")["status"] == "pending"
    publish(drill, "cn", indicator("answer.example"), "exercise-drill-1")  # the partner's
    _match(drill)
    found = [a for a in _exercise_alerts(drill, "kz", "drill-1") if a["acknowledged"] is None]
    assert len(found) == 1 and found[0]["object"]["origin"] == "cn-mps"
    assert _ack(drill, "kz", found[0]["id"]) == 200
    exercise_clock.tick(drill.engine, later(t0, 6))
    met = _expectation(drill, later(t0, 6), "host-acks-alert")
    assert met["status"] == "met" and met["object"] == f"alert:{found[0]['id']}"


# --- Isolation -------------------------------------------------------------------------


def test_an_exercise_indicator_equal_to_a_real_one_alerts_neither_way(drill: Node) -> None:
    real_watch = watch(drill, "kz", value=f"domain-name:{DRILL}")
    real = indicator(DRILL)
    publish(drill, "cn", real, "network")
    _match(drill)
    assert len(alerts(drill, "kz")) == 1  # the real watch, the real object
    t0 = directory.utc_now()
    start_exercise(drill, t0, data=_ack_scenario())
    drill_watch = watch(drill, "kz", value=f"domain-name:{DRILL}", exercise="drill-1")
    exercise_clock.tick(drill.engine, t0)
    answer = indicator(DRILL)
    publish(drill, "kz", answer, "exercise-drill-1")
    publish(drill, "cn", indicator(DRILL), "network")  # a second real one, after the watch
    _match(drill)
    inject = _inject_indicator(drill, "kz")
    real_alerts = alerts(drill, "kz")
    assert {a["watch"]["id"] for a in real_alerts} == {real_watch["id"]}
    assert all(a["exercise"] is None for a in real_alerts)
    assert inject["id"] not in {a["object_id"] for a in real_alerts}
    assert answer["id"] not in {a["object_id"] for a in real_alerts}
    drill_alerts = _exercise_alerts(drill, "kz", "drill-1")
    assert {a["watch"]["id"] for a in drill_alerts} == {drill_watch["id"]}
    assert {a["object_id"] for a in drill_alerts} == {inject["id"], answer["id"]}
    # Correlations: the real object lists no exercise object, the exercise ones only theirs.
    assert inject["id"] not in _correlated(drill, "kz", real["id"])
    assert answer["id"] not in _correlated(drill, "kz", real["id"])
    assert _correlated(drill, "kz", inject["id"]) == {answer["id"]}
    assert real["id"] not in _correlated(drill, "kz", answer["id"])


def test_two_exercises_with_the_same_indicator_do_not_alert_each_other(drill: Node) -> None:
    t0 = directory.utc_now()
    data = _ack_scenario()
    start_exercise(drill, t0, data=data, name="drill-1")
    director = principal(drill, "director")
    with drill.engine.begin() as connection:
        exercises.start_exercise(
            connection,
            director,
            data["name"],
            "drill-2",
            {"host": "kz-knb", "partner": "cn-mps", "hub": "sco-hub"},
            speed=60,
            start=t0,
            now=t0,
        )
    first = watch(drill, "kz", value=f"domain-name:{DRILL}", exercise="drill-1")
    second = watch(drill, "kz", value=f"domain-name:{DRILL}", exercise="drill-2")
    exercise_clock.tick(drill.engine, t0)
    one, two = _inject_indicator(drill, "kz", "drill-1"), _inject_indicator(drill, "kz", "drill-2")
    assert one["id"] != two["id"]
    in_one = _exercise_alerts(drill, "kz", "drill-1")
    in_two = _exercise_alerts(drill, "kz", "drill-2")
    assert [(a["watch"]["id"], a["object_id"]) for a in in_one] == [(first["id"], one["id"])]
    assert [(a["watch"]["id"], a["object_id"]) for a in in_two] == [(second["id"], two["id"])]
    assert _correlated(drill, "kz", one["id"]) == set()
    # Acknowledging drill-2's alert does not answer drill-1's expectation.
    assert _ack(drill, "kz", in_two[0]["id"]) == 200
    exercise_clock.tick(drill.engine, later(t0, 5))
    assert _expectation(drill, later(t0, 5), "host-acks-alert", "drill-1")["status"] == "pending"
    assert _expectation(drill, later(t0, 5), "host-acks-alert", "drill-2")["status"] == "met"


def test_exercises_whose_names_extend_each_other_are_apart(drill: Node) -> None:
    # Exercise names may not hold "--", so "drill-1-b" and "drill" are exercises of their
    # own beside "drill-1" (no refusal that would tell a director another exercise exists),
    # and none of their channels reads as another's.
    t0 = directory.utc_now()
    start_exercise(drill, t0, data=_ack_scenario(), name="drill-1")
    director = principal(drill, "director")
    for name in ("drill-1-b", "drill"):
        with drill.engine.begin() as connection:
            exercises.start_exercise(
                connection,
                director,
                "embassy-drill",
                name,
                {"host": "kz-knb", "partner": "cn-mps", "hub": "sco-hub"},
                now=t0,
            )
    assert scope_of("exercise-drill-1") == "drill-1"
    assert scope_of("exercise-drill-1--2") == "drill-1"
    assert scope_of("exercise-drill-1-b") == "drill-1-b"
    assert scope_of("exercise-drill") == "drill"
    assert scope_of("network") is None


def test_a_sub_channel_is_the_same_exercise_and_alerts_only_its_members(drill: Node) -> None:
    t0 = directory.utc_now()
    start_exercise(drill, t0, data=_ack_scenario(value="unrelated.example"))
    with drill.engine.begin() as connection:
        # As a per-recipient sub-channel would be: the host and the hub only.
        directory.add_channel(connection, "exercise-drill-1--9", ["kz-knb", "sco-hub"])
    kz = watch(drill, "kz", value="domain-name:only-host.example", exercise="drill-1")
    watch(drill, "cn", value="domain-name:only-host.example", exercise="drill-1")
    watch(drill, "kz", value="domain-name:only-host.example")  # real: never for a drill
    exercise_clock.tick(drill.engine, t0)
    secret = indicator("only-host.example")
    publish(drill, "director", secret, "exercise-drill-1--9")
    _match(drill)
    assert [
        (a["watch"]["id"], a["object_id"]) for a in _exercise_alerts(drill, "kz", "drill-1")
    ] == [(kz["id"], secret["id"])]
    # cn may not see the sub-channel's object: no alert tells it of the object.
    assert _exercise_alerts(drill, "cn", "drill-1") == []
    assert alerts(drill, "cn") == [] and alerts(drill, "kz") == []
    with drill.engine.connect() as connection:
        raised = connection.execute(
            select(func.count()).select_from(alert_rows).where(alert_rows.c.stix_id == secret["id"])
        ).scalar_one()
    assert raised == 1


def test_outsiders_get_no_exercise_watch_and_see_no_exercise_alert(drill: Node) -> None:
    t0 = directory.utc_now()
    start_exercise(drill, t0, data=_ack_scenario())
    watch(drill, "kz", value=f"domain-name:{DRILL}", exercise="drill-1")
    exercise_clock.tick(drill.engine, t0)
    for name in ("drill-1", "no-such-drill", ""):
        response = drill.client.post(
            "/api/v1/watches",
            json={"value": f"domain-name:{DRILL}", "exercise": name},
            headers=drill.headers("ru"),
        )
        assert response.status_code == 404 if name else response.status_code in (404, 422)
        if name:
            assert response.json()["detail"] == f"no exercise named {name!r}"
    assert _exercise_alerts(drill, "ru", "drill-1") == []
    number = _exercise_alerts(drill, "kz", "drill-1")[0]["id"]
    assert _ack(drill, "ru", number) == 404
    bad = drill.client.get("/api/v1/alerts?exercise=" + "x" * 64, headers=drill.headers("kz"))
    assert bad.status_code == 422 and bad.headers["content-type"].startswith(
        "application/problem+json"
    )
    unknown = drill.client.post(
        "/api/v1/watches",
        json={"value": "domain-name:a.example", "exercise": 3},
        headers=drill.headers("kz"),
    )
    assert unknown.status_code == 400


def test_exercise_alerts_are_never_sent_to_webhooks_nor_digests(drill: Node) -> None:
    with drill.engine.begin() as connection:
        hook_acts.add_webhook(connection, HOST, "kz-knb", "https://hooks.example/in", "s" * 32)
    t0 = directory.utc_now()
    start_exercise(drill, t0, data=_ack_scenario())
    watch(drill, "kz", value=f"domain-name:{DRILL}", exercise="drill-1")
    watch(drill, "kz", value="domain-name:real.example")
    exercise_clock.tick(drill.engine, t0)
    assert len(_exercise_alerts(drill, "kz", "drill-1")) == 1
    with drill.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(deliveries)).scalar_one() == 0
    publish(drill, "cn", indicator("real.example"), "network")
    _match(drill)
    with drill.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(deliveries)).scalar_one() == 1
    # Nor in the daily digest: only the real alert is.
    with drill.engine.begin() as connection:
        day = hook_acts.digest(connection, HOST, "kz-knb", directory.utc_now().date())
    assert [a["exercise"] for a in day["alerts"]] == [None] and day["count"] == 1


def test_ending_purges_exercise_alerts_and_watches_but_not_the_audit(drill: Node) -> None:
    t0 = directory.utc_now()
    start_exercise(drill, t0, data=_ack_scenario())
    watch(drill, "kz", value=f"domain-name:{DRILL}", exercise="drill-1")
    real = watch(drill, "kz", value="domain-name:real.example")
    exercise_clock.tick(drill.engine, t0)
    alert = _exercise_alerts(drill, "kz", "drill-1")[0]
    assert _ack(drill, "kz", alert["id"]) == 200
    exercise_clock.tick(drill.engine, later(t0, 2))
    director = principal(drill, "director")
    with drill.engine.begin() as connection:
        exercises.set_state(connection, director, "drill-1", "end")
    assert _exercise_alerts(drill, "kz", "drill-1") == []
    withdrawn = drill.client.get(
        "/api/v1/alerts?exercise=drill-1&withdrawn=true", headers=drill.headers("kz")
    )
    assert withdrawn.json()["items"] == []
    assert _ack(drill, "kz", alert["id"]) == 404
    listed = drill.client.get("/api/v1/watches", headers=drill.headers("kz")).json()["watches"]
    assert [w["id"] for w in listed] == [real["id"]]
    with drill.engine.connect() as connection:
        kept = list(connection.execute(select(alert_rows.c.stix_id, alert_rows.c.reason)))
        assert kept == [("", "{}")]  # only its number stays
        texts = set(connection.execute(select(watches.c.text)).scalars())
        assert DRILL not in " ".join(texts)
        assert (
            connection.execute(select(func.count()).select_from(correlation_keys)).scalar_one() == 0
        )
        acks = connection.execute(
            select(func.count()).select_from(audit_log).where(audit_log.c.action == "alert.ack")
        ).scalar_one()
    assert acks == 1
    # The expectation met stays in the record; a later real alert takes a fresh number.
    assert _expectation(drill, later(t0, 3), "host-acks-alert")["status"] == "met"
    publish(drill, "cn", indicator("real.example"), "network")
    _match(drill)
    assert [a["id"] for a in alerts(drill, "kz")] == [alert["id"] + 1]


def test_the_cli_and_console_show_the_exercise_marking(drill: Node) -> None:
    from tests.console.test_console import sign_in
    from tests.exercise.test_cli_report import _db

    t0 = directory.utc_now()
    start_exercise(drill, t0, data=_ack_scenario())
    watch(drill, "kz", value=f"domain-name:{DRILL}", exercise="drill-1")
    exercise_clock.tick(drill.engine, t0)
    runner = CliRunner()
    shown = runner.invoke(
        app, ["--db", _db(drill), "alerts", "--account", "kz", "--exercise", "drill-1"]
    )
    assert shown.exit_code == 0, shown.output
    assert "EXERCISE drill-1" in shown.output
    default = runner.invoke(app, ["--db", _db(drill), "alerts", "--account", "kz"])
    assert default.exit_code == 0 and "no alerts" in default.output
    sign_in(drill, "kz")
    page = drill.client.get("/ui/alerts?exercise=drill-1")
    assert page.status_code == 200 and 'data-testid="exercise-banner"' in page.text
    assert 'data-testid="exercise-marking-1">EXERCISE drill-1<' in page.text
    assert 'exercise:accord="drill-1"' in page.text
    assert "EXERCISE" not in drill.client.get("/ui/alerts").text


def test_name_watches_keep_to_their_exercise_too(drill: Node) -> None:
    from tests.alerting import person

    data = scenario()
    data["injects"][0]["bundle"]["objects"].append(person("Abdulla Khasanov"))
    t0 = directory.utc_now()
    start_exercise(drill, t0, data=data)
    drill_watch = watch(drill, "kz", name="Абдулла Хасанов", exercise="drill-1")
    watch(drill, "kz", name="Абдулла Хасанов")  # real
    exercise_clock.tick(drill.engine, t0)
    assert alerts(drill, "kz") == []
    found = _exercise_alerts(drill, "kz", "drill-1")
    assert [a["watch"]["id"] for a in found] == [drill_watch["id"]]
    assert found[0]["reason"]["how"] == "screening"
    real = person("Abdulla Khasanov")
    publish(drill, "cn", real, "network")
    _match(drill)
    assert [a["object_id"] for a in alerts(drill, "kz")] == [real["id"]]
    assert len(_exercise_alerts(drill, "kz", "drill-1")) == 1
