"""Federation benchmarks: node-to-node sync, TAXII page reads at scale, and medallion.

    python -m bench.federation [--quick] [--runs 3] [--pg URL]

Sync: node B pulls 100,000 objects from node A (a real server process) over TAXII 2.1,
validating and storing each page. Pages: TAXII GET of 1,000 objects with 1,000,000 stored.
Baseline in the same run: medallion 3.0.0 (the OASIS reference server, memory backend)
accepting and serving the same objects.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine

from accord.acts.publish import publish_stream
from accord.federation.collections import collection_id
from accord.federation.sync import sync_peer
from accord.prepare import PublishLimits
from accord.stix.markings import Tlp
from accord.store import directory
from accord.store.peers import add_peer, get_peer
from bench.run import bundles, fill, fresh_store, server, token_for
from bench.synthetic import objects
from tests.servers import MEDALLION_COLLECTION as COLLECTION
from tests.servers import TAXII, medallion_server


def load(engine: Engine, payloads: list[bytes]) -> None:
    token_for(engine, "loader", "p0")
    with engine.connect() as connection:
        account = directory.get_account(connection, "loader")
    limits = PublishLimits(max_objects=20_000)
    for report in publish_stream(
        engine, account, payloads, audience="network", tlp=Tlp.GREEN, door="cli", limits=limits
    ):
        assert report.count("rejected") == 0


def bench_sync(kind: str, pg: str | None, payloads: list[bytes], count: int) -> tuple[int, float]:
    with fresh_store(kind, pg) as (url_a, engine_a), fresh_store(kind, pg) as (_url_b, engine_b):
        load(engine_a, payloads)
        token = token_for(engine_a, "peer-p1", "p1")
        with server(url_a, node="node-a") as base:
            with engine_b.begin() as connection:
                add_peer(connection, "a", f"{base}/taxii2/api/", collection_id("network"), token)
                peer = get_peer(connection, "a")
            start = time.perf_counter()
            result = sync_peer(engine_b, peer, local_node="node-b")
            elapsed = time.perf_counter() - start
        assert result.accepted == count, result
        return count, elapsed


def bench_taxii_pages(kind: str, pg: str | None, stored: int, samples: int) -> dict[str, float]:
    with fresh_store(kind, pg, synchronous="OFF") as (url, engine):
        fill(engine, stored)
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
        token = token_for(engine, "taxii-reader", "p1")
        path = f"/taxii2/api/collections/{collection_id('network')}/objects/"
        headers = {"Authorization": f"Bearer {token}", "Accept": TAXII}
        with server(url) as base, httpx.Client(base_url=base, timeout=60) as client:
            cursors: list[str | None] = [None]
            params: dict[str, Any] = {"limit": 1000}
            while True:  # walk every page once to collect cursors across the store
                body = client.get(path, params=params, headers=headers).json()
                if not body.get("more"):
                    break
                cursors.append(body["next"])
                params = {"limit": 1000, "next": body["next"]}
            rng = random.Random(5)
            timings = []
            for _ in range(samples):
                cursor = rng.choice(cursors[:-1])
                query = {"limit": 1000, **({"next": cursor} if cursor else {})}
                start = time.perf_counter()
                response = client.get(path, params=query, headers=headers)
                timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200 and len(response.json()["objects"]) == 1000
    timings.sort()
    return {
        "p50": statistics.median(timings),
        "p99": timings[max(0, int(len(timings) * 0.99) - 1)],
        "pages": len(cursors),
    }


def bench_medallion(objs: list[dict[str, Any]]) -> dict[str, float]:
    """medallion accepting the objects in envelopes of 1,000, then serving a 1,000 page."""
    folder = Path(tempfile.mkdtemp(prefix="medallion-"))
    with (
        medallion_server(folder) as root,
        httpx.Client(timeout=600, auth=("admin", "Password0")) as client,
    ):
        url = f"{root}collections/{COLLECTION}/objects/"
        headers = {"Accept": TAXII, "Content-Type": TAXII}
        start = time.perf_counter()
        for offset in range(0, len(objs), 1000):
            response = client.post(
                url,
                content=json.dumps({"objects": objs[offset : offset + 1000]}),
                headers=headers,
            )
            assert response.status_code == 202, response.text[:300]
        accept = len(objs) / (time.perf_counter() - start)
        timings = []
        for _ in range(3):
            start = time.perf_counter()
            response = client.get(url, params={"limit": 1000}, headers={"Accept": TAXII})
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
    return {"accept": accept, "page_ms": statistics.median(timings), "stored": len(objs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg", default=os.environ.get("ACCORD_TEST_DATABASE_URL"))
    args = parser.parse_args()
    count = 20_000 if args.quick else 100_000
    stored = 100_000 if args.quick else 1_000_000
    objs = objects(count)
    payloads = bundles(objs, 1000)
    print(f"objects: {count:,} synthetic; pages with {stored:,} stored")
    base = bench_medallion(objs[:2000])
    accept, page_ms = base["accept"], base["page_ms"]
    print(
        f"| medallion 3.0.0, memory backend: accept | {accept:,.0f} obj/s "
        f"| page of 1,000 with {base['stored']:,} stored | {page_ms:,.0f} ms |"
    )
    print("| measure | median | vs medallion | runs |\n|---|---|---|---|")
    for kind in ["sqlite"] + (["postgresql"] if args.pg else []):
        rates = []
        for _ in range(args.runs):
            n, seconds = bench_sync(kind, args.pg, payloads, count)
            rates.append(n / seconds)
        rate = statistics.median(rates)
        print(
            f"| sync A→B over TAXII, {kind}, {count:,} objects | {rate:,.0f} obj/s "
            f"| {rate / base['accept']:.1f}x medallion's accept rate "
            f"| {', '.join(f'{r:,.0f}' for r in rates)} |",
            flush=True,
        )
    print("\n| TAXII GET, 1,000 objects | p50 | p99 | vs medallion (p50) |\n|---|---|---|---|")
    for kind in ["sqlite"] + (["postgresql"] if args.pg else []):
        pages = bench_taxii_pages(kind, args.pg, stored, 100)
        print(
            f"| {kind}, {stored:,} stored ({pages['pages']:.0f} pages in the collection) "
            f"| {pages['p50']:.1f} ms | {pages['p99']:.1f} ms "
            f"| {base['page_ms'] / pages['p50']:,.0f}x faster |",
            flush=True,
        )


if __name__ == "__main__":
    main()
