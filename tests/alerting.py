"""Objects and calls the tests of correlation, watches and alerts share."""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from tests.conftest import Node

STIX = {"Content-Type": "application/stix+json;version=2.1"}


def _ts(n: int = 0) -> str:
    return f"2026-01-01T00:00:{n:02d}.000Z"


def person(name: str, n: int = 0, **extra: Any) -> dict[str, Any]:
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": f"identity--{uuid.uuid4()}",
        "created": _ts(),
        "modified": _ts(n),
        "name": name,
        "identity_class": "individual",
        **extra,
    }


def domain(value: str) -> dict[str, Any]:
    return {
        "type": "domain-name",
        "spec_version": "2.1",
        "id": f"domain-name--{uuid.uuid5(uuid.NAMESPACE_DNS, value)}",
        "value": value,
    }


def publish(
    node: Node, account: str, obj: dict[str, Any], audience: str, tlp: str = "amber"
) -> None:
    response = node.client.post(
        f"/api/v1/objects?audience={audience}&tlp={tlp}",
        content=orjson.dumps(obj),
        headers={**node.headers(account), **STIX},
    )
    assert response.status_code == 200, response.text


def watch(node: Node, account: str, **body: str) -> dict[str, Any]:
    response = node.client.post("/api/v1/watches", json=body, headers=node.headers(account))
    assert response.status_code == 201, response.text
    return dict(response.json())


def alerts(node: Node, account: str) -> list[dict[str, Any]]:
    response = node.client.get("/api/v1/alerts", headers=node.headers(account))
    assert response.status_code == 200, response.text
    return list(response.json()["items"])
