"""MISP import and export: events/s and memory, beside misp-stix's own conversion alone.

Makes N synthetic MISP events of A attributes each (ip-dst, domain, url, md5, email-src in
turn, 10% with an object), then in one run and on one store:

* ``misp-stix to STIX``: MISPtoSTIX21Parser on every event, nothing else (the baseline);
* ``import``: accord.acts.misp.import_events, one transaction per batch of events (the
  conversion, distribution, the publish path, correlation, audit);
* ``misp-stix to MISP``: InternalSTIX2toMISPParser on every event's stored objects alone;
* ``export``: accord.acts.misp.export_events of everything the importing account sees (the
  read path with its audit, grouping, conversion), with the conversion memo empty; then
  ``export again``, the same with the unchanged events converted once already (a MISP
  instance polling the feed).

Memory is the process's peak resident size after each phase (``ru_maxrss``; it only grows,
so each phase's figure includes those before it).

    python -m bench.misp [--events 100] [--attributes 100] [--batch 10] [--pg URL]
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import orjson

from accord.acts import admin
from accord.acts import misp as acts
from accord.config import Settings
from accord.misp import convert
from accord.policy import Principal
from accord.store import directory
from accord.store import objects as store
from accord.store.engine import make_engine, migrate

HOST = Principal(None, "cli", host_name="bench")
KINDS = ("ip-dst", "domain", "url", "md5", "email-src")


def make_event(number: int, attributes: int) -> dict[str, Any]:
    """One MISP event as MISP exports it (distribution 0: the importer's party only)."""
    seed = uuid.uuid5(uuid.NAMESPACE_URL, f"bench:{number}")
    stamp = str(1_700_000_000 + number)

    def value(kind: str, i: int) -> str:
        return {
            "ip-dst": f"10.{number % 250}.{i // 250 % 250}.{i % 250}",
            "domain": f"d{i}.e{number}.example",
            "url": f"https://u{i}.e{number}.example/p",
            "md5": uuid.uuid5(seed, str(i)).hex,
            "email-src": f"m{i}@e{number}.example",
        }[kind]

    attrs = [
        {
            "uuid": str(uuid.uuid5(seed, f"a{i}")),
            "type": KINDS[i % len(KINDS)],
            "category": "Network activity",
            "value": value(KINDS[i % len(KINDS)], i),
            "to_ids": True,
            "timestamp": stamp,
        }
        for i in range(attributes - attributes // 10)
    ]
    objects = [
        {
            "uuid": str(uuid.uuid5(seed, f"o{i}")),
            "name": "domain-ip",
            "meta-category": "network",
            "timestamp": stamp,
            "Attribute": [
                {
                    "uuid": str(uuid.uuid5(seed, f"o{i}d")),
                    "type": "domain",
                    "object_relation": "domain",
                    "value": f"o{i}.e{number}.example",
                    "timestamp": stamp,
                },
                {
                    "uuid": str(uuid.uuid5(seed, f"o{i}i")),
                    "type": "ip-dst",
                    "object_relation": "ip",
                    "value": f"172.16.{number % 250}.{i % 250}",
                    "timestamp": stamp,
                },
            ],
        }
        for i in range(attributes // 20)
    ]
    return {
        "uuid": str(seed),
        "info": f"Bench event {number}",
        "date": "2023-11-14",
        "timestamp": stamp,
        "distribution": "0",
        "analysis": "1",
        "threat_level_id": "2",
        "Orgc": {"name": "Bench CERT", "uuid": "55f6ea5e-2c60-40e5-964f-47a8950d210f"},
        "Tag": [{"name": "tlp:green"}],
        "Attribute": attrs,
        "Object": objects,
    }


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--attributes", type=int, default=100)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--pg", help="a PostgreSQL URL (default: a SQLite file)")
    args = parser.parse_args()
    events = [make_event(n, args.attributes) for n in range(args.events)]
    attribute_count = sum(
        len(e["Attribute"]) + sum(len(o["Attribute"]) for o in e["Object"]) for e in events
    )
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"{args.events} events, {attribute_count:,} attributes, rss {rss_mb():.0f} MB")
    rows: list[tuple[str, float, float]] = []

    start = time.perf_counter()
    for event in events:
        convert.event_to_stix(convert.normalised(event))
    rows.append(("misp-stix to STIX", time.perf_counter() - start, rss_mb()))

    with tempfile.TemporaryDirectory() as folder:
        url = args.pg or f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = make_engine(url)
        migrate(engine)
        with engine.begin() as connection:
            admin.add_party(connection, HOST, "p1", "P1", "KZ")
            admin.add_account(connection, HOST, "bench", "p1", "publisher")
        settings = Settings(database_url=url, misp_warning_lists=0)
        start = time.perf_counter()
        stored = 0
        for first in range(0, len(events), args.batch):
            raw = orjson.dumps([{"Event": e} for e in events[first : first + args.batch]])
            with engine.begin() as connection:
                account = directory.get_account(connection, "bench")
                report = acts.import_events(connection, account, raw, settings=settings, door="cli")
            stored += report.count("stored")
        rows.append(("import", time.perf_counter() - start, rss_mb()))
        assert stored == len(events), f"{stored} of {len(events)} stored"

        with engine.begin() as connection:
            account = directory.get_account(connection, "bench")
            items = acts.visible_items(connection, account, store.ObjectFilter(), door="cli")
        by_event: dict[str, list[dict[str, Any]]] = {}
        bodies = [orjson.loads(i.body) for i in items]
        groupings = [b for b in bodies if b["type"] in ("grouping", "report")]
        index = {b["id"]: b for b in bodies}
        for grouping in groupings:
            by_event[grouping["id"]] = [grouping] + [
                index[r] for r in grouping["object_refs"] if r in index
            ]
        start = time.perf_counter()
        for members in by_event.values():
            convert._stix_to_event(members)  # misp-stix alone, past Accord's memo
        rows.append(("misp-stix to MISP", time.perf_counter() - start, rss_mb()))

        convert._converted = convert._Memo(convert.MEMO_EVENTS)  # the first export: cold
        for name in ("export", "export again"):  # again: unchanged events from the memo
            start = time.perf_counter()
            with engine.begin() as connection:
                account = directory.get_account(connection, "bench")
                exported = acts.export_events(connection, account, store.ObjectFilter(), door="cli")
            rows.append((name, time.perf_counter() - start, rss_mb()))
            assert len(exported) == len(events), f"{len(exported)} of {len(events)} exported"
        engine.dispose()

    print(f"{'phase':<20} {'seconds':>9} {'events/s':>9} {'attrs/s':>9} {'peak rss MB':>12}")
    for name, seconds, rss in rows:
        print(
            f"{name:<20} {seconds:>9.2f} {len(events) / seconds:>9.1f} "
            f"{attribute_count / seconds:>9.0f} {rss:>12.0f}"
        )
    _ = statistics  # medians are taken over separate runs (see docs/benchmarks.md)


if __name__ == "__main__":
    main()
