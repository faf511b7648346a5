"""Scoring a query name against a register name, from 0 to 1, with reasons a person can check.

Each word of the query is paired with at most one word of the register name, the best pair
first; a pair counts by how it matched: exactly, after transliteration or romanisation
folding, by consonant skeleton (unvocalised Arabic), by edit distance, or as an initial.
Generic organisation and company words weigh less. The score is the weighted share of both
names that found a partner, leaning on the shorter name so that a missing middle name costs
little; a screening hit is a lead for a person, and the explanation says why.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter

from rapidfuzz.distance import Levenshtein

from accord.screening.eastasian import chinese_key, chinese_name, chinese_whole, korean_name
from accord.screening.explained import Pair, Score
from accord.screening.lexicon import Translation, translate
from accord.screening.normalise import Token, tokens
from accord.screening.pieces import pair_pieces
from accord.screening.rules import (
    LOOSE_ROUTES,
    PairIndices,
    common_names_only,
    conflicting,
    crossed_with_parts_over,
    given_name_only,
    kunya_crossed,
    relative,
)
from accord.screening.scripts import scholarly_latin, simplified
from accord.screening.similarity import word_similarity
from accord.screening.thesaurus import (
    FUNCTION_WEIGHT,
    FUNCTION_WORDS,
    SYNONYM,
    VOCABULARY_WEIGHT,
    translated_similarity,
    vocabulary,
)
from accord.screening.transcription import TRANSCRIBED, transcribed_runs, transcription_similarity

#: How much a token of each role weighs beside a name part.
WEIGHTS = {
    "name": 1.0,
    "place": 1.0,
    "number": 0.3,
    "patronymic": 0.5,
    "generic": 0.2,
    "legal": 0.2,
    "title": 0.1,
    "particle": 0.1,
    "acronym": 0.1,
}
CONFLICT_PENALTY = 0.7
_WHOLE_WORD_ROUTES = frozenset({"exact", "name equivalent", "translated"})
#: Words that say what kind of body an organisation is.
KIND_WORDS = frozenset(
    """movement front party organization organisation group union council society
    foundation association network army brigade brigades battalion committee government
    hizb jamaat jamat jama jamah jemaah harakat harkat haraka tanzim jabhat jabha jamiat
    tehrik tehreek""".split()
)
KIND_WORD_PENALTY = 0.75
LOOSE_KINDS = frozenset({"organization", "organisation", "group"})
#: The most a match scores when only generic words, or only a person's given name, agree:
#: below the default threshold (0.7), a lead no analyst should be sent on its own.
GENERIC_CAP = 0.5
GIVEN_NAME_CAP = 0.65
#: A Korean given name a letter off: a typo, or another person (Kim Song Chol, Kim Yong Chol).
NEAR = "Korean given name a letter off"
#: A country on one side only ("Santander Mexico" / "Santander"), a number on one side only
#: ("Solutions II" / "Solutions"), or legal forms of two different families ("AG" / "GmbH",
#: "L.P." / "L.L.C."): usually another body.
PLACE_PENALTY = 0.65
LEGAL_PENALTY = 0.75
NUMBER_PENALTY = 0.75
RELATIVE_PENALTY = 0.8
#: A person's two parts in common in the other order, a part of either name left over
#: ("Omar Sharif" / "Shariff Omar Mohammed", "Mohammad Hafeez" / "Hafez Mohammad Saeed"):
#: most often a namesake, the same two common names in another person's name.
CROSSED_PENALTY = 0.75
KUNYA_PENALTY = 0.8
#: Legal forms that one body may carry under several names (OAO became PJSC, OOO is LLC).
LEGAL_FAMILIES = {
    **dict.fromkeys(("jsc", "ojsc", "pjsc", "cjsc"), "joint stock"),
    **dict.fromkeys(("llc",), "limited liability"),
    **dict.fromkeys(("ltd", "plc"), "limited"),
    **dict.fromkeys(("inc", "corp", "co"), "corporation"),
    **dict.fromkeys(("sa", "sas", "sarl"), "societe"),
    **dict.fromkeys(("ag",), "ag"),
    **dict.fromkeys(("gmbh",), "gmbh"),
    **dict.fromkeys(("lp",), "lp"),
    **dict.fromkeys(("bv",), "bv"),
    **dict.fromkeys(("ab",), "ab"),
}
#: How much the better-covered and the worse-covered side count, by kind of subject: a
#: person's list entry often has parts a query lacks (a middle name, a forebear); a body's
#: extra words more often name another body.
BALANCE = {"person": (0.75, 0.25), "organization": (0.3, 0.7), None: (0.6, 0.4)}
VOWELS = str.maketrans("", "", "aeiouy")
NO_FAMILY: frozenset[int] = frozenset()
NO_LEGAL: frozenset[str] = frozenset()
NO_WORDS: frozenset[str] = frozenset()


def _weights(
    side: tuple[Token, ...], kind: str | None, rarity: Callable[[str], float] | None
) -> list[float]:
    """What each token weighs: a name part by its rarity, a country in a person's name as a
    name part, the rest by role."""
    weights = []
    for token in side:
        role = token.role
        if role == "name" and rarity is not None:
            weights.append(rarity(token.text))
        elif role == "place" and kind == "person":
            weights.append(1.0)
        else:
            weights.append(WEIGHTS[role])
    return weights


def _weigh_vocabulary(side: tuple[Token, ...], weights: list[float]) -> None:
    """A translation against a name: the words of the lexicon's vocabulary weigh less than
    the name's own words, on both sides (``thesaurus.VOCABULARY_WEIGHT``), and function words
    as particles."""
    words = vocabulary()
    for position, token in enumerate(side):
        if token.text in FUNCTION_WORDS:
            weights[position] = min(weights[position], FUNCTION_WEIGHT)
        elif token.role == "name" and token.text in words:
            weights[position] = min(weights[position], VOCABULARY_WEIGHT)


def _described(lone: list[Token]) -> list[str]:
    """The words without a partner that say what a body is or does: kind words and the
    vocabulary of the lexicon, less function words."""
    words = vocabulary()
    return [
        t.text
        for t in lone
        if t.text not in FUNCTION_WORDS
        and (
            (t.role == "generic" and t.text in KIND_WORDS) or (t.role == "name" and t.text in words)
        )
    ]


_EAST_ASIAN = ("CJK", "HANGUL", "HIRAGANA", "KATAKANA")


def _east_asian(name: str) -> str | None:
    """The characters of a name written wholly in Han, Hangul or Kana (Han simplified), or
    None. Each such character is a syllable: two names in these scripts are compared
    character by character, since romanisation merges homophones (高市 / 高石: "gao shi")."""
    if name.isascii():
        return None
    letters = [c for c in unicodedata.normalize("NFKC", name) if c.isalnum()]
    if not letters or not all(unicodedata.name(c, "").startswith(_EAST_ASIAN) for c in letters):
        return None
    return simplified("".join(letters))


@dataclass(frozen=True, slots=True)
class PreparedName:
    """A name analysed once: its tokens, their words before folding, whole, East Asian."""

    tokens: tuple[Token, ...]
    joined: str
    east_asian: str | None
    has_lineage: bool
    #: Per token, what the pairing loop reads: (text, is a number, as written, lineage).
    cells: tuple[tuple[str, bool, bool, bool], ...] = ()
    #: Per name, what the score reads: a title, a number, the families of its legal forms.
    titled: bool = False
    numbered: bool = False
    legal: frozenset[str] = frozenset()
    #: A translated reading: the folded words that came from the lexicon, and the entries.
    translated: frozenset[str] = frozenset()
    translation: Translation | None = None
    #: Which reading of the name this is: as written, letter by letter, translated.
    reading: str = "as written"
    #: A Korean name (a Korean family name, then romanised Korean syllables): its family name
    #: and its given name's syllables run together under the Korean key, else None.
    korean: tuple[str, str] | None = None
    #: A Chinese name in pinyin (a Chinese family name, then pinyin syllables).
    chinese: bool = False
    #: Words of a reading that transcribe a foreign name in Chinese characters, with their
    #: pinyin syllables (compared with Latin words by sound: 努斯拉 "nu si la", Nusra).
    transcribed: tuple[tuple[str, str], ...] = ()
    #: A translated reading's words that stand for other English words too (团: regiment, or
    #: group), folded: each word and the others.
    alternatives: tuple[tuple[str, frozenset[str]], ...] = ()


@lru_cache(maxsize=200_000)
def prepare_name(name: str) -> PreparedName:
    found = tokens(name)
    return PreparedName(
        found,
        "".join(t.text for t in found),
        _east_asian(name),
        any(t.lineage for t in found),
        tuple(t.cell for t in found),
        any(t.role == "title" for t in found),
        any(t.role == "number" for t in found),
        frozenset(LEGAL_FAMILIES[t.text] for t in found if t.text in LEGAL_FAMILIES)
        or NO_LEGAL,  # one empty set for the many names without a legal form
        korean=korean_name(found),
        chinese=chinese_name(found),
    )


@lru_cache(maxsize=50_000)
def readings(name: str) -> tuple[PreparedName, ...]:
    """A name's readings: as written (transliterated as English writes each script), letter
    by letter (ICU's transliteration, for Cyrillic where the two differ), and translated (when
    the lexicon knows words of it: an organisation's name in Russian, Chinese, Arabic...)."""
    found = [prepare_name(name)]
    scholarly = scholarly_latin(name)
    if scholarly is not None:
        other = prepare_name(scholarly)
        if other.tokens != found[0].tokens:
            found.append(dataclasses.replace(other, reading="transliterated letter by letter"))
    for translation in translate(name):
        prepared = prepare_name(translation.text)
        words = frozenset(t.text for s in translation.senses for t in tokens(s.concept))
        sounds = []
        for word, syllables in translation.transcribed:
            folded = tokens(word)
            if len(folded) == 1:
                sounds.append((folded[0].text, syllables))
        alternatives: dict[str, frozenset[str]] = {}
        for sense in translation.senses:
            own = tokens(sense.concept)
            if sense.also and len(own) == 1:
                others = frozenset(t.text for c in sense.also for t in tokens(c))
                alternatives[own[0].text] = others | alternatives.get(own[0].text, frozenset())
        found.append(
            dataclasses.replace(
                prepared,
                alternatives=tuple(alternatives.items()),
                translated=words,
                translation=translation,
                reading="translated" if translation.senses else "transcribed",
                transcribed=tuple(sounds),
            )
        )
    return tuple(found)


def compare(query: str, candidate: str, kind: str | None = None) -> Score:
    """Score ``candidate`` (a register name) for ``query``, through every reading of both;
    ``kind`` is the subject's kind (person or organization) when known."""
    best: Score | None = None
    left, right = readings(query), readings(candidate)
    for i, one in enumerate(left):
        for j, other in enumerate(right):
            if i and j:
                continue  # a translation or a second transliteration on one side at most
            found = compare_prepared(one, other, kind)
            if best is None or found.score > best.score:
                best = found
    assert best is not None
    return best


def _compare_characters(left: str, right: str) -> Score:
    pairs: list[Pair] = []
    used_left: set[int] = set()
    used_right: set[int] = set()
    for block in Levenshtein.opcodes(left, right):
        if block.tag == "equal":
            for offset in range(block.src_end - block.src_start):
                q, r = block.src_start + offset, block.dest_start + offset
                pairs.append(Pair(left[q], right[r], "exact", 1.0))
                used_left.add(q)
                used_right.add(r)
    return Score(
        round(Levenshtein.normalized_similarity(left, right), 4),
        pairs,
        [c for i, c in enumerate(left) if i not in used_left],
        [c for j, c in enumerate(right) if j not in used_right],
    )


def compare_prepared(
    query: PreparedName,
    candidate: PreparedName,
    kind: str | None = None,
    rarity: Callable[[str], float] | None = None,
) -> Score:
    """As :func:`compare`; ``rarity`` (from the index: 1.0 for a rare word, less for a word
    many register names share, such as Muhammad or Kim) weighs each name part by how much it
    says about who is meant."""
    if query.east_asian and candidate.east_asian:
        return _compare_characters(query.east_asian, candidate.east_asian)
    korean = None
    syllabic = query.chinese and candidate.chinese and kind != "organization"
    if (
        syllabic
        and query.joined != candidate.joined
        and chinese_whole(query.tokens) == chinese_whole(candidate.tokens)
    ):
        both: list[PairIndices] = [
            ((0,), (0,), 1.0, "Chinese romanisation"),
            (
                tuple(range(1, len(query.tokens))),
                tuple(range(1, len(candidate.tokens))),
                1.0,
                "Chinese romanisation",
            ),
        ]
        return Score(0.95, _found=(query.tokens, candidate.tokens, both), reading=query)
    if query.korean and candidate.korean and kind != "organization":
        korean = _compare_korean(query, candidate)
        if korean.score >= 0.97:
            return korean
    left, right = query.tokens, candidate.tokens
    if not left or not right:
        return Score(0.0)
    # A forebear's name is not the person's own: with "bin" on both sides, roles must agree.
    roles_agree = query.has_lineage and candidate.has_lineage
    # The first part of a person's name is the person's own: a register name whose first part
    # is left over while the query's first part matched a later one is a relative ("Noor
    # Barzan Ibrahim" is Barzan Ibrahim's child).
    # A person's name has short parts that are not typos of each other (Ali, Adi); a body's
    # short words may be ("Benz" / "Benn").
    shortest = 4 if kind == "person" else 3
    if korean is not None:
        shortest = 6  # Korean syllables differ by a letter and are other syllables (Dong/Yong)
    options = []
    translated = query.translated
    sounds = dict(query.transcribed) if query.transcribed else None
    others = dict(query.alternatives) if query.alternatives else None
    east = bool(query.korean or candidate.korean)
    for i, (text_a, number_a, raw_a, lineage_a) in enumerate(query.cells):
        for j, (text_b, number_b, raw_b, lineage_b) in enumerate(candidate.cells):
            if roles_agree and lineage_a != lineage_b:
                continue
            if text_a == text_b and number_a == number_b:
                similarity, how = 1.0, "exact"  # word_similarity's first answer, without a call
            else:
                similarity, how = word_similarity(
                    text_a, text_b, number_a, number_b, shortest, east
                )
            if syllabic and (not similarity or how in LOOSE_ROUTES):
                if chinese_key(text_a) == chinese_key(text_b):
                    similarity, how = 0.9, "Chinese romanisation"
            if sounds is not None and text_a in sounds and how not in _WHOLE_WORD_ROUTES:
                # Pinyin is no spelling of the original: letters a few edits apart say
                # nothing, its sounds do.
                similarity = transcription_similarity(sounds[text_a], text_b)
                how = TRANSCRIBED
            if translated and similarity < SYNONYM and text_a in translated:
                # A translated word and another rendering of it, or its stem in another form,
                # or another sense of the word translated.
                found_similarity, found_how = translated_similarity(text_a, text_b)
                if others is not None and text_b in others.get(text_a, ()):
                    found_similarity, found_how = 1.0, "translated (another sense)"
                if found_similarity > similarity:
                    similarity, how = found_similarity, found_how
            if similarity > 0:
                if translated and text_a in translated:
                    how = "translated" if how in ("exact", "romanisation") else how
                elif how == "exact" and not (raw_a and raw_b):
                    how = "romanisation"
                options.append((similarity, i, j, how))
    east_asian = korean is not None or syllabic
    east_asian = east_asian or (
        kind != "organization"
        and bool(query.korean or query.chinese)
        and bool(candidate.korean or candidate.chinese)
    )
    if east_asian:
        # Syllables of East Asian names: a letter off is another syllable (a sound key may
        # still join two romanisations of a Chinese syllable: Xi/Shi/Si).
        loose = (
            LOOSE_ROUTES
            if korean is not None or not syllabic
            else LOOSE_ROUTES - {"phonetic", "edit distance"}
        )
        options = [o for o in options if o[3] not in loose]
    options.sort(key=itemgetter(0), reverse=True)  # stable: equal ones keep their order
    used_left: set[int] = set()
    used_right: set[int] = set()
    pairs: list[PairIndices] = []
    for similarity, i, j, how in options:
        if i not in used_left and j not in used_right:
            used_left.add(i)
            used_right.add(j)
            pairs.append(((i,), (j,), similarity, how))
    if sounds is not None and len(used_right) < len(right) - 1:
        pairs += transcribed_runs(left, right, used_left, used_right, sounds)
    if len(used_left) < len(left) and len(used_right) < len(right):
        pairs += pair_pieces(left, right, used_left, used_right)
    weights_left = _weights(left, kind, rarity)
    weights_right = _weights(right, kind, rarity)
    if translated:
        _weigh_vocabulary(left, weights_left)
        _weigh_vocabulary(right, weights_right)
    got_left = sum(weights_left[i] * s for q, _, s, _ in pairs for i in q)
    got_right = sum(weights_right[j] * s for _, r, s, _ in pairs for j in r)
    share_left, share_right = got_left / sum(weights_left), got_right / sum(weights_right)
    more, less = BALANCE.get(kind, BALANCE[None])
    titled = query.titled or candidate.titled
    if sum(1 for q, _, _, _ in pairs if left[q[0]].role == "name") < 2 and not titled:
        # One matched part is weak evidence ("Walijan"), unless a title says who is meant
        # ("President Erdogan", "Mullah Omar").
        more, less = min(more, 0.5), max(less, 0.5)
    token_score = more * max(share_left, share_right) + less * min(share_left, share_right)
    # A part missing on one side is common (a middle name, a legal form); a part present on
    # both sides that matches nothing is a conflict: another person or group.
    lone_left = [left[i] for i in range(len(left)) if i not in used_left]
    lone_right = [right[j] for j in range(len(right)) if j not in used_right]
    if kind == "person" and relative(pairs, left, right):
        token_score *= RELATIVE_PENALTY
    if kind == "person":
        token_score *= KUNYA_PENALTY ** kunya_crossed(pairs, left, right)
        if korean is None and not syllabic and crossed_with_parts_over(pairs, left, right):
            token_score *= CROSSED_PENALTY
    words = vocabulary() if translated else NO_WORDS
    # Beside a translation, the vocabulary's words are weighed as kinds of body, below.
    names_left = sum(1 for t in lone_left if conflicting(t, kind) and t.text not in words)
    names_right = sum(1 for t in lone_right if conflicting(t, kind) and t.text not in words)
    token_score *= CONFLICT_PENALTY ** min(names_left, names_right)
    if kind != "person" and lone_left and lone_right:
        # Two kinds of body ("Organisation of Islamic Cooperation" / "Society of Islamic
        # Cooperation"): a kind word on each side without a partner.
        # A translation's "organisation" or "group" is one rendering of several (组织,
        # группировка): no other kind of body.
        kinds_left = [t.text for t in lone_left if t.role == "generic" and t.text in KIND_WORDS]
        kinds_right = [t.text for t in lone_right if t.role == "generic" and t.text in KIND_WORDS]
        if translated:
            # Beside a translation, any word of the vocabulary on each side without a partner
            # ("Islamic Army in Iraq" / "Islamic State of Iraq") says two bodies, as kind
            # words do; its lower weight alone would let them pass.
            kinds_left = _described(lone_left)
            kinds_right = _described(lone_right)
        renderings = query.translation is not None and LOOSE_KINDS.issuperset(
            kinds_left + kinds_right
        )
        if not renderings:
            token_score *= KIND_WORD_PENALTY ** min(len(kinds_left), len(kinds_right))
    # What tells two bodies apart beyond their words: a country, a number one of them carries
    # alone ("Solutions II"), legal forms of two families. They hold however alike the words.
    qualifier = 1.0
    if kind != "person" and any(t.role == "place" for t in lone_left + lone_right):
        qualifier *= PLACE_PENALTY
    if query.numbered != candidate.numbered:
        qualifier *= NUMBER_PENALTY
    if query.legal and candidate.legal and not query.legal & candidate.legal:
        qualifier *= LEGAL_PENALTY
    if korean is not None or syllabic:
        # Two Korean (or Chinese) names that differ read in the lists' order: in any other
        # order every syllable still counts ("Chun-sik Choe" is Choe Chun Sik; "Choe Min"
        # is not Choe Min Sok).
        lone = len(lone_left) + len(lone_right)
        token_score *= CONFLICT_PENALTY**lone
    score = token_score
    whole = False
    # Words split or run together differently ("Ramimakhlouf"), or a typo in a body's short
    # word ("Mercedes-Benn"): the names written whole. A person's differing own name
    # ("Uday" / "Qusay") is a conflict, not a typo.
    if (
        (len(left) != len(right) or kind != "person")
        and korean is None
        and not syllabic
        and token_score < 0.9
        and abs(len(query.joined) - len(candidate.joined)) <= 0.2 * max(len(query.joined), 1)
    ):
        joined = Levenshtein.normalized_similarity(query.joined, candidate.joined)
        if joined >= 0.9 and joined > token_score:
            score, whole = joined, True
    score = min(score * qualifier, 1.0)
    if korean is not None and korean.score > score:
        return korean
    capped = None
    # What alone never makes a match: only generic words in common ("Islamic Movement"), or a
    # person's given name alone ("Hani Kassab" / "Hani", "Kim" / "Kim Jong Un").
    if whole:
        pass  # the names agree written whole: neither cap applies
    elif score > GENERIC_CAP and not any(not left[i].generic for q, _, _, _ in pairs for i in q):
        score, capped = GENERIC_CAP, "only generic words in common"
    elif kind == "person" and score > GIVEN_NAME_CAP and not query.titled:
        capped = given_name_only(pairs, left, right) or common_names_only(pairs, left, right)
        if capped:
            score = GIVEN_NAME_CAP
    return Score(round(score, 4), _found=(left, right, pairs), reading=query, capped=capped)


def _compare_korean(query: PreparedName, candidate: PreparedName) -> Score:
    """Two Korean names: the family names by their romanisation families, the given names
    syllable by syllable, however joined or split. Every syllable of a Korean given name
    counts: "Kim Song Chol" and "Kim Yong Chol" are two people, as are "Ryu Jin" and "Ryu
    Hyon Jin"."""
    assert query.korean is not None and candidate.korean is not None
    family_q, given_q = query.korean
    family_c, given_c = candidate.korean
    family, _ = word_similarity(family_q, family_c, False, False, 4, True)
    given = 1.0 if given_q == given_c else Levenshtein.normalized_similarity(given_q, given_c)
    left, right = query.tokens, candidate.tokens
    pairs: list[PairIndices] = []
    if family:
        pairs.append(((0,), (0,), family, "exact" if family_q == family_c else "name equivalent"))
    if given == 1.0:
        raw = "".join(t.text for t in left[1:]) == "".join(t.text for t in right[1:])
        pairs.append(
            (
                tuple(range(1, len(left))),
                tuple(range(1, len(right))),
                1.0,
                "exact" if raw else "Korean romanisation",
            )
        )
        score = 0.97 if family else 0.5
        if family == 1.0 and raw:
            score = 1.0
    else:
        # A consonant off may be a typo; more is another given name.
        near = given >= 0.85 and len(given_q) > 4
        score = (0.72 if near else 0.35) * (1.0 if family else 0.6)
        if near:
            return Score(round(score, 4), _found=(left, right, pairs), reading=query, capped=NEAR)
    return Score(round(score, 4), _found=(left, right, pairs), reading=query)
