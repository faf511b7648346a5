"""Search at scale (migration 0015): on PostgreSQL the node's own search query reads the
trigram indexes of name and description (a BitmapOr), not the whole table or its pk."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, text

from tests.api.test_publish import post
from tests.conftest import Node
from tests.stix_factory import bundle, sdo

FILLER = 20_000


def _copies(node: Node, count: int) -> None:
    """``count`` more rows like the stored ones, with names and descriptions without the
    word, so that a scan would cost what it costs on a store."""
    with node.engine.begin() as connection:
        columns = [
            str(c)
            for c in connection.execute(
                text(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = "
                    "'objects' AND table_schema = current_schema() AND column_name NOT IN "
                    "('pk', 'stix_id', 'id_key', 'name', 'description')"
                )
            ).scalars()
        ]
        names = ", ".join(columns)
        connection.execute(
            text(
                f"INSERT INTO objects (stix_id, id_key, name, description, {names}) "
                "SELECT 'indicator--' || gen_random_uuid(), (random() * 1e15)::bigint, "
                "'filler ' || g, 'Text number ' || g || ' about other matters', "
                f"{names} FROM (SELECT * FROM objects LIMIT 1) o, "
                "generate_series(1, :count) g"
            ),
            {"count": count},
        )
        connection.execute(text("ANALYZE objects"))


def _search_statement(node: Node, word: str) -> tuple[set[str], str, Any]:
    """The ids ``q=word`` finds over HTTP, and the statement the node ran for it."""
    seen: list[tuple[str, Any]] = []

    def capture(_c: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "ILIKE" in statement.upper():
            seen.append((statement, parameters))

    event.listen(node.engine, "before_cursor_execute", capture)
    try:
        response = node.client.get(
            "/api/v1/objects", params={"q": word, "limit": 50}, headers=node.headers("ru")
        )
    finally:
        event.remove(node.engine, "before_cursor_execute", capture)
    assert response.status_code == 200, response.text
    assert len(seen) == 1, seen
    found = {item["object"]["id"] for item in response.json()["items"]}
    return found, seen[0][0], seen[0][1]


def test_search_reads_the_trigram_indexes(trio: Node) -> None:
    if trio.database.backend != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's (SQLite keeps its scan)")
    actor = sdo("threat-actor", name="Crescent cell")
    indicator = sdo("indicator", description="Seen near the crescent border")
    other = sdo("intrusion-set", name="Unrelated")
    assert post(trio, "kz", bundle(actor, indicator, other)).status_code in (200, 201)
    _copies(trio, FILLER)
    found, statement, parameters = _search_statement(trio, "CRESCENT")
    assert found == {actor["id"], indicator["id"]}
    with trio.engine.connect() as connection:
        plan = "\n".join(
            str(row[0]) for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters)
        )
    assert "BitmapOr" in plan, plan
    assert "ix_objects_name_trgm" in plan and "ix_objects_description_trgm" in plan, plan
    assert "Seq Scan on objects" not in plan and "objects_pkey" not in plan, plan
