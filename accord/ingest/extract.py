"""Who, what, where and when in an article's kept lines, each with its evidence.

Rule-based and offline: capitalised phrases are split into places (gazetteer), persons
(introduced by a title or role, or speaking), organisations (a word such as Ministry, Front,
Institute; an acronym in brackets; a name of the register) and the rest; incidents are
sentences with an attack word, read for victim, perpetrator, place, date and how sure the
attribution is. Offsets are into ``Document.text``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from accord.ingest import dates
from accord.ingest.gazetteer import (
    COMMON_CAPITALS,
    DEMONYMS,
    FACILITIES,
    KNOWN_ORGANISATIONS,
    ORG_HEADS,
    ROLE_NOUNS,
    TITLE_WORDS,
    country_name,
    places,
)
from accord.screening.normalise import key as name_key
from accord.screening.score import compare

_APOSTROPHES = "'’"
_WORD = re.compile(
    r"(?:St|ST)\.(?=\s[A-Z])|[A-Za-z\u00C0-\u024F][\w\u00C0-\u024F'’\-/]*|\d+|[^\w\s]", re.UNICODE
)
_SENTENCE = re.compile(
    r"(?<!\bSt\.)(?<!\bST\.)(?<!\bMr\.)(?<!\bDr\.)(?<!\bMs\.)(?<!\bGen\.)(?<!\bMrs\.)"
    r"(?<!\bU\.S\.)(?<!\b[A-Z]\.)(?<=[.!?])[\"”’]?\s+(?=[\"“A-Z])"
)
_LOCATIVE = frozenset("in at near from to outside of capital inside across around".split())
_CONNECTORS = frozenset({"of", "al", "el", "bin", "ibn", "de", "the", "for", "and", "ul", "ad"})
SPEECH = frozenset(
    "said says noted stressed explained told added suggested stated warned argued claimed "
    "reported announced emphasized emphasised pointed specified believes believed".split()
)
_ROLE_STOP = frozenset(
    "said says was were is are has have had by and who which that when while after before "
    "with on in".split()
)
_PERSON_CONTEXT = frozenset(
    "killed shot murdered assassinated arrested detained wounded injured".split()
)
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
    r"explosion|blast|killing)\s+(?:\w+\s+){0,2}?(?:on|at|against|into|in|outside)?\s*"
    r"(?:the\s+)?(?:gates?\s+of\s+the\s+)?(?:[A-Z][\w’'.-]*[’']s\s+)?(?:busy\s+|largest\s+)?"
    r"(?P<target>(?:(?:[A-Z][\w’'-]*|a|large|Chinese|Russian|US|U\.S\.)\s+){0,3}"
    rf"{_FACILITY_WORDS}|(?:[A-Z][\w’'-]*\s+){{0,3}}(?:Airport|Hall|Station|Embassy|Metro))\b",
)
_GROUP_VICTIMS = re.compile(
    r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|Twelve|Four|Two)\s+"
    r"(?P<group>(?:(?:U\.S\.|US|foreign|Western|western|Chinese|Russian|Afghan|Kyrgyz|Turkish)"
    r"\s+)?(?:cyclists|tourists|service members|soldiers|troops|police officers|policemen|"
    r"civilians|passengers|diplomats|embassy employees|employees|students|children|"
    r"journalists|hostages))\b"
)
_DATELINE = re.compile(
    r"(?P<place>[A-Z][A-Z.'’ -]{2,}[A-Z]|[A-Z][a-z]+)(?:,\s*[A-Z][A-Za-z]+)?\s*(?:\(|—|–|-|:)"
)
_BACKGROUND = re.compile(
    r"\b(reminded|recalled|recalling|earlier|previous(ly)?|in the past|last year|years? ago|"
    r"back in|former|had been|had carried out|history of|also reminded)\b",
    re.IGNORECASE,
)
_CLAIMED = re.compile(r"\bclaimed (the )?responsibility|\bclaimed the attack", re.IGNORECASE)
_SUSPECTED = re.compile(
    r"\b(suspect(ed)?|believed|allegedly|reportedly|linked to|affiliated with|may have|"
    r"thought to|presumably|accused)\b",
    re.IGNORECASE,
)
_ALIAS = re.compile(
    r"^\s*(?:formerly(?: known)?(?: as)?|also known as|aka|a\.k\.a\.|known as|previously)\s+"
    r"(?P<alias>.+)$",
    re.IGNORECASE,
)
_CLAIM = re.compile(
    r"(?P<claim>(?:outlawed|banned|designated|prohibited|listed)(?: as a terrorist "
    r"organi[sz]ation)?\s+(?:in|by)\s+(?P<where>[A-Z][\w ]+))",
)


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


class Reader:
    """One article read once; ``linker`` finds register subjects for organisation names."""

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
        self.datelines: set[int] = set()

    # -- sentences and phrases -------------------------------------------------------------

    def sentences(self) -> list[tuple[int, int]]:
        found = []
        for start, end in self.kept:
            cursor = start
            for match in _SENTENCE.finditer(self.text, start, end):
                found.append((cursor, match.start()))
                cursor = match.end()
            found.append((cursor, end))
        return found

    def tokens(self, start: int, end: int) -> list[Token]:
        return [Token(m.group(), m.start(), m.end()) for m in _WORD.finditer(self.text, start, end)]

    def runs(self, words: list[Token]) -> list[list[Token]]:
        """Maximal runs of capitalised words, connectors allowed inside."""
        runs: list[list[Token]] = []
        current: list[Token] = []
        for i, word in enumerate(words):
            if word.capital and word.text.lower() not in ("i",):
                current.append(word)
                continue
            following = words[i + 1] if i + 1 < len(words) else None
            if (
                current
                and word.text.lower() in _CONNECTORS
                and following is not None
                and following.capital
            ):
                current.append(word)
                continue
            if current:
                runs.append(current)
            current = []
        if current:
            runs.append(current)
        return [self._trim(run) for run in runs if self._trim(run)]

    @staticmethod
    def _trim(run: list[Token]) -> list[Token]:
        while run and (
            run[0].text.lower() in COMMON_CAPITALS or run[0].text.lower() in _CONNECTORS
        ):
            if run[0].text in DEMONYMS:
                break
            run = run[1:]
        while run and run[-1].text.lower() in _CONNECTORS:
            run = run[:-1]
        return run

    # -- the whole article -----------------------------------------------------------------

    def read(self) -> None:
        for line_start, line_end in self.kept:
            found = _DATELINE.match(self.text, line_start, line_end)
            if found:
                self.datelines.add(found.start("place"))
        spans = self.sentences()
        for start, end in spans:
            words = self.tokens(start, end)
            self.event_dates += dates.event_dates(self.text, start, end, self.anchor)
            for run in self.runs(words):
                self._phrase(run, words)
        # Second pass: a person named once in full is also named by one part of the name.
        for start, end in spans:
            self._later_mentions(self.tokens(start, end))
        for position, (start, end) in enumerate(spans):
            self._incident(start, end, position)

    def _phrase(self, run: list[Token], words: list[Token]) -> None:
        position = words.index(run[0])
        after = words[words.index(run[-1]) + 1] if words.index(run[-1]) + 1 < len(words) else None
        self._parenthetical(run, words)
        i = 0
        while i < len(run):
            # Longest known place starting here.
            place = None
            for j in range(min(len(run), i + 4), i, -1):
                phrase = self._place_name(" ".join(t.bare for t in run[i:j]))
                trailing = run[j - 1].text.lower()
                if phrase in self.places and not (
                    j < len(run) and run[j].text.lower() in ORG_HEADS
                ):
                    place = (j, phrase)
                    break
                if trailing in ("province", "region"):
                    continue
            if place is not None:
                j, phrase = place
                self._place(run[i:j], phrase, words)
                i = j
                continue
            i += 1
        self._known_organisations(run)
        self._organisation(run, after)
        self._person(run, words, position, after)

    def _place_name(self, phrase: str) -> str:
        """The gazetteer's form of a written place: "MOSCOW" -> "Moscow", "St. Petersburg"
        -> "Saint Petersburg"."""
        if phrase in self.places:
            return phrase
        if phrase.isupper() and len(phrase) > 3:
            phrase = " ".join(w.capitalize() if w[:1].isalpha() else w for w in phrase.split())
            phrase = "-".join(p[:1].upper() + p[1:] for p in phrase.split("-"))
        for short in ("St. ", "St "):
            if phrase.startswith(short) and "Saint " + phrase[len(short) :] in self.places:
                return "Saint " + phrase[len(short) :]
        return phrase

    def _place(self, tokens: list[Token], phrase: str, words: list[Token]) -> None:
        known = self.places[phrase]
        if any(s <= tokens[0].start < e for s, e in self.person_spans):
            return
        if known.kind != "country" and not known.prominent:
            before = self._before(words, tokens[0])
            possessive = tokens[-1].text[-2:] in ("'s", "’s") or (
                before is not None and before.text[-2:] in ("'s", "’s")
            )
            following = words[words.index(tokens[-1]) + 1 : words.index(tokens[-1]) + 3]
            located = (before is not None and before.text.lower() in _LOCATIVE) or any(
                w.text.lower() in FACILITIES or w.text.lower() in ("train", "railway", "concert")
                for w in following[:1]
            )
            dateline = before is None and tokens[0].text.isupper()
            if not (possessive or located or dateline):
                return
        start, end = tokens[0].start, tokens[-1].start + len(tokens[-1].bare)
        item = self._item("location", known.name, known.name)
        item.country = known.country
        item.place_kind = known.kind
        item.cite(start, end, self.text[start:end])
        # "Kyrgyzstan’s Bishkek", "Syria’s Idlib province": the city is in the country.
        if known.kind != "country":
            before = self._before(words, tokens[0])
            if before is not None and before.bare in self.places:
                outer = self.places[before.bare]
                if outer.kind == "country":
                    item.country = outer.country

    def _before(self, words: list[Token], token: Token) -> Token | None:
        index = words.index(token)
        return words[index - 1] if index > 0 else None

    # -- organisations ---------------------------------------------------------------------

    def _organisation(self, run: list[Token], after: Token | None) -> None:
        heads = [i for i, t in enumerate(run) if t.bare.lower() in ORG_HEADS]
        name_tokens: list[Token] | None = None
        if heads:
            last = heads[-1]
            end = len(run)
            # "Institute of CIS countries": a lowercase plural closes the name.
            # A person named right after an organisation: "University of Mass Communication
            # Yang Mian said" -- the last two words speak.
            if after is not None and after.text in SPEECH and end - last > 3:
                end -= 2
            first = 0
            while first < last and (
                run[first].text in DEMONYMS
                and first + 1 < last
                and run[first + 1].bare.lower() not in ORG_HEADS
                and False
            ):
                first += 1
            name_tokens = run[first:end]
            # Strip a leading country possessive that is not part of the name.
            if name_tokens and name_tokens[0].text[-2:] in ("'s", "’s") and len(name_tokens) > 1:
                name_tokens = name_tokens[1:]
        start_key = None
        if name_tokens:
            start = name_tokens[0].start
            end_offset = name_tokens[-1].start + len(name_tokens[-1].bare)
            if (
                after is not None
                and after.text in ("countries", "states", "nations", "affairs")
                and after.start == end_offset + 1
            ):
                end_offset = after.end
            name = self.text[start:end_offset]
            if len(name_tokens) == 1 and name_tokens[0].bare.lower() in ORG_HEADS:
                return  # "Ministry" alone
            start_key = (start, end_offset, name)
        linked = self._link(run)
        if linked is not None:
            subject, start, end = linked
            item = self._item(
                "organisation",
                "register:" + str(subject["subject_id"]),
                " ".join(self.text[start:end].split()),
            )
            item.register = subject
            item.group = True
            item.cite(start, end, self.text[start:end])
            self.org_spans.append((start, end))
            return
        if start_key is not None:
            start, end, name = start_key
            if any(s <= start < e for s, e in self.person_spans):
                return
            existing = self._same_org(name)
            item = existing or self._item("organisation", name, name)
            item.cite(start, end, name)
            item.group = item.group or any(
                t.bare.lower()
                in (
                    "movement",
                    "front",
                    "jamaat",
                    "brigade",
                    "brigades",
                    "army",
                    "state",
                    "network",
                )
                for t in name_tokens or []
            )
            self.org_spans.append((start, end))

    def _known_organisations(self, run: list[Token]) -> None:
        """News agencies and international bodies, by the names news writes them with."""
        for token in run:
            canonical = KNOWN_ORGANISATIONS.get(token.bare) or KNOWN_ORGANISATIONS.get(
                token.text.rstrip(".")
            )
            if canonical is None or (token.bare == "IS" and not self._is_group_is(token)):
                continue
            start, end = token.start, token.start + len(token.bare)
            linked = (
                self.linker(canonical, False)
                if self.linker and canonical == ("Islamic State")
                else None
            )
            if linked is not None:
                item = self._item(
                    "organisation", "register:" + str(linked["subject_id"]), canonical
                )
                item.register = linked
                item.group = True
            else:
                item = self._same_org(canonical) or self._item("organisation", canonical, canonical)
                item.group = item.group or canonical == "Islamic State"
            item.cite(start, end, self.text[start:end])
            self.org_spans.append((start, end))

    def _is_group_is(self, token: Token) -> bool:
        """ "IS" is the group only beside words that say so ("IS fighters", "(IS)")."""
        around = self.text[max(0, token.start - 2) : token.end + 12]
        return "(IS)" in around or bool(
            re.match(r"IS\s+(fighters|terrorists|militants|group|attack)", self.text[token.start :])
        )

    def _same_org(self, name: str) -> Item | None:
        folded = name.lower().replace("the ", "")
        for item in self.items.values():
            if item.kind != "organisation":
                continue
            names = {item.name.lower(), *(a.lower() for a in item.aliases)}
            if folded in names or any(compare(name, n).score >= 0.9 for n in names):
                return item
        return None

    def _link(self, run: list[Token]) -> tuple[dict[str, Any], int, int] | None:
        """The register subject a capitalised phrase (or its longest sub-phrase) names."""
        if self.linker is None:
            return None
        for size in range(min(len(run), 7), 0, -1):
            for i in range(len(run) - size + 1):
                part = run[i : i + size]
                exact_only = False
                if size == 1 and not (part[0].text.isupper() and len(part[0].text) >= 3):
                    if len(part[0].bare) < 5:
                        continue  # one short ordinary word says too little
                    exact_only = True  # "Taliban": only as a name the register holds
                if part[0].text.lower() in _CONNECTORS or part[-1].text.lower() in _CONNECTORS:
                    continue
                start, end = part[0].start, part[-1].start + len(part[-1].bare)
                found = self.linker(self.text[start:end], exact_only)
                if found is not None:
                    return found, start, end
        return None

    def _parenthetical(self, run: list[Token], words: list[Token]) -> None:
        """ "X (ACRONYM)", "X (formerly known Y, outlawed in Russia)": aliases and claims."""
        end = run[-1].end
        match = re.match(r"\s*[’']?s?\s*\(([^()]{1,200})\)", self.text[end : end + 220])
        if not match:
            return
        inside_start = end + match.start(1)
        inside = match.group(1)
        name_start = run[0].start
        name = self.text[name_start : run[-1].start + len(run[-1].bare)]
        target = self._link_or_org(run, name)
        if target is None:
            return
        offset = 0
        for part in re.split(r"[,;]", inside):
            part_start = inside_start + offset + (len(part) - len(part.lstrip()))
            offset += len(part) + 1
            clean = part.strip()
            if not clean:
                continue
            if re.fullmatch(r"[A-Z]{2,8}", clean):
                target.cite(part_start, part_start + len(clean), clean)
                if target.register is None and self.linker is not None:
                    # Lists often write "Name (ACRONYM)"; so may the register.
                    found = self.linker(f"{' '.join(name.split())} ({clean})", False)
                    if found is not None:
                        target.register = found
                        target.group = True
                continue
            alias = _ALIAS.match(clean)
            if alias:
                text = alias.group("alias").strip()
                alias_start = part_start + clean.index(text)
                target.cite(alias_start, alias_start + len(text), text)
                continue
            claim = _CLAIM.search(clean)
            if claim:
                where = claim.group("where").strip()
                place = self.places.get(where)
                claim_start = part_start + clean.index(claim.group("claim"))
                self.claim_spans.append((claim_start, claim_start + len(claim.group("claim"))))
                target.claims.append(
                    {
                        "claim": " ".join(claim.group("claim").split()),
                        "jurisdiction": place.country if place else where,
                        "source": "the article",
                        "evidence": {
                            "start": claim_start,
                            "end": claim_start + len(claim.group("claim")),
                            "text": claim.group("claim"),
                        },
                    }
                )

    def _link_or_org(self, run: list[Token], name: str) -> Item | None:
        linked = self._link(run)
        if linked is not None:
            subject, start, end = linked
            item = self._item(
                "organisation",
                "register:" + str(subject["subject_id"]),
                " ".join(self.text[start:end].split()),
            )
            item.register = subject
            item.group = True
            return item
        if any(t.bare.lower() in ORG_HEADS for t in run):
            return self._same_org(name) or self._item("organisation", name, name)
        return None

    # -- persons ---------------------------------------------------------------------------

    def _person(
        self, run: list[Token], words: list[Token], position: int, after: Token | None
    ) -> None:
        # The name: the longest tail of the run made of name-like words.
        tail: list[Token] = []
        for token in reversed(run):
            word = token.bare
            if (
                word.lower() in COMMON_CAPITALS
                or word.lower() in ROLE_NOUNS
                or word in DEMONYMS
                or (word in self.places and self.places[word].kind != "city")
                or word.lower() in ORG_HEADS
                or word.lower() in FACILITIES
                or word.lower() in _CONNECTORS
                or word in KNOWN_ORGANISATIONS
                or word.isupper()
                or token.text[-2:] in ("'s", "’s")
            ):
                break
            tail.insert(0, token)
        if len(tail) > 3 and any(t.text.lower() == "of" for t in run[: len(run) - len(tail)]):
            tail = tail[-2:]
        if not 2 <= len(tail) <= 4:
            return
        head = run[: len(run) - len(tail)]
        speaks = after is not None and after.text in SPEECH
        role = self._role(tail[0], words)
        titled = any(t.bare.lower() in TITLE_WORDS or t.bare.lower() in ROLE_NOUNS for t in head)
        start, end = tail[0].start, tail[-1].end
        name = self.text[start:end]
        if role is None:
            role = self._appositive(tail, words)
        known = speaks or role or titled or self._acted_on(tail, words) or self._from(tail, words)
        if not known and self._same_person(name) is None:
            return  # a pair of capitalised words is a person only in context, or once known
        if any(s <= start < e for s, e in self.org_spans) and not (speaks or role):
            return
        item = self._same_person(name) or self._item("person", name, name)
        item.cite(start, end, name)
        self.person_spans.append((start, end))
        if role:
            if not any(r["role"] == role["role"] for r in item.roles):
                item.roles.append(role)

    def _appositive(self, tail: list[Token], words: list[Token]) -> dict[str, Any] | None:
        """A role set off by commas: "The Governor of the Moscow region, Andrei Vorobyov,"
        or "Meng Jianzhu, head of China’s domestic security,"."""
        first, last = words.index(tail[0]), words.index(tail[-1])
        if first > 0 and words[first - 1].text == ",":
            found = self._role(words[first - 1], words)
            if found is not None:
                return found
        if last + 2 < len(words) and words[last + 1].text == ",":
            phrase: list[Token] = []
            for word in words[last + 2 : last + 14]:
                if word.text in (",", ".", ";", ")"):
                    break
                phrase.append(word)
            if phrase and any(w.bare.lower() in ROLE_NOUNS for w in phrase[:3]):
                start, end = phrase[0].start, phrase[-1].end
                text = self.text[start:end]
                return {
                    "role": " ".join(text.split()),
                    "nationality": next(
                        (DEMONYMS[w.text] for w in phrase if w.text in DEMONYMS), None
                    ),
                    "evidence": {"start": start, "end": end, "text": text},
                }
        return None

    def _from(self, tail: list[Token], words: list[Token]) -> bool:
        """ "Jay Austin ... from the United States": a named person from a country."""
        last = words.index(tail[-1])
        following = [w.text for w in words[last + 1 : last + 5]]
        if not following or following[0] != "from":
            return False
        rest = " ".join(t for t in following[1:] if t.lower() != "the")
        return any(
            rest.startswith(name)
            for name in (
                "United",
                *[
                    p
                    for p in following[1:]
                    if p in self.places and self.places[p].kind == "country"
                ],
            )
        )

    def _acted_on(self, tail: list[Token], words: list[Token]) -> bool:
        index = words.index(tail[-1])
        near = words[index + 1 : index + 4]
        return any(w.text.lower() in _PERSON_CONTEXT for w in near)

    def _role(self, first: Token, words: list[Token]) -> dict[str, Any] | None:
        """The role written before a name: "Russian Ambassador to Turkey", "Deputy Director of
        the Institute of CIS countries", "Turkish off-duty police officer"."""
        index = words.index(first)
        begin = index
        while begin > 0 and index - begin < 14:
            word = words[begin - 1]
            lower = word.text.lower()
            if lower in _ROLE_STOP or (not word.text[0].isalnum() and word.text not in ("-",)):
                break
            if (
                lower in COMMON_CAPITALS
                and lower not in ("the", "of", "at", "to", "for")
                and word.text not in DEMONYMS
            ):
                break
            begin -= 1
        phrase = words[begin:index]
        while phrase and phrase[0].text.lower() in ("the", "of", "at", "to", "for", "a", "an"):
            phrase = phrase[1:]
        if not any(w.bare.lower() in ROLE_NOUNS for w in phrase):
            return None
        start, end = phrase[0].start, phrase[-1].end
        text = self.text[start:end]
        country = next((DEMONYMS[w.text] for w in phrase if w.text in DEMONYMS), None)
        return {
            "role": " ".join(text.split()),
            "nationality": country,
            "evidence": {"start": start, "end": end, "text": text},
        }

    def _same_person(self, name: str) -> Item | None:
        for item in self.items.values():
            if item.kind == "person" and (
                compare(name, item.name, "person").score >= 0.85
                or any(compare(name, a, "person").score >= 0.85 for a in item.aliases)
            ):
                return item
        return None

    def _later_mentions(self, words: list[Token]) -> None:
        persons = [i for i in self.items.values() if i.kind == "person"]
        acronyms = {
            alias: item
            for item in self.items.values()
            if item.kind == "organisation"
            for alias in item.aliases
            if alias.isupper() and 2 <= len(alias) <= 8
        }
        for word in words:
            item = acronyms.get(word.bare)
            if item is not None and not any(m.start == word.start for m in item.evidence):
                item.cite(word.start, word.start + len(word.bare), word.bare)
        for word in words:
            if not word.capital or word.bare.lower() in COMMON_CAPITALS:
                continue
            if any(s <= word.start < e for s, e in self.person_spans):
                continue
            for item in persons:
                parts = item.name.split()
                if len(parts) >= 2 and word.bare in parts:
                    end = word.start + len(word.bare)
                    item.cite(word.start, end, word.bare)
                    self.person_spans.append((word.start, end))
                    break

    # -- incidents -------------------------------------------------------------------------

    def _incident(self, start: int, end: int, position: int) -> None:
        sentence = self.text[start:end]
        lower = sentence.lower()
        kind = None
        for name, words in TRIGGERS.items():
            if any(re.search(rf"\b{re.escape(w)}\b", lower) for w in words):
                kind = name
                break
        if kind is None:
            return
        # Participants from what this sentence names.
        persons = [
            i
            for i in self.items.values()
            if i.kind == "person" and any(start <= m.start < end for m in i.evidence)
        ]
        orgs = [
            i
            for i in self.items.values()
            if i.kind == "organisation" and any(start <= m.start < end for m in i.evidence)
        ]
        locations = [
            i
            for i in self.items.values()
            if i.kind == "location"
            and any(start <= m.start < end and self._where(m) for m in i.evidence)
        ]
        victims: list[dict[str, Any]] = []
        perpetrators: list[dict[str, Any]] = []
        by = re.search(r"\b(?:by|perpetrated by|plotted by|carried out by)\b", lower)
        for person in persons:
            mention = next(m for m in person.evidence if start <= m.start < end)
            relative = mention.start - start
            if by and relative > by.start():
                perpetrators.append(self._ref(person, mention, self._how_sure(lower, relative)))
            elif _VICTIM_AFTER.match(lower[relative + len(mention.text) :]):
                victims.append(self._ref(person, mention))
        for org in orgs:
            mention = next(m for m in org.evidence if start <= m.start < end)
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
                perpetrators.append(self._ref(org, mention, self._how_sure(lower, relative)))
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
                    self._ref(
                        p,
                        next(
                            (m for m in p.evidence if start <= m.start < end and self._where(m)),
                            p.evidence[0],
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

    def _nearby_places(self, start: int, end: int) -> list[Item]:
        """Where an incident whose sentence names no place happened: a place named as such
        in its paragraph. (A dateline says where the report was written, not the event.)"""
        line = next(((s, e) for s, e in self.kept if s <= start < e), (start, end))
        near = [
            i
            for i in self.items.values()
            if i.kind == "location"
            and i.place_kind != "country"
            and any(line[0] <= m.start < line[1] and self._where(m) for m in i.evidence)
        ]
        if near:
            return near[:2]
        return [
            i
            for i in self.items.values()
            if i.kind == "location" and any(m.start in self.datelines for m in i.evidence)
        ][:1]

    def _where(self, mention: Mention) -> bool:
        """Whether a place is named as where something happened ("in Ankara", "in
        Kyrgyzstan’s Bishkek"), not in a role ("Ambassador to Turkey") or a claim of a
        designation ("outlawed in Russia")."""
        if any(s <= mention.start < e for s, e in self.claim_spans):
            return False
        before = self.text[max(0, mention.start - 40) : mention.start].lower().split()
        if not before:
            return False
        where = ("in", "at", "near", "outside", "inside", "capital", "on")
        if before[-1] in where or (before[-1] == "the" and len(before) > 1 and before[-2] in where):
            return True
        if (
            before[-1] == "of"
            and len(before) > 1
            and before[-2]
            in ("capital", "outskirts", "centre", "center", "suburbs", "suburb", "city")
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

    @staticmethod
    def _ref(item: Item, mention: Mention, attribution: str | None = None) -> dict[str, Any]:
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

    # -- items -----------------------------------------------------------------------------

    def _item(self, kind: str, key: str, name: str) -> Item:
        name, key = " ".join(name.split()), " ".join(key.split())
        found = self.items.get((kind, key))
        if found is None:
            found = Item(kind, name)
            self.items[(kind, key)] = found
        return found

    def result(self) -> dict[str, list[dict[str, Any]]]:
        def evidence(item: Item) -> list[dict[str, Any]]:
            return [
                {"start": m.start, "end": m.end, "text": m.text}
                for m in sorted(item.evidence, key=lambda m: m.start)
            ]

        persons, organisations, locations = [], [], []
        for item in sorted(
            self.items.values(), key=lambda i: min((m.start for m in i.evidence), default=0)
        ):
            base = {
                "name": item.name,
                "aliases": sorted(item.aliases - {item.name}),
                "evidence": evidence(item),
            }
            if item.kind == "person":
                persons.append({**base, "roles": item.roles})
            elif item.kind == "organisation":
                organisations.append(
                    {
                        **base,
                        "kind": "group" if item.group else "organisation",
                        "register_subject": item.register,
                        "claims": item.claims,
                    }
                )
            else:
                locations.append(
                    {
                        **base,
                        "type": item.place_kind,
                        "country": item.country,
                        "country_name": country_name(item.country),
                    }
                )
        return {"persons": persons, "organisations": organisations, "locations": locations}


def register_linker(index: Any, threshold: float = 0.85) -> Any:
    """A function from a phrase to the register subject it names (or None), by the key of
    every register name first (exact after folding) and screening for the rest."""
    from accord.screening.service import Query, screen

    keys: dict[str, int] = {}
    for entry in index.entries.values():
        keys.setdefault(name_key(entry.name), entry.subject_id)
    cache: dict[str, dict[str, Any] | None] = {}

    def link(phrase: str, exact_only: bool = False) -> dict[str, Any] | None:
        if exact_only:
            subject_id = keys.get(name_key(phrase))
            if subject_id is None or subject_id not in index.subjects:
                return None
        if phrase in cache:
            return cache[phrase]
        found: dict[str, Any] | None = None
        subject_id = keys.get(name_key(phrase))
        if subject_id is not None and subject_id in index.subjects:
            subject = index.subjects[subject_id]
            found = {
                "subject_id": subject_id,
                "name": subject.name,
                "references": sorted(subject.references),
                "score": 1.0,
                "matched_name": phrase,
            }
        elif len(phrase.split()) >= 2:
            matches = screen(
                index, Query("ingest", phrase, "Organization"), threshold=threshold, limit=1
            )["matches"]
            if matches and matches[0]["match"]:
                best = matches[0]
                found = {
                    "subject_id": best["subject_id"],
                    "name": best["name"],
                    "references": best["references"],
                    "score": best["score"],
                    "matched_name": best["matched_name"],
                }
        cache[phrase] = found
        return found

    return link
