"""Audit group commit: concurrent reads' entries commit in batches, each answer after its entry."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from accord import audit
from accord.audit_batch import Batcher
from accord.store.schema import audit_log, read_receipts
from tests.api.test_publish import post
from tests.conftest import Node
from tests.stix_factory import bundle, sdo

READER = audit.Actor("someone", "kz-knb", "api")


def _count(node: Node, action: str) -> int:
    with node.engine.connect() as connection:
        query = select(func.count()).select_from(audit_log).where(audit_log.c.action == action)
        return int(connection.execute(query).scalar_one())


def _verify(node: Node) -> audit.Verification:
    with node.engine.connect() as connection:
        return audit.verify(connection)


async def _many(node: Node, requests: list[tuple[str, str]]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=node.client.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://node") as client:
        return await asyncio.gather(
            *(client.get(path, headers=node.headers(account)) for account, path in requests)
        )


def test_concurrent_reads_each_have_their_entry_and_the_chain_verifies(trio: Node) -> None:
    objects = [sdo() for _ in range(5)]
    post(trio, "kz", bundle(*objects))
    before = _count(trio, "read.list"), _count(trio, "read.object")
    requests = [("ru", "/api/v1/objects?limit=3") for _ in range(24)]
    requests += [("cn", f"/api/v1/objects/{obj['id']}") for obj in objects for _ in range(4)]
    answers = asyncio.run(_many(trio, requests))
    assert [a.status_code for a in answers] == [200] * len(requests)
    assert _count(trio, "read.list") == before[0] + 24
    assert _count(trio, "read.object") == before[1] + 20
    report = _verify(trio)
    assert report.ok, report.problems
    batcher = trio.client.app.state.context.audit_batcher()  # type: ignore[attr-defined]
    assert batcher is not None and batcher.entries >= 44
    # Read receipts went with their entries: the other parties' reads of kz's objects.
    with trio.engine.connect() as connection:
        seqs = {
            int(row.seq)
            for row in connection.execute(select(read_receipts.c.seq, read_receipts.c.objects))
        }
        entries = {
            int(row.seq)
            for row in connection.execute(
                select(audit_log.c.seq).where(audit_log.c.action.in_(["read.list", "read.object"]))
            )
        }
    assert len(seqs) == 44 and seqs <= entries


def test_a_batch_holds_what_queued_while_the_head_was_locked(trio: Node) -> None:
    """Entries submitted while another transaction holds the audit head commit together,
    in submission order, in one or two transactions (not one each)."""
    batcher = Batcher(trio.engine)
    try:
        with trio.engine.begin() as connection:
            audit.lock_head(connection)
            audit.append(connection, READER, "write.something")
            futures = [batcher.submit(audit.Entry(READER, "read.x", str(n))) for n in range(30)]
        seqs = [f.result(timeout=30) for f in futures if f is not None]
    finally:
        batcher.close()
    assert len(seqs) == 30 and seqs == sorted(seqs) and seqs == list(range(seqs[0], seqs[0] + 30))
    assert batcher.batches <= 2 and batcher.entries == 30
    assert _verify(trio).ok


def test_a_failed_batch_fails_its_requests_and_serves_nothing(
    trio: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = sdo(name="Only for readers whose read is recorded")
    post(trio, "kz", secret, audience="kz-ru", tlp="amber")

    def broken(_connection: Any, _entries: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "append_many", broken)
    answers = asyncio.run(
        _many(
            trio,
            [
                ("ru", "/api/v1/objects"),
                ("ru", f"/api/v1/objects/{secret['id']}"),
            ],
        )
    )
    rest, one = answers[0], answers[1]
    for answer in (rest, one):
        assert answer.status_code == 503
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert "Only for readers" not in answer.text and "disk full" not in answer.text
        assert set(answer.json()) == {"type", "title", "status", "detail", "instance"}
    monkeypatch.undo()
    assert _count(trio, "read.list") == 0 and _count(trio, "read.object") == 0
    assert _verify(trio).ok


def test_a_failed_batch_on_a_taxii_route_is_a_taxii_error(
    trio: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    post(trio, "kz", sdo(), audience="network")
    headers = {**trio.headers("ru"), "Accept": "application/taxii+json;version=2.1"}
    collections = trio.client.get("/taxii2/api/collections/", headers=headers)
    assert collections.status_code == 200, collections.text
    path = f"/taxii2/api/collections/{collections.json()['collections'][0]['id']}/objects/"

    def broken(_connection: Any, _entries: Any) -> Any:
        raise OSError("io")

    monkeypatch.setattr(audit, "append_many", broken)
    answer = trio.client.get(path, headers=headers)
    assert answer.status_code == 503
    body = answer.json()
    assert body["http_status"] == "503" and "objects" not in body


def test_reads_outside_a_served_request_append_in_their_transaction(trio: Node) -> None:
    """The CLI and direct callers collect nothing: the entry is in the caller's transaction."""
    with trio.engine.begin() as connection:
        audit.record(connection, audit.Entry(READER, "read.direct"))
        assert (
            connection.execute(
                select(func.count()).where(audit_log.c.action == "read.direct")
            ).scalar_one()
            == 1
        )
    assert _verify(trio).ok


def test_one_refused_entry_fails_only_its_own_read(trio: Node) -> None:
    """An entry the store refuses (here its receipts fail) fails alone: the others of its
    batch commit, so one caller cannot fail its neighbours' reads."""
    batcher = Batcher(trio.engine)

    def refuse(connection: Any, seq: int, at: str) -> None:
        raise OSError("refused")

    try:
        with trio.engine.begin() as connection:
            audit.lock_head(connection)
            audit.append(connection, READER, "write.something")
            futures = [batcher.submit(audit.Entry(READER, "read.x", str(n))) for n in range(5)]
            futures.append(batcher.submit(audit.Entry(READER, "read.x", "bad", None, refuse)))
            futures += [batcher.submit(audit.Entry(READER, "read.x", str(n))) for n in range(5, 9)]
    finally:
        batcher.close()
    outcomes = []
    for future in futures:
        assert future is not None
        outcomes.append(future.exception(timeout=30) is None)
    assert outcomes == [True] * 5 + [False] + [True] * 4
    assert _count(trio, "read.x") == 9
    assert _verify(trio).ok
