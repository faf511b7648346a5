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
GENERIC_WORDS = frozenset(
    {
        "movement",
        "front",
        "party",
        "organization",
        "organisation",
        "group",
        "jamaat",
        "jamaah",
        "jamaa",
        "jamiat",
        "harakat",
        "hizb",
        "tanzim",
        "brigade",
        "brigades",
        "army",
        "battalion",
        "union",
        "council",
        "islamic",
        "of",
        "the",
        "for",
        "and",
        "in",
        "dvizhenie",
        "partiya",
        "partia",
        "organizatsiya",
        "organizacia",
        "tehrik",
        "tahrik",
        "jabhat",
        "jabha",
    }
)

#: Spellings of one name that romanisation conventions disagree on.
SPELLINGS = {
    "mohammed": "muhammad",
    "mohammad": "muhammad",
    "mohamed": "muhammad",
    "muhammed": "muhammad",
    "mohamad": "muhammad",
    "muhamad": "muhammad",
    "ahmed": "ahmad",
    "husein": "husayn",
    "hussein": "husayn",
    "hussain": "husayn",
    "osama": "usama",
    "abdullah": "abdallah",
    "abdulla": "abdallah",
    "turkestan": "turkistan",
    "taleban": "taliban",
}

# Russian (and other Cyrillic) romanisations, folded to one form: Dzh/J, Kh/H, Zh/J, Ts/C...
_CYRILLIC_FOLDS = (
    ("dzh", "j"),
    ("dz", "j"),
    ("zh", "j"),
    ("kh", "h"),
    ("ts", "c"),
    ("sch", "sh"),
    ("yu", "u"),
    ("ya", "a"),
    ("iy", "i"),
    ("yi", "i"),
)


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
    # Apostrophes and okinas belong to the word: "Qa'ida" is one word, not "qa ida".
    text = re.sub(r"(?<=[a-z])['\u2019\u02bc\u02bb`](?=[a-z])", "", text)
    # Initialisms written with dots or spaces are one word: "S.A.R.L." -> "sarl".
    text = re.sub(r"\b(?:[a-z0-9]\.\s?){2,}", lambda m: re.sub(r"[.\s]", "", m.group()) + " ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


#: Legal forms and their usual abbreviations, spelt out: folded to the abbreviation.
LEGAL_FORMS = (
    ("open joint stock company", "ojsc"),
    ("public joint stock company", "pjsc"),
    ("closed joint stock company", "cjsc"),
    ("joint stock company", "jsc"),
    ("limited liability company", "llc"),
    ("public limited company", "plc"),
    ("societatea cu raspundere limitata", "srl"),
    ("societe anonyme", "sa"),
    ("gesellschaft mit beschrankter haftung", "gmbh"),
    ("aktiengesellschaft", "ag"),
    ("aktiengeselschaft", "ag"),
    ("limited", "ltd"),
    ("corporation", "corp"),
    ("incorporated", "inc"),
    ("company", "co"),
    ("international", "intl"),
    ("oao", "ojsc"),
    ("zao", "cjsc"),
    ("ooo", "llc"),
    ("pao", "pjsc"),
    ("ao", "jsc"),
)
_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "5th": 5,
}


def _numbers(words: list[str]) -> list[str]:
    """Number words to digits: "forty four" -> "44", "first" -> "1"."""
    out: list[str] = []
    for word in words:
        value = _NUMBERS.get(word)
        if value is None and word.isdigit() and out and out[-1].isdigit() and out[-1].endswith("0"):
            out[-1] = str(int(out[-1]) + int(word))  # "40 4" -> "44"
            continue
        if value is None:
            out.append(word)
        elif (
            value < 10 and out and out[-1].isdigit() and out[-1].endswith("0") and len(out[-1]) == 2
        ):
            out[-1] = str(int(out[-1]) + value)
        else:
            out.append(str(value))
    return out


def fold(word: str) -> str:
    """One romanisation of a word: known spellings, then Cyrillic digraphs, doubled letters."""
    word = SPELLINGS.get(word, word)
    for source, target in _CYRILLIC_FOLDS:
        word = word.replace(source, target)
    word = re.sub(r"([a-z])\1+", r"\1", word)  # "jabhatt", "nusrah"/"nussra"; not "44"
    if len(word) > 3 and word.endswith("h") and word[-2] in "aeiou":
        word = word[:-1]  # "Nusrah" / "Nusra"
    return SPELLINGS.get(word, word)


def tokens(name: str) -> list[Token]:
    """The folded tokens of a name; the Arabic article is split off ("al-Nusra" -> nusra)."""
    out: list[Token] = []
    text = " " + to_latin(name) + " "
    for spelt, short in LEGAL_FORMS:
        text = text.replace(f" {spelt} ", f" {short} ")
    for word in _numbers(text.split()):
        if word in ARTICLES:
            continue
        folded = fold(word)
        out.append(Token(folded, folded in GENERIC_WORDS or word in GENERIC_WORDS))
    return out


def key(name: str) -> str:
    """A comparison key: the folded tokens, sorted, generic words included."""
    return " ".join(sorted(t.text for t in tokens(name)))
