"""accord misp import|export|map-sharing-group, end to end on a file database."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from accord.cli import app
from tests.misp.events import SHARING_GROUP, as_json, event, load

runner = CliRunner()


def run(db: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--db", db, *args], env={"ACCORD_MISP_WARNING_LISTS": "0"})
    assert result.exit_code == code, result.output
    return result.output


def test_cli_import_export(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    run(db, "init")
    run(db, "party", "add", "kz-knb", "--name", "KNB", "--jurisdiction", "kz")
    run(db, "party", "add", "ru-nac", "--name", "NAC", "--jurisdiction", "ru")
    run(db, "account", "add", "alice", "--party", "kz-knb", "--role", "publisher")
    run(db, "channel", "add", "kz-ru", "--members", "kz-knb,ru-nac")
    feed = tmp_path / "feed"
    feed.mkdir()
    (feed / "manifest.json").write_text("{}")
    for seed in ("a", "b"):
        e = event(seed=seed)
        (feed / f"{e.uuid}.json").write_bytes(as_json(e))
    out = run(db, "misp", "import", str(feed), "--account", "alice", code=1)
    assert "0 events stored" in out and "2 refused" in out
    assert "mapped to no channel" in out
    run(db, "misp", "map-sharing-group", SHARING_GROUP, "kz-ru")
    assert "kz-ru" in run(db, "misp", "sharing-groups")
    out = run(db, "misp", "import", str(feed), "--account", "alice")
    assert "2 events stored" in out
    target = tmp_path / "out.json"
    run(db, "misp", "export", "--account", "alice", "--collection", "kz-ru", "--out", str(target))
    exported = orjson.loads(target.read_bytes())
    assert sorted(load(e).info for e in exported) == ["Explosives purchase network"] * 2
    directory = tmp_path / "events"
    directory.mkdir()
    run(db, "misp", "export", "--account", "alice", "--out", str(directory))
    assert len(list(directory.glob("*.json"))) == 2
    out = run(db, "misp", "export", "--account", "nobody", "--out", str(target), code=2)
    assert "no account named 'nobody'" in out
    out = run(db, "misp", "map-sharing-group", "not-a-uuid", "kz-ru", code=2)
    assert "not a UUID" in out
