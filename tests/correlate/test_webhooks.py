"""Webhook delivery against a real HTTP receiver on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from accord.acts import admin
from accord.acts import alerts as alert_acts
from accord.acts import webhooks as hook_acts
from accord.cli import app
from accord.correlate.webhooks import (
    WITHDRAWN_BEFORE,
    DeliveryPolicy,
    deliver_once,
    sign,
    utc_now,
    verify,
)
from accord.errors import Forbidden, InvalidInput, NotFound
from accord.policy import Principal
from accord.store import directory
from accord.store.schema import deliveries
from tests.conftest import HOST, Node
from tests.correlate.test_alerts_api import alerts, domain, publish, watch
from tests.servers import free_port, server_url

runner = CliRunner()
DEFAULT = DeliveryPolicy()


class Receiver:
    """A webhook receiver on 127.0.0.1: records each request (key, body, headers) on
    arrival; answers 200, or ``status`` when told to fail, after ``delay`` seconds."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.received: list[tuple[str, bytes, dict[str, str]]] = []
        self.status = 200
        self.delay = 0.0
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                key = self.headers["X-Accord-Delivery"]
                receiver.received.append((key, body, dict(self.headers)))
                time.sleep(receiver.delay)
                try:
                    self.send_response(receiver.status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender was killed meanwhile

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def keys(self) -> list[str]:
        return [key for key, _, _ in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    yield made
    made.stop()


def later(hours: float) -> Any:
    return lambda: utc_now() + timedelta(hours=hours)


def add_hook(node: Node, party: str, url: str, secret: str = "s" * 32) -> None:
    with node.engine.begin() as connection:
        hook_acts.add_webhook(connection, HOST, party, url, secret)


def drain(node: Node, hours: float, policy: DeliveryPolicy = DEFAULT) -> int:
    """Deliver rounds (as if ``hours`` later) until nothing more goes; how many went."""
    sent = 0
    while True:
        done = deliver_once(node.engine, now=later(hours), policy=policy)
        sent += done.sent
        if not (done.sent or done.settled):
            return sent


def listing(node: Node, party: str) -> list[dict[str, Any]]:
    with node.engine.begin() as connection:
        return hook_acts.list_webhooks(connection, HOST, party)


def test_a_receiver_verifies_the_signature_of_the_exact_body() -> None:
    body = b'{"event":"alert","delivery":"1-alert"}'
    header = sign("right-secret-0123456789", body)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert verify("right-secret-0123456789", body, header)
    assert not verify("wrong-secret-0123456789", body, header)
    assert not verify("right-secret-0123456789", body + b" ", header)


def test_down_then_up_every_alert_once_in_order(trio: Node, receiver: Receiver) -> None:
    watch(trio, "kz", value="domain-name:example.org")
    watch(trio, "kz", value="domain-name:example.net")
    add_hook(trio, "kz-knb", receiver.url)
    for value in ("example.org", "example.net", "a.example.org"):
        publish(trio, "ru", domain(value), "kz-ru")
    expected = {f"{a['id']}-alert" for a in alerts(trio, "kz")}
    assert len(expected) == 2  # a.example.org matches no watch (equality, not suffix)
    # The receiver is down: nothing delivered, one attempt counted, nothing lost.
    done = deliver_once(trio.engine)
    assert (done.sent, done.failed) == (0, 1) and "ConnectError" in done.errors[0]
    [hook] = listing(trio, "kz-knb")
    assert hook["pending"] == 2 and hook["delivered"] == 0 and "ConnectError" in hook["last_error"]
    assert "secret" not in hook and "s" * 32 not in orjson.dumps(hook).decode()
    # Up again: once the backoff passed, each alert arrives exactly once, in order.
    receiver.start()
    assert drain(trio, 2) == 2
    assert receiver.keys() == sorted(expected, key=lambda k: int(k.split("-")[0]))
    shown = {a["id"]: a for a in alerts(trio, "kz")}
    for key, body, headers in receiver.received:
        assert verify("s" * 32, body, headers["X-Accord-Signature"])
        assert headers["Content-Type"] == "application/json"
        assert headers["X-Accord-Event"] == "alert"
        sent = orjson.loads(body)
        assert sent["event"] == "alert" and sent["delivery"] == key
        assert sent["alert"] == shown[sent["alert"]["id"]]  # as GET /api/v1/alerts shows it
    assert drain(trio, 5) == 0 and len(receiver.received) == 2
    assert listing(trio, "kz-knb")[0]["delivered"] == 2


def test_a_failing_receiver_is_retried_then_given_up(trio: Node, receiver: Receiver) -> None:
    receiver.status = 500
    receiver.start()
    watch(trio, "kz", value="domain-name:example.org")
    add_hook(trio, "kz-knb", receiver.url)
    publish(trio, "ru", domain("example.org"), "kz-ru")
    policy = DeliveryPolicy(max_attempts=3)
    for hours in (0, 2, 4, 6, 8):
        deliver_once(trio.engine, now=later(hours), policy=policy)
    assert receiver.keys() == ["1-alert"] * 3
    with trio.engine.connect() as connection:
        row = connection.execute(select(deliveries)).one()
    assert row.attempts == 3 and row.delivered_at is None and row.last_error == "HTTP 500"
    # `webhook list` counts it as given up (with the default twelve attempts it is pending).
    assert listing(trio, "kz-knb")[0]["last_error"] == "HTTP 500"


def test_redirects_are_failures_not_followed(trio: Node, receiver: Receiver) -> None:
    receiver.status = 302
    receiver.start()
    watch(trio, "kz", value="domain-name:example.org")
    add_hook(trio, "kz-knb", receiver.url)
    publish(trio, "ru", domain("example.org"), "kz-ru")
    done = deliver_once(trio.engine)
    assert done.failed == 1 and "redirects are not followed" in done.errors[0]


def test_each_party_gets_only_its_alerts_and_nothing_it_lost(trio: Node) -> None:
    kz, cn = Receiver(), Receiver()
    kz.start()
    cn.start()
    try:
        watch(trio, "kz", value="domain-name:example.org")
        watch(trio, "cn", value="domain-name:example.org")
        watch(trio, "kz", value="domain-name:example.net")
        add_hook(trio, "kz-knb", kz.url)
        add_hook(trio, "cn-mps", cn.url, secret="c" * 32)
        shared = domain("example.org")
        publish(trio, "ru", shared, "kz-ru")  # cn may not see it
        assert drain(trio, 0) == 1
        assert kz.keys() == ["1-alert"] and cn.keys() == []
        publish(trio, "cn", domain("example.org"), "own")  # cn's own: kz never told
        drain(trio, 0)
        assert kz.keys() == ["1-alert"] and cn.keys() == ["1-alert"]
        assert orjson.loads(cn.received[0][1])["alert"]["object"]["origin"] == "cn-mps"
        # Revoked: the webhook that was given the alert hears it is withdrawn.
        revoked = {**shared, "modified": "2026-01-02T00:00:00.000Z", "revoked": True}
        revoked["created"] = "2026-01-01T00:00:00.000Z"
        publish(trio, "ru", revoked, "kz-ru")
        drain(trio, 0)
        assert kz.keys() == ["1-alert", "1-withdrawn"]
        assert orjson.loads(kz.received[1][1])["alert"] == {"id": 1, "withdrawn": "revoked"}
        # kz leaves the channel before the next alert is delivered: nothing is sent.
        publish(trio, "ru", domain("example.net"), "kz-ru")
        alert_acts.drain(trio.engine)  # the alert is raised and queued for the webhook
        with trio.engine.begin() as connection:
            admin.change_members(connection, HOST, "kz-ru", [], ["kz-knb"])
        drain(trio, 0)
        assert kz.keys() == ["1-alert", "1-withdrawn"] and cn.keys() == ["1-alert"]
        with trio.engine.connect() as connection:
            notes = list(connection.execute(select(deliveries.c.last_error)).scalars())
        assert notes.count(WITHDRAWN_BEFORE) == 1
    finally:
        kz.stop()
        cn.stop()


def test_bad_input_is_refused_clearly(trio: Node) -> None:
    for url, words in (
        ("ftp://example.org/x", "only http and https"),
        ("http:///nohost", "names no host"),
        ("https://user:pw@example.org/", "credentials"),
        ("http://example.org:99999/", "not a URL"),
        ("http://exa mple.org/", "without spaces"),
        ("", "1 to"),
    ):
        with pytest.raises(InvalidInput, match=words), trio.engine.begin() as connection:
            hook_acts.add_webhook(connection, HOST, "kz-knb", url)
    with pytest.raises(NotFound, match="no party"), trio.engine.begin() as connection:
        hook_acts.add_webhook(connection, HOST, "xx-none", "http://127.0.0.1:9/")
    with pytest.raises(InvalidInput, match="secret"), trio.engine.begin() as connection:
        hook_acts.add_webhook(connection, HOST, "kz-knb", "http://127.0.0.1:9/", "short")
    with trio.engine.begin() as connection:
        reader = directory.account_by_token(connection, trio.tokens["kz-reader"])
        publisher = directory.account_by_token(connection, trio.tokens["kz"])
        cn_admin = directory.account_by_token(connection, trio.tokens["cn-admin"])
    for who in (reader, publisher):
        with pytest.raises(Forbidden), trio.engine.begin() as connection:
            hook_acts.add_webhook(connection, Principal(who, "cli"), None, "http://127.0.0.1:9/")
    with pytest.raises(Forbidden, match="own party"), trio.engine.begin() as connection:
        hook_acts.add_webhook(connection, Principal(cn_admin, "cli"), "kz-knb", "http://h/")


def test_cli_webhooks_and_another_partys_id(trio: Node) -> None:
    db = server_url(trio.database)
    out = runner.invoke(
        app, ["--db", db, "webhook", "add", "--party", "kz-knb", "--url", "http://127.0.0.1:9/k"]
    )
    assert out.exit_code == 0, out.output
    secret = out.output.strip().splitlines()[-1]
    assert len(secret) == 64 and int(secret, 16) >= 0
    listed = runner.invoke(app, ["--db", db, "webhook", "list", "--party", "kz-knb", "--json"])
    assert listed.exit_code == 0, listed.output
    assert [h["url"] for h in orjson.loads(listed.output)] == ["http://127.0.0.1:9/k"]
    assert secret not in listed.output
    # cn's admin: its own list is empty, kz's webhook 1 is not its to remove or see.
    token = trio.tokens["cn-admin"]
    mine = runner.invoke(app, ["--db", db, "webhook", "list", "--token", token, "--json"])
    assert mine.exit_code == 0 and orjson.loads(mine.output) == []
    gone = runner.invoke(app, ["--db", db, "webhook", "remove", "1", "--token", token])
    assert isinstance(gone.exception, NotFound) and "no webhook 1 of cn-mps" in str(gone.exception)
    other = runner.invoke(
        app, ["--db", db, "webhook", "remove", "1", "--party", "kz-knb", "--token", token]
    )
    assert isinstance(other.exception, Forbidden)
    assert len(listing(trio, "kz-knb")) == 1
    removed = runner.invoke(app, ["--db", db, "webhook", "remove", "1", "--party", "kz-knb"])
    assert removed.exit_code == 0 and listing(trio, "kz-knb") == []


def test_killed_mid_delivery_every_alert_arrives(
    trio: Node, receiver: Receiver, tmp_path: Path
) -> None:
    receiver.delay = 0.4
    receiver.start()
    for n in range(6):
        watch(trio, "kz", value=f"domain-name:host{n}.example.org")
    add_hook(trio, "kz-knb", receiver.url)
    for n in range(6):
        publish(trio, "ru", domain(f"host{n}.example.org"), "kz-ru")
    expected = {f"{n}-alert" for n in range(1, 7)}
    log = tmp_path / "deliver.log"
    command = [
        sys.executable,
        "-c",
        "from accord.cli import main; main()",
        "--db",
        server_url(trio.database),
        "deliver",
        "--interval",
        "0.2",
        "--lease",
        "1",
    ]

    def wait_for(count: int) -> None:
        deadline = time.monotonic() + 60
        while len(set(receiver.keys())) < count and time.monotonic() < deadline:
            time.sleep(0.05)

    first = subprocess.Popen(command, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    try:
        wait_for(3)
        time.sleep(0.1)  # the third is being answered (slowly): kill it in flight
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    arrived_before = len(receiver.received)
    assert 3 <= arrived_before < 6, log.read_text()
    second = subprocess.Popen(command, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    try:
        wait_for(6)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with trio.engine.connect() as connection:
                left = connection.execute(
                    select(deliveries.c.id).where(deliveries.c.delivered_at.is_(None))
                ).first()
            if left is None:
                break
            time.sleep(0.1)
    finally:
        second.send_signal(signal.SIGKILL)
        second.wait()
    counts = Counter(receiver.keys())
    assert set(counts) == expected, log.read_text()
    repeated = [key for key, n in counts.items() if n > 1]
    # Only the one in flight at the kill may come twice, with its same key.
    assert len(repeated) <= 1 and all(counts[k] == 2 for k in repeated)
    with trio.engine.connect() as connection:
        assert (
            connection.execute(
                select(deliveries.c.id).where(deliveries.c.delivered_at.is_(None))
            ).first()
            is None
        )


def test_a_removed_webhook_gets_nothing_more(trio: Node, receiver: Receiver) -> None:
    receiver.start()
    watch(trio, "kz", value="domain-name:example.org")
    add_hook(trio, "kz-knb", receiver.url)
    with trio.engine.begin() as connection:
        hook_acts.remove_webhook(connection, HOST, "kz-knb", 1)
    publish(trio, "ru", domain("example.org"), "kz-ru")
    assert drain(trio, 0) == 0 and receiver.received == []
