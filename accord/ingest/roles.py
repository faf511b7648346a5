"""Incidents from the sentence's structure (English): the dependency parse of spaCy's model.

A sentence reports an attack when one of its words is an attack verb or noun (kill, bomb,
shoot, stab, attack, explosion...). Its roles are read from the parse, not from the words
around it:
- the **perpetrator** is the agent of the attack verb: its subject in the active voice, the
  "by" phrase in the passive, the subject of the clause an attack participle hangs on ("A
  bomber rammed the gate, killing three"), the subject of "claimed responsibility for the
  attack", of "carried out / staged the attack", or the "by" phrase or possessor of an
  attack noun;
- the **victim or target** is its object (or the passive subject), what an attack noun is
  "on" or "against", and the object of what an explosion or an attack "killed";
- the **place** is a named location the attack verb or noun is "in", "at", "near" or
  "outside", the most precise one kept (a city and not its country).
A body that only reported, condemned or investigated is the subject of another verb and is
never read as the perpetrator. Pronouns and bare counts are no parties. Unnamed perpetrators
are kept as the article words them ("gunmen", "suicide bomber").
"""

from __future__ import annotations

import re
from typing import Any

from accord.ingest.aftermath import aftermath, intended
from accord.ingest.attackers import ADMIRERS, Attackers, accused_of, may_name
from accord.ingest.nlp import english_parse
from accord.ingest.parse import (
    ATTACKERS,
    BACKGROUND,
    NOT_PARTY,
    PEOPLE,
    SITES,
    SUFFER,
    SUSPECTED,
    group_words,
    is_trigger,
    kind_of,
    lemma,
    may_report,
    phrase,
    phrase_tokens,
    pos,
    roles_of,
    with_conjuncts,
)
from accord.ingest.state import Item, party_ref

_TIMES = re.compile(
    r"\d|\b(gmt|utc|am|pm|noon|midnight|morning|evening|night|"
    r"(mon|tues|wednes|thurs|fri|satur|sun)day|january|february|march|april|may|june|july|"
    r"august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|"
    r"nov|dec|ramadan|eid|christmas|easter|passover|hanukkah|diwali|nowruz)\b",
    re.IGNORECASE,
)

#: A year an attack is dated by ("in 2019", "in March 2021"), not "since 2017".
_YEAR = re.compile(
    r"\b(?:[Ii]n|[Oo]f|[Dd]uring)(?: [A-Z][a-z]+\.?)?(?: \d{1,2},?)? ((?:19|20)\d\d)\b"
)


#: Settlements and areas: through "in", "at" or "near", where an attack was, not its
#: target (a building there is the target).
SETTLEMENTS = frozenset(
    "village town city district area neighbourhood neighborhood suburb quarter province "
    "region".split()
)
#: Open places: where when named ("near Tayaran Square"); a crowded street unnamed may be
#: what was attacked.
OPEN_AREAS = SETTLEMENTS | frozenset("square street avenue road highway bridge".split())

#: Words for those who speak for a body: a place hung on them is where they sit.
OFFICIALS = frozenset(
    "spokesman spokeswoman spokesperson official officials minister correspondent reporter".split()
)

_PLACE_NOUNS = frozenset("town village city district region province area county".split())


def _named_in(token: Any) -> list[Any]:
    """The named place a place noun stands for: "the town of X", "the village, X"."""
    if lemma(token) not in _PLACE_NOUNS:
        return []
    named = [c for c in token.children if c.dep_ == "appos" and pos(c) == "PROPN"]
    for prep in token.children:
        if prep.dep_ == "prep" and prep.lower_ == "of":
            named += [g for g in prep.children if g.dep_ == "pobj" and pos(g) == "PROPN"]
    return named


def _clause(token: Any) -> str:
    """The text of the relative clause a token is in."""
    node = token
    while node.dep_ != "relcl" and node.head is not node:
        node = node.head
    return str(node.doc[node.left_edge.i : node.right_edge.i + 1].text)


class StructuredIncidents(Attackers):
    """The reader's part that reads incidents from the parse."""

    def _structured_incidents(self, spans: list[tuple[int, int]]) -> None:
        """Incidents read from the parse, merged per sentence with what the sentence rules
        found (their perpetrators only where the parse agrees, or an armed group, or unnamed
        attackers: a body or person beside an attack word is not its agent)."""
        by_rules = {incident["evidence"][0]["start"]: incident for incident in self.incidents}
        self.incidents = []
        wanted = [
            (s, e) for s, e in spans if may_report(self.text[s:e]) or may_name(self.text[s:e])
        ]
        docs = english_parse([self.text[s:e] for s, e in wanted]) if wanted else []
        vetoed = set()
        naming: list[tuple[int, list[Item]]] = []  # sentences naming an attacker
        seats: dict[int, set[int]] = {}  # each parsed sentence's seats of bodies
        for (start, end), doc in zip(wanted, docs, strict=True):
            seats[start] = self._seats(doc, start, set())
            if self._sentence(start, end, doc):
                vetoed.add(start)
            named = self._identified_attacker(doc, start)
            if named:
                naming.append((start, named))
            self.check_time()
        parsed = {incident["evidence"][0]["start"]: incident for incident in self.incidents}
        for start, ruled in by_rules.items():
            mine = parsed.get(start)
            kept = [
                p
                for p in ruled["perpetrators"]
                if self._rule_agent(p, mine)
                # "16 assailants have been killed in attacks on X headquarters": no agents.
                and not (
                    mine is not None
                    and any(
                        p["evidence"]["start"] < at.stop and at.start < p["evidence"]["end"]
                        for at in mine["_suffered"]
                    )
                )
            ]
            if start in vetoed:
                continue  # the parse says the attack was only planned, or was the police's
            if mine is None:
                places = [
                    p for p in ruled["places"] if p["evidence"]["start"] not in seats.get(start, ())
                ]
                if kept or ruled["victims"] or places:
                    self.incidents.append({**ruled, "perpetrators": kept, "places": places})
                continue
            order = ("unknown", "stated", "suspected", "claimed")
            if order.index(ruled["attribution"]) > order.index(mine["attribution"]):
                mine["attribution"] = ruled["attribution"]
            mine["background"] = mine["background"] or ruled["background"]
            for role, extra in (
                ("perpetrators", kept),
                ("victims", ruled["victims"]),
                ("places", ruled["places"]),
            ):
                for ref in extra:
                    if role == "places" and ref["evidence"]["start"] in mine["_seats"]:
                        continue  # "a spokesman for the Interior Ministry in Moscow"
                    if not any(r["name"].lower() == ref["name"].lower() for r in mine[role]):
                        mine[role].append(ref)
        for incident in self.incidents:
            incident.pop("_suffered", None)
            incident.pop("_seats", None)
        self.incidents.sort(key=lambda i: i["evidence"][0]["start"])
        self._background_by_date()
        for start, named in naming:
            self._name_attackers(named, start)
        self._dateline_places()
        self._attackers_of_named_groups()
        self._one_wording_of_attackers()
        self._most_precise_in_article()

    def _background_by_date(self) -> None:
        """An attack dated well before the article's news is background: more than six weeks
        before the publication date, or else before the latest date the article gives ("In
        2021, a bus ... was targeted", "on March 22, 2024" in a report of a November
        verdict). "Since 2017" dates no attack."""
        known = [d.date for d in self.event_dates if d.date is not None]
        reference = self.anchor or (max(known) if known else None)
        if reference is None:
            return
        for incident in self.incidents:
            start = incident["evidence"][0]["start"]
            end = incident["evidence"][0]["end"]
            years = [int(y) for y in _YEAR.findall(self.text[start:end])]
            if any(year < reference.year for year in years):
                incident["background"] = True
                continue
            for found in self.event_dates:
                if not (start <= found.start < end) or found.date is None:
                    continue
                before = self.text[max(start, found.start - 8) : found.start].lower()
                if "since" in before or "until" in before:
                    continue
                months = (reference.year - found.date.year) * 12 + reference.month
                months -= found.date.month
                if (
                    (found.precision == "year" and found.date.year < reference.year)
                    or (found.precision == "month" and months > 1)
                    or (found.precision == "day" and (reference - found.date).days > 45)
                ):
                    incident["background"] = True
                    break

    def _rule_agent(self, ref: dict[str, Any], parsed: dict[str, Any] | None) -> bool:
        if parsed is not None and any(p["name"] == ref["name"] for p in parsed["perpetrators"]):
            return True
        if ref["kind"] == "unnamed":
            return True
        if ref["kind"] == "organisation":
            after = self.text[ref["evidence"]["end"] : ref["evidence"]["end"] + 40].lower()
            if ADMIRERS.match(after):
                return False  # "an Islamic State group supporter" did not do it as the group
            item = next(
                (
                    i
                    for i in self.items.values()
                    if i.kind == "organisation" and i.name == ref["name"]
                ),
                None,
            )
            return (
                item is not None
                and (item.group or group_words(item.name))
                and (item.register is not None or group_words(item.name))
            )
        return False

    def _most_precise_in_article(self) -> None:
        """A country or region is not where the article's attack happened when a place inside
        it is named as that place: "Peshawar", not also "Pakistan" and "Khyber Pakhtunkhwa"."""
        located = {
            ref["name"]
            for incident in self.incidents
            if not incident["background"]
            for ref in incident["places"]
        }
        items = {
            i.name: i for i in self.items.values() if i.kind == "location" and i.name in located
        }
        rank = {"country": 0, "region": 1}
        for incident in self.incidents:
            if incident["background"]:
                continue
            kept = []
            for ref in incident["places"]:
                item = items.get(ref["name"])
                level = rank.get(item.place_kind or "", 2) if item else 2
                inner = item is not None and any(
                    other is not item
                    and other.country == item.country
                    and rank.get(other.place_kind or "", 2) > level
                    for other in items.values()
                )
                if not (item is not None and level < 2 and inner):
                    kept.append(ref)
            incident["places"] = kept

    # -- one sentence ----------------------------------------------------------------------

    def _sentence(self, start: int, end: int, doc: Any) -> bool:
        """The sentence's incident, if it reports one; whether its only attack words were
        attacks planned or the security forces' operation (no incident at all)."""
        triggers = [t for t in doc if is_trigger(t)]
        if not triggers:
            return False
        asides = {t.i for c in doc if c.dep_ == "relcl" for t in c.subtree}
        suffered: set[range] = set()  # where the words of those attacked lie
        skipped: list[Any] = []
        # Verbs first: a raid the verb of an operation is "in" is that operation.
        triggers.sort(key=lambda t: pos(t) != "VERB")
        sufferers = [
            c
            for t in doc
            if lemma(t) in SUFFER and pos(t) == "VERB"
            for c in with_conjuncts([c for c in t.children if c.dep_ == "nsubj"])
        ]
        perpetrators: list[dict[str, Any]] = []
        victims: list[dict[str, Any]] = []
        places: list[dict[str, Any]] = []
        claimed = False
        kind = None
        for trigger in triggers:
            if (
                intended(trigger)
                or aftermath(trigger)
                or (trigger.head.dep_ == "prep" and trigger.head.head in skipped)
            ):
                skipped.append(trigger)
                continue  # an attack planned or plotted, not carried out
            if trigger.i in asides and BACKGROUND.search(_clause(trigger)):
                continue  # "..., which has carried out many attacks on X"
            agents, patients, wheres, claim = roles_of(trigger)
            if not agents and pos(trigger) == "VERB":
                agents = with_conjuncts(accused_of(trigger))  # "arrested X on suspicion of"
            # Where the words of those attacked lie: a name inside them ("attacks on
            # Revolutionary Guard headquarters") is the target's, not its attacker.
            suffered.update(
                range(start + t.left_edge.idx, start + t.idx + len(t.text)) for t in patients
            )
            if patients and all(lemma(p) in ATTACKERS for p in patients):
                skipped.append(trigger)
                continue  # attackers killed or stormed: the security forces' operation
            # "No students were injured": nobody suffered what the verb denies.
            if any(c.dep_ == "neg" for c in trigger.children):
                patients = []
            patients = [
                p
                for p in patients
                if not any(c.lower_ == "no" and c.dep_ == "det" for c in p.children)
            ]
            kind = kind or kind_of(trigger)
            claimed = claimed or claim
            for token in agents:
                self._add(perpetrators, token, start, doc, role="perpetrator")
            for token in patients:
                if not self._named_place(places, token, start):
                    self._add(victims, token, start, doc, role="victim")
            for token in wheres:
                item = self._location_at(token, start)
                if item is not None:
                    party_ref(places, item, start + token.idx)
                    continue
                if self._named_place(places, token, start):
                    continue
                # "in Pakistan's northwestern Peshawar city": the places inside the phrase.
                inside = [
                    (t, found)
                    for t in token.subtree
                    if t.i < token.i and (found := self._location_at(t, start)) is not None
                ]
                for t, found in inside:
                    party_ref(places, found, start + t.idx)
                if inside:
                    continue
                site = any(lemma(t) in SITES for t in phrase_tokens(token))
                if lemma(token) in OPEN_AREAS and (
                    pos(token) == "PROPN" or lemma(token) in SETTLEMENTS
                ):
                    # "near Tayaran Square", "in a village called X": where, not whom.
                    if pos(token) == "PROPN":
                        self._place_by_name(places, token, start)
                elif pos(token) == "PROPN" and not site:
                    self._place_by_name(places, token, start)  # "in Pishta Khara"
                else:
                    self._add(victims, token, start, doc, role="victim")
        if kind is not None:
            self._rule_places(places, start, end, doc, suffered)
        for token in sufferers:
            self._add(victims, token, start, doc, role="victim")
        places = self._most_precise(places)
        if len(skipped) == len(triggers):
            return True
        if not (perpetrators or victims or places):
            return False
        sentence = self.text[start:end]
        suspected = bool(SUSPECTED.search(sentence))
        for p in perpetrators:
            p["attribution"] = "claimed" if claimed else "suspected" if suspected else "stated"
        named = [p for p in perpetrators if p["kind"] != "unnamed"]
        attribution = (
            "claimed"
            if claimed
            else "suspected"
            if suspected and perpetrators
            else "stated"
            if named or perpetrators
            else "unknown"
        )
        found_dates = [d for d in self.event_dates if start <= d.start < end]
        date = found_dates[0] if found_dates else None
        # A relative clause tells of someone's past ("the group, which has claimed numerous
        # attacks"): the sentence's own news is read without it.
        main = [t for t in doc if t.i not in asides]
        background = bool(BACKGROUND.search(" ".join(t.text for t in main))) or any(
            lemma(t) == "have" and t.dep_ == "aux" and t.tag_ == "VBD" for t in main
        )
        self.incidents.append(
            {
                "type": kind or "attack",
                "date": date.date.isoformat() if date and date.date else None,
                "date_expression": date.expression if date else None,
                "date_precision": date.precision if date else None,
                **({"date_note": date.note} if date and date.note else {}),
                "places": places,
                "perpetrators": perpetrators,
                "victims": victims,
                "attribution": attribution,
                "background": background,
                "read_from": "the sentence's dependency parse",
                "_suffered": suffered,
                "_seats": self._seats(doc, start, suffered),
                "evidence": [{"start": start, "end": end, "text": sentence}],
            }
        )
        return False

    def _rule_places(
        self,
        places: list[dict[str, Any]],
        start: int,
        end: int,
        doc: Any,
        suffered: set[range],
    ) -> None:
        """Places named as where something happened in the sentence ("in Ankara"), and if
        none, in its paragraph: the parse often hangs "in X" on a nearby noun. Not a place
        the parse says is where a body or a speaker is ("a spokesman for the Interior
        Ministry in Moscow")."""
        rule_where = getattr(self, "_where", None)
        if rule_where is None:
            return
        seats = self._seats(doc, start, suffered)

        def where(mention: Any) -> bool:
            return mention.start not in seats and bool(rule_where(mention))

        found = [
            i
            for i in self.items_between(start, end)
            if i.kind == "location" and any(where(m) for m in self.mentions_between(i, start, end))
        ]
        if not found and not places:
            found = [
                i
                for i in self._nearby_places(start, end)  # type: ignore[attr-defined]
                if not any(m.start in seats for m in i.evidence)
            ]
        for item in found:
            mention = next(
                (m for m in self.mentions_between(item, start, end) if where(m)),
                item.evidence[0],
            )
            if not any(p["name"] == item.name for p in places):
                places.append(
                    {
                        "name": item.name,
                        "kind": item.kind,
                        "evidence": {
                            "start": mention.start,
                            "end": mention.end,
                            "text": mention.text,
                        },
                    }
                )

    def _seats(self, doc: Any, offset: int, suffered: set[range]) -> set[int]:
        """Where the sentence's places that are seats of bodies or persons begin (not those
        of a target: "attacked the Interior Ministry in Kabul" was in Kabul)."""
        return {
            offset + t.idx
            for t in doc
            if self._seat_of(t, offset)
            and not any(offset + t.head.head.idx in at for at in suffered)
        }

    def _seat_of(self, token: Any, offset: int) -> bool:
        """Whether a place is named as where a body or a person is ("the Interior Ministry
        in Moscow", "a spokesman in Kabul"): "in" or "at" hung on a non-armed organisation,
        a person, or a word for an official."""
        if (
            token.dep_ != "pobj"
            or token.head.dep_ != "prep"
            or token.head.lower_ not in ("in", "at")
        ):
            return False
        holder = token.head.head
        if lemma(holder) in OFFICIALS:
            return True
        item = self._item_at(holder, offset)
        if item is None:
            return False
        if item.kind == "person":
            return True
        return item.kind == "organisation" and not (item.group or group_words(item.name))

    def _named_place(self, places: list[dict[str, Any]], token: Any, offset: int) -> bool:
        """ "An attack on the small town of X": where, not whom."""
        named = _named_in(token)
        for t in named:
            found = self._location_at(t, offset)
            if found is not None:
                party_ref(places, found, offset + t.idx)
            else:
                self._place_by_name(places, t, offset)
        return bool(named)

    def _place_by_name(self, places: list[dict[str, Any]], token: Any, offset: int) -> None:
        """A named place the article's entities missed, where the parse says the attack
        happened: named as the sentence writes it."""
        item = self._item_at(token, offset)
        if item is not None and item.kind == "organisation" and group_words(item.name):
            return
        if token.ent_type_ in ("PERSON", "NORP", "ORG", "DATE", "TIME") and item is None:
            return
        tokens = phrase_tokens(token)
        start = offset + tokens[0].idx
        end = offset + tokens[-1].idx + len(tokens[-1].text)
        text = self.text[start:end]
        if _TIMES.search(text) or any(d.start < end and start < d.end for d in self.event_dates):
            return
        if not any(p["name"].lower() == text.lower() for p in places):
            places.append(
                {
                    "name": text,
                    "kind": "location",
                    "evidence": {"start": start, "end": end, "text": text},
                }
            )

    def _item_at(self, token: Any, offset: int) -> Item | None:
        """The item a token stands in (a mention covering it), if any."""
        return self.item_at(offset + token.idx)

    def _location_at(self, token: Any, offset: int) -> Item | None:
        item = self._item_at(token, offset)
        return item if item is not None and item.kind == "location" else None

    def _add(
        self, found: list[dict[str, Any]], token: Any, offset: int, doc: Any, *, role: str
    ) -> None:
        if token.lower_ in NOT_PARTY or pos(token) in ("PRON", "NUM", "DET"):
            return
        if token.ent_type_ in ("DATE", "TIME", "GPE", "LOC", "CARDINAL", "ORDINAL"):
            return
        item = self._item_at(token, offset)
        if item is not None:
            if item.kind == "location":
                return
            if role == "perpetrator" and item.kind == "organisation" and not item.group:
                if not group_words(item.name):
                    return  # a body that is not an armed group: not a perpetrator by position
            party_ref(found, item, offset + token.idx)
            return
        base = lemma(token)
        # Unnamed parties by what they are: people or a site for victims, attackers for
        # perpetrators (police shooting an attacker is no attack by the police).
        if role == "perpetrator" and base not in ATTACKERS and token.lower_ not in ATTACKERS:
            return
        if role == "victim" and base not in PEOPLE and base not in SITES:
            return
        if role == "perpetrator":
            # "Colombia's ELN rebel group", "IS fighters", "fighters from al-Shabab": the group.
            inner = [t for t in phrase_tokens(token) if t is not token]
            inner += [
                g
                for c in token.children
                if c.dep_ == "prep" and c.lower_ in ("from", "of")
                for g in c.children
                if g.dep_ == "pobj"
            ]
            for t in inner:
                owner = self._group_at(offset + t.idx)
                if owner is not None:
                    party_ref(found, owner, offset + t.idx)
                    return
        words = phrase(token)
        if not words or words.lower() in NOT_PARTY:
            return
        start = offset + min(t.idx for t in phrase_tokens(token))
        text = (
            self.text[start : start + len(words)] if self.text[start:].startswith(words) else words
        )
        if any(f["name"].lower() == text.lower() for f in found):
            return
        found.append(
            {
                "name": text,
                # "the Jaish al-Adl group": named, though not among the article's entities.
                "kind": "target"
                if role != "perpetrator"
                else "organisation"
                if any(pos(t) == "PROPN" for t in phrase_tokens(token) if t is not token)
                and lemma(token) in ("group", "cell", "network", "brigade", "movement")
                else "unnamed",
                "evidence": {"start": start, "end": start + len(text), "text": text},
            }
        )

    def _most_precise(self, places: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """A city and its country: the city."""
        kinds = {}
        for ref in places:
            item = next(
                (i for i in self.items.values() if i.kind == "location" and i.name == ref["name"]),
                None,
            )
            kinds[ref["name"]] = item
        inner = {i.country for i in kinds.values() if i is not None and i.place_kind != "country"}
        return [
            ref
            for ref in places
            if not (
                (item := kinds[ref["name"]]) is not None
                and item.place_kind == "country"
                and item.country in inner
            )
        ]
