"""accord misp import|export|map-sharing-group, end to end on a file database."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from accord.cli import app
from tests.misp.events import SHARING_GROUP, as_json, event, load

runner = CliRunner()


def run(db: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(
        app, ["--db", db, *args], env={"ACCORD_MISP_WARNING_LISTS": "0", "ACCORD_MISP_WORKERS": "1"}
    )
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


def test_cli_workers_give_what_one_process_gives(tmp_path: Path) -> None:
    """--workers 2 converts in a pool, across the files of a feed directory, in order: the
    same report, the same store, the same export; a bad file is refused with its name."""
    outputs: list[bytes] = []
    for workers in ("1", "2"):
        db = f"sqlite:///{tmp_path / f'w{workers}.db'}"
        run(db, "init")
        run(db, "party", "add", "kz-knb", "--name", "KNB", "--jurisdiction", "kz")
        run(db, "account", "add", "alice", "--party", "kz-knb", "--role", "publisher")
        feed = tmp_path / f"feed{workers}"
        feed.mkdir()
        for seed in ("c", "d", "e"):
            e = event(seed=seed, distribution=0, sharing_group=None)
            (feed / f"{e.uuid}.json").write_bytes(as_json(e))
        (feed / "broken.json").write_text('{"Event": ')
        out = run(
            db, "misp", "import", str(feed), "--account", "alice", "--workers", workers, code=1
        )
        assert "3 events stored, 0 unchanged, 1 refused" in out
        # Rich wraps long lines (a temporary path breaks inside a word).
        assert "broken.json" in out.replace("\n", "") and "not JSON" in " ".join(out.split())
        target = tmp_path / f"out{workers}.json"
        run(db, "misp", "export", "--account", "alice", "--out", str(target), "--workers", workers)
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    # written as the whole list was before it was streamed
    assert outputs[0] == orjson.dumps(orjson.loads(outputs[0]), option=orjson.OPT_INDENT_2)
    assert len(orjson.loads(outputs[0])) == 3
    run(
        f"sqlite:///{tmp_path / 'w1.db'}",
        "misp",
        "export",
        "--account",
        "alice",
        "--out",
        str(tmp_path / "x.json"),
        "--workers",
        "-1",
        code=2,
    )
