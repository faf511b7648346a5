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
from tests.conftest import HOST, Database, Node
from tests.misp.events import SHARING_GROUP


@pytest.fixture
def misp_node(database: Database) -> Iterator[Node]:
    settings = Settings(database_url=database.url, misp_warning_lists=0)
    app = create_app(settings, database.engine)
    with TestClient(app) as client:
        node = Node(database, client)
        for code, jurisdiction in (("kz-knb", "KZ"), ("ru-nac", "RU"), ("cn-mps", "CN")):
            node.party(code, jurisdiction)
        node.account("kz", "kz-knb")
        node.account("ru", "ru-nac")
        node.account("cn", "cn-mps")
        node.account("kz-reader", "kz-knb", "reader")
        node.account("ru-reader", "ru-nac", "reader")
        node.account("cn-admin", "cn-mps", "admin")
        node.account("cn-reader", "cn-mps", "reader")
        node.channel("kz-ru", "kz-knb", "ru-nac")
        with node.engine.begin() as connection:
            misp_acts.map_sharing_group(connection, HOST, SHARING_GROUP, "kz-ru")
        yield node
