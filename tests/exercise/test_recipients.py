"""An inject's ``to`` is enforced: it is published to a channel of exactly its recipients'
parties and the director's, so a player of another role reads it through no door (REST
lists, fetch and versions, search, TAXII collections, objects and manifests, the console's
pages and relationships, MISP export and feeds), and a recipient reads it through each."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

import pytest

from accord.acts import exercise_clock, exercises
from accord.exercise import marking
from accord.federation.collections import collection_id
from accord.store import directory
from tests.alerting import publish
from tests.conftest import Node
from tests.console.test_console import sign_in
from tests.exercise.helpers import MINIMAL, indicator, later, principal, scenario, setup_parties
from tests.exercise.helpers import start as start_exercise
from tests.exercise.helpers import status as status_of

MAIN = "exercise-drill-1"
SUB = "exercise-drill-1--1"
LEAD = "Host-only lead"
TAXII = {"Accept": "application/taxii+json;version=2.1"}
REPORT = marking.derived_id("drill-1", MINIMAL["injects"][0]["bundle"]["objects"][0]["id"])
LEAD_ID = marking.derived_id("drill-1", "indicator--5b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e")
RELATIONSHIP_ID = marking.derived_id(
    "drill-1", "relationship--6c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
)
#: The lead's indicator value (how MISP shows it: an attribute).
VALUE = "host-only.example"


def host_only() -> dict[str, Any]:
    """The minimal scenario and a second inject for the host's role only: an indicator and
    a relationship from it to the first inject's report (which every role reads)."""
    data = scenario()
    lead = indicator(VALUE)
    lead.update(id="indicator--5b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", name=LEAD)
    relationship = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": "relationship--6c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "relationship_type": "indicates",
        "source_ref": lead["id"],
        "target_ref": REPORT,  # the first inject's report, under its derived id
    }
    follow = copy.deepcopy(data["injects"][0])
    follow.update(id="host-brief", at="+0m", to=["host"])
    follow["bundle"]["objects"] = [lead, relationship]
    data["injects"].append(follow)
    return data


@pytest.fixture
def drill(node: Node) -> tuple[Node, datetime]:
    setup_parties(node)
    t0 = directory.utc_now()
    start_exercise(node, t0, data=host_only())
    exercise_clock.tick(node.engine, t0)
    return node, t0


def _get(node: Node, account: str, path: str, **headers: str) -> Any:
    return node.client.get(path, headers={**node.headers(account), **headers})


def _listed(node: Node, account: str, query: str) -> list[str] | None:
    answer = _get(node, account, f"/api/v1/objects{query}")
    if answer.status_code == 404:
        return None
    assert answer.status_code == 200, answer.text
    return [item["object"]["id"] for item in answer.json()["items"]]


def _taxii(node: Node, account: str, audience: str, what: str = "objects") -> list[str] | None:
    answer = _get(
        node, account, f"/taxii2/api/collections/{collection_id(audience)}/{what}/", **TAXII
    )
    if answer.status_code == 404:
        return None
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return [o["id"] for o in body.get("objects", body.get("manifest", []))]


def test_the_channels_follow_the_recipients(drill: tuple[Node, datetime]) -> None:
    node, t0 = drill
    with node.engine.connect() as connection:
        sub = directory.get_channel(connection, SUB)
        main = directory.get_channel(connection, MAIN)
    assert sorted(sub.members) == ["kz-knb", "sco-hub"]
    assert sorted(main.members) == ["cn-mps", "kz-knb", "sco-hub"]
    state = status_of(node, later(t0, 2))
    assert [(c["name"], c["roles"]) for c in state["channels"]] == [
        (MAIN, ["host", "partner", "hub"]),
        (SUB, ["host"]),
    ]
    assert [(i["id"], i["channel"], i["status"]) for i in state["injects"]] == [
        ("first-report", MAIN, "sent"),
        ("host-brief", SUB, "sent"),
    ]
    # A player of the partner's role is told of its own channel only.
    partner = status_of(node, later(t0, 2), who="cn")
    assert [c["name"] for c in partner["channels"]] == [MAIN]
    assert [i["id"] for i in partner["injects"]] == ["first-report"]


@pytest.mark.parametrize("account", ["cn", "cn-reader", "cn-admin", "ru", "ru-admin"])
def test_a_player_of_another_role_reads_it_through_no_door(
    drill: tuple[Node, datetime], account: str
) -> None:
    node, _ = drill
    assert _listed(node, account, f"?channel={SUB}") is None
    assert LEAD_ID not in (_listed(node, account, f"?channel={MAIN}") or [])
    assert LEAD_ID not in (_listed(node, account, f"?channel={MAIN}&q=host-only") or [])
    assert _listed(node, account, "?q=host-only") == []
    for path in (f"/api/v1/objects/{LEAD_ID}", f"/api/v1/objects/{LEAD_ID}/versions"):
        assert _get(node, account, path).status_code == 404
    assert _get(node, account, f"/api/v1/objects/{RELATIONSHIP_ID}").status_code == 404
    collections = _get(node, account, "/taxii2/api/collections/", **TAXII).json()
    assert collection_id(SUB) not in str(collections) and SUB not in str(collections)
    for what in ("objects", "manifest"):
        assert _taxii(node, account, SUB, what) is None
        assert LEAD_ID not in (_taxii(node, account, MAIN, what) or [])
    assert _get(node, account, f"/taxii2/api/collections/{collection_id(SUB)}/").status_code == 404
    # MISP export and feeds.
    assert _get(node, account, f"/api/v1/misp/events?collection={SUB}").status_code == 404
    exported = _get(node, account, f"/api/v1/misp/events?collection={MAIN}").text
    assert LEAD not in exported and VALUE not in exported
    assert _get(node, account, f"/misp/feeds/{SUB}/manifest.json").status_code == 404
    assert LEAD not in _get(node, account, f"/misp/feeds/{MAIN}/manifest.json").text
    # The console: the object's page, its JSON, the inbox, and the report's relationships.
    sign_in(node, account)
    for path in (f"/ui/objects/{LEAD_ID}", f"/ui/objects/{LEAD_ID}/json"):
        assert node.client.get(path).status_code == 404
    for query in (f"?channel={SUB}", f"?channel={MAIN}", ""):
        assert LEAD not in node.client.get(f"/ui/inbox{query}").text
    report_page = node.client.get(f"/ui/objects/{REPORT}")
    if account.startswith("cn"):
        assert report_page.status_code == 200, report_page.text
    assert LEAD_ID not in report_page.text and RELATIONSHIP_ID not in report_page.text


@pytest.mark.parametrize("account", ["kz", "kz-reader", "director"])
def test_a_recipient_reads_it_through_each_door(drill: tuple[Node, datetime], account: str) -> None:
    node, _ = drill
    assert LEAD_ID in (_listed(node, account, f"?channel={SUB}") or [])
    assert LEAD_ID in (_listed(node, account, f"?channel={SUB}&q=host-only") or [])
    assert _get(node, account, f"/api/v1/objects/{LEAD_ID}").status_code == 200
    assert _get(node, account, f"/api/v1/objects/{LEAD_ID}/versions").status_code == 200
    for what in ("objects", "manifest"):
        assert LEAD_ID in (_taxii(node, account, SUB, what) or [])
    assert VALUE in _get(node, account, f"/api/v1/misp/events?collection={SUB}").text
    assert _get(node, account, f"/misp/feeds/{SUB}/manifest.json").status_code == 200
    sign_in(node, account)
    assert LEAD in node.client.get(f"/ui/inbox?channel={SUB}").text
    assert node.client.get(f"/ui/objects/{LEAD_ID}").status_code == 200
    assert _get(node, account, f"/api/v1/objects/{RELATIONSHIP_ID}").status_code == 200


def test_an_answer_in_a_sub_channel_counts_and_the_end_purges_them_all(
    drill: tuple[Node, datetime],
) -> None:
    node, t0 = drill
    publish(node, "kz", indicator("answer.example"), SUB)
    exercise_clock.tick(node.engine, later(t0, 5))
    expectation = status_of(node, later(t0, 5))["expectations"][0]
    assert expectation["status"] == "met" and expectation["party"] == "kz-knb"
    director = principal(node, "director")
    with node.engine.begin() as connection:
        exercises.set_state(connection, director, "drill-1", "end")
    with node.engine.connect() as connection:
        names = [c.name for c in directory.list_channels(connection)]
    assert MAIN not in names and SUB not in names
    report = _get(node, "director", "/api/v1/exercises/drill-1/report").json()
    assert {item["channel"] for item in report["shared"]} == {MAIN, SUB}
    assert _get(node, "kz", f"/api/v1/objects/{LEAD_ID}").status_code == 404


def test_an_inject_for_the_directors_party_alone_stays_there(node: Node) -> None:
    setup_parties(node)
    data = host_only()
    data["injects"][1]["to"] = ["hub"]  # the director's own party
    t0 = directory.utc_now()
    start_exercise(node, t0, data=data)
    exercise_clock.tick(node.engine, t0)
    with node.engine.connect() as connection:
        assert directory.get_channel(connection, SUB).members == ("sco-hub",)
    assert _get(node, "kz", f"/api/v1/objects/{LEAD_ID}").status_code == 404
    assert _get(node, "director", f"/api/v1/objects/{LEAD_ID}").status_code == 200


def test_a_name_with_the_sub_channel_mark_is_refused(node: Node) -> None:
    setup_parties(node)
    with pytest.raises(Exception, match="no '--'"):
        start_exercise(node, directory.utc_now(), name="drill--1")
