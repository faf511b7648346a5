"""Group commit of read entries: many requests' audit entries in one transaction, one flush.

Every read appends an entry, so a node whose reads each commit their own transaction serves
no more reads per second than its disk commits. A served request instead collects its read
entries (:func:`collecting`); :func:`submit` hands each to the node's :class:`Batcher`,
whose one thread appends whatever has queued since its last commit in a single transaction
(:func:`accord.audit.append_many`: one head lock, the chain in commit order) and commits.
The door holds the request's answer until every entry it collected is committed
(:meth:`Collector.wait`), and answers an error instead when the batch failed: a read is
never served unrecorded. Entries submitted once the answer has started (a streamed body)
are appended in the caller's transaction, as without batching.

Writes never come here: their entries commit with the act (``audit.append``).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine

from accord import audit
from accord.errors import StoreError

log = logging.getLogger("accord.audit")

#: Most entries in one batch: a batch is one INSERT of this many rows.
MAX_BATCH = 1000


@dataclass
class _Queued:
    entry: audit.Entry
    done: Future[int] = field(default_factory=Future)


class Batcher:
    """One writer thread per node process appending queued entries in batches."""

    def __init__(self, engine: Engine, max_batch: int = MAX_BATCH) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Queued | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        #: Batches committed and entries in them (for tests and the benchmark's report).
        self.batches = 0
        self.entries = 0

    def submit(self, entry: audit.Entry) -> Future[int] | None:
        """Queue ``entry``; its future holds its sequence number once committed. None when
        the batcher is closed (the caller appends the entry itself)."""
        with self._lock:
            if self._closed:
                return None
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="accord-audit-batch", daemon=True
                )
                self._thread.start()
            queued = _Queued(entry)
            self._queue.put(queued)
            return queued.done

    def close(self) -> None:
        """Commit what is queued, then stop the thread."""
        with self._lock:
            self._closed = True
            thread = self._thread
            self._queue.put(None)
        if thread is not None:
            thread.join(timeout=30)

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                break
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                batch.append(more)
            self._commit(batch)

    def _commit(self, batch: list[_Queued]) -> None:
        try:
            with self.engine.begin() as connection:
                placed = audit.append_many(connection, [queued.entry for queued in batch])
        except Exception:
            if len(batch) > 1:
                # One entry the store refuses must not fail its neighbours' reads: each
                # is tried alone, and only those that fail alone fail.
                log.warning("an audit batch of %d entries failed; one by one", len(batch))
                for queued in batch:
                    self._commit([queued])
                return
            log.exception("an audit entry could not be stored")
            batch[0].done.set_exception(
                StoreError(
                    "the audit entry of this read could not be stored, so the read is not "
                    "served; the error is in the node's log"
                )
            )
            return
        self.batches += 1
        self.entries += len(batch)
        for queued, (seq, _at) in zip(batch, placed, strict=True):
            queued.done.set_result(seq)


class Collector:
    """The entries one request submitted, and whether its answer has started."""

    def __init__(self, batcher: Batcher) -> None:
        self.batcher = batcher
        self.pending: list[Future[int]] = []
        self._open = True
        self._lock = threading.Lock()

    def submit(self, connection: Connection, entry: audit.Entry) -> bool:
        if connection.engine is not self.batcher.engine:
            return False
        with self._lock:
            if not self._open:
                return False
            done = self.batcher.submit(entry)
            if done is None:
                return False
            self.pending.append(done)
            return True

    def close(self) -> list[Future[int]]:
        """No more entries join a batch (the answer starts); returns those to wait for."""
        with self._lock:
            self._open = False
            return list(self.pending)


_collector: ContextVar[Collector | None] = ContextVar("accord_audit_collector", default=None)


@contextmanager
def collecting(batcher: Batcher) -> Iterator[Collector]:
    """Collect the read entries of the code run inside (and of the threads it starts with
    a copy of this context, as the web framework's thread pool does)."""
    collector = Collector(batcher)
    token = _collector.set(collector)
    try:
        yield collector
    finally:
        _collector.reset(token)


def submit(connection: Connection, entry: audit.Entry) -> bool:
    """Queue ``entry`` for the current request's batch; False when no request collects
    entries here (the caller appends it in its own transaction)."""
    collector = _collector.get()
    return collector is not None and collector.submit(connection, entry)
