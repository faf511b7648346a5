"""The leader keeps PostgreSQL's planner statistics current: a bulk-loaded table that was
never analysed is planned as if it were empty."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import text

from accord.acts.publish import publish_objects
from accord.stix.markings import Tlp
from accord.store import directory, statistics
from tests.conftest import Node, populate_trio
from tests.stix_factory import sdo


def _eventually(check: Callable[[], bool], seconds: float = 15) -> bool:
    """PostgreSQL's activity statistics reach its views a moment after a commit."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_a_table_grown_past_its_statistics_is_analysed(node: Node) -> None:
    with node.engine.connect() as connection:
        if node.database.backend != "postgresql":
            assert statistics.stale_tables(connection) == []
            assert statistics.refresh(node.engine) == []
            return
    populate_trio(node)
    with node.engine.begin() as connection:
        account = directory.get_account(connection, "kz")
        made = [sdo("threat-actor", name=f"bulk {n}") for n in range(3000)]
        publish_objects(connection, account, made, audience="network", tlp=Tlp.GREEN, door="cli")

    def stale() -> list[str]:
        with node.engine.connect() as connection:
            return statistics.stale_tables(connection)

    assert _eventually(lambda: "objects" in stale())
    assert "objects" in statistics.refresh(node.engine)
    with node.engine.connect() as connection:
        analysed = connection.execute(
            text(
                "SELECT last_analyze FROM pg_stat_user_tables "
                "WHERE schemaname = current_schema() AND relname = 'objects'"
            )
        ).scalar_one()
    assert analysed is not None
    assert _eventually(lambda: "objects" not in stale())
