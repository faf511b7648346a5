"""Attack words that report no attack of the article's own: one named only by what came
after it (its trial, its suspects, an investigation into it), or one only planned."""

from __future__ import annotations

from typing import Any

from accord.ingest.parse import INTENT, lemma, pos

#: What only refers to an attack after the fact: its trial, its suspects, its investigation,
#: blame or condemnation ("the perpetrators of the attack were sentenced", "blames X for
#: attacks", "condemned the attack"): no reading of who did it or where.
AFTERMATH = frozenset(
    "perpetrator perpetrators suspect suspects case verdict trial involvement investigation "
    "probe inquiry evidence connection link sentence charge charges organiser organizer "
    "mastermind condemn condemned condemns investigate investigated blame blamed blames "
    "sentenced convicted accused charged tried mourn mourned denounce denounced".split()
)


def aftermath(trigger: Any) -> bool:
    """An attack noun named only by what came after it ("suspects of the attack", "the
    verdict in the case of the attack", "China blames X for attacks")."""
    if pos(trigger) not in ("NOUN", "PROPN"):
        return False
    head = trigger.head
    if trigger.dep_ == "dobj":
        if _after_the_fact(head):
            return True
        # "accused the suspects of committing the attack", "charged with carrying out".
        return (
            head.dep_ == "pcomp"
            and head.head.dep_ == "prep"
            and head.head.lower_ in ("of", "with", "for")
            and _after_the_fact(head.head.head)
        )
    if trigger.dep_ == "pobj" and head.lower_ in ("of", "in", "for", "into", "with"):
        governor = head.head
        # "demanded investigations into the attack": the parse hangs "into" on the verb.
        return _after_the_fact(governor) or any(
            c.dep_ == "dobj" and _after_the_fact(c) for c in governor.children
        )
    return False


def _after_the_fact(token: Any) -> bool:
    """A word of :data:`AFTERMATH`, singular or plural ("investigations into the attack")."""
    word = token.lower_
    return word in AFTERMATH or lemma(token) in AFTERMATH or word.removesuffix("s") in AFTERMATH


def intended(trigger: Any) -> bool:
    """An attack only planned or plotted ("planning attacks in Moscow", "plots to bomb")."""
    if any(c.dep_ in ("compound", "amod") and lemma(c) in INTENT for c in trigger.children):
        return True  # "terrorists planning attacks" in a telegraphic headline
    node = trigger
    for _ in range(3):
        if node.head is node:
            return False
        node = node.head
        if lemma(node) in INTENT:
            return True
    return False
