"""A fuzz run of the HTTP API from its own OpenAPI document (schemathesis, in process).

Every operation gets generated requests, valid and invalid, as an admin of a node with a few
parties, accounts and objects. No answer may be a 5xx, and each answer must be one the
document describes: its status code, its media type and, for documented bodies, its shape.
The run is bounded (examples per operation and a time budget), so it fits in the suite.
"""

from __future__ import annotations

import time
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings, strategies
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.test_publish import post
from tests.conftest import Node
from tests.stix_factory import bundle, sdo

EXAMPLES = 8
BUDGET_SECONDS = 90.0
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _fuzz(node: Node, account: str) -> list[str]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", node.client.app)
    headers = node.headers(account)
    failures: list[str] = []
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        if time.monotonic() - started > BUDGET_SECONDS:
            failures.append(f"time budget spent before {operation.label}")
            break

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(
            case=strategies.one_of(
                operation.as_strategy(GenerationMode.POSITIVE),
                operation.as_strategy(GenerationMode.NEGATIVE),
            )
        )
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as failure:  # every operation is tried; all failures reported
            failures.append(f"{operation.label}: {failure}"[:3000])
    return failures


def test_no_server_error_and_every_answer_documented(trio: Node) -> None:
    actor = sdo("threat-actor", name="Crescent cell")
    post(trio, "kz", bundle(actor, sdo("indicator", description="near the border")))
    post(trio, "kz", sdo(), audience="kz-ru", tlp="amber")
    failures = _fuzz(trio, "cn-admin")
    assert not failures, "\n\n".join(failures)
