"""Candidate retrieval: postings over every name of every subject, so that a query reads a
few short lists instead of the whole register.

A name is reachable by each of its folded words, each word's consonant skeleton (unvocalised
Arabic), each word's leading and trailing letters (a typo late or early in a word), and, for a
name of several words, its initials (so that "PLA" finds "People's Liberation Army"); a
short word also by its one-letter deletions, which a typo in it leaves partly intact. Generic
organisation words, titles and legal forms are not posted: they would point at everything.
The index follows the register by name ids:
:meth:`ScreeningIndex.refresh` adds new names and drops vanished ones, without a rebuild.
"""

from __future__ import annotations

import gc
import heapq
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Connection, func, select

from accord.screening.equivalents import FAMILIES
from accord.screening.lexicon import translate
from accord.screening.normalise import tokens
from accord.screening.pieces import STOPWORDS
from accord.screening.score import PreparedName, prepare_name
from accord.screening.similarity import skeleton
from accord.screening.transcription import skeleton_guesses, transcription_similarity
from accord.store.schema import (
    register_designations,
    register_imports,
    register_links,
    register_names,
    register_subjects,
)

PREFIX = 4
#: Postings up to this long are tuples, longer ones sets.
SMALL_POSTING = 8
#: Words up to this long are also posted under their one-letter deletions.
SHORT = 4
#: How many names a query visits in full before long postings only add to those found.
VISIT_BUDGET = 250
#: Candidates sharing less than this part of the best candidate's key weight are dropped.
#: 0.45 keeps every recall figure of the labelled set (bench-screening) that 0.35 gave, with
#: precision as good or better, and scores a tenth fewer names per query.
SHARE_FLOOR = 0.45
#: A word held by at most this share of the register's names counts fully.
RARE = 0.005
#: Words whose rarity is remembered at most.
RARITY_MEMO = 200_000
#: Most names compared by sound for a query's words transcribed in Chinese characters.
SOUNDING_VISITS = 600
#: Longest fuzzy (skeleton, prefix) posting read when the query also has whole-word hits.
FUZZY_POSTING_LIMIT = 300


class Entry(NamedTuple):
    """One name of one subject."""

    name_id: int
    subject_id: int
    name: str
    acronyms: bool
    #: The name analysed for scoring, made when the index is built; an index loaded from a
    #: snapshot analyses a name when first scored instead (prepare_name keeps it).
    analysed: PreparedName | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        return name_keys(self.name, acronyms=self.acronyms)

    @property
    def prepared(self) -> PreparedName:
        return self.analysed or prepare_name(self.name)


@dataclass
class Subject:
    name: str
    kind: str
    details: dict[str, Any]
    references: list[str] = field(default_factory=list)


def name_keys(name: str, *, acronyms: bool = False) -> tuple[str, ...]:
    """The posting keys of a name; with ``acronyms``, also its initials as a word."""
    keys: set[str] = set()
    found = tokens(name)
    for token in found:
        keys.update(_word_keys(token.text, token.generic))
        if token.role == "generic" and token.text not in STOPWORDS and len(token.text) > 2:
            # An organisation word is a key too, of little weight (its posting is long):
            # a name made mostly of such words ("Harakat-ul Jihad Islami") is found by them.
            keys.add("w:" + token.text)
    if not name.isascii():
        # A name in another script is found by its translation too ("Эмират Кавказ" by
        # "Caucasus Emirate").
        for translation in translate(name):
            for token in tokens(translation.text):
                keys.update(_word_keys(token.text, token.generic))
    korean = prepare_name(name).korean
    if korean is not None:
        # A Korean name by its family name's romanisation family and its given name's
        # syllables, however spelt, joined or split ("Gim Gwangil" / "KIM KWANG IL").
        family = min(FAMILIES.get(korean[0], (0,)))
        # Weighed as whole words ("w" first): they say as much as a word in common.
        keys.add(f"wk:{family}:{korean[1]}")
        keys.add(f"wg:{korean[1]}")
    if acronyms and 2 <= len(found) <= 8:
        keys.add("w:" + "".join(t.text[0] for t in found))
        keys.add("w:" + "".join(t.text[0] for t in found if t.text not in STOPWORDS))
    return tuple(keys)


@lru_cache(maxsize=500_000)
def _word_keys(word: str, generic: bool) -> tuple[str, ...]:
    """One word's keys, made once and shared by every name that holds it."""
    if generic:
        return ()
    keys = ["w:" + word]
    consonants = skeleton(word)
    if len(consonants) >= 2:
        keys.append("s:" + consonants)
    if len(word) >= PREFIX:
        keys += ["p:" + word[:PREFIX], "x:" + word[-PREFIX:]]
    if 3 <= len(word) <= SHORT:
        # A short word has few other keys a typo leaves intact: the word and its one-letter
        # deletions meet the same of a word one edit away ("goan" / "gman": "gan").
        keys += ["d:" + word] + ["d:" + word[:i] + word[i + 1 :] for i in range(len(word))]
    return tuple(dict.fromkeys(keys))


class ScreeningIndex:
    def __init__(self) -> None:
        self.entries: dict[int, Entry] = {}
        #: key -> the ids of the names holding it: a tuple while short (most keys belong to
        #: a name or two, and a set costs four times a small tuple), a set past SMALL_POSTING.
        self.postings: dict[str, tuple[int, ...] | set[int]] = {}
        self.subjects: dict[int, Subject] = {}
        self.signature: tuple[Any, ...] | None = None
        #: How many names hold each folded word: rare words say more about who is meant.
        self.frequency: Counter[str] = Counter()
        self._rarity: dict[str, float] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, name_id: int, subject_id: int, name: str, kind: str | None = None) -> None:
        """Index one name; a body's name is also found by its initials ("PLA")."""
        entry = Entry(name_id, subject_id, name, kind != "person", prepare_name(name))
        self.entries[name_id] = entry
        frequency = self.frequency
        for word in {t.text for t in tokens(name)}:
            frequency[word] = frequency.get(word, 0) + 1
        if self._rarity:
            self._rarity.clear()
        postings = self.postings
        for key in entry.keys:
            posting = postings.get(key)
            if posting is None:
                postings[key] = (name_id,)
            elif isinstance(posting, tuple):
                if len(posting) < SMALL_POSTING:
                    postings[key] = (*posting, name_id)
                else:
                    postings[key] = {*posting, name_id}
            else:
                posting.add(name_id)

    def add_many(self, rows: Iterable[tuple[int, int, str, str | None]]) -> None:
        """Index many names (name id, subject id, name, kind) at once.

        The cyclic garbage collector is paused meanwhile (a build makes millions of small
        objects and none of them cycles; the collector's passes over them would double the
        time), and what was built is frozen out of its later passes."""
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            for name_id, subject_id, name, kind in rows:
                self.add(name_id, subject_id, name, kind)
        finally:
            if was_enabled:
                gc.enable()
            gc.freeze()

    def remove(self, name_id: int) -> None:
        entry = self.entries.pop(name_id, None)
        if entry is None:
            return
        self.frequency.subtract({t.text for t in tokens(entry.name)})
        self._rarity.clear()
        for key in entry.keys:
            posting = self.postings.get(key)
            if posting is None:
                continue
            if isinstance(posting, tuple):
                posting = tuple(n for n in posting if n != name_id)
                self.postings[key] = posting
            else:
                posting.discard(name_id)
            if not posting:
                del self.postings[key]

    def rarity(self, word: str) -> float:
        """1.0 for a word few names hold, down to 0.4 for one in a tenth of them or more."""
        known = self._rarity.get(word)
        if known is not None:
            return known
        share = self.frequency.get(word, 0) / max(len(self.entries), 1)
        value = 1.0 if share <= RARE else max(0.4, 1.0 - 0.2 * math.log2(share / RARE))
        if len(self._rarity) >= RARITY_MEMO:
            self._rarity.clear()  # queries of millions of distinct words: bounded
        self._rarity[word] = value
        return value

    def candidates(self, query: str, limit: int = 50) -> list[Entry]:
        """Names sharing the most (and the rarest) keys with the query.

        Keys are read rarest first. Once ``VISIT_BUDGET`` names have been visited, a long
        posting only adds to names already found, so that a query costs about the same
        however large the register grows."""
        weights: dict[int, float] = {}
        # All the keys of every word: a word the register holds as written may still be a
        # typo of another ("Vazali" for "Vazani").
        keys = name_keys(query)
        has_words = any(k[0] == "w" and k in self.postings for k in keys)
        found = sorted(
            ((len(posting), key, posting) for key in keys if (posting := self.postings.get(key))),
            key=itemgetter(0),
        )
        budget = VISIT_BUDGET
        for size, key, posting in found:
            weight = (2.0 if key[0] == "w" else 1.0) / (1.0 + size / 50)
            # A long posting only adds to the names found so far: past the visit budget, and
            # for a fuzzy key most names share when the query has words to go by.
            long = size > budget or (key[0] != "w" and size > FUZZY_POSTING_LIMIT and has_words)
            if long and weights:
                for name_id in weights.keys() & posting:  # intersected in C, smaller side
                    weights[name_id] += weight
            else:
                budget -= size
                common = weights.keys() & posting
                for name_id in common:
                    weights[name_id] += weight
                if not common:
                    fresh: Iterable[int] = posting
                elif isinstance(posting, tuple):
                    fresh = [n for n in posting if n not in common]
                else:
                    fresh = posting - common
                weights.update(dict.fromkeys(fresh, weight))
        best = heapq.nlargest(limit + 1, weights.items(), key=itemgetter(1))
        if len(best) > limit:
            cut = best[limit - 1][1]
            if best[limit][1] == cut:
                # Ties at the cut go to the lower name ids, so that every process (built or
                # loaded from the snapshot, any hash seed) keeps the same names.
                ties = sorted(n for n, w in weights.items() if w == cut)
                best = [b for b in best if b[1] > cut]
                best += [(n, cut) for n in ties[: limit - len(best)]]
            else:
                best = best[:limit]
        if not best:
            return []
        # Names that share far less with the query than the best one are not worth scoring.
        floor = best[0][1] * SHARE_FLOOR
        return [self.entries[name_id] for name_id, weight in best if weight >= floor]

    def sounding(self, sounds: tuple[tuple[str, str], ...], limit: int = 10) -> list[Entry]:
        """Names with a word (or two words written together) that sounds like a foreign name
        transcribed in Chinese characters (``sounds``: the reading's word and its syllables),
        best first: the names under the consonant skeletons its original may have, each
        compared by sound. Bounded: at most ``SOUNDING_VISITS`` names are compared."""
        heard: dict[int, float] = {}
        visited = 0
        for _, syllables in sounds:
            for guess in skeleton_guesses(syllables):
                for name_id in self.postings.get("s:" + guess, ()):
                    if name_id in heard or visited >= SOUNDING_VISITS:
                        continue
                    visited += 1
                    words = [t.text for t in self.entries[name_id].prepared.tokens]
                    runs = words + [a + b for a, b in zip(words, words[1:], strict=False)]
                    heard[name_id] = max(transcription_similarity(syllables, w) for w in runs)
        best = heapq.nlargest(limit, ((w, n) for n, w in heard.items() if w >= 0.85))
        return [self.entries[name_id] for _, name_id in best]

    def refresh(self, connection: Connection) -> bool:
        """Catch up with the register; True when anything changed."""
        signature = _signature(connection)
        if signature == self.signature:
            return False
        current = dict(
            connection.execute(select(register_names.c.id, register_names.c.subject_id)).all()
        )
        for name_id in [i for i in self.entries if current.get(i) != self.entries[i].subject_id]:
            self.remove(name_id)
        new_ids = [i for i in current if i not in self.entries]
        for start in range(0, len(new_ids), 5000):
            chunk = new_ids[start : start + 5000]
            rows = connection.execute(
                select(
                    register_names.c.id,
                    register_names.c.subject_id,
                    register_names.c.name,
                    register_subjects.c.kind,
                )
                .join(register_subjects, register_subjects.c.id == register_names.c.subject_id)
                .where(register_names.c.id.in_(chunk))
            )
            self.add_many((row.id, row.subject_id, row.name, row.kind) for row in rows)
        self._load_subjects(connection)
        self.signature = signature
        return True

    def _load_subjects(self, connection: Connection) -> None:
        subjects = {
            row.id: Subject(row.name, row.kind, orjson.loads(row.details))
            for row in connection.execute(
                select(
                    register_subjects.c.id,
                    register_subjects.c.name,
                    register_subjects.c.kind,
                    register_subjects.c.details,
                )
            )
        }
        for row in connection.execute(
            select(register_designations.c.subject_id, register_designations.c.reference).where(
                register_designations.c.reference.is_not(None)
            )
        ):
            subject = subjects.get(row.subject_id)
            if subject is not None and row.reference not in subject.references:
                subject.references.append(row.reference)
        self.subjects = subjects


def _signature(connection: Connection) -> tuple[Any, ...]:
    """Changes whenever an import or a link decision may have changed names or subjects (the
    latest import's file digest too, so that another database of the same counts differs)."""
    latest = connection.execute(
        select(register_imports.c.id, register_imports.c.sha256)
        .order_by(register_imports.c.id.desc())
        .limit(1)
    ).first()
    names = connection.execute(
        select(func.count(register_names.c.id), func.max(register_names.c.id))
    ).one()
    links = connection.execute(
        select(func.count(register_links.c.id), func.count().filter(register_links.c.active))
    ).one()
    return (
        tuple(latest) if latest else None,
        int(names[0]),
        names[1],
        int(links[0]),
        int(links[1]),
    )
