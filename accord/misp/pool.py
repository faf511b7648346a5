"""misp-stix in worker processes: its conversion is pure CPU (stix2's object construction,
the pattern validator) and touches no store, so a door converts many events at once in a
pool of processes and keeps their order.

``workers`` 1 converts in the calling process (no pool); N > 1 uses a pool of N processes,
made once per process and size and kept (misp-stix takes seconds to import in each worker).
Results come back in the order of their inputs whatever finishes first, and are what one
worker gives: each conversion depends on its input only (the tests compare both). At most
``2 * workers`` inputs are in flight, so a stream of events is converted with a bounded
number held.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

In = TypeVar("In")
Out = TypeVar("Out")

_pools: dict[int, ProcessPoolExecutor] = {}
_lock = threading.Lock()


def default_workers() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def workers_of(setting: int) -> int:
    """The number of workers a setting asks for: 0 is every core."""
    if setting < 0:
        raise ValueError(f"{setting} workers: give 0 (every core) or more")
    return setting or default_workers()


def _warm() -> None:
    # Each worker loads misp-stix (and its mappings) once, not at its first event.
    import misp_stix_converter  # type: ignore[import-untyped]  # noqa: F401


def _pool(workers: int) -> ProcessPoolExecutor:
    with _lock:
        pool = _pools.get(workers)
        if pool is None:
            # spawn, not fork: a served node has threads (the audit batcher, the server's),
            # and a forked child would inherit their locks mid-use.
            context = multiprocessing.get_context("spawn")
            pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_warm)
            _pools[workers] = pool
        return pool


def shutdown() -> None:
    """Stop every pool this process made (tests; the interpreter does it at exit)."""
    with _lock:
        for pool in _pools.values():
            pool.shutdown(wait=True, cancel_futures=True)
        _pools.clear()


def submit(function: Callable[[In], Out], item: In, workers: int) -> Future[Out]:
    """``function(item)`` in the pool of ``workers`` processes."""
    return _pool(workers).submit(function, item)


def ordered_map(function: Callable[[In], Out], items: Iterable[In], workers: int) -> Iterator[Out]:
    """``map(function, items)`` in ``workers`` processes, in order, with at most
    ``2 * workers`` items in flight. ``function`` must be a module-level function and its
    inputs and results picklable."""
    if workers <= 1:
        yield from map(function, items)
        return
    pool = _pool(workers)
    pending: deque[Future[Out]] = deque()
    try:
        for item in items:
            pending.append(pool.submit(function, item))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
