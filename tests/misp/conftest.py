"""Nodes for the MISP tests: the trio of tests/conftest.py with the sharing group of
tests/misp/events.py mapped to the kz-ru channel, warning lists off (one test turns them
on: building their index takes seconds)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from accord.acts import misp as misp_acts
from accord.api import create_app
from accord.config import Settings
from tests.conftest import HOST, Database, Node, populate_trio
from tests.misp.events import SHARING_GROUP


@pytest.fixture
def misp_node(database: Database) -> Iterator[Node]:
    settings = Settings(database_url=database.url, misp_warning_lists=0, misp_workers=1)
    app = create_app(settings, database.engine)
    with TestClient(app) as client:
        node = populate_trio(Node(database, client))
        node.account("ru-reader", "ru-nac", "reader")
        node.account("cn-reader", "cn-mps", "reader")
        with node.engine.begin() as connection:
            misp_acts.map_sharing_group(connection, HOST, SHARING_GROUP, "kz-ru")
        yield node
