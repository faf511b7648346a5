"""Names in any script to comparable Latin tokens: small pure functions.

NFKC and case folding first; ICU's ``Any-Latin; Latin-ASCII`` transliterates Cyrillic,
Arabic, Han (pinyin), Greek and the rest; then the common romanisation conventions of one
script are folded together (Russian "dzh"/"j", "kh"/"h"; the Arabic article "al-"/"el-"/
"ad-"/"an-"; Muhammad/Mohammed), so that one name written two ways gives the same tokens.
Generic organisation words (movement, front, party...) are kept but marked, so that a scorer
can weigh them down rather than drop them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import icu

_TRANSLITERATOR = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")

#: The Arabic definite article, as romanisations write it, assimilated or not.
ARTICLES = frozenset({"al", "el", "ad", "ar", "as", "at", "an", "az", "ash", "ath", "ul", "ud"})

#: Words that name the kind of organisation rather than the organisation.
GENERIC_WORDS = frozenset({
    "movement", "front", "party", "organization", "organisation", "group", "jamaat", "jamaah",
    "jamaa", "jamiat", "harakat", "hizb", "tanzim", "brigade", "brigades", "army", "battalion",
    "union", "council", "islamic", "of", "the", "for", "and", "in", "dvizhenie", "partiya",
    "partia", "organizatsiya", "organizacia", "tehrik", "tahrik", "jabhat", "jabha",
})  # fmt: skip

#: Spellings of one name that romanisation conventions disagree on.
SPELLINGS = {
    "mohammed": "muhammad", "mohammad": "muhammad", "mohamed": "muhammad",
    "muhammed": "muhammad", "mohamad": "muhammad", "muhamad": "muhammad",
    "ahmed": "ahmad", "husein": "husayn", "hussein": "husayn", "hussain": "husayn",
    "osama": "usama", "abdullah": "abdallah", "abdulla": "abdallah",
    "turkestan": "turkistan", "taleban": "taliban",
}  # fmt: skip

# Russian (and other Cyrillic) romanisations, folded to one form: Dzh/J, Kh/H, Zh/J, Ts/C...
_CYRILLIC_FOLDS = (("dzh", "j"), ("dz", "j"), ("zh", "j"), ("kh", "h"), ("ts", "c"),
                   ("sch", "sh"), ("yu", "u"), ("ya", "a"), ("iy", "i"), ("yi", "i"))  # fmt: skip


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a name: its folded form, and whether it is a generic organisation word."""

    text: str
    generic: bool


@lru_cache(maxsize=100_000)
def to_latin(name: str) -> str:
    """Any script to lower-case ASCII words separated by single spaces ("" for junk)."""
    text = unicodedata.normalize("NFKC", name)
    text = _TRANSLITERATOR.transliterate(text).casefold()
    # Initialisms written with dots or spaces are one word: "S.A.R.L." -> "sarl".
    text = re.sub(r"\b(?:[a-z0-9]\.\s?){2,}", lambda m: re.sub(r"[.\s]", "", m.group()) + " ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def fold(word: str) -> str:
    """One romanisation of a word: known spellings, then Cyrillic digraphs, doubled letters."""
    word = SPELLINGS.get(word, word)
    for source, target in _CYRILLIC_FOLDS:
        word = word.replace(source, target)
    word = re.sub(r"(.)\1+", r"\1", word)  # "jabhatt", "nusrah"/"nussra"
    if len(word) > 3 and word.endswith("h") and word[-2] in "aeiou":
        word = word[:-1]  # "Nusrah" / "Nusra"
    return SPELLINGS.get(word, word)


def tokens(name: str) -> list[Token]:
    """The folded tokens of a name; the Arabic article is split off ("al-Nusra" -> nusra)."""
    out: list[Token] = []
    for word in to_latin(name).split():
        if word in ARTICLES:
            continue
        folded = fold(word)
        out.append(Token(folded, folded in GENERIC_WORDS or word in GENERIC_WORDS))
    return out


def key(name: str) -> str:
    """A comparison key: the folded tokens, sorted, generic words included."""
    return " ".join(sorted(t.text for t in tokens(name)))
