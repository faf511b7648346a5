"""What the default lists' exercise condition costs: a page of the object list with and
without ``NOT IN (exercise channels)`` (accord.store.objects._conditions).

Fills a store as bench.console does (synthetic objects from four parties under mixed
audiences), adds an exercise channel holding ``--exercise`` objects of p1's, and times the
store's page query (the one ``GET /api/v1/objects`` runs, in process, no HTTP) for party p1:
the newest 100, the same filtered by type, and the exercise channel asked for by name; each
with the condition and with it replaced by TRUE. Medians of ``--samples`` runs.

    python -m bench.exercise_filter [--stored 1000000] [--exercise 10000] [--pg URL]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

from sqlalchemy import true

from accord.acts.publish import publish_bytes
from accord.policy import visible_to
from accord.stix.markings import Tlp
from accord.store import directory
from accord.store import objects as object_store
from accord.store.objects import ObjectFilter
from bench.run import LIMITS, bundles, fill, fresh_store, token_for
from bench.synthetic import objects as synthetic


def _time(engine: object, criteria: ObjectFilter, party_id: int, samples: int) -> float:
    runs = []
    for _ in range(samples):
        with engine.connect() as connection:  # type: ignore[attr-defined]
            start = time.perf_counter()
            rows = object_store.page(
                connection, visible_to(party_id), criteria, after_pk=None, limit=101
            )
            runs.append((time.perf_counter() - start) * 1000)
            assert rows is not None
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stored", type=int, default=1_000_000)
    parser.add_argument("--exercise", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--pg", default=None, help="PostgreSQL URL (SQLite when not given)")
    args = parser.parse_args()
    kind = "postgresql" if args.pg else "sqlite"
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {kind}")
    with fresh_store(kind, args.pg, synchronous="OFF") as (_, engine):
        start = time.perf_counter()
        fill(engine, args.stored)
        with engine.begin() as connection:
            directory.add_channel(connection, "exercise-bench", ["p0", "p1"])
            account = directory.get_account(connection, "fill-p1")
        payload = bundles(synthetic(args.exercise, seed=99), args.exercise)[0]
        with engine.begin() as connection:
            publish_bytes(
                connection,
                account,
                payload,
                audience="exercise-bench",
                tlp=Tlp.AMBER,
                door="cli",
                limits=LIMITS,
            )
            connection.exec_driver_sql("ANALYZE")
            channel = directory.get_channel(connection, "exercise-bench")
        print(f"filled {args.stored:,} + {args.exercise:,} in {time.perf_counter() - start:.0f} s")
        token_for(engine, "analyst", "p1")
        cases = {
            "default list, newest 100": ObjectFilter(newest_first=True),
            "default list, type indicator": ObjectFilter(types=("indicator",), newest_first=True),
            "exercise channel by name": ObjectFilter(
                audience=("channel", channel.id), newest_first=True
            ),
        }
        print("\n| page of 100 | with the condition | without | difference |\n|---|---|---|---|")
        real = object_store.not_in_exercise_channel
        for label, criteria in cases.items():
            with_it = _time(engine, criteria, account.party.id, args.samples)
            object_store.not_in_exercise_channel = lambda: true()  # type: ignore[assignment]
            try:
                without = _time(engine, criteria, account.party.id, args.samples)
            finally:
                object_store.not_in_exercise_channel = real  # type: ignore[assignment]
            print(
                f"| {label} | {with_it:.2f} ms | {without:.2f} ms | {with_it - without:+.2f} ms |"
            )


if __name__ == "__main__":
    main()
