"""The measurements of :mod:`bench.scale` on a loaded store (``python -m bench.scale measure``).

Single requests, one at a time, against ``accord serve`` (one process) on loopback: each
kind ``--samples`` times a run, ``--runs`` runs; the table gives the median over runs of
each run's p50 and p99 (with 30 samples a run's p99 is its slowest request but one),
client wall time and the node's ``Server-Timing`` where it sends one (console pages).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import orjson
from sqlalchemy import Connection, Engine, text

from accord import audit
from accord.acts import admin
from accord.policy import Principal
from accord.store import directory
from accord.store.engine import make_engine, migrate
from bench.run import server
from bench.scale import create_database, drop_database, footprint, print_footprint
from bench.scale_load import free_bytes, make_directory, say
from bench.synthetic import objects as synthetic_objects

TAXII = {"Accept": "application/taxii+json;version=2.1"}
NO_LIMITS = {
    "ACCORD_ACCOUNT_REQUESTS_PER_SECOND": "0",
    "ACCORD_ACCOUNT_CONCURRENT_REQUESTS": "0",
    "ACCORD_PARTY_REQUESTS_PER_SECOND": "0",
    "ACCORD_PARTY_CONCURRENT_REQUESTS": "0",
}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def _server_ms(response: httpx.Response) -> float | None:
    found = re.search(r"dur=([0-9.]+)", response.headers.get("server-timing", ""))
    return float(found.group(1)) if found else None


def timed(
    client: httpx.Client, paths: list[str], headers: dict[str, str] | None = None
) -> tuple[list[float], list[float]]:
    wall, server_times = [], []
    began = time.perf_counter()
    for path in paths:
        if len(wall) >= 3 and time.perf_counter() - began > 20:
            break  # a slow kind: fewer samples (the table says how many)
        start = time.perf_counter()
        response = client.get(path, headers=headers or {})
        wall.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        served = _server_ms(response)
        if served is not None:
            server_times.append(served)
    return wall, server_times


def sign_in(client: httpx.Client, base: str, token: str) -> None:
    signed = client.post(
        "/ui/sign-in", data={"token": token}, headers={"Origin": base}, follow_redirects=False
    )
    assert signed.status_code == 303, signed.text[:300]
    client.cookies.set("accord_session", signed.cookies["accord_session"], path="/ui")


def visible_ids(engine: Engine, party: str, count: int) -> list[str]:
    """Ids spread over the whole store that ``party`` may see (network audience)."""
    rng = random.Random(3)
    with engine.connect() as connection:
        top = int(connection.execute(text("SELECT max(pk) FROM objects")).scalar_one())
        found: list[str] = []
        while len(found) < count:
            pk = rng.randrange(1, top)
            row = connection.execute(
                text(
                    "SELECT stix_id FROM objects WHERE pk >= :pk AND audience_kind = 'network' "
                    "AND type <> 'relationship' ORDER BY pk LIMIT 1"
                ),
                {"pk": pk},
            ).first()
            if row is not None:
                found.append(str(row.stix_id))
    return found


def _account(connection: Connection, party: str, role: str) -> str:
    """A new account of ``party``, made by the party's admin (as on a real node)."""
    by = Principal(directory.get_account(connection, f"adm-{party}"), "cli")
    return admin.add_account(connection, by, f"m-{uuid.uuid4().hex[:8]}", party, role)[1]


def latency_table(
    engine: Engine, url: str, samples: int, runs: int, only: tuple[str, ...] = ()
) -> list[str]:
    """The latency table; ``only``: the kinds whose label holds one of these words."""
    with engine.begin() as connection:
        reader = _account(connection, "p01", "reader")
        party_admin = _account(connection, "p01", "admin")
        channel = str(
            connection.execute(
                text(
                    "SELECT c.name FROM channels c JOIN channel_members m ON m.channel_id = c.id "
                    "JOIN parties p ON p.id = m.party_id WHERE p.code = 'p01' ORDER BY c.name "
                    "LIMIT 1"
                )
            ).scalar_one()
        )
    ids = visible_ids(engine, "p01", samples)
    bearer = {"Authorization": f"Bearer {reader}"}
    lines = []
    os.environ.update(NO_LIMITS)
    with server(url) as base, httpx.Client(base_url=base, timeout=300) as client:
        client.headers.update(bearer)
        collections = client.get("/taxii2/api/collections/", headers=TAXII).json()["collections"]
        network = next(c["id"] for c in collections if c["title"].lower().startswith("network"))
        first = client.get("/api/v1/objects?limit=1000").json()
        cursor = first.get("next")
        console = httpx.Client(base_url=base, timeout=300)
        sign_in(console, base, reader)
        as_admin = httpx.Client(base_url=base, timeout=300)
        as_admin.headers["Authorization"] = f"Bearer {party_admin}"
        admin_console = httpx.Client(base_url=base, timeout=300)
        sign_in(admin_console, base, party_admin)
        kinds: dict[str, tuple[httpx.Client, Callable[[int], str], dict[str, str]]] = {
            "REST page of 1,000 objects": (client, lambda k: "/api/v1/objects?limit=1000", {}),
            "REST page of 1,000, next page (cursor)": (
                client,
                lambda k: f"/api/v1/objects?limit=1000&cursor={cursor}",
                {},
            ),
            "REST page of 10 objects": (client, lambda k: "/api/v1/objects?limit=10", {}),
            "REST page of 10, type report": (
                client,
                lambda k: "/api/v1/objects?limit=10&type=report",
                {},
            ),
            "TAXII page of 100 (network collection)": (
                client,
                lambda k: f"/taxii2/api/collections/{network}/objects/?limit=100",
                TAXII,
            ),
            "TAXII manifest page of 100": (
                client,
                lambda k: f"/taxii2/api/collections/{network}/manifest/?limit=100",
                TAXII,
            ),
            "object fetch (random, whole store)": (
                client,
                lambda k: f"/api/v1/objects/{ids[k % len(ids)]}",
                {},
            ),
            "search, common word (50 hits)": (
                client,
                lambda k: "/api/v1/objects?limit=50&q=cell",
                {},
            ),
            "search, rare word (one replica's names, 0.05 %)": (
                client,
                lambda k: f"/api/v1/objects?limit=50&q=r{510 + k % 9}",
                {},
            ),
            "search, no hit": (client, lambda k: "/api/v1/objects?limit=50&q=qqzx", {}),
            "console inbox, newest 50": (console, lambda k: "/ui/inbox", {}),
            "console inbox, channel filter": (
                console,
                lambda k: f"/ui/inbox?channel={channel}",
                {},
            ),
            "console inbox, party filter": (console, lambda k: "/ui/inbox?party=p05", {}),
            "console inbox, type report": (console, lambda k: "/ui/inbox?type=report", {}),
            "console object page": (console, lambda k: f"/ui/objects/{ids[k % len(ids)]}", {}),
            "console object page as admin (with audit trail)": (
                admin_console,
                lambda k: f"/ui/objects/{ids[k % len(ids)]}",
                {},
            ),
            "admin: party's audit entries, newest 50": (
                as_admin,
                lambda k: "/api/v1/audit?limit=50",
                {},
            ),
            "admin: one object's audit entries": (
                as_admin,
                lambda k: f"/api/v1/audit?limit=50&target={ids[k % len(ids)]}",
                {},
            ),
        }
        if only:
            kinds = {k: v for k, v in kinds.items() if any(word in k for word in only)}
        results: dict[str, list[tuple[float, float, float | None]]] = {k: [] for k in kinds}
        taken: dict[str, int] = {k: 0 for k in kinds}
        for run in range(runs):
            for label, (who, path, headers) in kinds.items():
                wall, served = timed(who, [path(k) for k in range(samples)], headers)
                taken[label] += len(wall)
                results[label].append(
                    (
                        statistics.median(wall),
                        _percentile(wall, 0.99),
                        statistics.median(served) if served else None,
                    )
                )
            say(f"latency run {run + 1} of {runs} done")
        for opened in (console, as_admin, admin_console):
            opened.close()
    lines.append("| request | samples | p50 ms | p99 ms | server p50 ms |")
    lines.append("|---|---|---|---|---|")
    for label, found in results.items():
        served = [s for _a, _b, s in found if s is not None]
        lines.append(
            f"| {label} | {taken[label]} | {statistics.median(a for a, _b, _s in found):.1f} "
            f"| {statistics.median(b for _a, b, _s in found):.1f} "
            f"| {f'{statistics.median(served):.1f}' if served else ''} |"
        )
    return lines


def publish_rate(engine: Engine, url: str, runs: int, count: int, seed: int) -> list[float]:
    """Objects a second over HTTP, bundles of 1,000 of fresh synthetic objects."""
    with engine.begin() as connection:
        token = _account(connection, "p02", "publisher")
    rates = []
    os.environ.update(NO_LIMITS)
    with server(url) as base, httpx.Client(base_url=base, timeout=300) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        for run in range(runs):
            objs = synthetic_objects(count, seed=seed + run)
            bundles = [
                orjson.dumps(
                    {
                        "type": "bundle",
                        "id": f"bundle--{uuid.uuid4()}",
                        "objects": objs[i : i + 1000],
                    }
                )
                for i in range(0, len(objs), 1000)
            ]
            start = time.perf_counter()
            for bundle in bundles:
                response = client.post(
                    "/api/v1/objects?audience=network&tlp=green",
                    content=bundle,
                    headers={"Content-Type": "application/json"},
                )
                assert response.status_code in (200, 201), response.text[:300]
            rates.append(len(objs) / (time.perf_counter() - start))
    return rates


def append_rate(engine: Engine, entries: int) -> float:
    actor = audit.Actor("bench", "p01", "api")
    start = time.perf_counter()
    for _ in range(entries // 1000):
        with engine.begin() as connection:
            audit.append_many(connection, [audit.Entry(actor, "read.object", "x--1")] * 1000)
    return entries / (time.perf_counter() - start)


def walk_rate(engine: Engine, entries: int) -> float:
    """Entries a second of the full walk's work (read in order, every hash recomputed),
    over the first ``entries`` entries: the full walk of the whole log is this rate's
    extrapolation (it walks every entry the same way)."""
    start = time.perf_counter()
    walked = 0
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        result = connection.execute(
            text(f"SELECT * FROM audit_log WHERE seq <= {entries} ORDER BY seq").execution_options(
                yield_per=5000
            )
        )
        prev = audit.GENESIS
        for row in result:
            digest = audit.entry_hash(
                row.prev_hash,
                int(row.seq),
                row.at,
                row.account,
                row.party,
                row.door,
                row.action,
                row.target,
                row.details,
            )
            assert digest == row.hash and row.prev_hash == prev, row.seq
            prev = row.hash
            walked += 1
    return walked / (time.perf_counter() - start)


def measure(args: argparse.Namespace) -> None:
    engine = make_engine(args.url)
    found = footprint(engine)
    print_footprint(found)
    say(f"disk free {free_bytes() / 1e9:.1f} GB")
    only = tuple(word for word in args.kinds.split("|") if word)
    for line in latency_table(engine, args.url, args.samples, args.runs, only):
        print(line, flush=True)
    if only:  # some latencies only: no publishing, appending or verifying
        engine.dispose()
        return
    # Publishing: this store, then an empty one (same parties), alternately per run.
    empty_url = args.url + "_empty"
    create_database(empty_url)
    empty = make_engine(empty_url)
    migrate(empty)
    make_directory(empty, args.parties, args.channels)
    big, small = [], []
    for run in range(args.runs):
        big += publish_rate(engine, args.url, 1, 5_000, seed=100 + run)
        small += publish_rate(empty, empty_url, 1, 5_000, seed=100 + run)
        say(f"publish run {run + 1}: loaded {big[-1]:,.0f} obj/s, empty {small[-1]:,.0f} obj/s")
    print(
        f"publish over HTTP (5,000 objects, bundles of 1,000): loaded store "
        f"{statistics.median(big):,.0f} obj/s, empty store {statistics.median(small):,.0f} "
        f"obj/s, ratio {statistics.median(big) / statistics.median(small):.2f}",
        flush=True,
    )
    rates_big = [append_rate(engine, 50_000) for _ in range(args.runs)]
    rates_small = [append_rate(empty, 50_000) for _ in range(args.runs)]
    print(
        f"audit append (1,000 a transaction): loaded store {statistics.median(rates_big):,.0f}"
        f"/s, empty store {statistics.median(rates_small):,.0f}/s",
        flush=True,
    )
    empty.dispose()
    drop_database(empty_url)
    # Verification: incremental from the checkpoint the load kept, and the full walk's rate.
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        start = time.perf_counter()
        report = audit.verify(connection, incremental=True)
        seconds = time.perf_counter() - start
    print(
        f"incremental verify: {report.entries:,} entries after checkpoint {report.from_seq:,} "
        f"in {seconds:.2f} s, ok={report.ok} {report.problems[:3]}",
        flush=True,
    )
    rate = walk_rate(engine, 1_000_000)
    head = found["audit_entries"]
    print(
        f"full walk: {rate:,.0f} entries/s over the first 1,000,000; the whole log of "
        f"{head:,} entries: about {head / rate / 60:.0f} min",
        flush=True,
    )
    print_footprint(footprint(engine))
    engine.dispose()


def explain(engine: Engine, sql: str, params: dict[str, Any]) -> str:
    with engine.connect() as connection:
        rows = connection.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql), params)
        return "\n".join(str(r[0]) for r in rows)
