"""A register name over ``max_name_length`` is refused at import, naming its record; the rest
of the list is imported and a complete list does not delist what it refused."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from accord.register.importer import import_list, read_list
from accord.screening.service import Query, check_query
from accord.store.schema import register_designations
from tests.conftest import Database

ROOT = Path(__file__).resolve().parents[2]
UN_2017 = ROOT / "tests" / "data" / "consolidated-2017-07-03.xml"


def _with_first_name(path: Path, target: Path, reference: str, name: str) -> None:
    """The 2017 list with one entry's first name replaced."""
    text = path.read_text(encoding="utf-8")
    entry = re.search(
        r"<INDIVIDUAL>(?:(?!</INDIVIDUAL>).)*?<REFERENCE_NUMBER>"
        + re.escape(reference)
        + r"</REFERENCE_NUMBER>",
        text,
        re.S,
    )
    assert entry is not None
    changed = re.sub(
        r"<FIRST_NAME>[^<]*</FIRST_NAME>", f"<FIRST_NAME>{name}</FIRST_NAME>", entry[0]
    )
    target.write_text(text.replace(entry[0], changed), encoding="utf-8")


def _statuses(database: Database) -> dict[str, str]:
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(register_designations.c.reference, register_designations.c.status)
        )
        return {str(reference): str(status) for reference, status in rows}


def test_an_overlong_name_is_refused_and_the_rest_imported(
    database: Database, tmp_path: Path
) -> None:
    with database.engine.begin() as connection:
        first = import_list(connection, read_list("un-xml", UN_2017))
    crafted = tmp_path / "crafted.xml"
    _with_first_name(UN_2017, crafted, "KPi.033", "A" * 200_000)
    listed = read_list("un-xml", crafted)
    with database.engine.begin() as connection:
        report = import_list(connection, listed)
    refused = [r for r in report.as_dict()["rejected"] if "KPi.033" in r["where"]]
    assert refused and "at most 1,000" in refused[0]["reason"]
    assert report.unchanged == first.added - 1  # every other entry went through
    assert _statuses(database)["KPi.033"] == "listed"  # still on the list: not delisted


def test_the_name_limit_is_a_setting(tmp_path: Path) -> None:
    crafted = tmp_path / "crafted.xml"
    _with_first_name(UN_2017, crafted, "KPi.033", "B" * 50)
    assert read_list("un-xml", crafted).over_limit == []
    assert len(read_list("un-xml", crafted, max_name_length=40).over_limit) >= 1


def test_screening_refuses_an_overlong_query() -> None:
    assert "limit is 1000" in (check_query(Query("1", "x" * 20_000_000)) or "")
