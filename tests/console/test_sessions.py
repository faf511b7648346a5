"""Console sessions kept on the server (SQLite and PostgreSQL): the cookie is a random id,
never the account token; sign-out, timeouts, revocation and rotation end a session; every
POST under /ui, sign-in included, must come from the node's own origin."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from accord.api import create_app
from accord.config import Settings
from accord.store.directory import stamp
from accord.store.schema import accounts, audit_log, console_sessions
from tests.conftest import Node
from tests.console.test_console import ORIGIN, csrf_of, sign_in

COOKIE = "accord_session"


def cookie(node: Node) -> str:
    value = node.client.cookies.get(COOKIE)
    assert value
    return value


def redirected_to_sign_in(client: TestClient, path: str = "/ui/inbox") -> bool:
    answer = client.get(path, follow_redirects=False)
    return answer.status_code == 303 and answer.headers["location"].startswith("/ui/sign-in")


def actions(node: Node, prefix: str = "ui.") -> list[tuple[str, str | None]]:
    with node.engine.connect() as connection:
        rows = connection.execute(
            select(audit_log.c.action, audit_log.c.account)
            .where(audit_log.c.action.startswith(prefix))
            .order_by(audit_log.c.seq)
        ).all()
    return [(row.action, row.account) for row in rows]


def sessions_of(node: Node) -> list[object]:
    with node.engine.connect() as connection:
        return list(connection.execute(select(console_sessions)).all())


def age_sessions(node: Node, **columns: str) -> None:
    with node.engine.begin() as connection:
        connection.execute(update(console_sessions).values(**columns))


def ago(**delta: float) -> str:
    return stamp(datetime.now(UTC) - timedelta(**delta))


def test_the_cookie_is_a_session_id_stored_only_as_its_hash(trio: Node) -> None:
    sign_in(trio, "kz")
    value = cookie(trio)
    assert value != trio.tokens["kz"] and trio.tokens["kz"] not in value
    (row,) = sessions_of(trio)
    assert row.id_hash == hashlib.sha256(value.encode()).hexdigest()  # type: ignore[attr-defined]
    assert value not in str(row)
    assert actions(trio) == [("ui.sign-in", "kz")]
    # the cookie is no API token, and the API token is no session cookie
    assert (
        trio.client.get("/api/v1/me", headers={"Authorization": f"Bearer {value}"}).status_code
        == 401
    )
    trio.client.cookies.set(COOKIE, trio.tokens["kz"], path="/ui")
    assert redirected_to_sign_in(trio.client)


def test_sign_out_deletes_the_session_and_the_old_cookie_no_longer_works(trio: Node) -> None:
    csrf = sign_in(trio, "kz")
    value = cookie(trio)
    answer = trio.client.post("/ui/sign-out", data={"csrf": csrf}, follow_redirects=False)
    assert answer.status_code == 303
    assert sessions_of(trio) == []
    trio.client.cookies.set(COOKIE, value, path="/ui")  # a copy of the cookie, replayed
    assert redirected_to_sign_in(trio.client)
    assert actions(trio) == [("ui.sign-in", "kz"), ("ui.sign-out", "kz")]


def test_an_idle_session_ends_and_the_ending_is_audited(trio: Node) -> None:
    sign_in(trio, "kz")
    assert trio.client.get("/ui/inbox").status_code == 200
    age_sessions(trio, last_seen_at=ago(minutes=29))
    assert trio.client.get("/ui/inbox").status_code == 200  # still inside 30 minutes
    (row,) = sessions_of(trio)
    assert row.last_seen_at > ago(minutes=1)  # type: ignore[attr-defined]  # use recorded
    age_sessions(trio, last_seen_at=ago(minutes=31))
    assert redirected_to_sign_in(trio.client)
    assert sessions_of(trio) == []
    assert actions(trio)[-1] == ("ui.session-expired", "kz")


def test_a_session_ends_at_its_absolute_deadline_however_active(trio: Node) -> None:
    sign_in(trio, "kz")
    age_sessions(trio, expires_at=ago(seconds=1))
    assert redirected_to_sign_in(trio.client)
    assert actions(trio)[-1] == ("ui.session-expired", "kz")


@pytest.fixture
def strict(trio: Node) -> Iterator[Node]:
    """The trio's node with an absolute timeout of zero seconds: every session is over at
    once (the setting reaches the console)."""
    settings = replace(Settings(database_url=trio.database.url), console_absolute_timeout=0)
    with TestClient(create_app(settings, trio.engine)) as client:
        yield replace(trio, client=client)


def test_the_timeout_settings_are_applied(strict: Node) -> None:
    strict.client.headers["Origin"] = ORIGIN
    answer = strict.client.post(
        "/ui/sign-in", data={"token": strict.tokens["kz"]}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert redirected_to_sign_in(strict.client)


def test_expired_sessions_are_purged_and_audited_at_the_next_sign_in(trio: Node) -> None:
    sign_in(trio, "kz")
    age_sessions(trio, last_seen_at=ago(hours=2))
    sign_in(trio, "ru")
    assert len(sessions_of(trio)) == 1
    assert ("ui.session-expired", "kz") in actions(trio)


def test_revoking_or_rotating_the_token_ends_its_sessions_at_once(trio: Node) -> None:
    trio.account("kz-admin", "kz-knb", "admin")
    sign_in(trio, "kz")
    assert trio.client.get("/ui/inbox").status_code == 200
    revoked = trio.client.post("/api/v1/accounts/kz/revoke", headers=trio.headers("kz-admin"))
    assert revoked.status_code == 200
    assert sessions_of(trio) == []  # deleted with the revocation, not at the next request
    assert redirected_to_sign_in(trio.client)
    rotated = trio.client.post("/api/v1/accounts/kz/rotate", headers=trio.headers("kz-admin"))
    trio.tokens["kz"] = rotated.json()["token"]
    sign_in(trio, "kz")
    assert trio.client.get("/ui/inbox").status_code == 200
    trio.client.post("/api/v1/me/rotate", headers={"Authorization": f"Bearer {trio.tokens['kz']}"})
    assert redirected_to_sign_in(trio.client)
    assert sessions_of(trio) == []


def test_a_session_ends_when_its_token_expires(trio: Node) -> None:
    sign_in(trio, "kz")
    with trio.engine.begin() as connection:
        connection.execute(
            update(accounts).where(accounts.c.name == "kz").values(token_expires_at=ago(seconds=1))
        )
    assert redirected_to_sign_in(trio.client)
    assert actions(trio)[-1] == ("ui.session-expired", "kz")
    answer = trio.client.post("/ui/sign-in", data={"token": trio.tokens["kz"]})
    assert answer.status_code == 401 and "expired" in answer.text


def test_sign_in_from_a_foreign_origin_is_refused(trio: Node) -> None:
    client = trio.client
    form = {"token": trio.tokens["kz"]}
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "http://testserver.evil.example"},
        {"Origin": "http://testserver:8080"},
        {"Origin": "https://testserver"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/ui/sign-in"},
        {},  # neither Origin nor Referer
    ):
        answer = client.post("/ui/sign-in", data=form, headers=headers, follow_redirects=False)
        assert answer.status_code == 403, headers
        assert "not sent from a page of this node" in answer.text
        assert COOKIE not in answer.headers.get("set-cookie", "")
    assert sessions_of(trio) == [] and actions(trio) == []
    by_referer = client.post(
        "/ui/sign-in",
        data=form,
        headers={"Referer": "http://testserver/ui/sign-in"},
        follow_redirects=False,
    )
    assert by_referer.status_code == 303


def test_every_state_changing_post_checks_the_origin(trio: Node) -> None:
    csrf = sign_in(trio, "kz")
    for path in ("/ui/sign-out", "/ui/publish", "/ui/screen"):
        answer = trio.client.post(
            path,
            data={"csrf": csrf},
            headers={"Origin": "https://evil.example"},
            follow_redirects=False,
        )
        assert answer.status_code == 403, path
    assert len(sessions_of(trio)) == 1  # sign-out from elsewhere did nothing
    page = trio.client.get("/ui/inbox")
    assert page.status_code == 200 and csrf_of(page.text) == csrf


def test_signing_in_again_ends_the_browsers_previous_session(trio: Node) -> None:
    sign_in(trio, "kz")
    first = cookie(trio)
    answer = trio.client.post("/ui/sign-in", data={"token": trio.tokens["ru"]})
    assert answer.status_code == 200 and ">ru<" in answer.text
    assert cookie(trio) != first and len(sessions_of(trio)) == 1
    trio.client.cookies.set(COOKIE, first, path="/ui")
    assert redirected_to_sign_in(trio.client)
