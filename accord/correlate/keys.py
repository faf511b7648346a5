"""Everything one object shares with others: its observable values, its person and group
names, the register subjects it names. Computed once per version while it is validated
(:mod:`accord.prepare`, in the worker process for bulk publishing)."""

from __future__ import annotations

from typing import Any

from accord.correlate.extract import observable_keys
from accord.correlate.named import NAMED_CLASSES, NAMED_TYPES, delisted, name_keys, subject_keys
from accord.correlate.values import Key

#: Keys kept per object version, at most (a bundle-sized indicator is cut, not refused).
MAX_KEYS = 500


def analyse(obj: dict[str, Any]) -> dict[str, Any]:
    """The fields :class:`accord.stix.validate.StixObject` carries for correlation."""
    keys: dict[tuple[str, str], Key] = {}
    for key in (*observable_keys(obj), *name_keys(obj), *subject_keys(obj)):
        keys.setdefault((key.kind, key.value), key)
        if len(keys) >= MAX_KEYS:
            break
    return {"keys": tuple(keys.values()), "names": names_of(obj), "delisted": delisted(obj)}


def names_of(obj: dict[str, Any]) -> tuple[str, ...]:
    """The person and group names of an object, as written (screened against watches)."""
    stix_type = obj.get("type")
    if stix_type not in NAMED_TYPES:
        return ()
    if stix_type == "identity" and obj.get("identity_class") not in NAMED_CLASSES:
        return ()
    found = [obj["name"]] if isinstance(obj.get("name"), str) else []
    aliases = obj.get("aliases")
    if isinstance(aliases, list):
        found += [a for a in aliases if isinstance(a, str)]
    return tuple(dict.fromkeys(n for n in found if n.strip() and len(n) <= 300))[:20]
