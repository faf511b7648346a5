"""Who, what, where and when in an article's kept lines, each with its evidence.

Rule-based and offline: capitalised phrases are split into places (gazetteer), persons
(introduced by a title or role, or speaking), organisations (a word such as Ministry, Front,
Institute; an acronym in brackets; a name of the register) and the rest; incidents are
sentences with an attack word, read for victim, perpetrator, place, date and how sure the
attribution is. Offsets are into ``Document.text``.
"""

from __future__ import annotations

import re
from typing import Any

from accord.ingest import dates
from accord.ingest.ensemble import ModelEntities
from accord.ingest.gazetteer import (
    COMMON_CAPITALS,
    DEMONYMS,
    FACILITIES,
    KNOWN_GROUPS,
    KNOWN_ORGANISATIONS,
    ORG_HEADS,
    country_name,
)
from accord.ingest.incidents import Incidents
from accord.ingest.persons import SPEECH, Persons
from accord.ingest.roles import StructuredIncidents
from accord.ingest.state import Item, Token, similar
from accord.screening.normalise import key as name_key

_WORD = re.compile(
    r"(?:St|ST)\.(?=\s[A-Z])|[A-Za-z\u00C0-\u024F][\w\u00C0-\u024F'’\-/]*|\d+|[^\w\s]", re.UNICODE
)
_SENTENCE = re.compile(
    r"(?<!\bSt\.)(?<!\bST\.)(?<!\bMr\.)(?<!\bDr\.)(?<!\bMs\.)(?<!\bGen\.)(?<!\bMrs\.)"
    r"(?<!\bU\.S\.)(?<!\b[A-Z]\.)(?<=[.!?])[\"”’]?\s+(?=[\"“A-Z])"
)
_LOCATIVE = frozenset("in at near from to outside of capital inside across around".split())
_CONNECTORS = frozenset({"of", "al", "el", "bin", "ibn", "de", "the", "for", "and", "ul", "ad"})
_ALIAS = re.compile(
    r"^\s*(?:formerly(?: known)?(?: as)?|also known as|aka|a\.k\.a\.|known as|previously)\s+"
    r"(?P<alias>.+)$",
    re.IGNORECASE,
)
_CLAIM = re.compile(
    r"(?P<claim>(?:outlawed|banned|designated|prohibited|listed)(?: as a terrorist "
    r"organi[sz]ation)?\s+(?:in|by)\s+(?P<where>[A-Z][\w ]+))",
)


class Reader(Persons, Incidents, ModelEntities, StructuredIncidents):
    """One article read once; ``linker`` finds register subjects for organisation names."""

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
        return [trimmed for run in runs if (trimmed := self._trim(run))]

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
        spans = self.sentences()
        sentence_words = []  # each sentence's words, read once for both passes
        for start, end in spans:
            words = self.tokens(start, end)
            sentence_words.append(words)
            self.event_dates += dates.event_dates(self.text, start, end, self.anchor)
            for run in self.runs(words):
                self._phrase(run, words)
            self.check_time()
        if self.models:
            self._model_entities()
        # Second pass: a person named once in full is also named by one part of the name.
        for words in sentence_words:
            self._later_mentions(words)
            self.check_time()
        self.index_mentions()
        for position, (start, end) in enumerate(spans):
            self._incident(start, end, position)
            self.check_time()
        if self.models:
            self._structured_incidents(spans)

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
        if self.person_spans.covers(tokens[0].start):
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
            name_tokens = run[:end]
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
            item = self._register_item(*linked)
            item.cite(linked[1], linked[2], self.text[linked[1] : linked[2]])
            self.org_spans.append((linked[1], linked[2]))
            return
        if start_key is not None:
            start, end, name = start_key
            if self.person_spans.covers(start):
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
            written = token.bare.strip("/.")
            canonical = KNOWN_ORGANISATIONS.get(written) or KNOWN_ORGANISATIONS.get(
                token.text.rstrip(".")
            )
            if canonical is None or (token.bare == "IS" and not self._is_group_is(token)):
                continue
            start = token.start + token.text.index(written)  # "/TASS/": the name inside
            end = start + len(written)
            group = canonical in KNOWN_GROUPS
            linked = self.linker(canonical, False) if self.linker and group else None
            if linked is not None:
                item = self._item(
                    "organisation", "register:" + str(linked["subject_id"]), canonical
                )
                item.register = linked
                item.group = True
            else:
                item = self._same_org(canonical) or self._item("organisation", canonical, canonical)
                item.group = item.group or group
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
            if folded in names or any(similar(name, n) >= 0.9 for n in names):
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

    def _register_item(self, subject: dict[str, Any], start: int, end: int) -> Item:
        """The group a register subject is, named as the article writes it."""
        item = self._item(
            "organisation",
            "register:" + str(subject["subject_id"]),
            " ".join(self.text[start:end].split()),
        )
        item.register = subject
        item.group = True
        return item

    def _link_or_org(self, run: list[Token], name: str) -> Item | None:
        linked = self._link(run)
        if linked is not None:
            return self._register_item(*linked)
        if any(t.bare.lower() in ORG_HEADS for t in run):
            return self._same_org(name) or self._item("organisation", name, name)
        return None

    # -- items -----------------------------------------------------------------------------

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
    every register name first (exact after folding) and screening for the rest. Only the
    register's organisations are linked: the phrases are organisation names, and a person
    of the register who shares a name with one is a lead for screening, not a group."""
    from accord.screening.service import Query, screen

    def organisation(subject_id: int) -> bool:
        subject = index.subjects.get(subject_id)
        return subject is not None and subject.kind != "person"

    keys: dict[str, int] = {}
    for entry in index.entries.values():
        if organisation(entry.subject_id):
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
        elif len(phrase.split()) >= 2 or (not phrase.isascii() and len(phrase) >= 3):
            # Several words, or a name in a script that writes none apart (东伊运).
            matches = screen(
                index, Query("ingest", phrase, "Organization"), threshold=threshold, limit=3
            )["matches"]
            groups = [m for m in matches if m["match"] and organisation(m["subject_id"])]
            if groups:
                best = groups[0]
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
