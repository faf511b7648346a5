"""Correlation and alerts at scale (issue 15).

    python -m bench.correlation [--objects 1000000] [--watches 10000] [--runs 3] [--pg URL]

Measured in one run, on SQLite (and PostgreSQL when ``--pg`` or ``ACCORD_TEST_DATABASE_URL``
gives a server):

* a store is filled with ``--objects`` objects through the bulk publish path with correlation
  on, beside ``--watches`` watches (half names, half observable values) of four parties;
* publish throughput at that size, correlation on against correlation off (the baseline:
  the same code with ``ACCORD_CORRELATION=0``), alternating, median of ``--runs``;
* the time from a publish to its alert being readable by the watching party, p50 and p90;
* the correlation store's size per object, and its growth with the number of objects
  sharing one value (one row per object, where MISP stores every pair).

Values repeat as in real feeds: indicators point at domains drawn from a pool, threat actors
and persons carry names drawn from a pool (in Latin and Cyrillic), so that watches match
and correlations exist.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from rich.console import Console
from sqlalchemy import Engine, func, select, text

from accord.acts import admin, watches
from accord.acts.alerts import drain
from accord.acts.publish import publish_bytes, publish_stream
from accord.cli_progress import progress_bar
from accord.prepare import PublishLimits
from accord.stix.markings import Tlp
from accord.store import directory
from accord.store.engine import make_engine
from accord.store.schema import alerts, correlation_keys, objects
from accord.store.schema import watches as watch_table
from bench.run import HOST, bundles, fresh_store
from bench.synthetic import objects as synthetic

CONSOLE = Console(stderr=True)
ON = PublishLimits(max_objects=20_000, correlate=True)
OFF = PublishLimits(max_objects=20_000, correlate=False)
#: Name parts in Latin and Cyrillic: 16 given names, 24 x 10 family names (3,840 people).
GIVEN = (
    ("Abdulla", "Абдулла"),
    ("Rustam", "Рустам"),
    ("Timur", "Тимур"),
    ("Farid", "Фарид"),
    ("Ilyas", "Ильяс"),
    ("Nurlan", "Нурлан"),
    ("Bakhtiyor", "Бахтиёр"),
    ("Murad", "Мурад"),
    ("Said", "Саид"),
    ("Anvar", "Анвар"),
    ("Doston", "Достон"),
    ("Ruslan", "Руслан"),
    ("Zafar", "Зафар"),
    ("Shamil", "Шамиль"),
    ("Aslan", "Аслан"),
    ("Umar", "Умар"),
)
STEMS = (
    ("Khas", "Хас"),
    ("Yusup", "Юсуп"),
    ("Karim", "Карим"),
    ("Rakhim", "Рахим"),
    ("Nazar", "Назар"),
    ("Sadyk", "Садык"),
    ("Umar", "Умар"),
    ("Tursun", "Турсун"),
    ("Mirzo", "Мирзо"),
    ("Dzhur", "Джур"),
    ("Ibrag", "Ибраг"),
    ("Gafur", "Гафур"),
    ("Kholmat", "Холмат"),
    ("Sharip", "Шарип"),
    ("Bekmur", "Бекмур"),
    ("Ergash", "Эргаш"),
    ("Zakir", "Закир"),
    ("Nabi", "Наби"),
    ("Ortyk", "Ортык"),
    ("Pulat", "Пулат"),
    ("Valikh", "Валих"),
    ("Yaksh", "Якш"),
    ("Sobir", "Собир"),
    ("Toshpul", "Тошпул"),
)
ENDINGS = (
    ("ov", "ов"),
    ("iddinov", "иддинов"),
    ("anov", "анов"),
    ("aliev", "алиев"),
    ("zoda", "зода"),
    ("bekov", "беков"),
    ("murodov", "муродов"),
    ("ullaev", "уллаев"),
    ("khonov", "хонов"),
    ("jonov", "жонов"),
)
PEOPLE = len(GIVEN) * len(STEMS) * len(ENDINGS)


def person_name(n: int, cyrillic: bool) -> str:
    """Person ``n`` of the pool, in Latin or Cyrillic script."""
    n %= PEOPLE
    given = GIVEN[n % len(GIVEN)]
    stem = STEMS[(n // len(GIVEN)) % len(STEMS)]
    ending = ENDINGS[n // (len(GIVEN) * len(STEMS))]
    side = 1 if cyrillic else 0
    return f"{given[side]} {stem[side]}{ending[side]}"


POOL_DOMAINS = 20_000


def feed(count: int, seed: int) -> list[dict[str, Any]]:
    """The synthetic mix, with values and names repeating from pools."""
    rng = random.Random(seed)
    out = synthetic(count, seed=seed)
    for obj in out:
        if obj["type"] == "indicator" and rng.random() < 0.5:
            domain = f"pool{rng.randrange(POOL_DOMAINS)}.example"
            obj["pattern"] = f"[domain-name:value = '{domain}']"
        elif obj["type"] == "threat-actor":
            obj["name"] = person_name(rng.randrange(PEOPLE), rng.random() < 0.3)
            obj.pop("aliases", None)
    return out


def add_watches(engine: Engine, count: int) -> None:
    rng = random.Random(11)
    with engine.begin() as connection:
        for party in ("p0", "p1", "p2", "p3"):
            admin.add_account(connection, HOST, f"analyst-{party}", party, "reader")
        analysts = [directory.get_account(connection, f"analyst-p{n}") for n in range(4)]
    with progress_bar(CONSOLE, transient=True) as bar:
        task = bar.add_task("watches", total=count)
        for start in range(0, count, 500):
            with engine.begin() as connection:
                for n in range(start, min(count, start + 500)):
                    account = analysts[n % 4]
                    if n % 2:
                        request = watches.WatchRequest(
                            name=person_name(rng.randrange(PEOPLE), rng.random() < 0.5)
                        )
                    else:
                        request = watches.WatchRequest(
                            value=f"domain-name:pool{rng.randrange(POOL_DOMAINS * 5)}.example"
                        )
                    watches.add_watch(connection, account, request, door="cli")
            bar.update(task, advance=min(500, count - start))


def load(engine: Engine, count: int) -> float:
    """Fill the store through the bulk path (correlation on); objects per second."""
    with engine.connect() as connection:
        account = directory.get_account(connection, "alice")
    done, start = 0, time.perf_counter()
    with progress_bar(CONSOLE, transient=True) as bar:
        task = bar.add_task("objects", total=count)
        for chunk_start in range(0, count, 50_000):
            size = min(50_000, count - chunk_start)
            payloads = bundles(feed(size, seed=1000 + chunk_start), 2_000)
            for report in publish_stream(
                engine, account, payloads, audience="network", tlp=Tlp.GREEN, door="cli", limits=ON
            ):
                done += len(report.results)
                bar.update(task, advance=len(report.results))
    return done / (time.perf_counter() - start)


def publish_rate(engine: Engine, limits: PublishLimits, seed: int, count: int) -> float:
    with engine.connect() as connection:
        account = directory.get_account(connection, "alice")
    payloads = bundles(feed(count, seed=seed), 1_000)
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
                limits=limits,
            )
            assert report.count("rejected") == 0, report.errors[:3]
    return count / (time.perf_counter() - start)


def alert_latency(engine: Engine, samples: int) -> list[float]:
    """Seconds from a publish call to the watching party reading its alert."""
    with engine.begin() as connection:
        alice = directory.get_account(connection, "alice")
        reader = directory.get_account(connection, "analyst-p1")
        made = watches.add_watch(
            connection, reader, watches.WatchRequest(name="Zelimkhan Dzhabrailov"), door="cli"
        )
        watch_id = connection.execute(
            select(watch_table.c.id).where(
                watch_table.c.party_id == reader.party.id, watch_table.c.number == made["id"]
            )
        ).scalar_one()
    found: list[float] = []
    for n in range(samples):
        obj = {
            "type": "identity",
            "spec_version": "2.1",
            "id": f"identity--{uuid.uuid4()}",
            "created": "2026-01-01T00:00:00.000Z",
            "modified": "2026-01-01T00:00:00.000Z",
            "name": "Зелимхан Джабраилов" if n % 2 else "Zelimkhan Dzhabrailov",
            "identity_class": "individual",
        }
        start = time.perf_counter()
        with engine.begin() as connection:
            publish_bytes(
                connection,
                alice,
                orjson.dumps(obj),
                audience="network",
                tlp=Tlp.GREEN,
                door="cli",
                limits=ON,
            )
        while True:
            with engine.connect() as connection:
                raised = connection.execute(
                    select(func.count())
                    .select_from(alerts)
                    .where(alerts.c.watch_id == watch_id, alerts.c.stix_id == obj["id"])
                ).scalar_one()
            if raised:
                break
            time.sleep(0.005)
        found.append(time.perf_counter() - start)
    return found


def storage(engine: Engine) -> dict[str, float]:
    with engine.connect() as connection:
        rows = connection.execute(select(func.count()).select_from(correlation_keys)).scalar_one()
        count = connection.execute(select(func.count()).select_from(objects)).scalar_one()
        if engine.dialect.name == "postgresql":
            size = connection.execute(
                text("SELECT pg_total_relation_size('correlation_keys')")
            ).scalar_one()
        else:
            size = connection.execute(
                text(
                    "SELECT SUM(pgsize) FROM dbstat WHERE name IN ('correlation_keys', "
                    "'ix_correlation_value', 'ix_correlation_object', 'ix_correlation_range')"
                )
            ).scalar_one()
    return {
        "objects": count,
        "rows": rows,
        "rows_per_object": rows / count,
        "bytes_per_object": size / count,
        "bytes_per_row": size / max(rows, 1),
    }


def growth(kind: str, pg: str | None) -> list[tuple[int, int, int]]:
    """(objects sharing one value, rows stored for it, pairs MISP would store)."""
    out = []
    with fresh_store(kind, pg) as (_url, engine):
        with engine.begin() as connection:
            admin.add_account(connection, HOST, "alice", "p0", "publisher")
            account = directory.get_account(connection, "alice")
        held = 0
        for target in (10, 100, 1_000, 10_000):
            items = [
                {
                    "type": "indicator",
                    "spec_version": "2.1",
                    "id": f"indicator--{uuid.uuid4()}",
                    "created": "2026-01-01T00:00:00.000Z",
                    "modified": "2026-01-01T00:00:00.000Z",
                    "pattern": "[domain-name:value = 'shared.example']",
                    "pattern_type": "stix",
                    "valid_from": "2026-01-01T00:00:00Z",
                }
                for _ in range(target - held)
            ]
            for payload in bundles(items, 2_000):
                with engine.begin() as connection:
                    publish_bytes(
                        connection,
                        account,
                        payload,
                        audience="network",
                        tlp=Tlp.GREEN,
                        door="cli",
                        limits=ON,
                    )
            held = target
            drain(engine)
            with engine.connect() as connection:
                rows = connection.execute(
                    select(func.count())
                    .select_from(correlation_keys)
                    .where(correlation_keys.c.value == "shared.example")
                ).scalar_one()
            out.append((target, rows, target * (target - 1) // 2))
    return out


@contextmanager
def matcher(url: str) -> Iterator[None]:
    """The matcher in a process of its own, as ``accord serve`` runs it beside the API."""
    code = (
        "import threading, sys\n"
        "from accord.store.engine import make_engine\n"
        "from accord.acts.alerts import match_forever\n"
        "match_forever(make_engine(sys.argv[1]), threading.Event(), interval=0.1)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code, url])
    try:
        yield
    finally:
        process.kill()
        process.wait()


def run(kind: str, pg: str | None, count: int, watch_count: int, runs: int) -> dict[str, Any]:
    result: dict[str, Any] = {"store": kind}
    with fresh_store(kind, pg) as (url, engine):
        with engine.begin() as connection:
            admin.add_account(connection, HOST, "alice", "p0", "publisher")
        start = time.perf_counter()
        add_watches(engine, watch_count)
        result["watches_seconds"] = time.perf_counter() - start
        say(f"{kind}: {watch_count:,} watches in {result['watches_seconds']:.0f} s")
        result["load_rate"] = load(engine, count)
        say(f"{kind}: loaded at {result['load_rate']:.0f} obj/s")
        start = time.perf_counter()
        matched = drain(engine)
        result["match_rate"] = matched / (time.perf_counter() - start)
        say(f"{kind}: matched {matched:,} at {result['match_rate']:.0f}/s")
        on, off, on_busy, off_busy = [], [], [], []
        for n in range(runs):
            off.append(publish_rate(engine, OFF, seed=50 + 4 * n, count=10_000))
            on.append(publish_rate(engine, ON, seed=51 + 4 * n, count=10_000))
            drain(engine)
            say(f"{kind}: run {n + 1}: off {off[-1]:.0f}, on {on[-1]:.0f} obj/s")
        with matcher(url):
            for n in range(runs):
                off_busy.append(publish_rate(engine, OFF, seed=52 + 4 * n, count=10_000))
                on_busy.append(publish_rate(engine, ON, seed=53 + 4 * n, count=10_000))
            drain(engine)
            say(f"{kind}: busy runs done")
            latency = sorted(alert_latency(engine, 40))
        result["off"], result["on"] = statistics.median(off), statistics.median(on)
        result["off_runs"], result["on_runs"] = off, on
        result["off_busy"], result["on_busy"] = (
            statistics.median(off_busy),
            statistics.median(on_busy),
        )
        result["alert_p50"] = statistics.median(latency)
        result["alert_p90"] = latency[int(len(latency) * 0.9)]
        result["storage"] = storage(engine)
        with engine.connect() as connection:
            result["alerts"] = connection.execute(text("SELECT COUNT(*) FROM alerts")).scalar_one()
    result["growth"] = growth(kind, pg)
    return result


def say(line: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {line}", flush=True)


def report(result: dict[str, Any]) -> None:
    s = result["storage"]
    print(f"\n## {result['store']}")
    print(
        f"watches added in {result['watches_seconds']:.1f} s; load {result['load_rate']:.0f} obj/s"
    )
    print(f"stored: {s['objects']:,} object versions, {result['alerts']:,} alerts raised")
    ratio = result["on"] / result["off"]
    print(
        f"publish (library path, bundles of 1,000): correlation off {result['off']:.0f} obj/s, "
        f"on {result['on']:.0f} obj/s = {ratio:.2f} of off (runs off {result['off_runs']}, "
        f"on {result['on_runs']})"
    )
    busy = result["on_busy"] / result["off_busy"]
    print(
        f"  with the matcher running beside it: off {result['off_busy']:.0f} obj/s, "
        f"on {result['on_busy']:.0f} obj/s = {busy:.2f} of off"
    )
    print(f"matcher: {result['match_rate']:.0f} queued versions matched per second")
    p50, p90 = result["alert_p50"] * 1000, result["alert_p90"] * 1000
    print(f"publish to alert: p50 {p50:.0f} ms, p90 {p90:.0f} ms")
    print(
        f"correlation store: {s['rows_per_object']:.2f} rows and {s['bytes_per_object']:.0f} bytes "
        f"per object ({s['bytes_per_row']:.0f} bytes per row)"
    )
    print("objects sharing one value | rows stored | pairs MISP stores")
    for objects_, rows, pairs in result["growth"]:
        print(f"{objects_:>25,} | {rows:>11,} | {pairs:>17,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=1_000_000)
    parser.add_argument("--watches", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg", default=os.environ.get("ACCORD_TEST_DATABASE_URL"))
    parser.add_argument("--store", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--existing",
        help="a store an earlier run filled (its URL): measure publish-to-alert latency only",
    )
    args = parser.parse_args()
    if args.existing:
        engine = make_engine(args.existing)
        with matcher(args.existing):
            drain(engine)
            latency = sorted(alert_latency(engine, 40))
        print(f"store {args.existing}: {storage(engine)['objects']:,} object versions")
        p50, p90 = statistics.median(latency) * 1000, latency[int(len(latency) * 0.9)] * 1000
        print(f"publish to alert: p50 {p50:.0f} ms, p90 {p90:.0f} ms")
        return
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"objects {args.objects:,}, watches {args.watches:,}, runs {args.runs}")
    kinds = ["sqlite", "postgresql"] if args.store == "both" else [args.store]
    for kind in kinds:
        if kind == "postgresql" and not args.pg:
            print("PostgreSQL: no server given (--pg); skipped")
            continue
        report(run(kind, args.pg, args.objects, args.watches, args.runs))


if __name__ == "__main__":
    main()
