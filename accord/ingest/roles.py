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

from accord.ingest.nlp import english_parse
from accord.ingest.state import Item, ReaderBase

ATTACK_VERBS = {
    "attack": "attack",
    "bomb": "bombing",
    "kill": "killing",
    "shoot": "shooting",
    "stab": "stabbing",
    "detonate": "bombing",
    "explode": "bombing",
    "ambush": "attack",
    "storm": "attack",
    "ram": "ramming attack",
    "kidnap": "hostage taking",
    "abduct": "hostage taking",
    "behead": "killing",
    "murder": "killing",
    "assassinate": "assassination",
    "wound": "attack",
    "injure": "attack",
    "target": "attack",
    "hit": "attack",
    "strike": "attack",
    "gun": "shooting",
}
#: Verbs whose subject suffered the attack: "X died", "X sustained serious injuries".
_SUFFER = frozenset("die sustain suffer succumb".split())
ATTACK_NOUNS = {
    "attack": "attack",
    "bombing": "bombing",
    "blast": "bombing",
    "explosion": "bombing",
    "bomb": "bombing",
    "shooting": "shooting",
    "stabbing": "stabbing",
    "assault": "attack",
    "ambush": "attack",
    "raid": "attack",
    "siege": "hostage taking",
    "massacre": "killing",
    "assassination": "assassination",
    "killing": "killing",
    "attacks": "attack",
}
_CARRY = frozenset(
    "carry conduct stage launch mount perpetrate commit plot plan orchestrate".split()
)
_EFFECT = frozenset("kill injure wound hit target destroy damage".split())
_COLLECTIVE = frozenset(
    "convoy group vehicle bus car patrol team delegation crowd motorcade".split()
)
_LOCATIVE = frozenset("in at near outside inside on".split())
_NOT_PARTY = frozenset(
    "he she they it them him her we i you who which that this these those one people person "
    "persons others some many several all both each fire responsibility car truck vehicle "
    "explosives bomb device weapon gun rifle knife suspect".split()
)
#: What a victim or target can be when the article does not name it: people and sites.
PEOPLE = frozenset(
    "officer policeman policemen police soldier troops serviceman servicemen civilian "
    "worshipper tourist passenger student child children pupil teacher worker engineer "
    "employee staff guard journalist diplomat official pilgrim visitor resident villager "
    "shopper customer member family man woman men women boy girl clerk driver national "
    "citizen fan spectator personnel force forces cyclist crew farmer trader commuter "
    "patient doctor nurse priest imam monk nun believer parishioner congregation crowd "
    "guest hostage people passerby passer-by pedestrian waitress waiter cadet ranger jawan "
    "auxiliary auxiliaries bodyguard mp lawmaker official officials minister judge "
    "prosecutor governor mayor leader commander chief head director elder cleric "
    "teenager youth infant baby bystander onlooker".split()
)
SITES = frozenset(
    "embassy consulate hall airport station metro subway school hotel mosque church "
    "synagogue temple shrine market gallery base checkpoint post stadium theatre theater "
    "mall square bazaar terminal compound university hospital office building bus train "
    "club cafe restaurant convoy vehicle motorcade camp headquarters store shop bank "
    "parliament court prison jail ceremony gathering rally concert festival wedding "
    "procession street avenue bridge plant pipeline factory village town home house "
    "residence gate gates barracks outpost patrol facility complex center centre cathedral "
    "academy store department headquarter headquarters bar bars cafes homes hall".split()
)
#: Who carries out an attack when unnamed.
ATTACKERS = frozenset(
    "attacker assailant gunman gunmen bomber militant terrorist insurgent fighter extremist "
    "jihadist man men assailants attackers militants terrorists insurgents fighters "
    "extremists jihadists group cell squad perpetrator perpetrators shooter knifeman "
    "suspect suspects".split()
)
_BACKGROUND = re.compile(
    r"\b(reminded|recalled|recalling|earlier|previous(ly)?|in the past|last year|years? ago|"
    r"back in|former|had been|had carried out|history of|also reminded|anniversary)\b",
    re.IGNORECASE,
)
_SUSPECTED = re.compile(
    r"\b(suspect(ed)?|believed|allegedly|reportedly|may have|thought to|presumably|accused)\b",
    re.IGNORECASE,
)


class StructuredIncidents(ReaderBase):
    """The reader's part that reads incidents from the parse."""

    def _structured_incidents(self, spans: list[tuple[int, int]]) -> None:
        """Incidents read from the parse, merged per sentence with what the sentence rules
        found (their perpetrators only where the parse agrees, or an armed group, or unnamed
        attackers: a body or person beside an attack word is not its agent)."""
        by_rules = {incident["evidence"][0]["start"]: incident for incident in self.incidents}
        self.incidents = []
        wanted = [(s, e) for s, e in spans if _may_report(self.text[s:e])]
        docs = english_parse([self.text[s:e] for s, e in wanted]) if wanted else []
        for (start, end), doc in zip(wanted, docs, strict=True):
            self._sentence(start, end, doc)
            self.check_time()
        parsed = {incident["evidence"][0]["start"]: incident for incident in self.incidents}
        for start, ruled in by_rules.items():
            mine = parsed.get(start)
            kept = [p for p in ruled["perpetrators"] if self._rule_agent(p, mine)]
            if mine is None:
                if kept or ruled["victims"] or ruled["places"]:
                    self.incidents.append({**ruled, "perpetrators": kept})
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
                    if not any(r["name"].lower() == ref["name"].lower() for r in mine[role]):
                        mine[role].append(ref)
        self.incidents.sort(key=lambda i: i["evidence"][0]["start"])
        self._one_wording_of_attackers()
        self._most_precise_in_article()

    def _rule_agent(self, ref: dict[str, Any], parsed: dict[str, Any] | None) -> bool:
        if parsed is not None and any(p["name"] == ref["name"] for p in parsed["perpetrators"]):
            return True
        if ref["kind"] == "unnamed":
            return True
        if ref["kind"] == "organisation":
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
                and (item.group or _group_words(item.name))
                and (item.register is not None or _group_words(item.name))
            )
        return False

    def _one_wording_of_attackers(self) -> None:
        """Unnamed attackers named several ways ("gunmen", later "the assailants") are one
        party: the article's first wording is kept, a bomber apart from gunmen."""
        first: dict[str, str] = {}
        for incident in self.incidents:
            kept = []
            for ref in incident["perpetrators"]:
                if ref["kind"] != "unnamed":
                    kept.append(ref)
                    continue
                kind = "bomber" if "bomb" in ref["name"].lower() else "attackers"
                if first.setdefault(kind, ref["name"]).lower() == ref["name"].lower():
                    kept.append(ref)
            incident["perpetrators"] = kept

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

    def _sentence(self, start: int, end: int, doc: Any) -> None:
        triggers = [t for t in doc if _trigger(t)]
        if not triggers:
            return
        sufferers = [
            c
            for t in doc
            if t.pos_ == "VERB" and t.lemma_ in _SUFFER
            for c in _conj([c for c in t.children if c.dep_ == "nsubj"])
        ]
        perpetrators: list[dict[str, Any]] = []
        victims: list[dict[str, Any]] = []
        places: list[dict[str, Any]] = []
        claimed = False
        kind = None
        for trigger in triggers:
            kind = kind or _kind(trigger)
            agents, patients, wheres, claim = _roles(trigger)
            claimed = claimed or claim
            for token in agents:
                self._add(perpetrators, token, start, doc, role="perpetrator")
            for token in patients:
                self._add(victims, token, start, doc, role="victim")
            for token in wheres:
                item = self._location_at(token, start)
                if item is not None:
                    self._add_ref(places, item, token, start)
                    continue
                # "in Pakistan's northwestern Peshawar city": the places inside the phrase.
                inside = [
                    (t, found)
                    for t in token.subtree
                    if t.i < token.i and (found := self._location_at(t, start)) is not None
                ]
                for t, found in inside:
                    self._add_ref(places, found, t, start)
                if not inside:
                    self._add(victims, token, start, doc, role="victim")
        if kind is not None:
            self._rule_places(places, start, end)
        for token in sufferers:
            self._add(victims, token, start, doc, role="victim")
        places = self._most_precise(places)
        if not (perpetrators or victims or places):
            return
        sentence = self.text[start:end]
        suspected = bool(_SUSPECTED.search(sentence))
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
        background = bool(_BACKGROUND.search(sentence)) or any(
            t.lemma_ == "have" and t.dep_ == "aux" and t.tag_ == "VBD" for t in doc
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
                "evidence": [{"start": start, "end": end, "text": sentence}],
            }
        )

    def _rule_places(self, places: list[dict[str, Any]], start: int, end: int) -> None:
        """Places named as where something happened in the sentence ("in Ankara"), and if
        none, in its paragraph: the parse often hangs "in X" on a nearby noun."""
        where = getattr(self, "_where", None)
        if where is None:
            return
        found = [
            i
            for i in self.items_between(start, end)
            if i.kind == "location" and any(where(m) for m in self.mentions_between(i, start, end))
        ]
        if not found and not places:
            found = self._nearby_places(start, end)  # type: ignore[attr-defined]
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

    def _item_at(self, token: Any, offset: int) -> Item | None:
        """The item a token stands in (a mention covering it), if any."""
        position = offset + token.idx
        for item in self.items_between(max(0, position - 80), position + 1):
            for mention in item.evidence:
                if mention.start <= position < mention.end:
                    return item
        return None

    def _location_at(self, token: Any, offset: int) -> Item | None:
        item = self._item_at(token, offset)
        return item if item is not None and item.kind == "location" else None

    def _add(
        self, found: list[dict[str, Any]], token: Any, offset: int, doc: Any, *, role: str
    ) -> None:
        if token.lower_ in _NOT_PARTY or token.pos_ in ("PRON", "NUM", "DET"):
            return
        if token.ent_type_ in ("DATE", "TIME", "GPE", "LOC", "CARDINAL", "ORDINAL"):
            return
        item = self._item_at(token, offset)
        if item is not None:
            if item.kind == "location":
                return
            if role == "perpetrator" and item.kind == "organisation" and not item.group:
                if not _group_words(item.name):
                    return  # a body that is not an armed group: not a perpetrator by position
            self._add_ref(found, item, token, offset)
            return
        lemma = token.lemma_.lower()
        # Unnamed parties by what they are: people or a site for victims, attackers for
        # perpetrators (police shooting an attacker is no attack by the police).
        if role == "perpetrator" and lemma not in ATTACKERS and token.lower_ not in ATTACKERS:
            return
        if role == "victim" and lemma not in PEOPLE and lemma not in SITES:
            return
        phrase = _phrase(token)
        if not phrase or phrase.lower() in _NOT_PARTY:
            return
        start = offset + min(t.idx for t in phrase_tokens(token))
        text = (
            self.text[start : start + len(phrase)]
            if self.text[start:].startswith(phrase)
            else phrase
        )
        if any(f["name"].lower() == text.lower() for f in found):
            return
        found.append(
            {
                "name": text,
                "kind": "unnamed" if role == "perpetrator" else "target",
                "evidence": {"start": start, "end": start + len(text), "text": text},
            }
        )

    @staticmethod
    def _add_ref(found: list[dict[str, Any]], item: Item, token: Any, offset: int) -> None:
        if any(f["name"] == item.name for f in found):
            return
        position = offset + token.idx
        mention = next((m for m in item.evidence if m.start <= position < m.end), item.evidence[0])
        ref: dict[str, Any] = {
            "name": item.name,
            "kind": item.kind,
            "evidence": {"start": mention.start, "end": mention.end, "text": mention.text},
        }
        if item.register:
            ref["register_subject"] = item.register["subject_id"]
        found.append(ref)

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


def _may_report(sentence: str) -> bool:
    lower = sentence.lower()
    return any(w in lower for w in _CHEAP)


_CHEAP = (
    "attack",
    "bomb",
    "kill",
    "shot",
    "shoot",
    "stab",
    "explo",
    "blast",
    "detonat",
    "ambush",
    "storm",
    "ramm",
    "kidnap",
    "abduct",
    "behead",
    "murder",
    "assassin",
    "wound",
    "injur",
    "gunm",
    "massacre",
    "siege",
    "raid",
    "fire",
    "target",
    "struck",
    "strike",
    "hit",
)


def _trigger(token: Any) -> bool:
    if token.pos_ in ("VERB", "AUX") and token.lemma_ in ATTACK_VERBS:
        return True
    if (
        token.pos_ == "VERB"
        and token.lemma_ == "open"
        and any(c.dep_ == "dobj" and c.lemma_ == "fire" for c in token.children)
    ):
        return True
    return token.pos_ in ("NOUN", "PROPN") and token.lemma_.lower() in ATTACK_NOUNS


def _kind(token: Any) -> str:
    if token.lemma_ == "open":
        return "shooting"
    if token.pos_ in ("VERB", "AUX"):
        return ATTACK_VERBS.get(token.lemma_, "attack")
    return ATTACK_NOUNS.get(token.lemma_.lower(), "attack")


def _conj(tokens: list[Any]) -> list[Any]:
    out = []
    for token in tokens:
        out.append(token)
        out += [c for c in token.conjuncts]
    return out


def _subject(verb: Any) -> list[Any]:
    """The agent of a verb, through the clauses it hangs on (advcl, xcomp, conj)."""
    seen = 0
    while verb is not None and seen < 4:
        subjects = [c for c in verb.children if c.dep_ in ("nsubj",)]
        if subjects:
            return _conj(subjects)
        agents = [
            g for c in verb.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"
        ]
        if agents:
            return _conj(agents)
        if verb.dep_ in ("advcl", "xcomp", "conj", "acl") and verb.head is not verb:
            verb = verb.head
            seen += 1
            continue
        break
    return []


def _roles(trigger: Any) -> tuple[list[Any], list[Any], list[Any], bool]:
    agents: list[Any] = []
    patients: list[Any] = []
    wheres: list[Any] = []
    claimed = False
    if trigger.pos_ in ("VERB", "AUX"):
        passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in trigger.children)
        if passive:
            patients += _conj([c for c in trigger.children if c.dep_ == "nsubjpass"])
            agents += _conj(
                [
                    g
                    for c in trigger.children
                    if c.dep_ == "agent"
                    for g in c.children
                    if g.dep_ == "pobj"
                ]
            )
        else:
            agents += _subject(trigger)
            patients += _conj(
                [c for c in trigger.children if c.dep_ == "dobj" and c.lemma_ != "fire"]
            )
        for prep in trigger.children:
            if prep.dep_ == "prep":
                objects = _conj([g for g in prep.children if g.dep_ == "pobj"])
                if prep.lower_ in ("on", "at", "against", "into") and trigger.lemma_ in (
                    "open",
                    "ram",
                    "attack",
                    "storm",
                    "target",
                    "hit",
                    "strike",
                    "gun",
                ):
                    patients += [o for o in objects if o.ent_type_ not in ("GPE", "LOC")]
                    wheres += [o for o in objects if o.ent_type_ in ("GPE", "LOC")]
                elif prep.lower_ in _LOCATIVE:
                    wheres += objects
        # A subject that is itself an attack noun ("the blast killed five") is no agent.
        if any(a.lemma_.lower() in ATTACK_NOUNS for a in agents):
            noun = next(a for a in agents if a.lemma_.lower() in ATTACK_NOUNS)
            agents = [a for a in agents if a.lemma_.lower() not in ATTACK_NOUNS]
            more, _, more_where, more_claim = _roles(noun)
            agents += more
            wheres += more_where
            claimed = claimed or more_claim
    else:
        for child in trigger.children:
            if child.dep_ == "poss":
                agents.append(child)
            elif child.dep_ == "prep":
                objects = _conj([g for g in child.children if g.dep_ == "pobj"])
                if child.lower_ == "by":
                    agents += objects
                elif child.lower_ in ("on", "against", "targeting"):
                    patients += [o for o in objects if o.ent_type_ not in ("GPE", "LOC")]
                    wheres += [o for o in objects if o.ent_type_ in ("GPE", "LOC")]
                elif child.lower_ in _LOCATIVE:
                    wheres += objects
            elif child.dep_ == "acl" and child.lemma_ in ("target", "kill"):
                patients += [g for g in child.children if g.dep_ == "dobj"]
        head = trigger.head
        # "claimed responsibility for the attack", "carried out the attack".
        if trigger.dep_ == "pobj" and head.lower_ == "for" and head.head.lemma_ == "responsibility":
            claim = head.head.head
            if claim.lemma_ in ("claim", "take", "accept"):
                agents += _subject(claim)
                claimed = True
        elif trigger.dep_ == "dobj" and head.lemma_ in _CARRY:
            agents += _subject(head)
        elif trigger.dep_ == "dobj" and head.lemma_ == "claim":
            agents += _subject(head)
            claimed = True
        if trigger.dep_ == "nsubj" and head.lemma_ in _EFFECT:
            patients += _conj([c for c in head.children if c.dep_ == "dobj"])
            wheres += [
                g
                for c in head.children
                if c.dep_ == "prep" and c.lower_ in _LOCATIVE
                for g in c.children
                if g.dep_ == "pobj"
            ]
    return agents, patients, _with_appositions(wheres), claimed


def _with_appositions(tokens: list[Any]) -> list[Any]:
    """ "in Peshawar, Pakistan", "at the shrine in Shiraz": places inside places."""
    out = []
    for token in tokens:
        out.append(token)
        out += [c for c in token.children if c.dep_ in ("appos", "conj")]
        for prep in token.children:
            if prep.dep_ == "prep" and prep.lower_ in _LOCATIVE:
                out += [g for g in prep.children if g.dep_ == "pobj"]
    return out


def phrase_tokens(token: Any) -> list[Any]:
    keep = [
        c
        for c in token.lefts
        if c.dep_ in ("compound", "amod", "nmod", "poss") and c.pos_ not in ("DET", "NUM", "PRON")
    ]
    tokens = [*keep, token]
    if token.lemma_ in _COLLECTIVE:
        for prep in token.children:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                for obj in prep.children:
                    if obj.dep_ == "pobj":
                        tokens += [prep, *phrase_tokens(obj)]
    return sorted(tokens, key=lambda t: t.i)


def _phrase(token: Any) -> str:
    tokens = phrase_tokens(token)
    first, last = tokens[0], tokens[-1]
    return str(token.doc.text[first.idx : last.idx + len(last.text)])


def _group_words(name: str) -> bool:
    lower = name.lower()
    return any(
        w in lower
        for w in (
            "state",
            "front",
            "army",
            "movement",
            "jamaat",
            "brigade",
            "taliban",
            "qaeda",
            "shabab",
            "haram",
            "party",
            "jihad",
            "mujahid",
            "liberation",
            "isis",
            "isil",
            "daesh",
            "hamas",
            "hezbollah",
            "pkk",
            "group",
            "network",
            "militia",
            "ansar",
            "jaish",
            "lashkar",
            "tehrik",
            "harakat",
        )
    )
