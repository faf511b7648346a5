"""Archiving the oldest partition of the audit log (PostgreSQL), and checking an archive.

A partition whose entries all precede the newest verified checkpoint can leave the live
store: its entries are walked (every hash recomputed, every link checked, from the previous
archive's boundary or the genesis hash) and written to a gzip file of JSON lines, then the
partition is detached and dropped in one short transaction that also appends the chain
entry ``audit.archive`` (the file's SHA-256 and the boundary: the last archived entry's
sequence number and hash) and keeps the boundary in ``audit_archives``.

What a verification proves afterwards: the full walk starts at the boundary and proves the
chain from there to the head, including that the first remaining entry links to the
boundary hash and that the archive is the one its chain entry records; the archived
entries are proved by their file (:func:`check_file`: the file's own chain, from its
``prev_hash`` to the boundary hash, and its digest as recorded). Files chain to each other:
each one's ``prev_hash`` is the last hash of the one before it (the genesis hash for the
first). ``audit verify --incremental`` is unchanged: checkpoints are always after archives.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.exc import OperationalError

from accord import audit
from accord.errors import InvalidInput, StoreError
from accord.stix.timestamps import now_timestamp
from accord.store import audit_partitions
from accord.store.schema import audit_archives, audit_log

FORMAT = "accord-audit-archive/1"
COLUMNS = ("seq", "at", "account", "party", "door", "action", "target", "details")
#: How long detaching retries to take the log's lock (it never waits holding the head).
DETACH_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Archived:
    """What :func:`archive_partition` did."""

    partition: str
    first_seq: int
    last_seq: int
    last_hash: str
    entries: int
    file: Path
    file_sha256: str
    entry_seq: int


def boundary(connection: Connection) -> tuple[int, str]:
    """The last archived entry's (seq, hash); (0, genesis) when nothing was archived."""
    row = connection.execute(
        select(audit_archives.c.last_seq, audit_archives.c.last_hash)
        .order_by(audit_archives.c.last_seq.desc())
        .limit(1)
    ).first()
    return (0, audit.GENESIS) if row is None else (int(row.last_seq), str(row.last_hash))


def make_ahead(connection: Connection, ahead: int) -> list[str]:
    """Make partitions until ``ahead`` empty ones follow the head (``accord audit partitions
    create``); under the head's row lock, as appends make theirs."""
    audit.lock_head(connection)
    head = audit.head_seq(connection)
    found = audit_partitions.partitions(connection)
    made: list[str] = []
    while found and sum(p.first_seq > head for p in found) < ahead:
        found.append(audit_partitions.add_partition(connection, found[-1]))
        made.append(found[-1].name)
    return made


def archive_partition(
    engine: Engine, name: str, path: Path, actor: audit.Actor, *, keep_table: bool = False
) -> Archived:
    """Archive partition ``name`` to ``path`` and detach it (see the module's docstring).

    Refused unless it is the oldest partition left, wholly before the newest checkpoint and
    intact; ``path`` must not exist. ``keep_table`` leaves the detached table in the
    database (outside the log) instead of dropping it."""
    if engine.dialect.name != "postgresql":
        raise InvalidInput("the audit log is not partitioned here (SQLite keeps one table)")
    if path.exists():
        raise InvalidInput(f"{path} exists already: an archive is never overwritten")
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        partition = _archivable(connection, name)
        archived_to, prev_hash = boundary(connection)
        first_seq = archived_to + 1
        header = {
            "format": FORMAT,
            "partition": name,
            "first_seq": first_seq,
            "last_seq": partition.last_seq,
            "prev_hash": prev_hash,
        }
        rows = _partition_rows(connection, name, first_seq)
        last_hash, entries, digest = _write(path, header, rows)
        following = connection.execute(
            select(audit_log.c.prev_hash).where(audit_log.c.seq == partition.last_seq + 1)
        ).scalar()
        if following != last_hash:
            path.unlink()
            raise StoreError(
                f"entry {partition.last_seq + 1} does not link to the last entry of {name}: "
                "run `accord audit verify` and find out before archiving"
            )
    return _detach(
        engine, partition, first_seq, last_hash, entries, path, digest, actor, keep_table
    )


def _archivable(connection: Connection, name: str) -> audit_partitions.Partition:
    found = audit_partitions.partitions(connection)
    if not found:
        raise InvalidInput("the audit log is not partitioned here (SQLite keeps one table)")
    named = [p for p in found if p.name == name]
    if not named:
        listed = ", ".join(p.name for p in found)
        raise InvalidInput(f"no audit partition {name!r}; the partitions are {listed}")
    partition = named[0]
    if partition is not found[0]:
        raise InvalidInput(
            f"{name} is not the oldest partition left: archive {found[0].name} first"
        )
    checkpoint = audit.latest_checkpoint(connection)
    if checkpoint is None or checkpoint[0] <= partition.last_seq:
        at = "none" if checkpoint is None else f"entry {checkpoint[0]}"
        raise InvalidInput(
            f"{name} ends at entry {partition.last_seq}, not wholly before the newest "
            f"verified checkpoint ({at}): run `accord audit verify --incremental` once the "
            "log is past it"
        )
    archived_to = boundary(connection)[0]
    if partition.first_seq != archived_to + 1:
        raise StoreError(
            f"{name} starts at entry {partition.first_seq}, but the archived entries end at "
            f"{archived_to}: the partitions were changed outside Accord"
        )
    return partition


def _partition_rows(connection: Connection, name: str, first_seq: int) -> Iterator[Any]:
    """The partition's entries, each checked against the chain from the boundary."""
    result = connection.execute(
        text(f"SELECT * FROM {name} ORDER BY seq").execution_options(yield_per=5000)
    )
    expected = first_seq
    for row in result:
        if int(row.seq) != expected:
            raise StoreError(
                f"{name}: expected entry {expected}, found {row.seq}: the log was tampered "
                "with; run `accord audit verify`"
            )
        expected += 1
        yield row


def _write(path: Path, header: dict[str, Any], rows: Iterator[Any]) -> tuple[str, int, str]:
    """Write header and rows to ``path`` (via a temporary file, synced); returns the last
    hash, the number of entries and the file's SHA-256."""
    partial = path.with_name(path.name + ".partial")
    prev = str(header["prev_hash"])
    entries = 0
    try:
        with open(partial, "xb") as raw:
            with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed:
                packed.write(orjson.dumps(header) + b"\n")
                for row in rows:
                    values = {column: getattr(row, column) for column in COLUMNS}
                    if row.prev_hash != prev or _hash(prev, values) != row.hash:
                        raise StoreError(
                            f"entry {row.seq} does not check out (altered, or not linked to "
                            "the one before): the log was tampered with; run `accord audit "
                            "verify`"
                        )
                    values["prev_hash"], values["hash"] = row.prev_hash, row.hash
                    packed.write(orjson.dumps(values) + b"\n")
                    prev = row.hash
                    entries += 1
            raw.flush()
            os.fsync(raw.fileno())
        if entries != header["last_seq"] - header["first_seq"] + 1:
            raise StoreError(
                f"{header['partition']} holds {entries} entries, expected "
                f"{header['last_seq'] - header['first_seq'] + 1}: run `accord audit verify`"
            )
        digest = _file_digest(partial)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return prev, entries, digest


def _detach(
    engine: Engine,
    partition: audit_partitions.Partition,
    first_seq: int,
    last_hash: str,
    entries: int,
    path: Path,
    digest: str,
    actor: audit.Actor,
    keep_table: bool,
) -> Archived:
    """Detach in one short transaction: the head's row lock first (as every append takes
    it), then the log's lock without waiting, so that it can never deadlock an append; on a
    busy log, let go of both and try again."""
    deadline = time.monotonic() + DETACH_SECONDS
    while True:
        try:
            with engine.begin() as connection:
                audit.lock_head(connection)
                connection.exec_driver_sql("LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE NOWAIT")
                last = connection.execute(
                    text(f"SELECT max(seq) AS seq FROM {partition.name}")
                ).scalar()
                if last != partition.last_seq:
                    raise StoreError(f"{partition.name} changed while it was archived")
                connection.exec_driver_sql(
                    f"ALTER TABLE audit_log DETACH PARTITION {partition.name}"
                )
                if not keep_table:
                    connection.exec_driver_sql(f"DROP TABLE {partition.name}")
                details = {
                    "partition": partition.name,
                    "first_seq": first_seq,
                    "last_seq": partition.last_seq,
                    "last_hash": last_hash,
                    "entries": entries,
                    "file_sha256": digest,
                }
                entry_seq = audit.append(
                    connection, actor, "audit.archive", target=partition.name, details=details
                )
                connection.execute(
                    audit_archives.insert().values(
                        last_seq=partition.last_seq,
                        first_seq=first_seq,
                        last_hash=last_hash,
                        partition=partition.name,
                        entries=entries,
                        file_sha256=digest,
                        entry_seq=entry_seq,
                        archived_at=now_timestamp(),
                    )
                )
            break
        except OperationalError as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise StoreError(
                    f"could not detach {partition.name} (the log stayed busy: a verification "
                    f"running?); the archive {path} is written, run the command again: {exc}"
                ) from exc
            time.sleep(0.2)
    audit_partitions.forget(engine)
    return Archived(
        partition.name, first_seq, partition.last_seq, last_hash, entries, path, digest, entry_seq
    )


@dataclass
class ArchiveCheck:
    """What :func:`check_file` found."""

    partition: str = ""
    first_seq: int = 0
    last_seq: int = 0
    entries: int = 0
    prev_hash: str = ""
    last_hash: str = ""
    file_sha256: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_file(path: Path, connection: Connection | None = None) -> ArchiveCheck:
    """Recompute an archive's chain; with ``connection``, compare it with the boundary and
    digest the store recorded when it was archived."""
    report = ArchiveCheck(file_sha256=_file_digest(path))
    try:
        with gzip.open(path, "rb") as packed:
            _check_lines(packed, report)
    except (OSError, EOFError, orjson.JSONDecodeError, KeyError, TypeError) as exc:
        report.problems.append(f"the file is not a readable archive: {exc}")
        return report
    if connection is not None:
        row = connection.execute(
            select(audit_archives).where(audit_archives.c.last_seq == report.last_seq)
        ).first()
        if row is None:
            report.problems.append(f"the store recorded no archive ending at {report.last_seq}")
        else:
            if row.last_hash != report.last_hash:
                report.problems.append("its last hash is not the boundary hash the store kept")
            if row.file_sha256 != report.file_sha256:
                report.problems.append("the file's SHA-256 is not the one recorded in the chain")
    return report


def _check_lines(packed: gzip.GzipFile, report: ArchiveCheck) -> None:
    header = orjson.loads(packed.readline())
    if header.get("format") != FORMAT:
        report.problems.append(f"not an Accord audit archive (format {header.get('format')!r})")
        return
    report.partition, report.prev_hash = str(header["partition"]), str(header["prev_hash"])
    report.first_seq, report.last_seq = int(header["first_seq"]), int(header["last_seq"])
    prev, expected = report.prev_hash, report.first_seq
    for line in packed:
        entry = orjson.loads(line)
        seq = int(entry["seq"])
        if seq != expected:
            report.problems.append(f"entry {seq}: expected entry {expected}")
        if entry["prev_hash"] != prev:
            report.problems.append(f"entry {seq}: does not link to the entry before it")
        values = {column: entry[column] for column in COLUMNS}
        if _hash(entry["prev_hash"], values) != entry["hash"]:
            report.problems.append(f"entry {seq}: content was altered (hash mismatch)")
        prev, expected = str(entry["hash"]), seq + 1
        report.entries += 1
    report.last_hash = prev
    if expected - 1 != report.last_seq:
        report.problems.append(f"the file ends at entry {expected - 1}, not {report.last_seq}")


def _hash(prev_hash: str, values: dict[str, Any]) -> str:
    return audit.entry_hash(
        prev_hash,
        int(values["seq"]),
        values["at"],
        values["account"],
        values["party"],
        values["door"],
        values["action"],
        values["target"],
        values["details"],
    )


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as raw:
        while chunk := raw.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
