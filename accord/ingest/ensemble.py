"""The English ensemble: spaCy's entity recogniser proposes, the rules add and veto.

Rules first (titles, speech, known bodies, the gazetteer, the register), then every name the
model proposes that the rules did not already read is added, unless a rule knows it is not a
name of that kind:
- a headline phrase or an exclamation ("Shot Dead", "Allahu Akbar"): words of ordinary
  English, or a phrase of the exclamations list;
- a person the model saw in a name that is a known place, body or nationality adjective;
- an organisation that is only a head word ("Ministry") or a country standing for its
  government;
- a place that is a facility ("Crocus City Hall" is a target, not a location).
And the other way: a person the rules made from two capitalised words alone, that the model
reads as no person at all, is dropped.
"""

from __future__ import annotations

import re

from accord.ingest.gazetteer import (
    COMMON_CAPITALS,
    DEMONYMS,
    KNOWN_ORGANISATIONS,
    ORG_HEADS,
    ROLE_NOUNS,
    TITLE_WORDS,
)
from accord.ingest.nlp import Proposal, english_entities
from accord.ingest.persons import SPEECH
from accord.ingest.state import Item, ReaderBase
from accord.screening.equivalents import COMMON_GIVEN_NAMES
from accord.screening.normalise import fold

#: Words that head no name although capitalised in headlines ("Shot Dead", "Attack Kills").
_ORDINARY = frozenset(
    "shot dead kill kills killed attack attacks attacked bomb bombs bombing blast blasts "
    "explosion suspect suspects arrest arrested arrests police says said new latest breaking "
    "update live video photos watch report reports news terror terrorist terrorists terrorism "
    "gunman gunmen militant militants dies die wounded injured victims victim death deaths toll "
    "rises claims claim responsibility suicide car truck knife stabbing shooting hostage "
    "hostages siege raid raids jailed sentenced charged court trial faces over after amid "
    "against with without into from year years day days week official officials minister "
    "ministry government state security forces army troops soldiers".split()
)
_EXCLAMATIONS = frozenset({"allahu akbar", "allah akbar", "takbir"})
#: Last words of a site, not a body: an attacked site is a target, never an organisation.
_SITES = frozenset(
    "hall complex church mosque synagogue temple shrine project hotel airport stadium mall "
    "market station square bazaar checkpoint base terminal restaurant cafe club building "
    "hospital bridge road street avenue highway dam plant mine".split()
)
#: Words that are no person's name part: units, places, sites.
_NOT_PERSON = _SITES | frozenset("unit team force forces detachment area residential".split())
#: Words a model may take for an organisation that name a faith, a people or a time zone.
_NOT_BODY = frozenset(
    "muslim muslims islam islamic christian christians jewish jews hindu buddhist sunni shia "
    "shiite turkic arab arabs baluchi baloch pashtun kurdish kurds gmt ist utc msk pst est "
    "interior major covid covid-19 tnt".split()
)
#: Bodies written loosely, in lower case: "the interior ministry", "Khyber Pakhtunkhwa police".
_LOOSE = re.compile(
    r"\b(?:(?:[A-Z][\w’'-]+\s+){0,2})?(?:interior|foreign|defen[cs]e|health|justice|home|"
    r"finance|information|emergencies|emergency|internal affairs)\s+(?:ministry|ministries)\b"
)
_CREDIT = re.compile(r"(?<![\w-])[A-Z][\w/-]*[A-Za-z](?![\w-])")
#: Feasts and seasons a model may read as places.
_FEASTS = frozenset(
    "easter christmas ramadan eid eid al-fitr eid al-adha palm sunday good friday nowruz "
    "new year passover hanukkah diwali".split(" ")
) | {"palm sunday", "good friday", "new year", "eid al-fitr", "eid al-adha"}
_PLACE_BEFORE = frozenset("in near outside inside across".split())
_PLACE_NOUNS = frozenset("village town city district province region area outskirts".split())
#: Endings of surnames across Russian, Central Asian, Caucasian and Turkish usage: an
#: "organisation" of two or three capitalised words ending so is a person's name.
_SURNAME = re.compile(
    r"(?:ov|ev|yev|ova|eva|yeva|in|ina|sky|skiy|skaya|zoda|zade|zada|oglu|ogly|uly|kyzy|"
    r"shvili|dze|yan|ian|enko|uk|chuk)$"
)
_POSSESSIVE = re.compile(r"[’']s$")
_LEADING_THE = re.compile(r"^(?:the|The|THE)\s+")


def _ordinary(text: str) -> bool:
    words = re.findall(r"[A-Za-z]+", text)
    return bool(words) and all(
        w.lower() in _ORDINARY or w.lower() in COMMON_CAPITALS for w in words
    )


class ModelEntities(ReaderBase):
    """The reader's part that adds what the model proposes."""

    def _model_entities(self) -> None:
        proposals = english_entities(self.text, self.kept, self.check_time)
        supported = {(p.start, p.end, p.kind) for p in proposals}
        self._veto_rule_persons(proposals, supported)
        self._veto_rule_places(proposals)
        self._veto_rule_organisations()
        self._person_counts: dict[str, int] = {}
        self._org_counts: dict[str, int] = {}
        for p in proposals:
            counts = {"person": self._person_counts, "organisation": self._org_counts}
            if p.kind in counts:
                counts[p.kind][p.text] = counts[p.kind].get(p.text, 0) + 1
        for proposal in proposals:
            self._propose(proposal)
            self.check_time()
        self._loose_bodies()
        self._credits()

    def _credits(self) -> None:
        """News agencies and outlets credited on lines dropped as chrome ("Image source, AFP",
        "IANS Islamabad", "— Reuters"): they supplied the report or its pictures."""
        for start, end in self.dropped:
            for match in _CREDIT.finditer(self.text, start, end):
                name = match.group()
                canonical = KNOWN_ORGANISATIONS.get(name)
                if (
                    canonical is None
                    or name in ("IS", "UN", "EU", "SCO", "CIS")
                    or self._covered(match.start(), match.end())
                ):
                    continue
                item = self._same_org(canonical) if hasattr(self, "_same_org") else None
                item = item or self._item("organisation", canonical, canonical)
                item.cite(match.start(), match.end(), name)

    def _loose_bodies(self) -> None:
        for start, end in self.kept:
            for match in _LOOSE.finditer(self.text, start, end):
                text = match.group()
                first = text.split()[0]
                if self._covered(match.start(), match.end()) is not None:
                    continue
                if (
                    first.lower() in COMMON_CAPITALS
                    and first[:1].isupper()
                    and len(text.split()) == 2
                ):
                    continue
                item = self._same_org(text) if hasattr(self, "_same_org") else None
                item = item or self._item("organisation", text, text)
                item.cite(match.start(), match.end(), text)
                self.org_spans.append((match.start(), match.end()))

    def _covered(self, start: int, end: int) -> Item | None:
        for item in self.items.values():
            for mention in item.evidence:
                if mention.start < end and start < mention.end:
                    return item
        return None

    def _propose(self, proposal: Proposal) -> None:
        text = _POSSESSIVE.sub("", _LEADING_THE.sub("", proposal.text)).strip(' .,;:"“”')
        if not text or len(text) < 2:
            return
        start = proposal.start + proposal.text.find(text)
        end = start + len(text)
        if self._covered(start, end) is not None:
            return
        if text.lower() in _EXCLAMATIONS or _ordinary(text):
            return
        if proposal.kind in ("person", "organisation") and self._located(text, start):
            self._model_location(text, start, end)  # "in Dasu", "near Pishta Khara"
        elif proposal.kind == "person":
            self._model_person(text, start, end)
        elif proposal.kind == "organisation":
            self._model_organisation(text, start, end)
        elif proposal.kind == "location":
            self._model_location(text, start, end)

    def _located(self, text: str, start: int) -> bool:
        """A name the model calls a person or a body, written where a place is: after "in",
        "near", "outside" or "village of", with no word of a body or a title in it, and not
        a body the node knows ("in Dasu", "near Pishta Khara")."""
        before = self.text[max(0, start - 24) : start].split()
        if not before:
            return False
        last = before[-1].lower()
        if not (
            last in _PLACE_BEFORE
            or (last == "of" and len(before) > 1 and before[-2].lower() in _PLACE_NOUNS)
        ):
            return False
        lower = [w.lower() for w in text.split()]
        if any(w in ORG_HEADS or w in TITLE_WORDS or w in ROLE_NOUNS for w in lower):
            return False
        if text in KNOWN_ORGANISATIONS or text.isupper():
            return False
        return self.linker is None or self.linker(text, len(lower) == 1) is None

    def _model_person(self, text: str, start: int, end: int) -> None:
        words = text.split()
        if text in self.places or text in DEMONYMS or text in KNOWN_ORGANISATIONS:
            return
        if any(w.lower() in ORG_HEADS or w.lower() in _NOT_PERSON for w in words):
            return
        if text.isupper() and len(words) == 1:
            return
        if self.linker is not None and self.linker(text, False) is not None:
            self._model_organisation(text, start, end)  # "al-Shabab": a group of the register
            return
        item = self._same_person(text) if hasattr(self, "_same_person") else None
        if item is None and len(words) == 1:
            # A single word: a part of a person already named, or a person on its own when
            # the sentence says so (a title before, speech after) or the model says so twice.
            for other in self.items.values():
                if other.kind == "person" and text in other.name.split():
                    item = other
                    break
            if item is None and not (
                self._person_counts.get(text, 0) >= 2 or self._personal_context(start, end)
            ):
                return
        item = item or self._item("person", text, text)
        item.cite(start, end, text)
        self.person_spans.append((start, end))

    def _personal_context(self, start: int, end: int) -> bool:
        before = self.text[max(0, start - 30) : start].split()
        after = self.text[end : end + 20].split()
        return bool(
            (before and before[-1].lower().strip(".,") in TITLE_WORDS | ROLE_NOUNS)
            or (after and after[0].strip(".,") in SPEECH)
        )

    def _model_organisation(self, text: str, start: int, end: int) -> None:
        words = text.split()
        lower = [w.lower().strip(".,") for w in words]
        if (
            len(words) == 1
            and not text.isupper()
            and text not in KNOWN_ORGANISATIONS
            and self._org_counts.get(text, 0) < 2
            and not any(c.isdigit() for c in text)
            and text not in self.places
            and _place_form(text) not in self.places
            and (self.linker is None or self.linker(text, True) is None)
        ):
            return  # one ordinary capitalised word, once: too little to call it a body
        if len(words) == 1 and (
            lower[0] in ORG_HEADS
            or lower[0] in _NOT_BODY
            or text in DEMONYMS
            or fold(text.lower()) in COMMON_GIVEN_NAMES
            or any(
                other.kind == "person" and text in other.name.split()
                for other in self.items.values()
            )
        ):
            return
        if _titled_or_site(words, lower):
            return  # "Defense Minister", "Secretary of State Mike Pompeo", "concert hall"
        place = self.places.get(text) or self.places.get(_place_form(text))
        if place is not None and text not in KNOWN_ORGANISATIONS:
            self._model_location(text, start, end)  # "Lyon", "CHOLPON-ATA": a place
            return
        if (
            2 <= len(words) <= 3
            and all(w[:1].isupper() and w[1:].islower() for w in words)
            and not any(w in ORG_HEADS for w in lower)
            and (_SURNAME.search(lower[-1]) or fold(lower[0]) in COMMON_GIVEN_NAMES)
            and self.linker is not None
            and self.linker(text, False) is None
        ):
            self._model_person(text, start, end)  # a list of names read as a body
            return
        if text in self.places and self.places[text].kind == "country":
            return
        linked = self.linker(text, len(words) == 1) if self.linker is not None else None
        if linked is not None:
            item = self._item("organisation", "register:" + str(linked["subject_id"]), text)
            item.register = linked
            item.group = True
        else:
            same = getattr(self, "_same_org", None)
            item = (same(text) if same else None) or self._item("organisation", text, text)
        item.cite(start, end, text)
        self.org_spans.append((start, end))

    def _model_location(self, text: str, start: int, end: int) -> None:
        known = self.places.get(text) or self.places.get(_place_form(text))
        if text in DEMONYMS or text.lower() in _FEASTS:
            return
        item = self._item("location", known.name if known else text, known.name if known else text)
        if known is not None:
            item.country, item.place_kind = known.country, known.kind
        item.cite(start, end, text)

    def _veto_rule_persons(
        self, proposals: list[Proposal], supported: set[tuple[int, int, str]]
    ) -> None:
        """Rule persons the model reads as something else, or as nothing, made of ordinary
        words only (a headline phrase), are dropped before they are shared."""
        spans = [(p.start, p.end, p.kind) for p in proposals]
        for key, item in list(self.items.items()):
            if item.kind != "person":
                continue
            words = [w.lower() for w in item.name.split()]
            if any(w in ORG_HEADS or w in _NOT_PERSON for w in words) or (
                self.linker is not None and self.linker(item.name, False) is not None
            ):
                # "Quds Force", "al-Shabab": a body the rules took for a person.
                del self.items[key]
                for m in item.evidence:
                    self._model_organisation(m.text, m.start, m.end)
                continue
            if item.name in self.places or _place_form(item.name) in self.places:
                del self.items[key]  # "St Petersburg"
                continue
            if item.roles:
                continue
            if any(_ordinary(m.text) or m.text.lower() in _EXCLAMATIONS for m in item.evidence):
                del self.items[key]
                continue
            model_kinds = {
                kind for m in item.evidence for s, e, kind in spans if s < m.end and m.start < e
            }
            if model_kinds and "person" not in model_kinds:
                del self.items[key]

    def _veto_rule_organisations(self) -> None:
        """Bodies the rules read from a head word that are titles or sites ("Regional Police
        Officer", "Police Col"), or a place the gazetteer knows, are not bodies."""
        for key, item in list(self.items.items()):
            if item.kind != "organisation" or item.register is not None:
                continue
            words = item.name.split()
            lower = [w.lower().strip(".,") for w in words]
            if words and _titled_or_site(words, lower):
                del self.items[key]

    def _veto_rule_places(self, proposals: list[Proposal]) -> None:
        """A small town of the gazetteer that the model reads as a body or a person ("Police"
        opening a sentence) is that, not a place."""
        spans = [(p.start, p.end, p.kind) for p in proposals]
        for key, item in list(self.items.items()):
            if item.kind != "location" or item.place_kind == "country":
                continue
            known = self.places.get(item.name)
            if known is not None and known.prominent:
                continue
            kinds = {k for m in item.evidence for s, e, k in spans if s < m.end and m.start < e}
            if kinds and "location" not in kinds and kinds & {"organisation", "person"}:
                del self.items[key]
            elif not kinds and item.name.lower() in _COMMON_WORD_TOWNS:
                del self.items[key]


#: Towns of the gazetteer that are ordinary English words.
_COMMON_WORD_TOWNS = frozenset(
    "police reading mobile bath nice split mark orange independence union victoria "
    "hope liberty progress unity justice security".split()
)


#: Titles police and armies write before names, beside the reader's titles.
_MORE_TITLES = frozenset("superintendent col colonel dg igp ssp sp inspector commissioner".split())


def _titled_or_site(words: list[str], lower: list[str]) -> bool:
    """Whether a phrase read as a body is a title (with or without the person it titles) or
    a site: "Regional Police Officer", "K Police DG", "Bisharo Guest House"."""
    if lower[-1] in _SITES or lower[-1] in ("house", "guesthouse"):
        return True
    titles = [
        n for n, w in enumerate(lower) if w in TITLE_WORDS or w in ROLE_NOUNS or w in _MORE_TITLES
    ]
    if not titles:
        return False
    tail = words[titles[-1] + 1 :]
    named = len(tail) >= 2 and all(
        w[:1].isupper() and w.lower() not in ORG_HEADS for w in tail[-2:]
    )
    return (
        not any(w in ORG_HEADS for w in lower)
        or titles[-1] == len(lower) - 1
        or named  # "Secretary of State Mike Pompeo": a title and the person it titles
        or (
            all(w[:1].isupper() for w in tail)
            and not any(w in ORG_HEADS for w in lower[titles[-1] + 1 :])
        )
    )


def _place_form(text: str) -> str:
    if text.isupper() and len(text) > 3:
        return " ".join(w.capitalize() for w in text.split())
    for short in ("St. ", "St "):
        if text.startswith(short):
            return "Saint " + text[len(short) :]
    return text
