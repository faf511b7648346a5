"""MISP events in and out: PyMISP events -> POST /api/v1/misp/events -> GET -> MISPEvent."""

from __future__ import annotations

from typing import Any

import orjson

from tests.conftest import Node
from tests.misp.events import as_json, event, load

EVENTS = "/api/v1/misp/events"


def post(node: Node, account: str, body: bytes) -> dict[str, Any]:
    response = node.client.post(EVENTS, content=body, headers=node.headers(account))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def export(node: Node, account: str, **params: str) -> list[dict[str, Any]]:
    response = node.client.get(EVENTS, params=params, headers=node.headers(account))
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def summary(e: Any) -> dict[str, Any]:
    """What matters of an event: its identity, attributes, objects, galaxies, reports."""
    return {
        "uuid": e.uuid,
        "info": e.info,
        "attributes": sorted((a.uuid, a.type, str(a.value)) for a in e.attributes),
        "objects": sorted(
            (o.uuid, o.name, tuple(sorted(str(a.value) for a in o.attributes))) for o in e.objects
        ),
        "clusters": sorted(c.value for g in e.galaxies for c in g.clusters),
        "reports": sorted((r.name, r.content) for r in e.event_reports),
    }


def test_round_trip_keeps_what_matters(misp_node: Node) -> None:
    original = event()
    report = post(misp_node, "kz", as_json(original))
    assert report["stored"] == 1 and report["refused"] == 0, report
    assert report["events"][0]["audiences"].keys() == {"kz-ru"}
    [exported] = export(misp_node, "kz")
    back = load(exported)
    want, got = summary(load(orjson.loads(as_json(original)))), summary(back)
    assert got["uuid"] == want["uuid"] and got["info"] == want["info"]
    assert got["attributes"] == want["attributes"]
    assert [o[:2] for o in got["objects"]] == [o[:2] for o in want["objects"]]
    # misp-stix makes one full-name of a person's first and last names
    person = [o for o in back.objects if o.name == "person"][0]
    assert "Arman Seitkali" in {str(a.value) for a in person.attributes}
    for name in ("domain-ip", "file"):
        assert [o[2] for o in got["objects"] if o[1] == name] == [
            o[2] for o in want["objects"] if o[1] == name
        ]
    assert got["clusters"] == ["Steppe Couriers"]
    assert got["reports"] == want["reports"]
    tags = {t.name for t in back.tags}
    assert {"tlp:amber", "PAP:GREEN", 'accord:audience="kz-ru"', 'accord:origin="kz-knb"'} <= tags
    assert back.distribution == 0  # an export is shared no further than its reader's org


def test_reimport_is_idempotent_and_an_update_makes_new_versions(misp_node: Node) -> None:
    first = post(misp_node, "kz", as_json(event()))["events"][0]
    again = post(misp_node, "kz", as_json(event()))["events"][0]
    assert again["status"] == "unchanged" and again["accepted"] == 0
    assert again["unchanged"] == first["accepted"]
    updated = event(timestamp=1_700_086_400)
    changed = updated.attributes[2]
    changed.comment = "now also seen in Almaty"
    update = post(misp_node, "kz", as_json(updated))["events"][0]
    assert update["status"] == "stored" and update["accepted"] > 0
    versions = misp_node.client.get(
        f"/api/v1/objects/indicator--{changed.uuid}/versions", headers=misp_node.headers("kz")
    )
    assert versions.status_code == 200, versions.text
    assert len(versions.json()["versions"]) == 2
    [exported] = export(misp_node, "kz")
    # the latest version is exported (misp-stix keeps an indicator's comment as its
    # description but does not read it back: its own limit, not this node's)
    stamps = {a.uuid: int(a.timestamp.timestamp()) for a in load(exported).attributes}
    assert stamps[changed.uuid] == 1_700_086_400


def test_tlp_spellings_become_tlp_2(misp_node: Node) -> None:
    cases = {
        "tlp:white": "clear",
        "tlp:clear": "clear",
        "TLP:GREEN": "green",
        "tlp:amber+strict": "amber+strict",
        "tlp:red": "red",
    }
    for position, (tag, label) in enumerate(cases.items()):
        e = event(seed=f"tlp{position}", tags=(tag,))
        report = post(misp_node, "kz", as_json(e))
        assert report["stored"] == 1, report["events"][0]["errors"][:3]
        [found] = [x for x in export(misp_node, "kz") if x["Event"]["uuid"] == e.uuid]
        assert f"tlp:{label}" in {t["name"] for t in found["Event"]["Tag"]}
        grouping = misp_node.client.get(
            f"/api/v1/objects/grouping--{e.uuid}", headers=misp_node.headers("kz")
        ).json()
        assert grouping["sharing"]["tlp"] == label


def test_untagged_event_takes_the_default_tlp(misp_node: Node) -> None:
    e = event(tags=())
    post(misp_node, "kz", as_json(e))
    grouping = misp_node.client.get(
        f"/api/v1/objects/grouping--{e.uuid}", headers=misp_node.headers("kz")
    ).json()
    assert grouping["sharing"]["tlp"] == "amber"


def test_a_list_and_a_search_answer_are_read(misp_node: Node) -> None:
    one, two = event(seed="a"), event(seed="b")
    assert post(misp_node, "kz", as_json(one, two))["stored"] == 2
    three = event(seed="c")
    body = orjson.dumps({"response": orjson.loads(as_json(three, event(seed="a")))})
    report = post(misp_node, "kz", body)
    assert (report["stored"], report["unchanged"]) == (1, 1)
    assert len(export(misp_node, "kz", collection="kz-ru")) == 3
    assert export(misp_node, "kz", collection="own") == []
