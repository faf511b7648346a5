"""TLP 2.0 as STIX 2.1 marking definitions (see ``../shared/REFERENCE.md``).

The official TLP 2.0 definitions live in the OASIS extension
``extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d``; neither stix2 nor the
validator ships them, so they are spelled out here. TLP 1.0 ids (STIX 2.1 section 7.2.1)
are still common in the wild and are read as their TLP 2.0 equivalents.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

TLP2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_CREATED = "2022-10-01T00:00:00.000Z"


class Tlp(enum.IntEnum):
    """TLP 2.0 levels, ordered from least to most restrictive."""

    CLEAR = 0
    GREEN = 1
    AMBER = 2
    AMBER_STRICT = 3
    RED = 4

    @property
    def label(self) -> str:
        """The lower-case name used on the command line and in the API: ``amber+strict``."""
        return self.name.lower().replace("_", "+")

    @property
    def marking_id(self) -> str:
        return TLP2_IDS[self]

    @classmethod
    def from_label(cls, label: str) -> Tlp:
        key = label.strip().lower().removeprefix("tlp:")
        for level in cls:
            if level.label == key:
                return level
        if key == "white":  # TLP 1.0 name of CLEAR
            return cls.CLEAR
        choices = ", ".join(level.label for level in cls)
        raise ValueError(f"unknown TLP level {label!r}; expected one of {choices}")


TLP2_IDS: dict[Tlp, str] = {
    Tlp.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    Tlp.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    Tlp.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    Tlp.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    Tlp.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

TLP1_IDS: dict[str, Tlp] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": Tlp.CLEAR,
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": Tlp.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": Tlp.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": Tlp.RED,
}

#: Every marking-definition id that denotes a TLP level, 2.0 and 1.0.
TLP_BY_MARKING_ID: dict[str, Tlp] = {**{v: k for k, v in TLP2_IDS.items()}, **TLP1_IDS}


def strictest_tlp(marking_refs: Iterable[str]) -> Tlp | None:
    """The most restrictive TLP level among ``object_marking_refs``, or None if there is none."""
    found: Tlp | None = None
    for ref in marking_refs:
        level = TLP_BY_MARKING_ID.get(ref)
        if level is not None and (found is None or level > found):
            found = level
    return found


def tlp_marking_definition(level: Tlp) -> dict[str, Any]:
    """The official TLP 2.0 marking-definition object for ``level``."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP2_IDS[level],
        "created": TLP2_CREATED,
        "name": "TLP:" + level.label.upper(),
        "extensions": {
            TLP2_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": level.label}
        },
    }
