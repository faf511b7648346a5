"""Real third-party TAXII software against a running node: the taxii2-client library, and
the OASIS stix2-validator on everything the node serves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from stix2validator import ValidationOptions, validate_instance
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from accord import audit
from accord.acts import admin
from accord.demo import load_demo
from accord.federation.collections import collection_id
from accord.policy import Principal
from tests.conftest import Database
from tests.servers import served
from tests.stix_factory import sdo

ACTOR = audit.Actor("test", None, "cli")
HOST = Principal(None, "cli", host_name="test")


@pytest.fixture
def running(database: Database, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    with database.engine.begin() as connection:
        tokens = {name: token for name, _, _, token in load_demo(connection, HOST)}
        admin.add_party(connection, HOST, "tj-gknb", "GKNB", "TJ")
        tokens["tj"] = admin.add_account(connection, HOST, "tj", "tj-gknb", "reader")[1]
    with served(database, tmp_path / "server.log") as base:
        yield base, tokens


@pytest.mark.slow
def test_taxii2_client_round_trip(running: tuple[str, dict[str, str]]) -> None:
    base, tokens = running
    server = Server(f"{base}/taxii2/", user="cn-analyst", password=tokens["cn-analyst"])
    assert server.title.startswith("Accord node")
    root: ApiRoot = server.api_roots[0]
    titles = {c.title for c in root.collections}
    assert {"Network", "Channel ru-cn", "Channel sco-joint"} <= titles
    channel = next(c for c in root.collections if c.id == collection_id("ru-cn"))

    new = [sdo("indicator") for _ in range(25)]
    status = channel.add_objects({"objects": new}, wait_for_completion=True, poll_interval=0.1)
    assert status.status == "complete" and status.success_count == 25
    polled = root.get_status(status.id)
    assert (polled.status, polled.total_count, polled.pending_count) == ("complete", 25, 0)
    again = channel.add_objects({"objects": new[:3]})
    assert again.success_count == 3 and again.failure_count == 0  # exact duplicates

    pages = list(as_pages(channel.get_objects, per_request=10))
    got = [o["id"] for page in pages for o in page.get("objects", [])]
    assert len(pages) >= 3 and set(o["id"] for o in new) <= set(got)
    manifest = [
        e for page in as_pages(channel.get_manifest, per_request=7) for e in page.get("objects", [])
    ]
    assert {e["id"] for e in manifest} == set(got)
    versions = channel.object_versions(new[0]["id"])
    assert versions["versions"] == [new[0]["modified"]]
    one = channel.get_object(new[0]["id"])
    assert one["objects"][0] == new[0]

    outsider = Collection(channel.url, user="tj", password=tokens["tj"])
    with pytest.raises(requests.HTTPError) as refused:
        outsider.get_objects()
    assert refused.value.response.status_code == 404  # like a collection that does not exist


@pytest.mark.slow
def test_every_object_served_passes_the_oasis_validator(
    running: tuple[str, dict[str, str]],
) -> None:
    base, tokens = running
    options = ValidationOptions(version="2.1", strict=False)
    for account in ("ru-analyst", "cn-analyst", "rats-admin"):
        server = Server(f"{base}/taxii2/", user=account, password=tokens[account])
        for collection in server.api_roots[0].collections:
            for page in as_pages(collection.get_objects, per_request=50):
                for obj in page.get("objects", []):
                    result = validate_instance(obj, options)
                    assert result.is_valid, (obj["id"], [str(e) for e in result.errors])
