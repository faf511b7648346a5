"""The issue's mixed workload by role, with the bare ceiling and one-client latency in the
same run (issue 17).

    python -m bench.load_mixed [--pg URL] [--objects 20000] [--seconds 10]
                               [--users 16,64,256] [--stores sqlite,postgresql]

For each store a fresh database (PostgreSQL: a schema of its own, dropped at the end) gets
the demo node, the UN consolidated list of tests/data as register and ``--objects``
synthetic objects, stored through the publish act in process (no HTTP). Then ``accord
serve`` runs (SQLite: one process; PostgreSQL: ``--workers``) beside the bare ceiling
(bench/bare_app.py: the same framework and server, one route answering as many bytes as
an audited small read, as many workers), and locust (bench/locust_mixed.py, its own
process, no wait) drives, at each client count:

- ``bare``: the bare endpoint;
- ``reads``: analysts only (list page, one object, /api/v1/me): audited small reads;
- ``mixed``: analysts, a SIEM polling TAXII, a partner node syncing, screening singles
  and batches, publishers (weights 4, 2, 1, 2, 1);

then publishers alone (as many as the mixed run at 64 clients has) and one client
(analyst, then bare) for the latency of a lone request. The request limits are off (429s
would be counted apart, never as failures). Prints one table: requests/s, p50, p99 (ms),
failures and 429s per kind, and each run's total against the bare ceiling.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import orjson

from bench.load import run_locust
from bench.profile_requests import NO_LIMITS, prepare_store
from tests.servers import free_port

HERE = Path(__file__).resolve().parent.parent
ROLES = {
    "analyst": "kz-analyst",
    "siem": "kz-reader",
    "partner": "peer-ru-nac",
    "screener": "cn-analyst",
    "publisher": "ru-analyst",
}
MIXED = ("Analyst", "Siem", "Partner", "Screener", "Publisher")


def _spawn(args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, *args],
        env={**os.environ, **NO_LIMITS, **env},
        cwd=HERE,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait(base: str, path: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base}{path}", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError(f"server did not start: {log.read_text()[-2000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    import signal

    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def drive(
    base: str, users: int, seconds: int, classes: tuple[str, ...], env: dict[str, str], folder: Path
) -> dict[str, dict[str, float]]:
    return run_locust("locust_mixed.py", base, users, seconds, env, folder, classes)


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def measure(store: str, url: str, workers: int, options: argparse.Namespace) -> list[str]:
    from accord.federation.collections import collection_id

    folder = Path(tempfile.mkdtemp(prefix=f"accord-mixed-{store}-"))
    started = time.monotonic()
    tokens = prepare_store(url, options.objects)
    loaded = time.monotonic() - started
    port, bare_port = free_port(), free_port()
    base, bare_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bare_port}"
    code = "from accord.cli import main; main()"
    serve = ["-c", code, "--db", url, "serve", "--port", str(port)]
    if workers > 1:
        serve += ["--workers", str(workers)]
    node = _spawn(serve, folder / "serve.log", {"PYTHONPATH": str(HERE)})
    lines = [
        f"# {store}: {options.objects} objects stored in {loaded:.0f} s; accord serve "
        f"{workers} worker(s); load average at start {_loadavg()}"
    ]
    bare = None
    try:
        _wait(base, "/health", node, folder / "serve.log")
        role_tokens = {role: tokens[name] for role, name in ROLES.items()}
        auth = {"Authorization": f"Bearer {role_tokens['analyst']}"}
        page = httpx.get(f"{base}/api/v1/objects?limit=10", headers=auth, timeout=60).json()
        object_id = page["items"][0]["object"]["id"]
        size = len(httpx.get(f"{base}/api/v1/objects/{object_id}", headers=auth).content)
        env = {
            "ACCORD_BENCH_TOKENS": json.dumps(role_tokens),
            "ACCORD_BENCH_OBJECT": object_id,
            "ACCORD_BENCH_COLLECTION": collection_id("network"),
        }
        bare = _spawn(
            ["-m", "bench.bare_app", str(bare_port), str(workers)],
            folder / "bare.log",
            {"PYTHONPATH": str(HERE), "ACCORD_BARE_BYTES": str(size)},
        )
        _wait(bare_base, "/bare", bare, folder / "bare.log")
        runs: list[tuple[str, int, dict[str, dict[str, float]]]] = []
        seconds = options.seconds
        runs.append(("one client", 1, drive(base, 1, seconds, ("Analyst",), env, folder)))
        runs.append(("one client bare", 1, drive(bare_base, 1, seconds, ("Bare",), env, folder)))
        for users in options.users:
            runs.append(("bare", users, drive(bare_base, users, seconds, ("Bare",), env, folder)))
            runs.append(("reads", users, drive(base, users, seconds, ("Analyst",), env, folder)))
            runs.append(("mixed", users, drive(base, users, seconds, MIXED, env, folder)))
        publishers = max(1, round(64 / 10))
        runs.append(
            (
                "publish alone",
                publishers,
                drive(base, publishers, seconds, ("Publisher",), env, folder),
            )
        )
    finally:
        _stop(node)
        if bare is not None:
            _stop(bare)
    lines.append(f"# load average at the end {_loadavg()}; answer of one object: {size} bytes")
    lines.append("| run | clients | request | requests/s | p50 ms | p99 ms | failures |")
    lines.append("|---|---|---|---|---|---|---|")
    ceiling = {
        users: found.get("Aggregated", {}).get("rps", 0.0)
        for name, users, found in runs
        if name == "bare"
    }
    for name, users, found in runs:
        for kind, row in found.items():
            if kind == "Aggregated" and len(found) == 2:
                continue  # one kind: the aggregate repeats it
            lines.append(
                f"| {name} | {users} | {kind} | {row['rps']:.0f} | {row['p50']:.0f} | "
                f"{row['p99']:.0f} | {row['failures']:.0f} |"
            )
        if name in ("reads", "mixed") and ceiling.get(users):
            total = found.get("Aggregated", {}).get("rps", 0.0)
            share = total / ceiling[users]
            lines.append(f"| {name} | {users} | **of the bare ceiling** | {share:.2f} | | | |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default=os.environ.get("ACCORD_TEST_DATABASE_URL"))
    parser.add_argument("--objects", type=int, default=20_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--users", default="16,64,256")
    parser.add_argument("--stores", default="sqlite,postgresql")
    options = parser.parse_args()
    options.users = [int(u) for u in options.users.split(",")]
    out: list[str] = []
    for store in options.stores.split(","):
        if store == "sqlite":
            folder = Path(tempfile.mkdtemp(prefix="accord-mixed-db-"))
            out += measure(store, f"sqlite:///{folder / 'load.db'}", 1, options)
        elif options.pg:
            from sqlalchemy import create_engine, text

            schema = f"accord_load_{uuid.uuid4().hex[:6]}"
            admin = create_engine(options.pg.replace("postgresql://", "postgresql+psycopg://", 1))
            with admin.begin() as connection:
                connection.execute(text(f"CREATE SCHEMA {schema}"))
            try:
                url = f"{options.pg}?options=-csearch_path%3D{schema}"
                out += measure(store, url, options.workers, options)
            finally:
                with admin.begin() as connection:
                    connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
                admin.dispose()
        print("\n".join(out), flush=True)
        out = []


if __name__ == "__main__":
    _ = orjson  # the locustfile's bodies are JSON; orjson is what the node answers with
    main()
