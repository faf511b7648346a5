"""``accord watch add|list|remove`` and ``accord alerts`` on a node's database, on SQLite and
PostgreSQL: the parties, accounts and objects are made through the API (the ``trio``
fixture), the watches and alerts read from the command line on the same database."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
import pytest
from click.testing import Result
from typer.testing import CliRunner

from accord import cli_watch
from accord.acts import admin
from accord.cli import app
from tests.alerting import domain, publish
from tests.conftest import HOST, Node

runner = CliRunner()
STIX = {"Content-Type": "application/stix+json;version=2.1"}


@pytest.fixture(autouse=True)
def _wide_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich wraps tables to 80 columns off a terminal; the tests read whole cells."""
    monkeypatch.setattr(cli_watch.console, "width", 200)


@pytest.fixture
def db(trio: Node) -> str:
    """The --db URL of the trio's database (its own schema on PostgreSQL)."""
    database = trio.database
    if database.schema is None:
        return database.url
    joiner = "&" if "?" in database.url else "?"
    return f"{database.url}{joiner}options=-csearch_path%3D{database.schema}"


def cli(db: str, *args: str) -> Result:
    return runner.invoke(app, ["--db", db, *args])


def ok(db: str, *args: str) -> str:
    result = cli(db, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def refused(db: str, *args: str) -> str:
    """A refusal: non-zero exit, one line on standard error, nothing on standard output, no
    traceback."""
    result = cli(db, *args)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def test_add_list_remove(db: str) -> None:
    out = ok(db, "watch", "add", "--account", "kz", "--name", "Abdulla Khasanov")
    assert "watch 1 added" in out
    added = orjson.loads(
        ok(
            db,
            "watch",
            "add",
            "--account",
            "kz",
            "--value",
            "domain-name:Example.ORG.",
            "--note",
            "seen in case 7",
            "--expires",
            "2999-12-31",
            "--format",
            "json",
        )
    )
    assert added["id"] == 2 and added["kind"] == "value"
    assert added["matched_as"]["value"] == "example.org"
    assert added["note"] == "seen in case 7" and added["expires"] == "2999-12-31"
    listed = orjson.loads(ok(db, "watch", "list", "--account", "kz", "--format", "json"))
    assert [w["id"] for w in listed] == [1, 2]
    assert {w["account"] for w in listed} == {"kz"}
    # The party's reader sees the party's watches; another party sees none of them.
    table = ok(db, "watch", "list", "--account", "kz-reader")
    assert "Abdulla" in table and "example.org" in table
    assert orjson.loads(ok(db, "watch", "list", "--account", "cn", "--format", "json")) == []
    assert "no watches" in ok(db, "watch", "list", "--account", "cn")
    assert "watch 1 removed" in ok(db, "watch", "remove", "1", "--account", "kz")
    listed = orjson.loads(ok(db, "watch", "list", "--account", "kz", "--format", "json"))
    assert [w["id"] for w in listed] == [2]
    # Numbers are per party: cn's first watch is its number 1.
    out = ok(db, "watch", "add", "--account", "cn", "--format", "json", "--name", "Abu Bakr")
    assert orjson.loads(out)["id"] == 1
    out = ok(db, "watch", "add", "--account", "cn", "--query", "khasanov", "--types", "identity")
    assert "watch 2 added" in out


def test_a_saved_query_alerts(trio: Node, db: str) -> None:
    ok(db, "watch", "add", "--account", "kz", "--query", "harvest", "--types", "threat-actor")
    actor = {
        "type": "threat-actor",
        "spec_version": "2.1",
        "id": f"threat-actor--{uuid.uuid4()}",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "name": "Harvest Cell",
    }
    publish(trio, "ru", actor, "kz-ru")
    publish(trio, "ru", {**actor, "id": f"identity--{uuid.uuid4()}", "type": "identity"}, "kz-ru")
    page = orjson.loads(ok(db, "alerts", "--account", "kz", "--format", "json"))
    assert [a["object_id"] for a in page["items"]] == [actor["id"]]


def test_alerts_after_a_matching_object(trio: Node, db: str) -> None:
    ok(db, "watch", "add", "--account", "kz", "--value", "domain-name:example.org")
    ok(db, "watch", "add", "--account", "cn", "--value", "domain-name:example.org")
    publish(trio, "ru", domain("example.org"), "kz-ru")
    page = orjson.loads(ok(db, "alerts", "--account", "kz", "--format", "json"))
    assert len(page["items"]) == 1 and page["unread"] == 1 and page["more"] is False
    alert = page["items"][0]
    assert alert["object"]["origin"] == "ru-nac"
    assert alert["reason"]["value"] == "example.org"
    assert alert["watch"]["id"] == 1
    table = ok(db, "alerts", "--account", "kz-reader")
    assert "ru-nac" in table and "example.org" in table and "1 unacknowledged" in table
    # cn is not in the channel: nothing, not even a count.
    assert orjson.loads(ok(db, "alerts", "--account", "cn", "--format", "json")) == {
        "items": [],
        "more": False,
        "next": None,
        "unread": 0,
    }
    # Acknowledged through the API: --unacknowledged leaves it out.
    response = trio.client.post("/api/v1/alerts/1/ack", headers=trio.headers("kz"))
    assert response.status_code == 200
    page = orjson.loads(ok(db, "alerts", "--account", "kz", "--unacknowledged", "--format", "json"))
    assert page["items"] == [] and page["unread"] == 0
    # A new version of the object: a new alert.
    publish(trio, "ru", {**domain("example.org"), "defanged": True}, "kz-ru")
    assert len(orjson.loads(ok(db, "alerts", "--account", "kz", "--format", "json"))["items"]) == 2


def test_alerts_pages_and_leaving_a_channel(trio: Node, db: str) -> None:
    ok(db, "watch", "add", "--account", "kz", "--value", "domain-name:example.org")
    ok(db, "watch", "add", "--account", "kz", "--value", "domain-name:example.net")
    publish(trio, "ru", domain("example.org"), "kz-ru")
    publish(trio, "ru", domain("example.net"), "kz-ru")
    first = orjson.loads(ok(db, "alerts", "--account", "kz", "--limit", "1", "--format", "json"))
    assert len(first["items"]) == 1 and first["more"] is True
    assert "more: --after" in ok(db, "alerts", "--account", "kz", "--limit", "1")
    rest = orjson.loads(
        ok(db, "alerts", "--account", "kz", "--after", first["next"], "--format", "json")
    )
    assert [a["id"] for a in rest["items"]] == [2]
    # Leaving the channel hides both, withdrawn or not.
    with trio.engine.begin() as connection:
        admin.change_members(connection, HOST, "kz-ru", [], ["kz-knb"])
    assert orjson.loads(ok(db, "alerts", "--account", "kz", "--format", "json"))["items"] == []
    out = orjson.loads(ok(db, "alerts", "--account", "kz", "--withdrawn", "--format", "json"))
    assert out["items"] == []


def test_withdrawn_alerts_only_with_the_flag(trio: Node, db: str) -> None:
    ok(db, "watch", "add", "--account", "kz", "--name", "Abdulla Khasanov")
    person = {
        "type": "identity",
        "spec_version": "2.1",
        "id": f"identity--{uuid.uuid4()}",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:01.000Z",
        "name": "Abdulla Khasanov",
        "identity_class": "individual",
    }
    publish(trio, "ru", person, "kz-ru")
    assert len(orjson.loads(ok(db, "alerts", "--account", "kz", "--format", "json"))["items"]) == 1
    revoked = {**person, "modified": "2026-01-01T00:00:02.000Z", "revoked": True}
    publish(trio, "ru", revoked, "kz-ru")
    assert orjson.loads(ok(db, "alerts", "--account", "kz", "--format", "json"))["items"] == []
    page = orjson.loads(ok(db, "alerts", "--account", "kz", "--withdrawn", "--format", "json"))
    assert [a["withdrawn"] for a in page["items"]] == ["revoked"]
    assert "revoked" in ok(db, "alerts", "--account", "kz", "--withdrawn")


def test_remove_is_the_authors_or_an_admins(trio: Node, db: str) -> None:
    ok(db, "watch", "add", "--account", "cn", "--name", "Abdulla Khasanov")
    ok(db, "watch", "add", "--account", "kz", "--name", "Abdulla Khasanov")
    # Another party's number 1 is cn's, not kz's own: refused like a missing watch.
    assert "no watch 2 of yours" in refused(db, "watch", "remove", "2", "--account", "kz")
    assert "no watch 1 of yours" in refused(db, "watch", "remove", "1", "--account", "kz-reader")
    assert "removed" in ok(db, "watch", "remove", "1", "--account", "cn-admin")
    assert "no watch 1 of yours" in refused(db, "watch", "remove", "1", "--account", "cn")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["watch", "add", "--account", "nobody", "--name", "Abdulla"], "--account: no account"),
        (["watch", "add", "--name", "Abdulla"], "--account: required"),
        (["watch", "list"], "--account: required"),
        (["watch", "remove", "1"], "no watch 1"),
        (["alerts"], "--account: required"),
        (["alerts", "--account", "nobody"], "--account: no account named 'nobody'"),
        (["watch", "list", "--account", "nobody"], "--account: no account"),
        (["watch", "remove", "1", "--account", "nobody"], "--account: no account"),
        (["watch", "add", "--account", "kz"], "--name/--subject/--value/--query: give exactly one"),
        (
            [
                "watch",
                "add",
                "--account",
                "kz",
                "--name",
                "Abdulla",
                "--value",
                "ipv4-addr:1.2.3.4",
            ],
            "--name/--subject/--value/--query: give exactly one (got --name, --value)",
        ),
        (["watch", "add", "--account", "kz", "--value", "nonsense:abc"], "--value:"),
        (["watch", "add", "--account", "kz", "--value", "domain-name:"], "--value:"),
        (["watch", "add", "--account", "kz", "--name", "  "], "--name: is empty"),
        (["watch", "add", "--account", "kz", "--subject", "QDe.999"], "--subject:"),
        (["watch", "add", "--account", "kz", "--subject", "not a ref"], "--subject:"),
        (
            ["watch", "add", "--account", "kz", "--name", "Abdulla", "--expires", "2020-01-01"],
            "--expires: 2020-01-01 is in the past",
        ),
        (
            ["watch", "add", "--account", "kz", "--name", "Abdulla", "--expires", "tomorrow"],
            "--expires: 'tomorrow' is not a date",
        ),
        (["watch", "remove", "7", "--account", "kz"], "no watch 7 of yours"),
        (
            ["watch", "add", "--account", "kz", "--name", "Abdulla", "--types", "indicator"],
            "--types: only a query watch",
        ),
        (["alerts", "--account", "kz", "--after", "abc"], "--after:"),
    ],
)
def test_bad_input_is_one_line_naming_the_option(db: str, args: list[str], says: str) -> None:
    assert says in refused(db, *args)
    # Nothing was added by a refusal.
    assert orjson.loads(ok(db, "watch", "list", "--account", "kz", "--format", "json")) == []


def test_a_revoked_account_acts_no_more(trio: Node, db: str) -> None:
    ok(db, "watch", "add", "--account", "kz", "--name", "Abdulla Khasanov")
    with trio.engine.begin() as connection:
        admin.revoke_account(connection, HOST, "kz")
    line = refused(db, "watch", "list", "--account", "kz")
    assert "--account: the account 'kz' is disabled, revoked or its token expired" in line
    assert "revoked" in refused(db, "alerts", "--account", "kz")


def test_usage_errors_are_clean(db: str) -> None:
    for args in (
        ["watch", "list", "--account", "kz", "--format", "xml"],
        ["watch", "remove", "one", "--account", "kz"],
        ["watch", "remove", "0", "--account", "kz"],
        ["alerts", "--account", "kz", "--limit", "0"],
    ):
        result = cli(db, *args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
        assert "Invalid value" in result.stderr, (args, result.stderr)


def test_an_uninitialised_database_is_one_line(tmp_path: Any) -> None:
    result = cli(f"sqlite:///{tmp_path / 'new.db'}", "watch", "list", "--account", "kz")
    assert result.exit_code == 2 and "accord init" in result.stderr
    assert "Traceback" not in result.output


def test_the_host_removes_a_watch_by_its_number_when_only_one_party_holds_it(
    trio: Node, db: str
) -> None:
    ok(db, "watch", "add", "--account", "kz", "--name", "Abdulla Khasanov")
    ok(db, "watch", "add", "--account", "kz", "--name", "Rustam Nazarov")
    ok(db, "watch", "add", "--account", "cn", "--name", "Abu Bakr")
    assert "2 parties hold a watch 1" in refused(db, "watch", "remove", "1")
    assert "watch 2 removed (kz-knb)" in ok(db, "watch", "remove", "2")
    listed = orjson.loads(ok(db, "watch", "list", "--account", "kz", "--format", "json"))
    assert [w["id"] for w in listed] == [1]
    assert "no watch 2" in refused(db, "watch", "remove", "2")
