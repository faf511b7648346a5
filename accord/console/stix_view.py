"""A STIX object for people: its properties as labelled values, references as links, and
its relationships as a small graph drawn on the server (SVG, no script, no library)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from accord.stix.validate import is_identifier

#: Properties shown in the page's heading or provenance rather than among the properties.
SHOWN_ELSEWHERE = {"type", "spec_version", "id", "name", "object_marking_refs"}
FIRST = ("description", "created", "modified", "created_by_ref", "labels", "aliases")


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    label: str
    kind: str  # text | ref | refs | list | timestamp | table | json
    value: Any


def _label(key: str) -> str:
    words = key.removesuffix("_refs").removesuffix("_ref").replace("_", " ").replace("-", " ")
    return words[:1].upper() + words[1:]


def fields(obj: dict[str, Any]) -> list[Field]:
    """The object's properties in reading order, each with how to show it."""
    keys = [k for k in FIRST if k in obj]
    keys += sorted(k for k in obj if k not in SHOWN_ELSEWHERE and k not in keys)
    out = []
    for key in keys:
        value = obj[key]
        if key.endswith("_ref") and is_identifier(value):
            out.append(Field(key, _label(key), "ref", value))
        elif key.endswith("_refs") and isinstance(value, list):
            out.append(Field(key, _label(key), "refs", value))
        elif key in ("created", "modified", "first_seen", "last_seen", "valid_from"):
            out.append(Field(key, _label(key), "timestamp", value))
        elif isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
            out.append(Field(key, _label(key), "list", value))
        elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
            columns = sorted({k for row in value for k in row})
            out.append(Field(key, _label(key), "table", {"columns": columns, "rows": value}))
        elif isinstance(value, dict):
            out.append(Field(key, _label(key), "json", value))
        else:
            out.append(Field(key, _label(key), "text", value))
    return out


def outgoing_refs(obj: dict[str, Any]) -> list[tuple[str, str]]:
    """(property, id) for every reference the object makes at its top level."""
    found = []
    for key, value in obj.items():
        if key == "object_marking_refs":
            continue
        if key.endswith("_ref") and is_identifier(value):
            found.append((key, value))
        elif key.endswith("_refs") and isinstance(value, list):
            found.extend((key, v) for v in value if is_identifier(v))
    return found


@dataclass(frozen=True, slots=True)
class Node:
    stix_id: str
    label: str
    x: float
    y: float
    visible: bool


@dataclass(frozen=True, slots=True)
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    label: str
    outgoing: bool


def layout(
    centre: tuple[str, str], neighbours: list[tuple[str, str, str, bool, bool]], size: int = 560
) -> tuple[list[Node], list[Edge]]:
    """A radial layout: the object in the middle, each neighbour on a circle around it.

    ``neighbours`` holds (id, label, relation, outgoing, visible) for each edge.
    """
    middle = size / 2
    radius = size / 2 - 70
    nodes = [Node(centre[0], centre[1], middle, middle, True)]
    edges = []
    seen: dict[str, Node] = {}
    count = max(len(neighbours), 1)
    for n, (stix_id, label, relation, outgoing, visible) in enumerate(neighbours):
        node = seen.get(stix_id)
        if node is None:
            angle = 2 * math.pi * n / count - math.pi / 2
            node = Node(
                stix_id,
                label,
                round(middle + radius * math.cos(angle), 1),
                round(middle + radius * math.sin(angle), 1),
                visible,
            )
            seen[stix_id] = node
            nodes.append(node)
        edges.append(Edge(middle, middle, node.x, node.y, relation, outgoing))
    return nodes, edges


def short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
