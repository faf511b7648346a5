"""Which language an article is written in, detected (lingua), never assumed.

The article's language is the one most of its body is in, line by line (a quotation in
another language does not change it); the other languages of at least a tenth of the body
are named, so that a mixed article says so. Accord reads English, Russian and Chinese; for
any other language the reader says so and extracts only what does not depend on the
language (register names written in Latin script, dates in ISO form).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import cache
from typing import Any

READABLE = ("en", "ru", "zh")
_LOCK = threading.Lock()
_SAMPLE = 400  # characters of each line the detector reads


@dataclass(frozen=True, slots=True)
class Detected:
    code: str  # ISO 639-1, or "unknown"
    name: str
    share: float  # of the body's letters in that language
    others: tuple[tuple[str, float], ...] = field(default=())

    @property
    def readable(self) -> bool:
        return self.code in READABLE


#: The languages told apart: those of the partner states' press and of the regions their
#: reporting covers, and the major others (lingua knows 75; fewer load faster). An article
#: in a language not listed is named as the nearest listed one, and still read as one
#: Accord cannot read.
LANGUAGES = (
    "ENGLISH RUSSIAN CHINESE ARABIC PERSIAN URDU TURKISH AZERBAIJANI KAZAKH MONGOLIAN "
    "UKRAINIAN BELARUSIAN BULGARIAN SERBIAN MACEDONIAN FRENCH GERMAN SPANISH ITALIAN "
    "PORTUGUESE DUTCH POLISH SWEDISH INDONESIAN MALAY TAGALOG HINDI BENGALI PUNJABI KOREAN "
    "JAPANESE SOMALI SWAHILI HEBREW GEORGIAN ARMENIAN GREEK ROMANIAN HUNGARIAN CZECH "
    "VIETNAMESE THAI"
).split()
#: Samples this long are read by lingua's fast models; shorter ones by its accurate ones.
_LONG = 120


@cache
def _detector(accurate: bool) -> Any:
    with _LOCK:
        from lingua import Language, LanguageDetectorBuilder

        builder = LanguageDetectorBuilder.from_languages(
            *(getattr(Language, name) for name in LANGUAGES)
        )
        return (builder if accurate else builder.with_low_accuracy_mode()).build()


def _letters(text: str) -> int:
    return sum(map(str.isalpha, text))  # the loop in C: every line of every article


_LATIN = re.compile("[\x00-\x7f\u00c0-\u024f]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_HAN = re.compile("[\u4e00-\u9fff]")
_ARABIC = re.compile("[\u0600-\u06ff]")


def _han(text: str) -> int:
    return 0 if text.isascii() else len(_HAN.findall(text))


def _script(line: str) -> str:
    """The script most letters of the line's opening are in (Han characters count thrice:
    each carries a word)."""
    letters = "".join(filter(str.isalpha, line[:_SAMPLE]))
    if letters.isascii():
        latin, cyrillic, han, arabic = len(letters), 0, 0, 0
    else:
        latin = len(_LATIN.findall(letters))
        cyrillic = len(_CYRILLIC.findall(letters))
        han = len(_HAN.findall(letters))
        arabic = len(_ARABIC.findall(letters))
    other = len(letters) - latin - cyrillic - han - arabic
    counts = {"latin": latin, "cyrillic": cyrillic, "han": 3 * han, "arabic": arabic}
    counts["other"] = other
    return max(counts, key=lambda k: counts[k])


def detect(lines: list[str]) -> Detected:
    """The language of the body made of ``lines``, with the share of each language.

    Lines are grouped by their script and the detector reads a sample of each group (one
    call per script, not per line: a Russian quotation in an English report is found, at
    the cost of not telling two languages of one script apart within one article)."""
    groups: dict[str, list[str]] = {}
    weights: dict[str, float] = {}
    for line in lines:
        letters = _letters(line)
        if not letters:
            continue
        script = _script(line)
        groups.setdefault(script, []).append(line)
        han = _han(line)
        weights[script] = weights.get(script, 0.0) + letters + 2 * han
    total = sum(weights.values())
    if not total:
        return Detected("unknown", "unknown", 0.0)
    found: dict[str, tuple[str, float]] = {}
    for script, group in groups.items():
        if weights[script] / total < 0.1 and found:
            continue
        long_lines = [g for g in group if _letters(g) >= 20] or group
        sample = " ".join(long_lines)[: _SAMPLE * 2]
        language = _detector(_letters(sample) < _LONG).detect_language_of(sample)
        if language is None:
            continue
        code = language.iso_code_639_1.name.lower()
        name, weight = found.get(code, (language.name.title(), 0.0))
        found[code] = (name, weight + weights[script])
    if not found:
        return Detected("unknown", "unknown", 0.0)
    ranked = sorted(found.items(), key=lambda kv: -kv[1][1])
    code, (name, top) = ranked[0]
    others = tuple((c, round(w / total, 2)) for c, (_, w) in ranked[1:] if w / total >= 0.1)
    return Detected(code, name, round(top / total, 2), others)
