"""A node under concurrent load: the same workload against main's code and this tree's.

    python -m bench.load --before /tmp/accord-main [--pg URL] [--objects 20000] [--runs 3]

For each tree (``--before``: a checkout of main; the tree this module is in: after) and each
store (SQLite; PostgreSQL when ``--pg`` or ``ACCORD_TEST_DATABASE_URL`` names one), a fresh
database gets the demo node, the UN consolidated list of tests/data as its register and
``--objects`` synthetic objects (published over HTTP), then ``accord serve`` runs and locust
(its own process: gevent) drives 16 and 64 clients for ``--seconds`` each, every client
looping over a 10-object list page, one object, /api/v1/me and screening one name. Figures
per kind of request: requests/s, p50, p99 (ms), failures; medians of ``--runs`` runs, the
trees run alternately so that a noisy machine moves both. The request limits are off in
these runs (one account makes every request); ``--workers`` applies to PostgreSQL, after.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench.synthetic import objects
from tests.servers import free_port

HERE = Path(__file__).resolve().parent.parent
KINDS = ("list page", "one object", "/api/v1/me", "screening")
NO_LIMITS = {
    "ACCORD_ACCOUNT_REQUESTS_PER_SECOND": "0",
    "ACCORD_ACCOUNT_CONCURRENT_REQUESTS": "0",
    "ACCORD_PARTY_REQUESTS_PER_SECOND": "0",
    "ACCORD_PARTY_CONCURRENT_REQUESTS": "0",
    "ACCORD_SYNC_INTERVAL": "0",
}


def _cli(tree: Path, url: str, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(tree), **NO_LIMITS}
    code = "from accord.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, "--db", url, *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tree,
    )
    return done.stdout


def _drop_schemas(base: str, urls: list[str]) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(base)
    with engine.begin() as connection:
        for url in urls:
            schema = url.rsplit("%3D", 1)[1]
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


def _pg_url(base: str) -> str:
    """A fresh schema on the benchmark's PostgreSQL, as a URL a server process uses."""
    from sqlalchemy import create_engine, text

    schema = f"bench_load_{uuid.uuid4().hex[:8]}"
    engine = create_engine(base)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    return f"{base}?options=-csearch_path%3D{schema}"


class Node:
    def __init__(self, tree: Path, url: str, workers: int, count: int, log: Path) -> None:
        self.tree, self.url, self.workers, self.log = tree, url, workers, log
        _cli(tree, url, "init")
        demo = _cli(tree, url, "demo")
        tokens = {line.split()[0]: line.split()[-1] for line in demo.splitlines() if "acc_" in line}
        publisher = next(t for name, t in tokens.items() if "analyst" in name or "pub" in name)
        self.token = publisher
        register = HERE / "tests" / "data" / "consolidated-2017-07-03.xml"
        _cli(tree, url, "register", "import", "un-xml", str(register))
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._start()
        self.object = self._publish(count)

    def _start(self) -> None:
        args = ["serve", "--port", str(self.port)]
        if self.workers > 1:
            args += ["--workers", str(self.workers)]
        env = {**os.environ, "PYTHONPATH": str(self.tree), **NO_LIMITS}
        code = "from accord.cli import main; main()"
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, "--db", self.url, *args],
            env=env,
            cwd=self.tree,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.tree}: server did not start: {self.log.read_text()[-2000:]}")

    def _publish(self, count: int) -> str:
        made = objects(count, seed=7)
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        with httpx.Client(base_url=self.base, timeout=600) as client:
            for start in range(0, len(made), 2000):
                body = orjson.dumps(
                    {
                        "type": "bundle",
                        "id": f"bundle--{uuid.uuid4()}",
                        "objects": made[start : start + 2000],
                    }
                )
                answer = client.post(
                    "/api/v1/objects?audience=network&tlp=green", content=body, headers=headers
                )
                answer.raise_for_status()
            page = client.get("/api/v1/objects?limit=1", headers=headers).json()
        return str(page["items"][0]["object"]["id"])

    def stop(self) -> None:
        import signal

        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(60)


def drive(node: Node, users: int, seconds: int, folder: Path) -> dict[str, dict[str, float]]:
    env = {"ACCORD_BENCH_TOKEN": node.token, "ACCORD_BENCH_OBJECT": node.object}
    found = run_locust("locustfile.py", node.base, users, seconds, env, folder)
    return {name: row for name, row in found.items() if name in KINDS}


def run_locust(
    locustfile: str,
    base: str,
    users: int,
    seconds: int,
    env: dict[str, str],
    folder: Path,
    classes: tuple[str, ...] = (),
) -> dict[str, dict[str, float]]:
    """Run ``bench/<locustfile>`` headless against ``base`` and read its summary: per request
    name, requests/s, p50, p99 (ms), failures and requests."""
    prefix = folder / f"run-{uuid.uuid4().hex[:6]}"
    locust = Path(sys.executable).with_name("locust")
    subprocess.run(
        [
            str(locust),
            "--headless",
            "-f",
            str(HERE / "bench" / locustfile),
            "-u",
            str(users),
            "-r",
            str(users),
            "-t",
            f"{seconds}s",
            "--host",
            base,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "ERROR",
            *classes,
        ],
        env={**os.environ, **env},
        check=False,
        capture_output=True,
    )
    found: dict[str, dict[str, float]] = {}
    with Path(f"{prefix}_stats.csv").open() as handle:
        for row in csv.DictReader(handle):
            if row["Name"] and row["50%"] != "N/A":
                found[row["Name"]] = {
                    "rps": float(row["Requests/s"]),
                    "p50": float(row["50%"]),
                    "p99": float(row["99%"]),
                    "failures": float(row["Failure Count"]),
                    "requests": float(row["Request Count"]),
                }
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", type=Path, required=True, help="a checkout of main")
    parser.add_argument("--pg", default=os.environ.get("ACCORD_TEST_DATABASE_URL"))
    parser.add_argument("--objects", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--users", default="16,64")
    parser.add_argument("--stores", default="sqlite,postgresql")
    options = parser.parse_args()
    users = [int(u) for u in options.users.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="accord-load-"))
    results: dict[tuple[str, str, int], list[dict[str, dict[str, float]]]] = {}
    for store in options.stores.split(","):
        if store == "postgresql" and not options.pg:
            continue
        nodes = {}
        for label, tree in (("before", options.before.resolve()), ("after", HERE)):
            if store == "sqlite":
                url = f"sqlite:///{folder / (label + '.db')}"
                workers = 1
            else:
                url = _pg_url(options.pg.replace("+psycopg", "+psycopg"))
                workers = options.workers if label == "after" else 1
            nodes[label] = Node(tree, url, workers, options.objects, folder / f"{label}.log")
        try:
            for count in users:
                for _ in range(options.runs):
                    for label, node in nodes.items():
                        key = (store, label, count)
                        results.setdefault(key, []).append(
                            drive(node, count, options.seconds, folder)
                        )
        finally:
            for node in nodes.values():
                node.stop()
            if store == "postgresql":
                _drop_schemas(options.pg, [node.url for node in nodes.values()])
        if store == "sqlite":
            for label in nodes:
                size = sum(
                    path.stat().st_size for path in folder.glob(f"{label}.db*") if path.is_file()
                )
                print(f"# sqlite {label}: {size / 1e6:.1f} MB for {options.objects} objects")
    print("| store | code | clients | request | requests/s | p50 ms | p99 ms | failures |")
    print("|---|---|---|---|---|---|---|---|")
    for (store, label, count), runs in results.items():
        for kind in KINDS:
            rows = [run[kind] for run in runs if kind in run]
            if not rows:
                continue
            median: dict[str, Any] = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
            print(
                f"| {store} | {label} | {count} | {kind} | {median['rps']:.0f} | "
                f"{median['p50']:.0f} | {median['p99']:.0f} | {median['failures']:.0f} |"
            )


if __name__ == "__main__":
    main()
