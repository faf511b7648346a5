"""MISP import and export: events/s and memory, beside misp-stix's own conversion alone.

Events are built with PyMISP from a seed (:mod:`bench.misp_events`: about 100 attributes an
event of mixed types, objects, tags, a galaxy cluster, some event reports), then:

* ``import``: the events (generated as the run goes, never all held) are converted by
  ``--workers`` processes (:mod:`accord.misp.pool`, as the CLI and the API do) and stored
  ``--batch`` events a transaction by :func:`accord.acts.misp.import_events` (distribution,
  the publish path, correlation queue, audit);
* ``export``: :func:`accord.acts.misp_stream.stream_events` of everything the importing
  account sees (the read path page by page with its audit, grouping, conversion in the
  same pool), written to a file one event at a time, with the conversion memo cold;
* ``manifest``: a feed's cold ``manifest.json`` of the same (the events' headers from the
  stored objects, :mod:`accord.misp.header`: misp-stix is not run).

Beside each, **misp-stix alone**: every worker times its own call of misp-stix
(``MISPtoSTIX21Parser`` on the way in, ``Internal/ExternalSTIX2toMISPParser`` on the way
out) on exactly these events, in CPU seconds of the worker; that sum is what misp-stix
alone costs. Memory: the main process's peak RSS (``ru_maxrss``) and each worker's
(``VmHWM``). ``--phase import`` and ``--phase export`` run apart (on a kept ``--db``) so
that each phase's peak is its own.

    python -m bench.misp [--events 100] [--attributes 100] [--workers 0] [--batch 10]
                         [--db PATH | --pg URL] [--phase all|import|export|manifest]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import orjson

from accord.acts import admin, misp_stream
from accord.acts import misp as acts
from accord.config import Settings
from accord.misp import convert, pool
from accord.policy import Principal
from accord.store import directory
from accord.store import objects as store
from accord.store.engine import make_engine, migrate
from bench import misp_events

HOST = Principal(None, "cli", host_name="bench")


def batched(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(islice(items, size)):
        yield chunk


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_peaks_mb() -> list[float]:
    """The peak RSS of each live pool worker."""
    peaks: list[float] = []
    for executor in pool._pools.values():
        for process in (executor._processes or {}).values():
            try:
                status = Path(f"/proc/{process.pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
    return peaks


def _peaks() -> str:
    return "/".join(f"{peak:.0f}" for peak in worker_peaks_mb()) + " MB"


def timed_to_stix(event: dict[str, Any]) -> tuple[convert.Converted, float]:
    """Accord's conversion of one event, and the CPU seconds of misp-stix's own part."""
    done = convert.Converted({})
    try:
        done.normal = convert.normalised(event)
        start = time.thread_time()
        try:
            done.objects = convert.event_to_stix(done.normal)
        finally:
            alone = time.thread_time() - start
    except convert.AccordError as exc:
        done.error = exc
        alone = 0.0
    return done, alone


def _generated(events: int, attributes: int, spent: list[float]) -> Iterator[dict[str, Any]]:
    for number in range(events):
        start = time.perf_counter()
        made = misp_events.as_dict(misp_events.event(number, attributes))
        spent[0] += time.perf_counter() - start
        yield made


def run_import(engine: Any, settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    spent = [0.0]
    alone = attributes = stored = 0.0
    storing = storing_cpu = 0.0
    held: list[dict[str, Any]] = []

    def sent() -> Iterator[dict[str, Any]]:
        for event in _generated(args.events, args.attributes, spent):
            held.append(event)
            yield event

    start = time.perf_counter()
    results = iter(pool.ordered_map(timed_to_stix, sent(), args.workers))
    for batch in batched(results, args.batch):
        converted = []
        for done, seconds in batch:
            done.event = held.pop(0)
            attributes += misp_events.attribute_count(done.event)
            alone += seconds
            converted.append(done)
        begin, begin_cpu = time.perf_counter(), time.thread_time()
        with engine.begin() as connection:
            account = directory.get_account(connection, "bench")
            report = acts.import_events(
                connection, account, converted, settings=settings, door="cli"
            )
        storing += time.perf_counter() - begin
        storing_cpu += time.thread_time() - begin_cpu
        stored += report.count("stored") + report.count("unchanged")
        if report.count("refused"):
            raise SystemExit(f"refused: {report.as_dict()['events'][:1]}")
        if int(stored) % 100 < args.batch:
            print(
                f"  {int(stored)} events, {time.perf_counter() - start:.0f} s, misp-stix "
                f"{alone:.0f} CPU s, storing {storing_cpu:.0f} CPU s ({storing:.0f} s), "
                f"rss {rss_mb():.0f} MB, workers {_peaks()}, main CPU "
                f"{time.process_time():.0f} s, at {time.strftime('%H:%M:%S')}",
                flush=True,
            )
    wall = time.perf_counter() - start - spent[0]
    return {
        "phase": "import",
        "events": int(stored),
        "attributes": int(attributes),
        "seconds": wall,
        "generation (PyMISP, excluded)": spent[0],
        "storing (Accord, main process)": storing,
        "storing CPU s": storing_cpu,
        "main process CPU s": time.process_time(),
        "misp-stix alone (CPU s, all workers)": alone,
        "rss MB": rss_mb(),
        "worker rss MB": worker_peaks_mb(),
    }


def run_export(engine: Any, settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    """The streamed export (as ``accord misp export --out FILE`` makes it), memo cold."""
    events = 0
    convert._converted = convert._Memo(convert.MEMO_EVENTS)
    convert.REVERSE_SECONDS[0] = 0.0
    out = Path(args.out or tempfile.mkstemp(suffix=".json")[1])
    with engine.connect() as connection:
        account = directory.get_account(connection, "bench")
    criteria = store.ObjectFilter(forwarded_by=settings.node_name, include_revoked=True)
    start = time.perf_counter()
    with out.open("wb") as sink:
        sink.write(b"[")
        stream = misp_stream.stream_events(
            engine, account, criteria, door="cli", workers=args.workers
        )
        for event in stream:
            sink.write((b"," if events else b"") + orjson.dumps(event))
            events += 1
            if events % 100 == 0:
                print(
                    f"  {events} events, {time.perf_counter() - start:.0f} s, misp-stix "
                    f"{convert.REVERSE_SECONDS[0]:.0f} CPU s, rss {rss_mb():.0f} MB, workers "
                    f"{_peaks()}, main CPU {time.process_time():.0f} s, at "
                    f"{time.strftime('%H:%M:%S')}",
                    flush=True,
                )
        sink.write(b"]")
    wall = time.perf_counter() - start
    return {
        "phase": "export",
        "events": events,
        "seconds": wall,
        "misp-stix alone (CPU s, all workers)": convert.REVERSE_SECONDS[0],
        "main process CPU s": time.process_time(),
        "bytes": out.stat().st_size,
        "rss MB": rss_mb(),
        "worker rss MB": worker_peaks_mb(),
    }


def run_manifest(engine: Any, settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    """A feed's cold ``manifest.json`` of everything the importing account sees, as the
    route makes it (:func:`accord.acts.misp_stream.stream_headers`: no misp-stix)."""
    from accord.misp import feed

    convert._converted = convert._Memo(convert.MEMO_EVENTS)
    convert.REVERSE_SECONDS[0] = 0.0
    with engine.connect() as connection:
        account = directory.get_account(connection, "bench")
    criteria = store.ObjectFilter(forwarded_by=settings.node_name, include_revoked=True)
    start, cpu = time.perf_counter(), time.process_time()
    headers = misp_stream.stream_headers(engine, account, criteria, door="cli", action="misp.feed")
    body = feed.manifest(feed.feed_stream(headers))
    return {
        "phase": "manifest",
        "events": len(orjson.loads(body)),
        "seconds": time.perf_counter() - start,
        "main process CPU s": time.process_time() - cpu,
        "misp-stix alone (CPU s, all workers)": convert.REVERSE_SECONDS[0],
        "bytes": len(body),
        "rss MB": rss_mb(),
        "worker rss MB": worker_peaks_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--attributes", type=int, default=100)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--workers", type=int, default=0, help="0: every core")
    parser.add_argument("--db", help="a SQLite file to keep (default: a temporary one)")
    parser.add_argument("--pg", help="a PostgreSQL URL")
    parser.add_argument("--phase", choices=("all", "import", "export", "manifest"), default="all")
    parser.add_argument("--out", help="the export's file (default: a temporary one)")
    args = parser.parse_args()
    args.workers = pool.workers_of(args.workers)
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {args.workers} workers, load "
        f"{os.getloadavg()[0]:.1f}",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as folder:
        url = args.pg or f"sqlite:///{args.db or Path(folder) / 'bench.db'}"
        engine = make_engine(url)
        migrate(engine)
        settings = Settings(database_url=url, misp_warning_lists=0)
        rows = []
        if args.phase in ("all", "import"):
            with engine.begin() as connection:
                admin.add_party(connection, HOST, "p1", "P1", "KZ")
                admin.add_account(connection, HOST, "bench", "p1", "publisher")
            rows.append(run_import(engine, settings, args))
            print(orjson.dumps(rows[-1]).decode(), flush=True)
        if args.phase in ("all", "export"):
            rows.append(run_export(engine, settings, args))
            print(orjson.dumps(rows[-1]).decode(), flush=True)
        if args.phase in ("all", "manifest"):
            rows.append(run_manifest(engine, settings, args))
            print(orjson.dumps(rows[-1]).decode(), flush=True)
        engine.dispose()
    pool.shutdown()
    for row in rows:
        print(
            f"{row['phase']:<8} {row['events']:>7} events {row['seconds']:>9.1f} s "
            f"{row['events'] / row['seconds']:>7.2f} events/s; misp-stix alone "
            f"{row['misp-stix alone (CPU s, all workers)']:.1f} CPU s; peak rss "
            f"{row['rss MB']:.0f} MB (workers {row['worker rss MB']})"
        )


if __name__ == "__main__":
    main()
