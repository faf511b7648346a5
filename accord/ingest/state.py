"""The state an article's reader keeps: tokens, mentions, the items found so far."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from accord.ingest import dates
from accord.ingest.gazetteer import places

_APOSTROPHES = "'’"


@dataclass
class Mention:
    start: int
    end: int
    text: str


@dataclass
class Item:
    kind: str  # person | organisation | location
    name: str
    aliases: set[str] = field(default_factory=set)
    evidence: list[Mention] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    country: str | None = None
    place_kind: str | None = None
    register: dict[str, Any] | None = None
    claims: list[dict[str, Any]] = field(default_factory=list)
    group: bool = False

    def cite(self, start: int, end: int, text: str) -> None:
        if not any(m.start == start and m.end == end for m in self.evidence):
            self.evidence.append(Mention(start, end, text))
        shown = " ".join(text.split())
        if shown != self.name:
            self.aliases.add(shown)


@dataclass
class Token:
    text: str
    start: int
    end: int

    @property
    def capital(self) -> bool:
        return self.text[:1].isupper()

    @property
    def bare(self) -> str:
        """Without a possessive: "Kyrgyzstan’s" -> "Kyrgyzstan"."""
        for mark in _APOSTROPHES:
            if self.text.endswith(mark + "s"):
                return self.text[:-2]
        return self.text


class ReaderBase:
    """What every part of the reader shares: the text, the kept lines, what was found."""

    def __init__(
        self,
        text: str,
        kept: list[tuple[int, int]],
        anchor: dt.date | None,
        linker: Any | None = None,
    ) -> None:
        self.text = text
        self.kept = kept
        self.anchor = anchor
        self.linker = linker
        self.places = places()
        self.items: dict[tuple[str, str], Item] = {}
        self.incidents: list[dict[str, Any]] = []
        self.event_dates: list[dates.Found] = []
        self.person_spans: list[tuple[int, int]] = []
        self.org_spans: list[tuple[int, int]] = []
        self.claim_spans: list[tuple[int, int]] = []

    # -- sentences and phrases -------------------------------------------------------------

    def _item(self, kind: str, key: str, name: str) -> Item:
        name, key = " ".join(name.split()), " ".join(key.split())
        found = self.items.get((kind, key))
        if found is None:
            found = Item(kind, name)
            self.items[(kind, key)] = found
        return found
