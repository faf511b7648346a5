"""Planner statistics on PostgreSQL: the node's tables analysed when they have changed by
much since they last were.

PostgreSQL chooses between walking a table's primary key and gathering rows through a
bitmap from how many rows it expects to match, and it learns that from ``ANALYZE``. A table
that grew by a bulk load and was never analysed (autovacuum off, as on the machine these
figures come from, or not yet run) is planned as if it were small: a TAXII page of 10 of the
network collection over 200,000 stored objects gathered every network object and sorted
them, 210 ms, and 0.1 ms after ``ANALYZE`` (docs/benchmarks.md). Autovacuum does this where
it runs; the node's leader does it as well, so that a node never depends on it."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Connection, Engine, text

from accord.store.schema_base import metadata

#: A table is analysed when its rows changed since its last analysis exceed this many
#: plus this fraction of its rows (autovacuum's own defaults are 50 and 0.1).
THRESHOLD_ROWS = 1000
THRESHOLD_FRACTION = 0.1
#: Seconds between two looks at the statistics.
INTERVAL = 60.0
LOG = logging.getLogger("accord.statistics")


def stale_tables(connection: Connection) -> list[str]:
    """The node's tables (an audit partition counts as a table) whose statistics lag."""
    if connection.dialect.name != "postgresql":
        return []
    rows = connection.execute(
        text(
            "SELECT s.relname, s.n_live_tup, s.n_mod_since_analyze, "
            "COALESCE(i.inhparent::regclass::text, s.relname) AS parent "
            "FROM pg_stat_user_tables s LEFT JOIN pg_inherits i ON i.inhrelid = s.relid "
            "WHERE s.schemaname = current_schema()"
        )
    ).all()
    known = set(metadata.tables)
    return sorted(
        row.relname
        for row in rows
        if (row.relname in known or row.parent.split(".")[-1] in known)
        and row.n_mod_since_analyze > THRESHOLD_ROWS + THRESHOLD_FRACTION * row.n_live_tup
    )


def refresh(engine: Engine) -> list[str]:
    """``ANALYZE`` each stale table (each in a transaction of its own); returns their names."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as connection:
        stale = stale_tables(connection)
    quote = engine.dialect.identifier_preparer.quote
    for name in stale:
        with engine.begin() as connection:
            connection.execute(text(f"ANALYZE {quote(name)}"))
    return stale


def refresh_forever(engine: Engine, stop: threading.Event, interval: float = INTERVAL) -> None:
    """The leader's loop: look every ``interval`` seconds; a failed look is tried again."""
    while not stop.wait(interval):
        try:
            refresh(engine)
        except Exception:  # a failed look must not end the thread: the next one tries again
            LOG.exception("refreshing the planner's statistics failed")
