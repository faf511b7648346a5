# TEMPORARY stand-in (not to be committed)
from __future__ import annotations

from typing import Any

from accord.correlate.values import Key, parse_value_spec


def observable_keys(obj: dict[str, Any]) -> list[Key]:
    t = obj.get("type")
    if t in ("domain-name", "ipv4-addr") and isinstance(obj.get("value"), str):
        return [parse_value_spec(f"{t}:{obj['value']}")]
    return []
