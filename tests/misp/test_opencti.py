"""What OpenCTI's TAXII 2.1 connector (OpenCTI-Platform/connectors, external-import/taxii2)
asks of a TAXII server, asked of a running node in the same order with the same library
(taxii2-client): bearer token auth, the API root picked by the last segment of its URL, the
collection by title, ``added_after`` (first run: now minus the initial history, as a
datetime; later runs: the last run as ``%Y-%m-%dT%H:%M:%S.%fZ``) with ``limit``, then
``next`` (``added_after`` dropped) while ``more`` is true."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from taxii2client.common import TokenAuth
from taxii2client.v21 import Server

from accord.acts import admin
from accord.acts.publish import publish_objects
from accord.store import directory
from tests.conftest import HOST, Database
from tests.servers import served
from tests.stix_factory import sdo


@pytest.fixture
def running(database: Database, tmp_path: Path) -> Iterator[tuple[str, str]]:
    with database.engine.begin() as connection:
        admin.add_party(connection, HOST, "kz-knb", "KNB", "KZ")
        admin.add_party(connection, HOST, "ru-nac", "NAC", "RU")
        admin.add_account(connection, HOST, "kz", "kz-knb", "publisher")
        token = admin.add_account(connection, HOST, "opencti", "ru-nac", "reader")[1]
        admin.add_channel(connection, HOST, "kz-ru", ["kz-knb", "ru-nac"])
        account = directory.get_account(connection, "kz")
        items = [sdo("indicator") for _ in range(250)]
        publish_objects(connection, account, items, audience="kz-ru", tlp=None, door="cli")
        publish_objects(
            connection, account, [sdo("indicator")], audience="own", tlp=None, door="cli"
        )
    with served(database, tmp_path / "server.log") as base:
        yield base, token


def _poll(collection: Any, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """The connector's Taxii2.poll for a TAXII 2.1 server."""
    objects: list[dict[str, Any]] = []
    response = collection.get_objects(**filters)
    while True:
        objects += response.get("objects", [])
        if response.get("more") is not True:
            return objects
        filters.pop("added_after", None)
        filters["next"] = response["next"]
        response = collection.get_objects(**filters)


@pytest.mark.slow
def test_the_opencti_connectors_requests(running: tuple[str, str]) -> None:
    base, token = running
    # TAXII2_DISCOVERY_URL, TAXII2_USE_TOKEN=true, TAXII2_TOKEN, TAXII2_V21=true
    server = Server(f"{base}/taxii2/", auth=TokenAuth(token))
    # TAXII2_COLLECTIONS=api.Channel kz-ru: the root by the last segment of its URL
    [root] = [r for r in server.api_roots if r.url.split("/")[-2] == "api"]
    titles = {c.title for c in root.collections}
    assert "Channel kz-ru" in titles and "ru-nac: own" in titles
    [channel] = [c for c in root.collections if c.title == "Channel kz-ru"]
    # First run: TAXII2_INITIAL_HISTORY hours back, a datetime; TAXII2_URL_QUERY_LIMIT=100
    first = {"limit": 100, "added_after": datetime.now() - timedelta(hours=24)}
    found = _poll(channel, first)
    assert len(found) == 250 and {o["type"] for o in found} == {"indicator"}
    # A later run: the last run, formatted as the connector formats it
    later = {"limit": 100, "added_after": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
    assert _poll(channel, later) == []
    # its own collection holds nothing of kz's; the network collection neither
    [own] = [c for c in root.collections if c.title == "ru-nac: own"]
    assert _poll(own, {"limit": 100}) == []
    # TAXII2_USERNAME (the account's name) and TAXII2_PASSWORD (its token): HTTP Basic
    basic = Server(f"{base}/taxii2/", user="opencti", password=token)
    [channel] = [c for c in basic.api_roots[0].collections if c.title == "Channel kz-ru"]
    assert len(_poll(channel, {"limit": 100})) == 250
