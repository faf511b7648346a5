"""`accord screen --file` at scale (accord.screening.batch): several worker processes, output
in input order, an interrupted run resumed without a row screened twice or written twice."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from accord.cli import app
from accord.errors import InvalidInput
from accord.screening import batch
from accord.screening.batch import Batch, BatchFailed, Options, progress_path
from accord.screening.index import ScreeningIndex
from accord.screening.manifest import read_rows
from accord.screening.service import Query, screen
from accord.screening.snapshot import open_index
from accord.store.schema import audit_log
from tests.conftest import Database
from tests.registers import load_un
from tests.servers import server_url

NAMES = (
    "Jabhat al-Nusrah",
    "Джебхат ан-Нусра",
    "Tehrik-e Taliban Pakistan",
    "Nobody Special",
    "Al-Qaida",
    "Aboubakar Shekau",
    "Completely Unrelated Bakery Ltd",
    "Islamic State in Iraq and the Levant",
)
BAD = ("{n},,Person\n", "{n},too,many,fields,here\n", '{n},"Unterminated\n', "{n},x,Spaceship\n")


def write_manifest(path: Path, rows: int, seed: int = 7) -> list[str]:
    """A manifest of ``rows`` rows, one in ten bad; the ids its results must carry, in order."""
    rng = random.Random(seed)
    ids = []
    line = 1
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("id,name,type\n")
        for n in range(1, rows + 1):
            line += 1
            if n % 10 == 3:
                bad = rng.choice(BAD)
                handle.write(bad.format(n=n))
                ids.append(f"line {line}" if bad.startswith('{n},"') else str(n))
            else:
                handle.write(f"{n},{rng.choice(NAMES)} {rng.randint(1, 99)},\n")
                ids.append(str(n))
            if n % 97 == 0:
                handle.write("\n")  # blank lines are skipped, but count as lines
                line += 1
    return ids


def well_formed(path: Path) -> int:
    """The rows the manifest reader passes on to screening (not malformed CSV)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _line, _row, problem in read_rows(handle, path.name) if not problem)


@pytest.fixture
def index(database: Database) -> ScreeningIndex:
    load_un(database)
    with database.engine.connect() as connection:
        return open_index(connection)


def run(
    index: ScreeningIndex,
    manifest: Path,
    out: Path,
    *,
    workers: int = 2,
    resume: bool = False,
    stop_after: int | None = None,
    options: Options | None = None,
    **kw: Any,
) -> tuple[Any, list[int]]:
    audited: list[int] = []
    options = options or Options(0.7, 5, out.suffix == ".csv")
    batch = Batch(index, manifest, out, options, workers=workers, resume=resume, **kw)
    with batch:
        summary = batch.run(lambda rows: None, audited.append, stop_after=stop_after)
    return summary, audited


def ids_of(out: Path) -> list[str]:
    return [orjson.loads(line)["id"] for line in out.read_bytes().splitlines()]


def test_two_workers_keep_the_order_and_give_what_one_gives(
    index: ScreeningIndex, tmp_path: Path
) -> None:
    manifest = tmp_path / "m.csv"
    ids = write_manifest(manifest, 1500)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    summary, audited = run(index, manifest, two, workers=2, chunk_rows=40)
    assert summary.rows == 1500 and not summary.interrupted and audited == [1500]
    run(index, manifest, one, workers=1, chunk_rows=40)
    assert ids_of(two) == ids
    assert two.read_bytes() == one.read_bytes()
    results = [orjson.loads(line) for line in two.read_bytes().splitlines()]
    assert sum("error" in r for r in results) == 150
    errors = " ".join(r.get("error", "") for r in results)
    for why in ("unterminated quote", "name is empty", "fields; the header has 3", "Spaceship"):
        assert why in errors
    assert results[0]["matches"]
    assert not progress_path(two).exists()
    run(index, manifest, tmp_path / "one.csv", workers=1)
    run(index, manifest, tmp_path / "two.csv", workers=2, chunk_rows=40)
    assert (tmp_path / "two.csv").read_text(encoding="utf-8").startswith("id,subject_id,")
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()


def test_forgetting_the_memos_changes_no_result(
    index: ScreeningIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = tmp_path / "m.csv"
    write_manifest(manifest, 600)
    remembering, forgetting = tmp_path / "remembering.jsonl", tmp_path / "forgetting.jsonl"
    run(index, manifest, remembering, workers=1)
    monkeypatch.setattr(batch, "FORGET_ROWS", 50)
    run(index, manifest, forgetting, workers=2, chunk_rows=25)
    assert forgetting.read_bytes() == remembering.read_bytes()


def counting(log: Path) -> Any:
    """screen(), writing the id of each query it is asked to a file (from any process)."""

    def counted(index: ScreeningIndex, query: Query, **options: Any) -> dict[str, Any]:
        descriptor = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            os.write(descriptor, f"{query.id}\n".encode())
        finally:
            os.close(descriptor)
        return screen(index, query, **options)

    return counted


@pytest.mark.parametrize("workers", [1, 2])
def test_a_stopped_run_resumes_to_the_same_file_and_screens_no_row_twice(
    index: ScreeningIndex, tmp_path: Path, workers: int
) -> None:
    manifest = tmp_path / "m.csv"
    write_manifest(manifest, 1000)
    whole, parts = tmp_path / "whole.jsonl", tmp_path / "parts.jsonl"
    run(index, manifest, whole, workers=workers, chunk_rows=32)
    log = tmp_path / "screened.log"
    kw: dict[str, Any] = {"chunk_rows": 32, "screen_function": counting(log)}
    first, audited = run(index, manifest, parts, workers=workers, stop_after=7, **kw)
    assert first.interrupted and first.rows == 7 * 32 and audited == [7 * 32]
    assert progress_path(parts).exists()
    second, again = run(index, manifest, parts, workers=workers, resume=True, **kw)
    assert not second.interrupted and second.rows == 1000 and second.screened == 1000 - 7 * 32
    assert again == [1000 - 7 * 32]  # every row audited once, across the two runs
    assert parts.read_bytes() == whole.read_bytes()
    screened = log.read_text().split()
    assert len(screened) == len(set(screened)) == well_formed(manifest)
    assert not progress_path(parts).exists()


def test_a_worker_that_dies_stops_the_run_and_resume_goes_on(
    index: ScreeningIndex, tmp_path: Path
) -> None:
    manifest = tmp_path / "m.csv"
    write_manifest(manifest, 800)
    whole, parts = tmp_path / "whole.jsonl", tmp_path / "parts.jsonl"
    run(index, manifest, whole, workers=1)

    def dies(index: ScreeningIndex, query: Query, **options: Any) -> dict[str, Any]:
        if query.id == "500":
            os._exit(3)
        return screen(index, query, **options)

    with pytest.raises(BatchFailed, match="run again with --resume"):
        run(index, manifest, parts, workers=2, chunk_rows=50, screen_function=dies)
    assert orjson.loads(progress_path(parts).read_bytes())["rows"] < 500
    run(index, manifest, parts, workers=2, resume=True, chunk_rows=50)
    assert parts.read_bytes() == whole.read_bytes()


def test_resume_truncates_what_was_written_after_the_last_commit(
    index: ScreeningIndex, tmp_path: Path
) -> None:
    """As after kill -9: the output holds more than the progress file records."""
    manifest = tmp_path / "m.csv"
    write_manifest(manifest, 600)
    whole, parts = tmp_path / "whole.jsonl", tmp_path / "parts.jsonl"
    run(index, manifest, whole, workers=1)
    run(index, manifest, parts, workers=2, stop_after=1, chunk_rows=100)
    with parts.open("ab") as handle:
        handle.write(b'{"id": "half a line')
    run(index, manifest, parts, workers=2, resume=True, chunk_rows=100)
    assert parts.read_bytes() == whole.read_bytes()


def test_resume_is_refused_for_another_manifest_other_options_or_no_progress(
    index: ScreeningIndex, tmp_path: Path
) -> None:
    manifest = tmp_path / "m.csv"
    write_manifest(manifest, 300)
    out = tmp_path / "out.jsonl"
    with pytest.raises(InvalidInput, match="nothing to resume"):
        run(index, manifest, out, resume=True)
    run(index, manifest, out, stop_after=1, chunk_rows=50)
    with pytest.raises(InvalidInput, match="options differ"):
        run(index, manifest, out, resume=True, options=Options(0.8, 5, False))
    with Batch(index, manifest, out, Options(0.7, 5, False), workers=1, resume=True):
        with pytest.raises(InvalidInput, match="another run is writing"):
            run(index, manifest, out, resume=True)
        with pytest.raises(InvalidInput, match="another run is writing"):
            run(index, manifest, out)
    written = out.read_bytes()
    out.write_bytes(written.replace(b'"id":"', b'"id": "'))
    with pytest.raises(InvalidInput, match="not what the interrupted run wrote"):
        run(index, manifest, out, resume=True)
    out.write_bytes(written)
    with manifest.open("a", encoding="utf-8") as handle:
        handle.write("301,Another Name,\n")
    with pytest.raises(InvalidInput, match="not the manifest of the interrupted run"):
        run(index, manifest, out, resume=True)
    assert progress_path(out).exists()  # refused: the interrupted run is left as it was
    with pytest.raises(InvalidInput, match="at least 1"):
        run(index, manifest, out, workers=0)
    with pytest.raises(InvalidInput, match="would overwrite the manifest"):
        run(index, manifest, manifest)


def test_a_fresh_run_over_an_interrupted_one_starts_over_and_says_so(
    index: ScreeningIndex, tmp_path: Path
) -> None:
    manifest = tmp_path / "m.csv"
    ids = write_manifest(manifest, 300)
    out = tmp_path / "out.jsonl"
    run(index, manifest, out, stop_after=2, chunk_rows=50)
    batch = Batch(index, manifest, out, Options(0.7, 5, False), workers=2, chunk_rows=50)
    assert batch.notice and "starting over" in batch.notice
    audited: list[int] = []
    with batch:
        batch.run(lambda rows: None, audited.append)
    assert ids_of(out) == ids and audited == [300]


def _cli(database: Database, *args: str) -> Any:
    return CliRunner().invoke(app, ["--db", server_url(database), "screen", *args])


def test_cli_workers_resume_and_bad_options(database: Database, tmp_path: Path) -> None:
    load_un(database)
    manifest = tmp_path / "m.csv"
    ids = write_manifest(manifest, 700)
    out = tmp_path / "out.jsonl"
    done = _cli(database, "--file", str(manifest), "--out", str(out), "--workers", "2")
    assert done.exit_code == 0, done.output
    assert "700 rows screened" in done.output and ids_of(out) == ids
    with database.engine.connect() as connection:
        entries = list(connection.execute(select(audit_log).where(audit_log.c.action == "screen")))
    assert len(entries) == 1 and orjson.loads(entries[0].details)["queries"] == 700
    for args, said in (
        (["--workers", "0"], "Invalid value for --workers: at least 1 (got 0)"),
        (["--workers", "-3"], "Invalid value for --workers: at least 1 (got -3)"),
        (["--workers", "two"], "unable to parse string as an integer"),
        (["--resume"], "nothing to resume"),
    ):
        failed = _cli(database, "--file", str(manifest), "--out", str(out), *args)
        assert failed.exit_code == 2, failed.output
        flat = " ".join(failed.output.replace("│", " ").split())  # unwrapped from Rich's box
        assert said in flat and "Traceback" not in failed.output
    failed = _cli(database, "Some Name", "--resume")
    assert failed.exit_code == 2 and "--resume continues a --file run" in failed.output


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start(database: Database, manifest: Path, out: Path, *more: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", "from accord.cli import main; main()"]
    command += ["--db", server_url(database), "screen", "--file", str(manifest), "--out", str(out)]
    return subprocess.Popen(
        [*command, *more],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        # One hash seed for every process: ties between candidates follow set order.
        env={**os.environ, "PYTHONHASHSEED": "0", "COLUMNS": "200"},
    )


def _wait_for_progress(process: subprocess.Popen[bytes], out: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if orjson.loads(progress_path(out).read_bytes())["rows"]:
                return
        except (OSError, orjson.JSONDecodeError):
            pass
        time.sleep(0.05)
    pytest.fail("the run finished or stalled before its first commit")


#: Rows of the killed run's manifest: a dozen commits of 256 rows, so that the kill lands
#: after the first and before the last.
ROWS = 3000


@pytest.mark.skipif(sys.platform != "linux", reason="kill -9 and /proc")
@pytest.mark.parametrize("how", ["SIGKILL", "SIGINT"])
def test_a_killed_or_interrupted_process_resumes_to_the_same_file(
    database: Database, tmp_path: Path, how: str
) -> None:
    load_un(database)
    with database.engine.connect() as connection:
        open_index(connection)  # the snapshot every process below loads
    manifest = tmp_path / "m.csv"
    write_manifest(manifest, ROWS)
    whole, parts = tmp_path / "whole.jsonl", tmp_path / "parts.jsonl"
    reference = _start(database, manifest, whole, "--workers", "1")
    process = _start(database, manifest, parts, "--workers", "2")
    _wait_for_progress(process, parts)
    workers = _children(process.pid)
    process.send_signal(getattr(signal, how))
    said = process.communicate(timeout=60)[0].decode()
    assert reference.wait(timeout=120) == 0
    if how == "SIGINT":
        assert process.returncode == 130 and "--resume to continue" in said, said
        assert "Traceback" not in said
    else:
        assert process.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 10
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert workers and not any(map(_alive, workers)), "workers outlived their parent"
    stopped_at = orjson.loads(progress_path(parts).read_bytes())["rows"]
    assert 0 < stopped_at < ROWS
    resumed = _start(database, manifest, parts, "--workers", "2", "--resume")
    said = resumed.communicate(timeout=120)[0].decode()
    assert resumed.returncode == 0, said
    assert f"resuming after {stopped_at:,}" in said and f"{ROWS} rows screened" in said
    assert parts.read_bytes() == whole.read_bytes()
    assert not progress_path(parts).exists()
    with database.engine.connect() as connection:
        details = [
            orjson.loads(row.details)["queries"]
            for row in connection.execute(select(audit_log).where(audit_log.c.action == "screen"))
        ]
    # Every row audited once: the reference run, then the interrupted and resumed runs
    # (a killed run cannot write its entry: the resumed one counts its rows).
    assert sorted(details)[-1] == ROWS and sum(details) == 2 * ROWS
