"""Locust users for bench/load_mixed.py: the issue's mixed workload, one class per role.

    ACCORD_BENCH_TOKENS='{"analyst": ..., ...}' ACCORD_BENCH_OBJECT=... ACCORD_BENCH_COLLECTION=...
    locust --headless -f bench/locust_mixed.py [Analyst Siem Partner Screener Publisher | Bare]

Analysts read list pages, objects and /api/v1/me; a SIEM polls TAXII pages; a partner node
syncs (TAXII manifest and objects pages, each its own account); screening desks send single
names and batches of 20; publishers publish bundles of 10 new objects. ``Bare`` hits the
bare ceiling's endpoint (bench/bare_app.py). Each kind of request is named, so locust's
statistics come per kind; a 429 counts apart ("429" in the name) and is no failure.
"""

from __future__ import annotations

import json
import os
import uuid

from locust import FastHttpUser, constant, task

TOKENS: dict[str, str] = json.loads(os.environ.get("ACCORD_BENCH_TOKENS", "{}"))
OBJECT = os.environ.get("ACCORD_BENCH_OBJECT", "")
COLLECTION = os.environ.get("ACCORD_BENCH_COLLECTION", "")
TAXII = "application/taxii+json;version=2.1"
BATCH = {"queries": [{"name": name} for name in ("Usama bin Laden", "Ayman al-Zawahiri") * 10]}


def _auth(role: str, **more: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS.get(role, '')}", **more}


class _Role(FastHttpUser):  # type: ignore[misc]
    abstract = True
    wait_time = constant(0)

    def call(self, method: str, path: str, name: str, **kwargs: object) -> None:
        with self.client.request(method, path, name=name, catch_response=True, **kwargs) as got:
            if got.status_code == 429:
                got.request_meta["name"] = f"{name} (429)"
                got.success()
            elif got.status_code >= 400 or got.status_code == 0:
                got.failure(f"{got.status_code}")


class Analyst(_Role):
    weight = 4

    @task(2)
    def list_page(self) -> None:
        self.call("GET", "/api/v1/objects?limit=10", "list page", headers=_auth("analyst"))

    @task(2)
    def one_object(self) -> None:
        self.call("GET", f"/api/v1/objects/{OBJECT}", "one object", headers=_auth("analyst"))

    @task(1)
    def me(self) -> None:
        self.call("GET", "/api/v1/me", "/api/v1/me", headers=_auth("analyst"))


class Siem(_Role):
    weight = 2

    @task
    def poll(self) -> None:
        path = f"/taxii2/api/collections/{COLLECTION}/objects/?limit=10"
        self.call("GET", path, "taxii page", headers=_auth("siem", Accept=TAXII))


class Partner(_Role):
    weight = 1

    @task
    def sync(self) -> None:
        root = f"/taxii2/api/collections/{COLLECTION}"
        headers = _auth("partner", Accept=TAXII)
        self.call("GET", f"{root}/manifest/?limit=100", "sync manifest", headers=headers)
        self.call("GET", f"{root}/objects/?limit=100", "sync page", headers=headers)


class Screener(_Role):
    weight = 2

    @task(4)
    def single(self) -> None:
        body = {"name": "Usama bin Laden"}
        self.call("POST", "/api/v1/screen", "screening", json=body, headers=_auth("screener"))

    @task(1)
    def batch(self) -> None:
        self.call(
            "POST", "/api/v1/screen", "screening batch", json=BATCH, headers=_auth("screener")
        )


class Publisher(_Role):
    weight = 1

    @task
    def publish(self) -> None:
        made = [
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": f"indicator--{uuid.uuid4()}",
                "created": "2026-12-07T00:00:00.000Z",
                "modified": "2026-12-07T00:00:00.000Z",
                "name": f"load {n}",
                "pattern": f"[domain-name:value = 'l{uuid.uuid4().hex[:12]}.example']",
                "pattern_type": "stix",
                "valid_from": "2026-12-07T00:00:00.000Z",
            }
            for n in range(10)
        ]
        body = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": made}
        path = "/api/v1/objects?audience=network&tlp=green"
        self.call("POST", path, "publish 10", json=body, headers=_auth("publisher"))


class Bare(_Role):
    weight = 1

    @task
    def bare(self) -> None:
        self.call("GET", "/bare", "bare")
