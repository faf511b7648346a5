"""The tamper-evident audit log: every read, write and admin act, hash-chained.

Each entry's hash covers the previous entry's hash and the entry's own fields, serialised
canonically, so that editing, deleting, inserting or reordering entries breaks the chain.
``audit_head`` holds the newest sequence number and hash: it is the lock that serialises
appends and it reveals a truncated tail. A write's entry is appended in the transaction of
the act it records, so an act and its record commit or vanish together. A read changes
nothing, so its entry may instead be committed in a batch with other requests' entries
(:func:`record`, :mod:`accord.audit_batch`): the door holds the answer until the batch is
durable, so no read is served unrecorded.

A database administrator can still rewrite the whole chain consistently; the head hash that
``accord audit verify`` prints is what an operator records elsewhere (``--expect``) to catch that.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection, select, update

from accord.stix.timestamps import now_timestamp
from accord.store import audit_partitions
from accord.store.schema import audit_archives, audit_checkpoints, audit_head, audit_log

GENESIS = "0" * 64
DOORS = ("api", "cli", "taxii", "sync", "web", "ingest", "import")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts and through which door: recorded with every entry."""

    account: str | None
    party: str | None
    door: str


def entry_hash(
    prev_hash: str,
    seq: int,
    at: str,
    account: str | None,
    party: str | None,
    door: str,
    action: str,
    target: str | None,
    details: str,
) -> str:
    canonical = orjson.dumps([seq, at, account, party, door, action, target, details])
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + canonical).hexdigest()


def lock_head(connection: Connection) -> None:
    """Take the audit head's row lock now (PostgreSQL); SQLite's BEGIN IMMEDIATE already has it."""
    connection.execute(select(audit_head.c.seq).where(audit_head.c.id == 1).with_for_update())


def head_seq(connection: Connection) -> int:
    """The newest entry's sequence number (0: an empty log)."""
    return int(
        connection.execute(select(audit_head.c.seq).where(audit_head.c.id == 1)).scalar_one()
    )


def append(
    connection: Connection,
    actor: Actor,
    action: str,
    *,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """Append one entry inside the caller's transaction; returns its sequence number."""
    return append_entry(connection, actor, action, target=target, details=details)[0]


def append_entry(
    connection: Connection,
    actor: Actor,
    action: str,
    *,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> tuple[int, str]:
    """As :func:`append`, returning the entry's sequence number and timestamp."""
    return append_many(connection, [Entry(actor, action, target, details)])[0]


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry to append; ``after(connection, seq, at)`` runs in the same transaction
    once the entry has its sequence number (a read's receipts)."""

    actor: Actor
    action: str
    target: str | None = None
    details: dict[str, Any] | None = None
    after: Callable[[Connection, int, str], None] | None = None


def append_many(connection: Connection, entries: Sequence[Entry]) -> list[tuple[int, str]]:
    """Append ``entries`` in order inside the caller's transaction: one head lock, one
    insert of every row, one head update. Returns each entry's (seq, at)."""
    if not entries:
        return []
    head = connection.execute(
        select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1).with_for_update()
    ).one()
    seq, prev = int(head.seq), str(head.hash)
    at = now_timestamp()
    rows: list[dict[str, Any]] = []
    for entry in entries:
        seq += 1
        actor = entry.actor
        details = orjson.dumps(entry.details or {}, option=orjson.OPT_SORT_KEYS).decode()
        digest = entry_hash(
            prev,
            seq,
            at,
            actor.account,
            actor.party,
            actor.door,
            entry.action,
            entry.target,
            details,
        )
        rows.append(
            {
                "seq": seq,
                "at": at,
                "account": actor.account,
                "party": actor.party,
                "door": actor.door,
                "action": entry.action,
                "target": entry.target,
                "details": details,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    # PostgreSQL: the newest partition is made ahead under the head lock (a no-op nearly always).
    audit_partitions.make_room(connection, seq)
    connection.execute(audit_log.insert(), rows)
    connection.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=prev))
    placed = [(int(row["seq"]), at) for row in rows]
    for entry, (number, stamp) in zip(entries, placed, strict=True):
        if entry.after is not None:
            entry.after(connection, number, stamp)
    return placed


def record(connection: Connection, entry: Entry) -> None:
    """A read's entry: queued for the next batch when the door waits for batches (a served
    request, :mod:`accord.audit_batch`), else appended in the caller's transaction."""
    from accord.audit_batch import submit

    if not submit(connection, entry):
        append_many(connection, [entry])


@dataclass
class Verification:
    """What ``audit verify`` found: ``ok`` only when the whole chain and its head check out."""

    entries: int = 0
    #: The checkpoint the walk started after (0: from entry 1).
    from_seq: int = 0
    #: The entries up to this one were archived (accord.audit_archive): a full walk
    #: starts after it, from the boundary hash kept in ``audit_archives``.
    archived_to: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        found = {
            "ok": self.ok,
            "entries": self.entries,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "problems": self.problems,
        }
        if self.from_seq:
            found["from_seq"] = self.from_seq
        if self.archived_to:
            found["archived_to"] = self.archived_to
        return found


def latest_checkpoint(connection: Connection) -> tuple[int, str] | None:
    """The newest verified head (seq, hash), if a verification recorded one."""
    row = connection.execute(
        select(audit_checkpoints.c.seq, audit_checkpoints.c.hash)
        .order_by(audit_checkpoints.c.seq.desc())
        .limit(1)
    ).first()
    return None if row is None else (int(row.seq), str(row.hash))


def record_checkpoint(connection: Connection, report: Verification) -> bool:
    """Keep an intact report's head as a checkpoint; False (nothing kept) otherwise."""
    if not report.ok or report.head_seq == 0:
        return False
    known = connection.execute(
        select(audit_checkpoints.c.seq).where(audit_checkpoints.c.seq == report.head_seq)
    ).first()
    if known is None:
        connection.execute(
            audit_checkpoints.insert().values(
                seq=report.head_seq, hash=report.head_hash, verified_at=now_timestamp()
            )
        )
    return True


def verify(
    connection: Connection, expect_head: str | None = None, *, incremental: bool = False
) -> Verification:
    """Walk the chain; report every break with the sequence number where it is.

    ``incremental`` starts after the newest checkpoint (:func:`record_checkpoint`), once the
    checkpoint's entry is found unchanged: the entries before it were verified then, and
    changing any of them consistently would have to change that entry's hash too. A
    checkpoint is as safe as the store that keeps it: the full walk (the default) and the
    head hash recorded outside the node (``expect_head``) do not rely on it.

    Once partitions were archived, the full walk starts at the newest archive's boundary
    (its last entry's hash, kept in ``audit_archives``) and checks that each archive the
    walk passes is recorded by its ``audit.archive`` chain entry; the archived entries
    themselves are proved by their file (``audit_archive.check_file``)."""
    report = Verification()
    expected_seq = 1
    prev_hash = GENESIS
    archives = list(connection.execute(select(audit_archives).order_by(audit_archives.c.last_seq)))
    if archives:
        report.archived_to, expected_seq = (
            int(archives[-1].last_seq),
            int(archives[-1].last_seq) + 1,
        )
        prev_hash = str(archives[-1].last_hash)
    checkpoint = latest_checkpoint(connection) if incremental else None
    if checkpoint is not None:
        seq, digest = checkpoint
        row = connection.execute(select(audit_log.c.hash).where(audit_log.c.seq == seq)).first()
        if row is None or row.hash != digest:
            report.problems.append(
                {"seq": seq, "problem": "the checkpoint's entry changed since it was verified"}
            )
        report.from_seq, expected_seq, prev_hash = seq, seq + 1, digest
    recorded = {int(a.entry_seq): a for a in archives if int(a.entry_seq) >= expected_seq}
    for row in _entries(connection, expected_seq - 1):
        report.entries += 1
        seq = int(row.seq)
        if seq in recorded:
            _check_archive_entry(report, row, recorded.pop(seq))
        if seq != expected_seq:
            kind = "missing" if seq > expected_seq else "out of order"
            report.problems.append(
                {"seq": seq, "problem": f"expected entry {expected_seq}, found {seq} ({kind})"}
            )
        if row.prev_hash != prev_hash:
            report.problems.append(
                {
                    "seq": seq,
                    "problem": "does not link to the entry before it "
                    "(an entry was deleted, inserted or moved)",
                }
            )
        recomputed = entry_hash(
            row.prev_hash,
            seq,
            row.at,
            row.account,
            row.party,
            row.door,
            row.action,
            row.target,
            row.details,
        )
        if recomputed != row.hash:
            report.problems.append({"seq": seq, "problem": "content was altered (hash mismatch)"})
        prev_hash = row.hash
        expected_seq = seq + 1
    for archive in recorded.values():
        report.problems.append(
            {
                "seq": int(archive.entry_seq),
                "problem": f"the archive of entries {archive.first_seq}-{archive.last_seq} "
                "has no audit.archive entry in the chain (the archive record was forged)",
            }
        )
    head = connection.execute(select(audit_head.c.seq, audit_head.c.hash)).first()
    last_seq = expected_seq - 1
    if head is None:
        report.problems.append({"seq": None, "problem": "the audit head row is missing"})
    else:
        report.head_seq, report.head_hash = int(head.seq), head.hash
        if int(head.seq) != last_seq or head.hash != prev_hash:
            report.problems.append(
                {
                    "seq": int(head.seq),
                    "problem": f"the head records entry {head.seq} but the log ends at "
                    f"{last_seq}: entries at the end were deleted or the head was edited",
                }
            )
    if expect_head is not None and report.head_hash != expect_head:
        report.problems.append(
            {"seq": report.head_seq, "problem": "the head hash differs from the one expected"}
        )
    return report


def _check_archive_entry(report: Verification, row: Any, archive: Any) -> None:
    """The chain entry an archive record names must be the one that recorded it."""
    try:
        details = orjson.loads(row.details)
    except orjson.JSONDecodeError:
        details = {}
    if (
        row.action != "audit.archive"
        or details.get("last_seq") != int(archive.last_seq)
        or details.get("last_hash") != archive.last_hash
        or details.get("file_sha256") != archive.file_sha256
    ):
        report.problems.append(
            {
                "seq": int(row.seq),
                "problem": f"the archive of entries {archive.first_seq}-{archive.last_seq} "
                "does not match the audit.archive entry that should record it",
            }
        )


def _entries(connection: Connection, after: int = 0) -> Iterator[Any]:
    # Options on the statement, not the connection: on a connection they would make every
    # later statement of the transaction a server-side cursor.
    query = select(audit_log).order_by(audit_log.c.seq)
    if after:
        query = query.where(audit_log.c.seq > after)
    result = connection.execute(query.execution_options(yield_per=5000))
    yield from result
