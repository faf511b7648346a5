"""The CLI with crafted or missing files: an error naming the line or the file, a non-zero
exit, never a traceback, and never rows silently swallowed."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from accord.cli import app

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert runner.invoke(app, ["--db", url, "init"]).exit_code == 0
    return url


def _fails_cleanly(db: str, *args: str) -> str:
    result = runner.invoke(app, ["--db", db, *args])
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    # Unwrapped from Rich's error box, whose 80 columns split a long path across lines.
    return " ".join(result.output.replace("│", " ").split())


def test_an_unterminated_quote_is_an_error_on_its_line_and_later_rows_are_screened(
    db: str, tmp_path: Path
) -> None:
    manifest = tmp_path / "names.csv"
    manifest.write_text('id,name\n1,"Ivan Petrov\n2,John Smith\n3,Ali Hassan\n', encoding="utf-8")
    out = tmp_path / "results.jsonl"
    result = runner.invoke(app, ["--db", db, "screen", "--file", str(manifest), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = [orjson.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [row["id"] for row in rows] == ["line 2", "2", "3"]
    assert "line 2" in rows[0]["error"] and "unterminated quote" in rows[0]["error"]
    assert "error" not in rows[1] and "error" not in rows[2]


def test_missing_manifest_and_unwritable_output_are_one_line_errors(
    db: str, tmp_path: Path
) -> None:
    assert "does not exist" in _fails_cleanly(db, "screen", "--file", str(tmp_path / "no.csv"))
    manifest = tmp_path / "names.csv"
    manifest.write_text("id,name\n1,John Smith\n", encoding="utf-8")
    out = tmp_path / "missing-dir" / "out.jsonl"
    output = _fails_cleanly(db, "screen", "--file", str(manifest), "--out", str(out))
    assert "cannot write" in output


def test_an_overlong_name_to_screen_is_refused(db: str) -> None:
    assert "limit is 1,000" in _fails_cleanly(db, "screen", "x" * 5000)


@pytest.mark.parametrize(
    "args",
    [
        ("publish", "missing.json", "--account", "a", "--audience", "own", "--tlp", "green"),
        ("ingest", "missing.txt"),
        ("register", "import", "un-xml", "missing.xml"),
        ("register", "import", "designations", "missing.csv"),
        ("register", "import", "ftm", "missing.json"),
    ],
)
def test_a_missing_file_is_a_clear_error(db: str, tmp_path: Path, args: tuple[str, ...]) -> None:
    named = [str(tmp_path / a) if a.startswith("missing") else a for a in args]
    assert "missing" in _fails_cleanly(db, *named)
