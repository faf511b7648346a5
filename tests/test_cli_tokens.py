"""`accord account revoke / rotate / expire` and `add --expires-days`, end to end."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from accord.cli import app
from accord.errors import AccordError
from accord.store import directory
from accord.store.engine import make_engine

runner = CliRunner()


def run(db: str, *args: str) -> str:
    result = runner.invoke(app, ["--db", db, *args])
    assert result.exit_code == 0, result.output
    return result.output


def valid(db: str, token: str) -> directory.Account | None:
    engine = make_engine(db)
    try:
        with engine.connect() as connection:
            return directory.account_by_token(connection, token)
    finally:
        engine.dispose()


def test_revoke_rotate_and_expire_from_the_command_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    run(db, "init")
    run(db, "party", "add", "kz-knb", "--name", "KNB", "--jurisdiction", "KZ")
    out = run(db, "account", "add", "alice", "--party", "kz-knb", "--expires-days", "10")
    token = out.strip().splitlines()[-1]
    account = valid(db, token)
    assert account is not None and "expires" in out and account.token_expires_at in out
    assert "revoked at" in run(db, "account", "revoke", "alice")
    assert valid(db, token) is None
    out = run(db, "account", "rotate", "alice")
    new = out.strip().splitlines()[-1]
    assert new.startswith("acc_") and new != token
    assert valid(db, token) is None and valid(db, new) is not None
    out = run(db, "account", "expire", "alice", "--days", "1")
    account = valid(db, new)
    assert account is not None and account.token_expires_at in out
    listing = run(db, "account", "list")
    assert "alice" in listing and token not in listing and new not in listing


def test_token_commands_fail_clearly(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    run(db, "init")
    run(db, "party", "add", "kz-knb", "--name", "KNB", "--jurisdiction", "KZ")
    for args in (
        ("account", "revoke", "nobody"),
        ("account", "rotate", "nobody"),
        ("account", "expire", "nobody", "--days", "3"),
        ("account", "add", "bob", "--party", "kz-knb", "--expires-days", "0"),
        ("account", "add", "bob", "--party", "kz-knb", "--expires-days", "99999"),
    ):
        result = runner.invoke(app, ["--db", db, *args])
        assert result.exit_code != 0, args
        assert isinstance(result.exception, AccordError), result.output  # main() prints it
