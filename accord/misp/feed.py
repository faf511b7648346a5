"""A MISP feed made of MISP events, in the format MISP reads and PyMISP writes
(``pymisp.tools.feed``): ``manifest.json`` (uuid -> the event's summary and timestamp),
``hashes.csv`` (md5 of each attribute value, event uuid) and one ``{uuid}.json`` per event
(``{"Event": ...}``). PyMISP's own ``manifest``, ``attributes_hashes`` and ``to_feed`` make
each part."""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:  # PyMISP takes a second to import: only a feed read pays for it
    from pymisp import MISPEvent

#: Namespace of the organisation UUIDs an Accord party is given in a feed without one.
NAMESPACE = uuid_module.UUID("5c3a4b0e-7b7e-5a7e-9e0b-2f1f4d5e6a71")


def _misp_event(event: dict[str, Any], origin: str) -> MISPEvent:
    from pymisp import MISPEvent, MISPOrganisation

    misp_event = MISPEvent()
    misp_event.load(event)
    if not hasattr(misp_event, "Orgc"):
        org = MISPOrganisation()
        org.from_dict(name=origin, uuid=str(uuid_module.uuid5(NAMESPACE, origin)))
        misp_event.Orgc = org
    return misp_event


def _origin(event: dict[str, Any]) -> str:
    for tag in event["Event"].get("Tag") or []:
        name = str(tag.get("name", ""))
        if name.startswith('accord:origin="'):
            return name.removeprefix('accord:origin="').rstrip('"')
    return "accord"


def distinct_uuids(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events with one uuid each: a uuid two origins' events share (ids are namespaced
    by origin, so a party may publish under another's event uuid) is replaced, for every one
    of them, by a uuid derived from the origin and that uuid. No party keeps it: the first
    to publish may be the one who copied it, and a feed keyed by uuid would otherwise serve
    one party's event in place of the other's."""
    count: dict[str, int] = {}
    for event in events:
        count[event["Event"]["uuid"]] = count.get(event["Event"]["uuid"], 0) + 1
    for event in events:
        shared = event["Event"]["uuid"]
        if count[shared] > 1:
            derived = uuid_module.uuid5(NAMESPACE, f"{_origin(event)}:{shared}")
            event["Event"]["uuid"] = str(derived)
    return events


def feed_events(events: list[dict[str, Any]]) -> dict[str, MISPEvent]:
    """The events of a feed by uuid (each uuid already one event's: :func:`distinct_uuids`)."""
    return dict(feed_stream(distinct_uuids(events)))


def feed_stream(events: Iterable[dict[str, Any]]) -> Iterator[tuple[str, MISPEvent]]:
    """Each event (already one a uuid) as PyMISP's, with its uuid, one at a time."""
    for event in events:
        yield event["Event"]["uuid"], _misp_event(event, _origin(event))


def manifest(events: Iterable[tuple[str, MISPEvent]]) -> bytes:
    entries: dict[str, Any] = {}
    for _uuid, event in events:
        entries.update(event.manifest)
    return orjson.dumps(entries)


def hashes(events: Iterable[tuple[str, MISPEvent]]) -> Iterator[bytes]:
    """``hashes.csv``, an event's lines at a time."""
    for uuid, event in events:
        lines = [f"{value},{uuid}\n" for value in event.attributes_hashes("md5")]
        if lines:
            yield "".join(lines).encode("utf-8")


def event_file(event: MISPEvent) -> bytes:
    return orjson.dumps(event.to_feed(with_meta=False))
