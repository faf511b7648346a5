"""MISP events in and out: importing through the one publish path, exporting what a reader
may see, and the operator's sharing-group mapping.

An event is stored whole or not at all (a savepoint per event): misp-stix converts it
(:mod:`accord.misp.convert`), :mod:`accord.misp.distribution` gives every object its
audience and TLP (never wider than MISP said), and each audience's objects go through
:func:`accord.acts.publish.publish_objects` (a file, the API) or
:func:`accord.acts.receive.receive` (a MISP feed peer): the publish path's checks, stamps,
versions and audit. Exports are :mod:`accord.acts.misp_export`'s, feed peers'
events :mod:`accord.acts.misp_peer`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from accord import audit
from accord.acts.admin import actor_of
from accord.acts.publish import PublishReport, publish_objects
from accord.config import Settings
from accord.correlate.values import normalise
from accord.errors import AccordError, FieldError
from accord.misp import convert
from accord.misp.distribution import Rules, assign, sharing_of
from accord.policy import Principal, require_operator
from accord.prepare import DEFAULT_LIMITS, PublishLimits
from accord.stix.markings import Tlp
from accord.store import directory
from accord.store import misp as misp_store
from accord.store.directory import Account


@dataclass(slots=True)
class EventResult:
    """What became of one MISP event."""

    uuid: str
    status: str  # stored | unchanged | refused
    accepted: int = 0
    unchanged: int = 0
    audiences: dict[str, int] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    stix_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "uuid": self.uuid,
            "status": self.status,
            "accepted": self.accepted,
            "unchanged": self.unchanged,
            "audiences": self.audiences,
            "errors": [e.as_dict() for e in self.errors],
            "warninglists": self.warnings,
        }


@dataclass(slots=True)
class ImportReport:
    events: list[EventResult]

    def count(self, status: str) -> int:
        return sum(1 for e in self.events if e.status == status)

    def as_dict(self) -> dict[str, Any]:
        return {
            "stored": self.count("stored"),
            "unchanged": self.count("unchanged"),
            "refused": self.count("refused"),
            "events": [e.as_dict() for e in self.events],
        }


def rules_for(
    connection: Connection,
    settings: Settings,
    *,
    missing: str = "own",
    cap: str | None = None,
    default_tlp: Tlp | None = None,
    floor_tlp: Tlp | None = None,
    party_id: int | None = None,
) -> Rules:
    """The distribution rules of this node: the configured audience of levels 1-3 and the
    operator's sharing-group mapping (read once per import). With ``party_id`` (an
    account's import), only the mappings to channels that party belongs to: a sharing
    group mapped to another channel is answered as one mapped to none, so the import
    never tells a party that a channel it is not in exists."""
    mapping = misp_store.sharing_groups(connection)
    if party_id is not None:
        own = {channel.name for channel in directory.list_channels(connection, party_id)}
        mapping = {uuid: channel for uuid, channel in mapping.items() if channel in own}
    return Rules(
        levels={
            1: settings.misp_audience_community,
            2: settings.misp_audience_connected,
            3: settings.misp_audience_all,
        },
        sharing_groups=lambda uuid: mapping.get(uuid.lower()),
        missing=missing,
        cap=cap,
        default_tlp=default_tlp or Tlp.from_label(settings.misp_default_tlp),
        floor_tlp=floor_tlp,
    )


#: Publishes one audience's objects of an event: (audience, objects) -> report.
Publisher = Callable[[str, list[dict[str, Any]]], PublishReport]


Converted = convert.Converted
#: Conversion by misp-stix, which touches no store: a door runs it before its transaction.
convert_event, convert_events = convert.convert_event, convert.convert_events


def store_event(
    connection: Connection,
    event: dict[str, Any],
    rules: Rules,
    publisher: Publisher,
    *,
    warning_lists: bool,
    converted: Converted | None = None,
) -> EventResult:
    """Convert one event (unless ``converted`` already is) and publish each audience's
    objects, in a savepoint: if misp-stix cannot convert all of it, its distribution
    cannot be kept, or any object is refused, nothing of the event is stored."""
    uuid = str(event.get("uuid"))
    result = EventResult(uuid, "refused")
    savepoint = connection.begin_nested()
    try:
        done = converted if converted is not None else convert_event(event)
        if done.normal is None and done.error is not None:
            raise done.error  # no timestamp, no uuid: refused before anything else
        event = done.normal or event
        sharing = sharing_of(event, rules)  # a distribution that cannot be kept comes next
        if done.error is not None:
            raise done.error
        placed = assign(done.objects, sharing, uuid)
        by_audience: dict[str, list[dict[str, Any]]] = {}
        context: dict[str, list[dict[str, Any]]] = {}
        for item in placed:
            chosen = context if item.shared else by_audience
            chosen.setdefault(item.audience, []).append(item.obj)
        errors: list[FieldError] = []
        for audience, members in by_audience.items():
            report = publisher(audience, members)
            result.accepted += report.count("accepted")
            result.unchanged += report.count("unchanged")
            result.audiences[audience] = len(members)
            errors += report.errors
        for audience, members in context.items():
            # Stored by the first event that names it; a later event's copy (another
            # audience, another marking) is left out of that event, never widened.
            report = publisher(audience, members)
            result.accepted += report.count("accepted")
            result.unchanged += report.count("unchanged")
        result.stix_ids = [item.obj["id"] for item in placed if not item.shared]
    except AccordError as exc:
        savepoint.rollback()
        result.errors = exc.errors or [FieldError("Event", exc.detail)]
        return result
    if errors:
        savepoint.rollback()
        result.errors = errors
        result.accepted = result.unchanged = 0
        return result
    savepoint.commit()
    result.status = "stored" if result.accepted else "unchanged"
    if warning_lists:
        result.warnings = warned_attributes(event)
    return result


def import_events(
    connection: Connection,
    account: Account,
    raw: bytes | list[Converted],
    *,
    settings: Settings,
    door: str,
    limits: PublishLimits = DEFAULT_LIMITS,
) -> ImportReport:
    """Import the MISP events of ``raw`` (or of :func:`convert_events`, run before the
    transaction) as ``account``'s party, each whole or not at all."""
    converted = convert_events(raw) if isinstance(raw, bytes) else raw
    rules = rules_for(connection, settings, party_id=account.party.id)

    def publisher(audience: str, members: list[dict[str, Any]]) -> PublishReport:
        return publish_objects(
            connection,
            account,
            members,
            audience=audience,
            tlp=None,
            door=door,
            limits=limits,
            target=f"misp-event:{current[0]}",
            node=settings.node_name,
        )

    current = [""]
    results: list[EventResult] = []
    for done in converted:
        current[0] = str(done.event.get("uuid"))
        results.append(
            store_event(
                connection,
                done.event,
                rules,
                publisher,
                warning_lists=bool(settings.misp_warning_lists),
                converted=done,
            )
        )
    report = ImportReport(results)
    audit.append(
        connection,
        audit.Actor(account.name, account.party.code, door),
        "misp.import",
        details={
            "stored": [e.uuid for e in results if e.status == "stored"],
            "unchanged": report.count("unchanged"),
            "refused": [(e.uuid, [x.message for x in e.errors][:5]) for e in results if e.errors],
        },
    )
    return report


_WARNED_KINDS = {
    "domain": "domain",
    "hostname": "domain",
    "url": "url",
    "uri": "url",
    "link": "url",
    "email": "email",
    "email-src": "email",
    "email-dst": "email",
    "md5": "hash",
    "sha1": "hash",
    "sha256": "hash",
}


def warned_attributes(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The attributes whose value a MISP warning list holds (MISP flags them so too)."""
    from accord.correlate.warnings import warnings_for

    found: list[dict[str, Any]] = []
    for attribute in convert._all_attributes(event):
        kind_name = str(attribute.get("type") or "")
        value = str(attribute.get("value") or "")
        first = kind_name.split("|")[0]
        part = value.split("|")[0]
        if first in ("ip-src", "ip-dst", "ip"):
            kind = "ipv6" if ":" in part else "ipv4"
        elif first in _WARNED_KINDS:
            kind = _WARNED_KINDS[first]
        elif first == "domain":
            kind = "domain"
        else:
            continue
        try:
            key = normalise(kind, part)
        except ValueError:
            continue
        lists = sorted({w.list_name for w in warnings_for(key)})
        if lists:
            found.append({"attribute": attribute.get("uuid"), "value": value, "lists": lists})
    return found


# --- The sharing-group mapping (the operator's) -----------------------------------------


def map_sharing_group(
    connection: Connection, principal: Principal, uuid: str, channel: str
) -> None:
    require_operator(principal, "mapping a MISP sharing group")
    misp_store.map_sharing_group(connection, uuid, channel)
    audit.append(
        connection,
        actor_of(principal),
        "misp.sharing-group.map",
        target=uuid,
        details={"channel": channel},
    )


def unmap_sharing_group(connection: Connection, principal: Principal, uuid: str) -> bool:
    require_operator(principal, "unmapping a MISP sharing group")
    done = misp_store.unmap_sharing_group(connection, uuid)
    audit.append(
        connection, actor_of(principal), "misp.sharing-group.unmap", target=uuid, details={}
    )
    return done


def sharing_groups(connection: Connection, principal: Principal) -> dict[str, str]:
    require_operator(principal, "listing the MISP sharing-group mapping")
    return misp_store.sharing_groups(connection)
