"""East Asian names in Latin letters: Korean names (a Korean family name, then romanised
syllables) and Chinese names in pinyin or Wade-Giles, each syllable of which counts."""

from __future__ import annotations

import re
from functools import lru_cache

from accord.screening.equivalents import CHINESE_FAMILY_NAMES, KOREAN_FAMILY_NAMES
from accord.screening.normalise import Token
from accord.screening.similarity import korean_key


def korean_name(found: tuple[Token, ...]) -> tuple[str, str] | None:
    if not 2 <= len(found) <= 4 or found[0].text not in KOREAN_FAMILY_NAMES:
        return None
    if any(t.role != "name" for t in found):
        return None
    given = "".join(t.text for t in found[1:])
    key = korean_key(given)
    return None if key is None else (found[0].text, key)


_PINYIN = re.compile(
    r"^(?:(?:zh|ch|sh|hs|ts|tz|[bpmfdtnlgkhjqxrzcsyw])?(?:iang|iong|uang|ang|eng|ing|ong|ung|"
    r"ian|ien|iao|uai|uan|ieh|ueh|ai|ei|ao|ou|an|en|in|un|er|ia|ie|iu|ua|uo|ue|ui|ih|eh|a|e|i|"
    r"o|u|v))+$"
)
#: Pinyin and Wade-Giles (apostrophes gone) to one key: Wade-Giles writes pinyin's b/d/g/j/zh
#: as p/t/k/ch, x as hs, z/c as ts/tz, and -ong as -ung ("Chin T'ieh-san" / "Jin Tiesan").
_CHINESE_FOLDS = (
    ("ieh", "ie"),
    ("ueh", "ue"),
    ("ien", "ian"),
    ("ung", "ong"),
    ("ih", "i"),
    ("eh", "e"),
    ("hs", "X"),
    ("x", "X"),
    ("ch", "C"),
    ("j", "C"),
    ("q", "C"),
    ("sh", "S"),
    ("tz", "Z"),
    ("c", "Z"),
    ("z", "Z"),
    ("b", "P"),
    ("p", "P"),
    ("d", "T"),
    ("t", "T"),
    ("g", "K"),
    ("k", "K"),
)


def chinese_whole(found: tuple[Token, ...]) -> tuple[str, str]:
    """A Chinese name's family name and given name (syllables run together) under the key."""
    return chinese_key(found[0].text), chinese_key("".join(t.text for t in found[1:]))


@lru_cache(maxsize=100_000)
def chinese_key(word: str) -> str:
    for source, target in _CHINESE_FOLDS:
        word = word.replace(source, target)
    return word


LONGEST_SYLLABLES = 16


def chinese_name(found: tuple[Token, ...]) -> bool:
    if not 2 <= len(found) <= 4 or found[0].text not in CHINESE_FAMILY_NAMES:
        return False
    # A pinyin given name runs to a dozen letters; the length bound also keeps the syllable
    # pattern (whose alternatives overlap) from backtracking without end on a long word.
    return all(
        t.role == "name" and len(t.text) <= LONGEST_SYLLABLES and _PINYIN.match(t.text)
        for t in found
    )
