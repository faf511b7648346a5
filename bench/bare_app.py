"""The framework's ceiling for bench/load_mixed.py: FastAPI under uvicorn, one route and no
dependency, answering a JSON body of ``ACCORD_BARE_BYTES`` bytes (the size of an audited
small read's answer). Served like ``accord serve``: one process, or uvicorn's supervisor
with the same listening socket (``accord.cli_serve.listener``: TCP_NODELAY).

    python -m bench.bare_app PORT WORKERS
"""

from __future__ import annotations

import os
import sys

import orjson
from fastapi import FastAPI
from fastapi.responses import Response


def app() -> FastAPI:
    made = FastAPI()
    size = int(os.environ.get("ACCORD_BARE_BYTES", "600"))
    body = orjson.dumps({"pad": "x" * max(0, size - 10)})

    @made.get("/bare")
    def bare() -> Response:  # a sync route, as Accord's reads are (the thread pool)
        return Response(body, media_type="application/json")

    return made


def main() -> None:
    import uvicorn
    from uvicorn import Config

    from accord.cli_serve import Supervisor, listener

    port, workers = int(sys.argv[1]), int(sys.argv[2])
    if workers == 1:
        uvicorn.run(app(), host="127.0.0.1", port=port, log_level="warning")
        return
    config = Config(
        "bench.bare_app:app",
        factory=True,
        host="127.0.0.1",
        port=port,
        workers=workers,
        log_level="warning",
    )
    Supervisor(config, sockets=[listener("127.0.0.1", port)]).run()


if __name__ == "__main__":
    main()
