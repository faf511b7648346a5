"""MISP event JSON <-> STIX 2.1, through the MISP project's own converter (misp-stix).

Nothing here converts by hand: events go to STIX with ``MISPtoSTIX21Parser`` and come back
with ``InternalSTIX2toMISPParser`` (what misp-stix produced) or
``ExternalSTIX2toMISPParser`` (any other STIX). misp-stix derives every STIX id from the
MISP UUIDs (the event's grouping, each attribute's indicator or observables, each object's)
and ``modified`` from MISP's timestamps, so a re-import is an identical re-post and an
updated event (newer timestamps) gives new versions. What misp-stix would otherwise stamp
with the current time (an event report, an attribute without timestamp) is given the event's
timestamp first, so that the same event always gives the same objects.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from accord.errors import AccordError, FieldError, InvalidInput, ValidationFailed
from accord.stix.markings import Tlp

#: The label misp-stix puts on the grouping or report it makes of an event.
MISP_TOOL_LABEL = 'misp:tool="MISP-STIX-Converter"'
#: Longest converter message repeated to a caller.
MESSAGE = 300
#: Most events one payload may hold.
MAX_EVENTS = 10_000
#: Events converted back to MISP kept, by the digest of the STIX objects they came from: a
#: feed's manifest, hashes and event files, and each export, convert the same unchanged
#: events again and again, at several milliseconds an attribute in misp-stix.
MEMO_EVENTS = 2048

for _name in ("misp_stix_converter", "pymisp"):
    logging.getLogger(_name).setLevel(logging.ERROR)


def read_events(raw: bytes) -> list[dict[str, Any]]:
    """The events of a MISP JSON payload: one event (``{"Event": ...}`` or the bare event),
    a list of them, or a REST search answer (``{"response": [...]}``). Each is returned as
    the bare event dictionary."""
    try:
        decoded = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"the MISP payload is not JSON: {exc}") from None
    if isinstance(decoded, dict) and isinstance(decoded.get("response"), list):
        decoded = decoded["response"]
    items = decoded if isinstance(decoded, list) else [decoded]
    if len(items) > MAX_EVENTS:
        raise InvalidInput(f"{len(items):,} events in one payload; the limit is {MAX_EVENTS:,}")
    events: list[dict[str, Any]] = []
    for position, item in enumerate(items):
        event = item.get("Event", item) if isinstance(item, dict) else None
        if not isinstance(event, dict) or not isinstance(event.get("info"), str):
            raise ValidationFailed(
                f"item {position} is not a MISP event",
                errors=[
                    FieldError(f"[{position}]", 'expected {"Event": {...}} with at least "info"')
                ],
            )
        events.append(event)
    return events


def _timestamp(value: Any) -> str | None:
    text = str(value) if value is not None else ""
    return text if text.isdigit() else None


def normalised(event: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``event`` in which everything misp-stix dates carries a MISP timestamp:
    the event's own is required (it is what makes versions); attributes, objects and event
    reports without one take the event's."""
    stamp = _timestamp(event.get("timestamp"))
    uuid = event.get("uuid")
    if stamp is None:
        raise ValidationFailed(
            f"event {uuid}: no timestamp",
            errors=[FieldError("timestamp", "a MISP event needs its timestamp (epoch seconds)")],
        )
    if not isinstance(uuid, str):
        raise ValidationFailed(
            "an event without uuid", errors=[FieldError("uuid", "a MISP event needs its uuid")]
        )
    event = copy.deepcopy(event)
    for attribute in _all_attributes(event):
        if _timestamp(attribute.get("timestamp")) is None:
            attribute["timestamp"] = stamp
    for misp_object in event.get("Object") or []:
        if _timestamp(misp_object.get("timestamp")) is None:
            misp_object["timestamp"] = stamp
    for report in event.get("EventReport") or []:
        if _timestamp(report.get("timestamp")) is None:
            report["timestamp"] = stamp
    return event


def _all_attributes(event: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from event.get("Attribute") or []
    for misp_object in event.get("Object") or []:
        yield from misp_object.get("Attribute") or []


def _messages(found: Any) -> list[str]:
    out: list[str] = []
    for entries in dict(found or {}).values():
        out += [str(entry)[:MESSAGE] for entry in entries]
    return out


def event_to_stix(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The STIX 2.1 objects misp-stix makes of one (normalised) event. An event misp-stix
    cannot read whole (an unknown attribute type, a malformed object) is refused with its
    messages, never stored in part."""
    # misp-stix takes seconds to import: only what converts pays for it.
    from misp_stix_converter import MISPtoSTIX21Parser  # type: ignore[import-untyped]

    parser = MISPtoSTIX21Parser()
    try:
        parser.parse_misp_event({"Event": event})
        bundle = parser.bundle
    except Exception as exc:  # misp-stix raises many kinds on malformed input
        raise ValidationFailed(
            f"event {event.get('uuid')}: misp-stix cannot convert it",
            errors=[FieldError("Event", f"{type(exc).__name__}: {str(exc)[:MESSAGE]}")],
        ) from None
    errors = _messages(parser.errors)
    if errors:
        raise ValidationFailed(
            f"event {event.get('uuid')}: misp-stix cannot convert all of it",
            errors=[FieldError("Event", message) for message in errors],
        )
    objects: list[dict[str, Any]] = orjson.loads(bundle.serialize())["objects"]
    return objects


class _Memo:
    """A bounded, thread-safe LRU of converted events, kept as JSON bytes (each caller gets
    its own copy to finish)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[bytes, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: bytes) -> bytes | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: bytes, value: bytes) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


_converted = _Memo(MEMO_EVENTS)


#: CPU seconds misp-stix spent converting STIX back to MISP, in this process and in the
#: workers that did it for this process (the benchmark reads it).
REVERSE_SECONDS = [0.0]


def _key(objects: list[dict[str, Any]]) -> bytes:
    return hashlib.blake2b(
        orjson.dumps(objects, option=orjson.OPT_SORT_KEYS), digest_size=24
    ).digest()


def _reverse(objects: list[dict[str, Any]]) -> tuple[bytes, float]:
    """misp-stix's conversion back, as JSON bytes, and its CPU seconds (a worker's task)."""
    start = time.thread_time()
    converted = orjson.dumps(_stix_to_event(objects))
    return converted, time.thread_time() - start


def _done(key: bytes, converted: bytes, seconds: float) -> dict[str, Any]:
    REVERSE_SECONDS[0] += seconds
    _converted.put(key, converted)
    event: dict[str, Any] = orjson.loads(converted)
    return event


def stix_to_event(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """One MISP event (the bare dictionary) from the STIX objects of one event: misp-stix's
    internal parser when a grouping or report of misp-stix is among them, else its external
    parser (STIX from anywhere else). The same objects (by content) are converted once."""
    key = _key(objects)
    cached = _converted.get(key)
    if cached is not None:
        event: dict[str, Any] = orjson.loads(cached)
        return event
    return _done(key, *_reverse(objects))


def stix_to_events(
    batches: Iterable[list[dict[str, Any]]], workers: int = 1
) -> Iterator[dict[str, Any]]:
    """:func:`stix_to_event` of each batch, in order, those the memo does not hold
    converted by ``workers`` processes (:mod:`accord.misp.pool`), at most ``2 * workers``
    in flight: a stream of events is converted with a bounded number held."""
    if workers <= 1:
        yield from map(stix_to_event, batches)
        return
    from accord.misp.pool import submit

    pending: deque[tuple[bytes, Any]] = deque()

    def first() -> dict[str, Any]:
        key, waiting = pending.popleft()
        if isinstance(waiting, bytes):
            event: dict[str, Any] = orjson.loads(waiting)
            return event
        return _done(key, *waiting.result())

    try:
        for objects in batches:
            key = _key(objects)
            cached = _converted.get(key)
            pending.append(
                (key, cached if cached is not None else submit(_reverse, objects, workers))
            )
            if len(pending) >= 2 * workers:
                yield first()
        while pending:
            yield first()
    finally:
        for _key_of, waiting in pending:
            if not isinstance(waiting, bytes):
                waiting.cancel()


def _stix_to_event(objects: list[dict[str, Any]]) -> dict[str, Any]:
    from misp_stix_converter import (
        ExternalSTIX2toMISPParser,
        InternalSTIX2toMISPParser,
    )
    from misp_stix_converter.tools.stix2_loading_helpers import (  # type: ignore[import-untyped]
        load_stix2_content,
    )

    internal = any(
        o.get("type") in ("grouping", "report") and MISP_TOOL_LABEL in (o.get("labels") or [])
        for o in objects
    )
    parser = InternalSTIX2toMISPParser() if internal else ExternalSTIX2toMISPParser()
    bundle = {"type": "bundle", "id": "bundle--" + _bundle_uuid(objects), "objects": objects}
    parser.load_stix_bundle(load_stix2_content(bundle))
    parser.parse_stix_bundle(single_event=True)
    event: dict[str, Any] = orjson.loads(parser.misp_event.to_json())
    inner: dict[str, Any] = event.get("Event", event)
    return inner


def _bundle_uuid(objects: Iterable[dict[str, Any]]) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "accord:misp:" + ",".join(o["id"] for o in objects)))


# --- Tags -------------------------------------------------------------------------------

_TLP_TAGS = {
    "clear": Tlp.CLEAR,
    "white": Tlp.CLEAR,
    "green": Tlp.GREEN,
    "amber": Tlp.AMBER,
    "amber+strict": Tlp.AMBER_STRICT,
    "red": Tlp.RED,
}


def tag_names(holder: dict[str, Any]) -> list[str]:
    """The tag names of an event, attribute or object (``Tag`` entries or plain strings)."""
    names: list[str] = []
    for tag in holder.get("Tag") or []:
        name = tag.get("name") if isinstance(tag, dict) else tag
        if isinstance(name, str):
            names.append(name.strip())
    return names


def tlp_of(names: Iterable[str]) -> Tlp | None:
    """The strictest TLP among tags in either spelling: ``tlp:amber``, ``tlp:white`` (1.0,
    read as CLEAR), ``tlp:amber+strict``, ``tlp:clear`` (2.0); case and spaces ignored."""
    found: Tlp | None = None
    for name in names:
        key = name.lower().replace(" ", "")
        if not key.startswith("tlp:"):
            continue
        level = _TLP_TAGS.get(key.removeprefix("tlp:").strip('"'))
        if level is not None and (found is None or level > found):
            found = level
    return found


def pap_of(names: Iterable[str]) -> list[str]:
    """The PAP tags (``PAP:GREEN``...), kept as labels."""
    return [name for name in names if name.lower().startswith("pap:")]


@dataclass(slots=True)
class Converted:
    """One event (``event`` as read, ``normal`` once normalised) and the STIX objects
    misp-stix made of it, or why it could not (``error``)."""

    event: dict[str, Any]
    normal: dict[str, Any] | None = None
    objects: list[dict[str, Any]] = field(default_factory=list)
    error: AccordError | None = None


def convert_event(event: dict[str, Any]) -> Converted:
    """Normalise and convert one event; touches no store."""
    done = Converted(event)
    try:
        done.normal = normalised(event)
        done.objects = event_to_stix(done.normal)
    except AccordError as exc:
        done.error = exc
    return done


def _convert_away(event: dict[str, Any]) -> Converted:
    """:func:`convert_event` in a worker process: the event itself is not sent back (the
    caller holds it)."""
    done = convert_event(event)
    done.event = {}
    return done


def convert_stream(events: Iterable[dict[str, Any]], workers: int = 1) -> Iterator[Converted]:
    """Each event converted, in order, by ``workers`` processes (:mod:`accord.misp.pool`):
    what one worker would give, with at most ``2 * workers`` events in flight."""
    from accord.misp.pool import ordered_map

    if workers <= 1:
        yield from map(convert_event, events)
        return
    held: deque[dict[str, Any]] = deque()

    def sent() -> Iterator[dict[str, Any]]:
        for event in events:
            held.append(event)
            yield event

    for done in ordered_map(_convert_away, sent(), workers):
        done.event = held.popleft()
        yield done


def convert_events(raw: bytes, workers: int = 1) -> list[Converted]:
    """The events of ``raw``, converted. misp-stix is slow (seconds for a large event): a
    door runs this before it opens the import's transaction, so that no write lock (the
    store's on SQLite, the audit head's on PostgreSQL) is held meanwhile; with ``workers``
    above 1, in that many processes."""
    return list(convert_stream(read_events(raw), workers))
