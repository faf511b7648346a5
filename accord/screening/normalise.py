"""Names in any script to comparable Latin tokens: small pure functions.

NFKC and case folding first; ICU's ``Any-Latin; Latin-ASCII`` transliterates Cyrillic,
Arabic, Han (pinyin), Greek and the rest; then the common romanisation conventions of one
script are folded together (Russian "dzh"/"j", "kh"/"h"; the Arabic article "al-"/"el-"/
"ad-"/"an-"; Muhammad/Mohammed), so that one name written two ways gives the same tokens.
Each token carries its role in the name: a name part, a patronymic (Slavic -ovich/-ovna, or
an Arabic name after "bin"/"ibn", which names a forebear), a title, a legal form, a generic
organisation word (movement, front, party...), a number, a country. Generic words are kept but
marked, so that a scorer can weigh them down rather than drop them; a scorer can also refuse
to pair a person's own name with a forebear's ("Salman bin Muhammad" is not "Muhammad bin
Salman").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import icu

from accord.screening.scripts import ANY_LATIN, romanise_scripts
from accord.screening.words import (
    ARTICLES,
    COMPANY_WORDS,
    CYRILLIC_FOLDS,
    GENERIC_WORDS,
    LEGAL_FORMS,
    NUMBERS,
    PARTICLES,
    REGIONS,
    SPELLINGS,
    TITLES,
)

#: Roman numerals of two letters or more (a lone "V" or "X" is more often an initial), save
#: those that are as often syllables of names (Chinese "Xi", "Li"; Vietnamese "Vi").
_ROMAN_NUMERAL = re.compile(r"^(?=[ivxl]{2,}$)(?!(?:xi|li|vi)$)(xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50}


def _roman(word: str) -> int:
    """The value of a Roman numeral ("xiii" -> 13)."""
    values = [_ROMAN_VALUES[c] for c in word]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


_PATRONYMIC = re.compile(
    r"[a-z]{3,}(?:ovich|evich|ovych|evych|ovna|evna|ivna|ichna|ogly|kyzy|uly)$"
)


def _countries() -> frozenset[str]:
    """One-word country names in English, from ICU's locale data (no list kept here)."""
    english = icu.Locale("en")
    names = set()
    for code in icu.Locale.getISOCountries():
        name = to_latin(icu.Locale("", code).getDisplayCountry(english))
        if name and " " not in name:
            names.add(name)
    return frozenset(names)


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a name: its folded form, its role, and whether it names a forebear.

    Roles: ``name``, ``patronymic``, ``title``, ``particle``, ``legal`` (legal form or company
    word), ``generic`` (organisation word), ``number``, ``place`` (a country), ``acronym`` (the
    list's own acronym of the name, in brackets after it).
    """

    text: str
    role: str = "name"
    lineage: bool = False
    #: The word as written (after transliteration), before romanisation folding.
    raw: bool = True
    #: What the scorer's pairing loop reads, made once per token (tokens are shared by every
    #: name holding the word): (text, is a number, as written, lineage).
    cell: tuple[str, bool, bool, bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        cell = (self.text, self.role == "number", self.raw, self.lineage)
        object.__setattr__(self, "cell", cell)

    @property
    def generic(self) -> bool:
        """Weighed down by a scorer and never posted in an index."""
        return self.role in ("generic", "legal", "title", "particle")


_APOSTROPHE = re.compile(r"(?<=[a-z])['\u2019\u02bc\u02bb\u02b9\u02ba`](?=[a-z])")
_INITIALISM = re.compile(r"\b(?:[a-z0-9]\.\s?){2,}")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_DOUBLED = re.compile(r"([a-z])\1+")
#: A "y" or "j" closing a syllable (Russian "й", Arabic "ي" after a vowel) as other
#: romanisations write it, "i": Sergey/Sergej/Sergei, Tsoy/Tsoi, Zayd/Zaid.
_GLIDE = re.compile(r"(?<=[aeiou])[yj](?![aeiouy])")


@lru_cache(maxsize=100_000)
def to_latin(name: str) -> str:
    """Any script to lower-case ASCII words separated by single spaces ("" for junk)."""
    text = unicodedata.normalize("NFKC", name)
    if not text.isascii():
        text = romanise_scripts(text)
    text = ANY_LATIN.transliterate(text).casefold()
    # Marks ICU leaves on upper case ("ЬЮ" -> "'\u0331U"): dropped.
    if not text.isascii():
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
    # Apostrophes and okinas belong to the word: "Qa'ida" is one word, not "qa ida".
    text = _APOSTROPHE.sub("", text)
    # Initialisms written with dots or spaces are one word: "S.A.R.L." -> "sarl".
    if "." in text:
        text = _INITIALISM.sub(lambda m: "".join(m.group().split()).replace(".", "") + " ", text)
    text = _NON_WORD.sub(" ", text)
    return " ".join(text.split())


_NUMBER_WORDS = frozenset(NUMBERS)


def _numbers(words: list[str]) -> list[str]:
    """Number words to digits: "forty four" -> "44", "first" -> "1"."""
    out: list[str] = []
    for word in words:
        value = NUMBERS.get(word)
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


@lru_cache(maxsize=500_000)
def fold(word: str) -> str:
    """One romanisation of a word: known spellings, then Cyrillic digraphs, doubled letters."""
    word = SPELLINGS.get(word, word)
    for source, target in CYRILLIC_FOLDS:
        word = word.replace(source, target)
    if _DOUBLED.search(word):
        word = _DOUBLED.sub(r"\1", word)  # "jabhatt", "nusrah"/"nussra"; not "44"
    if "y" in word or "j" in word:
        word = _GLIDE.sub("i", word)  # "Sergey"/"Sergei", "Tsoy"/"Tsoi", "Zayd"/"Zaid"
    if len(word) > 3 and word.endswith("h") and word[-2] in "aeiou":
        word = word[:-1]  # "Nusrah" / "Nusra"
    return SPELLINGS.get(word, word)


_LEGAL_FIRST = frozenset(spelt.split()[0] for spelt, _ in LEGAL_FORMS)


@lru_cache(maxsize=500_000)
def _role(word: str, folded: str, first: bool) -> str:
    if word.isdigit():
        return "number"
    if not first and _ROMAN_NUMERAL.match(word):
        return "number"
    if folded in GENERIC_WORDS or word in GENERIC_WORDS:
        return "generic"
    if word in COMPANY_WORDS or folded in COMPANY_WORDS:
        return "legal"
    if word in TITLES:
        return "title"
    if word in PARTICLES and not first:
        return "particle"
    if word in COUNTRIES or folded in COUNTRIES:
        return "place"
    if _PATRONYMIC.match(word):
        return "patronymic"
    return "name"


#: "Abd al-Aziz", "Abdul Aziz", "Abdelaziz", "عبد العزيز": "servant of" + a word, however
#: written, becomes the two words "abd aziz".
_ABD = frozenset(
    {"abd", "bd", "abdul", "abdel", "abdal", "abdol", "abdu", "abdur", "abdus", "abdar"}
)
_ABD_JOINED = re.compile(r"^abd(?:ul|el|al|ol|ur|ar|us|as|ud|ad|u)(?=[a-z]{3,}$)")


def _servant_names(words: list[str]) -> list[str]:
    """Theophoric "Abd al-X" names in one form: "abd" and the word it governs."""
    out: list[str] = []
    article_follows = False
    for word in words:
        if article_follows and word in ARTICLES:
            article_follows = False
            continue
        if article_follows and word in _ALLAH:
            out[-1] = "abdallah"  # "Abd Allah", "Abd al-Lah": Abdallah, one name
            article_follows = False
            continue
        article_follows = False
        if word in _ABD:
            out.append("abd")
            article_follows = True
            continue
        if word in _ABDALLAH:
            out.append("abdallah")
            continue
        joined = _ABD_JOINED.match(word)
        if joined:
            out += ["abd", word[joined.end() :]]
            continue
        out.append(word)
    return out


#: Abdallah however written, one word: it is "servant of God", but as a name it is one name.
_ALLAH = frozenset({"allah", "alla", "lah", "la", "llah", "ullah", "ulla", "illah", "lh", "llh"})
_ABDALLAH = frozenset(
    {"abdallah", "abdalla", "abdullah", "abdulla", "abdulah", "abdula", "abdalah", "abdillah"}
)


@lru_cache(maxsize=200_000)
def tokens(name: str) -> tuple[Token, ...]:
    """The folded tokens of a name, with roles; the Arabic article is split off ("al-Nusra" ->
    nusra); "bin"/"ibn" becomes a particle and what follows it a forebear's name."""
    out: list[Token] = []
    if name.count(",") == 1:  # "SURNAME, Given" as lists write it: the person's order
        family, given = name.split(",")
        if given.strip() and family.strip():
            name = f"{given} {family}"
    acronym = None
    trailing = _TRAILING_ACRONYM.search(name)
    if trailing and " " in name[: trailing.start()].strip():
        # "HAQQANI NETWORK (HQN)": the list's own acronym of the name, not a word of it.
        acronym = to_latin(trailing.group(1)).replace(" ", "")
        name = name[: trailing.start()]
    text = " " + to_latin(name) + " "
    if not _LEGAL_FIRST.isdisjoint(text.split()):
        for spelt, short in LEGAL_FORMS:
            text = text.replace(f" {spelt} ", f" {short} ")
    words = text.split()
    if not _NUMBER_WORDS.isdisjoint(words) or any(w.isdigit() for w in words):
        words = _numbers(words)
    if any(w.startswith(("abd", "bd")) for w in words):
        words = _servant_names(words)
    lineage = False
    last = len(words) - 1
    for position, word in enumerate(words):
        if word in ARTICLES:
            continue
        if word in _EZAFE and 0 < position < last:
            out.append(_EZAFE_TOKEN)  # "Lashkar-e-Tayyiba", "Hizb-i-Islami": "of", not a name
            continue
        token = _token(word, not out, lineage)
        lineage = lineage or token.role == "particle"
        out.append(token)
    if acronym:
        out.append(Token(acronym, "acronym", False))
    return tuple(out)


_TRAILING_ACRONYM = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9./-]{1,9})\s*\)\s*$")

#: The Persian and Urdu "of" (ezafe) that romanisations write as a word between two others.
_EZAFE = frozenset({"e", "i", "ye", "yi"})
_EZAFE_TOKEN = Token("e", "generic", False)


@lru_cache(maxsize=500_000)
def _token(word: str, first: bool, lineage: bool) -> Token:
    """One word's token: made once per distinct word and place, and shared by every name that
    holds it (a register of a million names holds far fewer words)."""
    role = _role(word, fold(word), first)
    if role == "particle":
        return Token("bin", role, False)
    if role == "number":
        return Token(word if word.isdigit() else str(_roman(word)), role, lineage)
    if role == "legal":
        return Token(word, role, lineage)
    folded = fold(word)
    return Token(folded, role, lineage, folded == word)


COUNTRIES = _countries() | REGIONS


def key(name: str) -> str:
    """A comparison key: the folded tokens, sorted, generic words included."""
    return " ".join(sorted(t.text for t in tokens(name)))
