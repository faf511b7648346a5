"""The typed article: its JSON is the stable shape and reads back to the same records; a
posted or stored article is refused, naming the field, when a value has the wrong type or
evidence does not quote the text; the console will not publish a tampered review."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

import orjson
import pytest

from accord.errors import ValidationFailed
from accord.ingest.model import Article
from accord.ingest.pipeline import ingest, read_article
from tests.conftest import Node
from tests.console.test_console import sign_in

ARTICLE = Path(__file__).resolve().parents[1] / "data" / "articles"
TEXT = next(ARTICLE.glob("*.txt")).read_bytes()
SHORT = (
    "Published: 20 December 2016\n\n"
    "On Monday, Russian Ambassador to Turkey Andrey Karlov was killed by an off-duty police "
    "officer Mevlut Mert Altintas at a gallery in Ankara, officials said yesterday.\n"
)


@pytest.fixture(scope="module")
def typed() -> Article:
    return read_article(TEXT, "sputnik.txt")


@pytest.fixture
def data(typed: Article) -> dict[str, Any]:
    return copy.deepcopy(typed.as_dict())


def test_the_json_door_is_the_articles_dict_and_reads_back_to_the_same_records(
    typed: Article,
) -> None:
    assert ingest(TEXT, "sputnik.txt") == typed.as_dict()
    stored = orjson.loads(orjson.dumps(typed.as_dict()))
    assert Article.from_dict(stored) == typed
    assert Article.from_dict(stored).as_dict() == stored
    assert "text" not in typed.public() and typed.public()["persons"] == stored["persons"]
    assert typed.persons and typed.organisations and typed.locations and typed.incidents


def test_an_article_with_no_body_has_no_text_and_reads_back() -> None:
    empty = read_article("Home\nNews\nSport\n", "menu.txt")
    shape = empty.as_dict()
    assert "text" not in shape and list(shape)[-1] == "note"
    assert Article.from_dict(orjson.loads(orjson.dumps(shape))) == empty


def first_span(data: dict[str, Any]) -> dict[str, Any]:
    span: dict[str, Any] = data["persons"][0]["evidence"][0]
    return span


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Set the value at a path such as ``persons[0].evidence[0].start``."""
    parts = [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path)]

    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for part in parts[:-1]:
            target = target[part]
        target[parts[-1]] = value

    return change


def _drop(path: str) -> Callable[[dict[str, Any]], None]:
    parent, key = path.rsplit(".", 1) if "." in path else ("", path)

    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for part in re.findall(r"[^.\[\]]+", parent):
            target = target[int(part) if part.isdigit() else part]
        del target[key]

    return change


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (_set("persons[0].evidence[0].start", "12"), "persons[0].evidence[0].start", "integer"),
        (_set("persons[0].evidence[0].start", True), "persons[0].evidence[0].start", "integer"),
        (_set("persons[0].evidence[0].start", -1), "persons[0].evidence[0].start", "before"),
        (_set("persons[0].evidence[0].end", 10**9), "persons[0].evidence[0].end", "past the end"),
        (
            _set("persons[0].evidence[0].text", "Vladimir Putin"),
            "persons[0].evidence[0].text",
            "quote",
        ),
        (_set("persons[0].name", 7), "persons[0].name", "not a string"),
        (_set("persons[0].aliases", "x"), "persons[0].aliases", "not a list"),
        (
            _set("persons[0].roles[0].evidence.text", "x"),
            "persons[0].roles[0].evidence.text",
            "quote",
        ),
        (_set("persons[0].extra", 1), "persons[0].extra", "unknown field"),
        (_drop("organisations[0].claims"), "organisations[0].claims", "missing"),
        (_set("organisations[0].kind", "army"), "organisations[0].kind", "not one of"),
        (
            _set("incidents[0].perpetrators[0].evidence.text", "someone else"),
            "incidents[0].perpetrators[0].evidence.text",
            "quote",
        ),
        (_set("incidents[0].background", "yes"), "incidents[0].background", "true or false"),
        (_set("incidents[0].date", "Monday"), "incidents[0].date", "YYYY-MM-DD"),
        (_set("incidents[0].attribution", "certain"), "incidents[0].attribution", "not one of"),
        (_set("locations[0].evidence", [{"start": 0}]), "locations[0].evidence[0].end", "missing"),
        (_set("boilerplate[0].end", 10**9), "boilerplate[0].end", "past the end"),
        (_set("kept[0].end", -5), "kept[0].end", "before its start"),
        (_set("language_detected.share", "most"), "language_detected.share", "number"),
        (_set("persons", {}), "persons", "not a list"),
        (_drop("text"), "text", "missing"),
    ],
)
def test_a_wrong_field_is_refused_by_name(
    data: dict[str, Any], change: Callable[[dict[str, Any]], None], field: str, words: str
) -> None:
    change(data)
    with pytest.raises(ValidationFailed) as raised:
        Article.from_dict(data)
    assert raised.value.detail.startswith(f"{field}: ") and words in raised.value.detail
    assert [e.field for e in raised.value.errors] == [field]


def test_not_an_object_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="article: not an object"):
        Article.from_dict(["persons"])


def test_the_console_refuses_a_tampered_review_and_publishes_nothing(trio: Node) -> None:
    token = sign_in(trio, "kz")
    review = trio.client.post(
        "/ui/ingest",
        data={"csrf": token, "text": SHORT, "name": "short"},
        files={"upload": ("", b"", "text/plain")},
    )
    assert review.status_code == 200, review.text[:1000]
    state = re.search(r'name="state" value="([^"]+)"', review.text)
    assert state
    article = orjson.loads(unescape(state.group(1)))
    karlov = next(n for n, p in enumerate(article["persons"]) if p["name"] == "Andrey Karlov")
    article["persons"][karlov]["evidence"][0]["text"] = "Vladimir Putin"
    form = {"csrf": token, "state": orjson.dumps(article).decode(), "audience": "own"}
    form.update({f"keep_p{n}": "on" for n, _ in enumerate(article["persons"])})
    form["tlp"] = "amber"
    refused = trio.client.post("/ui/ingest/publish", data=form)
    assert refused.status_code == 400
    assert f"persons[{karlov}].evidence[0].text" in unescape(refused.text)
    reports = trio.client.get("/api/v1/objects?type=report", headers=trio.headers("kz")).json()
    assert reports["items"] == []
    # The same review untampered publishes.
    article["persons"][karlov]["evidence"][0]["text"] = "Andrey Karlov"
    form["state"] = orjson.dumps(article).decode()
    done = trio.client.post("/ui/ingest/publish", data=form)
    assert done.status_code == 200, done.text[:2000]
    reports = trio.client.get("/api/v1/objects?type=report", headers=trio.headers("kz")).json()
    assert len(reports["items"]) == 1
