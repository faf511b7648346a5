"""The ``accord exercise`` commands, MISP CEXF both ways, and the after-action report, whose
figures equal the recorded events."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from click.testing import Result
from typer.testing import CliRunner

from accord import cli_exercise
from accord.acts import exercise_clock, exercise_report
from accord.cli import app
from accord.errors import Forbidden, NotFound
from accord.exercise import cexf, report
from accord.exercise.scenario import parse
from accord.store import directory
from tests.alerting import publish
from tests.conftest import Node
from tests.exercise.helpers import MINIMAL, indicator, later, principal, scenario, setup_parties
from tests.exercise.helpers import start as start_exercise

runner = CliRunner()


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_exercise.console, "width", 200)


@pytest.fixture
def drill(node: Node) -> Node:
    setup_parties(node)
    return node


def _db(node: Node) -> str:
    database = node.database
    if database.schema is None:
        return database.url
    return f"{database.url}?options=-csearch_path%3D{database.schema}"


def _run(node: Node, *args: str) -> Result:
    return runner.invoke(app, ["--db", _db(node), "exercise", *args])


def test_the_commands_import_start_and_report(drill: Node, tmp_path: Path) -> None:
    file = tmp_path / "drill.json"
    file.write_bytes(orjson.dumps(MINIMAL))
    done = _run(drill, "import", str(file))
    assert done.exit_code == 0, done.output
    assert "embassy-drill" in _run(drill, "list").output
    started = _run(
        drill,
        "start",
        "embassy-drill",
        "--as",
        "cli-1",
        "--role",
        "host=kz-knb",
        "--role",
        "partner=cn-mps",
        "--role",
        "hub=sco-hub",
        "--speed",
        "60",
    )
    assert started.exit_code == 0, started.output
    assert _run(drill, "tick").exit_code == 0
    state = json.loads(_run(drill, "status", "cli-1", "--format", "json").output)
    assert {"name", "state", "injects", "expectations"} <= set(state)
    assert state["injects"][0]["status"] == "sent" and state["injects"][0]["sent_at"]
    assert set(state["expectations"][0]) >= {"id", "role", "party", "status", "points"}
    outsider = _run(drill, "status", "cli-1", "--account", "ru")
    assert outsider.exit_code == 2 and "no exercise named" in outsider.output
    player = _run(drill, "end", "cli-1", "--account", "kz")
    assert player.exit_code == 2 and "director" in player.output
    out = tmp_path / "report.json"
    assert _run(drill, "report", "cli-1", "--out", str(out), "--format", "json").exit_code == 0
    assert json.loads(out.read_text())["expectations"][0]["id"] == "host-shares-indicator"
    assert _run(drill, "end", "cli-1").exit_code == 0


def test_bad_input_is_one_line_naming_the_place(drill: Node, tmp_path: Path) -> None:
    file = tmp_path / "bad.json"
    file.write_bytes(orjson.dumps(scenario(roles=["host"])))
    done = _run(drill, "import", str(file))
    assert done.exit_code == 2 and "injects[0].from" in done.output
    assert "Traceback" not in done.output
    assert _run(drill, "import", str(tmp_path / "missing.json")).exit_code == 2
    file.write_bytes(orjson.dumps(MINIMAL))
    _run(drill, "import", str(file))
    bad_role = _run(drill, "start", "embassy-drill", "--as", "x", "--role", "host")
    assert bad_role.exit_code == 2 and "--role" in bad_role.output
    bad_time = _run(
        drill, "start", "embassy-drill", "--as", "x", "--role", "host=kz-knb", "--start", "soon"
    )
    assert bad_time.exit_code == 2 and "--start" in bad_time.output


def test_cexf_round_trip_keeps_what_maps() -> None:
    exported = cexf.from_scenario(MINIMAL)
    assert set(exported) == {"exercise", "inject_flow", "inject_payloads", "injects"}
    assert exported["injects"][0]["inject_evaluation"][0]["score_range"] == [0, 10]
    back = parse(cexf.to_scenario(exported))
    original = parse(MINIMAL)
    assert back.injects == original.injects and back.expectations == original.expectations


def test_a_misp_cexf_file_imports_as_notes_and_free_tasks() -> None:
    misp = {
        "exercise": {"name": "Phishing e-mail", "uuid": "75d74600-af9d-4098-8ad1-754457076b32"},
        "inject_flow": [
            {
                "inject_uuid": "19272db1-a7c4-4cb3-aa33-df775b8fec8c",
                "trigger": "startex",
                "requirements": [],
            },
            {
                "inject_uuid": "c104aa37-e394-43ce-b82b-a733d3745468",
                "trigger": "inject-resolution",
                "requirements": {
                    "inject_uuid": "19272db1-a7c4-4cb3-aa33-df775b8fec8c",
                    "resolution_requirement": "Publishing",
                },
            },
        ],
        "injects": [
            {
                "uuid": "19272db1-a7c4-4cb3-aa33-df775b8fec8c",
                "name": "received e-mail",
                "action": "email_to_participants",
                "action_payload_resource_uuid": "930c6f6b-f89d-456d-a59d-5cb89bdec0b1",
                "inject_evaluation": [{"result": "Publishing", "score_range": [0, 10]}],
            },
            {
                "uuid": "c104aa37-e394-43ce-b82b-a733d3745468",
                "name": "network flow",
                "inject_evaluation": [],
            },
        ],
        "inject_payloads": [
            {
                "uuid": "930c6f6b-f89d-456d-a59d-5cb89bdec0b1",
                "type": "file",
                "parameters": {"filename": "email.eml", "contents": "Dear xy"},
            },
        ],
    }
    parsed = parse(cexf.to_scenario(misp))
    assert parsed.name == "phishing-e-mail" and parsed.roles == ("director", "players")
    assert parsed.injects[0].objects[0]["type"] == "note"
    assert parsed.injects[1].trigger == ("met", "publishing")
    assert parsed.expectations[0].kind == "manual" and parsed.expectations[0].points == 10


def test_the_report_equals_the_recorded_events(drill: Node, tmp_path: Path) -> None:
    data = scenario()
    data["expectations"].append(
        {
            "id": "partner-sighting",
            "role": "partner",
            "after": "first-report",
            "within": "10m",
            "do": "sighting",
            "points": 4,
        }
    )
    t0 = directory.utc_now()
    start_exercise(drill, t0, data=data)
    exercise_clock.tick(drill.engine, t0)
    publish(drill, "kz", indicator(), "exercise-drill-1")
    exercise_clock.tick(drill.engine, later(t0, 11))
    kz = principal(drill, "kz")
    with drill.engine.begin() as connection:
        exercise_clock.add_lesson(connection, kz, "drill-1", "Share the manifest sooner")
    director = principal(drill, "director")
    with drill.engine.begin() as connection:
        body = exercise_report.report(connection, director, "drill-1")
    with drill.engine.connect() as connection:
        from accord.store import exercises as store

        events = store.events(connection, 1)
    recorded = [
        (e.item, e.status, e.scenario_seconds, e.points)
        for e in events
        if e.kind in ("inject", "expectation")
    ]
    assert [
        (t["item"], t["status"], t["scenario_seconds"], t["points"]) for t in body["timeline"]
    ] == recorded
    assert report.timeline_points(body) == [
        (
            seconds / 60,
            item + (f" ({body['timeline'][n]['party']})" if body["timeline"][n]["party"] else ""),
            status,
        )
        for n, (item, status, seconds, _) in enumerate(recorded)
    ]
    assert body["scores"]["kz-knb"] == {"points": 10, "max_points": 10, "met": 1, "missed": 0}
    assert body["scores"]["cn-mps"] == {"points": 0, "max_points": 4, "met": 0, "missed": 1}
    assert [m["id"] for m in body["missed"]] == ["partner-sighting"]
    assert body["lessons"][0]["text"] == "Share the manifest sooner"
    assert {s["type"] for s in body["shared"]} == {"marking-definition", "report", "indicator"}
    html = exercise_report.render(body, "html").decode()
    assert "partner-sighting" in html and "Share the manifest sooner" in html
    assert "data:image/png;base64," in html and "EXERCISE" in html
    assert exercise_report.render(body, "pdf").startswith(b"%PDF")
    assert orjson.loads(exercise_report.render(body, "json")) == orjson.loads(orjson.dumps(body))
    for who in ("kz", "kz-admin", "ru-admin"):  # players and outsiders get no report
        by = principal(drill, who)
        with drill.engine.begin() as connection, pytest.raises((Forbidden, NotFound)):
            exercise_report.report(connection, by, "drill-1")


def test_channels_and_join_commands(drill: Node, tmp_path: Path) -> None:
    """The director exports the channels of a partner node's parties; joining them on a
    node creates channels and peers (here the director's own node joins a partner back:
    the channels exist, only peers are added); bad input is one line naming the place."""
    from tests.exercise.test_recipients import host_only

    start_exercise(drill, directory.utc_now(), data=host_only())
    out = tmp_path / "channels.json"
    exported = _run(
        drill,
        "channels",
        "drill-1",
        "--party",
        "kz-knb",
        "--out",
        str(out),
        "--account",
        "director",
    )
    assert exported.exit_code == 0, exported.output
    document = json.loads(out.read_text())
    assert [c["name"] for c in document["channels"]] == ["exercise-drill-1", "exercise-drill-1--1"]
    player = _run(drill, "channels", "drill-1", "--party", "kz-knb", "--account", "kz")
    assert player.exit_code == 2 and "director" in player.output
    outside = _run(drill, "channels", "drill-1", "--party", "ru-nac")
    assert outside.exit_code == 2 and "takes no part" in outside.output
    url = "http://partner.example/taxii2/api/"
    bad = _run(drill, "join", str(out), "--url", url, "--token", "no-equals-sign")
    assert bad.exit_code == 2 and "PARTY=TOKEN" in bad.output
    joined = _run(drill, "join", str(out), "--url", url, "--token", "sco-hub=secret")
    assert joined.exit_code == 0, joined.output
    assert "0 created" in joined.output and "exercise-drill-1--1" in joined.output
    again = _run(drill, "join", str(out), "--url", url, "--token", "sco-hub=secret")
    assert again.exit_code == 2 and "already" in again.output
