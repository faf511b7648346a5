"""Incidents in Russian articles from Natasha's dependency parse, as for English
(:mod:`accord.ingest.roles`): the perpetrator is the subject of the attack verb (or of
«взять ответственность» for the attack), the victim its object, what an attack was «на» or
the subject of «погибли», «пострадали»; the place a named location the attack is «в», «на»,
«у». Parties are brought to the nominative; bare counts («15 человек») are no parties.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from accord.ingest.nlp import PIECE, russian_doc
from accord.ingest.russian import nominative
from accord.ingest.state import ReaderBase, party_ref, sentence_incident
from accord.screening.lexicon import morphology

ATTACK_VERBS = frozenset(
    "взорвать подорвать атаковать напасть убить расстрелять застрелить обстрелять ранить "
    "захватить похитить зарезать устроить совершить протаранить".split()
)
ATTACK_NOUNS = frozenset(
    "теракт взрыв нападение атака обстрел стрельба подрыв захват убийство покушение бойня "
    "террористический".split()
)
SUFFER = frozenset("погибнуть пострадать скончаться получить".split())
ATTACKERS = frozenset(
    "террорист смертник террорист-смертник боевик нападавший стрелок злоумышленник "
    "преступник экстремист бандит исламист неизвестный смертница".split()
)
PEOPLE = frozenset(
    "полицейский сотрудник военный военнослужащий силовик житель гражданин ребёнок ребенок "
    "турист пассажир прихожанин посетитель зритель охранник журналист дипломат чиновник "
    "солдат пограничник инспектор гаишник священник имам заложник работник".split()
)
SITES = frozenset(
    "здание пост посольство метро станция аэропорт вокзал отдел отделение школа мечеть "
    "церковь синагога храм рынок зал клуб кафе гостиница отель автобус поезд блокпост "
    "казарма база колонна машина кортеж центр офис суд консульство вагон концерт".split()
)
_CHEAP = re.compile(
    r"взорв|подорв|атак|напа|убил|убит|расстрел|застрел|обстрел|ранен|захват|похи|теракт|"
    r"взрыв|нападени|стрельб|покушени|погиб|пострада|смертник",
    re.IGNORECASE,
)
_BACKGROUND = re.compile(r"\b(ранее|годом ранее|в прошлом году|лет назад|напомним|напомнил)", re.I)


@lru_cache(maxsize=20_000)
def _lemma(word: str) -> str:
    return str(morphology().parse(word)[0].normal_form).replace("ё", "е")


class RussianIncidents(ReaderBase):
    """The Russian reader's part that reads incidents."""

    def _russian_incidents(self, sentences: list[tuple[int, int]]) -> None:
        for start, end in sentences:
            if not _CHEAP.search(self.text, start, end):
                continue
            end = min(end, start + PIECE)  # a "sentence" a page long: its first piece
            doc = russian_doc(self.text[start:end], syntax=True)
            tokens = doc.tokens
            by_id = {t.id: t for t in tokens}
            children: dict[str, list[Any]] = {}
            for t in tokens:
                children.setdefault(t.head_id, []).append(t)
            self._one(start, end, tokens, by_id, children)
            self.check_time()

    def _one(
        self,
        start: int,
        end: int,
        tokens: list[Any],
        by_id: dict[str, Any],
        children: dict[str, list[Any]],
    ) -> None:
        perpetrators: list[dict[str, Any]] = []
        victims: list[dict[str, Any]] = []
        places: list[dict[str, Any]] = []
        claimed = False

        def kids(t: Any, *rels: str) -> list[Any]:
            return [c for c in children.get(t.id, []) if c.rel in rels]

        def case(t: Any) -> str:
            marks = kids(t, "case")
            return marks[0].text.lower() if marks else ""

        def subtree(t: Any) -> list[Any]:
            out, todo, seen = [], [t], set()
            while todo:  # iterative, and safe when a parse has a cycle
                node = todo.pop()
                if node.id in seen:
                    continue
                seen.add(node.id)
                out.append(node)
                todo += children.get(node.id, [])
            return out

        def where(t: Any) -> None:
            for inner in subtree(t):
                item = self.item_at(start + inner.start)
                if item is not None and item.kind == "location":
                    party_ref(places, item, start + inner.start)

        triggers = []
        for t in tokens:
            lemma = _lemma(t.text.lower())
            if (t.pos == "VERB" and lemma in ATTACK_VERBS) or (
                t.pos in ("NOUN", "ADJ") and lemma in ATTACK_NOUNS
            ):
                triggers.append((t, lemma))
        for t in tokens:
            if t.pos == "VERB" and _lemma(t.text.lower()) in SUFFER:
                for subject in kids(t, "nsubj"):
                    self._ru_party(victims, subject, start, PEOPLE | SITES, "target")
        if not triggers and not victims:
            return
        for t, lemma in triggers:
            if t.pos == "VERB":
                for subject in kids(t, "nsubj"):
                    self._ru_party(perpetrators, subject, start, ATTACKERS, "unnamed")
                for obj in kids(t, "obj", "nsubj:pass"):
                    self._ru_party(victims, obj, start, PEOPLE | SITES, "target")
                for obl in kids(t, "obl"):
                    if case(obl) in ("на", "против") and lemma in ("напасть", "атаковать"):
                        self._ru_party(victims, obl, start, PEOPLE | SITES, "target")
                    if case(obl) in ("в", "на", "у", "возле", "около", "под"):
                        self._ru_party(victims, obl, start, SITES, "target")
                        where(obl)
            else:
                for nmod in kids(t, "nmod", "amod"):
                    if case(nmod) in ("на", "против"):
                        self._ru_party(victims, nmod, start, PEOPLE | SITES, "target")
                    elif case(nmod) in ("в", "у", "возле", "около"):
                        self._ru_party(victims, nmod, start, SITES, "target")
                    where(nmod)
                head = by_id.get(t.head_id)
                if head is not None and _lemma(head.text.lower()) == "ответственность":
                    verb = by_id.get(head.head_id)
                    if verb is not None and _lemma(verb.text.lower()) in ("взять", "заявить"):
                        for subject in kids(verb, "nsubj"):
                            self._ru_party(perpetrators, subject, start, ATTACKERS, "unnamed")
                            for appos in kids(subject, "appos"):
                                self._ru_party(perpetrators, appos, start, ATTACKERS, "unnamed")
                        claimed = True
        if not (perpetrators or victims or places):
            return
        self.incidents.append(
            sentence_incident(
                self.text,
                (start, end),
                (perpetrators, victims, places),
                claimed=claimed,
                background=bool(_BACKGROUND.search(self.text[start:end])),
                read_from="the sentence's dependency parse (Natasha)",
            )
        )

    def _ru_party(
        self,
        found: list[dict[str, Any]],
        token: Any,
        offset: int,
        classes: frozenset[str],
        kind: str,
    ) -> None:
        item = self.item_at(offset + token.start)
        if item is not None:
            if item.kind == "location":
                return
            if kind == "unnamed" and item.kind == "organisation" and not item.group:
                return  # a body beside an attack is no perpetrator unless a group
            party_ref(found, item, offset + token.start)
            return
        if token.pos in ("PRON", "NUM"):
            return
        lemma = _lemma(token.text.lower())
        if lemma not in classes and lemma.split("-")[0] not in classes:
            return
        start = offset + token.start
        text = self.text[start : offset + token.stop]
        name = nominative(text, "organisation")
        if any(f["name"].lower() == name.lower() for f in found):
            return
        found.append(
            {
                "name": name,
                "kind": kind,
                "evidence": {"start": start, "end": start + len(text), "text": text},
            }
        )
