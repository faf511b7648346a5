"""Foundation benchmarks: publish throughput (library path, HTTP) and page reads at scale.

    python -m bench.run [--quick] [--runs 3] [--pg URL]

Every figure is the median of ``--runs`` runs, measured beside the baseline (``stix2.parse``
on the same objects) in the same process, so that a noisy machine moves both. PostgreSQL is
measured when ``--pg`` or ``ACCORD_TEST_DATABASE_URL`` gives a server.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import orjson
from sqlalchemy import Engine, create_engine, text

from accord import audit
from accord.acts import admin, read
from accord.acts.publish import publish_bytes, publish_stream
from accord.policy import Principal
from accord.prepare import PublishLimits
from accord.stix.markings import Tlp
from accord.store import directory
from accord.store.engine import make_engine, migrate
from accord.store.objects import ObjectFilter
from bench.synthetic import OBSERVABLE_SHARE, objects
from tests.servers import wait_until_up

ACTOR = audit.Actor("bench", None, "cli")
HOST = Principal(None, "cli", host_name="bench")
LIMITS = PublishLimits(max_objects=20_000)


def median_rate(runs: int, work: Callable[[], tuple[int, float]]) -> tuple[float, list[float]]:
    rates = []
    for _ in range(runs):
        count, seconds = work()
        rates.append(count / seconds)
    return statistics.median(rates), rates


def bundles(objs: list[dict[str, Any]], size: int) -> list[bytes]:
    return [
        orjson.dumps(
            {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objs[i : i + size]}
        )
        for i in range(0, len(objs), size)
    ]


@contextmanager
def fresh_store(
    kind: str, pg_url: str | None, synchronous: str = "FULL"
) -> Iterator[tuple[str, Engine]]:
    """A new, migrated store with one party and one publisher; yields (server URL, engine)."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="accord-bench-")
        url = f"sqlite:///{folder}/bench.db"
        engine = make_engine(url, sqlite_synchronous=synchronous)
        server_url = url
        cleanup: Callable[[], None] = lambda: None  # noqa: E731
    else:
        assert pg_url
        schema = "bench_" + uuid.uuid4().hex[:12]
        root = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
        with root.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        engine = make_engine(pg_url, schema=schema)
        server_url = f"{pg_url}?options=-csearch_path%3D{schema}"

        def cleanup() -> None:
            with root.begin() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            root.dispose()

    migrate(engine)
    with engine.begin() as connection:
        for code in ("p0", "p1", "p2", "p3"):
            admin.add_party(connection, HOST, code, code, "KZ")
        admin.add_channel(connection, HOST, "c01", ["p0", "p1"])
        admin.add_channel(connection, HOST, "c123", ["p1", "p2", "p3"])
    try:
        yield server_url, engine
    finally:
        engine.dispose()
        cleanup()


def token_for(engine: Engine, name: str, party: str) -> str:
    with engine.begin() as connection:
        return admin.add_account(connection, HOST, name, party, "publisher")[1]


def bench_stix2(objs: list[dict[str, Any]]) -> tuple[int, float]:
    import stix2

    start = time.perf_counter()
    for obj in objs:
        stix2.parse(obj, allow_custom=False)
    return len(objs), time.perf_counter() - start


def bench_library(
    kind: str, pg_url: str | None, payloads: list[bytes], count: int
) -> tuple[int, float]:
    with fresh_store(kind, pg_url) as (_url, engine):
        token_for(engine, "alice", "p0")
        with engine.connect() as connection:
            account = directory.get_account(connection, "alice")
        start = time.perf_counter()
        for payload in payloads:
            with engine.begin() as connection:
                report = publish_bytes(
                    connection,
                    account,
                    payload,
                    audience="network",
                    tlp=Tlp.GREEN,
                    door="cli",
                    limits=LIMITS,
                )
                assert report.count("rejected") == 0, report.errors[:3]
        return count, time.perf_counter() - start


def bench_stream(
    kind: str, pg_url: str | None, payloads: list[bytes], count: int
) -> tuple[int, float]:
    """The library path for bulk work: publish_stream validates the next bundle on a second
    thread while the current one is written."""
    with fresh_store(kind, pg_url) as (_url, engine):
        token_for(engine, "alice", "p0")
        with engine.connect() as connection:
            account = directory.get_account(connection, "alice")
        start = time.perf_counter()
        reports = publish_stream(
            engine, account, payloads, audience="network", tlp=Tlp.GREEN, door="cli", limits=LIMITS
        )
        for report in reports:
            assert report.count("rejected") == 0, report.errors[:3]
        return count, time.perf_counter() - start


@contextmanager
def server(server_url: str, node: str = "bench-node") -> Iterator[str]:
    port = 18000 + random.randint(0, 999)
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from accord.cli import main; main()",
            "--db",
            server_url,
            "serve",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ACCORD_NODE_NAME": node, "ACCORD_SYNC_INTERVAL": "0"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/health")
        yield base
    finally:
        process.kill()
        process.wait()


def bench_http(
    kind: str, pg_url: str | None, payloads: list[bytes], count: int
) -> tuple[int, float]:
    with fresh_store(kind, pg_url) as (url, engine):
        token = token_for(engine, "alice", "p0")
        with server(url) as base, httpx.Client(base_url=base, timeout=120) as client:
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/stix+json"}
            start = time.perf_counter()
            for payload in payloads:
                response = client.post(
                    "/api/v1/objects",
                    params={"audience": "network", "tlp": "green"},
                    content=payload,
                    headers=headers,
                )
                assert response.status_code == 200, response.text[:500]
            return count, time.perf_counter() - start


def fill(engine: Engine, total: int) -> None:
    """Store ``total`` objects from four parties under mixed audiences (setup, not measured)."""
    accounts = {}
    for party in ("p0", "p1", "p2", "p3"):
        token_for(engine, f"fill-{party}", party)
        with engine.connect() as connection:
            accounts[party] = directory.get_account(connection, f"fill-{party}")
    plan = [("p0", "network"), ("p1", "c123"), ("p2", "own"), ("p0", "c01"), ("p3", "network")]
    batch = 10_000
    for n, start in enumerate(range(0, total, batch)):
        party, audience = plan[n % len(plan)]
        payload = bundles(objects(min(batch, total - start), seed=1000 + n), batch)[0]
        with engine.begin() as connection:
            publish_bytes(
                connection,
                accounts[party],
                payload,
                audience=audience,
                tlp=Tlp.AMBER,
                door="cli",
                limits=LIMITS,
            )
        print(f"\r  filled {start + batch:>9,} / {total:,}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)


def _percentiles(timings: list[float]) -> tuple[float, float]:
    timings = sorted(timings)
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)]


def bench_pages(engine: Engine, server_url: str, samples: int) -> dict[str, float]:
    """Latency of one 1,000-object page for party p1 (it sees network, c01, c123 and its own),
    at cursors spread through the whole store: library read path (predicate, audit entry,
    JSON) and the same over HTTP."""
    token = token_for(engine, "reader", "p1")
    with engine.connect() as connection:
        account = directory.get_account(connection, "reader")
    cursors: list[str | None] = [None]
    with engine.begin() as connection:
        page = read.list_objects(
            connection, account, ObjectFilter(), cursor=None, limit=1000, door="cli"
        )
        while page.next_cursor:
            cursors.append(page.next_cursor)
            page = read.list_objects(
                connection, account, ObjectFilter(), cursor=page.next_cursor, limit=1000, door="cli"
            )
    rng = random.Random(3)
    chosen = [rng.choice(cursors[:-1]) for _ in range(samples)]  # full pages only
    library = []
    for cursor in chosen:
        start = time.perf_counter()
        with engine.begin() as connection:
            result = read.list_objects(
                connection, account, ObjectFilter(), cursor=cursor, limit=1000, door="api"
            )
            body = orjson.dumps(result.as_json())
        library.append((time.perf_counter() - start) * 1000)
        assert len(result.items) == 1000 and body
    http = []
    with server(server_url) as base, httpx.Client(base_url=base, timeout=60) as client:
        headers = {"Authorization": f"Bearer {token}"}
        for cursor in chosen:
            params = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
            start = time.perf_counter()
            response = client.get("/api/v1/objects", params=params, headers=headers)
            http.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200 and len(response.json()["items"]) == 1000
    lib50, lib95 = _percentiles(library)
    http50, http95 = _percentiles(http)
    return {
        "lib_p50": lib50,
        "lib_p95": lib95,
        "http_p50": http50,
        "http_p95": http95,
        "pages": len(cursors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg", default=os.environ.get("ACCORD_TEST_DATABASE_URL"))
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument(
        "--observables",
        type=int,
        default=round(OBSERVABLE_SHARE * 100),
        help="percent of cyber-observables among the objects (0: the mix before issue 12)",
    )
    args = parser.parse_args()
    count = 20_000 if args.quick else 100_000
    stored = 100_000 if args.quick else 1_000_000
    objs = objects(count, observable_share=args.observables / 100)
    payloads = bundles(objs, 1000)
    gc.freeze()  # the input data need not be scanned by the collector while we measure
    backends = ["sqlite"] + (["postgresql"] if args.pg else [])
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"objects: {count:,} synthetic, {args.observables} % observables (domains, addresses, "
        "hashes, URLs, e-mail, accounts), the rest indicators, relationships, identities, "
        "actors, reports"
    )
    print("| measure | median | vs baseline | runs |\n|---|---|---|---|")
    baseline, runs = median_rate(args.runs, lambda: bench_stix2(objs[:10_000]))
    row("stix2.parse alone (baseline, first 10,000 objects)", baseline, baseline, runs)
    for kind in backends:
        for size in (1000, 10_000):
            sized = payloads if size == 1000 else bundles(objs, size)
            rate, runs = median_rate(
                args.runs, lambda k=kind, p=sized: bench_library(k, args.pg, p, count)
            )
            row(f"library path, {kind}, bundles of {size:,}", rate, baseline, runs)
        rate, runs = median_rate(
            args.runs, lambda k=kind: bench_stream(k, args.pg, payloads, count)
        )
        row(f"library path, {kind}, publish_stream of 1,000-object bundles", rate, baseline, runs)
        rate, runs = median_rate(args.runs, lambda k=kind: bench_http(k, args.pg, payloads, count))
        row(f"HTTP POST, {kind}, bundles of 1,000", rate, baseline, runs)
    if not args.skip_pages:
        print(
            "\n| page of 1,000 visible objects | p50 | p95 | pages in the store |"
            "\n|---|---|---|---|"
        )
        for kind in backends:
            with fresh_store(kind, args.pg, synchronous="OFF") as (url, engine):
                fill(engine, stored)
                with engine.begin() as connection:  # a live store has statistics (autovacuum)
                    connection.exec_driver_sql("ANALYZE")
                pages = bench_pages(engine, url, 50)
            for door, key in (("library read path", "lib"), ("HTTP GET", "http")):
                print(
                    f"| {door}, {kind}, {stored:,} stored | {pages[key + '_p50']:.1f} ms "
                    f"| {pages[key + '_p95']:.1f} ms | {pages['pages']:.0f} |"
                )


def row(label: str, rate: float, baseline: float, runs: list[float]) -> None:
    rounded = ", ".join(f"{r:,.0f}" for r in runs)
    print(f"| {label} | {rate:,.0f} obj/s | {rate / baseline:.1f}x | {rounded} |", flush=True)


if __name__ == "__main__":
    main()
