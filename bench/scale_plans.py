"""The plans of the node's own search query on a loaded store (``python -m bench.scale
explain``): ``read.list_objects`` runs as the API runs it (party p01, a page of 50) in a
transaction rolled back at the end, its statement is caught on its way to the driver, and
PostgreSQL's ``EXPLAIN (ANALYZE, BUFFERS)`` of that statement, with its parameters, is
printed for each word.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event

from accord.acts import read
from accord.store import directory
from accord.store import objects as store


def search_statement(engine: Engine, word: str, limit: int = 50) -> tuple[str, Any]:
    """The statement (and parameters) ``GET /api/v1/objects?q=word`` runs for p01."""
    seen: list[tuple[str, Any]] = []

    def catch(_c: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "ILIKE" in statement.upper():
            seen.append((statement, parameters))

    with engine.connect() as connection:
        event.listen(connection, "before_cursor_execute", catch)
        with connection.begin() as transaction:
            account = directory.get_account(connection, "adm-p01")
            read.list_objects(
                connection,
                account,
                store.ObjectFilter(text=word),
                cursor=None,
                limit=limit,
                door="api",
            )
            transaction.rollback()
    assert len(seen) == 1, seen
    return seen[0]


def plans(engine: Engine, words: list[str]) -> None:
    for word in words:
        statement, parameters = search_statement(engine, word)
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters
            ).all()
        print(f"--- q={word}", flush=True)
        print("\n".join(str(row[0]) for row in rows), flush=True)
