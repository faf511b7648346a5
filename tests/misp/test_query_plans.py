"""The MISP import's and export's cost per event does not grow with the store: every lookup
of stored versions by id (the publish path's versions, re-posts, the latest flag,
tombstones; the export's objects of each event) is planned through the id index, never
through the party's index (a walk of every row the party ever stored: on SQLite, without
statistics, the planner chose it for each publish and for each exported event).

Checked on the query plans of the statements the import and the export really run, on a
store where the party already holds a few thousand rows (analysed on PostgreSQL, as
autovacuum would)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, event, text

from accord.acts import admin, misp_stream
from accord.acts import misp as acts
from accord.acts.publish import publish_objects
from accord.config import Settings
from accord.stix.markings import Tlp
from accord.store import directory
from accord.store import objects as store
from tests.conftest import HOST, Database
from tests.misp.events import TIMESTAMP, as_json
from tests.misp.events import event as misp_event
from tests.stix_factory import sdo

SETTINGS = Settings(misp_warning_lists=0, misp_workers=1)
STORED = 3000


def _explain(connection: Connection, statement: str, parameters: Any) -> str:
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        return "\n".join(str(row[-1]) for row in rows)
    rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters)
    return "\n".join(str(row[0]) for row in rows)


def _lookups_by_id(database: Database) -> list[tuple[str, str]]:
    """Every statement on ``objects`` by id key that a MISP import runs (a first import, a
    re-import, an updated event), with its plan."""
    engine = database.engine
    with engine.begin() as connection:
        admin.add_party(connection, HOST, "p1", "P1", "KZ")
        admin.add_account(connection, HOST, "bench", "p1", "publisher")
        account = directory.get_account(connection, "bench")
        filler = [sdo("indicator", name=f"filler {n}") for n in range(STORED)]
        report = publish_objects(
            connection, account, filler, audience="own", tlp=Tlp.GREEN, door="test"
        )
        assert report.count("accepted") == STORED
    if database.backend == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE objects"))
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        lowered = statement.lower()
        if "id_key" in lowered and ("from objects" in lowered or "update objects" in lowered):
            seen.append((statement, parameters))

    original = misp_event(tags=("tlp:green",), sharing_group=None, distribution=0)
    updated = misp_event(
        tags=("tlp:green",), sharing_group=None, distribution=0, timestamp=TIMESTAMP + 60
    )
    payloads = [as_json(original), as_json(original), as_json(updated)]
    event.listen(engine, "before_cursor_execute", capture)
    try:
        for payload in payloads:
            with engine.begin() as connection:
                account = directory.get_account(connection, "bench")
                imported = acts.import_events(
                    connection, account, payload, settings=SETTINGS, door="test"
                )
                assert imported.count("refused") == 0, imported.as_dict()
        with engine.begin() as connection:
            party = directory.get_party(connection, "p1")
            assert store.tombstone(connection, text("1 = 1"), filler[0]["id"], party.id) == 1
        # the export's reads of each event (the manifest's: the same reads, no misp-stix)
        criteria = store.ObjectFilter(forwarded_by=SETTINGS.node_name, include_revoked=True)
        assert len(list(misp_stream.stream_headers(engine, account, criteria, door="test"))) == 2
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    with engine.connect() as connection:
        return [(s, _explain(connection, s, p)) for s, p in seen if not s.startswith("INSERT")]


def test_lookups_by_id_never_walk_the_partys_rows(database: Database) -> None:
    planned = _lookups_by_id(database)
    # the versions (each import), the latest flag (the update), re-posts, the tombstone, the
    # export's objects of each event by id
    assert len(planned) >= 6
    assert sum("stix_id IN" in s or "ANY" in s for s, _ in planned) >= 2
    for statement, plan in planned:
        assert "ix_objects_origin" not in plan, f"{statement}\n{plan}"
        assert "Seq Scan on objects" not in plan, f"{statement}\n{plan}"
        assert "ix_objects_id_key" in plan, f"{statement}\n{plan}"
    # the plans changed, not the answers: the re-import was unchanged, the update stored
    with database.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT stix_id, is_latest FROM objects WHERE stix_id LIKE 'grouping--%'")
        ).all()
    assert len({stix_id for stix_id, _ in rows}) == 1
    assert sorted(bool(latest) for _id, latest in rows) == [False, True]
