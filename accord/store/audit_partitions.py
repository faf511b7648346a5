"""Range partitions of ``audit_log`` by ``seq`` on PostgreSQL (issue 17, "Audit at scale").

Migration 0012 recreates the log as a table partitioned by range of ``seq`` (the primary
key and the chain's order, growing with time, so each partition is a period), 10,000,000
entries a partition by default. Appends touch only the newest partition and its small
indexes; a partition wholly before a verified checkpoint can be detached and archived
(:mod:`accord.audit_archive`) without touching the chain's tail. SQLite keeps one table:
nothing here runs there (``is_partitioned`` is False).

Partition ``k`` of size ``n`` holds ``seq`` from ``k*n + 1`` to ``(k+1)*n``; the first one
starts at ``MINVALUE`` so that every ``seq`` a row can have has a place. Each is named
after its first entry (``audit_log_s000000000001``), so names sort in chain order and are
unique whatever the size. Partitions are made ahead under the audit head's row lock
(:func:`make_room`, called by every append), so two processes never race to make one:
as soon as an append enters the newest partition, the next one is made, a whole partition
ahead of the head. It is made as a plain table and then attached, which takes only a
SHARE UPDATE EXCLUSIVE lock on the log (``CREATE TABLE ... PARTITION OF`` would take an
ACCESS EXCLUSIVE one and wait for a running verification).
"""

from __future__ import annotations

import logging
import re
import weakref
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from accord.errors import StoreError

log = logging.getLogger("accord.audit")

#: Entries a partition holds unless the migration is told otherwise (~3.7 GB with indexes).
DEFAULT_SIZE = 10_000_000
#: How long making a partition ahead may wait for a lock before it gives up (and an append
#: goes on into the partition it has: the next append tries again).
LOCK_WAIT = "2s"

_BOUND = re.compile(r"FROM \((MINVALUE|'?(-?\d+)'?)\) TO \((MAXVALUE|'?(-?\d+)'?)\)")


@dataclass(frozen=True, slots=True)
class Partition:
    """One partition: ``lower`` (None: MINVALUE) inclusive, ``upper`` exclusive."""

    name: str
    lower: int | None
    upper: int

    @property
    def first_seq(self) -> int:
        return 1 if self.lower is None else self.lower

    @property
    def last_seq(self) -> int:
        return self.upper - 1

    @property
    def size(self) -> int:
        return self.upper - self.first_seq


def partition_name(first_seq: int) -> str:
    return f"audit_log_s{first_seq:012d}"


def is_partitioned(connection: Connection) -> bool:
    """True on PostgreSQL once migration 0012 has made the log partitioned."""
    if connection.dialect.name != "postgresql":
        return False
    kind = connection.execute(
        text("SELECT relkind FROM pg_class WHERE oid = to_regclass('audit_log')")
    ).scalar()
    return kind == "p"


def partitions(connection: Connection) -> list[Partition]:
    """The log's partitions in chain order (none on SQLite or an unpartitioned log)."""
    if not is_partitioned(connection):
        return []
    rows = connection.execute(
        text(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass('audit_log')"
        )
    ).all()
    found = []
    for row in rows:
        match = _BOUND.search(str(row.bound))
        if match is None or match.group(4) is None:
            raise StoreError(f"audit partition {row.relname} has an unexpected bound {row.bound}")
        lower = None if match.group(1) == "MINVALUE" else int(match.group(2))
        found.append(Partition(str(row.relname), lower, int(match.group(4))))
    return sorted(found, key=lambda p: p.upper)


def partition_log(connection: Connection, size: int = DEFAULT_SIZE) -> None:
    """Recreate ``audit_log`` as partitioned by ``seq`` and copy every entry into it
    (migration 0012; the log is locked meanwhile: an operator's maintenance window)."""
    if size < 1:
        raise StoreError(f"an audit partition holds at least one entry, not {size}")
    run = connection.exec_driver_sql
    run("LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE")
    newest = int(run("SELECT coalesce(max(seq), 0) FROM audit_log").scalar_one())
    run("ALTER TABLE audit_log RENAME TO audit_log_before_0012")
    for index in ("ix_audit_target", "ix_audit_party"):
        run(f"DROP INDEX IF EXISTS {index}")
    run("ALTER TABLE audit_log_before_0012 RENAME CONSTRAINT audit_log_pkey TO audit_log_0012_pkey")
    run(
        "CREATE TABLE audit_log (seq BIGINT NOT NULL, at VARCHAR(32) NOT NULL, "
        "account VARCHAR(128), party VARCHAR(64), door VARCHAR(16) NOT NULL, "
        "action VARCHAR(64) NOT NULL, target TEXT, details TEXT NOT NULL, "
        "prev_hash VARCHAR(64) NOT NULL, hash VARCHAR(64) NOT NULL) PARTITION BY RANGE (seq)"
    )
    first = 1
    while first <= newest + size:  # every entry's partition, and one ahead
        lower = "MINVALUE" if first == 1 else str(first)
        run(
            f"CREATE TABLE {partition_name(first)} PARTITION OF audit_log "
            f"FOR VALUES FROM ({lower}) TO ({first + size})"
        )
        first += size
    columns = "seq, at, account, party, door, action, target, details, prev_hash, hash"
    run(f"INSERT INTO audit_log ({columns}) SELECT {columns} FROM audit_log_before_0012")
    # Keys and indexes after the copy: one sorted build each instead of per-row upkeep.
    run("ALTER TABLE audit_log ADD CONSTRAINT audit_log_pkey PRIMARY KEY (seq)")
    run("CREATE INDEX ix_audit_target ON audit_log (target, seq)")
    run("CREATE INDEX ix_audit_party ON audit_log (party, seq)")
    run("DROP TABLE audit_log_before_0012")


def unpartition_log(connection: Connection) -> None:
    """Migration 0012's downgrade: one plain table again, every entry copied."""
    run = connection.exec_driver_sql
    run("LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE")
    run("ALTER TABLE audit_log RENAME TO audit_log_partitioned")
    for index in ("ix_audit_target", "ix_audit_party"):
        run(f"ALTER INDEX {index} RENAME TO {index}_partitioned")
    run("ALTER TABLE audit_log_partitioned RENAME CONSTRAINT audit_log_pkey TO audit_log_p_pkey")
    run(
        "CREATE TABLE audit_log (seq BIGINT NOT NULL, at VARCHAR(32) NOT NULL, "
        "account VARCHAR(128), party VARCHAR(64), door VARCHAR(16) NOT NULL, "
        "action VARCHAR(64) NOT NULL, target TEXT, details TEXT NOT NULL, "
        "prev_hash VARCHAR(64) NOT NULL, hash VARCHAR(64) NOT NULL, "
        "CONSTRAINT audit_log_pkey PRIMARY KEY (seq))"
    )
    run("INSERT INTO audit_log SELECT * FROM audit_log_partitioned")
    run("CREATE INDEX ix_audit_target ON audit_log (target, seq)")
    run("CREATE INDEX ix_audit_party ON audit_log (party, seq)")
    run("DROP TABLE audit_log_partitioned")


#: Per engine, the sequence number from which an append must look at the partitions again
#: (the newest partition's first entry): below it, an append costs no catalog query.
_next_look: weakref.WeakKeyDictionary[Engine, int] = weakref.WeakKeyDictionary()


def make_room(connection: Connection, last_seq: int) -> list[str]:
    """Make partitions ahead so that entries up to ``last_seq`` have one and the newest
    partition starts after ``last_seq``; the caller holds the audit head's row lock.

    Runs in a savepoint with a short lock wait: a partition that cannot be made now (an
    operator's DDL holds the log) is logged and tried again by a later append, while the
    append goes on (there is a whole partition of room ahead)."""
    if connection.dialect.name != "postgresql":
        return []
    engine = connection.engine
    look = _next_look.get(engine)
    if look is not None and last_seq < look:
        return []
    made: list[str] = []
    try:
        with connection.begin_nested():
            found = partitions(connection)
            if not found:  # not partitioned (a store before migration 0012)
                _next_look[engine] = 2**62
                return []
            previous = connection.exec_driver_sql("SHOW lock_timeout").scalar_one()
            connection.execute(
                text("SELECT set_config('lock_timeout', :wait, true)"), {"wait": LOCK_WAIT}
            )
            newest = found[-1]
            while newest.first_seq <= last_seq:
                newest = add_partition(connection, newest)
                made.append(newest.name)
            connection.execute(
                text("SELECT set_config('lock_timeout', :wait, true)"), {"wait": previous}
            )
    except SQLAlchemyError:
        log.exception("could not make the next audit partition; a later append tries again")
        _next_look[engine] = last_seq + 1000
        return []
    _next_look[engine] = newest.first_seq
    if made:
        log.info("audit partitions made ahead: %s", ", ".join(made))
    return made


def add_partition(connection: Connection, newest: Partition) -> Partition:
    """Attach the partition after ``newest``, of the same size."""
    following = Partition(partition_name(newest.upper), newest.upper, newest.upper + newest.size)
    run = connection.exec_driver_sql
    run(f"CREATE TABLE {following.name} (LIKE audit_log INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    run(
        f"ALTER TABLE audit_log ATTACH PARTITION {following.name} "
        f"FOR VALUES FROM ({following.lower}) TO ({following.upper})"
    )
    return following


def forget(engine: Engine) -> None:
    """Drop what this process remembers of ``engine``'s partitions (after a detach)."""
    _next_look.pop(engine, None)


@dataclass(frozen=True, slots=True)
class PartitionStats:
    partition: Partition
    #: PostgreSQL's estimate (``reltuples``, exact after ANALYZE); -1 when never analysed.
    estimated_entries: int
    bytes: int


def stats(connection: Connection) -> list[PartitionStats]:
    """Each partition with its estimated entries and its size on disk (indexes included)."""
    found = []
    for partition in partitions(connection):
        row = connection.execute(
            text(
                "SELECT reltuples::bigint AS tuples, pg_total_relation_size(oid) AS bytes "
                "FROM pg_class WHERE oid = to_regclass(:name)"
            ),
            {"name": partition.name},
        ).one()
        found.append(PartitionStats(partition, int(row.tuples), int(row.bytes)))
    return found
