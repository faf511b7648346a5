"""The daily digest of a party's alerts, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from accord.acts import alerts as alert_acts
from accord.acts import webhooks as hook_acts
from accord.cli import app
from accord.errors import Forbidden, InvalidInput
from accord.store.schema import alerts, audit_log
from tests.conftest import HOST, Node
from tests.correlate.test_alerts_api import alerts as listed_alerts
from tests.correlate.test_alerts_api import domain, publish, watch
from tests.servers import server_url

runner = CliRunner()


def _setup(trio: Node) -> str:
    """kz: alert 1 moved to yesterday, 2 today, 3 today but revoked; cn: one of its own.
    Today's date."""
    watch(trio, "kz", value="domain-name:example.org")
    watch(trio, "kz", value="domain-name:example.net")
    watch(trio, "kz", value="domain-name:example.com")
    watch(trio, "cn", value="domain-name:example.org")
    publish(trio, "ru", domain("example.org"), "kz-ru")
    publish(trio, "ru", domain("example.net"), "kz-ru")
    doomed = domain("example.com")
    publish(trio, "ru", doomed, "kz-ru")
    publish(trio, "cn", domain("example.org"), "own")
    revoked = {**doomed, "modified": "2026-01-02T00:00:00.000Z", "revoked": True}
    publish(trio, "ru", {**revoked, "created": "2026-01-01T00:00:00.000Z"}, "kz-ru")
    alert_acts.drain(trio.engine)
    today = datetime.now(UTC).date()
    yesterday = (today - timedelta(days=1)).isoformat()
    with trio.engine.begin() as connection:
        kz = connection.execute(
            select(alerts.c.id, alerts.c.party_id).where(alerts.c.number == 1)
        ).all()
        first = min(kz)  # kz's alert 1 was raised first of all
        connection.execute(
            update(alerts)
            .where(alerts.c.id == first[0])
            .values(raised_at=f"{yesterday}T12:00:00.000Z")
        )
    return today.isoformat()


def test_the_digest_holds_the_days_visible_alerts_only(trio: Node) -> None:
    today = _setup(trio)
    with trio.engine.begin() as connection:
        found = hook_acts.digest(connection, HOST, "kz-knb", hook_acts.parse_day(today))
    assert found["party"] == "kz-knb" and found["date"] == today
    assert [a["object_id"] for a in found["alerts"]] == [domain("example.net")["id"]]
    assert found["count"] == 1
    shown = {a["id"]: a for a in listed_alerts(trio, "kz")}
    assert found["alerts"][0] == shown[found["alerts"][0]["id"]]
    with trio.engine.begin() as connection:
        theirs = hook_acts.digest(connection, HOST, "cn-mps", hook_acts.parse_day(today))
        yesterday = hook_acts.digest(connection, HOST, "kz-knb", hook_acts.parse_day(None))
        entry = connection.execute(
            select(audit_log.c.details).where(audit_log.c.action == "alerts.digest")
        ).first()
    assert [a["object"]["origin"] for a in theirs["alerts"]] == ["cn-mps"]
    assert [a["id"] for a in yesterday["alerts"]] == [1]
    assert entry is not None and "kz-knb" in entry.details


def test_the_cli_writes_json_and_markdown(trio: Node, tmp_path: Path) -> None:
    today = _setup(trio)
    out = tmp_path / "digest.json"
    db = server_url(trio.database)
    token = trio.tokens["kz-reader"]  # any account of the party may take its digest
    result = runner.invoke(
        app, ["--db", db, "digest", "--date", today, "--out", str(out), "--token", token]
    )
    assert result.exit_code == 0, result.output
    written = orjson.loads(out.read_bytes())
    assert written["count"] == 1 and written["party"] == "kz-knb"
    markdown = out.with_suffix(".md").read_text(encoding="utf-8")
    assert f"# Alerts of kz-knb on {today}" in markdown and "example.net" in markdown
    assert "example.com" not in markdown and "example.org" not in markdown


def test_digest_refusals(trio: Node, tmp_path: Path) -> None:
    _setup(trio)
    db = server_url(trio.database)
    out = str(tmp_path / "d.json")
    token = trio.tokens["cn-admin"]
    other = runner.invoke(
        app, ["--db", db, "digest", "--party", "kz-knb", "--out", out, "--token", token]
    )
    assert isinstance(other.exception, Forbidden) and not Path(out).exists()
    bad = runner.invoke(
        app, ["--db", db, "digest", "--party", "kz-knb", "--date", "01/02/2026", "--out", out]
    )
    assert isinstance(bad.exception, InvalidInput) and "date" in str(bad.exception)
    md = runner.invoke(
        app, ["--db", db, "digest", "--party", "kz-knb", "--out", str(tmp_path / "d.md")]
    )
    assert isinstance(md.exception, InvalidInput) and "--out" in str(md.exception)
    missing = runner.invoke(app, ["--db", db, "digest", "--out", out])
    assert isinstance(missing.exception, InvalidInput) and "--party" in str(missing.exception)
    with pytest.raises(InvalidInput), trio.engine.begin() as connection:
        hook_acts.digest(connection, HOST, "kz-knb", hook_acts.parse_day("2026-13-01"))
