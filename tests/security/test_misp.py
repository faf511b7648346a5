"""Attacks on the MISP doors: what another party learns by importing or reading."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Node
from tests.misp.events import as_json, event

UNMAPPED = "0b0c7d1e-1111-4222-8333-944455556666"


def _import(node: Node, account: str, body: bytes) -> dict[str, Any]:
    answer = node.client.post(
        "/api/v1/misp/events",
        content=body,
        headers={**node.headers(account), "Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    report: dict[str, Any] = answer.json()["events"][0]
    return report


def test_a_sharing_group_mapped_to_another_partys_channel_is_as_unmapped(
    misp_node: Node,
) -> None:
    """cn-mps is not in kz-ru: importing an event of the sharing group the operator mapped
    to kz-ru must not tell it that the mapping, or the channel kz-ru, exists."""
    mapped = _import(misp_node, "cn", as_json(event(seed="cn-mapped")))
    unmapped = _import(misp_node, "cn", as_json(event(seed="cn-unmapped", sharing_group=UNMAPPED)))
    assert mapped["status"] == unmapped["status"] == "refused"
    assert "kz-ru" not in str(mapped)
    texts = [(e["field"], e["message"]) for e in mapped["errors"]]
    expected = [
        (e["field"], e["message"].replace(UNMAPPED, "5d6d3b30-9db0-44b9-8869-7f56a5e29d2b"))
        for e in unmapped["errors"]
    ]
    assert texts == expected
    # A member of the channel still imports it there.
    assert _import(misp_node, "kz", as_json(event(seed="kz-mapped")))["status"] == "stored"


def test_other_parties_feeds_answer_as_for_no_collection(misp_node: Node) -> None:
    _import(misp_node, "kz", as_json(event(seed="kz-feed")))
    client = misp_node.client
    for account in ("cn", "cn-reader", "cn-admin"):
        headers = misp_node.headers(account)
        for path in ("manifest.json", "hashes.csv", "00000000-0000-4000-8000-000000000000.json"):
            real = client.get(f"/misp/feeds/kz-ru/{path}", headers=headers)
            none = client.get(f"/misp/feeds/no-such/{path}", headers=headers)
            assert real.status_code == none.status_code == 404
            assert real.json()["detail"].replace("kz-ru", "no-such") == none.json()["detail"]
        assert client.get("/api/v1/misp/events", headers=headers).json() == []
    assert client.get("/misp/feeds/own/manifest.json").status_code == 401


def test_misp_stix_converts_outside_the_imports_transaction(
    misp_node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Converting is slow (seconds for a large event, a 64 MB body holds thousands): done
    inside the import's write transaction it held the store's write lock (SQLite) or the
    audit head's row lock (PostgreSQL, from the first event's publish on), so one
    publisher's import stopped every other party's audited act on the node meanwhile."""
    from accord.misp import convert

    real = convert.event_to_stix
    held: list[int] = []

    def watched(event: dict[str, Any]) -> list[dict[str, Any]]:
        held.append(misp_node.engine.pool.checkedout())
        return real(event)

    monkeypatch.setattr(convert, "event_to_stix", watched)
    body = b"[" + as_json(event(seed="a")) + b"," + as_json(event(seed="b")) + b"]"
    answer = misp_node.client.post(
        "/api/v1/misp/events",
        content=body,
        headers={**misp_node.headers("kz"), "Content-Type": "application/json"},
    )
    assert answer.status_code == 200 and answer.json()["stored"] == 2, answer.text
    assert held == [0, 0]
