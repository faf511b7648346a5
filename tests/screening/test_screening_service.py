"""Screening end to end: the index over a real register, the API, the CLI, bad input."""

from __future__ import annotations

import csv
from pathlib import Path

import orjson
import pytest
from sqlalchemy import delete
from typer.testing import CliRunner

from accord.cli import app
from accord.register.importer import import_list, read_list
from accord.screening.index import ScreeningIndex
from accord.screening.service import Query, screen
from accord.store.schema import register_names
from tests.conftest import Database, Node
from tests.registers import load_un
from tests.servers import server_url

UN_2025 = Path(__file__).resolve().parents[2] / "demo-data" / "consolidated-2025-08-02.xml"


def import_un(database: Database) -> None:
    """The UN list imported for real (into a store that may already hold something)."""
    listed = read_list("un-xml", UN_2025)
    with database.engine.begin() as connection:
        import_list(connection, listed)


@pytest.fixture
def index(database: Database) -> ScreeningIndex:
    load_un(database)
    built = ScreeningIndex()
    with database.engine.connect() as connection:
        built.refresh(connection)
    return built


def test_cross_script_query_finds_the_subject_with_references(index: ScreeningIndex) -> None:
    result = screen(index, Query("1", "Джебхат ан-Нусра"))
    best = result["matches"][0]
    assert best["match"] and "QDe.137" in best["references"]
    assert best["explanation"]["pairs"] and "not a decision" in best["explanation"]["note"]
    assert screen(index, Query("2", "Completely Unrelated Bakery Ltd"))["matches"] == [] or all(
        not m["match"]
        for m in screen(index, Query("2", "Completely Unrelated Bakery Ltd"))["matches"]
    )


def test_qualifiers_lower_a_wrong_type(index: ScreeningIndex) -> None:
    def nusra(kind: str) -> dict[str, object]:
        matches = screen(index, Query("1", "Jabhat al-Nusrah", kind), limit=20)["matches"]
        return next(m for m in matches if "QDe.137" in m["references"])

    as_org, as_person = nusra("Organization"), nusra("Person")
    assert as_person["score"] < as_org["score"]  # type: ignore[operator]
    assert any("type" in note for note in as_person["explanation"]["qualifiers"])  # type: ignore[index]


@pytest.mark.parametrize(
    ("name", "error"),
    [("", "empty"), ("   ", "empty"), ("x" * 10_000, "limit"), ("ok", None)],
)
def test_bad_names_get_clear_answers(index: ScreeningIndex, name: str, error: str | None) -> None:
    result = screen(index, Query("q", name))
    assert (error is None and "error" not in result) or error in result["error"]
    assert "matches" in screen(index, Query("q", "Nusra 🙂 \x07 фронт"))


def test_index_follows_the_register_without_a_rebuild(
    database: Database, index: ScreeningIndex
) -> None:
    size = len(index)
    with database.engine.connect() as connection:
        assert index.refresh(connection) is False  # nothing changed: nothing read
    with database.engine.begin() as connection:
        gone = connection.execute(
            delete(register_names).where(register_names.c.name == "Jabhat al-Nusrah")
        ).rowcount
    with database.engine.connect() as connection:
        assert index.refresh(connection) is True
    assert len(index) == size - gone
    import_un(database)  # a re-import writes the names again
    with database.engine.connect() as connection:
        assert index.refresh(connection) is True
    assert len(index) == size


def test_api_single_and_batch_are_audited(trio: Node) -> None:
    import_un(trio.database)
    headers = trio.headers("kz")
    one = trio.client.post("/api/v1/screen", json={"name": "Al-Nusrah Front"}, headers=headers)
    assert one.status_code == 200 and one.json()["results"][0]["matches"]
    batch = {"queries": [{"id": "a", "name": "Jabhat al-Nusra"}, {"id": "b", "name": ""}]}
    body = trio.client.post("/api/v1/screen", json=batch, headers=headers).json()
    assert [r["id"] for r in body["results"]] == ["a", "b"] and "error" in body["results"][1]
    mixed = {
        "queries": [
            {"id": "ok", "name": "Jabhat al-Nusra"},
            {"id": "n", "name": 5},
            "not an object",
            {"id": "d", "name": "Al-Nusrah Front", "birth_date": "yesterday"},
            {"id": "x" * 3, "name": "x" * 10_000},
        ]
    }
    got = trio.client.post("/api/v1/screen", json=mixed, headers=headers)
    assert got.status_code == 200, got.text
    answers = got.json()["results"]
    assert answers[0]["matches"] and "error" not in answers[0]
    assert answers[1]["error"].startswith("queries[1].name")
    assert answers[2]["error"].startswith("queries[2]")
    assert "birth_date 'yesterday'" in answers[3]["error"]
    assert "limit is 1000" in answers[4]["error"]
    big = {"queries": [{"name": "x"}] * 1001}
    assert trio.client.post("/api/v1/screen", json=big, headers=headers).status_code == 413
    trio.account("auditor", "kz-knb", "admin")
    entries = trio.client.get("/api/v1/audit", headers=trio.headers("auditor")).json()["entries"]
    assert sum(1 for e in entries if e["action"] == "screen") == 3


def test_cli_file_to_jsonl_and_csv(database: Database, tmp_path: Path) -> None:
    load_un(database)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "id,name,type\n1,Jabhat al-Nusrah,Organization\n2,,\n3,Nobody Special,Person\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    out = tmp_path / "out.jsonl"
    url = server_url(database)
    result = runner.invoke(app, ["--db", url, "screen", "--file", str(manifest), "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = [orjson.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["1", "2", "3"]
    assert lines[0]["matches"][0]["match"] and lines[1]["error"] == "name is empty"
    as_csv = tmp_path / "out.csv"
    again = runner.invoke(
        app, ["--db", url, "screen", "--file", str(manifest), "--out", str(as_csv)]
    )
    assert again.exit_code == 0, again.output
    rows = list(csv.DictReader(as_csv.open()))
    assert rows[0]["id"] == "1" and float(rows[0]["score"]) >= 0.7


def test_cli_manifest_survives_malformed_rows(database: Database, tmp_path: Path) -> None:
    """Too many fields, a NUL byte, bytes that are not UTF-8, an emoji, control characters:
    each bad row gets an answer or an error naming its line, and the rows after it are still
    screened."""
    load_un(database)
    manifest = tmp_path / "manifest.csv"
    manifest.write_bytes(
        b"id,name,type\n"
        b"1,Jabhat al-Nusrah,Organization\n"
        b"2,too,many,fields\n"
        b"3,Nul\x00Byte,\n"
        b"4,\xff\xfe not utf-8,\n"
        + "5,🙂 \x07 Фронт ан-Нусра,\n".encode()
        + b"6,Jabhat al-Nusra,\n"
    )
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        app, ["--db", server_url(database), "screen", "--file", str(manifest), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    lines = {line["id"]: line for line in map(orjson.loads, out.read_text().splitlines())}
    assert set(lines) == {"1", "2", "3", "line 5", "5", "6"}
    assert "line 3 has 4 fields" in lines["2"]["error"]
    assert "error" not in lines["3"]  # a NUL is a control character: screened without it
    assert "line 5 is not valid UTF-8" in lines["line 5"]["error"]
    assert lines["5"]["matches"] and "error" not in lines["5"]
    assert lines["6"]["matches"][0]["match"]
