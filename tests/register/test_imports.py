"""Importing real public lists into the register: history, delistings, bad input."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select

from accord.errors import InvalidInput, ValidationFailed
from accord.register import views
from accord.register.csv_lists import read_designations_csv, read_national_csv
from accord.register.importer import ImportReport, import_list, import_records, read_list
from accord.register.un_xml import read_un_xml
from accord.store.schema import register_designations, register_records, register_subjects
from tests.conftest import Database

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"  # copies of ../shared/data (public lists), see its README
UN_2017 = DATA / "consolidated-2017-07-03.xml"
UN_2025 = ROOT / "demo-data" / "consolidated-2025-08-02.xml"
DESIGNATIONS = ROOT / "demo-data" / "designations.csv"


def un(database: Database, path: Path) -> object:
    return load(database, "un-xml", path)


def load(database: Database, kind: str, path: Path) -> ImportReport:
    listed = read_list(kind, path)
    with database.engine.begin() as connection:
        return import_list(connection, listed)


def subject_of(database: Database, reference: str) -> int:
    with database.engine.connect() as connection:
        return int(
            connection.execute(
                select(register_designations.c.subject_id).where(
                    register_designations.c.reference == reference
                )
            ).scalar_one()
        )


def count(database: Database, table: object) -> int:
    with database.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_two_un_snapshots_record_the_real_delistings(database: Database) -> None:
    first = un(database, UN_2017)
    assert first.added == 1021 and first.delisted == 0  # type: ignore[attr-defined]
    second = un(database, UN_2025)
    assert second.delisted == 305 and second.added == 163  # type: ignore[attr-defined]
    with database.engine.connect() as connection:
        events = views.history(connection, subject_of(database, "QDe.071"))
        assert [(e["status"], e["on_date"], e["precision"]) for e in events] == [
            ("listed", "2002-03-13", "day"),
            ("delisted", "2025-08-02", "by"),
        ]
        before = views.status_as_of(connection, date(2020, 1, 1))
        after = views.status_as_of(connection, date(2025, 8, 2))
    subject = subject_of(database, "QDe.071")
    assert before[subject]["UN"].status == "listed"
    assert after[subject]["UN"].status == "delisted"
    again = un(database, UN_2025)  # the same list twice changes nothing
    assert (again.added, again.delisted, again.updated) == (0, 0, 0)  # type: ignore[attr-defined]


def test_designations_csv_links_by_reference_and_shows_divergence(database: Database) -> None:
    un(database, UN_2025)
    assert read_designations_csv(DESIGNATIONS)[1] == []
    report = load(database, "designations", DESIGNATIONS)
    assert report.linked >= 90  # UN rows name their QDe/TAe reference
    etim_un = subject_of(database, "QDe.088")
    with database.engine.connect() as connection:
        shown = views.show(connection, etim_un)
        assert {d["jurisdiction"] for d in shown["designations"]} == {"UN"}
        assert "designations:UN:eastern turkistan islamic movement etim" in shown["records"]
        columns, rows = views.divergence(connection, ["US", "CN"], date(2025, 1, 1))
    by_name = {row["name"]: row["jurisdictions"] for row in rows}
    us_etim = by_name["Eastern Turkistan Islamic Movement"]
    assert us_etim["US"]["status"] in ("delisted", "absent")
    assert columns == ["CN", "US"]


def test_hostile_and_broken_xml_is_refused_and_changes_nothing(
    database: Database, tmp_path: Path
) -> None:
    un(database, UN_2017)
    before = count(database, register_records)
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
        "<CONSOLIDATED_LIST>&b;</CONSOLIDATED_LIST>"
    )
    external = tmp_path / "xxe.xml"
    external.write_text(
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<CONSOLIDATED_LIST>&x;</CONSOLIDATED_LIST>"
    )
    truncated = tmp_path / "truncated.xml"
    truncated.write_bytes(UN_2025.read_bytes()[:50_000])
    latin1 = tmp_path / "latin1.xml"
    latin1.write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?><CONSOLIDATED_LIST>\xe9</CONSOLIDATED_LIST>'
    )
    for path, words in (
        (bomb, "refused"),
        (external, "refused"),
        (truncated, "line"),
        (latin1, "line"),
    ):
        with pytest.raises(InvalidInput, match=words):
            read_un_xml(path)
    missing = tmp_path / "missing-ref.xml"
    missing.write_text(
        UN_2025.read_text(encoding="utf-8").replace(
            "<REFERENCE_NUMBER>CDe.001</REFERENCE_NUMBER>", "", 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput, match="nothing was imported"):
        un(database, missing)  # a complete list with a hole would delist the entry
    assert count(database, register_records) == before


def test_bad_csv_rows_are_refused_by_line_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "national.csv"
    path.write_text(
        "name,aliases,kind,status,listed_on,delisted_on,reference\n"
        "Good Group,GG; Хорошая группа,organization,listed,2020-01-02,,\n"
        "Bad Date,,organization,listed,2020-02-30,,\n"
        "Bad Status,,organization,banned,,,\n"
        ",,organization,listed,,,\n"
        "Backwards,,organization,delisted,2020-01-01,2019-01-01,\n",
        encoding="utf-8",
    )
    records, refused = read_national_csv(path, "KZ")
    assert [r.primary for r in records] == ["Good Group"]
    assert records[0].names[2].script == "Cyrillic"
    assert [w.rsplit(" ", 1)[-1] for w, _ in refused] == ["3", "4", "5", "6"]
    assert "impossible date" in refused[0][1] and "banned" in refused[1][1]
    with pytest.raises(InvalidInput, match="unknown jurisdiction"):
        read_national_csv(path, "Narnia")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("name\nCaf\xe9\n".encode("latin-1"))
    with pytest.raises(InvalidInput, match="not UTF-8: byte 8"):
        read_national_csv(latin1, "KZ")


def test_duplicate_rows_are_refused(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("name,status\nSame Group,listed\nSame Group,listed\n", encoding="utf-8")
    records, refused = read_national_csv(path, "TJ")
    with database.engine.begin() as connection:
        report = import_records(
            connection, kind="csv:TJ", path=path, records=records, rejected=refused
        )
    assert report.added == 1 and "duplicate of" in report.rejected[0][1]
    assert count(database, register_subjects) == 1


def test_register_api(trio_register: tuple[object, int]) -> None:
    node, subject = trio_register
    client, headers = node.client, node.headers("kz")  # type: ignore[attr-defined]
    body = client.get(
        "/api/v1/register/divergence", params={"as_of": "2026-01-01"}, headers=headers
    ).json()
    assert body["jurisdictions"] and isinstance(body["subjects"], list)
    assert (
        client.get(f"/api/v1/register/subjects/{subject}", headers=headers).json()["id"] == subject
    )
    events = client.get(f"/api/v1/register/subjects/{subject}/history", headers=headers).json()
    assert events["events"][-1]["status"] == "delisted"
    bad = client.get("/api/v1/register/divergence", params={"as_of": "soon"}, headers=headers)
    assert bad.status_code == 422
    assert client.get("/api/v1/register/subjects/999999", headers=headers).status_code == 404


@pytest.fixture
def trio_register(trio: object) -> tuple[object, int]:
    database = trio.database  # type: ignore[attr-defined]
    un(database, UN_2017)
    un(database, UN_2025)
    return trio, subject_of(database, "QDe.071")


def test_analyst_links_confirm_reject_undo_and_outlive_reimports(database: Database) -> None:
    from accord.register import links

    def load_designations() -> None:
        load(database, "designations", DESIGNATIONS)

    load_designations()
    ru, kz = "designations:RU:taliban movement", "designations:KZ:taliban"
    irpt_ru = "designations:RU:islamic renaissance party of tajikistan"
    irpt_tj = "designations:TJ:islamic renaissance party of tajikistan"
    with database.engine.begin() as connection:
        assert links._record(connection, irpt_ru)[1] == links._record(connection, irpt_tj)[1]
        made = links.decide(connection, ru, kz, "same", "analyst", "the Taliban")
        assert links._record(connection, ru)[1] == links._record(connection, kz)[1]
        apart = links.decide(connection, irpt_ru, irpt_tj, "different", "analyst")
        assert links._record(connection, irpt_ru)[1] != links._record(connection, irpt_tj)[1]
        matrix = views.status_as_of(connection, date(2024, 6, 1))
        taliban = matrix[links._record(connection, ru)[1]]
        assert taliban["KZ"].status == "delisted" and "RU" not in taliban  # RU: not yet known
        taliban = views.status_as_of(connection, date(2026, 1, 1))[links._record(connection, ru)[1]]
        assert (taliban["RU"].status, taliban["RU"].since) == ("delisted", "2025-04-17")
    load_designations()  # a re-import keeps both decisions
    with database.engine.begin() as connection:
        assert links._record(connection, ru)[1] == links._record(connection, kz)[1]
        assert links._record(connection, irpt_ru)[1] != links._record(connection, irpt_tj)[1]
        links.undo(connection, made.id)
        assert links._record(connection, ru)[1] != links._record(connection, kz)[1]
        assert [link.active for link in links.list_links(connection)] == [False, True]
        assert apart.decision == "different"
        with pytest.raises(ValidationFailed):
            links.decide(connection, ru, ru, "same", "analyst")


def test_ftm_import_and_round_trip_exports(database: Database, tmp_path: Path) -> None:
    from accord.register.ftm import export_ftm, export_rows, read_ftm

    source = DATA / "sample-multijurisdiction.ftm.json"
    records, refused = read_ftm(source)
    assert refused == [] and len(records) == 4
    etim = next(r for r in records if r.key == "demo-etim")
    us = next(d for d in etim.designations if d.jurisdiction == "US")
    assert (us.status, str(us.delisted_on)) == ("delisted", "2020-10-20")
    with database.engine.begin() as connection:
        import_records(connection, kind="ftm", path=source, records=records, rejected=refused)
        exported = list(export_ftm(connection))
        rows = list(export_rows(connection))
    sanctions = [e for e in exported if e["schema"] == "Sanction"]
    assert len(sanctions) == 17 and len(rows) == 17
    again = tmp_path / "again.ftm.json"
    again.write_text("\n".join(orjson.dumps(e).decode() for e in exported), encoding="utf-8")
    records2, refused2 = read_ftm(again)
    assert refused2 == [] and len(records2) == 4
    assert sum(len(r.designations) for r in records2) == 17
    broken = tmp_path / "broken.ftm.json"
    broken.write_text(
        '{"id": "x", "schema": "Sanction", "properties": {"entity": ["nope"], '
        '"authority": ["Narnia"]}}\nnot json\n',
        encoding="utf-8",
    )
    _, problems = read_ftm(broken)
    assert [w.rsplit(" ", 1)[-1] for w, _ in problems] == ["2", "1"]


def test_register_as_stix_passes_the_validator_and_publishes(trio: object) -> None:
    from stix2validator import ValidationOptions, validate_instance

    from accord.acts.publish import publish_objects
    from accord.register.stix import subjects_as_stix
    from accord.stix.markings import Tlp
    from accord.store import directory

    database = trio.database  # type: ignore[attr-defined]
    un(database, UN_2017)
    load(database, "designations", DESIGNATIONS)
    with database.engine.connect() as connection:
        objects = subjects_as_stix(connection)
    options = ValidationOptions(version="2.1", strict=False)
    for obj in objects[:2] + objects[2::50]:
        result = validate_instance(orjson.loads(orjson.dumps(obj)), options)
        assert result.is_valid, (obj["id"], [str(e) for e in result.errors])
    etim = next(o for o in objects if o.get("name") == "EASTERN TURKISTAN ISLAMIC MOVEMENT (ETIM)")
    designations = next(iter(etim["extensions"].values()))["designations"]
    assert {"jurisdiction": "UN", "status": "listed"}.items() <= designations[0].items()
    with database.engine.begin() as connection:
        account = directory.get_account(connection, "kz")
        first = publish_objects(
            connection, account, objects, audience="network", tlp=Tlp.CLEAR, door="cli"
        )
        again = publish_objects(
            connection,
            account,
            subjects_as_stix(connection),
            audience="network",
            tlp=Tlp.CLEAR,
            door="cli",
        )
    assert first.count("rejected") == 0 and first.count("accepted") == len(objects)
    assert again.count("unchanged") == len(objects)
