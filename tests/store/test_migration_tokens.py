"""Migration 0006 on a node that already has accounts (SQLite and PostgreSQL): their tokens
keep working, and expire 90 days after the upgrade, not after their creation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from accord.store import directory
from accord.store.engine import MIGRATIONS, migrate
from tests.conftest import Database


def _to(database: Database, revision: str, down: bool) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_existing_tokens_expire_90_days_after_the_upgrade(database: Database) -> None:
    _to(database, "0005", down=True)
    token = "acc_" + "x" * 43
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO parties (id, code, name, jurisdiction, created_at) "
                "VALUES (1, 'kz-knb', 'KNB', 'KZ', '2020-01-01T00:00:00.000Z')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO accounts (name, party_id, role, token_hash, disabled, created_at) "
                "VALUES ('old', 1, 'admin', :hash, false, '2020-01-01T00:00:00.000Z')"
            ),
            {"hash": directory.hash_token(token)},
        )
    migrate(database.engine)
    with database.engine.begin() as connection:
        account = directory.account_by_token(connection, token)
        assert account is not None and account.revoked_at is None
        expires = datetime.fromisoformat(account.token_expires_at)
        assert abs(expires - (datetime.now(UTC) + timedelta(days=90))) < timedelta(minutes=5)
        assert directory.account_by_token(connection, token, now=expires) is None
        rotated, new = directory.rotate_token(connection, "old")
        assert directory.account_by_token(connection, new) == rotated
