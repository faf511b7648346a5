"""A manifest screened by several processes, written in input order, resumable.

The index is loaded once, in the parent; the workers are forked from it after
:func:`gc.freeze`, so that they share its pages copy-on-write instead of each building or
loading its own. The parent reads the manifest as a stream and sends chunks of rows to the
workers, at most a few chunks per worker in flight; each worker screens its chunk and sends
back the chunk's output already serialised. The parent writes the chunks strictly in input
order (the oldest chunk in flight is always the next one to write), so memory stays the
same for a manifest of a thousand rows or of millions.

Progress is kept beside the output, in ``<out>.progress``: the last input line whose result
is written, the output's length at that point, the manifest's size and SHA-256, the options
and the register's signature. It is written (output fsynced first, then the progress file
through a rename) at most every :data:`COMMIT_SECONDS` and whenever the run stops. A run
started with ``resume`` truncates the output to the recorded length and goes on after the
recorded line, so that no written row is screened twice and no output row is lost or doubled;
it is refused when the manifest, the options or the register differ. Ctrl-C (or SIGTERM)
stops a run cleanly: the chunks in flight are finished and written before it stops. The
progress file is removed when the run completes.
"""

from __future__ import annotations

import csv
import functools
import gc
import hashlib
import io
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, BinaryIO

import orjson

from accord.errors import AccordError, InvalidInput
from accord.screening.index import ScreeningIndex
from accord.screening.manifest import CSV_OUT, query_of, read_rows, write_result
from accord.screening.service import screen

#: Rows sent to a worker at a time: large enough that the pickling is noise, small enough
#: that an interrupted run loses little and the reorder buffer stays small.
CHUNK_ROWS = 256
#: Chunks in flight per worker: one being screened, one waiting, so a worker is never idle.
IN_FLIGHT_PER_WORKER = 2
#: At most this often the output is fsynced and the progress file written.
COMMIT_SECONDS = 0.5
PROGRESS_VERSION = 1
#: The progress file holds the SHA-256 of the output's last bytes before its offset, so that
#: a resumed run does not append to an output that another run has rewritten since.
TAIL_BYTES = 1 << 16
#: After screening this many rows, a process forgets what the screening code memoised
#: (accord.screening's lru caches, the index's word rarities): memory stays bounded however
#: long the manifest, for a re-warm-up estimated at 1-3% of those rows' time.
FORGET_ROWS = 100_000
#: Registers up to this many names are analysed once in the parent before the workers fork.
WARM_NAMES = 200_000

Row = tuple[int, dict[str, str], str | None]
ScreenFunction = Callable[..., dict[str, Any]]


class BatchFailed(AccordError):
    """A worker process died: what was written is kept, and the run can be resumed."""


def default_workers() -> int:
    """The cores this process may use."""
    counted: Callable[[], int | None] | None = getattr(os, "process_cpu_count", None)
    if counted is not None:
        return max(1, counted() or 1)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True, slots=True)
class Options:
    """What shapes the output: a resumed run must be given the same."""

    threshold: float
    limit: int
    csv: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "limit": self.limit,
            "format": "csv" if self.csv else "jsonl",
        }


@dataclass(frozen=True, slots=True)
class Done:
    """A chunk's output, serialised: ready to be appended to the output file."""

    data: bytes
    rows: int
    matched: int
    last_line: int


@dataclass(frozen=True, slots=True)
class Summary:
    rows: int
    matched: int
    screened: int
    interrupted: bool


@dataclass(slots=True)
class _Worker:
    index: ScreeningIndex
    options: Options
    screen: ScreenFunction
    screened: int = 0


#: What a worker screens with: set in the parent before the workers are forked.
_STATE: _Worker | None = None


def _screen_chunk(rows: list[Row]) -> Done:
    state = _STATE
    assert state is not None, "no screening state: the workers must be forked from the parent"
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer) if state.options.csv else None
    matched = 0
    for line, row, problem in rows:
        result = _result(state, line, row, problem)
        matched += any(m["match"] for m in result["matches"])
        try:
            write_result(buffer, writer, result)
        except (TypeError, UnicodeError, orjson.JSONEncodeError) as error:
            failed = {"id": f"line {line}", "error": f"cannot be written: {error}", "matches": []}
            write_result(buffer, writer, failed)
    state.screened += len(rows)
    if state.screened >= FORGET_ROWS:
        state.screened = 0
        forget(state.index)
    return Done(buffer.getvalue().encode("utf-8"), len(rows), matched, rows[-1][0])


def forget(index: ScreeningIndex) -> None:
    """Empty the memos of the screening code: results stay the same, memory stops growing.

    Its functions memoise words, names and pairs of words (``functools.lru_cache``, each
    bounded, together some hundreds of MB once full) and the index memoises the rarity of
    every word it is asked about (unbounded); a manifest of millions of distinct names would
    fill them all in each worker."""
    from accord.screening import equivalents, normalise, score
    from accord.screening import index as index_module

    for module in (normalise, equivalents, score, index_module):
        for value in vars(module).values():
            if isinstance(value, functools._lru_cache_wrapper):
                value.cache_clear()
    memo = getattr(index, "_rarity", None)
    if isinstance(memo, dict):
        memo.clear()


def _result(state: _Worker, line: int, row: dict[str, str], problem: str | None) -> dict[str, Any]:
    if problem:
        return {"id": row.get("id") or f"line {line}", "error": problem, "matches": []}
    query = query_of(line, row)
    try:
        return state.screen(
            state.index, query, threshold=state.options.threshold, limit=state.options.limit
        )
    except Exception as error:  # one row that breaks the screening never stops a manifest
        why = f"line {line} could not be screened ({type(error).__name__}: {error})"
        return {"id": query.id, "error": why, "matches": []}


def _start_worker() -> None:
    """A worker leaves Ctrl-C to the parent (which finishes the chunks in flight) and dies
    with it when the parent is killed outright."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform == "linux":
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
        if os.getppid() == 1:  # the parent died before prctl
            os._exit(1)


def _lock(sink: BinaryIO) -> None:
    """An exclusive lock on the output while the run lasts (BlockingIOError if held)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        return
    fcntl.flock(sink.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _noop() -> None:
    return None


def manifest_identity(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    return {"size": size, "sha256": digest.hexdigest()}


def _rows(path: Path) -> Iterator[Row]:
    with path.open(encoding="utf-8", errors="surrogateescape", newline="") as handle:
        yield from read_rows(handle, path.name)


def progress_path(out: Path) -> Path:
    return out.with_name(out.name + ".progress")


def _write_progress(path: Path, state: dict[str, Any]) -> None:
    partial = path.with_name(path.name + ".tmp")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(orjson.dumps(state, option=orjson.OPT_INDENT_2))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _read_progress(path: Path) -> dict[str, Any] | None:
    try:
        state = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, orjson.JSONDecodeError) as error:
        raise InvalidInput(
            f"{path} cannot be read ({error}): start over without --resume"
        ) from None
    if not isinstance(state, dict) or state.get("version") != PROGRESS_VERSION:
        raise InvalidInput(f"{path} is not a progress file of this version of Accord")
    return state


class Batch:
    """One run over a manifest: checked and prepared when made, the workers forked on
    ``with`` (before the caller starts any thread, such as a progress bar's), run by
    :meth:`run`."""

    def __init__(
        self,
        index: ScreeningIndex,
        manifest: Path,
        out: Path,
        options: Options,
        *,
        workers: int,
        resume: bool = False,
        screen_function: ScreenFunction = screen,
        chunk_rows: int = CHUNK_ROWS,
        commit_seconds: float = COMMIT_SECONDS,
    ) -> None:
        if workers < 1:
            raise InvalidInput(f"--workers must be at least 1 (got {workers})")
        if out.resolve() == manifest.resolve():
            raise InvalidInput(f"the output {out} would overwrite the manifest")
        if "fork" not in multiprocessing.get_all_start_methods():
            workers = 1  # the workers share the parent's index only when forked
        self.index = index
        self.manifest = manifest
        self.out = out
        self.options = options
        self.screen_function = screen_function
        self.chunk_rows = chunk_rows
        self.commit_seconds = commit_seconds
        self.progress_file = progress_path(out)
        #: Said to the user before the run starts (a run started over, a run resumed).
        self.notice: str | None = None
        self.total = sum(1 for _ in _rows(manifest))
        self._identity = manifest_identity(manifest)
        self._register = orjson.loads(orjson.dumps(index.signature))
        try:
            earlier = _read_progress(self.progress_file)
        except InvalidInput:
            if resume:
                raise
            earlier = {"rows": "an unknown number of"}  # damaged: a fresh run starts over
        self._line = self._offset = self.rows = self.matched = 0
        self._tail = b""
        #: Rows screened and not yet audited (by this run, or by one killed before its end).
        self._unaudited = 0
        if resume:
            self._resume(earlier)
        elif earlier is not None:
            # Rows screened by the abandoned run and never audited are audited with this one.
            self._unaudited = int(earlier.get("unaudited", 0))
            self.notice = (
                f"an earlier run into {out} stopped after {earlier.get('rows', 0)} rows: "
                "starting over (--resume continues an interrupted run instead)"
            )
        self.workers = max(1, min(workers, -(-(self.total - self.rows) // chunk_rows)))
        self._sink = self._open_output(resume)
        self._pool: ProcessPoolExecutor | None = None
        self._stop: str | None = None
        self._committed_at = 0.0

    def _resume(self, earlier: dict[str, Any] | None) -> None:
        if earlier is None:
            raise InvalidInput(
                f"nothing to resume: {self.progress_file} does not exist "
                "(the run completed, or never started into this output)"
            )
        if earlier.get("manifest") != self._identity:
            raise InvalidInput(
                f"{self.manifest} is not the manifest of the interrupted run (its size or "
                "content changed): start over without --resume"
            )
        if earlier.get("options") != self.options.as_dict():
            raise InvalidInput(
                f"the options differ from the interrupted run's ({earlier.get('options')}): "
                "resume with the same --threshold, --limit and output format"
            )
        if earlier.get("register") != self._register:
            raise InvalidInput(
                "the register changed since the interrupted run: its results would not be "
                "comparable; start over without --resume"
            )
        self._line = int(earlier["line"])
        self._offset = int(earlier["offset"])
        self.rows = int(earlier["rows"])
        self.matched = int(earlier["matched"])
        self._unaudited = int(earlier["unaudited"])
        try:
            size = self.out.stat().st_size
        except OSError:
            size = -1
        if size < self._offset:
            raise InvalidInput(
                f"{self.out} is shorter than the interrupted run had written: "
                "start over without --resume"
            )
        with self.out.open("rb") as handle:
            handle.seek(max(0, self._offset - TAIL_BYTES))
            self._tail = handle.read(min(self._offset, TAIL_BYTES))
        if hashlib.sha256(self._tail).hexdigest() != earlier.get("tail"):
            raise InvalidInput(
                f"{self.out} is not what the interrupted run wrote (it was changed since): "
                "start over without --resume"
            )
        self.notice = f"resuming after {self.rows:,} of {self.total:,} rows"

    def _open_output(self, resume: bool) -> BinaryIO:
        """The output, locked against another run into it (then truncated: to the recorded
        offset to resume, to nothing to start over)."""
        try:
            sink = os.fdopen(os.open(self.out, os.O_RDWR | os.O_CREAT, 0o666), "r+b")
        except OSError as error:
            raise InvalidInput(f"cannot write {self.out}: {error.strerror or error}") from None
        try:
            _lock(sink)
        except BlockingIOError:
            sink.close()
            raise InvalidInput(f"another run is writing {self.out} right now") from None
        if resume:
            sink.truncate(self._offset)
            sink.seek(self._offset)
            return sink
        self.progress_file.unlink(missing_ok=True)
        sink.truncate(0)
        if self.options.csv:
            header = io.StringIO(newline="")
            csv.writer(header).writerow(CSV_OUT)
            self._tail = header.getvalue().encode("utf-8")
            sink.write(self._tail)
        self._offset = sink.tell()
        return sink

    def __enter__(self) -> Batch:
        global _STATE
        _STATE = _Worker(self.index, self.options, self.screen_function)
        self._commit(force=True)
        names = len(self.index.entries)
        if names <= WARM_NAMES and names <= 10 * (self.total - self.rows):
            # A name loaded from the snapshot is analysed when first scored, and kept: done
            # once here, the workers inherit the analyses instead of each redoing them (for
            # the UN list, 0.2 s here against twice as slow a first thousand rows in each).
            for entry in self.index.entries.values():
                entry.prepared  # noqa: B018 (the property analyses and keeps)
        if self.workers > 1:
            # Everything made so far (the index above all) is left out of the collector's
            # passes, which would otherwise touch, and so copy, every page in each worker.
            gc.collect()
            gc.freeze()
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_start_worker,
            )
            self._pool.submit(_noop).result()  # all workers forked now, before any thread
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        global _STATE
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._sink.close()
        _STATE = None

    def run(
        self,
        advance: Callable[[int], None],
        audit: Callable[[int], None],
        *,
        stop_after: int | None = None,
    ) -> Summary:
        """Screen what is left, calling ``advance`` with each chunk's rows once written and
        ``audit`` with the rows not yet audited when the run ends (completed or stopped).
        After ``stop_after`` chunks the run stops as on Ctrl-C (for tests)."""
        in_flight: deque[Future[Done] | Done] = deque()
        window = self.workers * IN_FLIGHT_PER_WORKER if self._pool else 0
        screened = submitted = 0
        handlers = self._catch_signals()
        try:
            for chunk in self._chunks():
                if self._stop is None and stop_after is not None and submitted >= stop_after:
                    self._stop = "stop_after"
                if self._stop is not None:
                    break
                pool = self._pool
                in_flight.append(
                    pool.submit(_screen_chunk, chunk) if pool else _screen_chunk(chunk)
                )
                submitted += 1
                while len(in_flight) > window:
                    screened += self._write(in_flight.popleft(), advance)
            while in_flight:
                screened += self._write(in_flight.popleft(), advance)
        except BrokenProcessPool:
            self._commit(force=True)
            raise BatchFailed(
                f"a screening worker died after {self.rows:,} rows were written; "
                "run again with --resume to continue"
            ) from None
        finally:
            self._restore_signals(handlers)
        self._commit(force=True)
        audit(self._unaudited)
        self._unaudited = 0
        interrupted = self._stop is not None
        if interrupted:
            self._commit(force=True)
        else:
            self.progress_file.unlink(missing_ok=True)
        return Summary(self.rows, self.matched, screened, interrupted)

    def _chunks(self) -> Iterator[list[Row]]:
        chunk: list[Row] = []
        for row in _rows(self.manifest):
            if row[0] <= self._line:
                continue
            chunk.append(row)
            if len(chunk) >= self.chunk_rows:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def _write(self, pending: Future[Done] | Done, advance: Callable[[int], None]) -> int:
        done = pending.result() if isinstance(pending, Future) else pending
        self._sink.write(done.data)
        self._offset += len(done.data)
        self._tail = (self._tail + done.data)[-TAIL_BYTES:]
        self._line = done.last_line
        self.rows += done.rows
        self.matched += done.matched
        self._unaudited += done.rows
        self._commit()
        advance(done.rows)
        return done.rows

    def _commit(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._committed_at < self.commit_seconds:
            return
        self._sink.flush()
        os.fsync(self._sink.fileno())
        _write_progress(
            self.progress_file,
            {
                "version": PROGRESS_VERSION,
                "manifest": self._identity,
                "options": self.options.as_dict(),
                "register": self._register,
                "line": self._line,
                "offset": self._offset,
                "tail": hashlib.sha256(self._tail).hexdigest(),
                "rows": self.rows,
                "matched": self.matched,
                "unaudited": self._unaudited,
            },
        )
        self._committed_at = now

    def _catch_signals(self) -> dict[int, Any]:
        """Ctrl-C and SIGTERM stop the run after the chunks in flight; a second Ctrl-C
        stops it at once (the progress file then holds the last commit)."""
        if threading.current_thread() is not threading.main_thread():
            return {}

        def stop(number: int, frame: FrameType | None) -> None:
            if self._stop is not None:
                raise KeyboardInterrupt
            self._stop = signal.Signals(number).name

        return {number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM)}

    @staticmethod
    def _restore_signals(handlers: dict[int, Any]) -> None:
        for number, handler in handlers.items():
            signal.signal(number, handler)
