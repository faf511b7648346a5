"""Exercise acts: director grants, scenarios, starting, steering and reading an exercise.

Who may do what:

* a party's **admin** makes accounts of its own party (publishers or stronger: a director's
  account publishes the injects) exercise **directors**, and takes the grant back;
* the node's **host** (the CLI acting as the operator) and directors import and list
  scenarios;
* a **director** starts an exercise, choosing a party for each role; the exercise belongs to
  the director's party, and every director of that party (and the host) steers it: pause,
  resume, end, mark a free task, read the director's view;
* a **player** (an account of a party holding a role) reads the player's view (its injects
  and its own party's expectations) and enters lessons learned;
* anyone else is answered exactly as for an exercise that does not exist.

Each exercise gets its own channel, ``exercise-<name>``, whose members are the role parties
and the director's party, and a sub-channel ``exercise-<name>--<k>`` for each narrower set
of an inject's recipients (:mod:`accord.exercise.channels`: an inject is read by the parties
of its ``to`` roles and the director's party only), all created empty at the start (nothing
is exposed by creating them). Ending an exercise purges its channels and every object in
them; the events and the audit stay.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Row

from accord import audit
from accord.acts.admin import actor_of
from accord.acts.exercise_alerts import purge_watches
from accord.errors import Forbidden, NotFound, refused
from accord.exercise import marking
from accord.exercise.channels import SUB, SUFFIX_ROOM, ChannelPlan, plan
from accord.exercise.scenario import NAME, Scenario, load, parse
from accord.policy import Principal, require_party_admin
from accord.store import directory
from accord.store import exercises as store
from accord.store.directory import Account

#: An exercise's name leaves room for the channel prefix and a sub-channel's suffix within a
#: channel name's 63.
MAX_NAME = 63 - len(store.CHANNEL_PREFIX) - SUFFIX_ROOM
STATES = ("scheduled", "running", "paused", "ended")
#: Names the REST paths use (/api/v1/exercises/scenarios, /directors/...).
RESERVED = ("scenarios", "directors")


def _is_host(principal: Principal) -> bool:
    return principal.account is None


def _require_director(connection: Connection, principal: Principal, what: str) -> Account:
    account = principal.account
    if account is None or not store.is_director(connection, account.id):
        raise Forbidden(f"{what} is an exercise director's act (a grant by the party's admin)")
    if not directory.usable(account) or not account.can("publisher"):
        raise Forbidden(f"{what}: the director's account must be usable and able to publish")
    return account


def _require_host_or_director(connection: Connection, principal: Principal, what: str) -> None:
    if not _is_host(principal):
        _require_director(connection, principal, what)


# --- Directors ---------------------------------------------------------------------------


def is_director(connection: Connection, principal: Principal) -> bool:
    account = principal.account
    return account is not None and store.is_director(connection, account.id)


def only_director(connection: Connection) -> Account:
    """The node's one director (the CLI's default for ``start``); refused when there are
    none or several (then ``--account`` names one)."""
    names = store.director_names(connection)
    if len(names) != 1:
        raise refused(
            "account",
            "name the director with --account" if names else "no exercise director on this node",
        )
    return directory.get_account(connection, names[0])


def grant_director(connection: Connection, principal: Principal, account_name: str) -> bool:
    """A party's admin makes an account of its own party an exercise director."""
    party = require_party_admin(principal, "granting the exercise director role")
    target = _own_account(connection, party.id, account_name)
    if not target.can("publisher"):
        raise refused("account", f"{account_name!r} is a {target.role}: a director publishes")
    assert principal.account is not None
    granted = store.grant_director(
        connection, target.id, principal.account.name, marking.stamp(directory.utc_now())
    )
    audit.append(connection, actor_of(principal), "exercise.director.grant", target=target.name)
    return granted


def revoke_director(connection: Connection, principal: Principal, account_name: str) -> bool:
    party = require_party_admin(principal, "taking back the exercise director role")
    target = _own_account(connection, party.id, account_name)
    revoked = store.revoke_director(connection, target.id)
    audit.append(connection, actor_of(principal), "exercise.director.revoke", target=target.name)
    return revoked


def _own_account(connection: Connection, party_id: int, name: str) -> Account:
    try:
        account = directory.get_account(connection, name)
    except NotFound:
        account = None
    if account is None or account.party.id != party_id:
        raise refused("account", f"no account named {name!r} in your party")
    return account


# --- Scenarios ---------------------------------------------------------------------------


def import_scenario(
    connection: Connection, principal: Principal, raw: bytes, filename: str = ""
) -> Scenario:
    """Check and store a scenario; it is then known by its name."""
    _require_host_or_director(connection, principal, "importing a scenario")
    scenario = load(raw, filename)
    store.add_scenario(
        connection,
        {
            "party_id": None if principal.account is None else principal.account.party.id,
            "name": scenario.name,
            "title": scenario.title[:300],
            "body": orjson.dumps(scenario.raw).decode(),
            "imported_at": marking.stamp(directory.utc_now()),
            "imported_by": actor_of(principal).account or "",
        },
    )
    audit.append(
        connection,
        actor_of(principal),
        "exercise.scenario.import",
        target=scenario.name,
        details={"injects": len(scenario.injects), "expectations": len(scenario.expectations)},
    )
    return scenario


def _scope(principal: Principal) -> tuple[int | None, bool]:
    """Whose scenarios a principal uses: its party's and the node-wide ones (the host: all)."""
    if principal.account is None:
        return None, True
    return principal.account.party.id, False


def _scenario_row(connection: Connection, principal: Principal, name: str) -> Row[Any]:
    party_id, every = _scope(principal)
    row = store.scenario_by_name(connection, name, party_id, every=every)
    if row is None:
        raise NotFound(f"no scenario named {name!r}: import it first")
    return row


def scenario_from_row(row: Row[Any]) -> Scenario:
    return parse(orjson.loads(row.body))


def list_scenarios(connection: Connection, principal: Principal) -> list[dict[str, Any]]:
    _require_host_or_director(connection, principal, "listing scenarios")
    found = []
    party_id, every = _scope(principal)
    for row in store.scenario_rows(connection, party_id, every=every):
        scenario = scenario_from_row(row)
        found.append(
            {
                "name": scenario.name,
                "title": scenario.title,
                "roles": list(scenario.roles),
                "injects": len(scenario.injects),
                "expectations": len(scenario.expectations),
                "imported_at": row.imported_at,
            }
        )
    audit.append(connection, actor_of(principal), "exercise.scenario.list")
    return found


def scenario_document(connection: Connection, principal: Principal, name: str) -> dict[str, Any]:
    """A stored scenario as imported (for export)."""
    _require_host_or_director(connection, principal, "exporting a scenario")
    row = _scenario_row(connection, principal, name)
    audit.append(connection, actor_of(principal), "exercise.scenario.export", target=name)
    document: dict[str, Any] = orjson.loads(row.body)
    return document


# --- Exercises ---------------------------------------------------------------------------


def start_exercise(
    connection: Connection,
    principal: Principal,
    scenario_name: str,
    name: str,
    roles: dict[str, str],
    *,
    speed: int = 1,
    start: datetime | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Start (or schedule, with a later ``start``) a run of a scenario."""
    director = _require_director(connection, principal, "starting an exercise")
    moment = now or directory.utc_now()
    if not NAME.match(name) or len(name) > MAX_NAME or name in RESERVED or SUB in name:
        raise refused("as", f"{name!r}: expected up to {MAX_NAME} of a-z, 0-9 and '-' (no '{SUB}')")
    if not 1 <= speed <= 3600:
        raise refused("speed", f"{speed}: expected 1 (real time) up to 3600")
    begin = start or moment
    if begin.tzinfo is None:
        raise refused("start", "give the time zone (for example 2026-12-03T09:00:00Z)")
    if (moment - begin).total_seconds() > 60:
        raise refused("start", "the start is in the past; injects cannot be sent earlier")
    scenario_row = _scenario_row(connection, principal, scenario_name)
    scenario = scenario_from_row(scenario_row)
    missing = [role for role in scenario.roles if role not in roles]
    extra = [role for role in roles if role not in scenario.roles]
    if extra:
        raise refused("role", f"unknown role {extra[0]!r} (the scenario's: {scenario.roles})")
    if missing:
        raise refused("role", f"no party given for role {missing[0]!r} (--role ROLE=PARTY)")
    for role, code in roles.items():
        try:
            directory.get_party(connection, code)
        except NotFound:
            raise refused("role", f"{role}={code}: no party {code!r} on this node") from None
    members = sorted({*roles.values(), director.party.code})
    if len(members) < 2:
        raise refused("role", "an exercise needs at least two parties")
    channel_name = store.CHANNEL_PREFIX + name
    if store.exercise_by_name(connection, name) is not None:
        raise refused("as", f"an exercise named {name!r} already exists")
    channels = plan(scenario, roles, director.party.code, channel_name)
    for channel in channels.channels:
        to = "" if channel.name == channel_name else f" (injects to {', '.join(channel.roles)})"
        directory.add_channel(
            connection,
            channel.name,
            list(channel.members),
            f"Exercise {name}: {scenario.title}{to}",
            minimum=1,
        )
    running = begin <= moment
    store.add_exercise(
        connection,
        {
            "name": name,
            "scenario_id": scenario_row.id,
            "party_id": director.party.id,
            "account_id": director.id,
            "channel_name": channel_name,
            "roles": orjson.dumps(roles).decode(),
            "speed": speed,
            "start_at": marking.stamp(begin),
            "state": "running" if running else "scheduled",
            "created_at": marking.stamp(moment),
        },
    )
    audit.append(
        connection,
        actor_of(principal),
        "exercise.start",
        target=name,
        details={
            "scenario": scenario_name,
            "roles": roles,
            "speed": speed,
            "start": marking.stamp(begin),
            "channel": channel_name,
            "channels": channels.names(),
        },
    )
    return {"name": name, "channel": channel_name, "state": "running" if running else "scheduled"}


def _exercise(connection: Connection, name: str) -> Row[Any]:
    row = store.exercise_by_name(connection, name)
    if row is None:
        raise NotFound(f"no exercise named {name!r}")
    return row


def role_parties(connection: Connection, row: Row[Any]) -> dict[str, str]:
    roles: dict[str, str] = orjson.loads(row.roles)
    return roles


def channel_plan(connection: Connection, row: Row[Any]) -> ChannelPlan:
    """The exercise's channels and each inject's (the same every time it is computed)."""
    scenario = scenario_from_row(store.scenario_by_id(connection, row.scenario_id))
    director = directory.party_codes(connection)[row.party_id]
    return plan(scenario, role_parties(connection, row), director, row.channel_name)


def access(connection: Connection, principal: Principal, name: str) -> tuple[Row[Any], str]:
    """The exercise and how the principal sees it: ``director`` (the host, or a director of
    the exercise's party) or ``player`` (an account of a role party); anyone else is told
    it does not exist."""
    row = store.exercise_by_name(connection, name)
    account = principal.account
    if row is not None:
        if account is None:
            return row, "director"
        if account.party.id == row.party_id and store.is_director(connection, account.id):
            return row, "director"
        if account.party.code in role_parties(connection, row).values():
            return row, "player"
    raise NotFound(f"no exercise named {name!r}")


def director_access(connection: Connection, principal: Principal, name: str) -> Row[Any]:
    row, view = access(connection, principal, name)
    if view != "director":
        raise Forbidden(f"steering exercise {name!r} is its director's act, not a player's")
    return row


def list_exercises(connection: Connection, principal: Principal) -> list[dict[str, Any]]:
    found = []
    for row in store.exercise_rows(connection):
        try:
            _, view = access(connection, principal, row.name)
        except NotFound:
            continue
        scenario = store.scenario_by_id(connection, row.scenario_id)
        found.append(
            {
                "name": row.name,
                "scenario": scenario.name,
                "state": row.state,
                "speed": row.speed,
                "start": row.start_at,
                "view": view,
            }
        )
    audit.append(connection, actor_of(principal), "exercise.list")
    return found


def set_state(
    connection: Connection,
    principal: Principal,
    name: str,
    action: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    """``pause``, ``resume`` or ``end`` an exercise (its director). Ending purges the
    exercise's channel and objects; what happened stays in its events and the audit."""
    row = director_access(connection, principal, name)
    row = store.lock_exercise(connection, row.id)
    moment = now or directory.utc_now()
    at = marking.stamp(moment)
    details: dict[str, Any] = {}
    if action == "pause":
        if row.state not in ("running", "scheduled"):
            raise refused("state", f"exercise {name!r} is {row.state}: only a running one pauses")
        store.update_exercise(connection, row.id, {"state": "paused", "paused_at": at})
    elif action == "resume":
        if row.state != "paused":
            raise refused("state", f"exercise {name!r} is {row.state}, not paused")
        paused = moment - marking.parse_stamp(row.paused_at)
        store.update_exercise(
            connection,
            row.id,
            {
                "state": "running",
                "paused_at": None,
                "paused_ms": int(row.paused_ms) + int(paused.total_seconds() * 1000),
                # The director resuming publishes the injects from now on.
                **({"account_id": principal.account.id} if principal.account else {}),
            },
        )
    elif action == "end":
        if row.state == "ended":
            raise refused("state", f"exercise {name!r} has already ended")
        details["shared"], details["with"] = shared_record(connection, row)
        purged = purge_channels(connection, channel_plan(connection, row).names())
        purge_watches(connection, row.channel_name, at)
        store.update_exercise(connection, row.id, {"state": "ended", "ended_at": at})
        details["purged"] = purged
        # Peers added to pull its channels from partner nodes have nothing left to pull.
        details["peers_removed"] = store.close_links(connection, row.channel_name, at)
    else:
        raise refused("action", f"{action!r}: expected pause, resume or end")
    store.add_events(
        connection,
        [
            {
                "exercise_id": row.id,
                "kind": "state",
                "item": action,
                "status": action,
                "at": at,
                "scenario_seconds": 0,
                "details": orjson.dumps(details).decode(),
            }
        ],
    )
    audit.append(
        connection, actor_of(principal), f"exercise.{action}", target=name, details=details
    )
    return {"name": name, "state": {"pause": "paused", "resume": "running"}.get(action, "ended")}


def purge_channels(connection: Connection, channel_names: Iterable[str]) -> int:
    """Delete every version in those of ``channel_names`` this node holds (the channels go
    too); how many versions went. Purging deletes rows that a served read's receipts may
    reference, so the audit head is taken first, as publishing does: a read batch then waits
    instead of deadlocking."""
    audit.lock_head(connection)
    purged = 0
    for channel_name in channel_names:
        if _has_channel(connection, channel_name):
            channel = directory.get_channel(connection, channel_name)
            purged += store.purge_channel(connection, channel.id)
    return purged


def _has_channel(connection: Connection, channel_name: str) -> bool:
    try:
        directory.get_channel(connection, channel_name)
    except NotFound:
        return False
    return True


def shared_record(connection: Connection, row: Row[Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """What was shared in the exercise's channels, by whom, when and in which (oldest
    first), and the members of its own channel: read from the channels while they live,
    from the record ``end`` kept once they are purged."""
    if row.state != "ended" and _has_channel(connection, row.channel_name):
        codes = directory.party_codes(connection)
        found: list[tuple[str, dict[str, Any]]] = []
        for channel_name in channel_plan(connection, row).names():
            if not _has_channel(connection, channel_name):
                continue
            channel = directory.get_channel(connection, channel_name)
            found += [
                (
                    item.added_key,
                    {
                        "id": item.stix_id,
                        "type": item.type,
                        "name": item.name,
                        "by": codes.get(item.origin_party_id),
                        "at": marking.stamp(marking.parse_stamp(item.added_key)),
                        "channel": channel_name,
                    },
                )
                for item in store.shared(connection, channel.id)
            ]
        found.sort(key=lambda pair: pair[0])
        members = directory.get_channel(connection, row.channel_name).members
        return [item for _, item in found], list(members)
    for event in store.events(connection, row.id):
        if event.kind == "state" and event.item == "end":
            details = orjson.loads(event.details)
            return list(details.get("shared", [])), list(details.get("with", []))
    return [], []


def purge_received(connection: Connection, principal: Principal, name: str) -> int:
    """On a node that only takes part in an exercise directed elsewhere, its operator purges
    the exercise's channel (``exercise-<name>``) and every object in it once the exercise is
    over (with its sub-channels, ``exercise-<name>--<k>``); how many versions went. An
    exercise run on this node is ended with ``end``. A node that joined the exercise with
    ``accord exercise join`` needs none of this: the director's ``end`` reaches it by sync."""
    if principal.account is not None:
        raise Forbidden("purging a received exercise is the node operator's act (the CLI)")
    run = store.exercise_by_name(connection, name)
    if run is not None and run.state != "ended":
        raise refused("name", f"exercise {name!r} runs on this node: its director ends it")
    channel_name = store.CHANNEL_PREFIX + name
    if not _has_channel(connection, channel_name):
        raise NotFound(f"no exercise channel {channel_name!r} on this node")
    purged = purge_channels(
        connection,
        [
            channel.name
            for channel in directory.list_channels(connection)
            if channel.name == channel_name or is_sub_channel(channel.name, channel_name)
        ],
    )
    purge_watches(connection, channel_name, marking.stamp(directory.utc_now()))
    audit.append(
        connection,
        actor_of(principal),
        "exercise.purge",
        target=channel_name,
        details={"purged": purged},
    )
    return purged


def is_sub_channel(name: str, main: str) -> bool:
    """Is ``name`` one of the sub-channels of the exercise channel ``main``?"""
    head, sep, tail = name.rpartition(SUB)
    return bool(sep) and head == main and tail.isdigit()
