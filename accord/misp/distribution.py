"""MISP distribution -> Accord audience, never wider (MISP#7165 is the failure to avoid).

* 0 "your organisation only" -> ``own``;
* 1 "this community", 2 "connected communities", 3 "all communities" -> the audience the
  operator configures for each level (``ACCORD_MISP_AUDIENCE_COMMUNITY``, ``..._CONNECTED``,
  ``..._ALL``), ``own`` unless configured;
* 4 a sharing group -> the channel the operator mapped to that sharing group's UUID
  (``accord misp map-sharing-group``); a sharing group with no mapping refuses the event
  whole: it is never downgraded to something else, nor widened;
* 5 "inherit" (attributes, objects, reports) -> the event's (or the object's).

An attribute, object or event report is never wider than what holds it: its audience is the
narrower of its own and its parent's (two different channels: ``own``, the only audience
inside both). Each STIX object misp-stix makes is given the audience and TLP of the MISP
element whose UUID it carries; a relationship the narrower of its two ends.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from accord.errors import FieldError, PolicyViolation
from accord.misp.convert import tag_names, tlp_of
from accord.stix.markings import TLP_BY_MARKING_ID, Tlp

OWN = "own"
NETWORK = "network"


def narrower(first: str, second: str) -> str:
    """The narrower of two audiences (``own``, a channel name, ``network``)."""
    if first == second:
        return first
    if OWN in (first, second):
        return OWN
    if first == NETWORK:
        return second
    if second == NETWORK:
        return first
    return OWN  # two different channels: only the originator is inside both


@dataclass(frozen=True, slots=True)
class Rules:
    """How one import maps distribution: the per-level audiences, the sharing-group
    mapping, the audience of an event that states no distribution (a MISP feed strips it),
    a cap no element may exceed (a feed peer's audience), and the TLP of untagged events."""

    levels: Mapping[int, str]
    sharing_groups: Callable[[str], str | None]
    missing: str = OWN
    cap: str | None = None
    default_tlp: Tlp = Tlp.AMBER
    floor_tlp: Tlp | None = None


@dataclass(slots=True)
class Sharing:
    """Audience and TLP of each MISP element by UUID."""

    event_audience: str
    event_tlp: Tlp
    audiences: dict[str, str] = field(default_factory=dict)
    tlps: dict[str, Tlp] = field(default_factory=dict)


def _distribution(holder: dict[str, Any]) -> int | None:
    value = holder.get("distribution")
    try:
        return int(value) if value is not None and str(value) != "" else None
    except (TypeError, ValueError):
        return -1


def _refuse(uuid: str, message: str) -> PolicyViolation:
    error = PolicyViolation(f"event {uuid}: {message}")
    error.errors = [FieldError("distribution", message)]
    return error


def _audience_of(
    holder: dict[str, Any], parent: str, rules: Rules, event: dict[str, Any], what: str
) -> str:
    level = _distribution(holder)
    uuid = str(event.get("uuid"))
    if level is None:
        return parent
    if level == 0:
        return OWN
    if level in (1, 2, 3):
        return narrower(rules.levels.get(level, OWN), parent)
    if level == 5:
        return parent
    if level == 4:
        group = holder.get("SharingGroup") or {}
        group_uuid = group.get("uuid") if isinstance(group, dict) else None
        if not group_uuid and str(holder.get("sharing_group_id")) == str(
            event.get("sharing_group_id")
        ):
            group_uuid = (event.get("SharingGroup") or {}).get("uuid")
        if not isinstance(group_uuid, str) or not group_uuid:
            raise _refuse(uuid, f"{what} is shared with a sharing group this payload does not name")
        channel = rules.sharing_groups(group_uuid)
        if channel is None:
            raise _refuse(
                uuid,
                f"{what} is shared with sharing group {group_uuid}, which is mapped to no "
                "channel here (accord misp map-sharing-group); refused rather than shared "
                "with anyone else",
            )
        return narrower(channel, parent)
    raise _refuse(uuid, f"{what} has distribution {holder.get('distribution')!r}: expected 0-5")


def sharing_of(event: dict[str, Any], rules: Rules) -> Sharing:
    """The audience and TLP of the event and of each of its elements."""
    top = rules.cap if rules.cap is not None else NETWORK
    if _distribution(event) is None:
        event_audience = narrower(rules.missing, top)
    else:
        event_audience = _audience_of(event, top, rules, event, "the event")
    own_tlp = tlp_of(tag_names(event))
    event_tlp = own_tlp if own_tlp is not None else rules.default_tlp
    if rules.floor_tlp is not None:
        event_tlp = max(event_tlp, rules.floor_tlp)
    sharing = Sharing(event_audience, event_tlp)
    uuid = str(event.get("uuid"))
    sharing.audiences[uuid] = event_audience
    sharing.tlps[uuid] = event_tlp

    def place(holder: dict[str, Any], parent: str, parent_tlp: Tlp, what: str) -> tuple[str, Tlp]:
        audience = _audience_of(holder, parent, rules, event, what)
        tagged = tlp_of(tag_names(holder))
        level = max(parent_tlp, tagged) if tagged is not None else parent_tlp
        key = holder.get("uuid")
        if isinstance(key, str):
            sharing.audiences[key] = audience
            sharing.tlps[key] = level
        return audience, level

    for attribute in event.get("Attribute") or []:
        place(attribute, event_audience, event_tlp, f"attribute {attribute.get('uuid')}")
    for misp_object in event.get("Object") or []:
        what = f"object {misp_object.get('uuid')}"
        audience, level = place(misp_object, event_audience, event_tlp, what)
        for attribute in misp_object.get("Attribute") or []:
            place(attribute, audience, level, f"attribute {attribute.get('uuid')}")
    for report in event.get("EventReport") or []:
        place(report, event_audience, event_tlp, f"event report {report.get('uuid')}")
    return sharing


def _is_tlp_definition(obj: dict[str, Any]) -> bool:
    if obj.get("type") != "marking-definition":
        return False
    name = str(obj.get("name") or "").lower()
    return (
        obj["id"] in TLP_BY_MARKING_ID
        or obj.get("definition_type") == "tlp"
        or (name.startswith("tlp:"))
    )


#: Objects misp-stix makes that belong to no one event, by type (their id is the UUID of an
#: organisation or a galaxy cluster that many events name).
RELATIONS = ("relationship", "sighting")


@dataclass(frozen=True, slots=True)
class Placed:
    obj: dict[str, Any]
    audience: str
    tlp: Tlp
    #: Context many events share (the creator's identity, a galaxy cluster): stored once,
    #: by whichever event comes first; it never makes an event fail.
    shared: bool


def assign(objects: list[dict[str, Any]], sharing: Sharing, event_uuid: str) -> list[Placed]:
    """Each STIX object with its audience and TLP 2.0 marking (``object_marking_refs``
    rewritten to the TLP 2.0 definition; misp-stix's TLP marking definitions dropped). An
    object narrower than the event is taken out of the event's grouping (readers of the
    grouping would otherwise learn that something is hidden from them) and names the event
    in ``x_accord_misp_event`` instead, so that its owner's export puts it back."""
    tlp_ids = {o["id"] for o in objects if _is_tlp_definition(o)}
    tlp_ids |= set(TLP_BY_MARKING_ID)
    kept = [o for o in objects if not _is_tlp_definition(o)]
    placed: dict[str, tuple[str, Tlp]] = {}
    for obj in kept:
        key = obj["id"].split("--", 1)[1]
        if key in sharing.audiences:
            placed[obj["id"]] = (sharing.audiences[key], sharing.tlps[key])
    for obj in kept:
        if obj["id"] in placed:
            continue
        ends = [
            placed.get(obj.get(ref, "")) for ref in ("source_ref", "target_ref", "sighting_of_ref")
        ]
        found = [end for end in ends if end is not None]
        audience, level = sharing.event_audience, sharing.event_tlp
        for end_audience, end_tlp in found:
            audience, level = narrower(audience, end_audience), max(level, end_tlp)
        placed[obj["id"]] = (audience, level)
    out: list[Placed] = []
    for obj in kept:
        audience, level = placed[obj["id"]]
        own_element = obj["id"].split("--", 1)[1] in sharing.audiences
        shared = not own_element and obj.get("type") not in RELATIONS
        refs = [r for r in obj.get("object_marking_refs") or [] if r not in tlp_ids]
        if obj.get("type") not in ("marking-definition",):
            obj["object_marking_refs"] = [*refs, level.marking_id]
        if obj.get("type") in ("grouping", "report") and "object_refs" in obj:
            obj["object_refs"] = [
                ref for ref in obj["object_refs"] if placed.get(ref, (audience,))[0] == audience
            ]
        elif audience != sharing.event_audience:
            obj["x_accord_misp_event"] = event_uuid
        out.append(Placed(obj, audience, level, shared))
    return out
