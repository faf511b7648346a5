"""The streamed export (accord.acts.misp_stream): the events of the in-memory export, in the
same order, made a bounded number at a time, each page's audit entry committed before its
events are served; the process pool gives what one process gives."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select

from accord.acts import misp_export, misp_stream
from accord.federation.collections import collection_id
from accord.misp import convert, pool
from accord.store import directory
from accord.store.schema import audit_log
from tests.conftest import Node
from tests.misp.events import SHARING_GROUP, as_json, event
from tests.misp.test_import_export import post
from tests.stix_factory import bundle, sdo

ACCOUNTS = ("kz", "kz-reader", "ru", "ru-reader", "cn", "cn-reader", "cn-admin")


@pytest.fixture(autouse=True)
def _stop_pools() -> Iterator[None]:
    yield
    pool.shutdown()


def _populate(node: Node, events: int = 3) -> list[Any]:
    made = []
    for number in range(events):
        e = event(seed=f"stream-{number}", timestamp=1_700_000_000 + number)
        if number == 0:
            e.attributes[0].distribution = 0  # kept narrower than its event: kz-knb only
        made.append(e)
    assert post(node, "kz", as_json(*made))["stored"] == events
    own = event(seed="stream-own", distribution=0, sharing_group=None)
    assert post(node, "ru", as_json(own))["stored"] == 1
    # objects not from MISP, of two parties: each an event of "everything else"
    for account, audience in (("kz", "network"), ("ru", "kz-ru")):
        response = node.client.post(
            "/api/v1/objects",
            params={"audience": audience, "tlp": "green"},
            content=orjson.dumps(bundle(sdo("indicator"), sdo("threat-actor"))),
            headers={**node.headers(account), "Content-Type": "application/json"},
        )
        assert response.status_code == 200, response.text
    return made


def _criteria(node: Node, account: Any, collection: str | None) -> Any:
    with node.engine.begin() as connection:
        return misp_export.criteria_for(
            connection, account, collection=collection, added_after=None, node_name="accord-node"
        )


def _account(node: Node, name: str) -> Any:
    with node.engine.begin() as connection:
        return directory.get_account(connection, name)


def _before(node: Node, account: Any, criteria: Any) -> list[dict[str, Any]]:
    """The export as it was made before it was streamed: everything read, then grouped."""
    with node.engine.begin() as connection:
        items = misp_export.visible_items(connection, account, criteria, door="cli")
    return misp_export.events_of(items)


def test_the_stream_is_the_export_it_replaces(misp_node: Node) -> None:
    _populate(misp_node)
    seen = 0
    for name in ACCOUNTS:
        account = _account(misp_node, name)
        for collection in (None, "own", "network", "kz-ru"):
            try:
                criteria = _criteria(misp_node, account, collection)
            except Exception:  # a channel the account's party is not in: no collection
                continue
            streamed = list(
                misp_stream.stream_events(misp_node.engine, account, criteria, door="cli")
            )
            assert streamed == _before(misp_node, account, criteria), (name, collection)
            seen += len(streamed)
    assert seen > 10  # the comparison compared events: heads, a part, objects not from MISP


def test_the_stream_makes_one_event_at_a_time(
    misp_node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _populate(misp_node, events=6)
    monkeypatch.setattr(misp_stream, "HEADS_PAGE", 2)
    convert._converted = convert._Memo(convert.MEMO_EVENTS)
    converted: list[int] = []
    real = convert._stix_to_event

    def counted(objects: list[dict[str, Any]]) -> dict[str, Any]:
        converted.append(len(objects))
        return real(objects)

    monkeypatch.setattr(convert, "_stix_to_event", counted)
    heads_read: list[int] = []
    real_list = misp_stream.list_objects

    def listed(*args: Any, **kwargs: Any) -> Any:
        page = real_list(*args, **kwargs)
        heads_read.extend(1 for i in page.items if i.stix_id.startswith("grouping--"))
        return page

    monkeypatch.setattr(misp_stream, "list_objects", listed)
    account = _account(misp_node, "kz")
    stream = misp_stream.stream_events(
        misp_node.engine, account, _criteria(misp_node, account, "kz-ru"), door="cli"
    )
    first = next(stream)
    assert first["Event"]["uuid"] == made[0].uuid
    # one event converted, and only the first page of heads (2 of 6) read to make it
    assert len(converted) == 1 and len(heads_read) <= 2
    rest = list(stream)
    assert len(converted) == 1 + len(rest) and len(rest) >= 5


def test_workers_give_what_one_process_gives(misp_node: Node) -> None:
    made = _populate(misp_node)
    raw = as_json(*made, event(seed="unknown-type", sharing_group=None, distribution=0))
    broken = orjson.loads(raw)
    broken[-1]["Event"]["Attribute"][0]["type"] = "no-such-type"
    raw = orjson.dumps(broken)
    one = convert.convert_events(raw, workers=1)
    two = convert.convert_events(raw, workers=2)
    assert [(c.event, c.normal, c.objects) for c in one] == [
        (c.event, c.normal, c.objects) for c in two
    ]
    assert [c.error and (c.error.detail, c.error.errors) for c in one] == [
        c.error and (c.error.detail, c.error.errors) for c in two
    ]
    assert one[-1].error is not None and one[0].error is None
    account = _account(misp_node, "kz")
    criteria = _criteria(misp_node, account, None)
    convert._converted = convert._Memo(convert.MEMO_EVENTS)  # both convert: none from the memo
    single = list(misp_stream.stream_events(misp_node.engine, account, criteria, door="cli"))
    convert._converted = convert._Memo(convert.MEMO_EVENTS)
    pooled = list(
        misp_stream.stream_events(misp_node.engine, account, criteria, door="cli", workers=2)
    )
    assert pooled == single and len(single) >= 4


def test_a_streamed_page_is_audited_before_it_is_served(misp_node: Node) -> None:
    _populate(misp_node)
    account = _account(misp_node, "kz")
    criteria = _criteria(misp_node, account, None)

    def audited() -> int:
        with misp_node.engine.connect() as other:  # what is committed, seen from elsewhere
            count = other.execute(
                select(func.count()).where(audit_log.c.action == "misp.export")
            ).scalar_one()
            return int(count)

    before = audited()
    stream = misp_stream.stream_events(misp_node.engine, account, criteria, door="cli")
    first = next(stream)
    assert audited() > before  # committed before the first event was handed out
    with misp_node.engine.connect() as other:
        details = [
            orjson.loads(row.details)
            for row in other.execute(
                select(audit_log.c.details).where(audit_log.c.action == "misp.export")
            )
        ]
    read = {entry.split("@", 1)[0] for d in details for entry in d.get("objects", [])}
    assert f"grouping--{first['Event']['uuid']}" in read
    list(stream)


def test_the_api_streams_what_it_served_before(misp_node: Node) -> None:
    _populate(misp_node)
    for name in ("kz", "ru-reader", "cn"):
        account = _account(misp_node, name)
        answer = misp_node.client.get("/api/v1/misp/events", headers=misp_node.headers(name))
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/json")
        assert answer.json() == orjson.loads(
            orjson.dumps(_before(misp_node, account, _criteria(misp_node, account, None)))
        )


def test_an_event_file_converts_only_its_event(
    misp_node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _populate(misp_node, events=4)
    convert._converted = convert._Memo(convert.MEMO_EVENTS)
    converted: list[int] = []
    real = convert._stix_to_event

    def counted(objects: list[dict[str, Any]]) -> dict[str, Any]:
        converted.append(len(objects))
        return real(objects)

    monkeypatch.setattr(convert, "_stix_to_event", counted)
    channel = collection_id("kz-ru")
    headers = misp_node.headers("ru-reader")
    answer = misp_node.client.get(f"/misp/feeds/{channel}/{made[2].uuid}.json", headers=headers)
    assert answer.status_code == 200 and answer.json()["Event"]["uuid"] == made[2].uuid
    assert len(converted) == 1
    missing = misp_node.client.get(f"/misp/feeds/{channel}/{SHARING_GROUP}.json", headers=headers)
    assert missing.status_code == 404 and len(converted) == 1
