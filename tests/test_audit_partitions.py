"""The audit log partitioned by ``seq`` on PostgreSQL (migration 0012): appends across
partition boundaries, tampering in old partitions, archiving and detaching the oldest one,
the head lock and group commit. SQLite keeps one table; the same chain tests run there."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import delete, select, text, update
from typer.testing import CliRunner

from accord import audit, audit_archive
from accord.audit_batch import Batcher
from accord.cli import app
from accord.store import audit_partitions
from accord.store.engine import MIGRATIONS, make_engine, migrate
from accord.store.schema import audit_archives, audit_log
from tests.conftest import BACKENDS, PG_URL, Database, _pg_schema
from tests.servers import server_url

ACTOR = audit.Actor("alice", "kz-knb", "api")
SIZE = 4  # entries a partition in these tests
runner = CliRunner()


@pytest.fixture(params=BACKENDS)
def small(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A store whose audit partitions hold four entries each (PostgreSQL)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'accord.db'}"
        engine = make_engine(url)
        migrate(engine, audit_partition_size=SIZE)
        yield Database("sqlite", url, None, engine)
        engine.dispose()
        return
    assert PG_URL is not None
    for schema in _pg_schema(PG_URL):
        engine = make_engine(PG_URL, schema=schema)
        migrate(engine, audit_partition_size=SIZE)
        yield Database("postgresql", PG_URL, schema, engine)
        audit_partitions.forget(engine)
        engine.dispose()


def _append(database: Database, *sizes: int) -> None:
    for size in sizes:
        with database.engine.begin() as connection:
            audit.append_many(
                connection, [audit.Entry(ACTOR, "read.object", f"x--{n}") for n in range(size)]
            )


def _verify(database: Database, incremental: bool = False) -> audit.Verification:
    with database.engine.connect() as connection:
        return audit.verify(connection, incremental=incremental)


def _cli(database: Database, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", server_url(database), "audit", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def _where(database: Database) -> dict[int, str]:
    """Each entry's partition."""
    with database.engine.connect() as connection:
        rows = connection.execute(text("SELECT seq, tableoid::regclass::text AS p FROM audit_log"))
        return {int(r.seq): str(r.p).split(".")[-1] for r in rows}


def test_appends_across_partition_boundaries_keep_the_chain(small: Database) -> None:
    _append(small, 3, 10, 1, 9)  # 23 entries: boundaries inside batches and between them
    report = _verify(small)
    assert report.ok and report.entries == 23 and report.head_seq == 23
    with small.engine.connect() as connection:
        found = audit_partitions.partitions(connection)
    if small.backend == "sqlite":
        assert found == []
        return
    assert [(p.first_seq, p.last_seq) for p in found] == [
        (1 + k * SIZE, (k + 1) * SIZE) for k in range(7)
    ]  # 1-4 ... 21-24 hold entries; 25-28 is the one made ahead
    assert found[0].lower is None  # the first takes any seq below it too
    where = _where(small)
    expected = {seq: audit_partitions.partition_name(1 + (seq - 1) // SIZE * SIZE) for seq in where}
    assert where == expected


def test_tampering_in_an_old_partition_is_caught(small: Database) -> None:
    _append(small, 20)
    with small.engine.begin() as connection:
        connection.execute(update(audit_log).where(audit_log.c.seq == 2).values(account="mallory"))
    assert [p["seq"] for p in _verify(small).problems] == [2]
    with small.engine.begin() as connection:  # a whole old partition's entries deleted
        connection.execute(delete(audit_log).where(audit_log.c.seq.between(5, 8)))
    assert {p["seq"] for p in _verify(small).problems} >= {2, 9}


def test_migration_0012_copies_an_existing_log(database: Database, tmp_path: Path) -> None:
    """A store made before 0012 keeps its chain through the copy into partitions."""
    if database.backend == "sqlite":
        pytest.skip("SQLite keeps one table: 0012 only adds audit_archives there")
    assert database.schema is not None
    schema = database.schema + "b"
    with database.engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine = make_engine(database.url, schema=schema)
    try:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0011")
        with engine.begin() as connection:
            for _ in range(3):
                audit.append_many(connection, [audit.Entry(ACTOR, "read.object", "x--1")] * 7)
            before = connection.execute(text("SELECT hash FROM audit_head")).scalar()
            assert not audit_partitions.is_partitioned(connection)
        migrate(engine, audit_partition_size=SIZE)
        with engine.connect() as connection:
            after = audit.verify(connection)
            assert audit_partitions.is_partitioned(connection)
            assert len(audit_partitions.partitions(connection)) == 7  # 21 entries + one ahead
        assert after.ok and after.entries == 21 and after.head_hash == before
    finally:
        audit_partitions.forget(engine)
        engine.dispose()
        with database.engine.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")


def test_the_head_lock_serialises_appends_across_boundaries(small: Database) -> None:
    """Four threads appending in their own transactions: no seq given twice, no gap."""

    def work() -> None:
        for _ in range(5):
            _append(small, 3)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report = _verify(small)
    assert report.ok and report.entries == 60


def test_group_commit_across_boundaries(small: Database) -> None:
    batcher = Batcher(small.engine, max_batch=7)
    futures = []
    lock = threading.Lock()

    def work(n: int) -> None:
        for k in range(10):
            done = batcher.submit(audit.Entry(ACTOR, "read.object", f"x--{n}-{k}"))
            assert done is not None
            with lock:
                futures.append(done)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seqs = sorted(f.result(timeout=30) for f in futures)
    batcher.close()
    assert seqs == list(range(1, 51))
    assert batcher.batches < 50  # batched, not one transaction an entry
    report = _verify(small)
    assert report.ok and report.entries == 50


def test_a_partition_is_made_ahead_while_the_log_is_being_read(small: Database) -> None:
    """Making the next partition (attach: SHARE UPDATE EXCLUSIVE) does not wait for a
    reader such as a running verification, which holds its lock to the end."""
    if small.backend == "sqlite":
        pytest.skip("PostgreSQL's partitions")
    _append(small, 3)
    reader = small.engine.connect().execution_options(isolation_level="REPEATABLE READ")
    try:
        reader.execute(select(audit_log.c.seq)).all()  # holds ACCESS SHARE until it ends
        done = threading.Event()

        def cross() -> None:
            _append(small, 6)  # 4-9: enters 5-8 and 9-12, so 9-12 and 13-16 are made
            done.set()

        worker = threading.Thread(target=cross)
        worker.start()
        worker.join(timeout=20)
        assert done.is_set(), "the append waited for the reader"
    finally:
        reader.close()
    with small.engine.connect() as connection:
        assert audit_partitions.partitions(connection)[-1].first_seq == 13
    assert _verify(small).ok


def test_cli_lists_and_makes_partitions(small: Database) -> None:
    _append(small, 6)
    code, listed = _cli(small, "partitions", "list", "--json")
    if small.backend == "sqlite":
        assert code == 0 and "one table on SQLite" in listed
        code, out = _cli(small, "partitions", "create", "--ahead", "2")
        assert code == 2 and "one table on SQLite" in out
        return
    found = orjson.loads(listed)
    assert [p["state"] for p in found["partitions"]] == ["filled", "current", "ahead"]
    assert found["head_seq"] == 6
    assert _cli(small, "partitions", "create", "--ahead", "3")[0] == 0
    found = orjson.loads(_cli(small, "partitions", "list", "--json")[1])
    assert [p["state"] for p in found["partitions"]].count("ahead") == 3
    assert _cli(small, "partitions", "create", "--ahead", "0")[0] == 2


def test_detach_and_archive_keep_verification_working(small: Database, tmp_path: Path) -> None:
    _append(small, 13)
    if small.backend == "sqlite":
        code, out = _cli(small, "partitions", "detach", "x", "--archive", str(tmp_path / "a"))
        assert code == 2 and "SQLite" in out
        return
    first, second = tmp_path / "p1.jsonl.gz", tmp_path / "p2.jsonl.gz"
    name_1, name_2 = audit_partitions.partition_name(1), audit_partitions.partition_name(5)
    # Not before a checkpoint yet: refused, nothing written.
    code, out = _cli(small, "partitions", "detach", name_1, "--archive", str(first))
    assert code == 2 and "checkpoint" in out and not first.exists()
    assert _cli(small, "verify", "--incremental")[0] == 0  # checkpoint at 13
    # Only the oldest partition may go, and only wholly before the checkpoint.
    code, out = _cli(small, "partitions", "detach", name_2, "--archive", str(first))
    assert code == 2 and "not the oldest" in out
    code, out = _cli(small, "partitions", "detach", name_1, "--archive", str(first))
    assert code == 0, out
    assert name_1 not in {p.name for p in _partitions(small)}
    with small.engine.connect() as connection:
        assert connection.execute(text(f"SELECT to_regclass('{name_1}')")).scalar() is None
    full = _verify(small)
    assert full.ok and full.archived_to == 4 and full.entries == 10  # 5-13 and the archive's
    assert _verify(small, incremental=True).ok
    assert _cli(small, "verify")[0] == 0
    code, out = _cli(small, "partitions", "check-archive", str(first))
    assert code == 0 and "entries 1-4" in out
    # Archives chain: the second one starts from the first one's boundary.
    code, out = _cli(small, "partitions", "detach", name_2, "--archive", str(first))
    assert code == 2 and "exists already" in out
    code, out = _cli(small, "partitions", "detach", name_2, "--archive", str(second))
    assert code == 0, out
    checked = audit_archive.check_file(second)
    assert checked.ok and checked.prev_hash == audit_archive.check_file(first).last_hash
    full = _verify(small)
    assert full.ok and full.archived_to == 8 and full.entries == 7  # 9-15
    _append(small, 9)  # appends go on across boundaries after archiving
    assert _verify(small).ok and _verify(small, incremental=True).ok


def test_what_archiving_still_catches(small: Database, tmp_path: Path) -> None:
    if small.backend == "sqlite":
        pytest.skip("PostgreSQL's partitions")
    _append(small, 13)
    assert _cli(small, "verify", "--incremental")[0] == 0
    path = tmp_path / "p1.jsonl.gz"
    assert (
        _cli(
            small,
            "partitions",
            "detach",
            audit_partitions.partition_name(1),
            "--archive",
            str(path),
        )[0]
        == 0
    )
    # An edited archive file: its chain, and its digest, no longer check out.
    lines = gzip.decompress(path.read_bytes()).splitlines()
    entry = orjson.loads(lines[2])
    entry["account"] = "mallory"
    lines[2] = orjson.dumps(entry)
    forged = tmp_path / "forged.jsonl.gz"
    forged.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    code, out = _cli(small, "partitions", "check-archive", str(forged))
    assert code == 1 and "altered" in out and "SHA-256" in out
    assert not audit_archive.check_file(forged).ok  # alone, too
    # An edit in what remains is caught by the full walk.
    with small.engine.begin() as connection:
        connection.execute(update(audit_log).where(audit_log.c.seq == 6).values(action="x"))
    assert [p["seq"] for p in _verify(small).problems] == [6]
    with small.engine.begin() as connection:
        connection.execute(
            update(audit_log).where(audit_log.c.seq == 6).values(action="read.object")
        )
    assert _verify(small).ok
    # A forged archive record (entries 5-8 deleted and "archived" without the chain knowing).
    with small.engine.begin() as connection:
        hash_8 = connection.execute(select(audit_log.c.hash).where(audit_log.c.seq == 8)).scalar()
        connection.execute(delete(audit_log).where(audit_log.c.seq.between(5, 8)))
        connection.execute(
            audit_archives.insert().values(
                last_seq=8,
                first_seq=5,
                last_hash=hash_8,
                partition="x",
                entries=4,
                file_sha256="0" * 64,
                entry_seq=14,
                archived_at="now",
            )
        )
    problems = _verify(small).problems
    assert problems and "does not match the audit.archive entry" in str(problems)
    # The store's record of an archive and a different file: caught against the store.
    code, out = _cli(small, "partitions", "check-archive", str(path))
    assert code == 0  # the real file still matches its own record (entries 1-4)


def test_the_archived_partition_must_still_link(small: Database, tmp_path: Path) -> None:
    """An archive is refused when the partition's chain is broken."""
    if small.backend == "sqlite":
        pytest.skip("PostgreSQL's partitions")
    _append(small, 13)
    assert _cli(small, "verify", "--incremental")[0] == 0
    with small.engine.begin() as connection:
        connection.execute(update(audit_log).where(audit_log.c.seq == 3).values(target="y"))
    path = tmp_path / "p1.jsonl.gz"
    code, out = _cli(
        small, "partitions", "detach", audit_partitions.partition_name(1), "--archive", str(path)
    )
    assert code == 2 and "entry 3 does not check out" in out
    assert not path.exists() and not path.with_name(path.name + ".partial").exists()
    assert audit_partitions.partition_name(1) in {p.name for p in _partitions(small)}


def _partitions(database: Database) -> list[audit_partitions.Partition]:
    with database.engine.connect() as connection:
        return audit_partitions.partitions(connection)
