"""Foreign names transcribed in Chinese characters, compared by sound with Latin words.

Chinese writes a foreign name with characters chosen for their sound, a syllable for each
consonant: 努斯拉 (nu si la) is Nusra, 哈卡尼 (ha ka ni) Haqqani, 巴格达迪 (ba ge da di)
Baghdadi, 沙姆 (sha mu) Sham. The pinyin of such characters and the Latin word do not look
alike letter by letter (a vowel after every consonant, l for r), but their consonants do,
once both are brought to classes of sound the transcription conventions keep apart (Xinhua's
tables for Arabic, Persian and Russian names): b/p, d/t, g/k/q/kh, h, f/v/w, s/z/sh/th/x,
j/zh/ch/q, l/r, m, n. A syllable's nasal coda (-n, -ng) is an n or an m of the original
(伊斯兰 yi si lan: Islam).

Linguistic facts only: which route pairs the words is decided in ``score``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import product

from accord.screening.normalise import Token
from accord.screening.rules import PairIndices

#: The route of a foreign name transcribed in Chinese characters, compared by sound.
TRANSCRIBED = "transcribed (Chinese characters, by sound)"

#: A pinyin syllable (tone marks gone): initial, then final.
_SYLLABLE = re.compile(
    r"(zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ao|ou|an|en|in|un|vn|er|"
    r"ia|ie|iu|ua|uo|ue|ve|ui|a|e|i|o|u|v)"
)
#: Sound classes of pinyin initials as they transcribe foreign consonants.
_INITIALS = {
    "b": "P",
    "p": "P",
    "d": "T",
    "t": "T",
    "g": "K",
    "k": "K",
    "h": "H",
    "f": "F",
    "w": "F",
    "s": "S",
    "x": "S",
    "sh": "S",
    "z": "S",
    "c": "S",
    "zh": "J",
    "ch": "J",
    "j": "J",
    "q": "J",
    "l": "L",
    "r": "L",
    "m": "M",
    "n": "N",
    "y": "",
    "": "",
}
#: Latin letters (and digraphs, first) in the same classes.
_LATIN = (
    ("kh", "K"),
    ("gh", "K"),
    ("sh", "S"),
    ("ch", "J"),
    ("th", "S"),
    ("dh", "S"),
    ("zh", "J"),
    ("dj", "J"),
    ("dzh", "J"),
    ("ts", "S"),
    ("ph", "F"),
    ("ck", "K"),
)
_LATIN_LETTERS = {
    **dict.fromkeys("bp", "P"),
    **dict.fromkeys("dt", "T"),
    **dict.fromkeys("gkqc", "K"),
    "h": "H",
    **dict.fromkeys("fvw", "F"),
    **dict.fromkeys("sz", "S"),
    "x": "KS",
    "j": "J",
    **dict.fromkeys("lr", "L"),
    "m": "M",
    "n": "N",
}
_LATIN_PIECES = re.compile("|".join(d for d, _ in sorted(_LATIN, key=lambda p: -len(p[0]))) + "|.")
_LATIN_CLASSES = dict(_LATIN)
#: Classes a transcription confuses at half the cost of another consonant: a nasal coda (n)
#: is an n or an m; h stands for kh; j for g or z; f for b (v).
_NEAR = frozenset(
    frozenset(p) for p in (("n", "N"), ("n", "M"), ("H", "K"), ("J", "K"), ("J", "S"), ("F", "P"))
)
_EXACT = frozenset((("n", "N"), ("n", "M"), ("N", "n"), ("M", "n")))
#: What an epenthetic vowel's syllable adds or the original drops at half cost: h, a coda.
_LIGHT = frozenset({"H", "n"})


#: The vowel a pinyin final transcribes: a, i, u (o) or a light e/o that is often only the
#: vowel Chinese puts after a lone consonant (斯 si, 德 de, 克 ke, 默 mo).
_FINAL_VOWELS = {
    **dict.fromkeys("a ia ua ai uai an ang ian iang uan van uang".split(), "A"),
    **dict.fromkeys(("i", "in", "ing", "ui"), "I"),
    # 奥 ao is an o (奥巴马 Obama, 奥马尔 Omar).
    **dict.fromkeys("u v iu ou un vn ong iong uo ao iao".split(), "U"),
    **dict.fromkeys(("e", "ie", "ue", "ve", "ei", "en", "eng", "ueng", "o", "er"), "E"),
}
#: (y is a glide, as pinyin's y: Sayyaf, 沙耶夫 sha ye fu.)
_LATIN_VOWELS = {**dict.fromkeys("ae", "A"), "i": "I", **dict.fromkeys("ou", "U")}
_VOWEL_CLASSES = frozenset("AIUE")


@lru_cache(maxsize=20_000)
def pinyin_key(syllables: str) -> str:
    """The sound classes of a run of pinyin syllables, consonants in capitals save a nasal
    coda ("n"), vowels as A I U and a light E ("nu si la": "NUSILA")."""
    key = []
    for syllable in syllables.split():
        parsed = _SYLLABLE.fullmatch(syllable)
        if parsed is None:
            return ""  # not pinyin
        initial, final = parsed.group(1) or "", parsed.group(2)
        if initial == "" and final == "er":
            key.append("L")  # 尔: an r closing a syllable of the original
            continue
        if initial == "w" and final == "u":
            initial = ""  # 乌 wu: an opening u (Uzbek)
        key.append(_INITIALS[initial])
        # After s, z, c, sh, zh, ch, r the i is no vowel of the original (斯 si, 兹 zi).
        apical = final == "i" and initial in ("s", "z", "c", "sh", "zh", "ch", "r")
        # After b, p, m, f the u is most often a lone consonant's (布 bu, 姆 mu, 夫 fu).
        labial = final == "u" and initial in ("b", "p", "m", "f")
        key.append("E" if apical or labial else _FINAL_VOWELS.get(final, "E"))
        if final.endswith(("n", "ng")):
            key.append("n")
    return _collapse("".join(key))


@lru_cache(maxsize=100_000)
def latin_key(word: str) -> str:
    """The sound classes of a Latin word ("nusra": "NUSLA", "islam": "ISLAM")."""
    if word.endswith("h") and len(word) > 3 and word[-2] in "aeiou":
        word = word[:-1]  # a closing h the transcription does not write (Nusrah)
    key = []
    for piece in _LATIN_PIECES.findall(word):
        key.append(
            _LATIN_CLASSES.get(piece) or _LATIN_LETTERS.get(piece) or _LATIN_VOWELS.get(piece, "")
        )
    return _collapse("".join(key))


def _collapse(key: str) -> str:
    return re.sub(r"(.)\1+", r"\1", key)


def _unit(x: str) -> float:
    """What adding or dropping one sound costs: a vowel little, a light one less, h or a
    nasal coda half a consonant."""
    if x == "E":
        return 0.15
    if x in _VOWEL_CLASSES:
        return 0.45
    if x == "n":
        return 0.3  # a nasal coda before a nasal or a labial (穆罕默德 mu han mo de: Muhammad)
    return 0.5 if x == "H" else 1.0


def _swap(x: str, y: str) -> float:
    if x == y or (x, y) in _EXACT:
        return 0.0
    vowel_x, vowel_y = x in _VOWEL_CLASSES, y in _VOWEL_CLASSES
    if vowel_x and vowel_y:
        return 0.15 if "E" in (x, y) else 1.0
    if vowel_x or vowel_y:
        return 2.0
    return 0.5 if frozenset((x, y)) in _NEAR else 1.0


def _cost(a: str, b: str) -> float:
    """Edit cost between two keys."""
    previous = [0.0]
    for y in b:
        previous.append(previous[-1] + _unit(y))
    for x in a:
        current = [previous[0] + _unit(x)]
        for n, y in enumerate(b, 1):
            current.append(
                min(
                    previous[n - 1] + _swap(x, y),
                    previous[n] + _unit(x),
                    current[-1] + _unit(y),
                )
            )
        previous = current
    return previous[-1]


@lru_cache(maxsize=100_000)
def transcription_similarity(syllables: str, word: str) -> float:
    """How alike a transcription (pinyin syllables, space-separated) and a Latin word sound,
    0 when they do not: by the cost of the edits between their keys (a vowel Chinese adds
    costs little, another consonant a lot), 0.9 to 0.75."""
    if not word.isascii() or len(word) < 3:
        return 0.0
    ours, theirs = pinyin_key(syllables), latin_key(word)
    if not ours or not theirs:
        return 0.0
    opening_ours = "V" if ours[0] in _VOWEL_CLASSES else ours[0]
    opening_theirs = "V" if theirs[0] in _VOWEL_CLASSES else theirs[0]
    if opening_ours != opening_theirs and frozenset((ours[0], theirs[0])) not in _NEAR:
        return 0.0  # another opening sound (a vowel, or which consonant)
    consonants = sum(1 for c in theirs if c not in _VOWEL_CLASSES)
    if consonants < 2 or abs(consonants - sum(1 for c in ours if c not in _VOWEL_CLASSES)) > 2:
        return 0.0
    cost = _cost(ours, theirs)
    if consonants < 3:
        # Two consonants say little: nothing but vowels may differ (shamu / sham).
        return 0.85 if cost <= 0.45 else 0.0
    if cost <= 0.35:
        return 0.9
    if cost <= 0.75:
        return 0.85
    if cost <= 1.2 and consonants >= 4:
        return 0.75
    return 0.0


#: The letters a pinyin initial writes in the original (the index's skeletons are letters).
_GUESSES = {
    "b": ("b", "p"),
    "p": ("p", "b"),
    "d": ("d", "t"),
    "t": ("t", "d"),
    "g": ("g", "gh", "k"),
    "k": ("k", "q", "kh"),
    "h": ("h", "kh", ""),
    "f": ("f", "v"),
    "w": ("w", "v"),
    "s": ("s", "th"),
    "sh": ("sh", "s"),
    "x": ("s", "sh"),
    "z": ("z", "dh", "s"),
    "c": ("ts", "s"),
    "zh": ("j", "zh", "z"),
    "ch": ("ch", "sh"),
    "j": ("j", "g"),
    "q": ("q", "k", "ch"),
    "l": ("l", "r"),
    "r": ("r",),
    "m": ("m",),
    "n": ("n",),
    "coda": ("n", "m", ""),
    "er": ("r",),
}


def skeleton_guesses(syllables: str, limit: int = 48) -> list[str]:
    """Consonant skeletons (a word's first letter, then its consonants: the index's "s:" keys)
    the Latin original of a transcription may have: "nu si la" gives nsr, nsl...; and, for a
    run that may be two words written together (阿布沙耶夫: Abu Sayyaf), the skeletons of
    its last two consonants or more."""
    consonants: list[str] = []
    opening = ""
    for number, syllable in enumerate(syllables.split()):
        parsed = _SYLLABLE.fullmatch(syllable)
        if parsed is None:
            return []
        initial, final = parsed.group(1) or "", parsed.group(2)
        if initial == "" and final == "er":
            consonants.append("er")
            continue
        if initial in ("", "y") or (initial == "w" and final == "u"):
            if number == 0:
                opening = {"A": "a", "I": "i", "U": "u"}.get(_FINAL_VOWELS.get(final, ""), "e")
        else:
            consonants.append(initial)
        if final.endswith(("n", "ng")):
            consonants.append("coda")
    if len(consonants) < 2:
        return []
    found = _spelt(opening, consonants, limit)
    for cut in range(1, len(consonants) - 1):
        if consonants[cut] != "coda":
            found += _spelt("", consonants[cut:], limit // 2)
    return list(dict.fromkeys(g for g in found if len(g) >= 2))


def _spelt(opening: str, consonants: list[str], limit: int) -> list[str]:
    found = []
    for letters in product(*(_GUESSES.get(c, ("",)) for c in consonants)):
        found.append(_collapse(opening + "".join(letters)))
        if len(found) >= limit:
            break
    return found


def transcribed_runs(
    left: tuple[Token, ...],
    right: tuple[Token, ...],
    used_left: set[int],
    used_right: set[int],
    sounds: dict[str, str],
) -> list[PairIndices]:
    """A transcribed word left alone against two or three neighbouring free words of the
    other name written together: Chinese writes "Abu Sayyaf" as one run (阿布沙耶夫)."""
    found: list[PairIndices] = []
    for i, token in enumerate(left):
        syllables = sounds.get(token.text)
        if i in used_left or syllables is None:
            continue
        for size in (2, 3):
            best = None
            for j in range(len(right) - size + 1):
                run = range(j, j + size)
                if any(k in used_right for k in run):
                    continue
                heard = transcription_similarity(syllables, "".join(right[k].text for k in run))
                if heard >= 0.85 and (best is None or heard > best[0]):
                    best = (heard, tuple(run))
            if best is not None:
                used_left.add(i)
                used_right.update(best[1])
                found.append(((i,), best[1], best[0], TRANSCRIBED))
                break
    return found
