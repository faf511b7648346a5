"""Requests that fail authentication are limited per client address: a brute force of
tokens (or sign-ins) from one address gets 429 with Retry-After, before its tokens are
looked up, and nobody else's requests are held back by it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from accord.api import create_app
from accord.config import Settings
from accord.errors import TooManyRequests
from accord.limits import FailureGuard
from tests.conftest import Node

TAXII = "application/taxii+json;version=2.1"
BAD = {"Authorization": "Bearer acc_not-a-token-of-this-node"}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_budget_refills_and_other_addresses_are_apart() -> None:
    clock = Clock()
    guard = FailureGuard(3, clock=clock)
    guard.check("10.0.0.1")  # never failed: nothing to refuse
    for _ in range(3):
        guard.failed("10.0.0.1")
    with pytest.raises(TooManyRequests) as refused:
        guard.check("10.0.0.1")
    assert refused.value.headers == {"Retry-After": "20"}  # one failure back in 60/3 s
    assert "10.0.0.1" in refused.value.detail
    guard.check("10.0.0.2")  # another address is not held back
    clock.now += 20
    guard.check("10.0.0.1")  # one failure's budget came back
    guard.failed("10.0.0.1")
    with pytest.raises(TooManyRequests):
        guard.check("10.0.0.1")


def test_zero_switches_it_off() -> None:
    guard = FailureGuard(0)
    for _ in range(1000):
        guard.failed("10.0.0.1")
    guard.check("10.0.0.1")


def test_the_addresses_kept_are_bounded() -> None:
    """A flood from ever new addresses cannot grow the table past its bound; an address
    still over its budget is forgotten only when every kept one is."""
    clock = Clock()
    guard = FailureGuard(2, clock=clock, max_addresses=100)
    for _ in range(2):
        guard.failed("attacker")
    for n in range(1000):
        guard.failed(f"10.1.{n // 256}.{n % 256}")  # one failure each: still counting
        assert len(guard._buckets) <= 100
    clock.now += 60  # everyone refilled
    guard.failed("new")
    assert len(guard._buckets) <= 100


@pytest.fixture
def strict(trio: Node) -> Iterator[Node]:
    """The trio's node allowing 3 failed authentications a minute per address."""
    settings = replace(Settings(database_url=trio.database.url), address_auth_failures_per_minute=3)
    app = create_app(settings, trio.database.engine)
    app.state.failures = FailureGuard(3, clock=Clock())
    with TestClient(app, client=("192.0.2.10", 50000)) as client:
        yield Node(trio.database, client, trio.tokens)


def _other(node: Node, host: str) -> TestClient:
    return TestClient(node.client.app, client=(host, 50001))


def test_bad_tokens_from_one_address_get_429_and_no_other_address_does(strict: Node) -> None:
    codes = [strict.client.get("/api/v1/objects", headers=BAD).status_code for _ in range(3)]
    assert codes == [401, 401, 401]
    refused = strict.client.get("/api/v1/objects", headers=BAD)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "192.0.2.10" in refused.json()["detail"]
    # Its good token too is refused before any lookup: the address is the unit.
    assert strict.client.get("/api/v1/me", headers=strict.headers("kz")).status_code == 429
    # Another address: its good requests pass, its bad ones are its own 401s.
    other = _other(strict, "198.51.100.7")
    assert other.get("/api/v1/me", headers=strict.headers("kz")).status_code == 200
    assert other.get("/api/v1/objects", headers=BAD).status_code == 401
    # No token at all, a malformed one and HTTP Basic with a wrong name all count.
    third = _other(strict, "203.0.113.5")
    assert third.get("/api/v1/me").status_code == 401
    assert third.get("/api/v1/me", headers={"Authorization": "Bearer"}).status_code == 401
    assert third.get("/api/v1/me", auth=("ru", strict.tokens["kz"])).status_code == 401
    assert third.get("/api/v1/me", headers=strict.headers("kz")).status_code == 429


def test_good_requests_never_spend_the_budget(strict: Node) -> None:
    for _ in range(20):
        assert strict.client.get("/api/v1/me", headers=strict.headers("ru")).status_code == 200
    assert strict.client.get("/api/v1/me", headers=BAD).status_code == 401


def test_a_revoked_token_counts_as_a_failure(strict: Node) -> None:
    admin_headers = strict.headers("cn-admin")
    strict.account("cn-spare", "cn-mps", "reader")
    spare = strict.headers("cn-spare")
    other = _other(strict, "198.51.100.8")
    assert other.post("/api/v1/accounts/cn-spare/revoke", headers=admin_headers).status_code == 200
    assert [strict.client.get("/api/v1/me", headers=spare).status_code for _ in range(4)] == [
        401,
        401,
        401,
        429,
    ]


def test_taxii_gets_a_taxii_429(strict: Node) -> None:
    headers = {**BAD, "Accept": TAXII}
    for _ in range(3):
        assert strict.client.get("/taxii2/api/collections/", headers=headers).status_code == 401
    refused = strict.client.get("/taxii2/api/collections/", headers=headers)
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert refused.headers["content-type"].startswith("application/taxii+json")
    assert refused.json()["http_status"] == "429"


def test_console_sign_in_failures_count(strict: Node) -> None:
    for _ in range(3):
        answer = strict.client.post(
            "/ui/sign-in", data={"token": "acc_wrong"}, headers={"Origin": "http://testserver"}
        )
        assert answer.status_code == 401
    refused = strict.client.post(
        "/ui/sign-in",
        data={"token": strict.tokens["kz"]},
        headers={"Origin": "http://testserver"},
    )
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    other = _other(strict, "198.51.100.9")
    signed = other.post(
        "/ui/sign-in",
        data={"token": strict.tokens["kz"]},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert signed.status_code == 303
