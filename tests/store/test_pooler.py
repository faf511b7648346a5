"""Through a pooler in transaction mode: no prepared statements, no session state."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from accord.errors import StoreError
from accord.store.engine import make_engine
from tests.conftest import PG_URL


@pytest.mark.skipif(PG_URL is None, reason="needs PostgreSQL")
def test_prepare_threshold_none_turns_prepared_statements_off() -> None:
    assert PG_URL is not None
    separator = "&" if "?" in PG_URL else "?"
    engine = make_engine(f"{PG_URL}{separator}prepare_threshold=none")
    try:
        with engine.connect() as connection:
            for _ in range(8):  # past psycopg's default threshold of 5
                assert connection.execute(text("SELECT 1")).scalar_one() == 1
            assert connection.connection.dbapi_connection.prepare_threshold is None  # type: ignore[union-attr]
            prepared = connection.execute(text("SELECT count(*) FROM pg_prepared_statements"))
            assert prepared.scalar_one() == 0
    finally:
        engine.dispose()
    with pytest.raises(StoreError, match="prepare_threshold"):
        make_engine(f"{PG_URL}{separator}prepare_threshold=3")
