"""The CLI commands named in the foundation issue, end to end on a file database."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from accord.cli import app
from accord.store.engine import make_engine
from accord.store.peers import list_peers
from tests.stix_factory import bundle, sdo

runner = CliRunner()


def run(db: str, *args: str) -> str:
    result = runner.invoke(app, ["--db", db, *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_tour(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    run(db, "init")
    run(db, "party", "add", "kz-knb", "--name", "KNB", "--jurisdiction", "kz")
    run(db, "party", "add", "cn-mps", "--name", "MPS", "--jurisdiction", "CN")
    out = run(db, "account", "add", "alice", "--party", "kz-knb", "--role", "publisher")
    token = out.strip().splitlines()[-1]
    assert token.startswith("acc_")
    run(db, "channel", "add", "kz-cn", "--members", "kz-knb,cn-mps")
    file = tmp_path / "b.json"
    file.write_bytes(orjson.dumps(bundle(sdo(), sdo("indicator"))))
    out = run(
        db,
        "publish",
        str(file),
        "--account",
        "alice",
        "--audience",
        "kz-cn",
        "--tlp",
        "amber+strict",
    )
    assert "2 accepted" in out
    assert "intact" in run(db, "audit", "verify")


def test_cli_errors_are_clear(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    run(db, "init")
    result = runner.invoke(
        app, ["--db", db, "party", "add", "x", "--name", "X", "--jurisdiction", "KZ"]
    )
    assert result.exit_code != 0
    result = runner.invoke(
        app, ["--db", db, "party", "add", "kz-knb", "--name", "K", "--jurisdiction", "Narnia"]
    )
    assert result.exit_code != 0


def test_demo_loads_and_verifies(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    out = run(db, "demo")
    assert "rats-admin" in out
    assert "intact" in run(db, "audit", "verify")


def test_publish_many_files_reports_each_and_fails_on_rejections(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    not_ready = runner.invoke(app, ["--db", db, "party", "list"])
    assert not_ready.exit_code != 0 and "accord init" in str(not_ready.exception)
    run(db, "init")
    run(db, "party", "add", "kz-knb", "--name", "KNB", "--jurisdiction", "KZ")
    run(db, "account", "add", "alice", "--party", "kz-knb", "--role", "publisher")
    good = tmp_path / "good.json"
    good.write_bytes(orjson.dumps(bundle(sdo(), sdo())))
    bad = tmp_path / "bad.json"
    bad.write_bytes(orjson.dumps(bundle(sdo(), sdo(created="never"))))
    args = ["--db", db, "publish", str(good), str(bad), "--account", "alice"]
    result = runner.invoke(app, [*args, "--audience", "own", "--tlp", "red"])
    assert result.exit_code == 1
    assert "good.json: 2 accepted" in result.output
    assert "bad.json: 1 accepted" in result.output
    assert "created" in result.output


def test_demo_second_node_gets_its_peers(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'peer.db'}"
    out = run(db, "demo", "--peer-of", "http://127.0.0.1:8700/taxii2/api/", "--token", "acc_x")
    assert "ru-analyst" in out
    run(db, "peer", "list")
    engine = make_engine(db)
    with engine.connect() as connection:
        names = {peer.name for peer in list_peers(connection)}
    engine.dispose()
    assert names == {"first-network", "first-ru-cn", "first-sco-joint"}


def test_register_commands_end_to_end(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    db = f"sqlite:///{tmp_path / 'reg.db'}"
    run(db, "init")
    un_2017 = str(root / "tests" / "data" / "consolidated-2017-07-03.xml")
    assert "1021 added" in run(db, "register", "import", "un-xml", un_2017)
    out = run(db, "register", "import", "csv", str(root / "demo-data" / "designations.csv"))
    assert "360 added" in out
    national = tmp_path / "kz.csv"
    national.write_text("name,aliases,status,listed_on\nHizb ut-Tahrir,HuT,listed,2005-03-28\n")
    assert "1 added" in run(db, "register", "import", "csv", str(national), "--jurisdiction", "KZ")
    assert "QDe.071" in run(db, "register", "export", "csv")
    assert '"schema":"Sanction"' in run(db, "register", "export", "ftm")
    assert "delisted" in run(
        db, "register", "divergence", "--format", "csv", "--jurisdictions", "US,CN"
    )
    history = run(db, "register", "history", "QDe.071")
    assert "2002-03-13" in history
