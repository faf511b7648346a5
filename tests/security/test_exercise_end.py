"""Forged ends of a joined exercise purge nothing: only the director's node, through the
peers made when the exercise was joined, saying that *this* exercise of *this* director's
party ended, makes a partner node purge its copies; and a node never ends an exercise it
runs itself because a peer says so. The state route tells non-members nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import select

from accord.acts import exercise_clock, exercise_links, exercises
from accord.federation.collections import collection_id
from accord.federation.sync import sync_peer
from accord.store import directory
from accord.store.peers import add_peer, get_peer, list_peers
from accord.store.schema import audit_log
from tests.conftest import HOST, Node
from tests.exercise.helpers import principal, setup_parties
from tests.exercise.helpers import start as start_exercise
from tests.exercise.test_recipients import host_only

MAIN = "exercise-far"
SUB = "exercise-far--1"
HUB = "http://hub.example/taxii2/api/"
TAXII = {"Accept": "application/taxii+json;version=2.1"}


def _document(**changes: Any) -> dict[str, Any]:
    """What the director's node exports for this node's parties (kz-knb, cn-mps)."""
    document: dict[str, Any] = {
        "accord_exercise_channels": 1,
        "exercise": "far",
        "director": "sco-hub",
        "node": "node-hub",
        "state": "running",
        "channels": [
            {"name": MAIN, "members": ["cn-mps", "kz-knb", "sco-hub"]},
            {"name": SUB, "members": ["kz-knb", "sco-hub"]},
        ],
    }
    document.update(changes)
    return document


def _director_node(answer: dict[str, Any]) -> Callable[[httpx.Request], httpx.Response]:
    """A director's node (or an impostor) answering the state route with ``answer``."""

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/x-accord-exercise/"):
            return httpx.Response(200, json=answer)
        if path.endswith("/x-accord-tombstones/"):
            return httpx.Response(200, json={"tombstones": [], "more": False, "node": "x"})
        return httpx.Response(200, json={"objects": [], "more": False})

    return handle


@pytest.fixture
def joined(node: Node) -> Node:
    setup_parties(node)
    with node.engine.begin() as connection:
        exercise_links.join(
            connection, HOST, _document(), HUB, {"kz-knb": "t-kz", "cn-mps": "t-cn"}
        )
    return node


def _sync(node: Node, peer_name: str, answer: dict[str, Any]) -> Any:
    with node.engine.connect() as connection:
        peer = get_peer(connection, peer_name)
    client = httpx.Client(transport=httpx.MockTransport(_director_node(answer)))
    return sync_peer(node.engine, peer, local_node="node-kc", client=client)


def _channels(node: Node) -> list[str]:
    with node.engine.connect() as connection:
        return [c.name for c in directory.list_channels(connection)]


ENDED = {
    "exercise": "far",
    "channel": MAIN,
    "director": "sco-hub",
    "state": "ended",
    "ended_at": "2026-12-07T10:00:00Z",
}


def test_join_made_the_channels_and_peers(joined: Node) -> None:
    assert {MAIN, SUB} <= set(_channels(joined))
    with joined.engine.connect() as connection:
        peers = {p.name: p for p in list_peers(connection)}
        assert directory.get_channel(connection, SUB).members == ("kz-knb", "sco-hub")
    assert peers[MAIN].token == "t-cn" and peers[SUB].token == "t-kz"
    assert peers[SUB].collection_id == collection_id(SUB)


@pytest.mark.parametrize(
    "forged",
    [
        {**ENDED, "director": "kz-knb"},  # another party claims the end
        {**ENDED, "exercise": "other"},  # another exercise's end
        {**ENDED, "channel": "exercise-other"},  # about a channel not of this exercise
        {**ENDED, "state": "running"},
        ["ended"],
    ],
)
def test_a_forged_end_through_the_joined_peer_purges_nothing(
    joined: Node, forged: dict[str, Any]
) -> None:
    result = _sync(joined, MAIN, forged)
    assert not result.exercise_ended
    assert {MAIN, SUB} <= set(_channels(joined))
    with joined.engine.connect() as connection:
        assert {MAIN, SUB} <= {p.name for p in list_peers(connection)}


def test_an_end_through_another_peer_purges_nothing(joined: Node) -> None:
    """A peer the operator added by hand for the same collection (another node) is not the
    joined exercise's: whatever it says, nothing is purged."""
    with joined.engine.begin() as connection:
        add_peer(
            connection, "elsewhere", "http://other.example/taxii2/api/", collection_id(MAIN), "t"
        )
    result = _sync(joined, "elsewhere", ENDED)
    assert not result.exercise_ended
    assert {MAIN, SUB} <= set(_channels(joined))


def test_the_directors_end_through_the_joined_peer_purges_and_is_audited(joined: Node) -> None:
    result = _sync(joined, SUB, {**ENDED, "channel": SUB})
    assert result.exercise_ended
    assert MAIN not in _channels(joined) and SUB not in _channels(joined)
    with joined.engine.connect() as connection:
        assert list_peers(connection) == []
        entry = connection.execute(
            select(audit_log.c.account, audit_log.c.details).where(
                audit_log.c.action == "exercise.ended"
            )
        ).one()
    assert entry.account == f"peer:{SUB}"
    assert orjson.loads(entry.details)["peers_removed"] == [MAIN, SUB]


def test_a_node_never_ends_its_own_exercise_because_a_peer_says_so(node: Node) -> None:
    """The director's node joined a partner node back (to pull the answers): that partner
    saying the exercise ended purges nothing on the director's node."""
    setup_parties(node)
    t0 = directory.utc_now()
    start_exercise(node, t0, name="far", data=host_only())
    exercise_clock.tick(node.engine, t0)
    document = node.client.get(
        "/api/v1/exercises/far/channels?party=cn-mps", headers=node.headers("director")
    ).json()
    assert [c["name"] for c in document["channels"]] == [MAIN]  # cn-mps is not in SUB
    with node.engine.begin() as connection:
        back = exercise_links.join(connection, HOST, document, HUB, {"sco-hub": "t"})
    assert back["created"] == []
    result = _sync(node, MAIN, ENDED)
    assert not result.exercise_ended
    assert {MAIN, SUB} <= set(_channels(node))
    with node.engine.begin() as connection:
        assert exercise_clock.status(connection, HOST, "far", t0)["state"] == "running"


def test_the_state_route_tells_non_members_nothing(node: Node) -> None:
    setup_parties(node)
    t0 = directory.utc_now()
    start_exercise(node, t0, name="far", data=host_only())

    def state(account: str, channel: str) -> httpx.Response:
        return node.client.get(
            f"/taxii2/api/collections/{collection_id(channel)}/x-accord-exercise/",
            headers={**node.headers(account), **TAXII},
        )

    missing = state("ru", "exercise-nothing")
    assert missing.status_code == 404
    for account, channel in (("ru", MAIN), ("ru-admin", MAIN), ("cn", SUB), ("ru", SUB)):
        answer = state(account, channel)
        assert answer.status_code == 404
        # Exactly as a collection nobody has (but for the id asked for).
        assert answer.text.replace(collection_id(channel), "?") == missing.text.replace(
            collection_id("exercise-nothing"), "?"
        )
    assert state("kz", SUB).json()["state"] == "running"
    assert state("cn", MAIN).json() == {
        "exercise": "far",
        "channel": MAIN,
        "director": "sco-hub",
        "state": "running",
        "ended_at": None,
    }
    director = principal(node, "director")
    with node.engine.begin() as connection:
        exercises.set_state(connection, director, "far", "end")
    # Answered once its channels are gone, to its members only.
    assert state("kz", SUB).json()["state"] == "ended"
    assert state("cn", SUB).status_code == 404


def test_join_refuses_bad_files_with_the_place_named(node: Node) -> None:
    setup_parties(node)
    cases = [
        ({"exercise": "far"}, "file"),
        (
            _document(channels=[{"name": "exercise-other", "members": ["kz-knb", "sco-hub"]}]),
            "channels[0].name",
        ),
        (
            _document(channels=[{"name": MAIN, "members": ["kz-knb", "cn-mps"]}]),
            "channels[0].members",
        ),
        (_document(channels=[{"name": SUB, "members": ["kz-knb", "sco-hub"]}]), "channels"),
        (
            _document(channels=[{"name": MAIN, "members": ["kz-knb", "xx-none", "sco-hub"]}]),
            "channels",
        ),
    ]
    for document, place in cases:
        with node.engine.begin() as connection, pytest.raises(Exception) as raised:
            exercise_links.join(connection, HOST, document, HUB, {"kz-knb": "t"})
        errors = getattr(raised.value, "errors", [])
        assert errors and errors[0].field == place, (place, raised.value)
    with node.engine.begin() as connection, pytest.raises(Exception) as raised:
        exercise_links.join(connection, HOST, _document(), HUB, {"ru-nac": "t"})
    assert getattr(raised.value, "errors", [])[0].field == "token"
    # Only the node's operator joins.
    party_admin = principal(node, "kz-admin")
    with node.engine.begin() as connection, pytest.raises(Exception, match="operator"):
        exercise_links.join(connection, party_admin, _document(), HUB, {"kz-knb": "t"})
    # A channel of that name with other members is not taken over.
    node.channel(MAIN, "kz-knb", "sco-hub")
    with node.engine.begin() as connection, pytest.raises(Exception, match="other members"):
        exercise_links.join(connection, HOST, _document(), HUB, {"kz-knb": "t"})
