"""What the dependency parse of an English sentence says of an attack: which words report
one (attack verbs and nouns), who did it (the agent), to whom or what (the object), where
(locative phrases), and the noun phrase a party is named by. Used by
:mod:`accord.ingest.roles`; the vocabulary here names classes of words (attack verbs, people,
sites, attackers), the roles themselves come from the parse.
"""

from __future__ import annotations

import re
from typing import Any

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
SUFFER = frozenset("die sustain suffer succumb".split())
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
CARRY = frozenset("carry conduct stage launch mount perpetrate commit orchestrate".split())
#: Who did an attack named by a noun the verb's subject or "by" phrase gives: "the attack was
#: carried out by X", "X was behind the attack", "X was responsible for the attack".
AUTHOR = CARRY | frozenset("realise realize execute claim organise organize".split())
#: Verbs of intent: an attack planned, plotted or foiled is no attack the article reports.
INTENT = frozenset("plan plot prepare intend threaten conspire".split())
EFFECT = frozenset("kill injure wound hit target destroy damage".split())
COLLECTIVE = frozenset(
    "convoy group vehicle bus car patrol team delegation crowd motorcade".split()
)
LOCATIVE = frozenset("in at near outside inside on".split())
NOT_PARTY = frozenset(
    "he she they it them him her we i you who which that this these those one people person "
    "persons others some many several all both each fire responsibility car truck vehicle "
    "explosives bomb device weapon gun rifle knife".split()
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
    "residence barracks outpost patrol facility complex center centre cathedral "
    "academy store department headquarter headquarters bar bars cafes homes hall".split()
)
#: Who carries out an attack when unnamed.
ATTACKERS = frozenset(
    "attacker assailant gunman gunmen bomber militant terrorist insurgent fighter extremist "
    "jihadist man men assailants attackers militants terrorists insurgents fighters "
    "extremists jihadists group cell squad perpetrator perpetrators shooter knifeman "
    "suspect suspects".split()
)
BACKGROUND = re.compile(
    r"\b(reminded|recalled|recalling|earlier|previous(ly)?|in the past|last year|years? ago|"
    r"back in|had been|had carried out|history of|also reminded|anniversary|"
    r"last (january|february|march|april|may|june|july|august|september|october|november|"
    r"december|month|summer|winter|spring|autumn)|spate of|string of|recent years|"
    r"over the years|(many|numerous|dozens of|scores of|hundreds of)( of the)?( \w+)? "
    r"(attacks|bombings|assaults|killings|raids))\b",
    re.IGNORECASE,
)
SUSPECTED = re.compile(
    r"\b(suspect(ed)?|suspicion|believed|allegedly|reportedly|may have|thought to|presumably|"
    r"accused)\b",
    re.IGNORECASE,
)


_IRREGULAR = {
    "shot": "shoot",
    "struck": "strike",
    "stricken": "strike",
    "hit": "hit",
    "took": "take",
    "taken": "take",
    "blew": "blow",
    "blown": "blow",
    "men": "man",
    "women": "woman",
    "gunmen": "gunman",
    "children": "child",
    "people": "people",
    "police": "police",
    "policemen": "policeman",
    "servicemen": "serviceman",
    "had": "have",
    "has": "have",
    "died": "die",
    "dying": "die",
    "attacks": "attack",
    "headquarters": "headquarters",
    "forces": "forces",
    "personnel": "personnel",
    "staff": "staff",
    "crew": "crew",
    "ran": "run",
    "fled": "flee",
    "undertook": "undertake",
    "sustained": "sustain",
    "was": "be",
    "were": "be",
    "is": "be",
    "occurred": "occur",
}


def _forms(word: str, verb: bool) -> set[str]:
    forms = {word, word + "s", word + "es"}
    if word.endswith("y"):
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if verb:
        stem = word[:-1] if word.endswith("e") else word
        forms |= {stem + "ed", stem + "ing", word + "d", word + word[-1] + "ed"}
        forms |= {word + word[-1] + "ing"}
    return forms


def _lemmas() -> dict[str, str]:
    verbs = set(ATTACK_VERBS) | SUFFER | AUTHOR | EFFECT | INTENT
    verbs |= {"claim", "take", "accept", "open", "occur", "happen", "blame"}
    nouns = set(ATTACK_NOUNS) | PEOPLE | SITES | ATTACKERS | COLLECTIVE
    table: dict[str, str] = {}
    for noun in nouns:
        for form in _forms(noun, verb=False):
            table.setdefault(form, noun)
    for verb in verbs:
        for form in _forms(verb, verb=True):
            table[form] = verb
    table.update(_IRREGULAR)
    return table


_POS = {"MD": "AUX", "PRP": "PRON", "PRP$": "PRON", "WP": "PRON", "CD": "NUM", "DT": "DET"}


def pos(token: Any) -> str:
    """The word's class from its fine tag (the parse runs without spaCy's attribute ruler,
    which costs a third of the parse)."""
    tag = str(token.tag_)
    if tag in _POS:
        return _POS[tag]
    if tag.startswith("VB"):
        return "AUX" if token.dep_ in ("aux", "auxpass") else "VERB"
    if tag.startswith("NNP"):
        return "PROPN"
    if tag.startswith("NN"):
        return "NOUN"
    if tag in ("PDT", "WDT"):
        return "DET"
    return "ADJ" if tag.startswith("JJ") else "X"


def lemma(token: Any) -> str:
    """The dictionary form of the words this module knows (attack verbs, people, sites...):
    the only lemmas the roles are read with."""
    lower = str(token.lower_)
    return LEMMAS.get(lower, lower)


def may_report(sentence: str) -> bool:
    """Whether a sentence may report an attack (a cheap test before the parse): a word that
    begins like one of the attack verbs and nouns, and one of their forms as a whole word
    ("stable" and "explosives" begin like attack words and are none). Every word the parse
    could read as an attack (:func:`is_trigger` looks a word's lemma up in the same table)
    passes, so skipping the others changes no reading and saves their parse."""
    if CHEAP.search(sentence) is None:
        return False
    words = {w.lower() for w in _LETTERS.findall(sentence)}
    return not words.isdisjoint(TRIGGER_FORMS) or ("fire" in words and bool(words & OPEN_FORMS))


#: The beginnings of the attack words above, as whole-word prefixes ("fire" alone is no
#: attack, "opened fire" is; "hit" and "struck" are, "white" is not).
CHEAP = re.compile(
    r"\b(?:attack|bomb|kill|shot|shoot|stab|explo|blast|detonat|ambush|storm|ramm|rams?\b|"
    r"kidnap|abduct|behead|murder|assassin|wound|injur|gunm|massacre|siege|raid|"
    r"open(?:ed|s)? fire|target|struck|strik|hit\b|hits\b|gunned)",
    re.IGNORECASE,
)


def is_trigger(token: Any) -> bool:
    word = lemma(token)
    verb, noun = word in ATTACK_VERBS, word in ATTACK_NOUNS
    if not (verb or noun or word == "open"):
        return False  # most words: no attack word, whatever their class
    kind = pos(token)
    if kind in ("VERB", "AUX") and verb:
        return True
    if (
        kind == "VERB"
        and word == "open"
        and any(c.dep_ == "dobj" and lemma(c) == "fire" for c in token.children)
    ):
        return True
    return kind in ("NOUN", "PROPN") and noun


def kind_of(token: Any) -> str:
    if lemma(token) == "open":
        return "shooting"
    if pos(token) in ("VERB", "AUX"):
        return ATTACK_VERBS.get(lemma(token), "attack")
    return ATTACK_NOUNS.get(lemma(token), "attack")


def with_conjuncts(tokens: list[Any]) -> list[Any]:
    out = []
    for token in tokens:
        out.append(token)
        out += [c for c in token.conjuncts]
    return out


def agents_of(verb: Any) -> list[Any]:
    """The agent of a verb, through the clauses it hangs on (advcl, xcomp, conj)."""
    seen = 0
    while verb is not None and seen < 4:
        subjects = [c for c in verb.children if c.dep_ in ("nsubj",)]
        if subjects:
            return with_conjuncts(subjects)
        agents = [
            g for c in verb.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"
        ]
        if agents:
            return with_conjuncts(agents)
        if verb.dep_ in ("advcl", "xcomp", "conj", "acl") and verb.head is not verb:
            verb = verb.head
            seen += 1
            continue
        break
    return []


def roles_of(trigger: Any) -> tuple[list[Any], list[Any], list[Any], bool]:
    agents: list[Any] = []
    patients: list[Any] = []
    wheres: list[Any] = []
    claimed = False
    if pos(trigger) in ("VERB", "AUX"):
        passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in trigger.children)
        if trigger.dep_ == "acl" and trigger.tag_ == "VBN":
            # "two policemen killed by the blast": the noun the participle qualifies.
            patients += with_conjuncts([trigger.head])
            if trigger.head.dep_ == "appos":
                patients.append(trigger.head.head)
            agents += _by(trigger)
        elif passive:
            patients += with_conjuncts([c for c in trigger.children if c.dep_ == "nsubjpass"])
            agents += with_conjuncts(
                [
                    g
                    for c in trigger.children
                    if c.dep_ == "agent"
                    for g in c.children
                    if g.dep_ == "pobj"
                ]
            )
        else:
            agents += agents_of(trigger)
            objects = [c for c in trigger.children if c.dep_ == "dobj" and lemma(c) != "fire"]
            # "killed and detained militants": the object the coordinated verbs share.
            shared = [
                c
                for v in trigger.conjuncts
                if lemma(v) in ATTACK_VERBS or v.lower_.startswith(("detain", "arrest", "captur"))
                for c in v.children
                if c.dep_ == "dobj"
            ]
            patients += with_conjuncts(objects or shared[:1])
        for prep in trigger.children:
            if prep.dep_ == "prep":
                objects = with_conjuncts([g for g in prep.children if g.dep_ == "pobj"])
                if prep.lower_ in ("on", "at", "against", "into") and lemma(trigger) in (
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
                elif prep.lower_ in LOCATIVE:
                    wheres += objects
        # A subject that is itself an attack noun ("the blast killed five") is no agent.
        if any(lemma(a) in ATTACK_NOUNS for a in agents):
            noun = next(a for a in agents if lemma(a) in ATTACK_NOUNS)
            agents = [a for a in agents if lemma(a) not in ATTACK_NOUNS]
            more, _, more_where, more_claim = roles_of(noun)
            agents += more
            wheres += more_where
            claimed = claimed or more_claim
    else:
        for child in trigger.children:
            if child.dep_ == "poss":
                agents.append(child)
            elif child.dep_ == "prep":
                objects = with_conjuncts([g for g in child.children if g.dep_ == "pobj"])
                if child.lower_ == "by":
                    agents += objects
                elif child.lower_ in ("on", "against", "targeting"):
                    patients += [o for o in objects if o.ent_type_ not in ("GPE", "LOC")]
                    wheres += [o for o in objects if o.ent_type_ in ("GPE", "LOC")]
                elif child.lower_ in LOCATIVE:
                    wheres += objects
            elif child.dep_ == "acl" and lemma(child) in ("target", "kill"):
                patients += [g for g in child.children if g.dep_ == "dobj"]
            elif child.dep_ == "acl" and lemma(child) == "blame":
                agents += _objects(child, ("on",))
            elif child.dep_ == "acl" and lemma(child) in AUTHOR:
                agents += _by(child)
        head = trigger.head
        if trigger.dep_ == "nsubjpass" and lemma(head) in AUTHOR:
            # "The attack was carried out by X on a convoy in Y".
            agents += _by(head)
            # "carried out by X on a convoy": the parse often hangs the target on the agent.
            targets = _objects(head, ("on", "against"))
            targets += [o for a in _by(head) for o in _objects(a, ("on", "against"))]
            patients += [o for o in targets if not _named_place(o)]
            wheres += _objects(head, tuple(LOCATIVE - {"on"}))
        elif trigger.dep_ == "nsubj" and lemma(head) in ("occur", "happen", "take", "be"):
            # "The attack took place in Mulhouse", "the blast happened at a market".
            wheres += _objects(head, tuple(LOCATIVE - {"on"}))
        elif trigger.dep_ == "pobj" and head.lower_ == "behind" and head.head is not head:
            agents += agents_of(head.head)  # "X was behind the attack"
        elif (
            trigger.dep_ == "pobj"
            and head.lower_ == "for"
            and lemma(head.head) == "responsible"
            and head.head.head is not head.head
        ):
            agents += agents_of(head.head.head)  # "X was responsible for the attack"
        # "claimed responsibility for the attack", "carried out the attack".
        if trigger.dep_ == "pobj" and head.lower_ == "for" and lemma(head.head) == "responsibility":
            claim = head.head.head
            if lemma(claim) in ("claim", "take", "accept"):
                agents += agents_of(claim)
                claimed = True
        elif trigger.dep_ == "dobj" and lemma(head) in CARRY and carried_out(head):
            agents += agents_of(head)
        elif trigger.dep_ == "dobj" and lemma(head) == "claim":
            agents += agents_of(head)
            claimed = True
        if trigger.dep_ == "nsubj" and lemma(head) in EFFECT:
            patients += with_conjuncts([c for c in head.children if c.dep_ == "dobj"])
            wheres += [
                g
                for c in head.children
                if c.dep_ == "prep" and c.lower_ in LOCATIVE
                for g in c.children
                if g.dep_ == "pobj"
            ]
    patients = whole_targets(patients)
    wheres += located(patients)
    # "two policemen, Adam X and Adam Y": the named persons the patient stands for; "militants
    # belonging to the X group": the group.
    named = [
        c
        for p in patients
        if lemma(p) in PEOPLE
        for c in p.children
        if c.dep_ == "appos" and pos(c) == "PROPN"
    ]
    patients += with_conjuncts(named)
    agents += [
        g
        for a in agents
        for acl in a.children
        if acl.dep_ == "acl" and acl.lower_ in ("belonging", "loyal")
        for g in _objects(acl, ("to",))
    ]
    return agents, patients, with_appositions(wheres), claimed


def carried_out(verb: Any) -> bool:
    """ "carried out the attack", not "was carrying the bomb": "carry" authors an attack
    only with "out"."""
    return lemma(verb) != "carry" or any(
        c.dep_ == "prt" and c.lower_ == "out" for c in verb.children
    )


def _objects(token: Any, preps: tuple[str, ...]) -> list[Any]:
    return with_conjuncts(
        [
            g
            for c in token.children
            if c.dep_ == "prep" and c.lower_ in preps
            for g in c.children
            if g.dep_ == "pobj"
        ]
    )


def _by(verb: Any) -> list[Any]:
    return with_conjuncts(
        [g for c in verb.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
    )


def _named_place(token: Any) -> bool:
    return token.ent_type_ in ("GPE", "LOC")


#: Parts of a target: "rammed the gates of a base" attacked the base.
PARTS = frozenset("gate gates entrance door doors wall walls fence roof perimeter".split())
#: Site words that, bare and definite ("stormed the building"), only refer back to a target
#: named before.
ANAPHORIC = frozenset("building compound site structure premises facility".split())


def whole_targets(patients: list[Any]) -> list[Any]:
    out = []
    for token in patients:
        if lemma(token) in PARTS or lemma(token) in ANAPHORIC:
            whole = [
                g
                for c in token.children
                if c.dep_ == "prep" and c.lower_ == "of"
                for g in c.children
                if g.dep_ == "pobj"
            ]
            if whole:
                out += whole
                continue
            if lemma(token) in PARTS:
                continue
            lefts = [c for c in token.lefts if c.dep_ != "det"]
            if not lefts and any(c.lower_ == "the" for c in token.lefts):
                continue  # "the building": the target named before
        out.append(token)
    return out


def located(patients: list[Any]) -> list[Any]:
    """Where the attacked were: "an attack on a convoy in Peshawar", "a convoy of CRPF
    personnel in Lawaypora"."""
    out: list[Any] = []
    todo = list(patients)
    while todo:
        token = todo.pop()
        for c in token.children:
            if c.dep_ != "prep" or c.lower_ not in (LOCATIVE - {"on"}) | {"of"}:
                continue
            objects = [g for g in c.children if g.dep_ == "pobj"]
            (todo if c.lower_ == "of" else out).extend(objects)
    return out


def with_appositions(tokens: list[Any]) -> list[Any]:
    """ "in Peshawar, Pakistan", "at the shrine in Shiraz": places inside places."""
    out = []
    for token in tokens:
        out.append(token)
        out += [c for c in token.children if c.dep_ in ("appos", "conj")]
        # "a village called X", "the city of Peshawar", "the outskirts of Srinagar".
        for acl in token.children:
            if acl.dep_ == "acl" and acl.lower_ in ("called", "named", "known"):
                out += [g for g in acl.children if g.dep_ in ("oprd", "attr", "dobj")]
        for prep in token.children:
            if prep.dep_ != "prep":
                continue
            if prep.lower_ in LOCATIVE:
                out += [g for g in prep.children if g.dep_ == "pobj"]
            elif prep.lower_ == "of" and pos(token) == "NOUN":
                out += [g for g in prep.children if g.dep_ == "pobj" and pos(g) == "PROPN"]
    return out


#: Words that count or compare those named, not what they are: "three more officers",
#: "several police" name officers and police.
QUANTIFIERS = frozenset("more other others several many some few additional further".split())


def phrase_tokens(token: Any) -> list[Any]:
    keep = [
        t
        for c in token.lefts
        if c.dep_ in ("compound", "amod", "nmod", "poss")
        and pos(c) not in ("DET", "NUM", "PRON")
        and c.lower_ not in QUANTIFIERS
        for t in c.subtree
        if pos(t) not in ("DET", "PRON") and t.dep_ != "case"
    ]
    tokens = [*keep, token]
    if lemma(token) in COLLECTIVE:
        for prep in token.children:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                for obj in prep.children:
                    if obj.dep_ == "pobj":
                        tokens += [prep, *phrase_tokens(obj)]
    return sorted(tokens, key=lambda t: t.i)


def phrase(token: Any) -> str:
    tokens = phrase_tokens(token)
    first, last = tokens[0], tokens[-1]
    return str(token.doc.text[first.idx : last.idx + len(last.text)])


#: Words that name an armed group ("Islamic State", "... Front", "Lashkar-..."); "State"
#: alone names a place as often ("Borno State").
GROUP_WORDS = (
    "islamic-state front army movement jamaat brigade taliban qaeda shabab haram party jihad "
    "mujahid liberation isis isil daesh hamas hezbollah pkk group network militia ansar "
    "jaish lashkar tehrik harakat"
).split()


def group_words(name: str) -> bool:
    lower = name.lower().replace("islamic state", "islamic-state")
    return any(w in lower for w in GROUP_WORDS)


LEMMAS = _lemmas()
#: Every form whose lemma is an attack verb or noun (what :func:`is_trigger` can accept).
TRIGGER_FORMS = frozenset(
    {form for form, word in LEMMAS.items() if word in ATTACK_VERBS or word in ATTACK_NOUNS}
    | set(ATTACK_VERBS)
    | set(ATTACK_NOUNS)
)
#: "opened fire": "open" is an attack only with "fire" for its object.
OPEN_FORMS = frozenset(form for form, word in LEMMAS.items() if word == "open") | {"open"}
_LETTERS = re.compile(r"[A-Za-z]+")
