"""Incidents in an article: each sentence with an attack word, read for its type, date,
places, perpetrators (named, or as the article words them), victims or targets, how sure the
attribution is, and whether it is an older event the article recalls."""

from __future__ import annotations

import re
from typing import Any

from accord.ingest.state import Item, Mention, ReaderBase, reference

TRIGGERS = {
    "assassination": ("assassinated", "assassination"),
    "killing": ("killed", "murdered", "shot dead", "killing of", "stabbed to death"),
    "ramming attack": ("ramming attack", "rammed", "ramming"),
    "bombing": (
        "bombing",
        "bomb",
        "explosion",
        "blast",
        "suicide bomber",
        "car bomb",
        "explosive",
    ),
    "shooting": ("shooting", "opened fire", "gunmen", "gunman"),
    "hostage taking": ("hostage", "hostages", "kidnapped", "abducted"),
    "stabbing": ("stabbing", "stabbed"),
    "plot": ("plot", "plotted", "planned attack", "foiled"),
    "attack": ("attack", "attacked", "assault", "raid"),
}
#: Each kind of incident and one pattern for its words, in the order they are tried.
_TRIGGER_WORDS = tuple(
    (name, re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b"))
    for name, words in TRIGGERS.items()
)
_VICTIM_AFTER = re.compile(
    r"(?:\s*,[^,]{0,60},)?\s+(?:was|were|had been|has been)\s+(?:shot\s+(?:and\s+)?)?"
    r"(?:killed|shot|murdered|assassinated|wounded|injured|stabbed)\b"
)
_BLAME_BEFORE = (
    r"\b(by|linked to|affiliated with|plotted by|perpetrated by|claimed|blamed on|blamed|"
    r"pointed to|assessed to (?:be|have been) with|responsible were|behind)\b"
)
_UNNAMED = re.compile(
    r"\b(?P<who>(?:[Ss]uicide\s+(?:car\s+)?(?:bombers?|attackers?))|[Gg]unm[ae]n|"
    r"[Aa]ttackers?|[Aa]ssailants?|(?<=IS )terrorists|(?<=IS )fighters)\b"
)
_FACILITY_WORDS = (
    r"(?:embassy|consulate|concert hall|hall|airport|train station|railway station|station|"
    r"metro|subway|school|hotel|mosque|church|synagogue|market|gallery|base|checkpoint|"
    r"stadium|theatre|theater|mall|terminal|compound)"
)
_TARGETS = re.compile(
    r"\b(?:attack(?:s|ed)?|assault(?:ed)?|bomb(?:ing|ed)?|rammed|stormed|struck|targeted|"
    r"explosion|blast|killing|killed|exploded|burst)\s+(?:\w+\s+){0,5}?"
    r"(?:on|at|against|into|in|outside|in front of)?\s*"
    r"(?:the\s+|a\s+)?(?:gates?\s+of\s+the\s+)?(?:[A-Z][\w’'.-]*[’']s\s+)?"
    r"(?:busy\s+|largest\s+)?"
    r"(?P<target>(?:(?:[A-Z][\w’'-]*|large|Chinese|Russian|US|U\.S\.)\s+){0,3}"
    rf"{_FACILITY_WORDS}|(?:[A-Z][\w’'-]*\s+){{0,3}}(?:Airport|Hall|Station|Embassy|Metro))\b",
)
_GROUP_VICTIMS = re.compile(
    r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|Twelve|Four|Two)\s+"
    r"(?P<group>(?:(?:U\.S\.|US|foreign|Western|western|Chinese|Russian|Afghan|Kyrgyz|Turkish)"
    r"\s+)?(?:cyclists|tourists|service members|soldiers|troops|police officers|policemen|"
    r"civilians|passengers|diplomats|embassy employees|employees|students|children|"
    r"journalists|hostages))\b"
)
_BACKGROUND = re.compile(
    r"\b(reminded|recalled|recalling|earlier|previous(ly)?|in the past|last year|years? ago|"
    r"back in|had been|had carried out|history of|also reminded)\b",
    re.IGNORECASE,
)
#: A place named as where someone came from or went, or as a distance's mark, is not where
#: the attack was: "from the federal capital Islamabad", "20 km from the capital of Magas",
#: "south of the capital Dushanbe".
_AWAY = re.compile(
    r"\b(?:from|to|towards?|(?:north|south|east|west)(?:-?(?:east|west))?(?:ern)? of)"
    r"(?: the| a)?(?: [\w’'-]+){0,2} (?:capital|city|town)(?: of)?$|"
    r"\b(?:km|kms|kilometres|kilometers|miles|mi)\)? (?:\w+ )?(?:from|of)(?: the)?"
    r"(?: [\w’'-]+){0,3}$"
)
_CLAIMED = re.compile(r"\bclaimed (the )?responsibility|\bclaimed the attack", re.IGNORECASE)
_SUSPECTED = re.compile(
    r"\b(suspect(ed)?|believed|allegedly|reportedly|linked to|affiliated with|may have|"
    r"thought to|presumably|accused)\b",
    re.IGNORECASE,
)


class Incidents(ReaderBase):
    """The reader's part that finds incidents."""

    def _incident(self, start: int, end: int, position: int) -> None:
        sentence = self.text[start:end]
        lower = sentence.lower()
        kind = next((name for name, words in _TRIGGER_WORDS if words.search(lower)), None)
        if kind is None:
            return
        # Participants from what this sentence names.
        persons = [i for i in self.items_between(start, end) if i.kind == "person"]
        orgs = [i for i in self.items_between(start, end) if i.kind == "organisation"]
        locations = [
            i
            for i in self.items_between(start, end)
            if i.kind == "location"
            and any(self._where(m) for m in self.mentions_between(i, start, end))
        ]
        victims: list[dict[str, Any]] = []
        perpetrators: list[dict[str, Any]] = []
        by = re.search(r"\b(?:by|perpetrated by|plotted by|carried out by)\b", lower)
        for person in persons:
            mention = self.mentions_between(person, start, end)[0]
            relative = mention.start - start
            if by and relative > by.start():
                perpetrators.append(reference(person, mention, self._how_sure(lower, relative)))
            elif _VICTIM_AFTER.match(lower[relative + len(mention.text) :]):
                victims.append(reference(person, mention))
        for org in orgs:
            mention = self.mentions_between(org, start, end)[0]
            relative = mention.start - start
            window = lower[max(0, relative - 60) : relative]
            after_name = lower[relative + len(mention.text) : relative + len(mention.text) + 60]
            if (
                re.search(_BLAME_BEFORE, window)
                or re.match(
                    r"\s*(\(\w+\)\s*)?(group\s+|terrorists\s+|fighters\s+)?"
                    r"(has |had )?claimed",
                    after_name,
                )
                or (org.group and not re.search(r"\b(said|told|reported)\b", after_name[:20]))
            ):
                perpetrators.append(reference(org, mention, self._how_sure(lower, relative)))
        for found in _UNNAMED.finditer(sentence):
            text = found.group("who")
            if any(p["name"].lower() == text.lower() for p in perpetrators):
                continue
            before = lower[: found.start()]
            perpetrators.append(
                {
                    "name": text,
                    "kind": "unnamed",
                    "attribution": "suspected" if "suspected" in before[-30:] else "stated",
                    "evidence": {
                        "start": start + found.start("who"),
                        "end": start + found.end("who"),
                        "text": text,
                    },
                }
            )
        for found in _TARGETS.finditer(sentence):
            text = re.sub(r"^(?:a|an|the)\s+", "", found.group("target").strip())
            if any(v["name"] == text for v in victims):
                continue
            victims.append(
                {
                    "name": text,
                    "kind": "target",
                    "evidence": {
                        "start": start + found.end("target") - len(text),
                        "end": start + found.end("target"),
                        "text": text,
                    },
                }
            )
            break
        for found in _GROUP_VICTIMS.finditer(sentence):
            text = found.group("group")
            if not any(text in v["name"] for v in victims):
                victims.append(
                    {
                        "name": text,
                        "kind": "people",
                        "evidence": {
                            "start": start + found.start("group"),
                            "end": start + found.end("group"),
                            "text": text,
                        },
                    }
                )
        if not locations:
            locations = self._nearby_places(start, end)
        locations += self._countries_after(locations, start, end)
        if not (victims or perpetrators or locations):
            return  # "the attack" again, or attacks in general: nothing new to record
        if not victims and not perpetrators and re.search(r"\bthe attack\b", lower):
            return
        found_dates = [d for d in self.event_dates if start <= d.start < end]
        date = found_dates[0] if found_dates else None
        # The incident's attribution: as sure as its named perpetrators are.
        named = [p["attribution"] for p in perpetrators if p["kind"] != "unnamed"] or [
            p["attribution"] for p in perpetrators
        ]
        if _CLAIMED.search(sentence) or "claimed" in named:
            attribution = "claimed"
        elif "suspected" in named or (not named and _SUSPECTED.search(sentence)):
            attribution = "suspected"
        elif named:
            attribution = "stated"
        else:
            attribution = "unknown"
        background = bool(_BACKGROUND.search(sentence))
        self.incidents.append(
            {
                "type": kind,
                "date": date.date.isoformat() if date and date.date else None,
                "date_expression": date.expression if date else None,
                "date_precision": date.precision if date else None,
                **({"date_note": date.note} if date and date.note else {}),
                "places": [
                    reference(
                        p,
                        next(
                            (m for m in self.mentions_between(p, start, end) if self._where(m)),
                            next(iter(self.mentions_between(p, start, end)), p.evidence[0]),
                        ),
                    )
                    for p in locations
                ],
                "perpetrators": perpetrators,
                "victims": victims,
                "attribution": attribution,
                "background": background,
                "evidence": [{"start": start, "end": end, "text": sentence}],
            }
        )

    def _countries_after(self, found: list[Item], start: int, end: int) -> list[Item]:
        """ "in Moscow, Russia": the country written right after a city is a place too."""
        extra: list[Item] = []
        countries = [
            i
            for i in self.items.values()
            if i.kind == "location" and i.place_kind == "country" and i not in found
        ]
        for place in found:
            for mention in self.mentions_between(place, start, end):
                comma = re.match(r"\s*,\s*", self.text[mention.end : mention.end + 40])
                if comma is None:
                    continue
                at = mention.end + comma.end()  # where the country would start
                extra += [
                    country
                    for country in countries
                    if country not in extra and at in country.cited_starts
                ]
        return extra

    def _nearby_places(self, start: int, end: int) -> list[Item]:
        """Where an incident whose sentence names no place happened: a place named as such
        in its paragraph. (A dateline says where the report was written, not the event.)"""
        line = next(((s, e) for s, e in self.kept if s <= start < e), (start, end))
        near = [
            i
            for i in self.items_between(line[0], line[1])
            if i.kind == "location"
            and i.place_kind != "country"
            and any(self._where(m) for m in self.mentions_between(i, line[0], line[1]))
        ]
        return near[:2]

    def _where(self, mention: Mention) -> bool:
        """Whether a place is named as where something happened ("in Ankara", "in
        Kyrgyzstan’s Bishkek"), not in a role ("Ambassador to Turkey") or a claim of a
        designation ("outlawed in Russia")."""
        if self.claim_spans.covers(mention.start):
            return False
        before = self.text[max(0, mention.start - 60) : mention.start].lower().split()
        if not before:
            return False
        if _AWAY.search(" ".join(before[-6:])):
            return False  # "on their way from the capital Islamabad", "20 km from X"
        where = ("in", "at", "near", "outside", "inside", "capital", "on", "across", "throughout")
        if before[-1] in where or (before[-1] == "the" and len(before) > 1 and before[-2] in where):
            return True
        if (
            before[-1] == "of"
            and len(before) > 1
            and before[-2]
            in ("capital", "outskirts", "centre", "center", "suburbs", "suburb", "city", "town")
        ):
            return True
        return len(before) >= 2 and before[-1][-2:] in ("'s", "’s") and before[-2] in where

    @staticmethod
    def _how_sure(lower: str, relative: int) -> str:
        """claimed, suspected or stated: what the words before a perpetrator say."""
        window = lower[max(0, relative - 80) : relative]
        if _CLAIMED.search(lower[relative : relative + 80]):
            return "claimed"
        if _SUSPECTED.search(window):
            return "suspected"
        return "stated"
