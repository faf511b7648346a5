"""The audit chain detects every kind of tampering and says where."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, insert, select, update

from accord import audit
from accord.store.schema import audit_head, audit_log
from tests.conftest import Database

ACTOR = audit.Actor("alice", "kz-knb", "api")


@pytest.fixture
def chain(database: Database) -> Database:
    with database.engine.begin() as connection:
        for n in range(6):
            audit.append(connection, ACTOR, "read.object", target=f"x--{n}", details={"n": n})
    return database


def problems(database: Database) -> list[dict[str, object]]:
    with database.engine.connect() as connection:
        return audit.verify(connection).problems


def test_intact_chain_verifies(chain: Database) -> None:
    with chain.engine.connect() as connection:
        report = audit.verify(connection)
    assert report.ok and report.entries == 6 and report.head_seq == 6


def test_edit_is_detected(chain: Database) -> None:
    with chain.engine.begin() as connection:
        connection.execute(update(audit_log).where(audit_log.c.seq == 3).values(account="mallory"))
    found = problems(chain)
    assert [p["seq"] for p in found] == [3]
    assert "altered" in str(found[0]["problem"])


def test_deletion_in_the_middle_is_detected(chain: Database) -> None:
    with chain.engine.begin() as connection:
        connection.execute(delete(audit_log).where(audit_log.c.seq == 4))
    assert {p["seq"] for p in problems(chain)} == {5}


def test_deletion_at_the_end_is_detected(chain: Database) -> None:
    with chain.engine.begin() as connection:
        connection.execute(delete(audit_log).where(audit_log.c.seq == 6))
    assert "deleted" in str(problems(chain)[0]["problem"])


def test_insertion_is_detected(chain: Database) -> None:
    with chain.engine.begin() as connection:
        rows = list(connection.execute(select(audit_log).order_by(audit_log.c.seq)))
        connection.execute(update(audit_log).values(seq=audit_log.c.seq + 100))
        for row in rows:
            values = dict(row._mapping)
            values["seq"] = values["seq"] + (1 if values["seq"] >= 3 else 0)
            connection.execute(insert(audit_log).values(**values))
        forged = dict(rows[1]._mapping) | {"seq": 3, "action": "forged"}
        connection.execute(insert(audit_log).values(**forged))
        connection.execute(delete(audit_log).where(audit_log.c.seq > 100))
        connection.execute(update(audit_head).values(seq=7, hash=rows[-1].hash))
    assert problems(chain)


def test_reordering_is_detected(chain: Database) -> None:
    with chain.engine.begin() as connection:
        connection.execute(update(audit_log).where(audit_log.c.seq == 2).values(seq=-2))
        connection.execute(update(audit_log).where(audit_log.c.seq == 5).values(seq=2))
        connection.execute(update(audit_log).where(audit_log.c.seq == -2).values(seq=5))
    assert {p["seq"] for p in problems(chain)} >= {2, 5}


def test_expected_head_catches_a_rewritten_chain(chain: Database) -> None:
    with chain.engine.connect() as connection:
        good = audit.verify(connection).head_hash
        assert audit.verify(connection, expect_head=good).ok
        assert not audit.verify(connection, expect_head="0" * 64).ok


def test_api_verify_and_reads_are_audited(database: Database) -> None:
    from fastapi.testclient import TestClient

    from accord.api import create_app
    from accord.config import Settings
    from tests.conftest import Node

    node = Node(
        database, TestClient(create_app(Settings(database_url=database.url), database.engine))
    )
    node.party("kz-knb")
    node.account("boss", "kz-knb", "operator")
    node.account("reader", "kz-knb", "reader")
    node.account("kz-admin", "kz-knb", "admin")
    node.client.get("/api/v1/objects", headers=node.headers("reader"))
    body = node.client.get("/api/v1/audit/verify", headers=node.headers("boss")).json()
    assert body["ok"] is True
    entries = node.client.get("/api/v1/audit", headers=node.headers("boss")).json()["entries"]
    # Reading the audit, verifying it and listing accounts are acts of their own.
    actions = [e["action"] for e in entries]
    assert "read.audit.verify" in actions
    listed = next(e for e in entries if e["action"] == "read.list")
    assert listed["account"] == "reader" and listed["door"] == "api"
    again = node.client.get("/api/v1/audit", headers=node.headers("boss")).json()["entries"]
    assert again[0]["action"] == "read.audit"
    for weaker in ("reader", "kz-admin"):  # the chain's integrity is the operator's
        response = node.client.get("/api/v1/audit/verify", headers=node.headers(weaker))
        assert response.status_code == 403
