"""Exercises across nodes: the channels a partner node needs, joining them, and the
director's end reaching the partner node by its sync.

* The director (or the director's node host) **exports** the channels of an exercise that
  given parties belong to (``accord exercise channels NAME --party cn-mps``): names and
  members, the director's party and the exercise's name, nothing of the channels those
  parties are not in.
* The partner node's operator **joins** with that file, the director's node's TAXII API root
  and, per local party, the token of that party's account there (``accord exercise join FILE
  --url URL --token cn-mps=TOKEN``): the channels are created with exactly those members
  (or checked, when they exist), one peer per channel pulls it, and the link is recorded.
  On the director's node the same command, with a partner node's URL and tokens, adds the
  peers that pull the answers back.
* The director's node answers a member party's peer, per exercise channel, what state the
  exercise is in (``GET /taxii2/api/collections/{id}/x-accord-exercise/``; 404 like a
  missing collection to anyone else). A partner node's sync asks it first through each
  peer of a joined exercise; when it says *ended*, and the exercise, the channel and the
  director's party are those recorded at join, the partner node purges the exercise's
  channels and everything in them and removes the exercise's peers, all audited. Nothing
  else ends it: no object anybody publishes, no other peer, no answer about an exercise
  this node runs itself.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, Row

from accord import audit
from accord.acts.admin import actor_of
from accord.acts.exercises import (
    channel_plan,
    director_access,
    is_sub_channel,
    purge_channels,
    role_parties,
)
from accord.errors import NotFound, refused
from accord.exercise import marking
from accord.exercise.scenario import NAME
from accord.federation.collections import collection_id
from accord.policy import Principal, require_operator
from accord.store import directory
from accord.store import exercises as store
from accord.store.directory import Account
from accord.store.peers import Peer, add_peer

#: The version of the exported channels document.
FORMAT = 1


def channels_document(
    connection: Connection, principal: Principal, name: str, parties: list[str], node: str
) -> dict[str, Any]:
    """What a partner node hosting ``parties`` needs to join exercise ``name``: the
    exercise's channels those parties are members of (the exercise's own one always)."""
    row = director_access(connection, principal, name)
    director = directory.party_codes(connection)[row.party_id]
    taking_part = {*role_parties(connection, row).values(), director}
    if not parties:
        raise refused("party", "name the partner node's parties (--party CODE)")
    for code in parties:
        if code not in taking_part:
            raise refused("party", f"{code!r} takes no part in exercise {name!r}")
    channels = channel_plan(connection, row).including(set(parties))
    audit.append(
        connection,
        actor_of(principal),
        "exercise.channels.export",
        target=name,
        details={"parties": sorted(parties), "channels": [c.name for c in channels]},
    )
    return {
        "accord_exercise_channels": FORMAT,
        "exercise": row.name,
        "director": director,
        "node": node,
        "state": row.state,
        "channels": [{"name": c.name, "members": list(c.members)} for c in channels],
    }


def _checked(document: Any) -> tuple[str, str, list[tuple[str, list[str]]]]:
    """The exercise, director's party and channels of an exported document, or refused
    with the place named."""
    if not isinstance(document, dict) or document.get("accord_exercise_channels") != FORMAT:
        raise refused("file", "not an exercise channels file (accord exercise channels)")
    name, director = document.get("exercise"), document.get("director")
    if not isinstance(name, str) or not NAME.match(name):
        raise refused("exercise", f"{name!r}: not an exercise name")
    if not isinstance(director, str):
        raise refused("director", "the director's party is missing")
    main = store.CHANNEL_PREFIX + name
    found: list[tuple[str, list[str]]] = []
    entries = document.get("channels")
    if not isinstance(entries, list) or not entries:
        raise refused("channels", "expected a list of channels")
    for index, entry in enumerate(entries):
        where = f"channels[{index}]"
        if not isinstance(entry, dict):
            raise refused(where, "expected an object with name and members")
        channel, members = entry.get("name"), entry.get("members")
        if not isinstance(channel, str) or not (channel == main or is_sub_channel(channel, main)):
            raise refused(f"{where}.name", f"{channel!r}: not a channel of exercise {name!r}")
        if (
            not isinstance(members, list)
            or not all(isinstance(m, str) for m in members)
            or director not in members
        ):
            raise refused(f"{where}.members", "expected party codes, the director's among them")
        found.append((channel, sorted(set(members))))
    if main not in [channel for channel, _ in found]:
        raise refused("channels", f"the exercise's own channel {main!r} is missing")
    return name, director, found


def join(
    connection: Connection,
    principal: Principal,
    document: Any,
    url: str,
    tokens: dict[str, str],
) -> dict[str, Any]:
    """The node's operator joins an exercise directed on another node (or, on the
    director's node, pulls the answers back from a partner node)."""
    require_operator(principal, "joining an exercise")
    name, director_code, channels = _checked(document)
    main = store.CHANNEL_PREFIX + name
    try:
        director = directory.get_party(connection, director_code)
        for _, members in channels:
            for code in members:
                directory.get_party(connection, code)
    except NotFound as exc:
        raise refused("channels", f"{exc.detail}: add the party on this node first") from None
    unknown = [code for code in tokens if code not in {m for _, ms in channels for m in ms}]
    if unknown:
        raise refused("token", f"{unknown[0]!r} is a member of none of these channels")
    if not tokens:
        raise refused("token", "give a token per local party: --token PARTY=TOKEN")
    made, peers = [], []
    for channel, members in channels:
        try:
            existing = directory.get_channel(connection, channel)
        except NotFound:
            existing = None
        if existing is not None and sorted(existing.members) != members:
            raise refused(
                "channels",
                f"channel {channel!r} exists here with other members: {list(existing.members)}",
            )
        if existing is None:
            directory.add_channel(
                connection, channel, members, f"Exercise {name} (joined)", minimum=1
            )
            made.append(channel)
        party = next((code for code in sorted(tokens) if code in members), None)
        if party is None:
            continue  # none of this node's parties with a token reads it there
        peer = add_peer(connection, channel, url, collection_id(channel), tokens[party])
        peers.append(peer.name)
    store.add_link(
        connection,
        {
            "exercise": name,
            "channel_name": main,
            "director_party_id": director.id,
            "channels": orjson.dumps([channel for channel, _ in channels]).decode(),
            "peers": orjson.dumps(peers).decode(),
            "joined_at": marking.stamp(directory.utc_now()),
        },
    )
    details = {"channels": [c for c, _ in channels], "created": made, "peers": peers}
    audit.append(connection, actor_of(principal), "exercise.join", target=main, details=details)
    return {"exercise": name, **details}


def state_for_peer(connection: Connection, account: Account, identifier: str) -> dict[str, Any]:
    """What a member party's peer is told about the exercise of an exercise channel's
    collection (also once the exercise ended and its channels are gone); anyone else, and
    any other collection, is answered as a missing collection."""
    code = account.party.code
    for row in store.exercise_rows(connection):
        for channel in channel_plan(connection, row).channels:
            if collection_id(channel.name) == identifier and code in channel.members:
                audit.append(
                    connection,
                    audit.Actor(account.name, code, "taxii"),
                    "exercise.state.read",
                    target=channel.name,
                    details={"state": row.state},
                )
                return {
                    "exercise": row.name,
                    "channel": channel.name,
                    "director": directory.party_codes(connection)[row.party_id],
                    "state": row.state,
                    "ended_at": row.ended_at,
                }
    raise NotFound(f"no collection {identifier!r}")


def honour_end(connection: Connection, peer: Peer, answer: Any) -> int | None:
    """Act on what the director's node said through ``peer`` about a joined exercise: when
    it ended, purge the exercise's channels here and remove its peers; how many versions
    went (None: nothing to do, or an answer that is not the exercise's own)."""
    link = store.link_of_peer(connection, peer.name)
    if link is None or not isinstance(answer, dict) or answer.get("state") != "ended":
        return None
    if store.exercise_by_channel(connection, link.channel_name) is not None:
        return None  # this node directs it: only its own director ends it
    channels: list[str] = orjson.loads(link.channels)
    director = directory.party_codes(connection).get(link.director_party_id)
    if (
        answer.get("exercise") != link.exercise
        or answer.get("director") != director
        or answer.get("channel") not in channels
    ):
        return None
    return _end_here(connection, link, peer, answer)


def _end_here(connection: Connection, link: Row[Any], peer: Peer, answer: dict[str, Any]) -> int:
    purged = purge_channels(connection, orjson.loads(link.channels))
    removed = store.remove_peers(connection, orjson.loads(link.peers))
    store.update_link(connection, link.id, {"ended_at": marking.stamp(directory.utc_now())})
    audit.append(
        connection,
        audit.Actor(f"peer:{peer.name}", None, "sync"),
        "exercise.ended",
        target=link.channel_name,
        details={
            "director": answer.get("director"),
            "ended_at": answer.get("ended_at"),
            "purged": purged,
            "peers_removed": removed,
        },
    )
    return purged
