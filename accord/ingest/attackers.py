"""Who the attacker was, and where, when the attack sentence does not say (English): read
from the structure of the sentences around it.

- **An attacker named later**: "Police identified the attacker as X", "the suspected killer
  was named by the authorities as X", "identified the attacker with a single name, X": the
  verb *identify* or *name* whose object (or passive subject) is an attacker noun, and the
  person its "as" phrase or an apposition names. X joins the perpetrators of the attack the
  article reported last before that sentence; with no such attack (an arrest report) X is
  no perpetrator.
- **An attacker arrested for the act**: "arrested a man on suspicion of ramming a truck into
  crowds", "a man suspected of stabbing", "charged with bombing": the one arrested, charged
  or suspected is the agent of the attack verb, as a suspected perpetrator.
- **A dateline**: "KARABULAK, Russia (Reuters) - A suicide bomber killed two policemen": an
  attack reported in the dateline's own sentence that names no town happened where the
  dateline says.
"""

from __future__ import annotations

import re
from typing import Any

from accord.ingest.parse import ATTACKERS, CHEAP, LEMMAS, group_words, lemma, pos
from accord.ingest.state import Item, ReaderBase, party_ref

#: Verbs that give an attacker's name.
NAMING = frozenset("identify identified identifies identifying name named names naming".split())
#: Nouns for an attacker besides :data:`~accord.ingest.parse.ATTACKERS`.
ATTACKER_NOUNS = ATTACKERS | frozenset("killer killers bomber bombers stabber driver".split())
#: Every form of those nouns (what :func:`lemma` brings to one of them).
ATTACKER_FORMS = frozenset(
    {form for form, word in LEMMAS.items() if word in ATTACKER_NOUNS} | ATTACKER_NOUNS
)
_LETTERS = re.compile(r"[A-Za-z]+")


def may_name(sentence: str) -> bool:
    """Whether a sentence may name an attacker (a cheap test before the parse): a naming
    verb and an attacker noun among its words."""
    if CHEAP.search(sentence) is None:
        return False
    words = {w.lower() for w in _LETTERS.findall(sentence)}
    return not (words.isdisjoint(NAMING) or words.isdisjoint(ATTACKER_FORMS))


#: What those arrested for an attack are arrested, charged or suspected with.
ACCUSING = re.compile(r"^(?:arrest|detain|charg|accus|suspect|held|hold|apprehend|captur)")

#: A dateline opening a paragraph: a place in capitals, perhaps its country, a date, the
#: agency, then a dash or a colon ("VIENNA, Nov 3 —", "KARABULAK, Russia (Reuters) -",
#: "PESHAWAR:").
_DATELINE = re.compile(
    r"(?P<place>[A-Z][A-Z.'’\- ]*[A-Z])(?:,\s+[A-Z][\w.'’ ]{1,30}?)?"
    r"(?:,?\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2})?\s*(?:\([^)\n]{1,40}\))?\s*[-—–:]\s"
)


_GROUP_NOUN = re.compile(r"\b(?:group|organi[sz]ation|network|movement)$", re.IGNORECASE)

#: What follows a group's name when a person only sympathised with it.
ADMIRERS = re.compile(
    r"[\s-]*(?:group\s+|'s\s+|’s\s+)?(?:supporters?|sympathi[sz]ers?|followers?|admirers?|"
    r"inspired|loyalists?)\b"
)

#: Words for an attacker that say nothing of the weapon ("the attacker", "the assailants").
_GENERIC_ATTACKER = re.compile(r"(?:the )?(?:attackers?|assailants?|perpetrators?)")


def _attacker_kind(name: str) -> str:
    """Which unnamed party a wording names: a bomber (also "a suicide attacker"), or
    attackers of any other kind."""
    lower = name.lower()
    return "bomber" if "bomb" in lower or "suicide" in lower else "attackers"


def accused_of(verb: Any) -> list[Any]:
    """Who is arrested, charged or suspected of the act a gerund names ("arrested a man on
    suspicion of ramming", "a man suspected of stabbing", "was charged with bombing")."""
    if verb.dep_ != "pcomp" or verb.head.dep_ != "prep":
        return []
    governor = verb.head.head
    if governor.lower_ == "suspicion" and governor.head.dep_ == "prep":
        governor = governor.head.head  # "arrested X on suspicion of ramming"
    if not ACCUSING.match(governor.lower_):
        return []
    found = [c for c in governor.children if c.dep_ in ("dobj", "nsubjpass")]
    if not found and governor.dep_ == "acl":
        found = [governor.head]  # "a man suspected of stabbing"
    return found


class Attackers(ReaderBase):
    """The reader's part that names attackers after the fact and places by the dateline."""

    def _identified_attacker(self, doc: Any, offset: int) -> list[Item]:
        """The persons a sentence names as the attacker ("identified the attacker as X")."""
        found: list[Item] = []
        for verb in doc:
            if verb.lower_ not in NAMING or pos(verb) != "VERB":
                continue
            attackers = [
                c
                for c in verb.children
                if c.dep_ in ("dobj", "nsubjpass") and lemma(c) in ATTACKER_NOUNS
            ]
            if not attackers:
                continue
            named = [
                g
                for c in verb.children
                if c.dep_ == "prep" and c.lower_ in ("as", "with")
                for g in c.subtree
            ]
            named += [
                t for a in attackers for c in a.children if c.dep_ == "appos" for t in c.subtree
            ]
            for token in named:
                item = self.item_at(offset + token.idx)
                if item is not None and item.kind == "person" and item not in found:
                    found.append(item)
        return found

    def _name_attackers(self, named: list[Item], start: int) -> None:
        """Add the persons named as the attacker to the article's last attack before them."""
        before = [
            i for i in self.incidents if i["evidence"][0]["start"] < start and not i["background"]
        ]
        if not before:
            return
        incident = before[-1]
        for item in named:
            mention = next((m for m in item.evidence if m.start >= start), item.evidence[0])
            party_ref(incident["perpetrators"], item, mention.start)
            for ref in incident["perpetrators"]:
                if ref["name"] == item.name:
                    ref.setdefault("attribution", "stated")

    def _dateline_places(self) -> None:
        """An attack the dateline's own sentence reports, naming no place: the dateline's.
        (Where the sentence names one, even a country, the dateline says only where the
        report was written: "PARIS – ... in a school in northern France".)"""
        for incident in self.incidents:
            start, end = incident["evidence"][0]["start"], incident["evidence"][0]["end"]
            line = next((s for s, e in self.kept if s <= start < e), None)
            found = None if line is None else _DATELINE.match(self.text, line)
            if found is None or not (start <= found.end() <= end):
                continue  # no dateline, or one of another sentence
            item = self.item_at(found.start("place"))
            if item is None or item.kind != "location" or item.place_kind == "country":
                continue
            if not incident["places"]:
                party_ref(incident["places"], item, found.start("place"))

    def _group_at(self, position: int) -> Item | None:
        """The armed group a mention at ``position`` names, if any."""
        item = self.item_at(position)
        if item is None or item.kind != "organisation":
            return None
        return item if item.group or group_words(item.name) else None

    def _attackers_of_named_groups(self) -> None:
        """Unnamed attackers written right after a group's name ("IS fighters", "Boko Haram
        militants") are that group, not a party of their own; so is "the (extremist) group"
        beside a group the sentence names."""
        for incident in self.incidents:
            kept: list[dict[str, Any]] = []
            named = any(r["kind"] == "organisation" for r in incident["perpetrators"])
            for ref in incident["perpetrators"]:
                if named and ref["kind"] == "unnamed" and _GROUP_NOUN.search(ref["name"]):
                    continue
                start = ref["evidence"]["start"]
                before = len(self.text[:start].rstrip())
                owner = (
                    self._group_at(before - 1)
                    if ref["kind"] == "unnamed" and 0 < start - before <= 2
                    else None
                )
                if owner is None:
                    kept.append(ref)
                elif not any(k["name"] == owner.name for k in kept + incident["perpetrators"]):
                    party_ref(kept, owner, before - 1)
            incident["perpetrators"] = kept

    def _one_wording_of_attackers(self) -> None:
        """Unnamed attackers named several ways ("gunmen", later "the assailants") are one
        party: the article's first wording is kept, a bomber apart from gunmen, and written
        one way ("Assailants" opening a headline, "assailants" in the body: one name, each
        mention keeping its own evidence). A bare "attacker" in an article that has a
        bomber of the same number is that bomber ("a suicide bomber attacked a convoy ...
        the attacker was targeting X")."""
        first: dict[str, str] = {}
        for incident in self.incidents:
            for ref in incident["perpetrators"]:
                if ref["kind"] == "unnamed":
                    first.setdefault(_attacker_kind(ref["name"]), ref["name"])
        for incident in self.incidents:
            kept = []
            for ref in incident["perpetrators"]:
                if ref["kind"] != "unnamed":
                    kept.append(ref)
                    continue
                kind = _attacker_kind(ref["name"])
                wording = first[kind]
                if wording.lower() != ref["name"].lower():
                    continue
                bomber = first.get("bomber")
                if (
                    kind == "attackers"
                    and bomber is not None
                    and _GENERIC_ATTACKER.fullmatch(wording.lower())
                    and wording.endswith("s") == bomber.endswith("s")
                ):
                    wording = bomber
                if not any(k["name"] == wording for k in kept):
                    kept.append({**ref, "name": wording})
            incident["perpetrators"] = kept
