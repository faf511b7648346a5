"""Incremental audit verification from a checkpoint, and what it still catches."""

from __future__ import annotations

import orjson
from sqlalchemy import update
from typer.testing import CliRunner

from accord import audit
from accord.cli import app
from accord.store.schema import audit_checkpoints, audit_log
from tests.conftest import Database
from tests.servers import server_url
from tests.test_audit import ACTOR

runner = CliRunner()


def _append(database: Database, count: int) -> None:
    with database.engine.begin() as connection:
        audit.append_many(
            connection, [audit.Entry(ACTOR, "read.object", f"x--{n}") for n in range(count)]
        )


def _verify(database: Database, *extra: str) -> dict[str, object]:
    result = runner.invoke(app, ["--db", server_url(database), "audit", "verify", "--json", *extra])
    assert result.exception is None or result.exit_code == 1, result.output
    found: dict[str, object] = orjson.loads(result.output)
    return found


def test_incremental_verification_starts_at_the_checkpoint(database: Database) -> None:
    _append(database, 5)
    first = _verify(database, "--incremental")
    assert first["ok"] and first["entries"] == 5 and "from_seq" not in first
    _append(database, 3)
    second = _verify(database, "--incremental")
    assert second["ok"] and second["from_seq"] == 5 and second["entries"] == 3
    assert second["head_seq"] == 8
    full = _verify(database)
    assert full["ok"] and full["entries"] == 8  # the full walk is still there, unchanged
    with database.engine.connect() as connection:
        assert audit.latest_checkpoint(connection) == (8, second["head_hash"])
    # Nothing new: an intact, empty walk from the head.
    again = _verify(database, "--incremental")
    assert again["ok"] and again["entries"] == 0


def test_an_edit_after_the_checkpoint_is_caught_incrementally(database: Database) -> None:
    _append(database, 4)
    assert _verify(database, "--incremental")["ok"]
    _append(database, 4)
    with database.engine.begin() as connection:
        connection.execute(update(audit_log).where(audit_log.c.seq == 6).values(target="x"))
    report = _verify(database, "--incremental")
    assert not report["ok"] and [p["seq"] for p in report["problems"]] == [6]  # type: ignore[index]
    kept = _head_hash_at(database, 4)
    with database.engine.connect() as connection:
        assert audit.latest_checkpoint(connection) == (4, kept)


def test_a_rewritten_past_is_caught_at_the_checkpoint(database: Database) -> None:
    """Rewriting entries before the checkpoint consistently changes the checkpoint's entry:
    the incremental walk says so; the full walk finds where."""
    _append(database, 6)
    assert _verify(database, "--incremental")["ok"]
    with database.engine.begin() as connection:
        connection.execute(update(audit_log).where(audit_log.c.seq == 6).values(hash="f" * 64))
    report = _verify(database, "--incremental")
    assert not report["ok"]
    assert "checkpoint" in str(report["problems"])
    assert not _verify(database)["ok"]


def test_a_tampered_report_keeps_no_checkpoint(database: Database) -> None:
    _append(database, 3)
    with database.engine.begin() as connection:
        connection.execute(update(audit_log).where(audit_log.c.seq == 2).values(action="x"))
    assert not _verify(database, "--incremental")["ok"]
    with database.engine.connect() as connection:
        assert audit.latest_checkpoint(connection) is None
        assert connection.execute(audit_checkpoints.select()).first() is None


def _head_hash_at(database: Database, seq: int) -> str:
    with database.engine.connect() as connection:
        row = connection.execute(audit_log.select().where(audit_log.c.seq == seq)).one()
    return str(row.hash)
