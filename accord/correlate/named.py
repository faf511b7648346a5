"""Names and register subjects an object holds, as correlation keys.

A name's key is what the screening engine reads in it: each reading of the name (as written,
transliterated as English writes its script, translated when the lexicon knows its words)
as its folded tokens, sorted. So "Абдулла Хасанов" and "Abdulla Khasanov" share a key, and
"Исламское государство" shares one with "Islamic State". A key only proposes a correlation:
the correlations read scores each pair with the screening engine and shows its explanation
(accord.acts.alerts).

A register subject's key is its reference on a list ("QDe.088"), read from an object's
external references, from an ingested group's register link and from the designations of a
subject the register published.
"""

from __future__ import annotations

import re
from typing import Any

from accord.correlate.values import Key
from accord.screening.pieces import STOPWORDS
from accord.screening.score import readings

#: The types whose names are persons or groups.
NAMED_TYPES = frozenset({"identity", "threat-actor", "intrusion-set"})
#: identity_class values of people and bodies (not "system", "class", "unknown").
NAMED_CLASSES = frozenset({"individual", "group", "organization"})
#: A key shorter than this (in letters) says too little to connect anything.
MIN_KEY = 4
#: Names read per object (a name and its aliases), at most.
MAX_NAMES = 20
#: References on the lists Accord imports: the UN's (QDe.088, QDi.421, TAe.001...) and a
#: national list's own (kept as written, compared without case).
REFERENCE = re.compile(r"^[A-Za-z]{2,4}[.\-]?\d{1,4}(\.\d+)?$")
REGISTER_SOURCE_NAMES = ("accord register", "un security council", "un sc", "unsc")
_EXTENSION_PREFIX = "extension-definition--"


def name_keys(obj: dict[str, Any]) -> list[Key]:
    """The keys of the person or group names of ``obj`` (its name and aliases)."""
    stix_type = obj.get("type")
    if stix_type not in NAMED_TYPES:
        return []
    if stix_type == "identity" and obj.get("identity_class") not in NAMED_CLASSES:
        return []
    names: list[tuple[str, str]] = []
    if isinstance(obj.get("name"), str):
        names.append((obj["name"], "name"))
    aliases = obj.get("aliases")
    if isinstance(aliases, list):
        names += [(a, f"aliases[{n}]") for n, a in enumerate(aliases) if isinstance(a, str)]
    keys: dict[str, Key] = {}
    for name, source in names[:MAX_NAMES]:
        for value in name_values(name):
            keys.setdefault(value, Key("name", value, source))
    return list(keys.values())


def name_values(name: str) -> list[str]:
    """The keys of one name: per reading, its folded tokens sorted (stopwords left out)."""
    if not name.strip() or len(name) > 300:
        return []
    out: list[str] = []
    for reading in readings(name):
        words = sorted(t.text for t in reading.tokens if t.text not in STOPWORDS)
        value = " ".join(words)
        if sum(len(w) for w in words) >= MIN_KEY and value not in out:
            out.append(value)
    return out


def subject_keys(obj: dict[str, Any]) -> list[Key]:
    """The register references ``obj`` names: linked subjects and designations."""
    found: dict[str, Key] = {}

    def add(reference: object, source: str) -> None:
        if isinstance(reference, str) and REFERENCE.match(reference.strip()):
            value = reference.strip().upper()
            found.setdefault(value, Key("subject", value, source))

    references = obj.get("external_references")
    if isinstance(references, list):
        for n, ref in enumerate(references):
            if not isinstance(ref, dict):
                continue
            source_name = str(ref.get("source_name", "")).casefold()
            if source_name in REGISTER_SOURCE_NAMES:
                add(ref.get("external_id"), f"external_references[{n}]")
    extensions = obj.get("extensions")
    if isinstance(extensions, dict):
        for extension_id, extension in extensions.items():
            if not (isinstance(extension, dict) and extension_id.startswith(_EXTENSION_PREFIX)):
                continue
            linked = extension.get("register_subject")
            if isinstance(linked, dict) and isinstance(linked.get("references"), list):
                for reference in linked["references"]:
                    add(reference, "register_subject")
            designations = extension.get("designations")
            if isinstance(designations, list):
                for designation in designations:
                    if isinstance(designation, dict):
                        add(designation.get("reference"), "designations")
    return list(found.values())


def delisted(obj: dict[str, Any]) -> bool:
    """A register subject every jurisdiction has delisted (its designations say so)."""
    extensions = obj.get("extensions")
    if not isinstance(extensions, dict):
        return False
    for extension_id, extension in extensions.items():
        if extension_id.startswith(_EXTENSION_PREFIX) and isinstance(extension, dict):
            designations = extension.get("designations")
            if isinstance(designations, list) and designations:
                return all(
                    isinstance(d, dict) and d.get("status") == "delisted" for d in designations
                )
    return False
