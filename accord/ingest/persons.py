"""Persons in an article: a name introduced by a title or role, speaking, set off by
commas with a role, acted on, or "from" a country; variants of one name are one person."""

from __future__ import annotations

from typing import Any

from accord.ingest.gazetteer import (
    COMMON_CAPITALS,
    DEMONYMS,
    FACILITIES,
    KNOWN_ORGANISATIONS,
    ORG_HEADS,
    ROLE_NOUNS,
    TITLE_WORDS,
)
from accord.ingest.state import Item, ReaderBase, Token, similar

SPEECH = frozenset(
    "said says noted stressed explained told added suggested stated warned argued claimed "
    "reported announced emphasized emphasised pointed specified believes believed".split()
)
_CONNECTORS = frozenset({"of", "al", "el", "bin", "ibn", "de", "the", "for", "and", "ul", "ad"})
_ROLE_STOP = frozenset(
    "said says was were is are has have had by and who which that when while after before "
    "with on in".split()
)
_PERSON_CONTEXT = frozenset(
    "killed shot murdered assassinated arrested detained wounded injured".split()
)


class Persons(ReaderBase):
    """The reader's part that finds persons and their roles."""

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
        if self.org_spans.covers(start) and not (speaks or role):
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
        rest = [t for t in following[1:] if t.lower() != "the"]
        for size in (1, 2, 3):
            place = self.places.get(" ".join(rest[:size]))
            if place is not None and place.kind == "country":
                return True
        return rest[:1] == ["United"]  # "the United Arab Emirates", cut short

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
                similar(name, item.name, "person") >= 0.85
                or any(similar(name, a, "person") >= 0.85 for a in item.aliases)
            ):
                return item
        return None

    def _later_mentions(self, words: list[Token]) -> None:
        # Each person with the parts of its name (citing a mention never renames an item).
        persons = [(i, i.name.split()) for i in self.items.values() if i.kind == "person"]
        acronyms = {
            alias: item
            for item in self.items.values()
            if item.kind == "organisation"
            for alias in item.aliases
            if alias.isupper() and 2 <= len(alias) <= 8
        }
        for word in words:
            item = acronyms.get(word.bare)
            if item is not None and word.start not in item.cited_starts:
                item.cite(word.start, word.start + len(word.bare), word.bare)
        for word in words:
            if not word.capital or word.bare.lower() in COMMON_CAPITALS:
                continue
            if self.person_spans.covers(word.start):
                continue
            for item, parts in persons:
                if len(parts) >= 2 and word.bare in parts:
                    end = word.start + len(word.bare)
                    item.cite(word.start, end, word.bare)
                    self.person_spans.append((word.start, end))
                    break

    # -- incidents -------------------------------------------------------------------------
