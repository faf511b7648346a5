"""Attacks on the request limits: a door that does not count its requests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from accord.api import create_app
from accord.config import Settings
from tests.conftest import Node
from tests.console.test_console import sign_in


@pytest.fixture
def strict(trio: Node) -> Iterator[Node]:
    """The trio's node with one request a second per account (bursts of 2)."""
    settings = replace(
        Settings(database_url=trio.database.url),
        account_requests_per_second=1,
        party_requests_per_second=100,
    )
    with TestClient(create_app(settings, trio.database.engine)) as client:
        yield Node(trio.database, client, trio.tokens)


def test_the_console_counts_against_the_accounts_limit(strict: Node) -> None:
    """An account over its limit was refused over REST and TAXII but read on through the
    console, as fast as it liked (the console's sessions were never admitted)."""
    sign_in(strict, "ru")  # the sign-in itself is not an account's request yet
    codes = [strict.client.get("/ui/inbox").status_code for _ in range(4)]
    assert 429 in codes, codes
    refused = codes.index(429)
    assert codes[:refused] == [200] * refused
    # Another account, another party: not held back by ru's requests.
    sign_in(strict, "cn")
    assert strict.client.get("/ui/inbox").status_code == 200


@pytest.mark.parametrize("scheme", ["Token", "token", "TOKEN", "Bearer", "bearer"])
def test_the_token_scheme_refuses_what_bearer_refuses(trio: Node, scheme: str) -> None:
    client = trio.client
    token = trio.tokens["cn"]
    assert client.get("/api/v1/me", headers={"Authorization": f"{scheme} {token}"}).is_success
    for bad in (token + "x", token.upper(), token[:-1], f"{token} {token}", ""):
        answer = client.get("/api/v1/me", headers={"Authorization": f"{scheme} {bad}"})
        assert answer.status_code == 401, bad
    revoked = trio.account("cn-gone", "cn-mps", "reader")
    admin = trio.headers("cn-admin")
    assert client.post("/api/v1/accounts/cn-gone/revoke", headers=admin).is_success
    answer = client.get("/api/v1/me", headers={"Authorization": f"{scheme} {revoked}"})
    assert answer.status_code == 401
