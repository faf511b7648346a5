"""PostgreSQL at scale (issue 17, item 3): a store of millions of objects and audit entries.

    python -m bench.scale load [--objects 10000000] [--audit 100000000] [--reserve-gb 25]
    python -m bench.scale measure [--samples 30] [--runs 3] [--kinds 'search|fetch']
    python -m bench.scale explain [--words 'r515|qqzx|cell']
    python -m bench.scale drop

The store is a database of its own (``--url``, default ``accord_scale`` on the local
server), created by ``load`` (bulk, :mod:`bench.scale_load`), measured by ``measure`` with
``accord serve`` in its own process, and dropped by ``drop`` to give the disk back. Every
latency is the median over ``--runs`` runs of each run's p50 and p99; publish throughput is
compared with an empty store (a second database, made and dropped by ``measure``).
"""

from __future__ import annotations

import argparse
import calendar
import os
import platform
import time

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from accord import audit
from accord.store import audit_partitions
from accord.store.engine import make_engine, migrate
from bench.scale_load import free_bytes, load_audit, load_objects, make_directory, say

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/accord_scale"


def _admin_engine(url: str) -> Engine:
    parsed = make_url(url).set(drivername="postgresql+psycopg", database="postgres")
    return create_engine(parsed, isolation_level="AUTOCOMMIT")


def create_database(url: str) -> None:
    name = make_url(url).database
    root = _admin_engine(url)
    with root.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    root.dispose()


def drop_database(url: str) -> None:
    name = make_url(url).database
    root = _admin_engine(url)
    with root.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    root.dispose()


def footprint(engine: Engine) -> dict[str, int]:
    """Bytes on disk (tables with their indexes and TOAST) of the store's parts."""
    with engine.connect() as connection:
        run = connection.exec_driver_sql
        objects_bytes = int(run("SELECT pg_total_relation_size('objects')").scalar_one())
        correlation = int(
            run(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' "
                "AND n.nspname = current_schema() AND left(c.relname, 11) = 'correlation'"
            ).scalar_one()
        )
        log_bytes = sum(p.bytes for p in audit_partitions.stats(connection))
        receipts = int(run("SELECT pg_total_relation_size('read_receipts')").scalar_one())
        database = int(run("SELECT pg_database_size(current_database())").scalar_one())
        count = int(run("SELECT count(*) FROM objects").scalar_one())
        entries = audit.head_seq(connection)
    return {
        "objects": count,
        "objects_bytes": objects_bytes,
        "correlation_bytes": correlation,
        "audit_entries": entries,
        "audit_bytes": log_bytes,
        "read_receipts_bytes": receipts,
        "database_bytes": database,
    }


def print_footprint(found: dict[str, int]) -> None:
    per_object = found["objects_bytes"] / max(found["objects"], 1)
    per_entry = found["audit_bytes"] / max(found["audit_entries"], 1)
    say(
        f"footprint: {found['objects']:,} objects {found['objects_bytes'] / 1e9:.2f} GB "
        f"({per_object:.0f} B each, {per_object * 1e6 / 1e9:.2f} GB a million); "
        f"{found['audit_entries']:,} audit entries {found['audit_bytes'] / 1e9:.2f} GB "
        f"({per_entry:.0f} B each, {per_entry * 1e6 / 1e9:.3f} GB a million); "
        f"correlation {found['correlation_bytes'] / 1e6:.0f} MB; "
        f"database {found['database_bytes'] / 1e9:.2f} GB"
    )


def load(args: argparse.Namespace) -> None:
    say(f"disk free {free_bytes() / 1e9:.1f} GB; reserve {args.reserve_gb} GB")
    create_database(args.url)
    engine = make_engine(args.url)
    migrate(engine)
    found = make_directory(engine, args.parties, args.channels)
    began = time.perf_counter()
    count = load_objects(engine, found, args.objects, args.templates)
    say(f"{count:,} objects loaded in {time.perf_counter() - began:.0f} s")
    print_footprint(footprint(engine))
    began = time.perf_counter()
    hour, minute = (int(part) for part in args.audit_until.split(":"))
    today = time.gmtime()
    deadline = calendar.timegm((today.tm_year, today.tm_mon, today.tm_mday, hour, minute, 0))
    entries = load_audit(engine, found, args.audit, int(args.reserve_gb * 1e9), deadline)
    say(f"{entries:,} audit entries loaded in {time.perf_counter() - began:.0f} s")
    with engine.begin() as connection:
        # The load computed every hash of the chain itself: its head is kept as the
        # checkpoint an incremental verification starts from (a full walk is timed apart).
        seq = audit.head_seq(connection)
        digest = str(connection.execute(text("SELECT hash FROM audit_head")).scalar_one())
        connection.execute(
            text("INSERT INTO audit_checkpoints VALUES (:seq, :hash, :at)"),
            {"seq": seq, "hash": digest, "at": "loaded"},
        )
    print_footprint(footprint(engine))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=("load", "measure", "explain", "drop"))
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--objects", type=int, default=10_000_000)
    parser.add_argument("--templates", type=int, default=10_000)
    parser.add_argument("--audit", type=int, default=100_000_000)
    parser.add_argument("--parties", type=int, default=24)
    parser.add_argument("--channels", type=int, default=16)
    parser.add_argument("--reserve-gb", type=float, default=25.0)
    parser.add_argument("--audit-until", default="23:59", help="UTC HH:MM: stop appending then")
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--words", default="r515|qqzx|cell", help="explain: words, |-separated")
    parser.add_argument(
        "--kinds",
        default="",
        help="measure: only the requests whose label holds one of these words, separated by | "
        "(e.g. 'search|page of 1,000|fetch'), and nothing else",
    )
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    if args.command == "load":
        load(args)
    elif args.command == "explain":
        from bench.scale_plans import plans

        engine = make_engine(args.url)
        plans(engine, [word for word in args.words.split("|") if word])
        engine.dispose()
    elif args.command == "drop":
        drop_database(args.url)
        say(f"dropped {make_url(args.url).database}; disk free {free_bytes() / 1e9:.1f} GB")
    else:
        from bench.scale_measure import measure

        measure(args)


if __name__ == "__main__":
    main()
