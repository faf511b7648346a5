"""Tokens end (SQLite and PostgreSQL): expiry, revocation and rotation through the API and
TAXII; HTTP Basic needs the token's own account; only an admin of the account's own party
manages its token, and anyone else is told it does not exist."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from accord.store import directory
from accord.store.schema import accounts, audit_log
from tests.conftest import Node

TAXII = "application/taxii+json;version=2.1"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def basic(name: str, token: str) -> dict[str, str]:
    pair = base64.b64encode(f"{name}:{token}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def me(node: Node, headers: dict[str, str]) -> Any:
    return node.client.get("/api/v1/me", headers=headers)


def taxii(node: Node, headers: dict[str, str]) -> Any:
    return node.client.get("/taxii2/", headers={**headers, "Accept": TAXII})


def audit_actions(node: Node, target: str) -> list[str]:
    with node.engine.connect() as connection:
        rows = connection.execute(
            select(audit_log.c.action).where(audit_log.c.target == target)
        ).scalars()
        return list(rows)


def expire(node: Node, name: str) -> None:
    with node.engine.begin() as connection:
        connection.execute(
            update(accounts)
            .where(accounts.c.name == name)
            .values(token_expires_at="2020-01-01T00:00:00.000Z")
        )


def test_a_new_token_expires_after_the_default_lifetime(trio: Node) -> None:
    account = me(trio, trio.headers("kz"))
    assert account.status_code == 200
    with trio.engine.connect() as connection:
        row = connection.execute(select(accounts).where(accounts.c.name == "kz")).one()
    assert row.token_lifetime_days == 90 and row.revoked_at is None
    lived = datetime.fromisoformat(row.token_expires_at) - datetime.fromisoformat(row.created_at)
    assert lived == timedelta(days=90)


def test_an_expired_token_is_refused_everywhere_and_its_holder_told_why(trio: Node) -> None:
    token = trio.tokens["kz"]
    expire(trio, "kz")
    answer = me(trio, bearer(token))
    assert answer.status_code == 401
    assert "expired at 2020-01-01" in answer.json()["detail"]
    assert taxii(trio, bearer(token)).status_code == 401
    # Basic with another name: the generic answer, which says nothing about the account.
    answer = me(trio, basic("cn", token))
    assert answer.status_code == 401 and "2020" not in answer.json()["detail"]
    assert me(trio, bearer("acc_unknown")).json()["detail"] == answer.json()["detail"]


def test_basic_auth_needs_the_tokens_own_account_name(trio: Node) -> None:
    kz_token = trio.tokens["kz"]
    assert me(trio, basic("kz", kz_token)).status_code == 200
    assert taxii(trio, basic("kz", kz_token)).status_code == 200
    for name in ("cn-admin", "", "KZ", "kz "):
        wrong = me(trio, basic(name, kz_token))
        assert wrong.status_code == 401, name
        assert wrong.json()["detail"] == me(trio, bearer("acc_nope")).json()["detail"]
        assert taxii(trio, basic(name, kz_token)).status_code == 401


def test_an_admin_of_the_party_revokes_at_once_and_rotation_restores(trio: Node) -> None:
    trio.account("kz-admin", "kz-knb", "admin")
    old = trio.tokens["kz"]
    revoked = trio.client.post("/api/v1/accounts/kz/revoke", headers=trio.headers("kz-admin"))
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"]
    assert me(trio, bearer(old)).status_code == 401
    assert taxii(trio, bearer(old)).status_code == 401
    assert "expired at" not in me(trio, bearer(old)).json()["detail"]
    rotated = trio.client.post("/api/v1/accounts/kz/rotate", headers=trio.headers("kz-admin"))
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["token"]
    assert new.startswith("acc_") and new != old and rotated.json()["revoked_at"] is None
    assert me(trio, bearer(old)).status_code == 401
    assert me(trio, bearer(new)).json()["name"] == "kz"
    assert taxii(trio, bearer(new)).status_code == 200
    assert audit_actions(trio, "kz") == [
        "admin.account.add",
        "admin.account.revoke",
        "admin.account.rotate",
    ]


def test_rotating_invalidates_the_old_token_at_once(trio: Node) -> None:
    old = trio.tokens["cn"]
    rotated = trio.client.post("/api/v1/accounts/cn/rotate", headers=trio.headers("cn-admin"))
    assert rotated.status_code == 200
    assert me(trio, bearer(old)).status_code == 401
    assert taxii(trio, basic("cn", old)).status_code == 401
    assert me(trio, bearer(rotated.json()["token"])).status_code == 200


def test_any_account_rotates_its_own_token(trio: Node) -> None:
    old = trio.tokens["kz-reader"]
    rotated = trio.client.post("/api/v1/me/rotate", headers=bearer(old))
    assert rotated.status_code == 200, rotated.text
    assert me(trio, bearer(old)).status_code == 401
    assert me(trio, bearer(rotated.json()["token"])).json()["name"] == "kz-reader"
    # and it cannot lengthen its own lifetime: the body is not read
    with trio.engine.connect() as connection:
        days = connection.execute(
            select(accounts.c.token_lifetime_days).where(accounts.c.name == "kz-reader")
        ).scalar_one()
    assert days == 90


def test_an_admin_of_another_party_gets_404_and_changes_nothing(trio: Node) -> None:
    admin_headers = trio.headers("cn-admin")  # cn-mps's admin; kz belongs to kz-knb
    missing = trio.client.post("/api/v1/accounts/nobody/revoke", headers=admin_headers)
    assert missing.status_code == 404
    for method, path, body in (
        ("POST", "/api/v1/accounts/kz/revoke", None),
        ("POST", "/api/v1/accounts/kz/rotate", None),
        ("PATCH", "/api/v1/accounts/kz", {"expires_in_days": 3000}),
    ):
        answer = trio.client.request(method, path, headers=admin_headers, json=body)
        assert answer.status_code == 404, (path, answer.text)
        assert answer.json()["detail"] == missing.json()["detail"].replace("nobody", "kz")
        assert answer.json()["type"] == missing.json()["type"]
    assert me(trio, trio.headers("kz")).status_code == 200
    assert audit_actions(trio, "kz") == ["admin.account.add"]
    with trio.engine.connect() as connection:
        account = directory.get_account(connection, "kz")
    assert account.revoked_at is None
    # a non-admin of the same party is refused by role, without a word about the account
    refused = trio.client.post("/api/v1/accounts/kz/revoke", headers=trio.headers("kz-reader"))
    assert refused.status_code == 403 and "'kz'" not in refused.json()["detail"]


def test_the_lifetime_is_set_per_account_and_kept_by_rotation(trio: Node) -> None:
    trio.account("kz-admin", "kz-knb", "admin")
    headers = trio.headers("kz-admin")
    changed = trio.client.patch("/api/v1/accounts/kz", headers=headers, json={"expires_in_days": 7})
    assert changed.status_code == 200, changed.text
    first = changed.json()["token_expires_at"]
    rotated = trio.client.post("/api/v1/accounts/kz/rotate", headers=headers).json()
    assert rotated["token_expires_at"][:10] >= first[:10]
    with trio.engine.connect() as connection:
        days = connection.execute(
            select(accounts.c.token_lifetime_days).where(accounts.c.name == "kz")
        ).scalar_one()
    assert days == 7
    for bad in (0, -1, 100_000):
        answer = trio.client.patch(
            "/api/v1/accounts/kz", headers=headers, json={"expires_in_days": bad}
        )
        assert answer.status_code == 422
    created = trio.client.post(
        "/api/v1/accounts",
        headers=headers,
        json={"name": "kz-short", "party": "kz-knb", "role": "reader", "expires_in_days": 2},
    )
    assert created.status_code == 201, created.text
    assert me(trio, bearer(created.json()["token"])).status_code == 200
    assert audit_actions(trio, "kz") == [
        "admin.account.add",
        "admin.account.expiry",
        "admin.account.rotate",
    ]
