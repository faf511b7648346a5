"""The sync client's retry with backoff, against an in-process transport that fails first."""

from __future__ import annotations

import httpx
import orjson
import pytest

from accord.federation import sync
from accord.federation.sync import SyncError, _get


def test_retries_with_backoff_then_succeeds(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr(sync.time, "sleep", waits.append)
    answers = iter([httpx.Response(503), httpx.Response(502), httpx.Response(200, json={})])

    def handler(request: httpx.Request) -> httpx.Response:
        return next(answers)

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        response = _get(client, "http://peer.test/objects/", {}, {})
    assert response.status_code == 200
    assert waits == [0.5, 1.0]


def test_gives_up_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync.time, "sleep", lambda _: None)

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(SyncError, match="gave up after 5 tries"):
            _get(client, "http://peer.test/objects/", {}, {})


def test_provenance_claims_are_bounded() -> None:
    from accord.acts.receive import MAX_HOPS, provenance_trail

    node, hops = provenance_trail({"node": "x" * 500, "hops": ["n"] * 1000}, "peer", "me")
    assert len(node) == 128
    assert orjson.loads(hops)[-1] == "me" and len(orjson.loads(hops)) == MAX_HOPS + 1
    node, hops = provenance_trail({"hops": "not a list"}, "peer", "me")
    assert (node, orjson.loads(hops)) == ("peer", ["peer", "me"])
