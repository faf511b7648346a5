"""Locust users for bench/load.py: an analyst's reads and a screening, one account's token.

Run by bench/load.py in a process of its own (locust monkey-patches with gevent):

    ACCORD_BENCH_TOKEN=... ACCORD_BENCH_OBJECT=... locust --headless -f bench/locustfile.py

Each request kind is named, so that locust's statistics come per kind.
"""

from __future__ import annotations

import os

from locust import FastHttpUser, constant, task

TOKEN = os.environ.get("ACCORD_BENCH_TOKEN", "")
OBJECT = os.environ.get("ACCORD_BENCH_OBJECT", "")
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
SCREEN = {"name": "Usama bin Laden"}


class Analyst(FastHttpUser):  # type: ignore[misc]
    wait_time = constant(0)

    @task
    def list_page(self) -> None:
        self.client.get("/api/v1/objects?limit=10", headers=HEADERS, name="list page")

    @task
    def one_object(self) -> None:
        self.client.get(f"/api/v1/objects/{OBJECT}", headers=HEADERS, name="one object")

    @task
    def me(self) -> None:
        self.client.get("/api/v1/me", headers=HEADERS, name="/api/v1/me")

    @task
    def screen(self) -> None:
        self.client.post("/api/v1/screen", json=SCREEN, headers=HEADERS, name="screening")
