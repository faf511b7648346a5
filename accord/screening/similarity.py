"""How alike two folded words are, and by which route: exact, name equivalent, translated,
initial, edit distance, Arabic sound correspondences, consonant skeleton (against a word
written without its short vowels), phonetic key, Korean romanisation."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import groupby

from rapidfuzz.distance import OSA

from accord.screening.equivalents import FAMILIES, TRANSLATIONS

VOWELS = str.maketrans("", "", "aeiouy")
NO_FAMILY: frozenset[int] = frozenset()


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
    return "".join(c for c, _ in groupby(key))  # doubled letters once


@lru_cache(maxsize=500_000)
def skeleton(word: str) -> str:
    """The consonants of a word, after its first letter: how unvocalised Arabic reads."""
    return word[:1] + word[1:].translate(VOWELS)


@lru_cache(maxsize=250_000)  # pairs of words: bounded, a few tens of MB
def word_similarity(
    x: str, y: str, number_x: bool, number_y: bool, shortest: int, korean: bool = False
) -> tuple[float, str]:
    """How alike two folded words are, and by which route; ``shortest`` is the shortest word
    an edit distance may pair; ``korean`` when a name of the two is Korean (the Korean
    romanisation route is tried only then)."""
    if number_x != number_y:
        return 0.0, ""
    if x == y:
        return 1.0, "exact"
    if number_x:  # 23 is not 24
        return 0.0, ""
    lx, ly = len(x), len(y)
    family = FAMILIES.get(x)
    if family is not None and family & FAMILIES.get(y, NO_FAMILY):
        return 0.9, "name equivalent"
    meaning = TRANSLATIONS.get(x)
    if meaning is not None and meaning & TRANSLATIONS.get(y, NO_FAMILY):
        return 0.9, "translated"
    if lx == 1 or ly == 1:
        return (0.6, "initial") if x[0] == y[0] else (0.0, "")
    shorter, longest = (lx, ly) if lx < ly else (ly, lx)
    if shorter >= shortest and longest - shorter <= 0.3 * longest:
        # A swap of two letters is one edit; below the cutoff rapidfuzz answers 0.
        edited = OSA.normalized_similarity(x, y, score_cutoff=0.7)
        if edited:
            return edited, "edit distance"
    skeleton_x, skeleton_y = skeleton(x), skeleton(y)
    apart = len(skeleton_x) - len(skeleton_y)
    if not -2 <= apart <= 2:
        return 0.0, ""  # consonants too many apart for any route below
    if skeleton_x == skeleton_y and lx > 2 and ly > 2 and (_unvocalised(x) or _unvocalised(y)):
        return 0.88, "skeleton"
    near = -1 <= apart <= 1
    # Sound keys only between words of about as many consonants and one opening sound.
    if (
        near
        and shorter > 3
        and _opening(x) == _opening(y)
        and not sound_keys(x).isdisjoint(sound_keys(y))
    ):
        return 0.85, "sound correspondence"
    if phonetic(x) == phonetic(y) and _vowels_agree(x, y):
        return (0.8 if shorter > 3 else 0.75), "phonetic"
    if korean and near and lx <= 12 and ly <= 12:
        key = korean_key(x)
        if key is not None and key == korean_key(y):
            return 0.85, "Korean romanisation"
    return 0.0, ""


_VOWEL_RUNS = re.compile(r"[aeiouy]+")


def _syllables(word: str) -> int:
    return len(_VOWEL_RUNS.findall(word))


def _unvocalised(word: str) -> bool:
    """A word as Arabic script writes it, long vowels only ("mhmd", "msud", "lshkr")."""
    return _syllables(word[1:]) == 0 or sum(c in "aeiouy" for c in word) < 0.3 * len(word)


def _vowels_agree(x: str, y: str) -> bool:
    """Whether two words with one consonant skeleton may be one name: one of them unvocalised
    (written from Arabic script without its short vowels: "mhmd"), or both with as many
    syllables (Mahmud is not Muhammad, whose consonants are the same)."""
    if _unvocalised(x) or _unvocalised(y):
        return True
    count_x, count_y = _syllables(x), _syllables(y)
    if count_x == count_y:
        return True
    # A final vowel more ("Schulze"/"Scholz", "Baraku"/"Barack"), nothing else.
    longer = x if count_x > count_y else y
    return abs(count_x - count_y) == 1 and longer[-1] in "aeiouy"


#: A romanised Korean syllable (McCune-Reischauer without marks, Revised Romanisation, and
#: the spellings between), in the folded spelling ("yu" is "u" there).
_KOREAN = re.compile(
    r"^(?:(?:kk|tt|pp|ss|jj|ch|sh|[kgndtrlmbpsjhc])?[wy]?(?:ae|eo|eu|oe|ui|a|e|i|o|u)"
    r"(?:ng|[kgnlmpbt](?![aeiouwy]))?)+$"
)
_KOREAN_FOLDS = (
    ("eo", "o"),
    ("eu", "u"),
    ("ae", "e"),
    ("sh", "s"),
    ("ch", "c"),
    ("j", "c"),
    ("g", "k"),
    ("d", "t"),
    ("b", "p"),
    ("l", "r"),
    ("wo", "o"),
)
#: Korean vowels as romanisations blur them (ŏ/o/eo, u/oo, yo/yeo): one class. Consonants
#: keep the syllables apart ("Song Chol" is not "Yong Chol").
_KOREAN_VOWELS = re.compile(r"[aeiou]+")


@lru_cache(maxsize=200_000)
def korean_key(word: str) -> str | None:
    """One key for the romanisations of a Korean syllable run (Chol/Cheol, Jong/Chong/Jeong,
    Gwang/Kwang, Song/Seong), or None for a word no Korean syllables spell."""
    # Russian usage (Kontsevich): "Чжон" for Jong, "Хван" for Hwang.
    word = word.replace("chj", "j").replace("v", "w")
    if len(word) > 12 or not _KOREAN.match(word):
        return None
    for source, target in _KOREAN_FOLDS:
        word = word.replace(source, target)
    return _KOREAN_VOWELS.sub("V", word)


#: Arabic letters that romanisations write several ways, in the folded spelling: ظ dh/z/th,
#: ث th/s/t, ذ dh/z/d, ق q/k/g, ج j/g/dj; Persian v for w; the Maghrebi "ou" for u.
_SOUNDS = (
    ("dj", ("j",)),
    ("aw", ("u", "aw")),
    ("ch", ("sh", "ch")),
    ("e", ("a", "i")),
    ("dh", ("z", "d")),
    ("th", ("z", "s", "t")),
    ("gh", ("g",)),
    ("ou", ("u",)),
    ("ck", ("q",)),
    ("g", ("q", "j")),
    ("k", ("q",)),
    ("c", ("q",)),
    ("v", ("w",)),
)
#: Vowels as Arabic romanisations interchange them: a/e (Jabhat/Jebhat), u/o (Usman/Osman),
#: i/y.
_VOWEL_CLASSES = {"a": "a", "e": "a", "i": "i", "y": "i", "o": "u", "u": "u"}


_SOUND_PIECES = re.compile("|".join(source for source, _ in _SOUNDS) + "|.")
_SOUND_CHOICES: dict[str, tuple[str, ...]] = {source: targets for source, targets in _SOUNDS}
_DOUBLED_KEY = re.compile(r"(.)\1+")


@lru_cache(maxsize=200_000)
def _opening(word: str) -> str:
    """The class of a word's first sound, which every sound key of it shares: a vowel, a
    k-like (q k c g j dj), an s-like (d t z s, dh th), w/v, or the letter itself."""
    return _OPENINGS.get(word[:2], "") or _OPENINGS.get(word[0], word[0])


_OPENINGS = {
    **dict.fromkeys("aeiouy", "V"),
    **dict.fromkeys("qkcgj", "K"),
    **dict.fromkeys("dtzs", "S"),
    **dict.fromkeys("wv", "W"),
    "dj": "K",
}


@lru_cache(maxsize=200_000)
def sound_keys(word: str) -> frozenset[str]:
    """The spellings a word may have under the Arabic correspondences above, vowels by class
    (at most a dozen): two romanisations of one Arabic name share one ("Kathim"/"Kazim"/
    "Kadhim", "Uthman"/"Usman"/"Osman", "Jamal"/"Gamal"/"Djamal")."""
    choices: list[tuple[str, ...]] = []
    for piece in _SOUND_PIECES.findall(word):
        targets = _SOUND_CHOICES.get(piece)
        choices.append(targets if targets else (_VOWEL_CLASSES.get(piece, piece),))
    if len(word) > 4 and word.endswith("e"):
        choices.pop()  # a French silent e: "Alouche"
    if word[0] in _VOWEL_CLASSES and choices:
        choices[0] = ("V",)  # an opening hamza: Usama/Osama/Asama
    keys = [""]
    for targets in choices:
        if len(targets) == 1:
            keys = [k + targets[0] for k in keys]
        else:
            keys = [k + t for k in keys for t in targets][:12]
    return frozenset(_DOUBLED_KEY.sub(r"\1", k) for k in keys)
