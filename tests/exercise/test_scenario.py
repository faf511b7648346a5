"""Scenario files: the issue's minimal scenario is accepted as is, faults are refused with
their place named, and the JSON Schema in docs/ agrees."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest

from accord.errors import ValidationFailed
from accord.exercise.scenario import load, parse
from tests.exercise.helpers import MINIMAL, scenario

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "exercise-scenario.schema.json"


def test_the_minimal_scenario_is_accepted_as_given() -> None:
    parsed = load(orjson.dumps(MINIMAL))
    assert parsed.name == "embassy-drill"
    assert parsed.roles == ("host", "partner", "hub")
    assert parsed.injects[0].offset == 0 and parsed.injects[0].to == ("host", "partner")
    assert parsed.expectations[0].within == 1800 and parsed.expectations[0].points == 10
    jsonschema.validate(MINIMAL, json.loads(SCHEMA.read_text()))


def test_yaml_is_read_too() -> None:
    text = "name: y-drill\nroles: [a, b]\ninjects:\n  - id: i\n    at: +5m\n    from: a\n"
    text += "    to: [b]\n    bundle: " + json.dumps(MINIMAL["injects"][0]["bundle"]) + "\n"
    parsed = load(text.encode(), "drill.yaml")
    assert parsed.injects[0].offset == 300


def test_yaml_aliases_and_broken_yaml_are_refused_with_the_place() -> None:
    bomb = 'a: &a ["x", "x"]\nb: &b [*a, *a]\nc: [*b, *b]\n'
    with pytest.raises(ValidationFailed) as caught:
        load(bomb.encode(), "bomb.yaml")
    assert "alias" in str(caught.value) and "line 2" in str(caught.value)
    with pytest.raises(ValidationFailed) as caught:
        load(b"name: [unclosed\n", "broken.yml")
    assert "not valid YAML" in str(caught.value)


def _refusal(data: Any) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        parse(data)
    return [e.field for e in caught.value.errors]


def _with_inject(**changes: Any) -> dict[str, Any]:
    data = scenario()
    data["injects"][0].update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (_with_inject(**{"from": "embassy"}), "injects[0].from"),
        (_with_inject(to=["host", "nobody"]), "injects[0].to[1]"),
        (_with_inject(at="-5m"), "injects[0].at"),
        (_with_inject(at="soon"), "injects[0].at"),
        (_with_inject(tlp="purple"), "injects[0].tlp"),
        (_with_inject(bundle={"type": "report"}), "injects[0].bundle"),
    ],
)
def test_faults_are_refused_with_their_place(data: dict[str, Any], where: str) -> None:
    assert where in _refusal(data)


def test_an_unknown_expectation_kind_and_role_are_named() -> None:
    data = scenario()
    data["expectations"][0]["do"] = "telepathy"
    data["expectations"][0]["role"] = "observer"
    assert {"expectations[0].do", "expectations[0].role"} <= set(_refusal(data))


def test_a_bad_bundle_object_is_named_by_its_path() -> None:
    data = scenario()
    del data["injects"][0]["bundle"]["objects"][0]["created"]
    assert any(f.startswith("injects[0].bundle.objects[0].") for f in _refusal(data))


def test_a_cycle_of_triggers_is_refused() -> None:
    data = scenario()
    second = copy.deepcopy(data["injects"][0])
    second.update(id="second", when={"met": "waits-on-second"})
    del second["at"]
    data["injects"].append(second)
    data["expectations"].append(
        {
            "id": "waits-on-second",
            "role": "partner",
            "after": "second",
            "within": "10m",
            "do": "manual",
            "points": 1,
        }
    )
    fields = _refusal(data)
    assert fields == ["injects[1].when"]


def test_references_to_unknown_items_are_named() -> None:
    data = scenario()
    data["expectations"][0]["after"] = "no-such-inject"
    assert _refusal(data) == ["expectations[0].after"]
    data = _with_inject(when={"met": "no-such-expectation"})
    assert "injects[0].when.met" in _refusal(data)


def test_not_json_is_refused_cleanly() -> None:
    with pytest.raises(ValidationFailed) as caught:
        load(b"{not json")
    assert caught.value.errors[0].field == "file"


def test_the_demo_scenario_is_valid_and_round_trips_through_cexf() -> None:
    from accord.demo import SCENARIO
    from accord.exercise import cexf

    parsed = load(SCENARIO.read_bytes())
    assert parsed.roles == ("host", "partner", "transit", "hub")
    assert parsed.inject("designation-proposal").trigger == ("met", "transit-sighting")
    jsonschema.validate(orjson.loads(SCENARIO.read_bytes()), json.loads(SCHEMA.read_text()))
    back = parse(cexf.to_scenario(cexf.from_scenario(orjson.loads(SCENARIO.read_bytes()))))
    assert back.injects == parsed.injects and back.expectations == parsed.expectations
