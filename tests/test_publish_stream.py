"""publish_stream: many payloads, one transaction each, validation running one step ahead."""

from __future__ import annotations

import orjson
import pytest
from sqlalchemy import func, select

from accord import audit
from accord.acts import admin
from accord.acts.publish import publish_stream
from accord.errors import InvalidInput
from accord.policy import Principal
from accord.stix.markings import Tlp
from accord.store import directory
from accord.store.schema import objects
from tests.conftest import Database
from tests.stix_factory import OBSERVABLE_TYPES, bundle, observable, sdo

ACTOR = audit.Actor("test", None, "cli")
HOST = Principal(None, "cli", host_name="test")


def count(database: Database) -> int:
    with database.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(objects)).scalar_one())


def test_stream_publishes_each_payload_and_stops_at_an_unreadable_one(database: Database) -> None:
    with database.engine.begin() as connection:
        admin.add_party(connection, HOST, "kz-knb", "KNB", "KZ")
        admin.add_account(connection, HOST, "alice", "kz-knb", "publisher")
        account = directory.get_account(connection, "alice")
    kinds = OBSERVABLE_TYPES
    payloads = [
        orjson.dumps(bundle(*(sdo() for _ in range(3)), observable(kinds[n], f"s{n}"), sdo()))
        for n in range(4)
    ]
    reports = list(
        publish_stream(
            database.engine, account, payloads, audience="own", tlp=Tlp.AMBER, door="cli"
        )
    )
    assert [r.count("accepted") for r in reports] == [5, 5, 5, 5]
    assert count(database) == 20
    again = publish_stream(
        database.engine, account, payloads[:1], audience="own", tlp=Tlp.AMBER, door="cli"
    )
    assert next(again).count("unchanged") == 5, "observables re-posted are unchanged too"
    broken = [orjson.dumps(bundle(sdo())), b"{not json", orjson.dumps(bundle(sdo()))]
    stream = publish_stream(
        database.engine, account, broken, audience="own", tlp=Tlp.AMBER, door="cli"
    )
    assert next(stream).count("accepted") == 1
    with pytest.raises(InvalidInput):
        next(stream)
    assert count(database) == 21
    with database.engine.connect() as connection:
        assert audit.verify(connection).ok
