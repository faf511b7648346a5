"""What an importer reads from a list, before it meets the register."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from accord.register.dates import ListDate

QUALITIES = ("primary", "strong", "weak", "former")
STATUSES = ("listed", "delisted", "suspended")


@dataclass(frozen=True, slots=True)
class Name:
    name: str
    quality: str  # primary | strong | weak | former
    script: str


@dataclass(slots=True)
class Designation:
    jurisdiction: str
    status: str
    programme: str = ""
    authority: str = ""
    reference: str | None = None
    listed_on: ListDate | None = None
    delisted_on: ListDate | None = None
    legal_basis: str = ""
    source_url: str = ""


@dataclass(slots=True)
class Record:
    """One entry of one source list. ``where`` names it in errors (row or element)."""

    source: str
    key: str
    kind: str  # organization | person
    names: list[Name]
    designations: list[Designation]
    where: str
    details: dict[str, Any] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)
    #: Reference numbers of other lists this record names (e.g. a UN QDe.088 in an alias).
    references: list[str] = field(default_factory=list)

    @property
    def primary(self) -> str:
        return next((n.name for n in self.names if n.quality == "primary"), self.names[0].name)


def script_of(text: str) -> str:
    """The dominant script of a name: Latin, Cyrillic, Arabic, Han, or Other."""
    counts: dict[str, int] = {}
    for char in text[:1000]:  # a name's first thousand letters tell its script
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        script = next(
            (s for s in ("LATIN", "CYRILLIC", "ARABIC", "CJK") if name.startswith(s)), "OTHER"
        )
        counts[script] = counts.get(script, 0) + 1
    if not counts:
        return "Other"
    best = max(counts, key=lambda s: counts[s])
    return {"LATIN": "Latin", "CYRILLIC": "Cyrillic", "ARABIC": "Arabic", "CJK": "Han"}.get(
        best, "Other"
    )


def normalise(name: str) -> str:
    """A comparison key: NFKC, case folded, quotes and punctuation gone, spaces collapsed."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())
