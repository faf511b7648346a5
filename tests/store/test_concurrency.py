"""Concurrent publishes of one object: the write lock keeps each version unique.

The objects table has no unique index on (stix_id, version_key) (see docs/architecture.md):
the publish path checks what is stored while it holds the store's write lock. These tests
race real connections against each other to show that this holds on both backends.
"""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from accord import audit
from accord.acts import admin
from accord.acts.publish import publish_objects
from accord.policy import Principal
from accord.stix.markings import Tlp
from accord.store import directory
from accord.store.schema import objects
from tests.conftest import Database
from tests.stix_factory import sdo

ACTOR = audit.Actor("test", None, "cli")
HOST = Principal(None, "cli", host_name="test")


def test_racing_publishes_store_each_version_once(database: Database) -> None:
    with database.engine.begin() as connection:
        admin.add_party(connection, HOST, "kz-knb", "KNB", "KZ")
        admin.add_account(connection, HOST, "alice", "kz-knb", "publisher")
        account = directory.get_account(connection, "alice")
    base = sdo()
    versions = [
        {**base, "modified": f"2026-0{month}-01T00:00:00Z", "name": f"v{month}"}
        for month in (2, 3, 4)
    ]
    barrier = threading.Barrier(6)
    statuses: list[str] = []
    failures: list[BaseException] = []

    def publish(version: dict[str, object]) -> None:
        engine = database.new_engine()
        try:
            barrier.wait()
            with engine.begin() as connection:
                report = publish_objects(
                    connection, account, [version], audience="own", tlp=Tlp.AMBER, door="cli"
                )
            statuses.extend(r.status for r in report.results)
        except BaseException as exc:
            failures.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=publish, args=(v,)) for v in versions * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(statuses) == ["accepted"] * 3 + ["unchanged"] * 3
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(objects.c.version_key, objects.c.is_latest).where(
                objects.c.stix_id == base["id"]
            )
        ).all()
        assert len(rows) == 3
        assert [key for key, latest in rows if latest] == [max(key for key, _ in rows)]
        assert connection.execute(select(func.count()).select_from(objects)).scalar_one() == 3
        assert audit.verify(connection).ok
