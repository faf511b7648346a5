"""Console pages at scale: server time of each page with 1,000,000 objects stored.

Fills a store with synthetic objects from four parties under mixed audiences (as the page
benchmark of bench.run does), starts `accord serve`, signs in as party p1 and requests each
console page many times, reading the node's own ``Server-Timing`` header. The same run times
the JSON API's page of 50 objects as the baseline.

    python -m bench.console [--stored 1000000] [--samples 30] [--pg URL]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import statistics
import time
from pathlib import Path

import httpx
import orjson
from sqlalchemy import select

from accord import audit
from accord.acts import admin
from accord.register.importer import import_list, read_list
from accord.store.schema import objects, register_subjects
from bench.run import HOST, fill, fresh_store, server, token_for

ROOT = Path(__file__).resolve().parents[1]
REGISTER = (
    ("un-xml", "demo-data/consolidated-2025-08-02.xml"),
    ("designations", "demo-data/designations.csv"),
)


def sign_in(client: httpx.Client, base: str, token: str) -> None:
    """A console session for ``token``: the form sent from the node's own origin, as a
    browser sends it; the cookie holds the session id the node returns."""
    signed = client.post(
        "/ui/sign-in", data={"token": token}, headers={"Origin": base}, follow_redirects=False
    )
    assert signed.status_code == 303, signed.text[:300]
    client.cookies.set("accord_session", signed.cookies["accord_session"], path="/ui")


def _server_ms(response: httpx.Response) -> float:
    found = re.search(r"dur=([0-9.]+)", response.headers.get("server-timing", ""))
    assert found, f"no Server-Timing on {response.request.url}"
    return float(found.group(1))


def sample_ids(engine: object, count: int) -> tuple[list[str], list[str]]:
    """Ids of objects party p1 may see (network audience) and of relationship targets."""
    with engine.connect() as connection:  # type: ignore[attr-defined]
        rows = connection.execute(
            select(objects.c.stix_id, objects.c.type, objects.c.body)
            .where(objects.c.audience_kind == "network")
            .order_by(objects.c.pk.desc())
            .limit(20_000)
        ).all()
    rng = random.Random(5)
    plain = [r.stix_id for r in rows if r.type != "relationship"]
    known = {r.stix_id for r in rows}
    ends = [orjson.loads(r.body) for r in rows if r.type == "relationship"]
    targets = [e[k] for e in ends for k in ("source_ref", "target_ref") if e[k] in known]
    return rng.sample(plain, min(count, len(plain))), rng.sample(targets, min(count, len(targets)))


def measure(
    client: httpx.Client, paths: list[str], headers: dict[str, str] | None = None
) -> dict[str, float]:
    server_times, wall = [], []
    for path in paths:
        start = time.perf_counter()
        response = client.get(path, headers=headers or {})
        wall.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        server_times.append(_server_ms(response) if path.startswith("/ui/") else wall[-1])
    server_times.sort()
    return {
        "p50": statistics.median(server_times),
        "p95": server_times[max(0, int(len(server_times) * 0.95) - 1)],
        "wall_p50": statistics.median(wall),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stored", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--pg", default=None, help="PostgreSQL URL (SQLite when not given)")
    args = parser.parse_args()
    kind = "postgresql" if args.pg else "sqlite"
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    with fresh_store(kind, args.pg, synchronous="OFF") as (url, engine):
        start = time.perf_counter()
        fill(engine, args.stored)
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
        print(f"filled {args.stored:,} objects in {time.perf_counter() - start:.0f} s ({kind})")
        with engine.begin() as connection:  # the demo register, as make run loads it
            for list_kind, path in REGISTER:
                import_list(connection, read_list(list_kind, ROOT / path))
            subjects = [
                row.id
                for row in connection.execute(
                    select(register_subjects.c.id).order_by(register_subjects.c.id).limit(20)
                )
            ]
        token = token_for(engine, "analyst", "p1")
        with engine.begin() as connection:  # an admin of p1, who also sees audit trails
            admin_token = admin.add_account(connection, HOST, "bench-admin", "p1", "admin")[1]
        plain, targets = sample_ids(engine, args.samples)
        # A node's audit log grows with every read: give it 100,000 entries about objects,
        # so that an admin's audit trail is looked up in a log of some size.
        with engine.begin() as connection:
            reader = audit.Actor("bench-reader", "p1", "api")
            for k in range(100_000):
                audit.append(connection, reader, "read.object", target=plain[k % len(plain)])
        n = args.samples
        with server(url) as base, httpx.Client(base_url=base, timeout=120) as client:
            sign_in(client, base, token)
            first = client.get("/ui/inbox").text
            cursor = re.search(r'cursor=([^"&]+)', first)
            assert cursor
            pages = {
                "inbox, newest 50": ["/ui/inbox"] * n,
                "inbox, second page (cursor)": [f"/ui/inbox?cursor={cursor.group(1)}"] * n,
                "inbox, channel c123": ["/ui/inbox?channel=c123"] * n,
                "inbox, from party p3": ["/ui/inbox?party=p3"] * n,
                "inbox, from party p2 (none visible to p1)": ["/ui/inbox?party=p2"] * n,
                "inbox, type report": ["/ui/inbox?type=report"] * n,
                "inbox, added in one past day": ["/ui/inbox?since=2020-01-01&until=2020-01-01"] * n,
                "object page (indicator, identity, ...)": [f"/ui/objects/{i}" for i in plain],
                "object page of an object with relationships": [
                    f"/ui/objects/{i}" for i in targets
                ],
                "register subject page": [
                    f"/ui/register/subjects/{subjects[k % len(subjects)]}" for k in range(n)
                ],
                "divergence matrix, all jurisdictions": ["/ui/register/divergence"] * n,
                "publish page": ["/ui/publish"] * n,
            }
            print(
                f"\n| page, {args.stored:,} objects stored ({kind}) | server p50 | server p95 "
                "| wall p50 |\n|---|---|---|---|"
            )
            api = measure(
                client, ["/api/v1/objects?limit=50"] * n, {"Authorization": f"Bearer {token}"}
            )
            with httpx.Client(base_url=base, timeout=120) as as_admin:
                sign_in(as_admin, base, admin_token)
                trail = measure(as_admin, [f"/ui/objects/{i}" for i in plain])
            print(
                f"| baseline: JSON API, 50 objects | {api['p50']:.1f} ms | {api['p95']:.1f} ms "
                f"| {api['wall_p50']:.1f} ms |"
            )
            print(
                f"| object page as an admin (with its audit trail) | {trail['p50']:.1f} ms "
                f"| {trail['p95']:.1f} ms | {trail['wall_p50']:.1f} ms |"
            )
            for label, paths in pages.items():
                result = measure(client, paths)
                print(
                    f"| {label} | {result['p50']:.1f} ms | {result['p95']:.1f} ms "
                    f"| {result['wall_p50']:.1f} ms |"
                )


if __name__ == "__main__":
    main()
