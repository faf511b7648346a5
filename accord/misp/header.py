"""What misp-stix would say of an event's header, read from the event's STIX objects
without running misp-stix: a feed's ``manifest.json`` needs only each event's uuid, info,
date, timestamp, threat level, analysis, Orgc and tags, and converting every event of a
collection to learn them cost as much as the whole feed.

:func:`header` gives the bare event misp-stix's conversion would give, less its attributes,
objects, galaxies and reports, for the events Accord serves (:mod:`accord.acts.misp_stream`'s
units: a grouping or report misp-stix made, with the objects it holds; a part kept
narrower; an origin's other objects). It models what those headers are made of, as
misp-stix 2.4's parsers make them (``_create_misp_event`` and ``_create_generic_event``):

* info: the grouping's or report's ``name``; timestamp: its ``modified``; no date, threat
  level or analysis (PyMISP's defaults fill them, as for the converted event);
* tags, in misp-stix's order: the producer (``created_by_ref``'s identity), the markings
  (TLP only: the caller drops TLP tags for its own), the labels (``misp:`` ones after the
  others, ``threat-report`` once), then each event-level galaxy cluster (a cluster the
  grouping lists that no relationship attaches to an attribute), grouped by galaxy;
* an origin's other objects (misp-stix's external parser): the producer when exactly one
  identity created them, nothing else (its galaxies carry no tags).

Anything else (a marking other than TLP, ``confidence``, a creator that is not an
identity, a galaxy other than ``threat-actor`` or whose tag misp-stix would key on the
cluster uuid) is not modelled: :func:`header` answers None and the caller converts that
event with misp-stix.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from accord.misp.convert import MISP_TOOL_LABEL
from accord.stix.markings import TLP_BY_MARKING_ID

#: What a slot of a MISP tag cannot carry (misp-stix's ``_TAG_VALUE_METACHARACTERS``).
_METACHARACTERS = re.compile(r'["\x00-\x1f\x7f]')
#: Galaxies whose cluster tag misp-stix names by the SDO's ``name``.
NAMED_GALAXIES = frozenset({"threat-actor"})
#: The identities misp-stix names without reading them (``STIX2toMISPMapping``'s
#: ``identity_references``), and the name it gives any other.
KNOWN_IDENTITIES = {"identity--b3bca3c2-1f3d-4b54-b44f-dac42c3a8f01": "CISA"}
_GALAXY_TYPE = re.compile(r'^misp:galaxy-type="([^"]*)"$')


def _tag(namespace: str, predicate: str, value: str) -> str | None:
    cleaned = [_METACHARACTERS.sub("", slot).strip() for slot in (namespace, predicate, value)]
    if not all(cleaned):
        return None
    return '{}:{}="{}"'.format(*cleaned)


def _epoch(stamp: str) -> str:
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return str(int(moment.timestamp()))


def _producer(creator: str | None, by_id: dict[str, dict[str, Any]]) -> list[str] | None:
    """The producer tag misp-stix gives an event created by ``creator`` (None: a creator
    that is not an identity, not modelled)."""
    if creator is None:
        return []
    identity = by_id.get(creator)
    if identity is None:
        # not among the objects (not readable in this collection): misp-stix's own table
        name = KNOWN_IDENTITIES.get(creator, "misp-stix")
    elif identity.get("type") != "identity":
        return None
    else:
        name = _METACHARACTERS.sub("", str(identity.get("name", creator))).strip()
    return [f'misp-galaxy:producer="{name}"'] if name else []


def _is_tlp(ref: str, by_id: dict[str, dict[str, Any]]) -> bool:
    if ref in TLP_BY_MARKING_ID:
        return True
    marking = by_id.get(ref) or {}
    return marking.get("definition_type") == "tlp"


def _event_clusters(head: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> list[str] | None:
    """The tags of the galaxy clusters the event itself carries, grouped by galaxy."""
    related: set[str] = set()
    for obj in by_id.values():
        if obj.get("type") == "relationship":
            related.update(str(obj.get(end)) for end in ("source_ref", "target_ref"))
    by_galaxy: dict[str, list[str]] = {}
    for ref in head.get("object_refs") or []:
        found = by_id.get(ref)
        if found is None or ref in related:
            continue
        obj = found
        kinds = [m.group(1) for m in map(_GALAXY_TYPE.match, obj.get("labels") or []) if m]
        if not kinds:
            continue
        kind = kinds[0]
        name = str(obj.get("name", ref))
        if kind not in NAMED_GALAXIES or _METACHARACTERS.search(name):
            return None  # keyed on the cluster uuid, or another galaxy's value: not modelled
        tag = _tag("misp-galaxy", kind, name)
        if tag is None:
            return None
        by_galaxy.setdefault(kind, []).append(tag)
    return [tag for tags in by_galaxy.values() for tag in tags]


def header(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The header of the event misp-stix would make of ``objects`` (an event's, its
    grouping or report first when misp-stix made one), or None where it is not modelled."""
    by_id = {str(o.get("id")): o for o in objects}
    head = objects[0] if objects else None
    labels = (head or {}).get("labels") or []
    if (
        head is None
        or head.get("type") not in ("grouping", "report")
        or (MISP_TOOL_LABEL not in labels)
    ):
        return _generic(objects, by_id)
    if "confidence" in head or not head.get("modified"):
        return None
    tags = _producer(head.get("created_by_ref"), by_id)
    if tags is None:
        return None
    for ref in head.get("object_marking_refs") or []:
        if not _is_tlp(str(ref), by_id):
            return None
    names = [str(label) for label in labels if not str(label).startswith("misp:")]
    names += [str(label) for label in labels if str(label).lower() != "threat-report"]
    clusters = _event_clusters(head, by_id)
    if clusters is None:
        return None
    for name in [*names, *clusters]:
        if name not in tags:
            tags.append(name)
    event: dict[str, Any] = {"uuid": str(head["id"]).split("--", 1)[1]}
    event["info"] = str(head.get("name") or "")
    if not event["info"]:
        return None  # misp-stix's generic title: not modelled
    event["timestamp"] = _epoch(str(head["modified"]))
    event["Tag"] = [{"name": name} for name in tags]
    return event


def _generic(
    objects: list[dict[str, Any]], by_id: dict[str, dict[str, Any]]
) -> dict[str, Any] | None:
    """misp-stix's external parser's event: the caller sets its uuid, info, date and
    timestamp (:class:`accord.acts.misp_stream.Unit`'s ``rest``)."""
    creators = {str(o["created_by_ref"]) for o in objects if o.get("created_by_ref")}
    tags: list[str] | None = []
    if len(creators) == 1:
        tags = _producer(next(iter(creators)), by_id)
    if tags is None:
        return None
    return {"info": "", "Tag": [{"name": name} for name in tags]}
