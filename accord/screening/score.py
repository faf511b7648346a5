"""Scoring a query name against a register name, from 0 to 1, with reasons a person can check.

Each word of the query is paired with at most one word of the register name, the best pair
first; a pair counts by how it matched: exactly, after transliteration or romanisation
folding, by consonant skeleton (unvocalised Arabic), by edit distance, or as an initial.
Generic organisation and company words weigh less. The score is the weighted share of both
names that found a partner, leaning on the shorter name so that a missing middle name costs
little; a screening hit is a lead for a person, and the explanation says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import Levenshtein

from accord.screening.normalise import Token, to_latin, tokens

GENERIC_WEIGHT = 0.2
CONFLICT_PENALTY = 0.7
COMPANY_WORDS = frozenset(
    {
        "limited",
        "ltd",
        "plc",
        "inc",
        "llc",
        "co",
        "corp",
        "corporation",
        "company",
        "jsc",
        "ojsc",
        "pjsc",
        "ooo",
        "ao",
        "gmbh",
        "ag",
        "sa",
        "srl",
        "bv",
        "holding",
        "holdings",
        "group",
        "joint",
        "stock",
        "trading",
        "international",
        "industries",
        "enterprise",
        "cjsc",
        "intl",
        "sp",
        "z",
        "oo",
    }
)
VOWELS = str.maketrans("", "", "aeiouy")


_PHONETIC = (
    ("sch", "s"),
    ("sh", "s"),
    ("ch", "k"),
    ("kh", "h"),
    ("ph", "f"),
    ("th", "t"),
    ("dh", "d"),
    ("gh", "g"),
    ("x", "s"),
    ("q", "k"),
    ("c", "k"),
    ("z", "s"),
    ("w", "v"),
    ("y", "i"),
    ("j", "i"),
)


@lru_cache(maxsize=500_000)
def phonetic(word: str) -> str:
    """A sound key: letters that romanisations use for one sound folded together (Xi/Shi/Si,
    Qaeda/Kaida), vowels after the first letter dropped, doubled letters once."""
    for source, target in _PHONETIC:
        word = word.replace(source, target)
    key = word[:1] + word[1:].translate(VOWELS)
    return "".join(c for i, c in enumerate(key) if i == 0 or c != key[i - 1])


@lru_cache(maxsize=500_000)
def skeleton(word: str) -> str:
    """The consonants of a word, after its first letter: how unvocalised Arabic reads."""
    return word[:1] + word[1:].translate(VOWELS)


@dataclass(frozen=True, slots=True)
class Pair:
    query: str
    register: str
    how: str  # exact | romanisation | skeleton | edit distance | initial
    similarity: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "register": self.register,
            "how": self.how,
            "similarity": round(self.similarity, 3),
        }


@dataclass(slots=True)
class Score:
    score: float
    pairs: list[Pair] = field(default_factory=list)
    unmatched_query: list[str] = field(default_factory=list)
    unmatched_register: list[str] = field(default_factory=list)

    def explanation(self) -> dict[str, Any]:
        return {
            "pairs": [p.as_dict() for p in self.pairs],
            "unmatched_query": self.unmatched_query,
            "unmatched_register": self.unmatched_register,
        }


def _weight(token: Token) -> float:
    return GENERIC_WEIGHT if token.generic or token.text in COMPANY_WORDS else 1.0


def _similarity(a: str, b: str, raw_a: str, raw_b: str) -> tuple[float, str]:
    if a == b:
        return 1.0, "exact" if raw_a == raw_b else "romanisation"
    if len(a) == 1 or len(b) == 1:
        return (0.6, "initial") if a[0] == b[0] else (0.0, "")
    if len(a) > 2 and len(b) > 2 and skeleton(a) == skeleton(b):
        return 0.88, "skeleton"
    similarity = Levenshtein.normalized_similarity(a, b)
    if similarity >= 0.7 and min(len(a), len(b)) >= 4:  # "uday"/"ali" are not typos
        return similarity, "edit distance"
    if phonetic(a) == phonetic(b):  # both have two letters or more here
        return (0.8 if min(len(a), len(b)) > 3 else 0.75), "phonetic"
    return 0.0, ""


@dataclass(frozen=True, slots=True)
class PreparedName:
    """A name analysed once: its tokens, their weights, its words before folding, whole."""

    tokens: tuple[Token, ...]
    weights: tuple[float, ...]
    raw: frozenset[str]
    joined: str


@lru_cache(maxsize=200_000)
def prepare_name(name: str) -> PreparedName:
    found = tuple(tokens(name))
    return PreparedName(
        found,
        tuple(_weight(t) for t in found),
        frozenset(to_latin(name).split()),
        "".join(t.text for t in found),
    )


def compare(query: str, candidate: str) -> Score:
    """Score ``candidate`` (a register name) for ``query``."""
    return compare_prepared(prepare_name(query), prepare_name(candidate))


def compare_prepared(query: PreparedName, candidate: PreparedName) -> Score:
    left, right = query.tokens, candidate.tokens
    if not left or not right:
        return Score(0.0)
    options = []
    for i, a in enumerate(left):
        raw_a = a.text if a.text in query.raw else ""
        for j, b in enumerate(right):
            similarity, how = _similarity(
                a.text, b.text, raw_a, b.text if b.text in candidate.raw else ""
            )
            if similarity > 0:
                options.append((similarity, i, j, how))
    options.sort(key=lambda o: -o[0])
    used_left: set[int] = set()
    used_right: set[int] = set()
    pairs: list[tuple[int, int, float, str]] = []
    for similarity, i, j, how in options:
        if i not in used_left and j not in used_right:
            used_left.add(i)
            used_right.add(j)
            pairs.append((i, j, similarity, how))
    got_left = sum(query.weights[i] * s for i, _, s, _ in pairs)
    got_right = sum(candidate.weights[j] * s for _, j, s, _ in pairs)
    share_left, share_right = got_left / sum(query.weights), got_right / sum(candidate.weights)
    token_score = 0.6 * min(share_left, share_right) + 0.4 * max(share_left, share_right)
    # A part missing on one side is common (a middle name, a legal form); a part present on
    # both sides that matches nothing is a conflict: another person or group.
    lone_left = sum(1 for i, w in enumerate(query.weights) if i not in used_left and w == 1.0)
    lone_right = sum(1 for j, w in enumerate(candidate.weights) if j not in used_right and w == 1.0)
    token_score *= CONFLICT_PENALTY ** min(lone_left, lone_right)
    # Words split or run together ("Ramimakhlouf", "Patr ushev"): the names written whole.
    score = token_score
    if abs(len(query.joined) - len(candidate.joined)) <= 0.2 * max(len(query.joined), 1):
        joined = Levenshtein.normalized_similarity(query.joined, candidate.joined)
        score = max(token_score, joined if joined >= 0.9 else 0.0)
    return Score(
        round(min(score, 1.0), 4),
        [Pair(left[i].text, right[j].text, how, s) for i, j, s, how in pairs],
        [t.text for i, t in enumerate(left) if i not in used_left],
        [t.text for j, t in enumerate(right) if j not in used_right],
    )
