"""What each party may see of the audit log.

The log records every act of every party; no view of it may name what the viewer's party
may not see. A party's admin sees:

* the entries made by its own party's accounts, with any object its party can no longer see
  (and did not originate) withheld, and
* **read receipts** for the objects its party originated: which parties (never which of
  their people) read them, when and through which door.

The operator sees the same for its own party and, in addition, the node's own entries
(the host's CLI, peers' syncs, imports), with objects its party may not see withheld; it
sees the chain's integrity (``audit.verify``) but no other party's details. Every read of
the audit is itself audited.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, and_, false, insert, or_, select

from accord import audit
from accord.acts.admin import actor_of
from accord.errors import InvalidInput
from accord.policy import Principal, require_party_admin, visible_to
from accord.stix.validate import is_identifier
from accord.store import objects as store
from accord.store.schema import audit_log, objects, read_receipts

#: Keys of an entry's details that hold object references ("id", "id@version", or a pair
#: whose first item is one, such as a received page's rejections).
OBJECT_KEYS = ("objects", "accepted", "tombstones", "rejected")


def _reference_of(value: Any) -> str | None:
    if isinstance(value, str):
        return value.partition("@")[0]
    if isinstance(value, list | tuple) and value and isinstance(value[0], str):
        return value[0].partition("@")[0]
    return None


def record_receipts(
    connection: Connection,
    seq: int,
    at: str,
    reader_party_id: int,
    reader_party: str,
    door: str,
    read: list[tuple[int, str]],
) -> None:
    """Read receipts for the objects of other parties in one audited read: one row per
    origin party, listing what the reader's party read of it."""
    by_origin: dict[int, list[str]] = {}
    for origin, reference in read:
        if origin != reader_party_id:
            by_origin.setdefault(origin, []).append(reference)
    if not by_origin:
        return
    connection.execute(
        insert(read_receipts),
        [
            {
                "seq": seq,
                "origin_party_id": origin,
                "reader_party": reader_party,
                "door": door,
                "at": at,
                "objects": orjson.dumps(references).decode(),
            }
            for origin, references in by_origin.items()
        ],
    )


def _check_limit(limit: int) -> int:
    if limit < 1 or limit > 1000:
        raise InvalidInput(f"limit {limit}: expected 1 to 1000")
    return limit


def _references(details: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for key in OBJECT_KEYS:
        value = details.get(key)
        if isinstance(value, list):
            found.update(ref for v in value if (ref := _reference_of(v)) is not None)
    return found


def _seen_ids(connection: Connection, party_id: int, ids: set[str]) -> set[str]:
    """Which of ``ids`` the party may see now, or originated (deleted ones included)."""
    wanted = sorted(i for i in ids if is_identifier(i))
    if not wanted:
        return set()
    condition = or_(
        and_(visible_to(party_id), objects.c.deleted == false()),
        objects.c.origin_party_id == party_id,
    )
    seen: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = select(objects.c.stix_id).where(
            condition,
            objects.c.id_key.in_([store.id_key(i) for i in chunk]),
            objects.c.stix_id.in_(chunk),
        )
        seen.update(connection.execute(query).scalars())
    return seen


def _withhold(entry: dict[str, Any], seen: set[str]) -> dict[str, Any]:
    details = dict(entry["details"])
    withheld = 0
    for key in OBJECT_KEYS:
        value = details.get(key)
        if isinstance(value, list):
            kept = [v for v in value if _reference_of(v) in seen]
            withheld += len(value) - len(kept)
            details[key] = kept
    target = entry.get("target")
    if isinstance(target, str) and is_identifier(target) and target not in seen:
        entry = {**entry, "target": None}
        withheld += 1
    if withheld:
        details["withheld"] = withheld
    return {**entry, "details": details}


def _row(row: Any) -> dict[str, Any]:
    return {
        "seq": int(row.seq),
        "at": row.at,
        "account": row.account,
        "party": row.party,
        "door": row.door,
        "action": row.action,
        "target": row.target,
        "details": orjson.loads(row.details),
    }


def party_entries(
    connection: Connection,
    principal: Principal,
    *,
    target: str | None = None,
    limit: int = 100,
    before: int | None = None,
) -> list[dict[str, Any]]:
    """The newest entries the principal's party may see (see the module's docstring)."""
    party = require_party_admin(principal, "reading the audit log")
    _check_limit(limit)
    scope = audit_log.c.party == party.code
    if principal.is_operator:
        scope = or_(scope, audit_log.c.party.is_(None))
    query = select(audit_log).where(scope).order_by(audit_log.c.seq.desc()).limit(limit)
    if before is not None:
        query = query.where(audit_log.c.seq < before)
    if target is not None:
        if is_identifier(target) and target not in _seen_ids(connection, party.id, {target}):
            rows: list[Any] = []
        else:
            rows = list(connection.execute(query.where(audit_log.c.target == target)))
    else:
        rows = list(connection.execute(query))
    entries = [_row(row) for row in rows]
    references: set[str] = set()
    for entry in entries:
        references |= _references(entry["details"])
        if isinstance(entry["target"], str):
            references.add(entry["target"])
    seen = _seen_ids(connection, party.id, references)
    shown = [_withhold(entry, seen) for entry in entries]
    audit.append(
        connection,
        actor_of(principal),
        "read.audit",
        target=target,
        details={"entries": len(shown)},
    )
    return shown


def receipts(
    connection: Connection,
    principal: Principal,
    *,
    target: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Which other parties read the objects the principal's party originated, and when."""
    party = require_party_admin(principal, "reading read receipts")
    _check_limit(limit)
    query = (
        select(read_receipts)
        .where(read_receipts.c.origin_party_id == party.id)
        .order_by(read_receipts.c.seq.desc())
    )
    found: list[dict[str, Any]] = []
    for row in connection.execute(query.limit(limit if target is None else 10_000)):
        references = orjson.loads(row.objects)
        if target is not None:
            references = [r for r in references if r.partition("@")[0] == target]
            if not references:
                continue
        found.append(
            {
                "seq": int(row.seq),
                "at": row.at,
                "party": row.reader_party,
                "door": row.door,
                "objects": references,
            }
        )
        if len(found) >= limit:
            break
    audit.append(
        connection,
        actor_of(principal),
        "read.audit.receipts",
        target=target,
        details={"receipts": len(found)},
    )
    return found
