"""Request rate and concurrency limits per account and per party: 429 with Retry-After."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from accord.api import create_app
from accord.config import Settings
from accord.errors import TooManyRequests
from accord.limits import RequestGuard
from tests.conftest import Node

TAXII = "application/taxii+json;version=2.1"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_rate_per_account_refills_with_time() -> None:
    clock = Clock()
    guard = RequestGuard(2, 0, 0, 0, clock=clock)
    for _ in range(4):  # a burst of twice the rate
        guard.admit("a", "p")()
    with pytest.raises(TooManyRequests) as refused:
        guard.admit("a", "p")
    assert refused.value.headers == {"Retry-After": "1"} and "account 'a'" in refused.value.detail
    guard.admit("b", "p")()  # another account is not held back
    clock.now += 0.5  # one more token
    guard.admit("a", "p")()
    with pytest.raises(TooManyRequests):
        guard.admit("a", "p")


def test_concurrency_per_account_and_party_and_release() -> None:
    guard = RequestGuard(0, 2, 0, 3)
    first, second = guard.admit("a", "p"), guard.admit("a", "p")
    with pytest.raises(TooManyRequests, match="account 'a' already has 2"):
        guard.admit("a", "p")
    third = guard.admit("b", "p")
    with pytest.raises(TooManyRequests, match="party 'p' already has 3"):
        guard.admit("c", "p")
    guard.admit("z", "q")()  # another party is not held back
    first()
    first()  # releasing twice counts once
    fourth = guard.admit("c", "p")  # first's slot
    with pytest.raises(TooManyRequests, match="party 'p'"):
        guard.admit("a", "p")  # the party is full again: second, third and fourth
    second()
    third()
    fourth()
    guard.admit("a", "p")()


def test_a_refusal_takes_nothing() -> None:
    """A request refused by its party's limit leaves its account's counts as they were."""
    guard = RequestGuard(0, 1, 0, 1)
    held = guard.admit("a", "p")
    with pytest.raises(TooManyRequests):
        guard.admit("b", "p")
    held()
    guard.admit("b", "p")()


@pytest.fixture
def strict(trio: Node) -> Iterator[Node]:
    """The trio's node with one request a second per account (bursts of 2), 2 per party
    (bursts of 4)."""
    trio.account("kz-third", "kz-knb", "reader")
    settings = replace(
        Settings(database_url=trio.database.url),
        account_requests_per_second=1,
        party_requests_per_second=2,
    )
    app = create_app(settings, trio.database.engine)
    # The node's clock stands still: no bucket refills between a test's requests, however
    # slowly a loaded machine answers them (refills are tested on the guard itself above).
    app.state.guard._clock = lambda: 0.0
    with TestClient(app) as client:
        yield Node(trio.database, client, trio.tokens)


def test_rest_429_is_a_problem_with_retry_after(strict: Node) -> None:
    codes = [strict.client.get("/api/v1/objects", headers=strict.headers("ru")) for _ in range(3)]
    assert [c.status_code for c in codes] == [200, 200, 429]
    refused = codes[2]
    assert refused.headers["Retry-After"] == "1"
    assert refused.headers["content-type"].startswith("application/problem+json")
    body = refused.json()
    assert body["status"] == 429 and body["type"].endswith("too-many-requests")
    assert "ru" in body["detail"]
    # Another party's account is not held back; no token at all is a 401, not counted.
    assert strict.client.get("/api/v1/objects", headers=strict.headers("cn")).status_code == 200
    assert strict.client.get("/api/v1/objects").status_code == 401


def test_taxii_429_is_a_taxii_error(strict: Node) -> None:
    headers = {**strict.headers("kz"), "Accept": TAXII}
    answers = [strict.client.get("/taxii2/api/collections/", headers=headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].headers["Retry-After"] == "1"
    assert answers[2].headers["content-type"].startswith("application/taxii+json")
    body = answers[2].json()
    assert body["http_status"] == "429" and body["error_code"] == "too-many-requests"


def test_the_party_limit_holds_across_its_accounts(strict: Node) -> None:
    """kz and kz-reader use their own bursts (2 each) and with them their party's (4): a
    third account of the party is refused on its first request, by the party's limit."""
    for account in ("kz", "kz", "kz-reader", "kz-reader"):
        assert strict.client.get("/api/v1/me", headers=strict.headers(account)).status_code == 200
    refused = strict.client.get("/api/v1/me", headers=strict.headers("kz-third"))
    assert refused.status_code == 429 and "party 'kz-knb'" in refused.json()["detail"]
    assert strict.client.get("/api/v1/me", headers=strict.headers("ru")).status_code == 200


def test_the_openapi_document_describes_429() -> None:
    document = create_app(Settings(database_url="sqlite:///:memory:")).openapi()
    answer = document["paths"]["/api/v1/objects"]["get"]["responses"]["429"]
    assert "Retry-After" in answer["headers"]
