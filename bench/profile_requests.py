"""Server CPU per request, in process: Accord's small reads beside a bare endpoint.

    python -m bench.profile_requests [--pg URL] [--objects 2000] [--requests 400]
                                     [--profile KIND] [--stores sqlite,postgresql]

For each store a fresh database gets the demo node, the UN consolidated list of tests/data
as register and ``--objects`` synthetic objects (published through the act, in one
transaction: no HTTP). The node's ASGI application is then called directly, one request
after another, with its real thread pool and audit batcher; the process's CPU time (every
thread) over ``--requests`` requests, divided by their number, is the CPU per request. A
bare application of the same framework (one route returning a body of the same size)
runs in the same process for the ceiling.

``--profile KIND`` runs that kind again under cProfile with the thread pool replaced by a
direct call (so that one profiler sees the route, its dependencies and the act) and prints
the 30 heaviest functions by cumulative time; the batcher's thread is profiled apart.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson

from bench.synthetic import objects

HERE = Path(__file__).resolve().parent.parent
#: Objects made and published per transaction by prepare_store.
STORE_CHUNK = 50_000
REGISTER = HERE / "tests" / "data" / "consolidated-2017-07-03.xml"
NO_LIMITS = {
    "ACCORD_ACCOUNT_REQUESTS_PER_SECOND": "0",
    "ACCORD_ACCOUNT_CONCURRENT_REQUESTS": "0",
    "ACCORD_PARTY_REQUESTS_PER_SECOND": "0",
    "ACCORD_PARTY_CONCURRENT_REQUESTS": "0",
    "ACCORD_SYNC_INTERVAL": "0",
}


def _cli(url: str, *args: str) -> str:
    env = {**os.environ, **NO_LIMITS}  # the tree on PYTHONPATH is the one measured
    code = "from accord.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, "--db", url, *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE,
    ).stdout


def prepare_store(url: str, count: int) -> dict[str, str]:
    """A demo node with the register and ``count`` objects; the demo accounts' tokens.

    The objects are made and published 50,000 at a time (one transaction each, seeds 7,
    8, ...), so that a million fits in memory; then the alert matcher's queue is drained,
    as on a node that has caught up with what it stored."""
    from accord.acts.alerts import drain
    from accord.acts.publish import publish_objects
    from accord.stix.markings import Tlp
    from accord.store import directory
    from accord.store.engine import make_engine

    _cli(url, "init")
    demo = _cli(url, "demo")
    tokens = {line.split()[0]: line.split()[-1] for line in demo.splitlines() if "acc_" in line}
    _cli(url, "register", "import", "un-xml", str(REGISTER))
    engine = make_engine(url)
    began = time.monotonic()
    for first in range(0, count, STORE_CHUNK):
        made = objects(min(STORE_CHUNK, count - first), seed=7 + first // STORE_CHUNK)
        with engine.begin() as connection:
            account = directory.get_account(connection, "kz-analyst")
            for start in range(0, len(made), 5000):
                publish_objects(
                    connection,
                    account,
                    made[start : start + 5000],
                    audience="network",
                    tlp=Tlp.GREEN,
                    door="cli",
                )
        if count > STORE_CHUNK:
            done = first + len(made)
            rate = done / (time.monotonic() - began)
            print(f"stored {done:,} of {count:,} objects ({rate:,.0f}/s)", flush=True)
    began = time.monotonic()
    matched = drain(engine)
    if count > STORE_CHUNK:
        print(f"alert queue drained: {matched:,} in {time.monotonic() - began:.0f} s", flush=True)
    engine.dispose()
    return tokens


class Request:
    def __init__(self, name: str, method: str, path: str, body: bytes = b"", **headers: str):
        self.name, self.method, self.body = name, method, body
        self.path, _, self.query = path.partition("?")
        self.headers = [
            (k.lower().replace("_", "-").encode(), v.encode()) for k, v in headers.items()
        ]


async def call(app: Any, request: Request) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": "http",
        "path": request.path,
        "raw_path": request.path.encode(),
        "query_string": request.query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), *request.headers],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": request.body, "more_body": False}

    status = 0
    chunks: list[bytes] = []

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


def requests_of(tokens: dict[str, str], object_id: str, collection: str) -> list[Request]:
    auth = {"authorization": f"Bearer {tokens['kz-analyst']}"}
    taxii = {"accept": "application/taxii+json;version=2.1"}
    screen = orjson.dumps({"name": "Usama bin Laden"})
    return [
        Request("/api/v1/me", "GET", "/api/v1/me", **auth),
        Request("list page", "GET", "/api/v1/objects?limit=10", **auth),
        Request("one object", "GET", f"/api/v1/objects/{object_id}", **auth),
        Request(
            "taxii page",
            "GET",
            f"/taxii2/api/collections/{collection}/objects/?limit=10",
            **auth,
            **taxii,
        ),
        Request(
            "screening",
            "POST",
            "/api/v1/screen",
            screen,
            **auth,
            content_type="application/json",
        ),
    ]


def bare_app(size: int) -> Any:
    """The framework's ceiling: one route, no dependency, a JSON body of ``size`` bytes."""
    from fastapi import FastAPI
    from fastapi.responses import Response

    app = FastAPI()
    body = orjson.dumps({"pad": "x" * max(0, size - 10)})

    @app.get("/bare")
    def bare() -> Response:
        return Response(body, media_type="application/json")

    return app


async def cpu_per_request(app: Any, request: Request, count: int) -> float:
    for _ in range(20):  # warm: caches, the pool's connections, the screening index
        status, _body = await call(app, request)
        assert status == 200, (request.name, status, _body[:300])
    start = time.process_time()
    for _ in range(count):
        await call(app, request)
    return (time.process_time() - start) / count * 1000


def profile(app: Any, request: Request, count: int) -> None:
    import fastapi.dependencies.utils
    import fastapi.routing
    import starlette.concurrency

    from accord import audit_batch

    async def inline(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    for module in (starlette.concurrency, fastapi.routing, fastapi.dependencies.utils):
        if hasattr(module, "run_in_threadpool"):
            module.run_in_threadpool = inline  # type: ignore[attr-defined]
    batch_profile = cProfile.Profile()
    original = audit_batch.Batcher._commit

    def commit(self: Any, batch: Any) -> None:
        batch_profile.enable()
        try:
            original(self, batch)
        finally:
            batch_profile.disable()

    audit_batch.Batcher._commit = commit  # type: ignore[method-assign]
    run: Callable[[], Awaitable[None]]

    async def run() -> None:
        for _ in range(20):
            await call(app, request)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(count):
            await call(app, request)
        profiler.disable()
        stats = pstats.Stats(profiler)
        print(f"## {request.name}: {stats.total_tt / count * 1000:.2f} ms a request (profiled)")  # type: ignore[attr-defined]
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(40)
        print("## the batcher's thread")
        try:
            pstats.Stats(batch_profile).sort_stats("tottime").print_stats(25)
        except TypeError:
            print("(nothing profiled)")

    asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default=os.environ.get("ACCORD_TEST_DATABASE_URL"))
    parser.add_argument("--objects", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--profile", default=None, help="a kind of request to profile")
    options = parser.parse_args()
    for key, value in NO_LIMITS.items():
        os.environ[key] = value
    folder = Path(tempfile.mkdtemp(prefix="accord-cpu-"))
    for store in options.stores.split(","):
        if store == "postgresql" and not options.pg:
            continue
        schema = None
        if store == "sqlite":
            url = f"sqlite:///{folder / 'cpu.db'}"
        else:
            from sqlalchemy import create_engine, text

            schema = f"bench_cpu_{uuid.uuid4().hex[:8]}"
            admin = create_engine(options.pg.replace("postgresql://", "postgresql+psycopg://", 1))
            with admin.begin() as connection:
                connection.execute(text(f"CREATE SCHEMA {schema}"))
            url = f"{options.pg}?options=-csearch_path%3D{schema}"
        try:
            measure(store, url, options)
        finally:
            if schema is not None:
                with admin.begin() as connection:
                    connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
                admin.dispose()


def measure(store: str, url: str, options: argparse.Namespace) -> None:
    from accord.api import create_app
    from accord.config import Settings
    from accord.federation.collections import collection_id

    tokens = prepare_store(url, options.objects)
    settings = Settings.from_env(database_url=url)
    app = create_app(settings)

    async def lifespan_and_run() -> None:
        first = requests_of(tokens, "", collection_id("network"))[1]
        _status, page = await call(app, first)
        object_id = orjson.loads(page)["items"][0]["object"]["id"]
        kinds = requests_of(tokens, object_id, collection_id("network"))
        if options.profile:
            return
        print(f"# {store}, {options.objects} objects, {options.requests} requests a figure")
        print("| request | answer bytes | Accord CPU ms | bare CPU ms | bare / Accord |")
        print("|---|---|---|---|---|")
        for request in kinds:
            _s, answer = await call(app, request)
            bare = bare_app(len(answer))
            bare_request = Request("bare", "GET", "/bare")
            accord_ms = []
            bare_ms = []
            for _ in range(options.runs):
                accord_ms.append(await cpu_per_request(app, request, options.requests))
                bare_ms.append(await cpu_per_request(bare, bare_request, options.requests))
            a, b = statistics.median(accord_ms), statistics.median(bare_ms)
            print(f"| {request.name} | {len(answer)} | {a:.2f} | {b:.2f} | {b / a:.2f} |")

    asyncio.run(lifespan_and_run())
    if options.profile:

        async def kinds_of() -> list[Request]:
            first = requests_of(tokens, "", collection_id("network"))[1]
            _status, page = await call(app, first)
            object_id = orjson.loads(page)["items"][0]["object"]["id"]
            return requests_of(tokens, object_id, collection_id("network"))

        kinds = asyncio.run(kinds_of())
        chosen = next(r for r in kinds if r.name == options.profile)
        print(f"# {store}")
        profile(app, chosen, options.requests)
    app.state.context.close()


if __name__ == "__main__":
    main()
