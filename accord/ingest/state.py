"""The state an article's reader keeps: tokens, mentions, the items found so far."""

from __future__ import annotations

import datetime as dt
import time
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from accord.errors import ValidationFailed
from accord.ingest import dates
from accord.ingest.gazetteer import places

_APOSTROPHES = "'’"
_POSSESSIVES = tuple(mark + "s" for mark in _APOSTROPHES)


@lru_cache(maxsize=100_000)
def similar(a: str, b: str, kind: str | None = None) -> float:
    """The screening scorer's score of two names, remembered: the reader compares each new
    name with every one found before, and articles repeat names."""
    from accord.screening.score import compare

    return compare(a, b, kind).score if kind else compare(a, b).score


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

    #: (start, end) of every mention in ``evidence``: citing is constant time, not a scan.
    cited: set[tuple[int, int]] = field(default_factory=set, repr=False, compare=False)
    cited_starts: set[int] = field(default_factory=set, repr=False, compare=False)

    def cite(self, start: int, end: int, text: str) -> None:
        if (start, end) not in self.cited:
            self.cited.add((start, end))
            self.cited_starts.add(start)
            self.evidence.append(Mention(start, end, text))
        shown = " ".join(text.split())
        if shown != self.name:
            self.aliases.add(shown)


class Spans(list[tuple[int, int]]):
    """Character spans already read as one kind of name; ``covers`` answers in constant time
    (a scan of every span made reading an article quadratic in its length)."""

    def __init__(self) -> None:
        super().__init__()
        self._covered: set[int] = set()

    def append(self, span: tuple[int, int]) -> None:
        super().append(span)
        self._covered.update(range(span[0], span[1]))

    def covers(self, position: int) -> bool:
        return position in self._covered


@dataclass(slots=True)
class Token:
    text: str
    start: int
    end: int
    #: Whether the word begins with a capital; the word without a possessive
    #: ("Kyrgyzstan’s" -> "Kyrgyzstan"). Worked out once: the reader asks each word often.
    capital: bool = field(init=False, compare=False, repr=False)
    bare: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.capital = self.text[:1].isupper()
        self.bare = self.text[:-2] if self.text.endswith(_POSSESSIVES) else self.text


class ReaderBase:
    """What every part of the reader shares: the text, the kept lines, what was found."""

    def __init__(
        self,
        text: str,
        kept: list[tuple[int, int]],
        anchor: dt.date | None,
        linker: Any | None = None,
        seconds: float | None = None,
        *,
        models: bool = False,
    ) -> None:
        self.text = text
        #: Whether the statistical model proposes names (the rules alone when not).
        self.models = models
        #: When reading must stop (monotonic clock), from the node's ``ingest_seconds``.
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self._ordered: list[Item] = []
        self._starts: list[int] = []
        self._owners: list[int] = []
        self._mentions: dict[int, tuple[list[int], list[int]]] = {}
        self.kept = kept
        #: Lines dropped as the page's chrome (credits, bylines): read for news agencies only.
        self.dropped: list[tuple[int, int]] = []
        self.anchor = anchor
        self.linker = linker
        self.places = places()
        self.items: dict[tuple[str, str], Item] = {}
        self.incidents: list[dict[str, Any]] = []
        self.event_dates: list[dates.Found] = []
        self.person_spans = Spans()
        self.org_spans = Spans()
        self.claim_spans = Spans()

    def check_time(self) -> None:
        """Stop an article that takes longer than its budget, with an error naming it."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise ValidationFailed(
                "the article takes longer to read than this node allows (ingest_seconds); "
                "send it in parts"
            )

    def index_mentions(self) -> None:
        """Index every mention by where it starts, once the names are read, so that each
        sentence finds its items without a scan of every item (see :meth:`items_between`)."""
        self._ordered = list(self.items.values())
        pairs = sorted((m.start, n) for n, item in enumerate(self._ordered) for m in item.evidence)
        self._starts = [start for start, _ in pairs]
        self._owners = [n for _, n in pairs]
        self._mentions = {}
        for item in self._ordered:
            placed = sorted((m.start, k) for k, m in enumerate(item.evidence))
            self._mentions[id(item)] = ([start for start, _ in placed], [k for _, k in placed])

    def mentions_between(self, item: Item, start: int, end: int) -> list[Mention]:
        """The item's mentions starting in ``[start, end)``, in the order they were cited."""
        starts, order = self._mentions[id(item)]
        low, high = bisect_left(starts, start), bisect_left(starts, end)
        return [item.evidence[k] for k in sorted(order[low:high])]

    def item_at(self, position: int) -> Item | None:
        """The item one of whose mentions covers ``position``, if any."""
        for item in self.items_between(max(0, position - 120), position + 1):
            for mention in item.evidence:
                if mention.start <= position < mention.end:
                    return item
        return None

    def items_between(self, start: int, end: int) -> list[Item]:
        """The items with a mention starting in ``[start, end)``, in the order they were found."""
        low, high = bisect_left(self._starts, start), bisect_left(self._starts, end)
        return [self._ordered[n] for n in sorted(set(self._owners[low:high]))]

    # -- sentences and phrases -------------------------------------------------------------

    def _item(self, kind: str, key: str, name: str) -> Item:
        name, key = " ".join(name.split()), " ".join(key.split())
        found = self.items.get((kind, key))
        if found is None:
            found = Item(kind, name)
            self.items[(kind, key)] = found
        return found


def reference(item: Item, mention: Mention, attribution: str | None = None) -> dict[str, Any]:
    """An item in one of an incident's roles, cited by one of its mentions."""
    ref: dict[str, Any] = {
        "name": item.name,
        "kind": item.kind,
        "evidence": {"start": mention.start, "end": mention.end, "text": mention.text},
    }
    if item.register:
        ref["register_subject"] = item.register["subject_id"]
    if attribution:
        ref["attribution"] = attribution
    return ref


def party_ref(found: list[dict[str, Any]], item: Item, position: int) -> None:
    """Add to an incident's role the item a mention at ``position`` stands for (once), cited
    by that mention."""
    if any(f["name"] == item.name for f in found):
        return
    mention = next((m for m in item.evidence if m.start <= position < m.end), item.evidence[0])
    found.append(reference(item, mention))


def sentence_incident(
    text: str,
    span: tuple[int, int],
    roles: tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]],
    *,
    claimed: bool,
    background: bool,
    read_from: str,
) -> dict[str, Any]:
    """One incident of one sentence, as the Russian and Chinese readers give it: its
    perpetrators, victims and places (``roles``), the attribution they carry."""
    perpetrators, victims, places = roles
    for p in perpetrators:
        p["attribution"] = "claimed" if claimed else "stated"
    start, end = span
    return {
        "type": "attack",
        "date": None,
        "date_expression": None,
        "date_precision": None,
        "places": places,
        "perpetrators": perpetrators,
        "victims": victims,
        "attribution": "claimed" if claimed else "stated" if perpetrators else "unknown",
        "background": background,
        "read_from": read_from,
        "evidence": [{"start": start, "end": end, "text": text[start:end]}],
    }
