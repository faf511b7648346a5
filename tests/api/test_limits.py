"""Crafted input (issue 12, part 5): every door answers a 4xx naming the field, on both stores.

Each test here was a 500 (or a limit one door ignored) before the limits were gathered in
``accord.limits`` and checked once for every route.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from accord.api import create_app
from accord.config import Settings
from accord.errors import InvalidInput
from accord.federation.collections import collection_id
from accord.store.schema import parties
from tests.api.test_publish import post
from tests.conftest import Database, Node
from tests.console.test_console import sign_in
from tests.stix_factory import bundle, sdo

HUGE = "99999999999999999999999"
NETWORK = f"/taxii2/api/collections/{collection_id('network')}"
TAXII = "application/taxii+json;version=2.1"


def _problem(answer: object, status: int, naming: str) -> None:
    assert answer.status_code == status, answer.text  # type: ignore[attr-defined]
    assert answer.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    assert naming in answer.json()["detail"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "route",
    [
        "/api/v1/objects?q=a%00b",
        "/api/v1/objects?type=indicator%00",
        "/api/v1/objects?created_by=x%00",
        "/api/v1/objects?channel=%00",
        "/api/v1/objects?cursor=%00",
        "/api/v1/objects?added_after=2020%00",
        "/api/v1/audit?target=%00",
        "/api/v1/register/divergence?jurisdictions=UN%00",
        "/api/v1/register/divergence?as_of=%00",
        "/api/v1/objects/indicator--%00",
        "/api/v1/objects/x%00/versions",
    ],
)
def test_a_nul_in_any_parameter_is_a_400_naming_it(trio: Node, route: str) -> None:
    answer = trio.client.get(route, headers=trio.headers("cn-admin"))
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert "NUL" in answer.json()["detail"]
    name = route.split("?")[1].split("=")[0] if "?" in route else "stix_id"
    assert name in answer.json()["errors"][0]["field"]


def test_a_nul_on_taxii_and_the_console_is_a_400_too(trio: Node) -> None:
    taxii = trio.client.get(
        f"{NETWORK}/objects/?match[type]=a%00", headers={**trio.headers("kz"), "Accept": TAXII}
    )
    assert taxii.status_code == 400 and taxii.headers["content-type"] == TAXII
    assert "match[type]" in taxii.json()["description"]
    sign_in(trio, "kz")
    page = trio.client.get("/ui/inbox?type=%00")
    assert page.status_code == 400 and "type" in page.text


def test_the_store_refuses_a_nul_itself(database: Database) -> None:
    """Behind the doors' check: PostgreSQL would fail on a NUL in text; it is a 400 error."""
    with database.engine.connect() as connection:
        query = select(parties.c.id).where(parties.c.code == "kz\x00knb")
        if database.backend == "postgresql":
            with pytest.raises(InvalidInput, match="NUL"):
                connection.execute(query)
        else:
            assert connection.execute(query).first() is None


def test_an_overlong_parameter_is_a_400(trio: Node) -> None:
    answer = trio.client.get(
        "/api/v1/objects", params={"q": "x" * 5000}, headers=trio.headers("kz")
    )
    _problem(answer, 400, "'q'")


@pytest.mark.parametrize("route", ["/api/v1/audit", "/api/v1/objects"])
@pytest.mark.parametrize("limit", ["-1", "0"])
def test_limit_below_one_is_a_400_and_a_huge_one_is_served_as_the_largest_page(
    trio: Node, route: str, limit: str
) -> None:
    _problem(
        trio.client.get(f"{route}?limit={limit}", headers=trio.headers("cn-admin")), 400, "limit"
    )
    assert trio.client.get(f"{route}?limit={HUGE}", headers=trio.headers("cn-admin")).is_success


def test_taxii_limit_and_tombstone_cursor_are_checked(trio: Node) -> None:
    headers = {**trio.headers("kz"), "Accept": TAXII}
    for route in (
        f"{NETWORK}/objects/?limit=-1",
        f"{NETWORK}/x-accord-tombstones/?after={HUGE}",
        f"{NETWORK}/x-accord-tombstones/?after=-3",
    ):
        answer = trio.client.get(route, headers=headers)
        assert answer.status_code == 400, (route, answer.text)
        assert answer.headers["content-type"] == TAXII
    answer = trio.client.get(f"{NETWORK}/objects/?limit={HUGE}", headers=headers)
    assert answer.status_code == 200


@pytest.mark.parametrize(
    "route",
    [
        f"/api/v1/register/subjects/{HUGE}",
        f"/api/v1/register/subjects/{HUGE}/history",
        "/api/v1/register/subjects/-1",
    ],
)
def test_a_huge_register_id_is_a_422_naming_it(trio: Node, route: str) -> None:
    answer = trio.client.get(route, headers=trio.headers("kz"))
    _problem(answer, 422, "subject_id")


def test_a_huge_link_id_and_console_subject_id_are_refused(trio: Node) -> None:
    answer = trio.client.delete(f"/api/v1/register/links/{HUGE}", headers=trio.headers("kz"))
    _problem(answer, 422, "link_id")
    sign_in(trio, "kz")
    assert trio.client.get(f"/ui/register/subjects/{HUGE}").status_code == 422


def test_console_inbox_takes_the_last_day_there_is(trio: Node) -> None:
    post(trio, "kz", sdo("indicator", name="late"))
    sign_in(trio, "kz")
    answer = trio.client.get("/ui/inbox?until=9999-12-31&since=0001-01-01")
    assert answer.status_code == 200 and "late" in answer.text
    assert trio.client.get("/ui/inbox?until=10000-01-01").status_code == 400


@pytest.fixture
def small(database: Database) -> Iterator[Node]:
    """A node whose bundles hold at most three objects."""
    app = create_app(Settings(database_url=database.url, max_bundle_objects=3), database.engine)
    with TestClient(app) as client:
        node = Node(database, client)
        node.party("kz-knb")
        node.account("kz", "kz-knb")
        yield node


def test_taxii_post_keeps_the_bundle_limit_that_rest_keeps(small: Node) -> None:
    objects = [sdo() for _ in range(4)]
    rest = post(small, "kz", bundle(*objects))
    _problem(rest, 413, "limit is 3")
    taxii = small.client.post(
        f"{NETWORK}/objects/",
        content=orjson.dumps({"objects": objects}),
        headers={**small.headers("kz"), "Accept": TAXII, "Content-Type": TAXII},
    )
    assert taxii.status_code == 413, taxii.text
    assert taxii.headers["content-type"] == TAXII and "limit is 3" in taxii.json()["description"]
    fits = small.client.post(
        f"{NETWORK}/objects/",
        content=orjson.dumps({"objects": objects[:3]}),
        headers={**small.headers("kz"), "Accept": TAXII, "Content-Type": TAXII},
    )
    assert fits.status_code == 202 and fits.json()["success_count"] == 3


def test_a_screening_name_over_the_limit_is_a_400(trio: Node) -> None:
    answer = trio.client.post(
        "/api/v1/screen", json={"name": "x" * 20_000_000}, headers=trio.headers("kz")
    )
    _problem(answer, 400, "limit is 1,000")
    batch = trio.client.post(
        "/api/v1/screen", json={"queries": [{"name": "y" * 5000}]}, headers=trio.headers("kz")
    )
    assert batch.status_code == 200 and "limit is 1000" in batch.json()["results"][0]["error"]
