"""Which language an article is written in, detected (lingua), never assumed.

The article's language is the one most of its body is in, line by line (a quotation in
another language does not change it); the other languages of at least a tenth of the body
are named, so that a mixed article says so. Accord reads English, Russian and Chinese; for
any other language the reader says so and extracts only what does not depend on the
language (register names written in Latin script, dates in ISO form).
"""

from __future__ import annotations

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


@cache
def _detector() -> Any:
    with _LOCK:
        from lingua import LanguageDetectorBuilder

        return LanguageDetectorBuilder.from_all_languages().build()


def _letters(text: str) -> int:
    return sum(1 for c in text if c.isalpha())


def _alone(line: str, detector: Any) -> Detected:
    found = detector.detect_language_of(line[:_SAMPLE])
    if found is None:
        return Detected("unknown", "unknown", 0.0)
    return Detected(found.iso_code_639_1.name.lower(), found.name.title(), 1.0)


def detect(lines: list[str]) -> Detected:
    """The language of the body made of ``lines``, with the share of each language."""
    detector = _detector()
    weights: dict[str, float] = {}
    names: dict[str, str] = {}
    for line in lines:
        sample = line[:_SAMPLE]
        letters = _letters(sample)
        han = sum(1 for c in sample if "\u4e00" <= c <= "\u9fff")
        if letters < 20 and han < 6:
            continue  # a date line, a byline: too short to say
        found = detector.detect_language_of(sample)
        if found is None:
            continue
        code = found.iso_code_639_1.name.lower()
        names[code] = found.name.title()
        # Han characters carry a word each: weigh them as a few letters.
        weight = letters + 3 * sum(1 for c in sample if "\u4e00" <= c <= "\u9fff")
        weights[code] = weights.get(code, 0.0) + weight
    total = sum(weights.values())
    if not total and any(_letters(line) >= 3 for line in lines):
        # Only short lines: read them together.
        return detect([" ".join(lines)]) if len(lines) > 1 else _alone(lines[0], detector)
    if not total:
        return Detected("unknown", "unknown", 0.0)
    ranked = sorted(weights.items(), key=lambda kv: -kv[1])
    code, top = ranked[0]
    others = tuple((c, round(w / total, 2)) for c, w in ranked[1:] if w / total >= 0.1)
    return Detected(code, names[code], round(top / total, 2), others)
