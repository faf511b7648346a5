"""What an object shares with the other objects a reader may see.

Computed per reader, at read time: the object must be visible to the reader's party, and so
must every object listed beside it (the query carries :func:`accord.policy.visible_to`).
A value held by more visible objects than the node's fan-out limit is flagged as too common
instead of listed, and one on a MISP warning list is flagged with the lists' names; neither
flag counts anything the reader may not see.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection

from accord.acts.alerts import match_pending
from accord.acts.read import _Names, chosen_version, record_read
from accord.correlate.values import Key
from accord.correlate.warnings import warnings_for
from accord.policy import visible_to
from accord.screening.score import compare
from accord.store import correlation as store
from accord.store import exercise_alerts
from accord.store.directory import Account

DEFAULT_FANOUT = 100


def shown_origin(row: Any, names: _Names) -> str:
    """The origin a reader is shown: an anonymised sighting's channel or hub, else the
    party's code."""
    return str(row.shown_origin) if row.shown_origin else names.party(row.origin_party_id)


def correlations(
    connection: Connection,
    account: Account,
    stix_id: str,
    *,
    origin: str | None = None,
    door: str,
    fanout: int = DEFAULT_FANOUT,
) -> dict[str, Any]:
    """The correlations of the latest version of ``stix_id`` the reader may see (what is
    queued is correlated first)."""
    match_pending(connection)
    names = _Names(connection)
    row = chosen_version(connection, account, stix_id, version=None, origin=origin, names=names)
    visible = visible_to(account.party.id)
    # An exercise's object correlates only within its exercise; a real one never with one.
    found_scopes = exercise_alerts.scopes(connection)
    exercise = found_scopes.get(row.channel_id) if row.audience_kind == "channel" else None
    within = exercise_alerts.in_scope(exercise, found_scopes)
    body = orjson.loads(row.body)
    own_names = [n for n in [body.get("name"), *(body.get("aliases") or [])] if isinstance(n, str)]
    listed: list[dict[str, Any]] = []
    flagged: list[dict[str, Any]] = []
    read_refs = [(row.origin_party_id, f"{row.stix_id}@{row.version_key}")]
    for key_row in store.keys_of(connection, row.pk):
        family = key_row.kind.removesuffix("-net")
        key = Key(family, key_row.value, key_row.source, key_row.lo, key_row.hi)
        warned = warnings_for(key)
        if warned:
            flagged.append(
                {
                    "kind": family,
                    "value": key.value,
                    "reason": "warninglist",
                    "lists": sorted({w.list_name for w in warned}),
                }
            )
            continue
        exclude = (row.origin_party_id, row.stix_id)
        if key.lo is not None and family in ("ipv4", "ipv6"):
            found = store.matching(
                connection,
                visible,
                kind=family,
                lo=key.lo,
                hi=key.hi,
                exclude=exclude,
                scope=within,
                limit=fanout + 1,
            )
        else:
            found = store.matching(
                connection,
                visible,
                value_key=key_row.value_key,
                exclude=exclude,
                scope=within,
                limit=fanout + 1,
            )
        found = [f for f in found if f.kind.removesuffix("-net") == family]
        if len(found) > fanout:
            flagged.append(
                {"kind": family, "value": key.value, "reason": "too_common", "limit": fanout}
            )
            continue
        if not found:
            continue
        objects: dict[tuple[str, str], dict[str, Any]] = {}
        for match in found:
            read_refs.append((match.origin_party_id, f"{match.stix_id}@{match.version_key}"))
            shown = shown_origin(match, names)
            entry = objects.setdefault(
                (shown, match.stix_id),
                {
                    "id": match.stix_id,
                    "type": match.type,
                    "name": match.name,
                    "origin": shown,
                    "shared": match.value,
                    "source": match.source,
                },
            )
            if family == "name" and match.name and own_names:
                scored = max((compare(n, match.name) for n in own_names), key=lambda s: s.score)
                entry["score"] = round(scored.score, 4)
                entry["explanation"] = scored.explanation()
            elif key.lo is not None and match.value != key.value:
                entry["how"] = "address inside network" if key.lo != key.hi else "network holds"
        listed.append(
            {
                "kind": family,
                "value": key.value,
                "source": key_row.source,
                "objects": list(objects.values()),
            }
        )
    shown_ids = sorted({o["id"] for c in listed for o in c["objects"]})
    # Originators see which parties read of their objects here, as for any read.
    record_read(
        connection,
        account,
        door,
        "read.correlations",
        list(dict.fromkeys(read_refs)),
        target=stix_id,
        details={"origin": shown_origin(row, names), "objects": shown_ids},
    )
    return {
        "object": {"id": row.stix_id, "origin": shown_origin(row, names)},
        "correlations": listed,
        "flagged": flagged,
    }
